"""The MNIST lab: watch digits form, collapse and recover, live, or start from the shipped
DCGAN. The same machinery as the 2D lab (`state.Page` namespace "mnist", its own control
table, `session`, `labpage`, `views`), drawn by `view_digits`. No training or math here.
"""
from __future__ import annotations

import streamlit as st

from playground.figures import pictures
from playground.ui import export, labpage, loads, session, state, view_digits, views, widgets
from playground.ui.state import Page


def render() -> None:
    pg = Page(st.session_state, state.MNIST)
    labpage.start(pg)
    if pg.get("follow"):
        labpage.follow(pg, lambda: view_digits.drawing(pg, False))
        return
    with st.sidebar:
        rendered = widgets.render_sidebar(pg)
        st.file_uploader("Load a checkpoint (.pt)", type=["pt"], key=pg.key("w.checkpoint"),
                         on_change=loads.on_checkpoint, args=(pg.ns,),
                         help="a digit checkpoint from this page's download or "
                              "`python -m playground train --dataset mnist`")
    trainer = session.sync(pg, rendered)
    labpage.header(pg)
    labpage.toasts(pg)
    show_scores = labpage.buttons(pg, trainer.running,
                                  lambda row: _scores(row, pg))
    scrub = views.scrubber(pg, trainer)
    views.render_live(pg, trainer, view_digits.drawing(pg, show_scores, scrub))
    if not trainer.running:
        _exports(pg, trainer)
    labpage.viewer_link(pg)


def _scores(row, pg: Page) -> bool:
    with row:
        return view_digits.show_scores_toggle(pg)


def _exports(pg: Page, trainer) -> None:
    """Downloads, offered while paused (files are built only when a button is pressed)."""
    snap, _ = trainer.latest()
    step = snap.step
    with st.expander("Export", icon=":material/download:"):
        cols = st.columns(4)
        cols[0].download_button("Grid (PNG)", lambda: pictures.png(pictures.tile(snap.fake),
                                                                   scale=3),
                                file_name=f"digits-step{step}.png", mime="image/png",
                                key=pg.key("b.dl_png"), on_click="ignore")
        # The timeline's frames taken here, in the script thread (a copy, kept in the server:
        # a parked run's GIF needs no host): Streamlit calls the deferred callables from its
        # media handler, where st.session_state is not this session's (KeyError).
        reel = trainer.timeline_frames()
        cols[1].download_button(f"Training reel (GIF, {len(reel)} frames)",
                                lambda: view_digits.export_gif(reel), disabled=len(reel) < 2,
                                file_name=f"digits-to-step{step}.gif", mime="image/gif",
                                key=pg.key("b.dl_gif"), on_click="ignore",
                                help="the fixed-z grid at every picture the timeline kept")
        cols[2].download_button("History (CSV)", lambda: export.history_csv(*trainer.histories()),
                                file_name=f"mnist-step{step}.csv", mime="text/csv",
                                key=pg.key("b.dl_csv"), on_click="ignore")
        cols[3].download_button("Checkpoint (.pt)", trainer.checkpoint,
                                file_name=f"mnist-{trainer.cfg.arch}-step{step}.pt",
                                mime="application/octet-stream", key=pg.key("b.dl_ckpt"),
                                on_click="ignore",
                                help="loads in this page, the latent explorer and `python -m "
                                     "playground sample --checkpoint FILE`")
