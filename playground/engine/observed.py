"""The observation side of a `Run`: G and D in eval mode while they are observed, the snapshot,
and the metric records, kept at most once per step. The data kind's observer computes the
pictures and the numbers; this base class of `run.Run` asks it, in one direction only (the run
evaluates, then hands the record to the observer), and never trains.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
from torch import nn

from playground.engine.observers import Observer
from playground.engine.snapshot import Snapshot


class Observed:
    """What a run shows and how it is scored. `run.Run` sets these attributes and `flush`."""

    G: nn.Module
    D: nn.Module
    observer: Observer
    step_count: int
    status: str  # "ok" | "diverged"
    reason: str
    metric_history: dict[str, list[float]]  # live evaluations, "step" key
    protocol_history: dict[str, list[float]]  # full-protocol evaluations, "step" key
    latest_metrics: dict[str, float]  # the last live evaluation (the tiles)

    def flush(self) -> None:
        raise NotImplementedError  # the run's: pending losses to the host

    @contextlib.contextmanager
    def observing(self) -> Iterator[None]:
        """G and D in eval mode for the duration: batch norm uses its running statistics (a
        fixed-z frame must not depend on the batch) and spectral norm's power iteration does
        not advance, so observing never changes what training does next."""
        modes = self.G.training, self.D.training
        self.G.eval()
        self.D.eval()
        try:
            yield
        finally:
            self.G.train(modes[0])
            self.D.train(modes[1])

    def snapshot(self, with_metrics: bool = True) -> Snapshot:
        """Numpy-only picture of the run. After divergence the weights are already rolled back
        to the last flushed step (finite), so the picture is drawn from them with the reason:
        an older cached picture could show an earlier step and miss a change made since."""
        self.flush()
        values = self.evaluate() if with_metrics else dict(self.latest_metrics)
        return self.observer.snapshot(values)  # the picture now, with the latest record

    def evaluate(self, protocol: bool = False, fresh: bool = False) -> dict[str, float]:
        """Metrics now, recorded at most once per step: the live estimate (metric_history), or
        with `protocol` the papers' full protocol (protocol_history; e.g. exact W1 on all 2,500
        samples, not 512: two estimators with different floors are never one series). A step
        already recorded answers from its row (per-mode counts included), unless `fresh`:
        then it is scored again and the new row replaces it (a rescore after the protocol
        changed)."""
        self.flush()
        history = self.protocol_history if protocol else self.metric_history
        steps = history.get("step", [])
        if steps and steps[-1] == self.step_count:  # e.g. the first picture after a restore
            if not fresh:
                values = {k: v[-1] for k, v in history.items() if k != "step"}
                if not protocol:
                    self.latest_metrics = dict(values)
                return values
            n = len(steps)
            for series in history.values():
                if len(series) == n:
                    del series[-1]
        values = self.observer.evaluate(protocol)
        history.setdefault("step", []).append(self.step_count)
        for key, value in values.items():
            history.setdefault(key, []).append(value)
        if not protocol:
            self.latest_metrics = dict(values)
        return dict(values)

    def scored_samples(self, protocol: bool = False) -> dict[str, np.ndarray]:
        """The samples `evaluate(protocol)` scores, in the data's units: "samples" (G of the
        fixed evaluation z) and, for 2D data, "real" (the real points W1 and JSD use)."""
        self.flush()
        return self.observer.scored_samples(protocol)

    def reference(self, protocol: bool = False) -> dict[str, float]:
        """The real data's own values of the metrics, at the sample size `evaluate` uses
        (empty where the data kind has none: 2D metrics compare with real points directly)."""
        return self.observer.reference(protocol)

    def samples(self, n: int, seed: int = 0, label: int | None = None) -> np.ndarray:
        """n fresh samples of G from a seeded z, in the data's shape ((n, 2) or (n, 28, 28));
        `label`: all of that class (a conditional run's G), or of that categorical code value
        (an InfoGAN run's G); ValueError for another run."""
        if label is None:
            return self.observer.samples(n, seed)
        if self.cfg.cond == "none" and self.cfg.info_codes == "none":
            raise ValueError("label: this run is unconditional (cond='none'); its G takes no "
                             "class, so draw without one")
        return self.observer.samples(n, seed, label)

    def code_grid(self, seed: int = 0, cols: int = 10, sweep_code: int = 0) -> np.ndarray:
        """An InfoGAN run's figure from the z of `seed`: (10 cols, 28, 28), row k the
        categorical code's value k, the columns sweeping continuous code `sweep_code` from -2
        to 2 (infogan.grid_codes); ValueError for a run without codes."""
        if self.cfg.info_codes == "none":
            raise ValueError("this run has no InfoGAN codes (info_codes='none')")
        return self.observer.code_grid(seed, cols, sweep_code)
