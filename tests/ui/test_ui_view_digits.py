"""What the MNIST lab's tiles say: no collapse alarm before G has trained (the rehearsal saw
"Collapse: digits 2, 8, 9 take 100% of the fakes" at step 0), and the histogram's labels."""
import numpy as np

from playground.engine.snapshot import ImageSnapshot
from playground.figures import digits
from playground.ui import view_digits


def snap(step: int, histogram, evaluated: list[int] | None = None) -> ImageSnapshot:
    n = 4
    return ImageSnapshot(
        step=step, status="ok", reason="", dataset="mnist", loss="ns",
        metrics={"classes": 3.0, "fd": 500.0}, reference={"fd": 40.0},
        metric_history={} if evaluated is None else {
            "step": np.asarray(evaluated, np.float32)},
        fake=np.zeros((n, 28, 28), np.uint8), real=np.zeros((n, 28, 28), np.uint8),
        d_fake=np.zeros(n, np.float32), d_real=np.zeros(n, np.float32),
        labels=np.zeros(n, np.int64), confidence=np.ones(n, np.float32),
        real_labels=np.zeros(n, np.int64), histogram=np.asarray(histogram, np.float32))


THREE = [0, 0, 0.4, 0, 0, 0, 0, 0, 0.35, 0.25]  # digits 2, 8, 9 take every fake


def test_no_collapse_alarm_before_g_has_trained():
    assert "Collapse" not in view_digits.tile_note(snap(0, THREE, [0]))  # before training
    early = view_digits.tile_note(snap(0, THREE))  # a fresh run scored on opening
    assert "Collapse" not in early and "barely trained" in early
    # training has started, but the tiles still show the step-0 evaluation
    assert "Collapse" not in view_digits.tile_note(snap(150, THREE, [0]))
    last = view_digits.ALARM_FROM_STEP - 1
    assert "Collapse" not in view_digits.tile_note(snap(last, THREE, [0, last]))


def test_a_trained_or_loaded_run_that_collapsed_is_announced():
    at = view_digits.ALARM_FROM_STEP
    note = view_digits.tile_note(snap(at, THREE, [0, at]))
    assert note == "Collapse: digits 2, 8, 9 take 100% of the fakes."
    assert "Collapse" in view_digits.tile_note(snap(12_000, THREE))  # a shipped run at its step
    even = [0.1] * 10
    assert "Collapse" not in view_digits.tile_note(snap(12_000, even))


def test_the_real_share_label_sits_above_the_bars():
    fig = digits.histogram_figure(snap(300, THREE, [300]))
    (label,) = [a for a in fig.layout.annotations if "real" in a.text]
    assert label.yref == "y domain" and label.y >= 1 and label.yanchor == "bottom"
    assert label.xanchor == "right" and label.x == 1


def grid_px(fig, column: float, window: float) -> float:
    """The generated grid's width in the browser: liveplot's height rule (layout.meta.fit),
    then the axes' fixed aspect inside the plot area."""
    lay = fig.layout
    fit = lay.meta["fit"]
    h = min(fit["share"] * window - fit["minus"], fit["aspect"][0] * column + fit["aspect"][1])
    h = max(fit["min"], min(fit["max"], h))
    m = lay.margin
    w_plot, h_plot = column - m.l - m.r, h - m.t - m.b
    x0, x1 = lay.xaxis.domain
    y0, y1 = lay.yaxis.domain or (0, 1)
    width, height = lay.xaxis.range[1], lay.yaxis.range[0]
    return min(w_plot * (x1 - x0), h_plot * (y1 - y0) * width / height)


def test_the_digit_grid_is_large_at_1280_with_the_sidebar_open():
    """At 1280x800 with the sidebar open the picture column was 394 px and the grid beside the
    real digits 283 px (35 px a digit; measured in Chromium). With the reals below it and the
    column at 1.1 : 1, the grid takes the column's width: >= 48 px a digit."""
    s = snap(300, THREE, [300])
    s = type(s)(**{**s.__dict__, "fake": np.zeros((64, 28, 28), np.uint8),
                   "labels": np.zeros(64, np.int64), "confidence": np.ones(64, np.float32),
                   "d_fake": np.zeros(64, np.float32),
                   "real": np.zeros((16, 28, 28), np.uint8), "real_labels": np.zeros(16),
                   "d_real": np.zeros(16, np.float32)})
    column = (394 + 394 + 24) * 1.1 / 2.1 - 12  # the two columns' 812 px (gap 24) at 1.1 : 1
    below = digits.samples_figure(s, reals_below=True)
    assert grid_px(below, column, 800) / 8 >= 48
    assert grid_px(below, 394, 800) / 8 >= 47  # even at the old column width
    beside = digits.samples_figure(s)  # presenter mode keeps the reals beside
    assert grid_px(beside, 394, 800) / 8 < 40  # what the rehearsal saw (35 px a digit)
    # 1920x1080 with the sidebar: the window's height bounds it, never smaller than before
    assert grid_px(below, 640, 1080) >= grid_px(beside, 640, 1080)
    assert below.layout.yaxis2.domain[1] < below.layout.yaxis.domain[0]  # reals under it
    assert "real digits below" in below.layout.title.text


def test_the_digit_figures_are_valid_plotly():
    import plotly.graph_objects as go
    s = snap(300, THREE, [300])
    for fig in (digits.samples_figure(s, reals_below=True), digits.samples_figure(s),
                digits.histogram_figure(s)):
        go.Figure(fig.to_dict())  # validates every property (`figure` skips it for speed)


def test_a_conditional_grid_is_ten_rows_with_the_misread_digits_in_amber():
    import dataclasses
    n = 30  # ten rows of three columns: row k asks for digit k
    asked = np.arange(10).repeat(3)
    read = asked.copy()
    read[[4, 17]] = 0  # two digits read as another class than asked for
    base = snap(300, [0.1] * 10, [300])
    cond = dataclasses.replace(
        base, fake=np.zeros((n, 28, 28), np.uint8), d_fake=np.zeros(n, np.float32),
        labels=read, confidence=np.ones(n, np.float32), requested=asked)
    fig = digits.samples_figure(cond)
    assert "row k asks for digit k" in fig.layout.title.text
    # the picture's axes: 3 columns and 10 rows of 28 px tiles with 2 px gaps
    assert tuple(fig.layout.xaxis.range) == (0, 3 * digits.TILE + digits.PAD)
    assert tuple(fig.layout.yaxis.range) == (10 * digits.TILE + digits.PAD, 0)
    labels = next(t for t in fig.data if t.name == "labels")
    amber = [i for i, c in enumerate(labels.textfont.color) if c != "#ffffff"]
    assert amber == [4, 17]
    plain = digits.samples_figure(base)  # unconditional: the square grid, its own heading
    assert "fixed z" in plain.layout.title.text


def test_an_infogan_grid_labels_each_row_with_the_digit_its_code_reads_as():
    import dataclasses

    import plotly.graph_objects as go
    n = 40  # ten code rows of four columns sweeping c2 from -2 to 2
    codes = np.arange(10).repeat(4)
    matched = np.array([3, 7, 0, 9, 1, 2, 8, 5, 4, 6])  # code value k reads as matched[k]
    read = matched[codes]
    read[[5, 22]] = 1  # two tiles read as another digit than their row's
    base = snap(300, [0.1] * 10, [300])
    info = dataclasses.replace(
        base, fake=np.zeros((n, 28, 28), np.uint8), d_fake=np.zeros(n, np.float32),
        labels=read, confidence=np.ones(n, np.float32), codes=codes,
        sweep=np.linspace(-2, 2, 4).astype(np.float32), sweep_code=1, code_digit=matched)
    for reals_below in (False, True):
        fig = digits.samples_figure(info, reals_below=reals_below)
        go.Figure(fig.to_dict())  # valid plotly
        assert "columns: code c2 -2 → 2" in fig.layout.title.text
        assert list(fig.layout.yaxis.ticktext) == [f"c={k} → {matched[k]}" for k in range(10)]
        assert tuple(fig.layout.xaxis.range) == (0, 4 * digits.TILE + digits.PAD)
        assert fig.layout.margin.l == digits.CODE_MARGIN  # room for the row labels
        labels = next(t for t in fig.data if t.name == "labels")
        assert [i for i, c in enumerate(labels.textfont.color) if c != "#ffffff"] == [5, 22]
    unknown = dataclasses.replace(info, code_digit=-np.ones(10, np.int64))  # before an eval
    fig = digits.samples_figure(unknown)
    assert list(fig.layout.yaxis.ticktext) == [f"c={k}" for k in range(10)]
    labels = next(t for t in fig.data if t.name == "labels")
    assert set(labels.textfont.color) == {"#ffffff"}  # nothing to disagree with yet
