"""The child side of live work: a loop in its own process that owns one job and advances it.

Why a process and not a thread: a 2D step is mostly Python dispatch, so a training thread holds
the GIL nearly all the time and Streamlit's event loop waited up to ~0.5 s for it per message
(measured with strace on this 2-core box: the page drew ~1 frame/s and training kept ~15% of
its headless speed). In a child process neither side waits for the other.

A job (tasks.py) is anything with `advance(seconds, max_steps)`, `observe(with_metrics)`,
`status`, `reason` and `progress`, plus `do_<command>` methods. The parent (`live.py`) sends
commands over a pipe; this loop answers each with ("reply", seq, ok, payload) and pushes
("pub", view, info) whenever it has a new view that the page has asked for. No Streamlit here.
"""
from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .process import configure_torch_threads


@dataclass(frozen=True)
class Pace:
    """How work is divided. Measured on a 2-core box with the page open in Chromium
    (1 torch thread): a 2D picture costs the training process ~15-19 ms (D on the 100 x 100
    grid is most of it) and the metrics ~23 ms more, so 5 pictures and 1 evaluation a second
    take ~10% of its time."""
    slice_s: float = 0.05  # work between looks at the command pipe: Pause acts within it
    snapshot_hz: float = 5.0  # views per second at most (and only when the page took one)
    # W1 / JSD / coverage evaluations per second at most: the tiles and curves that show them
    # redraw every views.CURVES_S = 2 s, so 1/s keeps each redraw fresh.
    metrics_hz: float = 1.0
    lease_s: float = 10.0  # hold a job slot this long, then yield it if someone is queued
    idle_s: float = 180.0  # stop when no page has read a view for this long
    grace_s: float = 10.0  # stop when the browser session has been gone this long


@dataclass
class Rate:
    """Progress units (steps) per second over a sliding window of (time, progress) samples."""
    window_s: float = 3.0
    samples: deque = field(default_factory=lambda: deque(maxlen=256))

    def add(self, t: float, progress: int) -> None:
        self.samples.append((t, progress))
        while len(self.samples) > 2 and t - self.samples[0][0] > self.window_s:
            self.samples.popleft()

    def value(self) -> float:
        if len(self.samples) < 2:
            return math.nan
        (t0, s0), (t1, s1) = self.samples[0], self.samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else math.nan


class Loop:
    """The child's state machine; `serve` feeds it commands between work slices."""

    def __init__(self, conn, job, pace: Pace, threads: int):
        self.conn, self.job, self.pace, self.threads = conn, job, pace, threads
        self.working = False
        self.wanted = True  # the page has taken the last view: a new one is worth making
        self.steps_per_frame = 0  # 0 = as fast as possible; k = k steps, then a picture
        self.rate = Rate()
        self.last_snap = self.last_metrics = 0.0

    def info(self) -> dict:
        job = self.job
        return {"working": self.working, "rate": self.rate.value() if self.working else math.nan,
                "status": job.status, "reason": job.reason, "progress": job.progress,
                "threads": self.threads, "steps_per_frame": self.steps_per_frame}

    def publish(self, with_metrics: bool) -> None:
        view = self.job.observe(with_metrics)
        now = time.monotonic()
        self.last_snap = now
        if with_metrics:
            self.last_metrics = now
        self.wanted = False
        self.conn.send(("pub", view, self.info()))

    def handle(self, msg: tuple) -> bool:
        """Run one command; False means close."""
        kind, seq, args = msg[0], msg[1], msg[2:]
        if kind == "close":
            return False
        if kind == "want":
            self.wanted = True
            return True
        try:
            payload = getattr(self, f"do_{kind}")(*args)
            self.conn.send(("reply", seq, True, payload))
        except ValueError as e:  # refusals from the job name their reason
            self.conn.send(("reply", seq, False, str(e)))
        return True

    # ---- loop commands (each returns the reply's payload) ------------------------------------
    def do_start(self) -> str:
        self.working = self.job.status == "ok"
        self.rate, self.wanted = Rate(), True
        return self.job.status

    def do_pause(self) -> None:
        self.working = False
        self.publish(with_metrics=True)  # the exact paused state

    def do_speed(self, steps_per_frame: int) -> None:
        self.steps_per_frame = max(0, int(steps_per_frame))

    def do_job(self, name: str, *args):
        """A command of the job itself (`job.do_<name>`). A command that changes the job while
        it is not working publishes the new state at once; read-only ones do not."""
        method: Callable = getattr(self.job, f"do_{name}", None)
        if method is None:
            raise ValueError(f"this job has no command {name!r}")
        try:
            payload = method(*args)
        finally:
            if name not in getattr(self.job, "READ_ONLY", ()) and not self.working:
                self.publish(with_metrics=True)
        if self.job.status != "ok":
            self.working = False
        self.rate = Rate()
        return payload

    # ---- working ------------------------------------------------------------------------------
    def work_slice(self) -> None:
        pace, now = self.pace, time.monotonic()
        due = now - self.last_snap >= 1.0 / pace.snapshot_hz
        if self.steps_per_frame:  # slow motion: k steps per picture, none until it was taken
            if not (self.wanted and due):
                time.sleep(0.01)
                return
            self.job.advance(math.inf, self.steps_per_frame)
        else:
            self.job.advance(pace.slice_s, 1_000_000)
        now = time.monotonic()
        self.rate.add(now, self.job.progress)
        if self.job.status != "ok":
            self.working = False
            self.publish(with_metrics=False)  # the last good view and the reason
        elif self.wanted and (self.steps_per_frame
                              or now - self.last_snap >= 1.0 / pace.snapshot_hz):
            # Back-pressure: only when the page took the last view (~20 ms a 2D snapshot,
            # ~30 ms more with metrics), so a slow browser costs training nothing.
            self.publish(with_metrics=now - self.last_metrics >= 1.0 / pace.metrics_hz)


def serve(conn, build: Callable[[], object], pace: Pace) -> None:
    """Entry point of the child process: build the job, publish its first view, then serve."""
    threads = configure_torch_threads()
    try:
        job = build()
    except Exception as e:  # report, do not die silently
        conn.send(("fatal", f"could not build the run: {e}"))
        return
    loop = Loop(conn, job, pace, threads)
    try:
        loop.publish(with_metrics=True)
        while True:
            # Block while idle; only peek between slices while working.
            if conn.poll(0 if loop.working else 1.0):
                if not loop.handle(conn.recv()):
                    return
            elif loop.working:
                loop.work_slice()
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the server went away: nothing left to work for
    except Exception as e:  # say why before the process ends
        conn.send(("fatal", f"training stopped by an error: {e!r}"))
