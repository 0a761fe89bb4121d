"""Figures of the 2D lab, built from hand-made snapshots (no torch): trace names and counts,
validity under plotly's full validation, colour ranges and arrow scaling."""
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from snapshots2d import make_snap

from playground.engine.snapshot import Snapshot2D
from playground.figures import curves, lab2d, lab2d_curves
from playground.figures.lab2d import Overlays, arrow_lengths, arrow_segments, samples_figure
from playground.figures.style import NORMAL, PRESENTER


def validated(fig: go.Figure) -> go.Figure:
    """Check with plotly's full validation (the app skips it for speed, tests do not); return
    the original, whose arrays are still numpy (to_dict() base64-encodes them)."""
    go.Figure(fig.to_dict())
    return fig


def names(fig) -> list[str]:
    return [t.name for t in fig.data]


ALL = Overlays(arrows=True, field=True, manifold=True, trails=True)
NONE = Overlays(arrows=False, field=False, manifold=False, trails=False)


def test_samples_figure_has_every_layer_in_order():
    fig = validated(samples_figure(make_snap(), ALL))
    kinds = [t.type for t in fig.data]
    assert kinds[0] == "heatmap"  # drawn first, under everything
    # the reals (std 0.01 on the ring) above the mode markers and the fakes
    assert [n.split(" (")[0] for n in names(fig)[1:]] == [
        "field", "G manifold", "trails", "modes", "fake", "real", "G's push"]
    assert all(k == "scattergl" for k in kinds[1:])  # WebGL: SVG points cap the browser at ~2/s
    real = next(t for t in fig.data if t.name == "real")
    assert len(real.x) == 512 and real.marker.color == "#1b9e4b"


def test_overlays_switch_off_and_axes_are_fixed():
    snap = make_snap()
    fig = validated(samples_figure(snap, NONE))
    assert names(fig) == ["D", "modes", "fake", "real"]
    assert tuple(fig.layout.xaxis.range) == (-1.5, 1.5)
    assert tuple(fig.layout.yaxis.range) == (-1.5, 1.5)
    assert fig.layout.uirevision == "lab"  # zoom survives live updates
    assert fig.layout.meta["step"] == 123


def test_figure_is_a_pure_function_of_the_snapshot():
    snap = make_snap()
    a, b = samples_figure(snap, ALL).to_plotly_json(), samples_figure(snap, ALL).to_plotly_json()
    assert go.Figure(a).to_json() == go.Figure(b).to_json()


def test_probability_surface_uses_fixed_unit_range():
    trace = validated(samples_figure(make_snap("prob"))).data[0]
    assert (trace.zmin, trace.zmax) == (0.0, 1.0)


def test_critic_surface_is_centred_on_the_boundary_and_not_saturated():
    snap = make_snap("score")
    zmin, zmax = lab2d.surface_range(snap)
    assert (zmin + zmax) / 2 == pytest.approx(snap.surface_centre)  # white = undecided
    inside = np.mean((snap.surface >= zmin) & (snap.surface <= zmax))
    assert 0.9 < inside < 1.0  # the bulk is on the scale; outliers clip, not the whole map


def test_critic_range_survives_a_flat_surface():
    snap = make_snap("score")
    flat = Snapshot2D(**{**snap.__dict__, "surface": np.full_like(snap.surface, 2.0),
                       "surface_centre": 2.0})
    zmin, zmax = lab2d.surface_range(flat)
    assert zmin < 2.0 < zmax and math.isfinite(zmax - zmin)


def test_arrow_lengths_are_linear_up_to_a_unit_slope():
    v = np.array([[1.0, 0], [0.5, 0], [0.02, 0], [0, 0], [5.0, 0]], np.float32)
    length = arrow_lengths(v, span=10.0)
    full = lab2d.ARROW_FRAC * 10
    assert length[0] == pytest.approx(full)  # a 1-Lipschitz critic's slope: full length
    assert length[1] == pytest.approx(full / 2)  # a collapsed G's push (measured ~0.5)
    assert length[2] == pytest.approx(full / 50)  # a settled R1 run (median 0.02): short
    assert length[3] == 0
    assert length[4] == pytest.approx(full)  # capped


def test_arrow_segments_point_along_the_push():
    seg = arrow_segments(np.zeros((2, 2), np.float32), np.array([[1, 0], [1e-9, 0]],
                                                               np.float32), span=1.0)
    assert seg.shape == (7, 2)  # the vanished second arrow is dropped
    assert seg[1, 0] == pytest.approx(lab2d.ARROW_FRAC) and seg[1, 1] == 0  # tip along +x
    assert np.isnan(seg[3]).all() and np.isnan(seg[6]).all()


def test_manifold_and_trails_are_one_polyline_per_row():
    snap = make_snap()
    fig = samples_figure(snap, Overlays(arrows=False, manifold=True, trails=True))
    manifold = next(t for t in fig.data if t.name == "G manifold")
    trails = next(t for t in fig.data if t.name == "trails")
    assert np.isnan(np.asarray(manifold.x, float)).sum() == 2 * 25  # rows + columns
    assert np.isnan(np.asarray(trails.x, float)).sum() == 64  # one break per tracked fake
    assert len(trails.x) == 64 * (20 + 1)


def test_presenter_style_is_bigger_and_fits_the_window():
    fig = samples_figure(make_snap(), style=PRESENTER)
    assert fig.layout.font.size == PRESENTER.font_size and fig.layout.height == PRESENTER.height
    fit = fig.layout.meta["fit"]  # liveplot sizes the chart to the browser window
    assert fit["min"] <= fit["max"] and fit["share"] == 1.0
    # a 1280 x 800 projector: the plot takes what the page's chrome leaves
    assert fit["min"] <= 800 - fit["minus"] <= fit["max"]


def test_the_legend_has_its_own_room_so_overlays_never_move_the_plot():
    few, many = samples_figure(make_snap(), NONE), samples_figure(make_snap(), ALL)
    assert few.layout.margin.b == many.layout.margin.b >= 1.9 * NORMAL.legend_font
    assert few.layout.legend.yref == "container"


def test_loss_figure_curves():
    fig = validated(curves.loss_figure(make_snap()))
    assert names(fig) == ["D loss", "G loss"] and len(fig.data[0].x) == 50
    empty = validated(curves.loss_figure(make_snap(history=0)))
    assert "press Train" in empty.layout.annotations[0].text
    assert tuple(empty.layout.xaxis.range) == (0, 100)  # step 0: no '0, 500m, 1' ticks


def test_one_loss_spike_does_not_flatten_the_chart():
    snap = make_snap(history=200)
    d = np.linspace(1.4, 1.0, 200).astype(np.float32)
    d[150] = 5e7  # a divergence's spike
    spiky = Snapshot2D(**{**snap.__dict__, "history": {**snap.history, "d_loss": d,
                                                   "step": np.arange(200, dtype=np.float32),
                                                   "g_loss": np.ones(200, np.float32)}})
    fig = validated(curves.loss_figure(spiky))
    lo, hi = fig.layout.yaxis.range
    assert 0.9 < hi < 2.0 and 0.5 < lo < 1.0  # the bulk fills the chart...
    assert any(a.text == "1 off-scale value not shown"  # ...and it says so
               for a in fig.layout.annotations)


def test_live_changes_are_marked_on_every_curve():
    snap = make_snap(events=((100, "loss ns→wgan_gp, gp_lambda 0→10"), (300, "lr_d 0.001→0.0001")))
    for figure in (curves.loss_figure, lab2d_curves.coverage_figure,
                   lab2d_curves.divergence_figure):
        fig = validated(figure(snap))
        xs = {sh.x0 for sh in fig.layout.shapes if sh.line.dash == "dot"}
        assert xs == {100, 300}, figure.__name__
    labels = " ".join(a.text for a in curves.loss_figure(snap).layout.annotations)
    assert "lr_d→0.0001" in labels and "loss→wgan_gp" in labels  # said once


def test_event_labels_stay_apart_and_inside_the_plot():
    """Seen at 1280 px: 'loss ns→ loss lsg' printed over each other, 'r1_gamm' cut at the
    right edge, 'spectral_norm on→off' twice."""
    events = ((100, "loss ns→hinge"), (300, "loss hinge→lsgan"),
              (6000, "spectral_norm on→off"), (6200, "spectral_norm on→off"),
              (9900, "r1_gamma 0→10"))
    fig = validated(curves.loss_figure(make_snap(history=1000, events=events)))
    top = fig.layout.xaxis.range[1]
    assert top == pytest.approx(9990 * 1.02)  # make_snap steps by 10
    lines = sorted(sh.x0 for sh in fig.layout.shapes if sh.line.dash == "dot")
    assert lines == [100, 300, 6000, 9900]  # the repeated change once
    notes = {a.text: a for a in fig.layout.annotations if a.xref == "x"}
    assert set(notes) == {"loss→hinge", "loss→lsgan", "spectral_norm→off", "r1_gamma→10"}
    assert notes["loss→lsgan"].hovertext == "loss hinge→lsgan"  # the whole change on hover
    for a in notes.values():  # each label runs from its line towards the middle
        assert a.xanchor == ("right" if a.x > top / 2 else "left"), a.text
        assert len(a.text) <= curves.EVENT_CHARS
    # the two changes 200 steps apart take different rows; a far one starts at the top again
    assert notes["loss→hinge"].y != notes["loss→lsgan"].y
    assert notes["r1_gamma→10"].y == 1.0 and notes["loss→hinge"].y == 1.0
    assert {round(a.y, 2) for a in notes.values()} <= {1.0, 0.88, 0.76}


def test_event_text_keeps_the_new_value_and_is_short():
    assert curves.event_text("loss ns→lsgan") == "loss→lsgan"
    assert curves.event_text("spectral_norm on→off") == "spectral_norm→off"
    long = curves.event_text("loss ns→wgan_gp, gp_lambda 0→10, lr_d 0.001→0.0001")
    assert long.startswith("loss→wgan_gp") and len(long) == curves.EVENT_CHARS


def test_coverage_figure_with_and_without_ground_truth():
    fig = validated(lab2d_curves.coverage_figure(make_snap()))
    assert names(fig) == ["within 3 std", "nearest, not HQ", "modes captured", "% HQ",
                          "reverse KL"]
    # stacked: the HQ part solid, the rest of the fakes nearest each mode light on top
    assert list(fig.data[0].y) == list(range(8)) and fig.layout.barmode == "stack"
    assert list(fig.data[0].y + fig.data[1].y) == [2 * k + 1 for k in range(8)]
    modes = next(t for t in fig.data if t.name == "modes captured")
    assert modes.y[10] == pytest.approx(100 * 2 / 8) and modes.customdata[10] == 2  # step 100
    bare = validated(lab2d_curves.coverage_figure(make_snap(with_truth=False)))
    assert "no ground-truth modes" in bare.layout.annotations[0].text
    assert "within 3 std" not in names(bare)


def _without(snap: Snapshot2D, *keys: str, **fields) -> Snapshot2D:
    mh = {k: v for k, v in snap.metric_history.items() if k not in keys}
    return Snapshot2D(**{**snap.__dict__, "metric_history": mh, **fields})


def test_nothing_to_draw_is_a_message_not_empty_axes():
    """Seen: a shipped run's 'no evaluation yet' over an empty 'Fakes per mode' panel, and a
    CSV's 'no ground-truth modes' printed over an empty chart's ticks."""
    shipped = validated(lab2d_curves.coverage_figure(  # curves kept, per-mode counts not
        Snapshot2D(**{**make_snap().__dict__, "mode_counts": None, "mode_nearest": None})))
    lay = shipped.layout
    assert lay.xaxis.visible is False and lay.yaxis.visible is False  # no empty bar axes
    assert lay.xaxis2.visible is True and "modes captured" in names(shipped)  # the curves stay
    msg = next(a for a in lay.annotations if "next<br>evaluation" in a.text)
    # in the bars' place, left of the curves' y axis title (it overprinted it at 1280 px)
    assert msg.x == 0 and msg.xanchor == "left"
    assert max(len(t) for t in msg.text.split("<br>")) <= 11
    custom = validated(lab2d_curves.coverage_figure(
        _without(make_snap(with_truth=False), "modes", "hq_pct", "rkl")))
    lay = custom.layout
    assert not custom.data
    assert all(getattr(lay, a).visible is False
               for a in ("xaxis", "yaxis", "xaxis2", "yaxis2", "yaxis3"))
    msg = next(a.text for a in lay.annotations if "no ground-truth modes" in a.text)
    assert max(len(t) for t in msg.split("<br>")) <= 36  # ~300 px at 1280
    fresh = validated(lab2d_curves.divergence_figure(make_snap(history=0)))
    assert fresh.layout.xaxis.visible is False and fresh.layout.xaxis2.visible is False
    assert not fresh.layout.shapes and "first evaluation" in fresh.layout.annotations[0].text


def test_divergence_figure_side_by_side_with_log2_ceiling():
    fig = validated(lab2d_curves.divergence_figure(make_snap()))
    assert names(fig) == ["W1", "JSD", "D's JS bound"]
    assert fig.data[0].xaxis == "x" and fig.data[1].xaxis == "x2"
    assert fig.layout.shapes[0].y0 == pytest.approx(math.log(2))
    none = validated(lab2d_curves.divergence_figure(make_snap(js_bound=False)))
    assert "D's JS bound" not in names(none)
    assert any("no JS bound" in a.text for a in none.layout.annotations)


def test_outside_counts_fakes_beyond_the_fixed_axes():
    snap = make_snap()
    inside = Snapshot2D(**{**snap.__dict__, "fake": np.zeros((10, 2), np.float32)})
    assert inside.outside == 0.0
    fake = np.zeros((10, 2), np.float32)
    fake[:3, 0] = 1.6  # right of xmax = 1.5
    fake[3, 1] = -1.6  # below ymin
    assert Snapshot2D(**{**snap.__dict__, "fake": fake}).outside == pytest.approx(0.4)
    far = np.full((10, 2), 187.0, np.float32)  # an f-GAN generator that ran off
    assert Snapshot2D(**{**snap.__dict__, "fake": far}).outside == 1.0


def test_a_single_evaluation_is_drawn_as_a_point():
    one = make_snap(history=1)
    fig = validated(lab2d_curves.coverage_figure(one))
    assert {t.mode for t in fig.data if t.type == "scatter"} == {"lines+markers"}
    many = validated(lab2d_curves.coverage_figure(make_snap(history=50)))
    assert {t.mode for t in many.data if t.type == "scatter"} == {"lines"}
