"""A session's live work on the pool: start/pause/step/reset, live changes, the job cap and
the lease, parking and resuming, divergence, the watchdogs and dead worker processes. Small
models keep each test to a second or two."""
import io
import time

import numpy as np
import pytest

from playground.config import RunConfig
from playground.serve.clients import Pace, Trainer
from playground.serve.pool import Pool
from playground.speeds import FULL, SPEEDS
from tools import browser

SMALL = RunConfig(width=16, depth=1, batch_size=32, n_fixed=64, grid_res=20)
FAST = Pace(slice_s=0.02, snapshot_hz=20, metrics_hz=5, idle_s=60, grace_s=0.3)
DIVERGES = SMALL.replace(loss="fgan_kl", opt_d="sgd", opt_g="sgd", lr_d=1.0, lr_g=1.0)


def wait_for(predicate, timeout=20.0):
    return browser.wait_until(predicate, timeout, every=0.02)


@pytest.fixture(scope="module")
def shared_pool():
    pool = Pool(4, lease_s=0.3)
    yield pool
    pool.close()


@pytest.fixture
def trainers(shared_pool):
    made = []

    def make(cfg=SMALL, pool=None, pace=FAST, alive=None):
        t = Trainer(cfg, pool or shared_pool, pace=pace, alive=alive)
        made.append(t)
        return t

    yield make
    for t in made:
        t.close()


def test_a_new_trainer_is_paused_with_a_picture(trainers):
    snap, status = trainers().latest()
    assert snap.step == 0 and status.state == "paused" and status.device == "cpu"


def test_train_publishes_and_pause_stops_within_a_slice(trainers):
    t = trainers()
    t.start()
    assert wait_for(lambda: t.latest()[0].step > 20)
    assert t.latest()[1].state == "training"
    assert wait_for(lambda: t.latest()[1].steps_per_s > 0)  # a rate needs two slices
    t.pause()
    assert not t.running
    snap, status = t.latest()
    assert status.state == "paused" and snap.step == t.histories()[0]["step"][-1]  # exact
    time.sleep(0.2)
    assert t.latest()[0].step == snap.step  # and it stays there


def test_manual_steps(trainers):
    t = trainers(SMALL.replace(n_critic=3))
    t.step("d")
    t.step("g")
    t.step("both")
    snap, _ = t.latest()
    assert snap.step == 3
    assert list(snap.history["step"]) == [1, 2, 3]


def test_live_change_keeps_weights_while_training(trainers):
    t = trainers()
    t.start()
    assert wait_for(lambda: t.latest()[0].step > 10)
    t.update_config(SMALL.replace(lr_d=1e-3, loss="hinge"))
    assert t.running and t.cfg.loss == "hinge"
    before = t.latest()[0].step
    assert wait_for(lambda: t.latest()[0].step > before)  # kept counting: same run
    with pytest.raises(ValueError, match="new run"):
        t.update_config(SMALL.replace(seed=3))


def test_reset_starts_over_and_keeps_training(trainers):
    t = trainers()
    t.start()
    assert wait_for(lambda: t.latest()[0].step > 10)
    t.reset(SMALL.replace(seed=3))
    assert t.running and t.cfg.seed == 3
    t.pause()
    t.reset(SMALL)
    assert not t.running and t.latest()[0].step == 0


def test_divergence_stops_with_the_reason_and_keeps_the_last_picture(trainers):
    t = trainers(DIVERGES)
    t.start()
    assert wait_for(lambda: not t.running)
    snap, status = t.latest()
    assert status.state == "diverged" and "became" in status.message
    assert snap is not None and snap.status == "diverged"
    t.start()  # refuses: nothing changed
    assert not t.running and t.latest()[1].state == "diverged"
    t.update_config(DIVERGES.replace(lr_d=1e-4, lr_g=1e-4, opt_d="adam", opt_g="adam"))
    assert t.latest()[1].state == "paused"


def test_cap_queues_the_second_session_and_leases_rotate(trainers):
    pool = Pool(1, lease_s=1.0)
    try:
        a, b = trainers(pool=pool), trainers(pool=pool)
        began = time.monotonic()  # a's lease starts after this
        a.start()
        assert wait_for(lambda: a.latest()[1].state in ("starting", "training"))
        b.start()
        assert wait_for(lambda: b.latest()[1].state == "queued")
        status = b.latest()[1]
        assert status.queue_position == 0 and status.wait_s == 1.0 and status.capacity == 1
        # a's lease (1 s) ends with b waiting: a yields, b trains (never before the lease)
        assert wait_for(lambda: b.latest()[1].state in ("starting", "training"))
        assert time.monotonic() - began >= 1.0
        assert a.latest()[1].state == "queued"  # a waits its turn again
        assert wait_for(lambda: b.latest()[0].step > 0)
        b.pause()
        assert wait_for(lambda: a.latest()[1].state == "training")
        assert pool.slots.running() == 1
    finally:
        for t in (a, b):
            t.close()
        pool.close()


def test_closed_tab_stops_training(trainers):
    t = trainers(alive=lambda: False)
    t.start()
    assert wait_for(lambda: not t.running, timeout=10)
    assert t.latest()[1].state == "stopped" and "closed" in t.latest()[1].message


def test_nobody_watching_stops_training(trainers):
    t = trainers(pace=Pace(slice_s=0.02, snapshot_hz=20, idle_s=0.3))
    t.start()
    assert wait_for(lambda: not t.running, timeout=10)
    assert "no page has watched" in t.latest()[1].message


def test_histories_are_copies(trainers):
    t = trainers()
    t.step()
    hist, metric_hist = t.histories()
    hist["step"].append(99)
    assert t.histories()[0]["step"] == [1] and "w1" in metric_hist


def test_slow_motion_shows_every_step(trainers):
    t = trainers()
    t.set_speed(SPEEDS.get("1"))
    t.start()
    seen = []
    end = time.monotonic() + 20
    while len(seen) < 6 and time.monotonic() < end:
        snap, status = t.latest()  # each read asks for the next picture
        if status.state == "training" and (not seen or snap.step != seen[-1]):
            seen.append(snap.step)
        time.sleep(0.01)
    t.pause()
    assert len(seen) == 6
    steps = [b - a for a, b in zip(seen, seen[1:], strict=False)]
    assert steps == [1] * 5  # one step per picture: nothing happens off screen
    t.set_speed(FULL)
    t.start()
    assert wait_for(lambda: t.latest()[0].step > seen[-1] + 50)  # full speed again


def test_status_says_starting_until_the_first_new_picture(trainers):
    t = trainers()
    t.start()
    states = set()
    end = time.monotonic() + 10
    while time.monotonic() < end and "training" not in states:
        states.add(t.latest()[1].state)
        time.sleep(0.005)
    assert "training" in states and states <= {"queued", "starting", "training"}


def headless(cfg, steps):
    from playground.engine.run import Run
    run = Run(cfg)
    run.train(steps)
    return run


def same_run(a, b) -> None:
    """Same step, weights, optimiser moments, random streams and histories."""
    import torch
    assert a.step_count == b.step_count
    for x, y in ((a.G, b.G), (a.D, b.D)):
        for (name, p), q in zip(x.state_dict().items(), y.state_dict().values(), strict=True):
            assert torch.equal(p, q), name
    for x, y in ((a.opt_d, b.opt_d), (a.opt_g, b.opt_g)):
        for s, t in zip(x.state_dict()["state"].values(), y.state_dict()["state"].values(),
                        strict=True):
            assert all(torch.equal(s[k], t[k]) for k in s)
    for name in a.gens:
        assert torch.equal(a.gens[name].get_state(), b.gens[name].get_state()), name
    a.flush(), b.flush()
    assert a.history == b.history


def run_of(trainer):
    from playground.store import checkpoint
    return checkpoint.from_state(checkpoint.state_from_bytes(trainer.checkpoint()))


def test_parked_and_resumed_runs_match_uninterrupted_ones():
    """Two sessions on one host, taking turns every 0.3 s: each run is parked and restored
    several times, yet ends exactly where an uninterrupted run of as many steps ends."""
    pool = Pool(1, lease_s=0.3)
    a, b = (Trainer(SMALL, pool, pace=FAST), Trainer(SMALL.replace(loss="hinge"), pool,
                                                      pace=FAST))
    try:
        a.start(), b.start()
        turns = {a: [], b: []}
        end = time.monotonic() + 30
        while time.monotonic() < end and min(len(v) for v in turns.values()) < 5:
            for t, seen in turns.items():
                state = t.latest()[1].state
                if not seen or seen[-1] != state:
                    seen.append(state)
            time.sleep(0.01)
        a.pause(), b.pause()
        for t in (a, b):  # each trained, waited and trained again
            assert turns[t].count("queued") >= 2 and "training" in turns[t], turns[t]
            done = run_of(t)
            assert done.step_count > 0
            same_run(done, headless(t.cfg, done.step_count))
            assert t.latest()[0].step == done.step_count  # the page shows where it stopped
    finally:
        a.close(), b.close()
        pool.close()


def test_a_parked_comparison_resumes_exactly():
    from playground.serve import tasks
    cfgs = [SMALL, SMALL.replace(loss="hinge")]
    whole = tasks.CompareJob(cfgs, ["ns", "hinge"], 10)
    whole.advance(60, 45)
    part = tasks.CompareJob(cfgs, ["ns", "hinge"], 10)
    part.advance(60, 20)
    part = tasks.restore(part.park())
    part.advance(60, 25)
    assert part.progress == whole.progress == 45
    for x, y in zip(part.lock.runs, whole.lock.runs, strict=True):
        same_run(x, y)
        assert x.metric_history.keys() == y.metric_history.keys()
        for k in x.metric_history:  # evaluations at the same steps, the same values
            np.testing.assert_array_equal(x.metric_history[k], y.metric_history[k])
    assert set(part.park()) == {"job", "labels", "eval_every", "mode", "states", "statuses"}


def test_a_waiting_or_paused_session_holds_no_process(trainers):
    pool = Pool(4)
    try:
        made = [trainers(pool=pool) for _ in range(6)]
        for t in made:
            t.step()
        assert len(pool.pids()) == 1  # only the host that ran the short commands
        assert all(t.latest()[0].step == 1 for t in made)
    finally:
        pool.close()


def test_a_tab_closed_while_queued_leaves_the_queue():
    pool = Pool(1, lease_s=60)
    a = Trainer(SMALL, pool, pace=FAST)
    gone = Trainer(SMALL, pool, pace=FAST, alive=lambda: False)  # grace 0.3 s
    try:
        a.start()
        assert wait_for(lambda: a.latest()[1].state in ("starting", "training"))
        gone.start()
        assert wait_for(lambda: not gone.running, timeout=10)
        assert pool.slots.waiting() == 0 and pool.slots.position(gone._ticket) is None
        assert gone.latest()[1].state == "stopped" and "closed" in gone.latest()[1].message
        assert a.running  # the trainer never noticed
    finally:
        a.close(), gone.close()
        pool.close()


@pytest.fixture
def training_alone():
    """A trainer past step 10 on a pool of one training host (and the quick host)."""
    pool = Pool(1, lease_s=60)
    t = Trainer(SMALL, pool, pace=FAST)
    try:
        t.start()
        assert wait_for(lambda: t.latest()[0].step > 10)
        yield pool, t
    finally:
        t.close()
        pool.close()


def test_a_killed_worker_is_reported_and_replaced(training_alone):
    pool, t = training_alone
    host = pool.hosts()[0]
    dead = host.pid
    host.kill()
    assert wait_for(lambda: not t.running)
    status = t.latest()[1]
    assert status.state == "stopped" and "worker process stopped" in status.message
    t.start()  # a new process, from where the run was last parked
    assert wait_for(lambda: t.latest()[1].state == "training")
    assert host.pid != dead and host.restarts == 1
    # the short-command host too: a dead one is replaced before the next command
    pool.hosts()[-1].kill()
    t.pause()
    step = t.latest()[0].step
    t.step()
    assert t.latest()[0].step == step + 1


def test_no_worker_is_started_once_the_server_is_exiting(training_alone, monkeypatch):
    """On Ctrl-C/SIGTERM multiprocessing terminates the hosts at exit; a supervisor that then
    found its host dead used to start a new one mid-exit, and the fork server printed an
    EOFError traceback into the server's log (CI's load test failed on it)."""
    import threading

    from playground.serve import process
    from playground.serve.pool import HostDied
    pool, t = training_alone
    crashed = []
    monkeypatch.setattr(threading, "excepthook", crashed.append)
    # a fresh flag, set as the atexit hook sets it; monkeypatch puts the real one back
    monkeypatch.setattr(process, "_exiting", threading.Event())
    process._exiting.set()
    assert process.exiting()
    host = pool.hosts()[0]
    host.kill()
    assert wait_for(lambda: not t.running)
    t.start()  # finds the host dead and may not replace it
    assert wait_for(lambda: not t.running)
    assert not host.alive and host.restarts == 0
    assert "no worker process could be started" in t.latest()[1].message
    with pytest.raises(HostDied, match="stopping"):
        host.ensure()
    with pytest.raises(RuntimeError, match="stopping"):
        process.start(print, (), t, "never")
    assert crashed == []  # no thread died with a traceback


def test_the_exit_hook_runs_before_multiprocessing_terminates_its_children():
    """atexit runs hooks last-registered first: ours must come after multiprocessing's."""
    import subprocess
    import sys
    code = ("from playground.serve import process\n"  # first, as in the app
            "import multiprocessing.util as u\n"
            "u.Finalize(None, lambda: print('exiting' if process.exiting() else 'not yet'),"
            " exitpriority=10)\n")  # runs inside multiprocessing's exit hook
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "exiting", out.stderr


def test_the_cap_and_the_lease_come_from_the_environment(monkeypatch):
    from playground.serve.pool import default_lease
    monkeypatch.setenv("PLAYGROUND_MAX_JOBS", "3")
    monkeypatch.setenv("PLAYGROUND_LEASE_S", "4.5")
    pool = Pool()
    assert pool.capacity == 3 and pool.lease_s == 4.5 and len(pool.hosts()) == 4
    assert pool.wait_estimate(0) == 4.5 and pool.wait_estimate(2) == 4.5
    assert pool.wait_estimate(3) == 9.0  # the second round of three
    for bad in ("", "soon", "-1"):
        monkeypatch.setenv("PLAYGROUND_LEASE_S", bad)
        assert default_lease() == (10.0 if bad != "-1" else 0.5)


def test_parking_ships_checkpoint_bytes_only():
    """Issue 18, seam 1: a run's pictures stay in the server (its handle's timeline), so what
    a host parks, and what a restore sends back, is the checkpoint and the status alone. It
    shipped the whole timeline before (6.7 MB for a 2D run with a full one: park_bytes.py)."""
    import pickle

    from playground.serve import tasks
    job = tasks.RunJob(SMALL)
    for _ in range(20):  # 20 pictures a timeline would keep (one every 25 steps)
        job.advance(60, 25)
        job.observe(with_metrics=True)
    parked = job.park()
    assert set(parked) == {"job", "state", "status"}
    assert len(pickle.dumps(parked)) < len(parked["state"]) + 500  # the bytes and a status


def test_scrubbing_and_exports_of_a_parked_run_need_no_host(trainers, shared_pool, monkeypatch):
    """The handle keeps the timeline as its host publishes; parked, the run's scrubber, CSV
    and checkpoint are answered in the server, even with every host gone."""
    t = trainers()
    t.start()
    assert wait_for(lambda: t.latest()[0].step >= 120, 90)
    t.pause()
    steps = t.timeline()
    assert len(steps) >= 4 and steps[0] == 0 and steps[-1] == t.latest()[0].step
    assert set(t._parked) == {"job", "state", "status"}
    t.start()  # parked and restored: the pictures it had are still there, and new ones come
    assert wait_for(lambda: t.timeline()[-1] > steps[-1] + 50, 90)
    t.pause()
    again = t.timeline()
    assert set(steps[:-1]) <= set(again)  # the last one was provisional

    def no_host(*args, **kwargs):
        raise AssertionError("a host was asked for")

    monkeypatch.setattr(shared_pool, "quick", no_host)
    monkeypatch.setattr(shared_pool, "acquire", no_host)
    assert t.timeline() == again
    assert t.timeline_at(again[1]).step == again[1]
    gap = next(s for s, after in zip(again[:-1], again[1:], strict=True) if after > s + 1)
    assert t.timeline_at(gap + 1).step == gap  # the nearest kept one before
    assert t.histories()[0]["step"][-1] == again[-1]
    assert t.checkpoint()[:2] == b"PK"  # torch's zip format


def test_the_digit_gif_of_a_parked_run_is_its_timeline_and_needs_no_host(
        trainers, shared_pool, monkeypatch):
    """Issue 18, seam 1: the MNIST lab's GIF is built from the session's timeline, one frame
    per kept picture, so a parked run's GIF needs neither a host nor the page's state. Two
    manual steps keep three pictures (steps 0, 1, 2): a short run keeps every picture."""
    from PIL import Image

    from playground.presets import config_for
    from playground.ui import view_digits
    t = trainers(config_for("dcgan", width=16, latent_dim=16, batch_size=32, n_fixed=36))
    t.step()
    t.step()
    assert t.timeline() == [0, 1, 2]

    def no_host(*args, **kwargs):
        raise AssertionError("a host was asked for")

    monkeypatch.setattr(shared_pool, "quick", no_host)
    monkeypatch.setattr(shared_pool, "acquire", no_host)
    frames = t.timeline_frames()
    assert [s for s, _ in frames] == t.timeline()
    assert frames[-1][1].fake.shape == (36, 28, 28)
    with Image.open(io.BytesIO(view_digits.export_gif(frames))) as gif:
        assert gif.n_frames == 3
