"""The training side of a live session: a loop in its own process that owns one `Run`.

Why a process and not a thread: a 2D step is mostly Python dispatch, so a training thread holds
the GIL nearly all the time and Streamlit's event loop waited up to ~0.5 s for it per message
(measured with strace on this 2-core box: the page drew ~1 frame/s and training kept ~15% of
its headless speed). In a child process neither side waits for the other.

The parent (`live.Trainer`) sends commands over a pipe; this loop answers each with
("reply", seq, ok, payload) and pushes ("pub", snapshot, info) whenever it has a new picture
that the page has asked for. No Streamlit here; snapshots are plain numpy and pickle cheaply.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from .. import checkpoint
from ..run import Diverged, Run

UPDATES = {"both": Run.step, "d": Run.step_d, "g": Run.step_g}


@dataclass
class Rate:
    """Steps per second over a sliding window of (time, step) samples."""
    window_s: float = 3.0
    samples: deque = field(default_factory=lambda: deque(maxlen=256))

    def add(self, t: float, step: int) -> None:
        self.samples.append((t, step))
        while len(self.samples) > 2 and t - self.samples[0][0] > self.window_s:
            self.samples.popleft()

    def value(self) -> float:
        if len(self.samples) < 2:
            return float("nan")
        (t0, s0), (t1, s1) = self.samples[0], self.samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else float("nan")


class Loop:
    """The child's state machine; `serve` feeds it commands between training slices."""

    def __init__(self, conn, run: Run, slice_s: float, snapshot_hz: float, metrics_hz: float):
        self.conn, self.run = conn, run
        self.slice_s, self.snapshot_hz, self.metrics_hz = slice_s, snapshot_hz, metrics_hz
        self.training = False
        self.wanted = True  # the page has taken the last picture: a new one is worth making
        self.rate = Rate()
        self.last_snap = self.last_metrics = 0.0

    def publish(self, with_metrics: bool) -> None:
        snap = self.run.snapshot(with_metrics=with_metrics)
        now = time.monotonic()
        self.last_snap = now
        if with_metrics:
            self.last_metrics = now
        self.wanted = False
        rate = self.rate.value() if self.training else float("nan")
        self.conn.send(("pub", snap, {"training": self.training, "steps_per_s": rate}))

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
        except (ValueError, Diverged) as e:
            self.conn.send(("reply", seq, False, str(e)))
        return True

    # ---- commands (each returns the reply's payload) ----------------------------------------
    def do_start(self) -> str:
        self.training = self.run.status == "ok"
        self.rate, self.wanted = Rate(), True
        return self.run.status

    def do_pause(self) -> None:
        self.training = False
        self.publish(with_metrics=True)  # the exact paused state

    def do_step(self, kind: str) -> None:
        self.training = False
        try:
            UPDATES[kind](self.run)
        finally:
            self.publish(with_metrics=True)

    def do_update(self, cfg) -> None:
        self.run.update_config(cfg)
        if not self.training:
            self.publish(with_metrics=False)

    def do_reset(self, cfg, points) -> None:
        self.run = Run(cfg, points)  # raises ValueError before the old run is replaced
        self.rate = Rate()
        self.publish(with_metrics=True)

    def do_load(self, path: str):
        """Replace the run by a saved one (a checkpoint carries its config); a bad file raises
        CheckpointError, a ValueError, before the old run is replaced."""
        self.run = checkpoint.load(path)
        self.rate = Rate()
        self.publish(with_metrics=True)
        return self.run.cfg

    def do_histories(self) -> tuple[dict, dict]:
        self.run.flush()
        return ({k: list(v) for k, v in self.run.history.items()},
                {k: list(v) for k, v in self.run.metric_history.items()})

    # ---- training ---------------------------------------------------------------------------
    def train_slice(self) -> None:
        self.run.train_for(self.slice_s)
        now = time.monotonic()
        self.rate.add(now, self.run.step_count)
        if self.run.status != "ok":
            self.training = False
            self.publish(with_metrics=False)  # the last good picture and the reason
        elif self.wanted and now - self.last_snap >= 1.0 / self.snapshot_hz:
            # Back-pressure: only when the page took the last picture (~20 ms a snapshot,
            # ~30 ms more with metrics), so a slow browser costs training nothing.
            self.publish(with_metrics=now - self.last_metrics >= 1.0 / self.metrics_hz)


def serve(conn, cfg, points, slice_s: float, snapshot_hz: float, metrics_hz: float,
          threads: int) -> None:
    """Entry point of the child process."""
    import torch

    torch.set_num_threads(threads)
    try:
        run = Run(cfg, points)
    except Exception as e:  # report, do not die silently
        conn.send(("fatal", f"could not build the run: {e}"))
        return
    loop = Loop(conn, run, slice_s, snapshot_hz, metrics_hz)
    loop.publish(with_metrics=True)
    try:
        while True:
            # Block while paused; only peek between slices while training.
            if conn.poll(0 if loop.training else 1.0):
                if not loop.handle(conn.recv()):
                    return
            elif loop.training:
                loop.train_slice()
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the server went away: nothing left to train for
    except Exception as e:  # say why before the process ends
        conn.send(("fatal", f"training stopped by an error: {e!r}"))
