"""The seeds of a run's random streams, all derived from its one seed in this one place.

Each stream (training's data batches, z and auxiliary noise; the observer's display probes and
its evaluation set) gets a child of `numpy.random.SeedSequence(seed)`, keyed by the stream's
position in STREAMS. Children of one root are independent by construction, and so are the
children of different roots: no stream of one seed is another seed's stream (offsets from
the seed collided: seed 30's probe stream was seed 0's z stream). A stream's saved state fits
only its own device type; `fitted_states` restarts a stream saved on another device from the
run's seed and step, so a checkpoint opens anywhere and two loads of it continue identically.
"""
from __future__ import annotations

import numpy as np
import torch

# The spawn key of each stream is its index here: append new streams, never reorder (that
# would move every seeded run).
STREAMS = ("data", "z", "aux", "probe", "eval", "label", "code")
TRAINING = ("data", "z", "aux")  # what a checkpoint carries; the probes are rebuilt from seed
LABELLED = TRAINING + ("label",)  # a conditional run's: the fakes' labels have their own
CODED = TRAINING + ("code",)  # an InfoGAN run's: its latent codes have their own


def training(cond: str, info_codes: str = "none") -> tuple[str, ...]:
    """The training streams of a run conditioned by `cond` with InfoGAN codes `info_codes`
    (neither: TRAINING). z keeps its own stream either way, so the codes never shift it."""
    if info_codes != "none":
        return CODED
    return TRAINING if cond == "none" else LABELLED


def seed_of(seed: int, stream: str) -> int:
    """The 64-bit seed of `stream` for a run seeded `seed`."""
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; valid: {', '.join(STREAMS)}")
    child = np.random.SeedSequence(seed, spawn_key=(STREAMS.index(stream),))
    return int(child.generate_state(1, np.uint64)[0])


def generator(seed: int, stream: str, device: torch.device | str = "cpu") -> torch.Generator:
    """A torch.Generator on `device` seeded for `stream` of the run seeded `seed`."""
    return torch.Generator(device).manual_seed(seed_of(seed, stream))


# ---- states saved on one device, restored on another ---------------------------------------
# Bytes of a torch.Generator state per device type: the CPU's mt19937 (624 words, position,
# and the cached normal draws of CPUGeneratorImplState); CUDA's Philox is a 64-bit seed and a
# 64-bit offset. A state of one never fits the other's `set_state`.
STATE_BYTES = {"cpu": 5056, "cuda": 16}
RESEED_TAG = 0x2E5E  # marks the entropy of re-seeded streams (apart from seed_of's)


def made_on(state: torch.Tensor) -> str | None:
    """The device type whose generators have a state of this many bytes, if any."""
    n = state.numel() if isinstance(state, torch.Tensor) else -1
    return next((dev for dev, size in STATE_BYTES.items() if size == n), None)


def reseed_of(seed: int, stream: str, step: int) -> int:
    """The 64-bit seed a stream restarts from when its saved state cannot be restored: a
    function of the run's seed, the stream and the step only, so two loads of one file
    continue identically. Its own entropy ([seed, tag, step]) keeps it apart from seed_of."""
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; valid: {', '.join(STREAMS)}")
    child = np.random.SeedSequence([seed, RESEED_TAG, step], spawn_key=(STREAMS.index(stream),))
    return int(child.generate_state(1, np.uint64)[0])


def fitted_states(saved: dict[str, torch.Tensor], gens: dict[str, torch.Generator], seed: int,
                  step: int, saved_on: str | None = None) -> tuple[dict[str, torch.Tensor], str]:
    """`saved` stream states as `gens`' `set_state` takes them, and the event to record ("" if
    none). A state of another device's size (a CUDA run opened on a CPU, or the other way)
    is replaced by the state of a generator seeded `reseed_of(seed, stream, step)` on the
    target device: the streams restart deterministically and the weights still load. A state
    of no known size is damaged: ValueError. `saved_on`: the device the file says made it."""
    out, moved = {}, None
    for name, state in saved.items():
        if name not in gens:
            raise ValueError(f"the saved random streams name {name!r}; valid: "
                             f"{', '.join(gens)}")
        gen = gens[name]
        here = gen.device.type
        if not isinstance(state, torch.Tensor) or state.dtype != torch.uint8:
            raise ValueError(f"the saved state of random stream {name!r} is not a byte tensor")
        if state.numel() == gen.get_state().numel():
            out[name] = state
            continue
        origin = made_on(state)
        if origin is None or origin == here:
            sizes = ", ".join(f"{n} on {d}" for d, n in STATE_BYTES.items())
            raise ValueError(f"the saved state of random stream {name!r} has {state.numel()} "
                             f"bytes; a generator state has {sizes}")
        moved = (saved_on if saved_on and saved_on != here else origin, here)
        fresh = torch.Generator(gen.device).manual_seed(reseed_of(seed, name, step))
        out[name] = fresh.get_state()
    note = f"random streams re-seeded: saved on {moved[0]}, running on {moved[1]}" if moved else ""
    return out, note
