"""Live work for one browser session, on the server's shared pool of worker processes
(pool.py): the session keeps its job parked (checkpoint bytes, its timeline, its last picture)
and a supervisor thread, while the session trains, takes a host from the pool, loads the job
there, lets it work for a lease and parks it again when someone else waits, the page pauses or
nobody watches. Short commands of a parked job (a Step, a live change, a reset) run on the
pool's quick host. A session that waits, is paused or has only opened a page holds no process.

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

from playground.config import RunConfig
from playground.data.datasets import kind_of
from playground.serve import tasks
from playground.serve.pool import Host, HostDied, Pool
from playground.serve.tasks import STEP_KINDS, CompareJob, RunJob, TheoryJob
from playground.serve.worker import Pace

__all__ = ["Comparer", "LiveProcess", "Pace", "Status", "TheoryWorker", "Trainer"]
DEFAULT_PACE = Pace()
# An image run's picture costs ~33 ms (22 ms of it the classifier labelling 64 digits) and an
# evaluation ~0.25 s (300 fakes through G and the classifier), during which no picture is
# made (measured on one thread). 4 pictures a second and an evaluation every 5 s: in Chromium
# on the same 2 cores the grid showed 3.0 new pictures a second while training kept 72% of
# its headless speed (3.6/s: 2.7 shown, 73%; evaluations every 4 s: 67%).
IMAGE_PACE = Pace(snapshot_hz=4.0, metrics_hz=0.2)
THEORY_PACE = Pace(slice_s=0.4, snapshot_hz=2.0)  # coarse: a θ estimate is 1,500 updates
IDLE_INFO = {"working": False, "rate": math.nan, "status": "ok", "reason": "", "progress": 0,
             "threads": 0, "tag": ""}


def pace_for(cfg: RunConfig) -> Pace:
    return IMAGE_PACE if kind_of(cfg.dataset) == "image" else DEFAULT_PACE


@dataclass(frozen=True)
class Status:
    state: str  # "paused" | "queued" | "starting" | "training" | "diverged" | "stopped" | "done"
    step: int  # the job's progress counter (a run's step)
    steps_per_s: float  # measured in the host; NaN when not working
    queue_position: int | None  # jobs queued ahead of this one while queued
    message: str  # why work stopped by itself ("" otherwise)
    device: str
    running_jobs: int = 0  # jobs holding a host now (for the queue message)
    capacity: int = 1  # the server's cap on simultaneous jobs
    threads: int = 0  # torch threads in the host (0 = not reported yet)
    wait_s: float = math.nan  # while queued: the longest wait before training starts
    lease_s: float = 10.0  # how long a job trains before it yields to a waiting one


class LiveProcess:
    """One session's job on the pool. Public methods are called from script threads, one at
    a time; `latest()` also from fragment runs."""

    YIELDS = True  # give the host up after a lease when others wait (a job that can park)

    def __init__(self, build: Callable[[], Any], pool: Pool, pace: Pace = DEFAULT_PACE,
                 alive: Callable[[], bool] | None = None, name: str = "live"):
        self.pace, self._pool, self._alive = pace, pool, alive or (lambda: True)
        self._name = name
        self._ticket = uuid.uuid4().hex
        # where the job is: parked here (`_parked`, with its last view and info) or loaded
        # in `_host` while the supervisor holds one. Commands and moves hold `_home`.
        self._home = threading.RLock()
        self._host: Host | None = None
        self._parked: dict | None = None
        self._view: Any = None
        self._info: dict = dict(IDLE_INFO)
        self._speed = 0
        self._state, self._message = "paused", ""
        self._last_read = time.monotonic()
        self._gone_since: float | None = None
        self._stop = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._started_at = 0  # views published when work last started ("starting" until more)
        self._quick(("build", build), [])  # raises ValueError if the job cannot be built

    # ---- reading (the page's timer) ---------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._supervisor is not None and self._supervisor.is_alive()

    def touch(self) -> None:
        """Someone is watching (a follower's read counts as much as the owner's)."""
        self._last_read = time.monotonic()

    def latest(self) -> tuple[Any, Status]:
        """The newest view and status; while training, also asks the host for the next view."""
        self.touch()
        view, info, fresh = self._view, self._info, False
        host = self._host
        link = host.link if host is not None else None
        if link is not None:
            with link.lock:  # the host's view is ours only while it carries our ticket
                if link.info.get("tag") == self._ticket:
                    view, info = link.view, dict(link.info)
                    fresh = link.published > self._started_at
            host.send("want")
        state, message = self._state, self._message
        if info["status"] == "diverged" and state != "queued":
            state, message = "diverged", info["reason"]
        elif state == "training" and not fresh:
            state = "starting"  # working, but nothing new to show yet (e.g. a heavy first step)
        elif state == "paused" and info["status"] == "done":
            state = "done"
        slots = self._pool.slots
        queued = slots.position(self._ticket) if state == "queued" else None
        rate = info["rate"] if state == "training" else math.nan
        wait = self._pool.wait_estimate(queued) if queued is not None else math.nan
        return view, Status(state, info["progress"], rate, queued, message,
                            getattr(view, "device", "cpu"), slots.running(), slots.capacity,
                            info.get("threads", 0), wait, self._pool.lease_s)

    def call(self, name: str, *args, check: bool = True):
        """A command of the job (`job.do_<name>`), where the job is: its host while it trains,
        else the quick host. A refused one raises ValueError (unless `check` is False)."""
        try:
            with self._home:
                if self._host is not None:
                    return self._host.call("job", name, *args, check=check)
                if tasks.answers_parked(self._parked, name):  # a read: no host needed
                    return tasks.read_parked(self._parked, name, *args)
                return self._quick(("restore", self._parked), [(name, args)], check)[0]
        except HostDied as e:
            raise ValueError(self._died(e)) from None

    # ---- control (script threads) -----------------------------------------------------------
    def start(self) -> None:
        if self.running and not self._stop.is_set():
            return
        self.pause()  # a supervisor on its way out (its job ran out of work) finishes first
        if self._info["status"] != "ok":
            return  # a diverged run resumes only after a settings change; a done job stays
        self._stop = threading.Event()
        self._last_read, self._gone_since = time.monotonic(), None
        self._state, self._message = "queued", ""
        self._supervisor = threading.Thread(target=self._supervise, args=(self._stop,),
                                            daemon=True, name=f"{self._name}-supervise")
        self._supervisor.start()

    def pause(self) -> None:
        """Stop working (within one slice), park the job and show its exact paused state."""
        if self._supervisor is not None:
            self._stop.set()
            self._supervisor.join(timeout=120)
            self._supervisor = None
        if self._state in ("training", "queued"):
            self._state, self._message = "paused", ""

    def close(self) -> None:
        self.pause()
        self._pool.release(self._ticket)
        self._parked = None

    # ---- the supervisor: a host from the pool, the lease, the watchers -----------------------
    def _supervise(self, stop: threading.Event) -> None:
        pool = self._pool
        try:
            while not stop.is_set():
                self._state = "queued"
                try:
                    host = pool.acquire(self._ticket, timeout=0.2)
                except HostDied as e:  # no process could be started (the server is stopping)
                    self._halt(stop, f"paused: no worker process could be started ({e})")
                    break
                if host is None:
                    self._watch(stop)
                    continue
                self._state = "training"  # "starting" until the host shows a new picture
                try:
                    self._train_on(host, stop)
                except HostDied as e:
                    self._halt(stop, self._died(e))
                except ValueError as e:  # the job could not be loaded: say why, stay parked
                    self._halt(stop, f"could not resume the run: {e}")
                finally:
                    self._move_out(host)
                    pool.release(self._ticket)
        finally:
            pool.release(self._ticket)  # a place in the queue too (a tab closed while queued)
            if self._state in ("training", "queued"):
                self._state = "paused"

    def _train_on(self, host: Host, stop: threading.Event) -> None:
        """Load the job in `host` and let it work until stopped or (when others wait) the
        lease ends."""
        with self._home:
            host.call("load", "restore", self._parked, self.pace, self._ticket, self._speed)
            with host.link.lock:
                self._started_at = host.link.published
            self._host = host
            host.call("start")
        start, lease = time.monotonic(), self._pool.lease_s
        while not stop.wait(0.1):
            if not host.alive:
                raise HostDied(host.link.fatal or "the worker process ended")
            failure = host.link.info.get("failure")  # a slice failed; the host rolled it back
            if failure and host.link.info.get("tag") == self._ticket:
                self._halt(stop, failure)
                return
            if host.link.info.get("status") != "ok":
                with self._home:  # a stale view may say "done" just as a command added work
                    if host.call("status") != "ok":
                        stop.set()
                        return
            self._watch(stop)
            if (self.YIELDS and time.monotonic() - start > lease
                    and self._pool.slots.waiting()):
                return  # let a queued session work; we rejoin the back of the queue

    def _move_out(self, host: Host) -> None:
        """Pause and park the job that `host` holds (nothing if the host died)."""
        with self._home:
            if self._host is not host:
                return  # it never got loaded
            try:
                host.call("pause")
                parked = host.call("park")
                link = host.link
                with link.lock:
                    self._view, self._info = link.view, dict(link.info)
                self._parked = parked
            except (HostDied, ValueError) as e:
                self._state, self._message = "stopped", self._died(e)
            finally:
                self._host = None

    def _died(self, error: Exception) -> str:
        """What the page says when a host died under this job (the pool restarts it)."""
        return (f"The worker process stopped ({error}); a new one was started. The run is "
                f"back where it was last paused, at step {self._info['progress']}: press "
                "Train to go on.")

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

    # ---- the quick host -----------------------------------------------------------------------
    def _quick(self, load: tuple[str, Any], commands: list[tuple[str, tuple]],
               check: bool = True) -> list:
        """Load the job on the pool's quick host ("build" from a factory or "restore" the
        parked one), run job `commands` there and park it back here. A refused load or
        command raises ValueError and leaves the parked job as it was."""
        try:
            with self._home, self._pool.quick() as host:
                host.call("load", *load, self.pace, self._ticket)
                payloads = [host.call("job", name, *args, check=check)
                            for name, args in commands]
                parked = host.call("park")
                with host.link.lock:
                    view, info = host.link.view, dict(host.link.info)
        except HostDied as e:
            raise ValueError(self._died(e)) from None
        self._parked, self._view, self._info = parked, view, info
        return payloads

    def _set_speed(self, steps_per_frame: int) -> None:
        with self._home:
            self._speed = int(steps_per_frame)
            if self._host is not None:
                self._host.call("speed", self._speed)


class Trainer(LiveProcess):
    """One session's `Run` (the labs): train, pause, step, live changes, reset and load."""

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
        self.call("step", kind, check=False)

    def set_speed(self, steps_per_frame: int) -> None:
        """Steps per picture: 0 = as fast as possible, 1 = slow motion (every step shown)."""
        self._set_speed(steps_per_frame)

    def update_config(self, cfg: RunConfig) -> None:
        """Apply a live change (same weights); raises ValueError if it needs a new run."""
        self.call("update", cfg)
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
    """A comparison's runs in lockstep (tasks.CompareJob): one job, one host while it
    trains."""

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
        self.call("step", kind, check=False)

    def histories(self) -> dict[str, tuple[dict, dict]]:
        return self.call("histories")

    def timeline(self) -> list[int]:
        return self.call("timeline")

    def timeline_at(self, step: int):
        return self.call("timeline_at", int(step))


class TheoryWorker(LiveProcess):
    """The theory page's tasks (theory/tasks.py) on the pool: `submit` replaces a named task
    and works on; the page draws `latest()[0][name]`."""

    # Its tasks hold samplers and optimisers mid-way, so it keeps its host until they are
    # done (seconds to a minute each) rather than parking every lease.
    YIELDS = False

    def __init__(self, pool: Pool, pace: Pace = THEORY_PACE,
                 alive: Callable[[], bool] | None = None):
        super().__init__(TheoryJob, pool, pace, alive, "theory-work")

    def submit(self, name: str, spec: dict) -> None:
        """Replace task `name` (ValueError for bad parameters, nothing replaced) and work."""
        self.call("submit", name, spec)
        self.start()
