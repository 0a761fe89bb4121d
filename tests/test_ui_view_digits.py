"""What the MNIST lab's tiles say: no collapse alarm before G has trained (the rehearsal saw
"Collapse: digits 2, 8, 9 take 100% of the fakes" at step 0), and the histogram's labels."""
import numpy as np

from playground.figures import digits
from playground.snapshot import ImageSnapshot
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
