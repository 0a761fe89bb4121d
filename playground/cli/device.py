"""`--device {auto,cpu,cuda}` for the commands that build runs (train, sample, table, reproduce,
bench).

The choice reaches every run a command builds, bench's included, through the one rule they
all follow (`engine.run.pick_device`, which reads PLAYGROUND_DEVICE), set for the command's
duration only. Asking for CUDA where torch sees none is a one-line error, not a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator

CHOICES = ("auto", "cpu", "cuda")
BUILDS_RUNS = ("train", "sample", "table", "reproduce", "bench")  # the commands that take --device
ENV = "PLAYGROUND_DEVICE"  # what engine.run.pick_device reads


def add_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", choices=CHOICES, default="auto",
                   help="where runs train and sample: auto picks cuda when torch sees a GPU "
                        f"(or what {ENV} says), else cpu")


def resolve(choice: str) -> str | None:
    """The device type `choice` forces, or None for auto (pick_device's own rule)."""
    if choice not in CHOICES:
        raise ValueError(f"--device must be one of {', '.join(CHOICES)}, got {choice!r}")
    import torch  # here: `presets` and --help start without it
    if choice == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"--device cuda: this torch ({torch.__version__}) sees no CUDA "
                         "device; use --device cpu or auto")
    return None if choice == "auto" else choice


@contextlib.contextmanager
def chosen(args: argparse.Namespace) -> Iterator[None]:
    """`args.device` in force while the command runs (commands without --device: no change);
    the environment as it was afterwards."""
    forced = resolve(getattr(args, "device", "auto"))
    if forced is None:
        yield
        return
    before = os.environ.get(ENV)
    os.environ[ENV] = forced
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before
