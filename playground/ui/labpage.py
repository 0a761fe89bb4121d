"""The parts every lab page shares: page CSS, the header with the preset's caption and link
warnings, the button row (Train, steps, Reset, speed, cure), toasts, the read-only follower
view and the viewer link. A lab page module adds its sidebar extras, its drawing and exports.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from playground import packing
from playground.presets import PRESETS
from playground.speeds import CLASS_PACE, SPEEDS
from playground.ui import cached, session, views
from playground.ui.state import Page

# Less empty space above the page (Streamlit pads the top by 6rem), so a 1280 x 800 projector
# shows the whole main plot; toasts at the bottom, away from the tiles.
COMPACT_CSS = """<style>
.block-container{padding-top:2.6rem !important;padding-bottom:1rem !important}
[data-testid="stToastContainer"]{top:auto !important;bottom:1rem !important}
h1{padding-top:0 !important;padding-bottom:0 !important;font-size:2rem !important}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]{gap:.55rem}
[class*="st-key-pg_buttonrow"]{gap:.4rem !important}
</style>"""
# Larger text for a projector, element by element (Streamlit's own sizes are theme pixels, so
# a larger root font alone changes little); the plots grow through figures.style.PRESENTER.
PRESENTER_CSS = """<style>
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] p,
[data-testid="stAlertContentInfo"] p, button p { font-size: 1.2rem !important; }
h1, h1 span { font-size: 2rem !important; }
.pg-head { font-size: 1.1rem !important; } .pg-note { font-size: 1.05rem !important; }
.pg-tile .v { font-size: clamp(1.4rem, 2.6vw, 3rem) !important; }
.pg-tile .l { font-size: 1rem !important; }
</style>"""
# The button row with a preset's cure and the lab's popover fits one row at 1280 px with the
# sidebar open (~820 px): gaps of .4rem, not 1rem, a 100 px Train and a 140 px speed box (at 1rem,
# 110 and 165 px the cure pushed "Overlays" / "D's scores" to a second row, the picture 56 px down).
TRAIN_W, SPEED_W = 100, 140
SPEED_HELP = ("Why a pace: a class must see the modes appear. A lab opens at the class pace, "
              f"at most {CLASS_PACE:.0f} steps/s: a CPU trains slower than that anyway, but "
              "on a GPU the ring would go from one blob to all its modes in a second. 'full "
              "speed' lifts the cap. 'k steps/frame' trains k steps between pictures: 1 shows "
              "every step (slow motion) for explaining the dynamics; it trains one step per "
              "picture the browser draws: up to 5 steps/s, ~3 on a busy machine (the readout "
              "shows steps/s and frames/s)")
TOAST_ICONS = {"success": ":material/check_circle:", "info": ":material/info:",
               "warning": ":material/warning:", "error": ":material/error:"}


def start(pg: Page) -> None:
    """Session defaults and the opening link, page settings and CSS, pending toasts."""
    session.init(pg)
    present = pg.get("present")
    st.set_page_config(initial_sidebar_state="collapsed" if present else "auto")
    st.markdown(COMPACT_CSS + (PRESENTER_CSS if present else ""), unsafe_allow_html=True)
    toasts(pg)


def header(pg: Page) -> None:
    st.title(pg.spec.title)
    preset = pg.get("preset")
    st.caption(f"**Preset `{preset}`** — what to look for: {PRESETS.get(preset).caption}")
    if note := packing.surface_note(pg.get("cfg")):
        st.caption(note)
    warnings = pg.get("url_warnings")
    for text in warnings:
        st.warning(text, icon=":material/link_off:")
    if warnings:
        st.button("Dismiss", key=pg.key("b.dismiss_link"), icon=":material/close:",
                  on_click=pg.put, args=("url_warnings", []),
                  help="the defaults shown replaced the link's bad values")


def buttons(pg: Page, running: bool, extra: Callable[[st.delta_generator.DeltaGenerator],
                                                      object] | None = None):
    """Train/Pause, the step buttons, Reset, the speed, the preset's cure, then `extra(row)`
    (e.g. the overlays): one row that wraps on a narrow screen instead of truncating labels.
    Returns what `extra` returns."""
    ns = pg.ns
    cure = PRESETS.get(pg.get("preset")).cure
    row = st.container(horizontal=True, gap="small", vertical_alignment="center",
                       key=f"pg_buttonrow_{ns}")
    row.button("Pause" if running else "Train", key=pg.key("b.train"), type="primary",
               icon=":material/pause:" if running else ":material/play_arrow:",
               on_click=session.on_train, args=(ns,), width=TRAIN_W)
    for label, kind, tip in (("Step", "both", "n_critic D updates and one G update"),
                             ("Step D", "d", "one discriminator update only"),
                             ("Step G", "g", "one generator update only")):
        row.button(label, key=pg.key(f"b.step_{kind}"), help=tip, on_click=session.on_step,
                   args=(ns, kind))
    row.button("Reset", key=pg.key("b.reset"), icon=":material/restart_alt:",
               on_click=session.on_reset, args=(ns,),
               help="new weights from the same seed; a training run keeps training")
    speed_key = pg.key("w.speed")
    if speed_key not in pg.ss:
        pg.ss[speed_key] = pg.get("speed")
    row.selectbox("Speed", SPEEDS.ids(), key=speed_key, on_change=session.on_speed, args=(ns,),
                  format_func=lambda id_: SPEEDS.get(id_).label, label_visibility="collapsed",
                  width=SPEED_W, help=SPEED_HELP)
    if cure:
        row.button(cure.label, key=pg.key("b.cure"), icon=":material/healing:",
                   on_click=session.on_cure, args=(ns,), help=cure.caption)
    return extra(row) if extra is not None else None


def toasts(pg: Page) -> None:
    """One-off notices as toasts: they float over the page instead of pushing the plots."""
    for level, text in pg.get("notices"):
        st.toast(text, icon=TOAST_ICONS.get(level))
    pg.put("notices", [])


def follow(pg: Page, drawing: Callable[[], views.Drawing]) -> None:
    """This tab watches another tab's run: the same pictures, no controls, no job slot."""
    token = pg.get("follow")
    live, about = cached.followers().get(token)
    st.title(f"{pg.spec.title} · following")
    if live is None:
        st.warning(f"No run to follow under {token!r}: its tab was closed or the server "
                   "restarted. Open the lab's own page to start one.", icon=":material/link_off:")
        return
    preset = about.get("preset", pg.spec.default_preset)
    caption = PRESETS.get(preset).caption if preset in PRESETS else ""
    st.caption(f"Read-only view of another tab's run · **preset `{preset}`** — {caption}")
    views.render_live(pg, live, drawing(), follower=True)


def viewer_link(pg: Page) -> None:
    token = pg.get("token")
    if not token:
        return
    with st.expander("Show this run on a second screen", icon=":material/cast:"):
        st.markdown("Open this link on the projector: it follows this run read-only (the "
                    "same pictures, no controls, no training slot), while this tab keeps "
                    "the controls.")
        st.code(f"{_base_url()}?follow={token}&present=1", language=None)


def _base_url() -> str:
    try:
        url = st.context.url or ""
    except AttributeError:
        url = ""
    return url.split("?")[0] or "http://localhost:8501/"
