"""What a run shows and how it is scored, per kind of data (a registry keyed by data kind).

An observer owns a run's fixed probes (fixed z, fixed real samples, evaluation sets, for 2D the
surface grid) and turns the run into a numpy snapshot or a dict of metrics. It reads the run
only through its public attributes and always inside `run.observing()` (G and D in eval mode),
so observing never changes what training does next.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..registry import Registry
from ..snapshot import Snapshot

if TYPE_CHECKING:
    from ..run import Run


class Observer(Protocol):
    def __init__(self, run: Run) -> None: ...

    def snapshot(self, with_metrics: bool) -> Snapshot: ...

    def evaluate(self, protocol: bool) -> dict[str, float]: ...

    def scored_samples(self, protocol: bool) -> dict[str, np.ndarray]: ...

    def reference(self, protocol: bool) -> dict[str, float]: ...

    def samples(self, n: int, seed: int) -> np.ndarray: ...

    def reprobe(self) -> None: ...


OBSERVERS: Registry[type] = Registry("observer")


def _register() -> None:
    from .images import ImageObserver
    from .points2d import PointsObserver
    OBSERVERS.add("points2d", PointsObserver)
    OBSERVERS.add("image", ImageObserver)


_register()
