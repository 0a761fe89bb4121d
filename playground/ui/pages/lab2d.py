"""The live 2D lab: pick a mixture and a loss, press Train, and watch D and G fight.

Wiring only: controls (`widgets`) -> config (`state`) -> this session's trainer (`session`,
`live`) -> figures of its snapshots (`views`, `view2d`). No training or math happens here.
A tab opened with `?follow=TOKEN` shows another tab's run read-only (a lecture's projector).
"""
from __future__ import annotations

import streamlit as st

from playground.figures import compare as compare_figs
from playground.ui import export, labpage, session, state, view2d, views, widgets
from playground.ui.state import Page


def render() -> None:
    pg = Page(st.session_state, state.LAB)
    labpage.start(pg)
    if pg.get("follow"):
        labpage.follow(pg, lambda: view2d.drawing(view2d.overlay_picker(pg)))
        return
    with st.sidebar:
        rendered = widgets.render_sidebar(pg)
    trainer = session.sync(pg, rendered)
    labpage.header(pg)
    labpage.toasts(pg)
    if trainer is None:
        st.info("Upload a CSV of points (two numeric columns) in the sidebar's Data section "
                "to train on your own data.", icon=":material/upload_file:")
        return
    overlays = labpage.buttons(pg, trainer.running, _overlays(pg))
    scrub = views.scrubber(pg, trainer)
    views.render_live(pg, trainer, view2d.drawing(overlays, scrub))
    if not trainer.running:
        _exports(pg, trainer, overlays)
    labpage.viewer_link(pg)


def _overlays(pg: Page):
    def extra(row):
        with row.popover("Overlays", icon=":material/layers:"):
            return view2d.overlay_picker(pg)
    return extra


def _exports(pg: Page, trainer, overlays) -> None:
    """Downloads, offered while paused (files are built only when a button is pressed)."""
    snap, _ = trainer.latest()
    style = views.style_of(pg)
    with st.expander("Export", icon=":material/download:"):
        cols = st.columns(4)
        fig = lambda: view2d.samples_figure(snap, overlays, style)  # noqa: E731
        cols[0].download_button("Figure (HTML)", lambda: export.figure_html(fig()),
                                file_name=f"lab2d-step{snap.step}.html", mime="text/html",
                                key=pg.key("b.dl_html"), on_click="ignore")
        cols[1].download_button("History (CSV)", lambda: export.history_csv(*trainer.histories()),
                                file_name=f"lab2d-step{snap.step}.csv", mime="text/csv",
                                key=pg.key("b.dl_csv"), on_click="ignore")
        cols[3].download_button(
            "Timeline (HTML animation)", lambda: export.figure_html(compare_figs.animation(
                [view2d.samples_figure(trainer.timeline_at(s), overlays, style)
                 for s in trainer.timeline()], "the samples plot over training")),
            file_name=f"lab2d-timeline-step{snap.step}.html", mime="text/html",
            key=pg.key("b.dl_anim"), on_click="ignore",
            help="every kept picture as a frame, with a play button and a step slider")
        png = pg.get("png")
        if png is not None and png[0] == snap.step:
            cols[2].download_button("Figure (PNG)", png[1], file_name=f"lab2d-step{snap.step}.png",
                                    mime="image/png", key=pg.key("b.dl_png"), on_click="ignore")
        elif cols[2].button("Render PNG", key=pg.key("b.png"), help="takes a few seconds"):
            try:
                pg.put("png", (snap.step, export.figure_png(fig())))
                st.rerun()
            except export.ExportError as e:
                st.warning(str(e))
