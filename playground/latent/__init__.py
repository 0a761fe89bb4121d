"""Latent-space work on a trained generator: pure operations on z (ops) and a generator opened
for exploring (explorer)."""
