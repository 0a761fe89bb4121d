"""What a pool host (worker.py) can run: a training run, a comparison, or a page's theory work.

A job advances in slices (`advance(seconds, max_steps)`), shows itself as a picklable numpy
view (`observe`), reports `status` ("ok", "diverged" or "done"), `reason` and `progress` (a
counter for the rate readout), and answers the commands of its table (`COMMANDS`, one row per
command: commands.py). It is built in a host from a picklable factory
(`functools.partial(RunJob, cfg, points)`), and between uses it is parked: `park()` gives
plain data (checkpoint bytes and status, a theory page's finished views) that `restore` turns
back into the same job, so the server can keep a waiting session's run without a process. A
restored run continues exactly where it stopped (weights, optimiser moments, random streams,
step, histories). The pictures a job shows are kept in the server, not here: each session's
handle keeps its own timeline of them (reel.py), so parking ships no pictures.
"""
from __future__ import annotations

import math

import numpy as np

from playground.config import RunConfig
from playground.engine.lockstep import Lockstep
from playground.engine.run import Diverged, Run
from playground.serve.commands import Command, Table
from playground.store import checkpoint
from playground.theory import tasks as theory_tasks

STEP_KINDS = ("both", "d", "g")


def _restore_run(state: bytes, status: tuple[str, str]) -> Run:
    run = checkpoint.from_state(checkpoint.state_from_bytes(state))
    run.status, run.reason = status  # a diverged run stays stopped (at its rollback point)
    return run


def _histories(state: bytes) -> tuple[dict, dict]:
    s = checkpoint.state_from_bytes(state)
    return ({k: list(v) for k, v in s.get("history", {}).items()},
            {k: list(v) for k, v in s.get("metric_history", {}).items()})


def _kind(parked: dict):
    kinds = {"run": RunJob, "compare": CompareJob, "theory": TheoryJob}
    if parked.get("job") not in kinds:
        raise ValueError(f"cannot restore a parked job of kind {parked.get('job')!r}")
    return kinds[parked["job"]]


def restore(parked: dict):
    """The job a `park()` gave back."""
    return _kind(parked).restore(parked)


def commands_of(job) -> Table:
    """The command table of a hosted job."""
    return type(job).COMMANDS


class _OneEngine:
    """A job that drives one engine object (`_engine()`), whose status ("ok", "diverged"),
    reason, progress, `advance` and `observe` are the job's. A Lockstep answers under these
    very names; a Run names three of them otherwise (RunJob says which)."""

    def _engine(self) -> Run | Lockstep:
        raise NotImplementedError

    @property
    def status(self) -> str:
        return self._engine().status

    @property
    def reason(self) -> str:
        return self._engine().reason

    @property
    def progress(self) -> int:
        return self._engine().progress

    def advance(self, seconds: float, max_steps: int) -> int:
        return self._engine().advance(seconds, max_steps)

    def observe(self, with_metrics: bool):
        return self._engine().observe(with_metrics)


class RunJob(_OneEngine):
    """One `Run`: a lab's training, its manual steps, live changes, reset and load."""

    COMMANDS: Table  # below the class: its rows name its methods

    def __init__(self, cfg: RunConfig, points: np.ndarray | None = None):
        self.run = Run(cfg, points)

    def _engine(self) -> Run:
        return self.run

    @property  # a Run's names for the job's progress, advance and observe
    def progress(self) -> int:
        return self.run.step_count

    def advance(self, seconds: float, max_steps: int) -> int:
        return self.run.train_for(seconds, max_steps)

    def observe(self, with_metrics: bool):
        return self.run.snapshot(with_metrics=with_metrics)

    def park(self) -> dict:
        """`state` is checkpoint bytes (the page's download serves it as it is)."""
        return {"job": "run", "state": checkpoint.to_bytes(self.run),
                "status": (self.run.status, self.run.reason)}

    @classmethod
    def restore(cls, parked: dict) -> RunJob:
        job = cls.__new__(cls)
        job.run = _restore_run(parked["state"], parked["status"])
        return job

    # ---- commands (RUN_COMMANDS) ----------------------------------------------------------
    def step(self, kind: str) -> None:
        if kind not in STEP_KINDS:
            raise ValueError(f"unknown step kind {kind!r}; valid: {', '.join(STEP_KINDS)}")
        try:
            {"both": self.run.step, "d": self.run.step_d, "g": self.run.step_g}[kind]()
        except Diverged as e:
            raise ValueError(str(e)) from None

    def update(self, cfg: RunConfig) -> None:
        self.run.update_config(cfg)

    def load(self, path: str, sha256: str | None = None,
                kind: str | None = None) -> RunConfig:
        """Replace the run by a saved one (a checkpoint carries its config); a bad file raises
        CheckpointError, a ValueError, before the old run is replaced."""
        self.run = checkpoint.load(path, expected_sha256=sha256, kind=kind)
        return self.run.cfg

    def checkpoint(self) -> bytes:
        """This run as checkpoint bytes (the page's download; `sample` and the latent
        explorer load it)."""
        return checkpoint.to_bytes(self.run)

    def histories(self) -> tuple[dict, dict]:
        self.run.flush()
        return ({k: list(v) for k, v in self.run.history.items()},
                {k: list(v) for k, v in self.run.metric_history.items()})


class CompareJob(_OneEngine):
    """A comparison (lockstep.Lockstep): 2-4 runs in lockstep in one process and one slot."""

    COMMANDS: Table  # below the class

    def __init__(self, cfgs: list[RunConfig], labels: list[str], eval_every: int):
        self.lock = Lockstep(cfgs, labels, eval_every)

    def _engine(self) -> Lockstep:
        return self.lock

    def step(self, kind: str = "both") -> None:
        self.lock.advance(3600.0, 1)

    def histories(self) -> dict[str, tuple[dict, dict]]:
        out = {}
        for label, run in zip(self.lock.labels, self.lock.runs, strict=True):
            run.flush()
            out[label] = ({k: list(v) for k, v in run.history.items()},
                          {k: list(v) for k, v in run.metric_history.items()})
        return out

    def park(self) -> dict:
        self.lock.sync()  # the batched path's weights and moments into the runs' own
        return {"job": "compare", "labels": self.lock.labels,
                "eval_every": self.lock.eval_every, "mode": self.lock.mode,
                "states": [checkpoint.to_bytes(r) for r in self.lock.runs],
                "statuses": [(r.status, r.reason) for r in self.lock.runs]}

    @classmethod
    def restore(cls, parked: dict) -> CompareJob:
        job = cls.__new__(cls)
        runs = [_restore_run(b, st) for b, st in zip(parked["states"], parked["statuses"],
                                                     strict=True)]
        job.lock = Lockstep.resume(runs, list(parked["labels"]), parked["eval_every"])
        return job


class TheoryJob:
    """The theory page's long work: named tasks (estimate table, theta race, saturation fit,
    EM-vs-JS comparison), advanced round-robin, one slice each, until all are done."""

    COMMANDS: Table  # below the class; no parked reads: unfinished tasks live in a host

    # Its tasks hold samplers and optimisers mid-way, so it is not parked while it works (it
    # keeps its host until its tasks are done: clients.TheoryWorker). Parked (paused, or after
    # a host died), a finished task keeps its view and an unfinished one its spec, so it
    # starts again from the beginning when the page trains again.

    def __init__(self):
        self.tasks: dict[str, theory_tasks.Task] = {}
        self.specs: dict[str, dict] = {}
        self.finished: dict[str, object] = {}  # views of tasks done before the last park
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
        return {**self.finished, **{name: task.view() for name, task in self.tasks.items()}}

    def submit(self, name: str, spec: dict) -> None:
        """Replace task `name` by a new one built from `spec` (theory.tasks.build)."""
        self.tasks[name] = theory_tasks.build(spec)
        self.specs[name] = dict(spec)
        self.finished.pop(name, None)

    def park(self) -> dict:
        done = {name: t.view() for name, t in self.tasks.items() if t.done}
        pending = {name: self.specs[name] for name, t in self.tasks.items() if not t.done}
        return {"job": "theory", "finished": {**self.finished, **done}, "pending": pending}

    @classmethod
    def restore(cls, parked: dict) -> TheoryJob:
        job = cls()
        job.finished = dict(parked["finished"])
        for name, spec in parked.get("pending", {}).items():
            job.submit(name, spec)
        return job



def _parked_histories(parked: dict) -> dict[str, tuple[dict, dict]]:
    return {label: _histories(state)
            for label, state in zip(parked["labels"], parked["states"], strict=True)}


# One table per job kind: the command, whether it is read-only, how a parked job answers it.
RunJob.COMMANDS = Table(
    Command(RunJob.step),
    Command(RunJob.update),
    Command(RunJob.load),
    Command(RunJob.checkpoint, read_only=True, parked=lambda p: p["state"]),
    Command(RunJob.histories, read_only=True, parked=lambda p: _histories(p["state"])),
)
CompareJob.COMMANDS = Table(
    Command(CompareJob.step),
    Command(CompareJob.histories, read_only=True, parked=_parked_histories),
)
TheoryJob.COMMANDS = Table(
    Command(TheoryJob.submit),
)
