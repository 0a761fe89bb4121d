"""The handle of one browser session's live work on the server's pool of worker processes
(pool.py): its place in the queue, its job parked between uses (checkpoint bytes, status, last
picture), its timeline (reel.py, fed as its host publishes) and a supervisor thread that, while
the session trains, loads the job on a host for a lease and parks it again when others wait,
the page pauses or nobody watches. A parked job's short commands run on the pool's quick host;
the clients (clients.py) give each job kind real methods. No Streamlit: pages draw `latest()`
on their own timer (why: `shared/notes/streamlit-live.md`).
"""
from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from playground.serve.commands import Table
from playground.serve.pool import Host, HostDied, Pool
from playground.serve.reel import Reel
from playground.serve.worker import Pace
from playground.speeds import FULL, Speed

__all__ = ["LiveProcess", "Pace", "Status"]
DEFAULT_PACE = Pace()
IDLE_INFO = {"working": False, "rate": math.nan, "status": "ok", "reason": "", "progress": 0,
             "threads": 0, "tag": ""}


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
    steps_cap: float = 0.0  # the host's cap on steps/s (the class pace; 0: none)


class LiveProcess:
    """One session's job on the pool. Public methods are called from script threads, one at
    a time; `latest()` also from fragment runs."""

    COMMANDS: ClassVar[Table]  # the job kind's commands (a client sets it: clients.py)
    YIELDS = True  # give the host up after a lease when others wait (a job that can park)
    KEEPS_PICTURES = True  # keep a timeline of the published pictures (reel.py)

    def __init__(self, build: Callable[[], Any], pool: Pool, pace: Pace = DEFAULT_PACE,
                 alive: Callable[[], bool] | None = None, name: str = "live"):
        self.pace, self._pool, self._alive = pace, pool, alive or (lambda: True)
        self._name = name
        self._ticket = uuid.uuid4().hex
        self.reel = Reel(self._ticket) if self.KEEPS_PICTURES else None
        # where the job is: parked here (`_parked`, with its last view and info) or loaded
        # in `_host` while the supervisor holds one. Commands and moves hold `_home`.
        self._home = threading.RLock()
        self._host: Host | None = None
        self._parked: dict | None = None
        self._view: Any = None
        self._info: dict = dict(IDLE_INFO)
        self._speed = FULL  # the page's speed row (speeds.py): slow motion or a steps/s cap
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
                            getattr(view, "device", info.get("device", "cpu")), slots.running(),
                            slots.capacity,
                            info.get("threads", 0), wait, self._pool.lease_s,
                            info.get("steps_per_s", 0.0))

    def call(self, method: Callable, *args, check: bool = True):
        """The job's command `method` (a row of COMMANDS, e.g. `RunJob.update`), where the job
        is: its host while it trains, else its parked data (a read that needs no host) or the
        quick host. A refused one raises ValueError (unless `check` is False)."""
        command = self.COMMANDS.of(method)  # not a command of this job: refused here
        try:
            with self._home:
                if self._host is not None:
                    return self._host.call("job", command.name, *args, check=check)
                if command.parked is not None and self._parked is not None:
                    return command.parked(self._parked, *args)
                return self._quick(("restore", self._parked), [(command.name, args)],
                                   check)[0]
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
            self._attach(host, self.reel)
            host.call("load", "restore", self._parked, self.pace, self._ticket, self._speed,
                      True)  # and start: its next picture comes a snapshot period later
            with host.link.lock:
                self._started_at = host.link.published
            self._host = host
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
                self._detach(host, self.reel)
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
                self._detach(host, self.reel)
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
        parked one), run job `commands` there and park it back here, in one round trip. A
        refused load or command raises ValueError and leaves the parked job as it was (a
        refused command with `check` False: its reason is its payload; one that failed
        unexpectedly left the host's job at its parked state, which stays)."""
        try:
            with self._home, self._pool.quick() as host:
                # a built job starts a timeline of its own, kept only if it is built
                reel = Reel(self._ticket) if load[0] == "build" and self.reel else self.reel
                self._attach(host, reel)
                try:
                    payloads, parked = host.call("visit", *load, self.pace, self._ticket,
                                                 commands, check)
                except ValueError as e:
                    if check or load[0] == "build":
                        raise
                    payloads, parked = [str(e)] * len(commands), self._parked
                finally:
                    self._detach(host, reel)
                with host.link.lock:
                    view, info = host.link.view, dict(host.link.info)
        except HostDied as e:
            raise ValueError(self._died(e)) from None
        self._parked, self._view, self._info, self.reel = parked, view, info, reel
        return payloads

    def _attach(self, host: Host, reel: Reel | None) -> None:
        """Keep the pictures `host` publishes for this job in `reel` (None: none kept)."""
        if reel is not None:
            host.ensure()
            with host.link.lock:
                host.link.sink = reel

    def _detach(self, host: Host, reel: Reel | None) -> None:
        link = host.link
        if reel is not None and link is not None:
            with link.lock:
                if link.sink is reel:
                    link.sink = None

    def set_speed(self, speed: Speed) -> None:
        """A row of `speeds.SPEEDS`: steps per picture (1 = slow motion, every step shown)
        or, by time, at most its steps/s (the class pace; FULL has no cap)."""
        with self._home:
            self._speed = speed
            if self._host is not None:
                self._host.call("speed", self._speed)

    # ---- the timeline (kept here: scrubbing and exports need no host) ------------------------
    def timeline(self) -> list[int]:
        """Steps of the pictures kept for scrubbing back (oldest first)."""
        return self.reel.steps() if self.reel is not None else []

    def timeline_at(self, step: int):
        """The kept picture at `step` (or the last one before it)."""
        return self.reel.at(int(step)) if self.reel is not None else None

    def timeline_frames(self) -> list[tuple[int, Any]]:
        """Every kept (step, picture), oldest first: the exports' frames (the MNIST GIF)."""
        return self.reel.frames() if self.reel is not None else []
