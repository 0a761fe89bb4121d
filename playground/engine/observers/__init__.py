"""What a run shows and how it is scored, per kind of data (a registry keyed by data kind).

An observer owns a run's fixed probes (fixed z, fixed real samples, evaluation sets, for 2D the
surface grid) and turns the run into a dict of metrics or, given the run's latest evaluation, a
numpy snapshot. It reads the run only through `view.RunView` and always inside
`run.observing()` (G and D in eval mode), so observing never changes what training does next.
Observation runs one way: the run asks, the observer answers; it never calls back.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from playground.engine.observers.view import RunView
from playground.engine.snapshot import Snapshot
from playground.registry import Registry


class Observer(Protocol):
    def __init__(self, run: RunView) -> None: ...

    def snapshot(self, values: dict[str, float]) -> Snapshot: ...

    def evaluate(self, protocol: bool) -> dict[str, float]: ...

    def scored_samples(self, protocol: bool) -> dict[str, np.ndarray]: ...

    def reference(self, protocol: bool) -> dict[str, float]: ...

    def samples(self, n: int, seed: int) -> np.ndarray: ...

    def reprobe(self) -> None: ...


OBSERVERS: Registry[type] = Registry("observer")


def _register() -> None:
    from playground.engine.observers.images import ImageObserver
    from playground.engine.observers.points2d import PointsObserver
    OBSERVERS.add("points2d", PointsObserver)
    OBSERVERS.add("image", ImageObserver)


_register()
