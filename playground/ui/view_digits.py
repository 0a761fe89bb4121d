"""What the MNIST lab draws live: the grid of digits from a fixed z beside real digits (left),
the class-coverage tiles, the class histogram, the losses and the class curves (right), and
the animated GIF of the session's timeline (serve/reel.py: kept in the server, not here).
"""
from __future__ import annotations

import math

import numpy as np
import streamlit as st

from playground.engine.snapshot import ImageSnapshot
from playground.figures import digits
from playground.figures.curves import loss_figure
from playground.figures.style import Style
from playground.ui import views
from playground.ui.liveplot import live_chart
from playground.ui.state import Page


def drawing(pg: Page, show_scores: bool, scrub: ImageSnapshot | None = None) -> views.Drawing:
    def picture(snap: ImageSnapshot, style: Style) -> None:
        snap = views.scrubbed(snap, scrub)
        # with the sidebar open the column is narrow: the real digits go under the grid
        live_chart(digits.samples_figure(snap, style, show_scores,
                                         reals_below=not pg.get("present")), "mnist.grid",
                   views.PLOTLY_CONFIG)

    def panels(snap: ImageSnapshot, style: Style) -> None:
        snap, cursor = views.scrubbed(snap, scrub), views.cursor_of(scrub)
        tiles(snap)
        live_chart(digits.histogram_figure(snap, style), "mnist.histogram", views.PLOTLY_CONFIG)
        live_chart(loss_figure(snap, style, cursor), "mnist.losses", views.PLOTLY_CONFIG)
        live_chart(digits.class_curves_figure(snap, style), "mnist.classes",
                   views.PLOTLY_CONFIG)

    # the picture's column a little wider than the panels': 50 px a digit at 1280 px with the
    # sidebar open (the grid is as wide as its column)
    return views.Drawing(picture, panels, rate_unit="images/s", columns=(1.1, 1))


def tiles(snap: ImageSnapshot) -> None:
    m, ref = snap.metrics, snap.reference

    def real(key: str, pattern: str) -> str:
        return f"real: {views.fmt(ref.get(key), pattern)}" if key in ref else ""

    agreement = [] if "label_agreement" not in ref else [
        ("Label agreement", views.fmt(m.get("label_agreement"), "{:.0%}"),
         real("label_agreement", "{:.0%}"),
         "share of 300 fakes (30 asked for each digit) that the classifier reads as the digit "
         "asked for; real: its accuracy on 300 test digits")]
    if "code_agreement" in ref:
        agreement.append(
            ("Code agreement", views.fmt(m.get("code_agreement"), "{:.0%}"),
             real("code_agreement", "{:.0%}"),
             "share of 300 fakes whose categorical code, each code value matched one-to-one "
             "to the digit it draws most (row labels), is the digit the classifier reads; "
             "real: the classifier's accuracy, what a code that is the class would reach. "
             "Found without labels: it often does not line up on the first try"))
    views.tiles([*agreement,
        ("Classes", f"{views.fmt(m.get('classes'), '{:.0f}')}/10", real("classes", "{:.0f}/10"),
         "digit classes holding at least 1% of 300 fakes, by the frozen classifier"),
        ("Class KL", views.fmt(m.get("class_kl"), "{:.3f}"), real("class_kl", "{:.3f}"),
         "KL of the class histogram to uniform, nats: 0 = every digit equally often, "
         "ln 10 = 2.30 = one digit"),
        ("Confidence", views.fmt(m.get("confidence"), "{:.2f}"), real("confidence", "{:.2f}"),
         "the classifier's mean top probability: how clearly the fakes read as digits"),
        ("Score", views.fmt(m.get("score"), "{:.1f}"), real("score", "{:.1f}"),
         "exp(E KL(p(y|x) || p(y))): the Inception-score formula with this classifier, 1-10"),
        ("FD", views.fmt(m.get("fd"), "{:.0f}"), real("fd", "{:.0f}"),
         "Fréchet distance to real digits in the classifier's features (300 fakes): the one "
         "metric blurry class averages cannot fool"),
    ], tile_note(snap))


# No collapse alarm before G has trained this many steps: an untrained G's blobs read as two
# or three digits. Measured (seed 0, 300 fakes): the top three classes held 100% at step 0,
# 98% at step 50 and 56-69% from step 100 to 400 with `dcgan`; 97-100% at steps 100-200 and
# 85-98% at 300-400 with `mnist_collapse`.
ALARM_FROM_STEP = 200


def evaluated_at(snap: ImageSnapshot) -> int:
    """The step of the evaluation the histogram and the tiles show (the snapshot's own step
    when the history is empty, e.g. a loaded run scored on opening)."""
    steps = snap.metric_history.get("step")
    return int(steps[-1]) if steps is not None and len(steps) else snap.step


def tile_note(snap: ImageSnapshot) -> str:
    m = snap.metrics
    classes = m.get("classes", math.nan)
    if not math.isfinite(classes):
        return ""
    h = snap.histogram
    step = evaluated_at(snap)
    if step < ALARM_FROM_STEP:
        return (f"Step {step:,}: G is barely trained; its blobs read as a few digits. "
                f"Coverage is judged from step {ALARM_FROM_STEP}.")
    if h is not None and np.sort(h)[-3:].sum() > 0.8:
        top = ", ".join(str(int(k)) for k in np.argsort(h)[-3:][::-1])
        return f"Collapse: digits {top} take {100 * np.sort(h)[-3:].sum():.0f}% of the fakes."
    if classes == 10 and m.get("fd", math.inf) > 3 * snap.reference.get("fd", math.inf):
        return "Every digit appears; the Fréchet distance says they do not yet look real."
    return "Dashed lines: the real digits' own values."


def export_gif(frames: list[tuple[int, ImageSnapshot]]) -> bytes:
    """The timeline's (step, picture) frames as an animated GIF, one frame each. Takes the
    frames, not the page or the handle: it runs in Streamlit's download handler, outside the
    script thread, where session state is not readable."""
    from playground.figures import pictures
    return pictures.gif([pictures.tile(p.fake) for _, p in frames], ms_per_frame=150, scale=2)


def show_scores_toggle(pg: Page) -> bool:
    k = pg.key("w.scores")
    if k not in pg.ss:
        pg.ss[k] = False
    return st.toggle("D's scores", key=k, help="print D's raw score under each digit")
