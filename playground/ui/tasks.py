"""What a live child process can own (see worker.py): a training run, or a page's theory work.

A job advances in slices (`advance(seconds, max_steps)`), shows itself as a picklable numpy
view (`observe`), reports `status` ("ok", "diverged" or "done"), `reason` and `progress` (a
counter for the rate readout), and answers `do_<command>` calls. Built in the child from a
picklable factory (`functools.partial(RunJob, cfg, points)`), so no torch state crosses the pipe.
"""
from __future__ import annotations

import math

import numpy as np

from .. import checkpoint
from ..config import RunConfig
from ..lockstep import Lockstep
from ..run import Diverged, Run
from ..theory import tasks as theory_tasks
from ..timeline import Timeline

STEP_KINDS = ("both", "d", "g")


class RunJob:
    """One `Run`: a lab's training, its manual steps, live changes, reset and load, and the
    timeline of its pictures for scrubbing back."""

    READ_ONLY = frozenset({"histories", "checkpoint", "timeline", "timeline_at"})

    def __init__(self, cfg: RunConfig, points: np.ndarray | None = None):
        self.run = Run(cfg, points)
        self.timeline = Timeline()

    @property
    def status(self) -> str:
        return self.run.status

    @property
    def reason(self) -> str:
        return self.run.reason

    @property
    def progress(self) -> int:
        return self.run.step_count

    def advance(self, seconds: float, max_steps: int) -> int:
        return self.run.train_for(seconds, max_steps)

    def observe(self, with_metrics: bool):
        snap = self.run.snapshot(with_metrics=with_metrics)
        self.timeline.offer(snap.step, snap)
        return snap

    # ---- commands ------------------------------------------------------------------------
    def do_timeline(self) -> list[int]:
        """The steps whose pictures are kept (oldest first)."""
        return self.timeline.steps

    def do_timeline_at(self, step: int):
        return self.timeline.at(step)

    def do_step(self, kind: str) -> None:
        if kind not in STEP_KINDS:
            raise ValueError(f"unknown step kind {kind!r}; valid: {', '.join(STEP_KINDS)}")
        try:
            {"both": self.run.step, "d": self.run.step_d, "g": self.run.step_g}[kind]()
        except Diverged as e:
            raise ValueError(str(e)) from None

    def do_update(self, cfg: RunConfig) -> None:
        self.run.update_config(cfg)

    def do_reset(self, cfg: RunConfig, points: np.ndarray | None) -> None:
        self.run = Run(cfg, points)  # raises ValueError before the old run is replaced

    def do_load(self, path: str, sha256: str | None = None,
                kind: str | None = None) -> RunConfig:
        """Replace the run by a saved one (a checkpoint carries its config); a bad file raises
        CheckpointError, a ValueError, before the old run is replaced."""
        self.run = checkpoint.load(path, expected_sha256=sha256, kind=kind)
        return self.run.cfg

    def do_checkpoint(self) -> bytes:
        """This run as checkpoint bytes (the page's download; `sample` and the latent
        explorer load it)."""
        import io

        import torch
        buf = io.BytesIO()
        torch.save(checkpoint.state_of(self.run), buf)
        return buf.getvalue()

    def do_histories(self) -> tuple[dict, dict]:
        self.run.flush()
        return ({k: list(v) for k, v in self.run.history.items()},
                {k: list(v) for k, v in self.run.metric_history.items()})


class CompareJob:
    """A comparison (lockstep.Lockstep): 2-4 runs in lockstep in one process and one slot,
    with a timeline of their side-by-side pictures."""

    READ_ONLY = frozenset({"histories", "timeline", "timeline_at"})

    def __init__(self, cfgs: list[RunConfig], labels: list[str], eval_every: int):
        self.lock = Lockstep(cfgs, labels, eval_every)
        self.timeline = Timeline()

    @property
    def status(self) -> str:
        return self.lock.status

    @property
    def reason(self) -> str:
        return self.lock.reason

    @property
    def progress(self) -> int:
        return self.lock.progress

    def advance(self, seconds: float, max_steps: int) -> int:
        return self.lock.advance(seconds, max_steps)

    def observe(self, with_metrics: bool):
        snap = self.lock.observe()
        self.timeline.offer(snap.step, snap)
        return snap

    def do_step(self, kind: str = "both") -> None:
        self.lock.advance(3600.0, 1)

    def do_histories(self) -> dict[str, tuple[dict, dict]]:
        out = {}
        for label, run in zip(self.lock.labels, self.lock.runs, strict=True):
            run.flush()
            out[label] = ({k: list(v) for k, v in run.history.items()},
                          {k: list(v) for k, v in run.metric_history.items()})
        return out

    def do_timeline(self) -> list[int]:
        return self.timeline.steps

    def do_timeline_at(self, step: int):
        return self.timeline.at(step)


class TheoryJob:
    """The theory page's long work: named tasks (estimate table, theta race, saturation fit,
    EM-vs-JS comparison), advanced round-robin, one slice each, until all are done."""

    READ_ONLY = frozenset({"views"})

    def __init__(self):
        self.tasks: dict[str, theory_tasks.Task] = {}
        self.units = 0  # slices done (the rate readout counts these)
        self._turn = 0

    @property
    def status(self) -> str:
        return "ok" if any(not t.done for t in self.tasks.values()) else "done"

    @property
    def reason(self) -> str:
        return ""

    @property
    def progress(self) -> int:
        return self.units

    def advance(self, seconds: float, max_steps: int) -> int:
        busy = [t for t in self.tasks.values() if not t.done]
        if not busy:
            return 0
        task = busy[self._turn % len(busy)]
        self._turn += 1
        task.advance(seconds if math.isfinite(seconds) else 1.0)
        self.units += 1
        return 1

    def observe(self, with_metrics: bool) -> dict:
        return {name: task.view() for name, task in self.tasks.items()}

    def do_submit(self, name: str, spec: dict) -> None:
        """Replace task `name` by a new one built from `spec` (theory.tasks.build)."""
        self.tasks[name] = theory_tasks.build(spec)

    def do_drop(self, name: str) -> None:
        self.tasks.pop(name, None)

    def do_views(self) -> dict:
        return self.observe(False)
