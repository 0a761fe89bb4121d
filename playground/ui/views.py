"""The 2D lab's live views: one `st.fragment` that redraws the latest snapshot on a browser
timer while training, with fixed chart keys so plots update in place (no flicker).

The fragment only reads `Trainer.latest()` and draws figures; it never trains or computes.
"""
from __future__ import annotations

import math

import streamlit as st

from ..figures.lab2d import Overlays, samples_figure
from ..figures.lab2d_curves import coverage_figure, divergence_figure, loss_figure
from ..figures.style import NORMAL, PRESENTER
from ..snapshot import Snapshot
from . import session, state
from .live import Status
from .liveplot import live_chart

FRAME_S = 0.2  # the page asks for a new picture 5 times a second while training
CURVES_S = 2.0  # curves every 2 s: redrawing them costs training ~10% of its speed (measured)
PLOTLY_CONFIG = {"displaylogo": False, "scrollZoom": False,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}
RUNAWAY = 0.5  # warn when more than half of the tracked fakes have left the fixed axes
OVERLAYS = {"arrows": "G's push", "field": "Gradient field", "manifold": "G manifold",
            "trails": "Trails"}


def overlay_picker(ss) -> Overlays:
    k = state.key("w.overlays")
    if k not in ss:
        ss[k] = [name for name, on in vars(Overlays()).items() if on]
    chosen = st.pills("Overlays", list(OVERLAYS), selection_mode="multi", key=k,
                      format_func=OVERLAYS.get, label_visibility="collapsed")
    return Overlays(**{name: name in (chosen or []) for name in OVERLAYS})


def render_live(ss, overlays: Overlays) -> None:
    """Two fragments on their own timers: the picture and readout at FRAME_S, the tiles and
    curves at CURVES_S (metrics change ~2x/s; redrawing three SVG charts 5x/s costs the
    browser more than the WebGL picture does)."""
    trainer = session.trainer(ss)
    running = trainer.running
    style = PRESENTER if state.get(ss, "present") else NORMAL
    left, right = st.columns([3, 2], gap="medium")

    @st.fragment(run_every=FRAME_S if running else None)
    def picture() -> None:
        snap, status = trainer.latest()
        if running and not trainer.running:
            st.rerun()  # it stopped by itself (diverged, idle): redraw buttons, stop the timer
        _readout(status, session.frame_rate(ss) if running else math.nan)
        _banner(status)
        if snap is not None and status.state != "diverged" and snap.outside > RUNAWAY:
            st.warning(f"{100 * snap.outside:.0f}% of the tracked fakes are off the plot: G is "
                       "running away without a NaN. Lower lr_g, add a remedy (gradient "
                       "penalty, spectral norm) or press Reset.", icon=":material/open_in_full:")
        if snap is not None:
            live_chart(samples_figure(snap, overlays, style), "lab2d.samples", PLOTLY_CONFIG)

    @st.fragment(run_every=CURVES_S if running else None)
    def curves() -> None:
        snap, _ = trainer.latest()
        if snap is None:
            return
        _tiles(snap)
        live_chart(loss_figure(snap, style), "lab2d.losses", PLOTLY_CONFIG)
        live_chart(coverage_figure(snap, style), "lab2d.coverage", PLOTLY_CONFIG)
        live_chart(divergence_figure(snap, style), "lab2d.divergences", PLOTLY_CONFIG)

    with left:
        picture()
    with right:
        curves()


def _readout(status: Status, fps: float) -> None:
    rate = f"{status.steps_per_s:.0f} steps/s" if math.isfinite(status.steps_per_s) else "–"
    frames = f"{fps:.1f} frames/s" if math.isfinite(fps) else "–"
    device = "GPU" if status.device == "cuda" else status.device.upper()
    st.markdown(f"**step {status.step}** · {rate} · {frames} · {device} · *{status.state}*")


def _banner(status: Status) -> None:
    if status.state == "diverged":
        st.error(f"The run diverged. {status.message} The picture shows the last good state; "
                 "change a setting to resume, or press Reset.", icon=":material/warning:")
    elif status.state == "stopped" and status.message:
        st.warning(status.message, icon=":material/pause_circle:")
    elif status.state == "queued":
        ahead = status.queue_position or 0
        st.info(f"Queued: the server is training its maximum number of runs; {ahead} ahead "
                "of you. Training starts when a slot frees up.", icon=":material/schedule:")


def _fmt(value: float, pattern: str) -> str:
    return pattern.format(value) if value is not None and math.isfinite(value) else "–"


def _tiles(snap: Snapshot) -> None:
    # Short labels and values: four tiles share the right-hand column, which is ~90 px a tile
    # on a 1280 px projector; exact values are in the curves below.
    m = snap.metrics
    cols = st.columns(4)
    modes = m.get("modes", math.nan)
    cols[0].metric("Modes", f"{_fmt(modes, '{:.0f}')}/{snap.n_modes}" if snap.n_modes
                   else "–", help="modes with at least one sample within 3 std (VEEGAN)")
    cols[1].metric("HQ", _fmt(m.get("hq_pct", math.nan), "{:.0f}%"),
                   help="high quality: % of samples within 3 std of a mode (VEEGAN)")
    cols[2].metric("Rev. KL", _fmt(m.get("rkl", math.nan), "{:.2f}"),
                   help="reverse KL of the mode histogram against uniform, in nats: "
                        "0 = all modes equally covered, ln K = one mode")
    cols[3].metric("W1", _fmt(m.get("w1", math.nan), "{:.2f}"),
                   help="exact Wasserstein-1 distance to real samples (512 points)")
