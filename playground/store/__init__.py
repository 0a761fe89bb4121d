"""Bytes on disk: run checkpoints (save, SHA-checked load) and the shipped pretrained runs."""
