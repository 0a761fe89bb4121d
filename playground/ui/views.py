"""The 2D lab's live views: fragments that redraw the latest snapshot on a browser timer while
training, with fixed chart keys so plots update in place (no flicker).

The fragments only read `latest()` and draw figures; they never train or compute. Everything
that can appear or vanish (queue, divergence, warnings) lives in one fixed-height status box,
and one-off notices are toasts, so the plots never move while a lecturer talks over them.
"""
from __future__ import annotations

import html
import math

import streamlit as st

from .. import cost
from ..figures.lab2d import Overlays, samples_figure
from ..figures.lab2d_curves import coverage_figure, divergence_figure, loss_figure
from ..figures.style import NORMAL, PRESENTER, Style
from ..snapshot import Snapshot2D
from . import session, state
from .live import Status
from .liveplot import live_chart

FRAME_S = 0.2  # the page asks for a new picture 5 times a second while training
CURVES_S = 2.0  # curves every 2 s: redrawing them costs training ~10% of its speed (measured)
FOLLOW_S = 0.5  # a follower polls this often while the run it watches is paused
PLOTLY_CONFIG = {"displaylogo": False, "scrollZoom": False,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}
RUNAWAY = 0.5  # warn when more than half of the tracked fakes have left the fixed axes
OVERLAYS = {"arrows": "G's push", "field": "Gradient field", "manifold": "G manifold",
            "trails": "Trails"}
# The readout and the status message share one block that is always two lines tall, empty or
# not (the whole message is its tooltip), and the tile note is one line: what appears there
# never moves the plots.
STATUS_CSS = """<style>
.pg-head{height:2.75em;overflow:hidden;line-height:1.35;margin:0}
.pg-status{padding:0 .4em;border-radius:.3rem;font-size:.92em}
.pg-status.info{background:#e8f0fb;color:#1d3d6e}
.pg-status.warning{background:#fff5d6;color:#6b4e00}.pg-status.error{background:#fde4e4;color:#7a1c1c}
.pg-tiles{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:.4rem;margin-bottom:.2rem}
.pg-tile{border:1px solid rgba(0,0,0,.08);border-radius:.4rem;padding:.25rem .5rem;min-width:0}
.pg-tile .l{font-size:.8em;color:#555;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.pg-tile .v{font-size:clamp(1.1rem,2.1vw,2.2rem);font-weight:600;white-space:nowrap;
  line-height:1.25;font-variant-numeric:tabular-nums}
.pg-note{height:1.5em;line-height:1.4;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;
  font-size:.85em;color:#555;margin-bottom:.3rem}
</style>"""


def overlay_picker(ss) -> Overlays:
    k = state.key("w.overlays")
    if k not in ss:
        ss[k] = [name for name, on in vars(Overlays()).items() if on]
    chosen = st.pills("Overlays on the samples plot", list(OVERLAYS), selection_mode="multi",
                      key=k, format_func=OVERLAYS.get)
    return Overlays(**{name: name in (chosen or []) for name in OVERLAYS})


def style_of(ss) -> Style:
    return PRESENTER if state.get(ss, "present") else NORMAL


def render_live(ss, trainer, overlays: Overlays, follower: bool = False) -> None:
    """Two fragments on their own timers: the status, picture and readout at FRAME_S, the
    tiles and curves at CURVES_S (metrics change ~1x/s; redrawing three SVG charts 5x/s costs
    the browser more than the WebGL picture does). A follower's tab polls at FOLLOW_S even
    while the run is paused: it cannot know when the owner presses Train."""
    running = trainer.running
    style = style_of(ss)
    st.markdown(STATUS_CSS, unsafe_allow_html=True)
    picture_every = FRAME_S if running else (FOLLOW_S if follower else None)
    curves_every = CURVES_S if running or follower else None
    left, right = st.columns([3, 2], gap="medium")

    @st.fragment(run_every=picture_every)
    def picture() -> None:
        snap, status = trainer.latest()
        if not follower and running and not trainer.running:
            st.rerun()  # it stopped by itself (diverged, idle): redraw buttons, stop the timer
        head(status, session.frame_rate(ss) if running or follower else math.nan,
             *status_message(status, snap, None if follower else state.get(ss, "cfg")))
        if snap is not None:
            live_chart(samples_figure(snap, overlays, style), "lab2d.samples", PLOTLY_CONFIG)

    @st.fragment(run_every=curves_every)
    def curves() -> None:
        snap, _ = trainer.latest()
        if snap is None:
            return
        tiles(snap)
        live_chart(loss_figure(snap, style), "lab2d.losses", PLOTLY_CONFIG)
        live_chart(coverage_figure(snap, style), "lab2d.coverage", PLOTLY_CONFIG)
        live_chart(divergence_figure(snap, style), "lab2d.divergences", PLOTLY_CONFIG)

    with left:
        picture()
    with right:
        curves()


def readout(status: Status, fps: float) -> str:
    rate = f"{status.steps_per_s:.0f} steps/s" if math.isfinite(status.steps_per_s) else "–"
    frames = f"{fps:.1f} frames/s" if math.isfinite(fps) else "–"
    device = "GPU" if status.device == "cuda" else status.device.upper()
    return f"<b>step {status.step}</b> · {rate} · {frames} · {device} · <i>{status.state}</i>"


def head(status: Status, fps: float, level: str, text: str) -> None:
    """The readout line and, after it, the status message (queue, divergence, warnings) in
    one block of fixed height."""
    message = (f' <span class="pg-status {level}">{html.escape(text)}</span>'
               if level != "none" else "")
    st.markdown(f'<div class="pg-head" title="{html.escape(text)}">{readout(status, fps)}'
                f"{message}</div>", unsafe_allow_html=True)


def status_message(status: Status, snap: Snapshot2D | None, cfg=None) -> tuple[str, str]:
    """(level, text) for the status box: "none" when there is nothing to say."""
    if status.state == "diverged":
        return "error", (f"Diverged: {status.message} Change a setting, then press Train "
                         "to go on from there; or Reset.")
    if status.state == "stopped" and status.message:
        return "warning", status.message
    if status.state == "queued":
        busy = (f"{status.running_jobs} of {status.capacity} training slot"
                f"{'s' if status.capacity != 1 else ''} busy")
        ahead = status.queue_position or 0
        where = "you are next" if ahead == 0 else f"{ahead} queued ahead of you"
        return "info", (f"Queued: this server trains at most {status.capacity} run"
                        f"{'s' if status.capacity != 1 else ''} at a time ({busy}); {where}. "
                        "A running session yields its slot every 10 s while others wait.")
    slow = cost.estimate(cfg) if cfg is not None else None
    if status.state == "starting":
        extra = f" This configuration is heavy: {slow.describe()}." if slow and slow.slow else ""
        return "info", f"Starting: the first steps are running…{extra}"
    if (snap is not None and status.step > 0 and status.state != "diverged"
            and snap.outside > RUNAWAY):
        return "warning", (f"{100 * snap.outside:.0f}% of the tracked fakes are off the plot: "
                           "G is running away without a NaN. Lower lr_g, add a remedy "
                           "(gradient penalty, spectral norm) or press Reset.")
    if slow is not None and slow.slow:
        return "warning", (f"This configuration is heavy: {slow.describe()}. Smaller batch, "
                           "width, depth or surface resolution train faster.")
    return "none", ""


def _fmt(value: float | None, pattern: str) -> str:
    return pattern.format(value) if value is not None and math.isfinite(value) else "–"


def _fmt_w1(value: float | None) -> str:
    """Three significant figures in at most five characters (a CSV in metres can give 7,412)."""
    if value is None or not math.isfinite(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value / 1000:.3g}k"
    return f"{value:.3g}" if abs(value) >= 0.01 else f"{value:.1e}"


def tiles(snap: Snapshot2D) -> None:
    """Four metric tiles in one row that never truncate (a 1280 px projector has ~110 px a
    tile: '25/25' was cut to '2…' by st.metric), and a one-line note on what they mean."""
    m = snap.metrics
    modes = m.get("modes", math.nan)
    cells = [
        ("Modes", f"{_fmt(modes, '{:.0f}')}/{snap.n_modes}" if snap.n_modes else "–",
         "modes with at least one fake within 3 std of it (VEEGAN / PacGAN protocol)"),
        ("HQ", _fmt(m.get("hq_pct"), "{:.0f}%"),
         "high quality: % of fakes within 3 std of their nearest mode"),
        ("Rev. KL", _fmt(m.get("rkl"), "{:.2f}"),
         "reverse KL of the HQ mode histogram against uniform, in nats: 0 = all modes equally "
         "covered, ln K = one mode"),
        ("W1", _fmt_w1(m.get("w1")),
         "exact Wasserstein-1 distance to real samples (512 points), in the data's units"),
    ]
    body = "".join(f'<div class="pg-tile" title="{html.escape(tip)}"><div class="l">{label}'
                   f'</div><div class="v">{value}</div></div>' for label, value, tip in cells)
    note = tile_note(snap)
    st.markdown(f'<div class="pg-tiles">{body}</div><div class="pg-note" '
                f'title="{html.escape(note)}">{html.escape(note)}</div>',
                unsafe_allow_html=True)


def tile_note(snap: Snapshot2D) -> str:
    """One line on how to read the tiles now, where they mislead on their own."""
    m = snap.metrics
    modes, hq = m.get("modes", math.nan), m.get("hq_pct", math.nan)
    if not snap.n_modes or not math.isfinite(hq):
        return ""
    if modes <= 1 and hq >= 50:
        return ("HQ is high but only one mode is hit: every fake sits near one mode "
                "(an untrained G near the grid's centre, or a collapse).")
    near = snap.mode_nearest
    if near is not None and len(near) and near.max() > 0.8 * near.sum() and modes < 2:
        return "The fakes crowd one mode (tall bar) without landing within 3 std of it."
    if modes == snap.n_modes:
        return "Every mode has a high-quality fake; HQ says how tightly they sit."
    return "Bars: fakes per nearest mode, solid part within 3 std."
