"""The worker loop's views (serve/worker.py `Loop._view_due`): cheap ones come at the pace's
rate; dear ones are spaced so that drawing never takes more than `view_share` of the training
process's time (r1_wide's 4 x 512 D made 1-2 steps/s live at 5 pictures a second)."""
import time

import pytest

from playground.serve.worker import Loop, Pace
from playground.speeds import FULL


class _Conn:
    def send(self, msg):
        pass


class _Job:
    """Training sleeps through its slice; a view sleeps `view_s` (and records how long)."""
    status, reason = "ok", ""

    def __init__(self, view_s: float):
        self.progress, self.view_s, self.views, self.viewing = 0, view_s, 0, 0.0

    def advance(self, seconds: float, max_steps: int) -> int:
        time.sleep(min(seconds, 0.01))
        self.progress += 1
        return 1

    def observe(self, with_metrics: bool):
        start = time.monotonic()
        time.sleep(self.view_s)
        self.views += 1
        self.viewing += time.monotonic() - start


def _run(view_s: float, seconds: float, pace: Pace) -> tuple[float, float]:
    """(views per second, share of the time spent in views) of an eager page (it takes every
    view at once) over `seconds` of training at full speed."""
    loop = Loop(_Conn(), pace, 1)
    loop.job, loop.working = _Job(view_s), True
    loop.speed(FULL)
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        loop.wanted = True
        loop.work_slice()
    return loop.job.views / elapsed, loop.job.viewing / elapsed


def test_cheap_views_come_at_the_pace_rate():
    rate, share = _run(0.005, 2.0, Pace(snapshot_hz=5.0))
    assert 4.0 <= rate <= 5.6  # 5 a second (the first at once, then one every 0.2 s)
    assert share < 0.1


@pytest.mark.parametrize("view_s", [0.2, 0.4])
def test_dear_views_take_at_most_their_share_of_the_time(view_s):
    """At 5 a second a 0.2 s view would take half the time and a 0.4 s one two thirds; the
    loop spaces them to ~30 % (sleeps overrun on a busy box, so both sides have margin) and
    still shows one every v / 0.3 s or so."""
    pace = Pace(snapshot_hz=5.0)
    rate, share = _run(view_s, 4.0, pace)
    assert 0.2 <= share <= pace.view_share + 0.06
    assert rate >= 0.5 * pace.view_share / view_s
