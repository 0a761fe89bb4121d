"""The server-wide job cap: capacity, first-come-first-served order, idempotent release."""
import threading
import time

import pytest

from playground.serve.jobs import JobSlots, default_capacity
from tools import browser


def test_capacity_and_queue_positions():
    slots = JobSlots(2)
    assert slots.acquire("a", 0) and slots.acquire("b", 0)
    assert not slots.acquire("c", 0.01) and not slots.acquire("d", 0.01)
    assert (slots.running(), slots.waiting()) == (2, 2)
    assert slots.position("c") == 0 and slots.position("d") == 1 and slots.position("a") is None
    assert not slots.acquire("d", 0.01)  # d may not overtake c
    slots.release("a")
    assert not slots.acquire("d", 0.01)
    assert slots.acquire("c", 0.01) and slots.acquire("c", 0)  # re-acquire is a no-op
    slots.release("b")
    assert slots.acquire("d", 0.01)


def test_release_wakes_a_waiter_and_is_idempotent():
    slots = JobSlots(1)
    slots.acquire("a", 0)
    got = []
    waiter = threading.Thread(target=lambda: got.append(slots.acquire("b", 5)))
    waiter.start()
    deadline = time.monotonic() + 10  # a dead waiter fails the test instead of hanging it
    while slots.waiting() == 0:
        assert time.monotonic() < deadline, "the waiter never queued"
        time.sleep(0.001)
    slots.release("a")
    slots.release("a")
    waiter.join(5)
    assert got == [True] and slots.running() == 1
    slots.release("zzz")  # never held: harmless


def test_leaving_the_queue():
    slots = JobSlots(1)
    slots.acquire("a", 0)
    slots.acquire("b", 0)
    slots.release("b")
    assert slots.waiting() == 0


def test_default_capacity_from_environment(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_JOBS", "3")
    assert default_capacity() == 3 and JobSlots().capacity == 3
    monkeypatch.setenv("PLAYGROUND_MAX_JOBS", "lots")
    assert default_capacity() >= 1
    with pytest.raises(ValueError, match="capacity"):
        JobSlots(0)


# ---- a failing work slice fails its job only (code review B12) ------------------------------
FAULT_SEED = 13  # the run whose slices fail, once per host process, from step FAULT_STEP on
FAULT_STEP = 30


def serve_with_fault(conn):
    """A pool host whose first slice of a seed-13 run at step >= 30 raises, as a metric on
    degenerate samples or an out-of-memory error would (in the child: its own RunJob)."""
    from playground.serve import tasks, worker

    advance, fired = tasks.RunJob.advance, []

    def faulty(self, seconds, max_steps):
        if self.run.cfg.seed == FAULT_SEED and self.progress >= FAULT_STEP and not fired:
            fired.append(self.progress)
            raise RuntimeError("boom in /srv/secret/metrics.py")
        return advance(self, seconds, max_steps)

    tasks.RunJob.advance = faulty
    worker.serve_pool(conn)


def wait_for(predicate, timeout=120.0):  # generous: a busy 2-core box starts hosts slowly
    return browser.wait_until(predicate, timeout, every=0.02)


def test_a_failing_slice_fails_its_job_and_the_host_serves_on():
    from playground.config import RunConfig
    from playground.serve.clients import Pace, Trainer
    from playground.serve.pool import Pool

    small = RunConfig(width=16, depth=1, batch_size=32, n_fixed=64, grid_res=20)
    pace = Pace(slice_s=0.02, snapshot_hz=20, metrics_hz=5, idle_s=60, grace_s=5)
    pool = Pool(1, lease_s=0.3, target=serve_with_fault)  # one host: the two jobs take turns
    a = b = None
    try:
        a = Trainer(small, pool, pace=pace)
        b = Trainer(small.replace(seed=FAULT_SEED), pool, pace=pace)
        a.start()
        b.start()
        host = pool.hosts()[0]
        assert wait_for(lambda: host.alive)
        pid = host.pid
        assert wait_for(lambda: b.latest()[1].state == "stopped")
        snap, status = b.latest()
        assert "Training stopped" in status.message and "server's log" in status.message
        assert "RuntimeError" not in status.message and "/srv" not in status.message
        assert f"back at step {snap.step:,}" in status.message  # its last good state
        recorded = b.histories()[0]["step"]  # empty when it went back to its start
        assert snap.step == (recorded[-1] if len(recorded) else 0)  # picture and run agree
        before = a.latest()[0].step
        assert wait_for(lambda: a.latest()[0].step > before + 20)  # the other job trains on
        assert a.running and a.latest()[1].state in ("starting", "training")
        assert host.pid == pid and host.restarts == 0  # the same process
        b.start()  # and the failed job trains again
        assert wait_for(lambda: b.latest()[0].step > FAULT_STEP + 20)
        assert host.pid == pid
    finally:
        for t in (a, b):
            if t is not None:
                t.close()
        pool.close()


class _Conn:
    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)


def test_a_failing_slice_rolls_back_and_logs_the_details(caplog):
    """In-process: the loop puts the job back to the state it was loaded in, says why in
    words (no exception names, no server paths) and logs the traceback."""


    from playground.config import RunConfig
    from playground.serve import tasks
    from playground.serve.worker import Loop, Pace

    class Failing(tasks.RunJob):
        def advance(self, seconds, max_steps):
            self.run.train(3)
            raise ValueError("in /srv/app/playground/metrics.py: shapes differ")

    cfg = RunConfig(width=16, depth=1, batch_size=32, n_fixed=64, grid_res=20)
    parked = tasks.RunJob(cfg).park()
    conn = _Conn()
    loop = Loop(conn, Pace(), 1)
    loop.handle(("load", 1, "restore", parked, Pace(), "t1"))
    loop.job.__class__ = Failing  # the same run, now failing in its slices
    loop.handle(("start", 2))
    with caplog.at_level("ERROR", logger="playground.worker"):
        loop.work_slice()
    assert not loop.working and loop.job.progress == 0  # back where it was loaded
    info = loop.info()
    assert info["failure"].startswith("Training stopped: an unexpected error")
    assert "back at step 0" in info["failure"]
    assert "ValueError" not in info["failure"] and "/srv" not in info["failure"]
    assert "shapes differ" in caplog.text and "Traceback" in caplog.text
    assert conn.sent[-1][0] == "pub" and conn.sent[-1][2]["failure"] == info["failure"]
    loop.handle(("start", 3))  # a new start clears it
    assert loop.info()["failure"] == ""

