"""The theory page's progress and done lines (theory_text): what was measured on this machine,
never a promised duration, and a clear "Done" when the work is over."""
import numpy as np

from playground.theory.em_vs_js import Curves
from playground.theory.tasks import CompareView, EstimateView, RaceView
from playground.theory.theta_game import ThetaTrace
from playground.ui import theory_text

THETAS = (-1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0)


def _curves(steps: int, status: str = "ok", reason: str = "") -> Curves:
    e = np.arange(0.0, steps + 1, 50)
    return Curves("ns", "ns", False, 8, status, reason, e, e, e, e, e, e, e)


def _trace(steps: int) -> ThetaTrace:
    s = np.arange(steps + 1.0)
    return ThetaTrace("ns", s, s, s, s, s)


def test_estimate_progress_states_the_measured_time_per_theta():
    assert theory_text.estimate_progress(EstimateView(THETAS, (), None, 0.0)) \
        == "θ 1 of 7 running…"
    view = EstimateView(THETAS, ("row",) * 3, None, 15.3)
    assert theory_text.estimate_progress(view) == "θ 3 of 7 done · 5.1 s each on this machine"


def test_estimate_done_says_done_with_the_total():
    view = EstimateView(THETAS, ("row",) * 7, "floor", 36.4)
    assert theory_text.estimate_progress(view) == "Done: 7 θ in 36 s (5.2 s each)"


def test_compare_progress_and_done():
    running = CompareView(1000, {"ns": _curves(400), "wgan_gp": _curves(400)}, 12.2)
    assert theory_text.compare_progress(running) == \
        "ns: step 400 · wgan_gp: step 400 of 1,000 · 12 s so far"
    done = CompareView(1000, {"ns": _curves(1000), "wgan_gp": _curves(1000)}, 31.0, True)
    assert theory_text.compare_progress(done) == "Done: 2 × 1,000 steps in 31 s"
    stopped = CompareView(1000, {"ns": _curves(1000), "wgan_gp": _curves(300, "diverged",
                                                                         "NaN loss")}, 9.5, True)
    assert theory_text.compare_progress(stopped) == \
        "Done in 9.5 s: ns reached step 1,000; wgan_gp stopped at step 300 (NaN loss)"


def test_race_progress_and_done():
    assert theory_text.race_progress(RaceView(300, {}, 0.0)) == \
        "Training each loss's D at θ0 first (500 updates each)…"
    running = RaceView(300, {"minimax": _trace(120), "ns": _trace(120)}, 4.0)
    assert theory_text.race_progress(running) == "120 of 300 θ updates · 4.0 s so far"
    done = RaceView(300, {k: _trace(300) for k in ("minimax", "ns", "wgan_gp")}, 11.2)
    assert theory_text.race_progress(done) == "Done: 3 × 300 θ updates in 11 s"


def test_no_time_promises_in_the_page_text():
    from pathlib import Path

    import playground.ui.pages.theory as page
    from playground.ui import theory_tabs
    source = "".join(Path(m.__file__).read_text() for m in (page, theory_tabs, theory_text))
    for promise in ("~2 s", "a few minutes", "a few seconds"):
        assert promise not in source
