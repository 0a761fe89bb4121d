"""The seeds of a run's random streams, all derived from its one seed in this one place.

Each stream (training's data batches, z and auxiliary noise; the observer's display probes and
its evaluation set) gets a child of `numpy.random.SeedSequence(seed)`, keyed by the stream's
position in STREAMS. Children of one root are independent by construction, and so are the
children of different roots: no stream of one seed is another seed's stream (offsets from
the seed collided: seed 30's probe stream was seed 0's z stream).
"""
from __future__ import annotations

import numpy as np
import torch

# The spawn key of each stream is its index here: append new streams, never reorder (that
# would move every seeded run).
STREAMS = ("data", "z", "aux", "probe", "eval")
TRAINING = ("data", "z", "aux")  # what a checkpoint carries; the probes are rebuilt from seed


def seed_of(seed: int, stream: str) -> int:
    """The 64-bit seed of `stream` for a run seeded `seed`."""
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; valid: {', '.join(STREAMS)}")
    child = np.random.SeedSequence(seed, spawn_key=(STREAMS.index(stream),))
    return int(child.generate_state(1, np.uint64)[0])


def generator(seed: int, stream: str, device: torch.device | str = "cpu") -> torch.Generator:
    """A torch.Generator on `device` seeded for `stream` of the run seeded `seed`."""
    return torch.Generator(device).manual_seed(seed_of(seed, stream))
