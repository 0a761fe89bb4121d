"""The compare page: 2-4 runs on one dataset and seed, trained in lockstep as one job (one host
of the worker pool while it trains), drawn side by side at the same step with a line per run in
every metric chart. A caption says what the chosen runs share (`sharing.py`): the same starting
weights only for one network shape, the same batches at every step only for one batch size,
n_critic and unroll_steps. Pause, and a timeline slider scrubs back through
the kept pictures.

`?compare=ns_vs_r1` opens a comparison preset; `?runs=ns,r1&dataset=grid&seed=3` a custom one
(the codec: `urlstate/compare.py`).
Wiring only: `lockstep.py` trains, `figures/compare.py` draws.
"""
from __future__ import annotations

import dataclasses

import streamlit as st

from playground.comparisons import COMPARISONS, Comparison
from playground.data import datasets
from playground.engine.sharing import shared
from playground.figures import compare as figs
from playground.figures import digits
from playground.presets import PRESETS, ids_for
from playground.serve.clients import Comparer
from playground.speeds import SPEEDS
from playground.ui import cached, export, labpage, session, state, views
from playground.ui.liveplot import live_chart
from playground.ui.state import Page
from playground.ui.urlstate import compare as compare_link

NS = "compare"
state.NAMESPACES.add(NS, state.Namespace({
    **state.LAB_KEYS, "comparer": lambda: None, "comparison": lambda: compare_link.DEFAULT,
    "runs": list, "key": lambda: None, "eval_every": lambda: 100,
    "scrub_latest": lambda: None,
}, {}, None, "", "Compare runs"))
EVERY = (25, 50, 100, 200, 500)
SEED_MAX, CUSTOM = compare_link.SEED_MAX, compare_link.CUSTOM


def _link(pg: Page) -> None:
    """The opening link (`urlstate/compare.py`): a comparison preset, or custom runs; problems
    become warnings."""
    link = compare_link.decode(session.query_params())
    pg.put("comparison", link.comparison)
    if link.runs:
        pg.put("runs", list(link.runs))
    pg.put("dataset", link.dataset)
    pg.put("seed", link.seed)
    pg.put("present", link.present)
    pg.put("speed", link.speed)
    pg.put("url_warnings", list(link.warnings))


def _comparison(pg: Page) -> Comparison:
    cid = pg.get("comparison")
    if cid != CUSTOM:
        return COMPARISONS.get(cid)
    runs = pg.get("runs") or ["ns", "r1"]
    kind = PRESETS.get(runs[0]).kind
    base = "mnist" if kind == "image" else "ring"
    return Comparison("Custom comparison", "Your presets, side by side on one dataset and seed.",
                      base, tuple((r, r, {}) for r in runs))


def _sidebar(pg: Page) -> None:
    ids = [*COMPARISONS.ids(), CUSTOM]
    k = pg.key("w.comparison")
    if k not in pg.ss:
        pg.ss[k] = pg.get("comparison")
    choice = st.selectbox("Comparison", ids, key=k, format_func=lambda i: i if i == CUSTOM
                          else COMPARISONS.get(i).title)
    pg.put("comparison", choice)
    if choice == CUSTOM:
        kind_key = pg.key("w.kind")
        kind = st.radio("Data", ("points2d", "image"), key=kind_key, horizontal=True,
                        format_func={"points2d": "2D points", "image": "MNIST digits"}.get)
        options = ids_for(kind)
        current = [r for r in pg.get("runs") if r in options] or options[:2]
        runs = st.multiselect("Runs (2-4 presets)", options, default=current,
                              key=pg.key(f"w.runs.{kind}"), max_selections=4)
        pg.put("runs", runs)
    comparison = _comparison(pg)
    if datasets.kind_of(comparison.dataset) == "points2d":
        names = [i for i, d in datasets.DATASETS.items() if d.kind == "points2d"
                 and i != "custom"]
        dk = pg.key("w.dataset")
        if dk not in pg.ss:
            pg.ss[dk] = pg.get("dataset") or comparison.dataset
        pg.put("dataset", st.selectbox("Dataset", names, key=dk))
    sk = pg.key("w.seed")
    if sk not in pg.ss:
        pg.ss[sk] = pg.get("seed")
    pg.put("seed", int(st.number_input("Seed", 0, SEED_MAX, step=1, key=sk)))
    ek = pg.key("w.every")
    if ek not in pg.ss:
        pg.ss[ek] = pg.get("eval_every")
    pg.put("eval_every", st.select_slider("Evaluate every (steps)", EVERY, key=ek))
    pk = pg.key("w.present")
    if pk not in pg.ss:
        pg.ss[pk] = pg.get("present")
    pg.put("present", st.toggle("Presenter mode", key=pk))


def _sync(pg: Page) -> Comparer | None:
    """Build the comparison the controls ask for (a new one when they changed)."""
    comparison = _comparison(pg)
    runs = list(comparison.members)
    if len(runs) < 2:
        st.info("Pick at least two presets to compare.")
        return None
    dataset = pg.get("dataset") if datasets.kind_of(comparison.dataset) == "points2d" else None
    key = (pg.get("comparison"), tuple(m[1] for m in runs), dataset, pg.get("seed"),
           pg.get("eval_every"))
    current = pg.get("comparer")
    if current is not None and pg.get("key") == key:
        _write_link(pg, dataset)
        return current
    try:
        cfgs = comparison.configs(pg.get("seed"), dataset or None)
        fresh = Comparer(cfgs, comparison.labels, cached.pool(), pg.get("eval_every"),
                         alive=session._session_alive())
    except ValueError as e:
        st.error(f"Could not build this comparison: {e}")
        return current
    if current is not None:
        current.close()
    fresh.set_speed(SPEEDS.get(pg.get("speed")))
    pg.put("comparer", fresh)
    pg.put("key", key)
    pg.put("scrub", None)
    _write_link(pg, dataset)
    return fresh


def _write_link(pg: Page, dataset: str | None) -> None:
    """Mirror the comparison, its options and the speed into the address bar (when changed)."""
    query = compare_link.encode(compare_link.Link(
        pg.get("comparison"), tuple(pg.get("runs")), dataset or "", pg.get("seed"),
        pg.get("present"), speed=pg.get("speed")))
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


def render() -> None:
    pg = Page(st.session_state, NS)
    state.ensure(pg.ss, NS)
    if not pg.get("ready"):
        _link(pg)
        pg.put("ready", True)
    present = pg.get("present")
    st.set_page_config(initial_sidebar_state="collapsed" if present else "auto")
    st.markdown(labpage.COMPACT_CSS + (labpage.PRESENTER_CSS if present else ""),
                unsafe_allow_html=True)
    with st.sidebar:
        _sidebar(pg)
    comparer = _sync(pg)
    comparison = _comparison(pg)
    st.title("Compare runs")
    st.caption(f"**{comparison.title}** — {comparison.caption}")
    for text in pg.get("url_warnings"):
        st.warning(text, icon=":material/link_off:")
    if comparer is None:
        return
    st.caption(f"**What the runs share:** {shared(comparer.cfgs).sentence}")
    _buttons(pg, comparer)
    # No reserved slot: in presenter mode at 1280x800 the side-by-side has 19 px to spare, and
    # an 86 px slot put its bottom at 876 px (measured); the slider shows on Pause instead.
    scrub = views.scrubber(pg, comparer, reserve=False)
    views.render_live(pg, comparer, _drawing(pg, comparer, scrub))
    if not comparer.running:
        _exports(pg, comparer)


def _buttons(pg: Page, comparer: Comparer) -> None:
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    running = comparer.running
    if row.button("Pause" if running else "Train", key=pg.key("b.train"), type="primary",
                  icon=":material/pause:" if running else ":material/play_arrow:", width=110):
        comparer.pause() if running else comparer.start()
        st.rerun()
    if row.button("Step", key=pg.key("b.step"), help="one step of every run, in lockstep"):
        comparer.step()
        st.rerun()
    if row.button("Reset", key=pg.key("b.reset"), icon=":material/restart_alt:",
                  help="every run from its starting weights again"):
        pg.put("key", None)
        st.rerun()
    speed_key = pg.key("w.speed")
    if speed_key not in pg.ss:
        pg.ss[speed_key] = pg.get("speed")
    row.selectbox("Speed", SPEEDS.ids(), key=speed_key, on_change=_on_speed,
                  format_func=lambda id_: SPEEDS.get(id_).label, label_visibility="collapsed",
                  width=labpage.SPEED_W, help=labpage.SPEED_HELP)


def _on_speed() -> None:
    """The speed box: the runs' host takes the new pace (or slow motion) at once."""
    pg = Page(st.session_state, NS)
    speed = pg.ss[pg.key("w.speed")]
    pg.put("speed", speed)
    comparer = pg.get("comparer")
    if comparer is not None:
        comparer.set_speed(SPEEDS.get(speed))


def _with_histories(old, new):
    """A kept picture drawn with the newest histories (the curves) and a cursor at its step."""
    return dataclasses.replace(old, snaps=tuple(
        dataclasses.replace(o, history=n.history, metric_history=n.metric_history,
                            events=n.events) for o, n in zip(old.snaps, new.snaps, strict=True)))


def _drawing(pg: Page, comparer: Comparer, scrub) -> views.Drawing:
    image = datasets.kind_of(comparer.cfg.dataset) == "image"

    def pick(snap):
        return snap if scrub is None else _with_histories(scrub, snap)

    def picture(snap, style) -> None:
        snap = pick(snap)
        st.caption(f"Training: **{snap.mode}** · every run at step {snap.step:,}"
                   + (" · **scrubbed back**" if scrub is not None else ""))
        if image:
            cols = st.columns(len(snap.snaps))
            for i, (col, s, label) in enumerate(zip(cols, snap.snaps, snap.labels,
                                                    strict=True)):
                with col:
                    st.markdown(f"**{label}**")
                    # short titles: two to four runs share the left column
                    live_chart(digits.samples_figure(s, style, title=f"step {s.step} | real"),
                               f"compare.grid{i}", views.PLOTLY_CONFIG)
                    live_chart(digits.histogram_figure(s, style, "% of fakes per digit"),
                               f"compare.hist{i}", views.PLOTLY_CONFIG)
        else:
            live_chart(figs.side_by_side(snap.snaps, snap.labels, style=style),
                       "compare.samples", views.PLOTLY_CONFIG)

    def panels(snap, style) -> None:
        snap = pick(snap)
        cursor = snap.step if scrub is not None else None
        metrics = figs.METRICS_IMAGE if image else figs.METRICS_2D
        cols = st.columns(2)  # a 2x2 grid: three across cut titles and ticks at 1280 px
        live_chart(figs.losses_figure(snap.snaps, snap.labels, style, cursor),
                   "compare.losses", views.PLOTLY_CONFIG)
        for i, (key, title, y_title, y_range) in enumerate(metrics):
            with cols[i % len(cols)]:
                live_chart(figs.metric_figure(snap.snaps, snap.labels, key, title, y_title,
                                              y_range, style, cursor),
                           f"compare.{key}", views.PLOTLY_CONFIG)

    return views.Drawing(picture, panels, columns=(3, 2))


def _exports(pg: Page, comparer: Comparer) -> None:
    snap, _ = comparer.latest()
    if snap is None or datasets.kind_of(comparer.cfg.dataset) == "image":
        if snap is not None:
            with st.expander("Export", icon=":material/download:"):
                st.download_button("Histories (CSV, a column per run)",
                                   lambda: export.compare_csv(comparer.histories()),
                                   file_name=f"compare-step{snap.step}.csv", mime="text/csv",
                                   key=pg.key("b.dl_csv"), on_click="ignore")
        return
    with st.expander("Export", icon=":material/download:"):
        cols = st.columns(3)
        cols[0].download_button(
            "Side by side (HTML)", lambda: export.figure_html(
                figs.side_by_side(snap.snaps, snap.labels)),
            file_name=f"compare-step{snap.step}.html", mime="text/html",
            key=pg.key("b.dl_html"), on_click="ignore")
        cols[1].download_button("Histories (CSV, a column per run)",
                                lambda: export.compare_csv(comparer.histories()),
                                file_name=f"compare-step{snap.step}.csv", mime="text/csv",
                                key=pg.key("b.dl_csv"), on_click="ignore")
        cols[2].download_button(
            "Timeline (HTML animation)", lambda: export.figure_html(figs.animation(
                [figs.side_by_side(comparer.timeline_at(s).snaps, snap.labels)
                 for s in comparer.timeline()], "the comparison over training")),
            file_name=f"compare-timeline-step{snap.step}.html", mime="text/html",
            key=pg.key("b.dl_anim"), on_click="ignore")
