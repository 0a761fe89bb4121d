"""The clients of the three job kinds (tasks.py): a session's handle on the pool (handle.py)
with real methods, each calling one row of its job's command table by the job's method
(`self.call(RunJob.update, cfg)`), so a reader or an IDE follows a page's slider through
`Trainer.update_config` to `RunJob.update` and on to `Run.update_config`.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from playground.config import RunConfig
from playground.data.datasets import kind_of
from playground.serve.handle import DEFAULT_PACE, LiveProcess, Pace
from playground.serve.pool import Pool
from playground.serve.tasks import STEP_KINDS, CompareJob, RunJob, TheoryJob

__all__ = ["Comparer", "Pace", "TheoryWorker", "Trainer", "pace_for"]

# An image run's picture costs ~33 ms (22 ms of it the classifier labelling 64 digits) and an
# evaluation ~0.25 s (300 fakes through G and the classifier), during which no picture is
# made (measured on one thread). 4 pictures a second and an evaluation every 5 s: in Chromium
# on the same 2 cores the grid showed 3.0 new pictures a second while training kept 72% of
# its headless speed (3.6/s: 2.7 shown, 73%; evaluations every 4 s: 67%).
IMAGE_PACE = Pace(snapshot_hz=4.0, metrics_hz=0.2)
THEORY_PACE = Pace(slice_s=0.4, snapshot_hz=2.0)  # coarse: a θ estimate is 1,500 updates


def pace_for(cfg: RunConfig) -> Pace:
    return IMAGE_PACE if kind_of(cfg.dataset) == "image" else DEFAULT_PACE


class Trainer(LiveProcess):
    """One session's `Run` (the labs): train, pause, step, live changes, reset and load."""

    COMMANDS = RunJob.COMMANDS

    def __init__(self, cfg: RunConfig, pool: Pool, points: np.ndarray | None = None,
                 pace: Pace | None = None, alive: Callable[[], bool] | None = None):
        self._cfg = cfg
        super().__init__(functools.partial(RunJob, cfg, points), pool, pace or pace_for(cfg),
                         alive, "lab-train")

    @property
    def cfg(self) -> RunConfig:
        return self._cfg

    def step(self, kind: str = "both") -> None:
        """One manual update: "both" (n_critic D + 1 G), "d" or "g". Pauses training first."""
        if kind not in STEP_KINDS:
            raise ValueError(f"unknown step kind {kind!r}; valid: {', '.join(STEP_KINDS)}")
        self.pause()
        self.call(RunJob.step, kind, check=False)

    def update_config(self, cfg: RunConfig) -> None:
        """Apply a live change (same weights); raises ValueError if it needs a new run."""
        self.call(RunJob.update, cfg)
        self._cfg = cfg

    def reset(self, cfg: RunConfig, points: np.ndarray | None = None) -> None:
        """A fresh run from `cfg` (ValueError leaves the old one); keeps training if it was
        training."""
        was_running = self.running
        self.pause()
        self._quick(("build", functools.partial(RunJob, cfg, points)), [])
        self._cfg = cfg
        self._state, self._message = "paused", ""
        if was_running:
            self.start()

    def load(self, path: str, sha256: str | None = None, kind: str | None = None) -> RunConfig:
        """Replace the run by the checkpoint at `path`, paused; returns its config. A bad file
        (or one of another data `kind`, or not matching `sha256`) raises ValueError with the
        reason and leaves the current run as it was."""
        self.pause()
        cfg = self.call(RunJob.load, str(path), sha256, kind)
        self._cfg = cfg
        self._state, self._message = "paused", ""
        return cfg

    def histories(self) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
        """Copies of the run's full loss and metric histories (for the CSV export)."""
        return self.call(RunJob.histories)

    def checkpoint(self) -> bytes:
        """The run as checkpoint bytes (loads with checkpoint.load, the CLI's `sample`)."""
        return self.call(RunJob.checkpoint)


class Comparer(LiveProcess):
    """A comparison's runs in lockstep (tasks.CompareJob): one job, one host while it
    trains."""

    COMMANDS = CompareJob.COMMANDS

    def __init__(self, cfgs: list[RunConfig], labels: list[str], pool: Pool,
                 eval_every: int = 100, alive: Callable[[], bool] | None = None):
        self._cfg = cfgs[0]
        self.cfgs, self.labels = list(cfgs), list(labels)
        super().__init__(functools.partial(CompareJob, cfgs, labels, eval_every), pool,
                         pace_for(cfgs[0]), alive, "compare-train")

    @property
    def cfg(self) -> RunConfig:
        return self._cfg

    def step(self, kind: str = "both") -> None:
        self.pause()
        self.call(CompareJob.step, kind, check=False)

    def histories(self) -> dict[str, tuple[dict, dict]]:
        return self.call(CompareJob.histories)


class TheoryWorker(LiveProcess):
    """The theory page's tasks (theory/tasks.py) on the pool: `submit` replaces a named task
    and works on; the page draws `latest()[0][name]`."""

    # Its tasks hold samplers and optimisers mid-way, so it keeps its host until they are
    # done (seconds to a minute each) rather than parking every lease.
    YIELDS = False
    KEEPS_PICTURES = False  # its views are the tasks' latest results, not a run's history
    COMMANDS = TheoryJob.COMMANDS

    def __init__(self, pool: Pool, pace: Pace = THEORY_PACE,
                 alive: Callable[[], bool] | None = None):
        super().__init__(TheoryJob, pool, pace, alive, "theory-work")

    def submit(self, name: str, spec: dict) -> None:
        """Replace task `name` (ValueError for bad parameters, nothing replaced) and work."""
        self.call(TheoryJob.submit, name, spec)
        self.start()
