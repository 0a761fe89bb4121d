"""The child side of live work: a loop in a pool host's process (pool.py) that hosts one job
at a time and advances it.

Why a process and not a thread: a 2D step is mostly Python dispatch, so a training thread holds
the GIL nearly all the time and Streamlit's event loop waited up to ~0.5 s for it per message
(measured with strace on this 2-core box: the page drew ~1 frame/s and training kept ~15% of
its headless speed). In a child process neither side waits for the other.

A job (tasks.py) is anything with `advance(seconds, max_steps)`, `observe(with_metrics)`,
`status`, `reason` and `progress`, plus a table of commands (`COMMANDS`, commands.py). The
server (handle.py, through `pool.Host`) sends commands over a pipe (load a job, start, pause,
a job command, park it); this loop answers each with ("reply", seq, ok, payload), pushes
("pub", view, info) whenever it has a new view that the page has asked for (the server keeps
them: reel.py) and ("rollback", tag, step) when a failure put the job back. No Streamlit here.
"""
from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from playground.serve.pacer import Pacer
from playground.serve.process import configure_torch_threads
from playground.speeds import FULL, Speed

log = logging.getLogger("playground.worker")


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
    # Views take at most this share of the training process's time (`Loop._view_due`):
    # r1_wide's picture (a 4 x 512 D on the 100 x 100 surface) took 0.55 s here with two runs
    # beside it, so 5 a second left it 1-2 steps/s live.
    view_share: float = 0.3
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
    """The child's state machine; `serve_pool` feeds it commands between work slices. It hosts
    one job at a time: "load" builds or restores one, "park" hands it back as plain data."""

    def __init__(self, conn, pace: Pace, threads: int, device: str = "cpu"):
        self.conn, self.pace, self.threads = conn, pace, threads
        self.device = device  # where this host's runs train (a job's view may say it too)
        self.job = None  # until "load"
        self.working = False
        self.wanted = True  # the page has taken the last view: a new one is worth making
        self.steps_per_frame = 0  # 0 = by time (capped by `pacer`); k = k steps, then a picture
        self.pacer = Pacer()  # the page's cap on steps/s (none until it sets one)
        self.rate = Rate()
        self.last_snap = self.last_metrics = 0.0
        self.view_s = 0.0  # seconds a view takes, smoothed over the last few
        self.tag = ""  # whose job this is (the session's ticket): its views carry it
        self.started = False  # between "start" and "pause"/"park": work whenever there is work
        # The job's last good state, to go back to when a work slice fails: ("restore", parked
        # data) as loaded or as of its last change by a command, or ("build", factory).
        self.good: tuple[str, object] | None = None
        self.failure = ""  # why the last work slice failed (until the job starts again)

    def info(self) -> dict:
        job, host = self.job, {"threads": self.threads, "device": self.device,
                               "steps_per_frame": self.steps_per_frame,
                               "steps_per_s": self.pacer.steps_per_s}
        if job is None:
            return {"working": False, "rate": math.nan, "status": "ok", "reason": "",
                    "progress": 0, **host, "tag": ""}
        return {"working": self.working, "rate": self.rate.value() if self.working else math.nan,
                "status": job.status, "reason": job.reason, "progress": job.progress, **host,
                "tag": self.tag, "failure": self.failure}

    def publish(self, with_metrics: bool) -> None:
        start = time.monotonic()
        view = self.job.observe(with_metrics)
        now = time.monotonic()
        self.view_s = now - start if not self.view_s else 0.7 * self.view_s + 0.3 * (now - start)
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
            if self.job is None and kind not in ("load", "park", "visit"):
                raise ValueError("no job is loaded in this training process")
            command = LOOP_COMMANDS.get(kind)
            if command is None:
                raise ValueError(f"the training process has no command {kind!r}")
            payload = command(self, *args)
            self.conn.send(("reply", seq, True, payload))
        except ValueError as e:  # refusals from the job name their reason
            self.conn.send(("reply", seq, False, str(e)))
        except Exception as e:  # a bug, a metric failure, out of memory: keep the process
            log.exception("command %r of job %s failed", kind, self.tag or "-")
            back = self.roll_back() if kind in ("job", "visit") else ""
            if back and not self.working:
                self._send_state()
            self.conn.send(("reply", seq, False, f"Not done: {failure_text(e)} {back}".strip()))
        return True

    # ---- loop commands (LOOP_COMMANDS; each returns the reply's payload) -----------------------
    def load(self, how: str, payload, pace: Pace, tag: str = "", speed: Speed = FULL,
             start: bool = False) -> None:
        """Host a job: "build" calls `payload` (a picklable factory), "restore" rebuilds a
        parked one (tasks.restore). Publishes its picture at once, then works if `start`
        (a training host: one round trip, not two). A job that cannot be built or restored
        is refused; the one hosted before is gone either way."""
        from playground.serve import tasks
        self.working = self.started = False
        self.job, self.tag, self.good, self.failure = None, tag, None, ""
        self.job = payload() if how == "build" else tasks.restore(payload)
        self.good = (how, payload)
        self.pace, self.rate = pace, Rate()
        self.speed(speed)
        self.last_snap = self.last_metrics = self.view_s = 0.0  # a new job: its own view cost
        self.publish(with_metrics=True)
        if start:
            self.start()

    def visit(self, how: str, payload, pace: Pace, tag: str, commands: list[tuple[str, tuple]],
              check: bool = True) -> tuple[list, dict]:
        """The quick host's whole errand for a job that is not training, in one round trip
        (it was three: load, the commands, park): load it, run its `commands` (name, args),
        park it; returns (their payloads, the parked job). A refused command raises (nothing
        parked) when `check`, else its reason is its payload and the rest run."""
        self.load(how, payload, pace, tag)
        payloads = []
        for name, args in commands:
            try:
                payloads.append(self.job_command(name, *args))
            except ValueError as e:  # a refusal (a diverged step): the job says why
                if check:
                    raise
                payloads.append(str(e))
        return payloads, self.park()

    def park(self):
        """Stop and hand the job back as plain data (tasks' `park`); this host is free."""
        self.working = self.started = False
        parked, self.job, self.tag, self.good = self.job.park(), None, "", None
        return parked

    def start(self) -> str:
        self.started, self.failure = True, ""
        self.working = self.job.status == "ok"
        self.rate, self.wanted = Rate(), True
        return self.job.status

    def pause(self) -> None:
        self.working = self.started = False
        self._send_state(with_metrics=True)  # the exact paused state

    def status(self) -> str:
        """The job's status now (not the last published one)."""
        return self.job.status

    def speed(self, speed: Speed) -> None:
        """Steps per picture (slow motion) or, by time, a cap on steps/s (the class pace)."""
        self.steps_per_frame = max(0, int(speed.steps_per_frame))
        self.pacer = Pacer(speed.steps_per_s, self.pace.slice_s)

    def job_command(self, name: str, *args):
        """A command of the job itself, the row `name` of its table. A command that changes
        the job while it is not working publishes the new state at once; read-only ones do
        not."""
        from playground.serve import tasks
        command = tasks.commands_of(self.job)[name]  # ValueError naming the valid ones
        changes = not command.read_only
        try:
            payload = command.method(self.job, *args)
        finally:
            if changes and not self.working:
                self.publish(with_metrics=True)
        if changes and self.started:  # a training host: a failing slice comes back to this
            self.good = ("restore", self.job.park())
        # a started job that ran out of work (a theory page's tasks all done) goes on when a
        # command gives it more; one that diverged goes on only when the page starts it again
        self.working = self.job.status == "ok" and (self.working or (self.started and changes))
        self.rate = Rate()
        return payload

    # ---- working ------------------------------------------------------------------------------
    def work_slice(self) -> None:
        """One slice of work and, when due, a view. A slice that fails (a bug, a metric on
        degenerate samples, out of memory) fails this job only: it goes back to its last
        good state, stops working and says why (`info()["failure"]`); the host serves on."""
        try:
            self._work_slice()
        except Exception as e:
            log.exception("a work slice of job %s failed at progress %s", self.tag or "-",
                          getattr(self.job, "progress", "?"))
            self.working = self.started = False
            back = self.roll_back()
            self.failure = f"Training stopped: {failure_text(e)} {back}".strip()
            self._send_state()

    def roll_back(self) -> str:
        """Replace the job by its last good state; says where it is now ("" if it cannot)."""
        from playground.serve import tasks
        if self.good is None:
            return ""
        how, payload = self.good
        try:
            self.job = payload() if how == "build" else tasks.restore(payload)
        except Exception:
            log.exception("job %s could not go back to its last good state", self.tag or "-")
            return ""
        # its later pictures belong to the lost steps: the server's timeline drops them
        self.conn.send(("rollback", self.tag, self.job.progress))
        self.rate = Rate()
        return (f"The run is back at step {self.job.progress:,}, its last saved state; "
                "press Train to go on.")

    def _send_state(self, with_metrics: bool = False) -> None:
        """Publish the job's view, or (if drawing it fails too) its info alone."""
        try:
            self.publish(with_metrics)
        except Exception:
            log.exception("job %s cannot draw its state", self.tag or "-")
            self.conn.send(("info", self.info()))

    def _work_slice(self) -> None:
        pace, now = self.pace, time.monotonic()
        due = now - self.last_snap >= 1.0 / pace.snapshot_hz
        if self.steps_per_frame:  # slow motion: k steps per picture, none until it was taken
            if not (self.wanted and due):
                time.sleep(0.01)
                return
            self.job.advance(math.inf, self.steps_per_frame)
        else:  # by time, at most the pacer's steps: a paced slice waits for its turn
            allowed = self.pacer.allowed()
            if allowed < 1:
                time.sleep(min(pace.slice_s, self.pacer.wait_s()))
                return
            self.pacer.spend(self.job.advance(pace.slice_s, allowed))
        now = time.monotonic()
        self.rate.add(now, self.job.progress)
        if self.job.status != "ok":
            self.working = False
            self.publish(with_metrics=False)  # the last good view and the reason
        elif self.wanted and (self.steps_per_frame or self._view_due(now)):
            # Back-pressure: only when the page took the last view (~20 ms a 2D snapshot,
            # ~30 ms more with metrics), so a slow browser costs training nothing.
            self.publish(with_metrics=now - self.last_metrics >= 1.0 / pace.metrics_hz)

    def _view_due(self, now: float) -> bool:
        """Whether a new view is due when training by time: 1 / snapshot_hz after the last,
        or later when views are dear. A view that takes v seconds is followed by at least
        v (1 - share) / share of training, so views never take more than `view_share` of
        this process's time. (Slow motion keeps its rate: there every picture is the point.)"""
        share = self.pace.view_share
        gap = max(1.0 / self.pace.snapshot_hz, self.view_s * (1 - share) / share)
        return now - self.last_snap >= gap


# The loop's own commands, by the name the server sends ("job" runs a row of the job's table).
LOOP_COMMANDS: dict[str, Callable] = {
    "load": Loop.load, "park": Loop.park, "start": Loop.start, "pause": Loop.pause,
    "status": Loop.status, "speed": Loop.speed, "job": Loop.job_command, "visit": Loop.visit,
}


def serve_pool(conn) -> None:
    """Entry point of a pool host: no job until one is loaded; serve commands, work slices."""
    from playground.engine.run import pick_device  # here, in the host: CUDA may be asked
    threads = configure_torch_threads()
    loop = Loop(conn, Pace(), threads, pick_device().type)
    try:
        while True:
            # Block while idle; only peek between slices while working.
            if conn.poll(0 if loop.working else 1.0):
                if not loop.handle(conn.recv()):
                    return
            elif loop.working:
                loop.work_slice()
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the server went away: nothing left to work for
    except Exception as e:  # the loop itself failed (a slice's errors never get here)
        log.exception("pool host stopped")
        conn.send(("fatal", f"training stopped by an error: {failure_text(e)}"))


def failure_text(error: BaseException) -> str:
    """What a page says about an unexpected error in a host: what kind of failure, no
    internals (the traceback is in the server's log)."""
    if isinstance(error, MemoryError) or "out of memory" in str(error).lower():
        return "the training process ran out of memory (a smaller batch or width needs less)."
    return "an unexpected error in the training process (its details are in the server's log)."
