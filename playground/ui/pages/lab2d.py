"""The live 2D lab: pick a mixture and a loss, press Train, and watch D and G fight.

Wiring only: controls (`widgets`) -> config (`state`) -> this session's trainer (`session`,
`live`) -> figures of its snapshots (`views`). No training or math happens in this file.
"""
from __future__ import annotations

import streamlit as st

from ...presets import PRESETS
from .. import export, session, state, views, widgets

# Larger text for a projector, element by element (Streamlit's own sizes are theme pixels, so
# a larger root font alone changes little); the plots grow through figures.style.PRESENTER.
PRESENTER_CSS = """<style>
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] p,
[data-testid="stAlertContentInfo"] p, button p { font-size: 1.3rem !important; }
h1, h1 span { font-size: 3.2rem !important; }
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetricValue"] > div { font-size: 2.8rem !important; line-height: 1.2 !important; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem !important; }
</style>"""


def render() -> None:
    ss = st.session_state
    session.init(ss)
    present = state.get(ss, "present")
    st.set_page_config(initial_sidebar_state="collapsed" if present else "auto")
    if present:
        st.markdown(PRESENTER_CSS, unsafe_allow_html=True)
    with st.sidebar:
        rendered = widgets.render_sidebar(ss)
    trainer = session.sync(ss, rendered)
    _header(ss)
    if trainer is None:
        _notices(ss)
        st.info("Upload a CSV of points (two numeric columns) in the sidebar's Data section "
                "to train on your own data.", icon=":material/upload_file:")
        return
    _buttons(trainer.running)
    _notices(ss)
    overlays = views.overlay_picker(ss)
    views.render_live(ss, overlays)
    if not trainer.running:
        _exports(ss, trainer, overlays)


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


def _buttons(running: bool) -> None:
    cols = st.columns([1.3, 1, 1, 1, 1, 3])
    cols[0].button("Pause" if running else "Train", key="lab2d.b.train", type="primary",
                   icon=":material/pause:" if running else ":material/play_arrow:",
                   on_click=session.on_train, width="stretch")
    for col, (label, kind, tip) in zip(cols[1:4], (
            ("Step", "both", "n_critic D updates and one G update"),
            ("Step D", "d", "one discriminator update only"),
            ("Step G", "g", "one generator update only")), strict=True):
        col.button(label, key=f"lab2d.b.step_{kind}", help=tip, on_click=session.on_step,
                   args=(kind,), width="stretch")
    cols[4].button("Reset", key="lab2d.b.reset", icon=":material/restart_alt:",
                   on_click=session.on_reset, help="new weights from the same seed",
                   width="stretch")


def _notices(ss) -> None:
    for level, text in state.get(ss, "notices"):
        getattr(st, level)(text)
    state.put(ss, "notices", [])


def _exports(ss, trainer, overlays) -> None:
    """Downloads, offered while paused (files are built only when a button is pressed)."""
    snap, _ = trainer.latest()
    style = views.PRESENTER if state.get(ss, "present") else views.NORMAL
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
