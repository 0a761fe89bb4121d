"""The labs' live views, shared: two fragments that redraw the latest snapshot on browser timers
while training (a picture with its readout, and the tiles with the curves), charts with fixed
keys that update in place (no flicker), a fixed-height readout/status block and metric tiles.

What is drawn is the lab's (`view2d.py`, `view_digits.py`): `render_live` takes a `Drawing`.
The fragments only read `latest()` and draw figures; they never train or compute. Everything
that can appear or vanish (queue, divergence, warnings) lives in the one fixed-height status
block, and one-off notices are toasts, so the plots never move while a lecturer talks.
"""
from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from playground.engine import cost
from playground.engine.snapshot import Snapshot
from playground.figures.style import NORMAL, PRESENTER, Style
from playground.serve.handle import Status
from playground.ui import guard, session
from playground.ui.state import Page

FRAME_S = 0.2  # the page asks for a new picture 5 times a second while training
CURVES_S = 2.0  # curves every 2 s: redrawing them costs training ~10% of its speed (measured)
FOLLOW_S = 0.5  # a follower polls this often while the run it watches is paused
QUEUED_S = 1.0  # a queued tab's status line (its place and wait) refreshes this often
PLOTLY_CONFIG = {"displaylogo": False, "scrollZoom": False,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}
# The readout and the status message share one block that is always two lines tall, empty or
# not (the whole message is its tooltip). The tile note under the tiles wraps, never truncates
# ('HQ says how tig…' at 1280 px), in a block two lines tall at least (the notes are written to
# fit two): what appears there does not move the plots.
STATUS_CSS = """<style>
.pg-head{height:2.75em;overflow:hidden;line-height:1.35;margin:0}
.pg-status{padding:0 .4em;border-radius:.3rem;font-size:.92em}
.pg-status.info{background:#e8f0fb;color:#1d3d6e}
.pg-status.warning{background:#fff5d6;color:#6b4e00}.pg-status.error{background:#fde4e4;color:#7a1c1c}
.pg-tiles{display:grid;grid-template-columns:repeat(var(--n,4),minmax(0,1fr));gap:.4rem;
  margin-bottom:.2rem}
.pg-tile{border:1px solid rgba(0,0,0,.08);border-radius:.4rem;padding:.25rem .5rem;min-width:0}
.pg-tile .l{font-size:clamp(.6rem,.8vw,.8em);color:#555;white-space:nowrap;overflow:hidden;
  text-overflow:ellipsis}
.pg-tile .v{font-size:clamp(1.1rem,1.75vw,2.2rem);font-weight:600;white-space:nowrap;
  line-height:1.25;font-variant-numeric:tabular-nums}
.pg-tile .r{font-size:.75em;color:#777;white-space:nowrap;overflow:hidden}
.pg-note{min-height:2.8em;line-height:1.4;white-space:normal;overflow-wrap:anywhere;
  font-size:.85em;color:#555;margin-bottom:.3rem}
</style>"""


@dataclass(frozen=True)
class Drawing:
    """What a lab draws from a snapshot: the picture under the readout (left column), the
    panels (right column), and the warning its data may call for ("none", "")."""
    picture: Callable[[Snapshot, Style], None]
    panels: Callable[[Snapshot, Style], None]
    warning: Callable[[Status, Snapshot | None], tuple[str, str]] = lambda s, snap: ("none", "")
    rate_unit: str = "steps/s"  # "images/s" multiplies the step rate by the batch size
    columns: tuple[float, float] = (3, 2)


def style_of(pg: Page) -> Style:
    return PRESENTER if pg.get("present") else NORMAL


def render_live(pg: Page, trainer, drawing: Drawing, follower: bool = False) -> None:
    """Two fragments on their own timers: the status, picture and readout at FRAME_S, the
    tiles and curves at CURVES_S (metrics change ~1x/s; redrawing three SVG charts 5x/s costs
    the browser more than the picture does). A follower's tab polls at FOLLOW_S even while
    the run is paused: it cannot know when the owner presses Train. A queued run's picture
    cannot change, so it is drawn once and only the status line polls (QUEUED_S), until the
    run trains: with a class in the queue, redrawing every waiting tab's picture 5x/s took
    the CPU the training needed (the load test: 170 steps in a minute with 20 tabs)."""
    running = trainer.running
    waiting = running and not follower and waits(trainer.latest()[1])
    style = style_of(pg)
    st.markdown(STATUS_CSS, unsafe_allow_html=True)
    if waiting:  # drawn once; queue_line polls
        picture_every = curves_every = None
    elif running or follower:
        picture_every, curves_every = (FRAME_S if running else FOLLOW_S), CURVES_S
    else:  # paused: nothing changes until a button press reruns the page
        picture_every = curves_every = None
    left, right = st.columns(list(drawing.columns), gap="medium")
    cfg = None if follower else pg.get("cfg")

    def status_line(snap, status) -> None:
        level, text = status_message(status, snap, cfg)
        if level == "none":
            level, text = drawing.warning(status, snap)
        batch = trainer.cfg.batch_size if drawing.rate_unit == "images/s" else 1
        fps = (session.frame_rate(pg, None if snap is None else snap.step)
               if running or follower else math.nan)
        head(status, fps, level, text, drawing.rate_unit, batch)

    @st.fragment(run_every=QUEUED_S)
    @guard.fragment
    def queue_line() -> None:
        snap, status = trainer.latest()
        if not waits(status) or not trainer.running:
            st.rerun()  # its turn came (or it stopped): the whole page, with live timers
        status_line(snap, status)

    @st.fragment(run_every=picture_every)
    @guard.fragment
    def picture() -> None:
        snap, status = trainer.latest()
        if not follower and running and (not trainer.running
                                         or (not waiting and waits(status))):
            # it stopped by itself (diverged, idle): redraw buttons, stop the timer; or its
            # lease ended with others waiting: draw the picture once and poll the queue
            st.rerun()
        if waiting:
            st.empty()  # the status line is in queue_line: keep the chart's place
        else:
            status_line(snap, status)
        if snap is not None:
            drawing.picture(snap, style)

    @st.fragment(run_every=curves_every)
    @guard.fragment
    def panels() -> None:
        snap, _ = trainer.latest()
        if snap is not None:
            drawing.panels(snap, style)

    with left:
        line = st.container()  # there either way: a chart whose place shifts remounts its iframe
        if waiting:
            with line:
                queue_line()
        picture()
    with right:
        panels()


def waits(status: Status) -> bool:
    """Queued behind others (every slot busy), not merely on its way to a free slot."""
    return status.state == "queued" and status.running_jobs >= status.capacity


def scrubbed(newest: Snapshot, kept: Snapshot | None) -> Snapshot:
    """A kept (scrubbed-back) picture with the newest histories, or the newest itself."""
    if kept is None:
        return newest
    return dataclasses.replace(kept, history=newest.history,
                               metric_history=newest.metric_history, events=newest.events)


def cursor_of(kept: Snapshot | None) -> int | None:
    return None if kept is None else kept.step


# The timeline slider's slot, a fixed height whether or not it shows a slider: an empty
# container has no height, so the slider appearing on Pause pushed the picture 133 px down
# (207 -> 340 px at 1280x800, measured). 86 px holds the label, the slider and its end labels.
SCRUB_SLOT_PX = 86


def scrubber(pg: Page, trainer, reserve: bool = True):
    """Paused: a slider over the run's kept pictures; the chosen one, or None for the newest
    (also None while training or while there is too little to scrub). `reserve`: its slot keeps
    one height either way, so Pause moves nothing below it; without, the slider takes room only
    when it shows (for a page with no height to spare)."""
    slot = st.container(height=SCRUB_SLOT_PX if reserve else "content", border=False)
    steps = trainer.timeline()
    if trainer.running or len(steps) < 2:
        if reserve:
            slot.caption("Timeline: " + ("pause to drag back through the pictures kept so far"
                                         if trainer.running else "train, then pause here to "
                                         "drag back through the pictures kept while training"))
        return None
    k = pg.key("w.scrub")
    latest = steps[-1]
    if pg.ss.get(k) not in steps or pg.ss.get(pg.key("scrub_latest")) != latest:
        pg.ss[k] = latest  # paused anew: start at the newest picture
    pg.ss[pg.key("scrub_latest")] = latest
    # the count and the span: "kept every 14,000 steps or so" read oddly on a shipped run,
    # whose timeline holds its first and its last picture
    step = slot.select_slider(f"Timeline: drag back through the {len(steps):,} pictures kept "
                              f"(steps {steps[0]:,}-{latest:,})", steps, key=k)
    return None if step == latest else trainer.timeline_at(step)


def device_text(device: str, threads: int = 0) -> str:
    """What a page's work runs on, in the one wording every page uses: "GPU", or "CPU · 1
    thread" (the torch threads per process set a CPU's speed, serve/process.py; they do not
    matter to a GPU step). `device` is a torch device type; `threads` 0 = not known yet."""
    if device == "cuda":
        return "GPU"
    plural = "s" if threads != 1 else ""
    return f"{device.upper()} · {threads} thread{plural}" if threads > 0 else device.upper()


def device_caption(device: str, threads: int, what: str, note: str = "",
                   present: bool = False) -> None:
    """The device readout of a page without a live readout line (latent, theory). In presenter
    mode it goes to the sidebar: on a 1280x800 projector its line pushed the theory chart's
    bottom from 800 to 829 px, off the first screen."""
    (st.sidebar if present else st).caption(f"{what} on **{device_text(device, threads)}**{note}")


def readout(status: Status, fps: float, unit: str = "steps/s", batch: int = 1) -> str:
    """The step, the training and drawing rates, the device and the state. Paused, no rate:
    a follower keeps polling a paused run, and its "5.2 frames/s · paused" said nothing.
    A run held at its cap (within 10 %) says so: the class pace, not the device, sets it."""
    device = device_text(status.device, status.threads)
    if status.state == "paused":
        return f"{device} · <i>paused</i> at <b>step {status.step}</b>"
    rate = status.steps_per_s * batch
    rate_text = f"{rate:,.0f} {unit}" if math.isfinite(rate) else "–"
    if status.steps_cap > 0 and status.steps_per_s >= 0.9 * status.steps_cap:
        rate_text += " (class pace)"
    frames = f"{fps:.1f} frames/s" if math.isfinite(fps) else "–"
    return f"<b>step {status.step}</b> · {rate_text} · {frames} · {device} · <i>{status.state}</i>"


def head(status: Status, fps: float, level: str, text: str, unit: str = "steps/s",
         batch: int = 1) -> None:
    """The readout line and, after it, the status message (queue, divergence, warnings) in
    one block of fixed height."""
    message = (f' <span class="pg-status {level}">{html.escape(text)}</span>'
               if level != "none" else "")
    st.markdown(f'<div class="pg-head" title="{html.escape(text)}">'
                f"{readout(status, fps, unit, batch)}{message}</div>", unsafe_allow_html=True)


def status_message(status: Status, snap: Snapshot | None, cfg=None) -> tuple[str, str]:
    """(level, text) for the status block: "none" when there is nothing to say."""
    if status.state == "diverged":
        return "error", (f"Diverged: {status.message} Change a setting, then press Train "
                         "to go on from there; or Reset.")
    if status.state == "stopped" and status.message:
        return "warning", status.message
    if status.state == "queued":
        return "info", queue_text(status)
    slow = cost.estimate(cfg) if cfg is not None else None
    if status.state == "starting":
        extra = f" This configuration is heavy: {slow.describe()}." if slow and slow.slow else ""
        return "info", f"Starting: the first steps are running…{extra}"
    if slow is not None and slow.slow:
        return "warning", (f"This configuration is heavy: {slow.describe()}. Smaller batch, "
                           "width, depth or surface resolution train faster.")
    return "none", ""


def queue_text(status: Status) -> str:
    """Where a queued job stands, what it waits for and for how long at most."""
    plural = "s" if status.capacity != 1 else ""
    ahead = status.queue_position or 0
    where = "you are next" if ahead == 0 else f"{ahead} queued ahead of you"
    wait = (f", so training starts within about {status.wait_s:.0f} s"
            if math.isfinite(status.wait_s) else "")
    return (f"Queued: this server trains {status.capacity} run{plural} at a time "
            f"({status.running_jobs} training now); {where}{wait}. Each run trains for "
            f"{status.lease_s:g} s at a time while others wait, then takes its turn again.")


TILES_A_ROW = 5  # more go in two rows: six in one row at 1280 px cut every label and value
# (a conditional or InfoGAN run's agreement tile beside the five class metrics, measured)


def tiles(cells: list[tuple[str, str, str, str]], note: str) -> None:
    """Metric tiles in one row that never truncate (a 1280 px projector has ~110 px a tile:
    '25/25' was cut to '2…' by st.metric), two rows past TILES_A_ROW, and a note on reading
    them (wrapped). A cell is (label, value, reference line or "", tooltip)."""
    n = len(cells) if len(cells) <= TILES_A_ROW else math.ceil(len(cells) / 2)
    body = "".join(
        f'<div class="pg-tile" title="{html.escape(tip)}"><div class="l">{label}</div>'
        f'<div class="v">{value}</div>' + (f'<div class="r">{ref}</div>' if ref else "")
        + "</div>" for label, value, ref, tip in cells)
    st.markdown(f'<div class="pg-tiles" style="--n:{n}">{body}</div>'
                f'<div class="pg-note" title="{html.escape(note)}">{html.escape(note)}</div>',
                unsafe_allow_html=True)


def fmt(value: float | None, pattern: str) -> str:
    return pattern.format(value) if value is not None and math.isfinite(value) else "–"
