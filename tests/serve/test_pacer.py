"""The class pace (serve/pacer.py and the worker loop that obeys it): a cap on steps/s that a
fast device meets and a slow one never feels; full speed has none."""
import functools
import time

import pytest

from playground.config import RunConfig
from playground.serve import tasks
from playground.serve.pacer import UNCAPPED, Pacer
from playground.serve.worker import Loop, Pace
from playground.speeds import CLASS_PACE, DEFAULT_SPEED, FULL, SPEEDS, Speed


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def simulate(cap: float, device_steps_per_s: float, seconds: float = 1.0,
             slice_s: float = 0.05) -> int:
    """Steps over `seconds` of a fake clock for a device training `device_steps_per_s`, driven
    as the worker drives a job: a paced slice waits (up to a slice) or takes what it may."""
    clock = Clock()
    pacer = Pacer(cap, slice_s, clock)
    steps = 0
    while clock.t < seconds:
        allowed = pacer.allowed()
        if allowed < 1:
            clock.t += min(slice_s, pacer.wait_s())
            continue
        n = min(allowed, max(1, round(slice_s * device_steps_per_s)))  # advance(slice_s, allowed)
        clock.t += n / device_steps_per_s
        pacer.spend(n)
        steps += n
    return steps


@pytest.mark.parametrize("cap", [20.0, CLASS_PACE, 1000.0])
def test_a_fast_device_trains_at_the_cap(cap):
    """At 5,000 steps/s (a GPU) the pacer holds a run to its cap: over 1 s, the cap +- one
    slice's worth (the bucket starts full)."""
    steps = simulate(cap, 5000.0)
    assert cap <= steps <= cap + max(1, cap * 0.05) + 1


@pytest.mark.parametrize("device", [20.0, 50.0, 150.0, 400.0])
def test_a_device_slower_than_the_class_pace_is_not_slowed(device):
    """A loaded CPU's ~30-50 steps/s and a quiet one's live ~400 under the class pace: the
    same steps as uncapped."""
    assert simulate(CLASS_PACE, device) == simulate(0.0, device)


def test_no_cap_grants_every_slice_and_never_waits():
    pacer = Pacer(0.0, 0.05, Clock())
    assert pacer.allowed() == UNCAPPED and pacer.wait_s() == 0.0 and not pacer.capped
    assert SPEEDS.get("full") == FULL and FULL.steps_per_s == 0 and FULL.steps_per_frame == 0
    assert SPEEDS.get(DEFAULT_SPEED).steps_per_s == CLASS_PACE


class _Conn:
    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)


class FastJob:
    """A job whose steps cost nothing: only the pacer (or the slice's time) bounds a slice."""
    status, reason = "ok", ""

    def __init__(self):
        self.progress = 0

    def advance(self, seconds: float, max_steps: int) -> int:
        n = min(max_steps, 5000)
        self.progress += n
        return n

    def observe(self, with_metrics: bool):
        return None


def _steps_in(speed: Speed, seconds: float) -> int:
    loop = Loop(_Conn(), Pace(), 1)
    loop.job, loop.working = FastJob(), True
    loop.speed(speed)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        loop.work_slice()
    return loop.job.progress


def test_the_worker_holds_a_fast_job_to_its_cap():
    """A cap of 20 steps/s over a 1 s slice of real time: 20 +- a few steps, never 50+ (the
    fake job could do millions); full speed lifts the cap."""
    capped = _steps_in(Speed("test", steps_per_s=20.0), 1.0)
    assert 18 <= capped <= 23
    assert _steps_in(FULL, 0.3) > 10_000


def test_the_speed_command_sets_the_cap_and_the_host_reports_it():
    loop = Loop(_Conn(), Pace(), 1)
    loop.handle(("load", 1, "build", FastJob, Pace(), "t1", SPEEDS.get(DEFAULT_SPEED)))
    assert loop.info()["steps_per_s"] == CLASS_PACE and loop.info()["steps_per_frame"] == 0
    loop.handle(("speed", 2, FULL))
    assert loop.info()["steps_per_s"] == 0.0
    loop.handle(("speed", 3, SPEEDS.get("5")))
    assert (loop.info()["steps_per_frame"], loop.info()["steps_per_s"]) == (5, 0.0)


@pytest.mark.slow
def test_bench_the_class_pace_leaves_a_cpu_run_alone():
    """The 2D default on this CPU, one host loop, 1.5 s at full speed and 1.5 s at the class
    pace: numbers printed (no timed assertion: the machine is shared); a CPU trains below
    the cap, so the two rates should match within the noise."""
    rates = {}
    for id_ in ("full", DEFAULT_SPEED):
        loop = Loop(_Conn(), Pace(), 1)
        build = functools.partial(tasks.RunJob, RunConfig(), None)
        loop.handle(("load", 1, "build", build, Pace(), "t1", SPEEDS.get(id_), True))
        loop.job.advance(60.0, 16)  # warm-up
        start, before = time.perf_counter(), loop.job.progress
        while time.perf_counter() - start < 1.5:
            loop.work_slice()
        rates[id_] = (loop.job.progress - before) / (time.perf_counter() - start)
        assert loop.job.progress > before
    print(f"\n2D default on the CPU: full speed {rates['full']:.1f} steps/s, class pace "
          f"(cap {CLASS_PACE:.0f}) {rates[DEFAULT_SPEED]:.1f} steps/s")
