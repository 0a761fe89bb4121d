"""Live training for one browser session: a child process that owns the `Run` (worker.py), a
receiver thread that keeps its newest snapshot, and a supervisor thread that holds a slot of
the server-wide job cap while training and stops when nobody watches.

Nothing here imports Streamlit: the page draws whatever `Trainer.latest()` returns on its own
timer. Why a process: see worker.py (the GIL). Why a timer-driven page instead of a loop in
the script: `shared/notes/streamlit-live.md`.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
import time
import types
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ..config import RunConfig
from ..snapshot import Snapshot
from . import worker
from .jobs import JobSlots


def torch_threads() -> int:
    """Intra-op torch threads per training process (PLAYGROUND_TORCH_THREADS, default 1): the
    page, the browser and other sessions share the cores, and two OpenMP threads on busy
    cores made steps many times slower here (see tests/conftest.py)."""
    text = os.environ.get("PLAYGROUND_TORCH_THREADS", "1").strip()
    return int(text) if text.isdigit() and int(text) > 0 else 1


def configure_torch_threads() -> int:
    n = torch_threads()
    torch.set_num_threads(n)
    return n


def _context() -> mp.context.BaseContext:
    # forkserver: children fork from a clean process that has imported the engine once, so a
    # new session's process starts in well under a second and never inherits server threads.
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["playground.ui.worker"])
        return ctx
    return mp.get_context("spawn")


@contextlib.contextmanager
def _bare_main():
    """Hide the running script from multiprocessing while a child starts. Streamlit runs each
    page as `__main__`, and multiprocessing would re-import `__main__` in the child (and in
    the fork server), i.e. run the app there. The child needs only `worker.serve`."""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


@dataclass(frozen=True)
class Pace:
    """How training is divided. Measured on a 2-core box with the page open in Chromium
    (1 torch thread): a picture costs the training process ~15-19 ms (D on the 100 x 100
    grid is most of it) and the metrics ~23 ms more, so 5 pictures and 1 evaluation a second
    take ~10% of its time."""
    slice_s: float = 0.05  # training between looks at the command pipe: Pause acts within it
    snapshot_hz: float = 5.0  # pictures per second at most (and only when the page took one)
    # W1 / JSD / coverage evaluations per second at most: the tiles and curves that show them
    # redraw every views.CURVES_S = 2 s, so 1/s keeps each redraw fresh.
    metrics_hz: float = 1.0
    lease_s: float = 10.0  # hold a job slot this long, then yield it if someone is queued
    idle_s: float = 180.0  # stop when no page has read a snapshot for this long
    grace_s: float = 10.0  # stop when the browser session has been gone this long


@dataclass(frozen=True)
class Status:
    state: str  # "paused" | "queued" | "training" | "diverged" | "stopped"
    step: int
    steps_per_s: float  # measured in the training process; NaN when not training
    queue_position: int | None  # jobs ahead of this one while queued
    message: str  # why training stopped by itself ("" otherwise)
    device: str


class _Link:
    """What the receiver thread and the caller share (no reference back to the Trainer, so
    an abandoned Trainer can be collected and its process closed)."""

    def __init__(self, conn):
        self.conn = conn
        self.lock = threading.Condition()
        self.snap: Snapshot | None = None
        self.info: dict = {"training": False, "steps_per_s": float("nan")}
        self.replies: dict[int, tuple[bool, object]] = {}
        self.fatal = ""
        self.alive = True


def _receive(link: _Link) -> None:
    try:
        while True:
            msg = link.conn.recv()
            with link.lock:
                if msg[0] == "pub":
                    link.snap, link.info = msg[1], msg[2]
                elif msg[0] == "reply":
                    link.replies[msg[1]] = (msg[2], msg[3])
                elif msg[0] == "fatal":
                    link.fatal = msg[1]
                link.lock.notify_all()
    except (EOFError, OSError):
        pass
    finally:
        with link.lock:
            link.alive = False
            link.lock.notify_all()


def _shutdown(conn, process) -> None:
    try:
        conn.send(("close", 0))
    except (OSError, ValueError):
        pass
    process.join(timeout=5)
    if process.is_alive():
        process.kill()


class Trainer:
    """One session's run. Public methods are called from script threads, one at a time."""

    def __init__(self, cfg: RunConfig, slots: JobSlots, points: np.ndarray | None = None,
                 pace: Pace = Pace(), alive: Callable[[], bool] | None = None):
        self.pace, self._slots, self._alive = pace, slots, alive or (lambda: True)
        self._ticket = uuid.uuid4().hex
        self._cfg = cfg
        self._seq = 0
        self._rpc = threading.Lock()  # one command in flight at a time
        self._state, self._message = "paused", ""
        self._last_read = time.monotonic()
        self._gone_since: float | None = None
        self._stop = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._spawn(cfg, points)

    def _spawn(self, cfg: RunConfig, points: np.ndarray | None) -> None:
        """Start the training process for `cfg`; raises ValueError if the run cannot be built."""
        pace = self.pace
        ours, theirs = mp.Pipe()
        self._process = _context().Process(
            target=worker.serve, daemon=True, name="lab2d-train",
            args=(theirs, cfg, points, pace.slice_s, pace.snapshot_hz, pace.metrics_hz,
                  torch_threads()))
        with _bare_main():
            self._process.start()
        theirs.close()
        self._link = _Link(ours)
        threading.Thread(target=_receive, args=(self._link,), daemon=True,
                         name="lab2d-receive").start()
        self._finalizer = weakref.finalize(self, _shutdown, ours, self._process)
        if not self._wait(lambda: self._link.snap is not None or self._link.fatal, 120):
            raise RuntimeError("the training process did not start within 120 s")
        if self._link.fatal:
            self._finalizer()
            raise ValueError(self._link.fatal)

    # ---- reading (the page's timer) ---------------------------------------------------------
    @property
    def cfg(self) -> RunConfig:
        return self._cfg

    @property
    def running(self) -> bool:
        return self._supervisor is not None and self._supervisor.is_alive()

    def latest(self) -> tuple[Snapshot | None, Status]:
        """The newest snapshot and status; also asks the process for the next picture."""
        self._last_read = time.monotonic()
        link = self._link
        with link.lock:
            snap, info, fatal = link.snap, dict(link.info), link.fatal
        if link.alive and self.running:
            self._send("want")
        state, message = self._state, self._message
        if fatal or not link.alive:
            state, message = "stopped", fatal or "the training process ended"
        elif snap is not None and snap.status == "diverged":
            state, message = "diverged", snap.reason
        queued = self._slots.position(self._ticket) if state == "queued" else None
        rate = info["steps_per_s"] if state == "training" else float("nan")
        return snap, Status(state, snap.step if snap else 0, rate, queued, message,
                            snap.device if snap else "cpu")

    def histories(self) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
        """Copies of the run's full loss and metric histories (for the CSV export)."""
        return self._call("histories")

    # ---- control (script threads) -----------------------------------------------------------
    def start(self) -> None:
        snap = self._link.snap
        if self.running or not self._link.alive or (snap is not None
                                                     and snap.status == "diverged"):
            return  # a diverged run resumes only after a settings change (update_config)
        self._stop = threading.Event()
        self._last_read, self._gone_since = time.monotonic(), None
        self._state, self._message = "queued", ""
        self._supervisor = threading.Thread(target=self._supervise, args=(self._stop,),
                                            daemon=True, name="lab2d-supervise")
        self._supervisor.start()

    def pause(self) -> None:
        """Stop training (within one slice) and show the exact paused state."""
        if self._supervisor is not None:
            self._stop.set()
            self._supervisor.join(timeout=60)
            self._supervisor = None
        if self._state in ("training", "queued"):
            self._state, self._message = "paused", ""

    def step(self, kind: str = "both") -> None:
        """One manual update: "both" (n_critic D + 1 G), "d" or "g". Pauses training first."""
        if kind not in worker.UPDATES:
            raise ValueError(f"unknown step kind {kind!r}; valid: {', '.join(worker.UPDATES)}")
        self.pause()
        self._call("step", kind, check=False)

    def update_config(self, cfg: RunConfig) -> None:
        """Apply a live change (same weights); raises ValueError if it needs a new run."""
        self._call("update", cfg)
        self._cfg = cfg

    def reset(self, cfg: RunConfig, points: np.ndarray | None = None) -> None:
        """A fresh run from `cfg`; keeps training if it was training."""
        was_running = self.running
        self.pause()
        if self._link.alive:
            self._call("reset", cfg, points)  # ValueError leaves the old run in place
        else:
            self._respawn(cfg, points)
        self._cfg = cfg
        self._state, self._message = "paused", ""
        if was_running:
            self.start()

    def load(self, path: str) -> RunConfig:
        """Replace the run by the checkpoint at `path`, paused; returns its config. A bad file
        raises ValueError with the reason and leaves the current run as it was."""
        self.pause()
        if not self._link.alive:
            self._respawn(self._cfg, None)  # a process to load into
        cfg = self._call("load", str(path))
        self._cfg = cfg
        self._state, self._message = "paused", ""
        return cfg

    def _respawn(self, cfg: RunConfig, points: np.ndarray | None) -> None:
        """The process ended (an error): close what is left and start a new one."""
        self._finalizer()
        self._spawn(cfg, points)

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
                self._call("start")
                self._state = "training"
                start = time.monotonic()
                while not stop.wait(0.1):
                    snap = self._link.snap
                    if snap is not None and snap.status == "diverged" or not self._link.alive:
                        stop.set()
                        break
                    self._watch(stop)
                    if time.monotonic() - start > self.pace.lease_s and self._slots.waiting():
                        break  # let a queued session train; we rejoin the back of the queue
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
        """Send a command and wait for its reply; a refused command raises ValueError."""
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
