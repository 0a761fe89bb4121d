"""Live work for one browser session: a child process that owns a job (worker.py, tasks.py), a
receiver thread that keeps its newest view (process.py), and a supervisor thread that holds a
slot of the server-wide job cap while the job works and stops it when nobody watches.

Nothing here imports Streamlit: pages draw whatever `latest()` returns on their own timer.
Why a timer-driven page instead of a loop in the script: `shared/notes/streamlit-live.md`.
"""
from __future__ import annotations

import functools
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import RunConfig
from ..datasets import kind_of
from . import process, worker
from .jobs import JobSlots
from .tasks import STEP_KINDS, CompareJob, RunJob, TheoryJob
from .worker import Pace

__all__ = ["Comparer", "LiveProcess", "Pace", "Status", "TheoryWorker", "Trainer"]
DEFAULT_PACE = Pace()
# An image run's picture costs ~33 ms (22 ms of it the classifier labelling 64 digits) and an
# evaluation ~0.25 s (300 fakes through G and the classifier), during which no picture is
# made (measured on one thread). 4 pictures a second and an evaluation every 5 s: in Chromium
# on the same 2 cores the grid showed 3.0 new pictures a second while training kept 72% of
# its headless speed (3.6/s: 2.7 shown, 73%; evaluations every 4 s: 67%).
IMAGE_PACE = Pace(snapshot_hz=4.0, metrics_hz=0.2)
THEORY_PACE = Pace(slice_s=0.4, snapshot_hz=2.0)  # theory slices are coarse (~2 s an estimate)


def pace_for(cfg: RunConfig) -> Pace:
    return IMAGE_PACE if kind_of(cfg.dataset) == "image" else DEFAULT_PACE


@dataclass(frozen=True)
class Status:
    state: str  # "paused" | "queued" | "starting" | "training" | "diverged" | "stopped" | "done"
    step: int  # the job's progress counter (a run's step)
    steps_per_s: float  # measured in the child; NaN when not working
    queue_position: int | None  # jobs queued ahead of this one while queued
    message: str  # why work stopped by itself ("" otherwise)
    device: str
    running_jobs: int = 0  # jobs holding a slot now (for the queue message)
    capacity: int = 1  # the server's cap on simultaneous jobs
    threads: int = 0  # torch threads in the child (0 = not reported yet)


class LiveProcess:
    """One session's child process running a job. Public methods are called from script
    threads, one at a time; `latest()` also from fragment runs."""

    def __init__(self, build: Callable[[], Any], slots: JobSlots, pace: Pace = DEFAULT_PACE,
                 alive: Callable[[], bool] | None = None, name: str = "live"):
        self.pace, self._slots, self._alive = pace, slots, alive or (lambda: True)
        self._name = name
        self._ticket = uuid.uuid4().hex
        self._seq = 0
        self._rpc = threading.Lock()  # one command in flight at a time
        self._state, self._message = "paused", ""
        self._last_read = time.monotonic()
        self._gone_since: float | None = None
        self._stop = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._started_at = 0  # views published when work last started ("starting" until more)
        self._spawn(build)

    def _spawn(self, build: Callable[[], Any]) -> None:
        """Start the child for `build`; raises ValueError if the job cannot be built."""
        self._process, self._link, self._finalizer = process.start(
            worker.serve, (build, self.pace), self, self._name)
        if not self._wait(lambda: self._link.published or self._link.fatal, 120):
            raise RuntimeError("the training process did not start within 120 s")
        if self._link.fatal:
            self._finalizer()
            raise ValueError(self._link.fatal)

    def _respawn(self, build: Callable[[], Any]) -> None:
        """The process ended (an error): close what is left and start a new one."""
        self._finalizer()
        self._spawn(build)

    # ---- reading (the page's timer) ---------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._supervisor is not None and self._supervisor.is_alive()

    def touch(self) -> None:
        """Someone is watching (a follower's read counts as much as the owner's)."""
        self._last_read = time.monotonic()

    def latest(self) -> tuple[Any, Status]:
        """The newest view and status; also asks the process for the next view."""
        self.touch()
        link = self._link
        with link.lock:
            view, info, fatal, published = link.view, dict(link.info), link.fatal, link.published
        if link.alive and self.running:
            self._send("want")
        state, message = self._state, self._message
        if fatal or not link.alive:
            state, message = "stopped", fatal or "the training process ended"
        elif info["status"] == "diverged":
            state, message = "diverged", info["reason"]
        elif state == "training" and published <= self._started_at:
            state = "starting"  # working, but nothing new to show yet (e.g. a heavy first step)
        elif state == "paused" and info["status"] == "done":
            state = "done"
        queued = self._slots.position(self._ticket) if state == "queued" else None
        rate = info["rate"] if state == "training" else math.nan
        return view, Status(state, info["progress"], rate, queued, message,
                            getattr(view, "device", "cpu"), self._slots.running(),
                            self._slots.capacity, info.get("threads", 0))

    def call(self, name: str, *args, check: bool = True):
        """A command of the job (`job.do_<name>`); a refused one raises ValueError."""
        return self._call("job", name, *args, check=check)

    # ---- control (script threads) -----------------------------------------------------------
    def start(self) -> None:
        info = self._link.info
        if self.running or not self._link.alive or info["status"] != "ok":
            return  # a diverged run resumes only after a settings change; a done job stays
        self._stop = threading.Event()
        self._last_read, self._gone_since = time.monotonic(), None
        self._state, self._message = "queued", ""
        self._supervisor = threading.Thread(target=self._supervise, args=(self._stop,),
                                            daemon=True, name=f"{self._name}-supervise")
        self._supervisor.start()

    def pause(self) -> None:
        """Stop working (within one slice) and show the exact paused state."""
        if self._supervisor is not None:
            self._stop.set()
            self._supervisor.join(timeout=60)
            self._supervisor = None
        if self._state in ("training", "queued"):
            self._state, self._message = "paused", ""

    def close(self) -> None:
        self.pause()
        self._finalizer()

    # ---- the supervisor: job slot, lease, watchers --------------------------------------------
    def _supervise(self, stop: threading.Event) -> None:
        while not stop.is_set() and self._link.alive:
            self._state = "queued"
            if not self._slots.acquire(self._ticket, timeout=0.2):
                self._watch(stop)
                continue
            try:
                with self._link.lock:
                    self._started_at = self._link.published
                self._call("start")
                self._state = "training"
                start = time.monotonic()
                while not stop.wait(0.1):
                    if self._link.info["status"] != "ok" or not self._link.alive:
                        stop.set()
                        break
                    self._watch(stop)
                    if time.monotonic() - start > self.pace.lease_s and self._slots.waiting():
                        break  # let a queued session work; we rejoin the back of the queue
            finally:
                if self._link.alive:
                    self._call("pause", check=False)
                self._slots.release(self._ticket)
        if self._state in ("training", "queued"):
            self._state = "paused"

    def _watch(self, stop: threading.Event) -> None:
        now = time.monotonic()
        if now - self._last_read > self.pace.idle_s:
            self._halt(stop, f"paused: no page has watched this run for {self.pace.idle_s:.0f} s")
        elif not self._alive():
            self._gone_since = self._gone_since or now
            if now - self._gone_since > self.pace.grace_s:
                self._halt(stop, "paused: the browser tab was closed")
        else:
            self._gone_since = None

    def _halt(self, stop: threading.Event, message: str) -> None:
        stop.set()
        self._state, self._message = "stopped", message

    # ---- the pipe ---------------------------------------------------------------------------
    def _send(self, kind: str, *args) -> None:
        try:
            self._link.conn.send((kind, 0, *args))
        except (OSError, ValueError):
            pass  # the process is gone; latest() reports it

    def _call(self, kind: str, *args, check: bool = True, timeout: float = 120):
        """Send a loop command and wait for its reply; a refused command raises ValueError."""
        with self._rpc:
            self._seq += 1
            seq, link = self._seq, self._link
            try:
                link.conn.send((kind, seq, *args))
            except (OSError, ValueError):
                raise ValueError("the training process has stopped; press Reset") from None
            if not self._wait(lambda: seq in link.replies or not link.alive, timeout):
                raise ValueError(f"the training process did not answer {kind!r}")
            with link.lock:
                ok, payload = link.replies.pop(seq, (False, "the training process ended"))
        if not ok and check:
            raise ValueError(payload)
        return payload

    def _wait(self, predicate: Callable[[], object], timeout: float) -> bool:
        with self._link.lock:
            return self._link.lock.wait_for(predicate, timeout)


class Trainer(LiveProcess):
    """One session's `Run` (the labs): train, pause, step, live changes, reset and load."""

    def __init__(self, cfg: RunConfig, slots: JobSlots, points: np.ndarray | None = None,
                 pace: Pace | None = None, alive: Callable[[], bool] | None = None):
        self._cfg = cfg
        super().__init__(functools.partial(RunJob, cfg, points), slots, pace or pace_for(cfg),
                         alive, "lab-train")

    @property
    def cfg(self) -> RunConfig:
        return self._cfg

    def step(self, kind: str = "both") -> None:
        """One manual update: "both" (n_critic D + 1 G), "d" or "g". Pauses training first."""
        if kind not in STEP_KINDS:
            raise ValueError(f"unknown step kind {kind!r}; valid: {', '.join(STEP_KINDS)}")
        self.pause()
        self.call("step", kind, check=False)

    def set_speed(self, steps_per_frame: int) -> None:
        """Steps per picture: 0 = as fast as possible, 1 = slow motion (every step shown)."""
        self._call("speed", int(steps_per_frame))

    def update_config(self, cfg: RunConfig) -> None:
        """Apply a live change (same weights); raises ValueError if it needs a new run."""
        self.call("update", cfg)
        self._cfg = cfg

    def reset(self, cfg: RunConfig, points: np.ndarray | None = None) -> None:
        """A fresh run from `cfg`; keeps training if it was training."""
        was_running = self.running
        self.pause()
        if self._link.alive:
            self.call("reset", cfg, points)  # ValueError leaves the old run in place
        else:
            self._respawn(functools.partial(RunJob, cfg, points))
        self._cfg = cfg
        self._state, self._message = "paused", ""
        if was_running:
            self.start()

    def load(self, path: str, sha256: str | None = None, kind: str | None = None) -> RunConfig:
        """Replace the run by the checkpoint at `path`, paused; returns its config. A bad file
        (or one of another data `kind`, or not matching `sha256`) raises ValueError with the
        reason and leaves the current run as it was."""
        self.pause()
        if not self._link.alive:
            self._respawn(functools.partial(RunJob, self._cfg, None))  # a process to load into
        cfg = self.call("load", str(path), sha256, kind)
        self._cfg = cfg
        self._state, self._message = "paused", ""
        return cfg

    def histories(self) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
        """Copies of the run's full loss and metric histories (for the CSV export)."""
        return self.call("histories")

    def checkpoint(self) -> bytes:
        """The run as checkpoint bytes (loads with checkpoint.load, the CLI's `sample`)."""
        return self.call("checkpoint")

    def timeline(self) -> list[int]:
        """Steps of the pictures kept for scrubbing back (oldest first)."""
        return self.call("timeline")

    def timeline_at(self, step: int):
        """The kept picture at `step` (or the last one before it)."""
        return self.call("timeline_at", int(step))


class Comparer(LiveProcess):
    """A comparison's runs in lockstep (tasks.CompareJob): one process, one job slot."""

    def __init__(self, cfgs: list[RunConfig], labels: list[str], slots: JobSlots,
                 eval_every: int = 100, alive: Callable[[], bool] | None = None):
        self._cfg = cfgs[0]
        self.cfgs, self.labels = list(cfgs), list(labels)
        super().__init__(functools.partial(CompareJob, cfgs, labels, eval_every), slots,
                         pace_for(cfgs[0]), alive, "compare-train")

    @property
    def cfg(self) -> RunConfig:
        return self._cfg

    def step(self, kind: str = "both") -> None:
        self.pause()
        self.call("step", kind, check=False)

    def histories(self) -> dict[str, tuple[dict, dict]]:
        return self.call("histories")

    def timeline(self) -> list[int]:
        return self.call("timeline")

    def timeline_at(self, step: int):
        return self.call("timeline_at", int(step))


class TheoryWorker(LiveProcess):
    """The theory page's tasks (theory/tasks.py) in a child process: `submit` replaces a named
    task and starts working; the page draws `latest()[0][name]`."""

    def __init__(self, slots: JobSlots, pace: Pace = THEORY_PACE,
                 alive: Callable[[], bool] | None = None):
        super().__init__(TheoryJob, slots, pace, alive, "theory-work")

    def submit(self, name: str, spec: dict) -> None:
        """Replace task `name` (ValueError for bad parameters, nothing replaced) and work."""
        self.pause()
        self.call("submit", name, spec)
        self.start()
