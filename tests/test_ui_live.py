"""The per-session training thread: start/pause/step/reset, live changes, the job cap,
divergence and the watchdogs. Small models keep each test to a second or two."""
import time

import pytest

from playground.config import RunConfig
from playground.ui.jobs import JobSlots
from playground.ui.live import Pace, Trainer

SMALL = RunConfig(width=16, depth=1, batch_size=32, n_fixed=64, grid_res=20)
FAST = Pace(slice_s=0.02, snapshot_hz=20, metrics_hz=5, lease_s=0.3, idle_s=60, grace_s=0.3)
DIVERGES = SMALL.replace(loss="fgan_kl", opt_d="sgd", opt_g="sgd", lr_d=1.0, lr_g=1.0)


def wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def trainers():
    made = []

    def make(cfg=SMALL, slots=None, pace=FAST, alive=None):
        t = Trainer(cfg, slots or JobSlots(4), pace=pace, alive=alive)
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
    slots = JobSlots(1)
    a, b = trainers(slots=slots), trainers(slots=slots)
    a.start()
    assert wait_for(lambda: a.latest()[1].state == "training")
    b.start()
    assert wait_for(lambda: b.latest()[1].state == "queued")
    assert b.latest()[1].queue_position == 0
    # a's lease (0.3 s) ends with b waiting: a yields, b trains
    assert wait_for(lambda: b.latest()[1].state == "training")
    assert wait_for(lambda: b.latest()[0].step > 0)
    b.pause()
    assert wait_for(lambda: a.latest()[1].state == "training")
    assert slots.running() == 1


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
    t.set_speed(1)
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
    t.set_speed(0)
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
