"""The live 2D lab: pick a mixture and a loss, press Train, and watch D and G fight.

Wiring only: controls (`widgets`) -> config (`state`) -> this session's trainer (`session`,
`live`) -> figures of its snapshots (`views`). No training or math happens in this file.
A tab opened with `?follow=TOKEN` shows another tab's run read-only (a lecture's projector).
"""
from __future__ import annotations

import streamlit as st

from ...presets import PRESETS
from .. import cached, export, session, state, views, widgets
from ..urlstate import SPEEDS

# Less empty space above the page (Streamlit pads the top by 6rem), so a 1280 x 800 projector
# shows the whole samples plot.
COMPACT_CSS = """<style>
.block-container{padding-top:2.6rem !important;padding-bottom:1rem !important}
[data-testid="stToastContainer"]{top:auto !important;bottom:1rem !important}
h1{padding-top:0 !important;padding-bottom:0 !important;font-size:2rem !important}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]{gap:.55rem}
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
SPEED_LABELS = {0: "full speed", 1: "1 step / frame", 2: "2 steps / frame",
                5: "5 steps / frame", 10: "10 steps / frame", 50: "50 steps / frame"}


def render() -> None:
    ss = st.session_state
    session.init(ss)
    present = state.get(ss, "present")
    st.set_page_config(initial_sidebar_state="collapsed" if present else "auto")
    st.markdown(COMPACT_CSS + (PRESENTER_CSS if present else ""), unsafe_allow_html=True)
    _toasts(ss)
    if state.get(ss, "follow"):
        _follow(ss)
        return
    with st.sidebar:
        rendered = widgets.render_sidebar(ss)
    trainer = session.sync(ss, rendered)
    _header(ss)
    _toasts(ss)
    if trainer is None:
        st.info("Upload a CSV of points (two numeric columns) in the sidebar's Data section "
                "to train on your own data.", icon=":material/upload_file:")
        return
    overlays = _buttons(ss, trainer.running)
    views.render_live(ss, trainer, overlays)
    if not trainer.running:
        _exports(ss, trainer, overlays)
    _viewer_link(ss)


def _header(ss) -> None:
    st.title("2D GAN lab")
    preset = state.get(ss, "preset")
    st.caption(f"**Preset `{preset}`** — what to look for: {PRESETS.get(preset).caption}")
    warnings = state.get(ss, "url_warnings")
    for text in warnings:
        st.warning(text, icon=":material/link_off:")
    if warnings:
        st.button("Dismiss", key="lab2d.b.dismiss_link", icon=":material/close:",
                  on_click=state.put, args=(ss, "url_warnings", []),
                  help="the defaults shown replaced the link's bad values")


def _buttons(ss, running: bool) -> views.Overlays:
    """Train/Pause, the step buttons, Reset, the speed, the preset's cure, the overlays: one
    row that wraps on a narrow screen instead of truncating labels, so the plots start at the
    same height whatever is switched on."""
    cure = PRESETS.get(state.get(ss, "preset")).cure
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.button("Pause" if running else "Train", key="lab2d.b.train", type="primary",
               icon=":material/pause:" if running else ":material/play_arrow:",
               on_click=session.on_train, width=110)
    for label, kind, tip in (("Step", "both", "n_critic D updates and one G update"),
                             ("Step D", "d", "one discriminator update only"),
                             ("Step G", "g", "one generator update only")):
        row.button(label, key=f"lab2d.b.step_{kind}", help=tip, on_click=session.on_step,
                   args=(kind,))
    row.button("Reset", key="lab2d.b.reset", icon=":material/restart_alt:",
               on_click=session.on_reset,
               help="new weights from the same seed; a training run keeps training")
    speed_key = state.key("w.speed")
    if speed_key not in ss:
        ss[speed_key] = state.get(ss, "speed")
    row.selectbox("Speed", SPEEDS, key=speed_key, on_change=session.on_speed,
                  format_func=SPEED_LABELS.get, label_visibility="collapsed", width=165,
                  help="training steps between pictures: 1 shows every step (slow "
                       "motion, ~5 steps/s) for explaining the dynamics")
    if cure:
        row.button(cure.label, key="lab2d.b.cure", icon=":material/healing:",
                   on_click=session.on_cure, help=cure.caption)
    with row.popover("Overlays", icon=":material/layers:"):
        return views.overlay_picker(ss)


def _toasts(ss) -> None:
    """One-off notices as toasts: they float over the page instead of pushing the plots."""
    icons = {"success": ":material/check_circle:", "info": ":material/info:",
             "warning": ":material/warning:", "error": ":material/error:"}
    for level, text in state.get(ss, "notices"):
        st.toast(text, icon=icons.get(level))
    state.put(ss, "notices", [])


def _follow(ss) -> None:
    """This tab watches another tab's run: the same pictures, no controls, no job slot."""
    token = state.get(ss, "follow")
    live, about = cached.followers().get(token)
    st.title("2D GAN lab · following")
    if live is None:
        st.warning(f"No run to follow under {token!r}: its tab was closed or the server "
                   "restarted. Open the lab's own page to start one.", icon=":material/link_off:")
        return
    preset = about.get("preset", "ns")
    st.caption(f"Read-only view of another tab's run · **preset `{preset}`** — "
               f"{PRESETS.get(preset).caption if preset in PRESETS else ''}")
    overlays = views.overlay_picker(ss)
    views.render_live(ss, live, overlays, follower=True)


def _viewer_link(ss) -> None:
    token = state.get(ss, "token")
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
    return url.split("?")[0] or "http://localhost:8501/lab2d"


def _exports(ss, trainer, overlays) -> None:
    """Downloads, offered while paused (files are built only when a button is pressed)."""
    snap, _ = trainer.latest()
    style = views.style_of(ss)
    with st.expander("Export", icon=":material/download:"):
        cols = st.columns(3)
        fig = lambda: views.samples_figure(snap, overlays, style)  # noqa: E731
        cols[0].download_button("Figure (HTML)", lambda: export.figure_html(fig()),
                                file_name=f"lab2d-step{snap.step}.html", mime="text/html",
                                key="lab2d.b.dl_html", on_click="ignore")
        cols[1].download_button("History (CSV)", lambda: export.history_csv(*trainer.histories()),
                                file_name=f"lab2d-step{snap.step}.csv", mime="text/csv",
                                key="lab2d.b.dl_csv", on_click="ignore")
        png = state.get(ss, "png")
        if png is not None and png[0] == snap.step:
            cols[2].download_button("Figure (PNG)", png[1], file_name=f"lab2d-step{snap.step}.png",
                                    mime="image/png", key="lab2d.b.dl_png", on_click="ignore")
        elif cols[2].button("Render PNG", key="lab2d.b.png", help="takes a few seconds"):
            try:
                state.put(ss, "png", (snap.step, export.figure_png(fig())))
                st.rerun()
            except export.ExportError as e:
                st.warning(str(e))
