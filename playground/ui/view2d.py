"""What the 2D lab draws live: the samples plot with its overlays (left), the mode tiles and
the loss, coverage and divergence curves (right). Figures come from `figures/lab2d*`; this
module only picks them and the tiles' words.
"""
from __future__ import annotations

import math

import streamlit as st

from playground.engine.snapshot import Snapshot2D
from playground.figures.curves import loss_figure
from playground.figures.lab2d import Overlays, samples_figure
from playground.figures.lab2d_curves import coverage_figure, divergence_figure, modes_near
from playground.figures.style import Style
from playground.serve.handle import Status
from playground.ui import views
from playground.ui.liveplot import live_chart
from playground.ui.state import Page

RUNAWAY = 0.5  # warn when more than half of the tracked fakes have left the fixed axes
OVERLAYS = {"arrows": "G's push", "field": "Gradient field", "manifold": "G manifold",
            "trails": "Trails"}


def overlay_picker(pg: Page) -> Overlays:
    k = pg.key("w.overlays")
    if k not in pg.ss:
        pg.ss[k] = [name for name, on in vars(Overlays()).items() if on]
    chosen = st.pills("Overlays on the samples plot", list(OVERLAYS), selection_mode="multi",
                      key=k, format_func=OVERLAYS.get)
    return Overlays(**{name: name in (chosen or []) for name in OVERLAYS})


def drawing(overlays: Overlays, scrub: Snapshot2D | None = None) -> views.Drawing:
    """The 2D lab's views; `scrub`, a kept picture from the timeline, is drawn instead of the
    newest (with the newest curves and a cursor at its step)."""
    def picture(snap: Snapshot2D, style: Style) -> None:
        snap = views.scrubbed(snap, scrub)
        live_chart(samples_figure(snap, overlays, style), "lab2d.samples", views.PLOTLY_CONFIG)

    def panels(snap: Snapshot2D, style: Style) -> None:
        snap, cursor = views.scrubbed(snap, scrub), views.cursor_of(scrub)
        tiles(snap)
        live_chart(loss_figure(snap, style, cursor), "lab2d.losses", views.PLOTLY_CONFIG)
        live_chart(coverage_figure(snap, style, cursor), "lab2d.coverage", views.PLOTLY_CONFIG)
        live_chart(divergence_figure(snap, style, cursor), "lab2d.divergences",
                   views.PLOTLY_CONFIG)

    return views.Drawing(picture, panels, runaway)


def runaway(status: Status, snap: Snapshot2D | None) -> tuple[str, str]:
    """A generator running away without a NaN (never before training)."""
    if (snap is not None and status.step > 0 and status.state != "diverged"
            and snap.outside > RUNAWAY):
        return "warning", (f"{100 * snap.outside:.0f}% of the tracked fakes are off the plot: "
                           "G is running away without a NaN. Lower lr_g, add a remedy "
                           "(gradient penalty, spectral norm) or press Reset.")
    return "none", ""


def fmt_w1(value: float | None) -> str:
    """Three significant figures in at most five characters (a CSV in metres can give 7,412)."""
    if value is None or not math.isfinite(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value / 1000:.3g}k"
    return f"{value:.3g}" if abs(value) >= 0.01 else f"{value:.1e}"


def tiles(snap: Snapshot2D) -> None:
    views.tiles(tile_cells(snap), tile_note(snap))


def tile_cells(snap: Snapshot2D) -> list[tuple[str, str, str, str]]:
    """The papers' 3 std numbers, labelled as such, and under Modes what the bars show (fakes
    per nearest mode): a visible clump reads 'near 1 of 8' where the 3 std rule reads 0/8."""
    m = snap.metrics
    modes = m.get("modes", math.nan)
    near = modes_near(snap)
    near_text = (f"near {near} of {snap.n_modes}" if near is not None
                 else "near –" if snap.n_modes else "")
    return [
        ("Modes (3σ)", f"{views.fmt(modes, '{:.0f}')}/{snap.n_modes}" if snap.n_modes else "–",
         near_text, "modes with at least one fake within 3 std of it (VEEGAN / PacGAN "
         "protocol); 'near k' counts the modes nearest to at least half a fair share of the "
         "fakes (the bars)"),
        ("HQ (3σ)", views.fmt(m.get("hq_pct"), "{:.0f}%"), "",
         "high quality: % of fakes within 3 std of their nearest mode"),
        ("Rev. KL", views.fmt(m.get("rkl"), "{:.2f}"), "",
         "reverse KL of the HQ mode histogram against uniform, in nats: 0 = all modes equally "
         "covered, ln K = one mode; – while no fake is within 3 std of a mode"),
        ("W1", fmt_w1(m.get("w1")), "",
         "exact Wasserstein-1 distance to real samples (512 points), in the data's units"),
    ]


def tile_note(snap: Snapshot2D) -> str:
    """How to read the tiles now, where they mislead on their own (two lines at most at
    1280 px: ~110 characters)."""
    m = snap.metrics
    modes, hq = m.get("modes", math.nan), m.get("hq_pct", math.nan)
    if not snap.n_modes or not math.isfinite(hq):
        return ""
    if modes <= 1 and hq >= 50:
        return ("HQ is high but only one mode is hit: every fake sits near one mode "
                "(an untrained G near the grid's centre, or a collapse).")
    near = modes_near(snap)
    if modes == 0 and near is not None:
        where = (f"crowd {near} of {snap.n_modes} modes (bars)" if near < snap.n_modes
                 else "lie between the modes")
        return (f"No fake is within 3 std of a mode, so 3σ counts 0 and rev. KL is –; "
                f"the fakes {where}.")
    if near is not None and near == 1 and modes < 2:
        return "The fakes crowd one mode (tall bar) with few of them within 3 std of it."
    if modes == snap.n_modes:
        return "Every mode has a high-quality fake; HQ says how tightly they sit."
    return "Bars: fakes per nearest mode, solid part within 3 std."
