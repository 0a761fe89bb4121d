"""Theory figures from hand-made numpy data: trace names and counts, no torch needed."""
import math

import numpy as np

from playground.figures import theory as figs
from playground.theory.em_vs_js import Curves
from playground.theory.parallel_lines import closed_forms
from playground.theory.theta_game import ThetaTrace


def _names(fig):
    return [t.name for t in fig.data]


def test_closed_forms_figure_breaks_the_lines_at_zero():
    c = closed_forms(np.array([-1.0, 0.0, 1.0]))
    fig = figs.closed_forms_figure(c.theta, c.w, c.js, c.kl, c.tv, 0.5)
    assert [n for n in _names(fig) if n] == ["W (earth mover)", "JS", "KL", "TV"]
    assert len(fig.data) == 7  # 4 curves + the value at 0 of JS, KL, TV
    by_name = {t.name: t for t in fig.data if t.name}
    js = by_name["JS"].y
    assert math.isnan(js[1]) and js[0] == np.float32(math.log(2))
    assert by_name["KL"].y[0] == np.float32(figs.INF_DRAWN_AT)  # +inf drawn at the cap
    assert by_name["W (earth mover)"].y[1] == 0.0  # W is continuous: no break at 0


def test_lines_and_estimates_figures():
    pts = np.zeros((4, 2), np.float32)
    assert len(figs.lines_figure(pts, pts + [0.3, 0], 0.3).data) == 4
    t = np.array([-1.0, 0.0, 1.0])
    fig = figs.estimates_figure(t, np.abs(t), np.array([0.69, 0, 0.69]), t, t, t, t, t)
    assert len(fig.data) == 6 and _names(fig)[2].startswith("learned JS")


def test_theta_figure_floors_zero_gradients():
    tr = ThetaTrace("minimax", np.arange(3.0), np.ones(3), np.array([np.nan, 0.0, 1e-20]),
                    np.zeros(3), np.zeros(3))
    fig = figs.theta_figure({"minimax": tr}, 1.0)
    assert len(fig.data) == 2
    np.testing.assert_array_equal(fig.data[1].y, np.float32([figs.GRAD_FLOOR] * 2))


def test_saturation_figure():
    x = np.linspace(-1, 1, 5)
    fig = figs.saturation_figure(x, x, x, x, x, x, x)
    assert _names(fig) == ["real density", "fake density", "D(x) = sigmoid(s(x))",
                           "critic f(x)", "|dD/dx|", "|df/dx|"]


def test_em_vs_js_figure_shows_critic_gap_only_for_critics():
    e = np.arange(3.0)
    common = dict(n_modes=8, status="ok", reason="", step=e, w1=e, jsd=e, js_bound=e,
                  critic_gap=e, modes=e, hq_pct=e)
    curves = {"ns": Curves("ns", "ns", False, **common),
              "wgan_gp": Curves("wgan_gp", "wgan_gp", True, **common)}
    names = _names(figs.em_vs_js_figure(curves, 5))
    assert "wgan_gp: critic estimate" in names and "ns: critic estimate" not in names
    assert "ns: JS bound of D" in names and "wgan_gp: JS bound of D" not in names
    assert len(names) == 8


def _is_round(values) -> bool:
    """Equally spaced multiples of a step of 1, 2 or 5 times a power of ten."""
    v = np.asarray(values, dtype=np.float64)
    step = float(np.diff(v).min())
    mantissa = step / 10 ** math.floor(math.log10(step))
    return (len(v) >= 3 and np.allclose(np.diff(v), step)
            and any(math.isclose(mantissa, m) for m in (1, 2, 5))
            and np.allclose(v / step, np.round(v / step)))


def test_saturation_critic_axis_has_round_ticks():
    # the critic's range seen on the page: f from -2.81 to 11.61
    x = np.linspace(-10, 10, 41)
    critic = np.linspace(11.61, -2.81, 41)
    fig = figs.saturation_figure(x, x * 0, x * 0, x * 0, x * 0, critic, x * 0 - 0.7)
    ticks = fig.layout.yaxis2.tickvals
    assert ticks is not None and _is_round(ticks), ticks
    lo, hi = fig.layout.yaxis2.range
    assert lo <= -2.81 and hi >= 11.61 and ticks[0] >= lo and ticks[-1] <= hi
    assert 4 <= len(ticks) <= 9


def test_round_ticks_cover_odd_ranges():
    for lo, hi in ((-2.81, 11.61), (0.0, 0.013), (-1e-9, 1e-9), (3.0, 3.0), (-250.0, 4.0)):
        ticks, (a, b) = figs.round_ticks(np.array([lo, hi]))
        assert _is_round(ticks) and 3 <= len(ticks) <= 9, (lo, ticks)
        assert a <= lo and hi <= b and a <= ticks[0] and ticks[-1] <= b, (lo, hi, a, b)
