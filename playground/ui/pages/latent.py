"""The latent explorer: walk a digit generator's latent space (the shipped DCGAN, this session's
MNIST lab run, or an uploaded checkpoint). Pick samples from a seeded batch, then interpolate
(lerp or slerp), tile a grid between four corners, walk through several points, sweep one
coordinate, do vector arithmetic, move along class and attribute directions, and check a
sample's nearest training digits. The picks (state key `latent.picks`) drive every tab: the
last two are interpolated, the last one is swept, moved and matched; `_set_picks` is the one
writer of the picks and of the tab widgets that follow them. The address bar holds the picks,
the open tab, the path, the batch seed and the shipped generator (`urlstate/latent.py`), so a
link reopens the page as it was; `?present=1`: presenter mode, the picker and the interpolation
on one projector screen. Wiring only: the maths is `latent.py`, the decoding `explorer.py`, the
figures `figures/latent.py`.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from playground.figures import latent as figs
from playground.latent import explorer
from playground.ui import guard, labpage, session, state, views
from playground.ui import latent_tabs as tabs
from playground.ui.urlstate import latent as latent_link

NS = tabs.NS
state.NAMESPACES.add(NS, state.Namespace({
    "explorer": lambda: None,  # explorer.Explorer of the chosen source (None: the shipped one)
    "source": lambda: "shipped DCGAN",
    "shipped": lambda: None,  # the link's shipped generator id (None: not a linkable one)
    "link_picks": lambda: None,  # the opening link's picks, taken by the first batch
    "seed": lambda: 0,  # seed of the sample batch
    "picks": list,  # indices into the batch, oldest first: they drive every tab
    "pair": lambda: [0, 1],  # the batch's opening pair (`_opening_pair`)
    "batch_of": lambda: None,  # (source, step, seed) that `picks` and `pair` belong to
    "present": lambda: False,  # presenter mode (?present=1)
    "ready": lambda: False,  # the opening link has been read
    "url_warnings": list,  # problems found in the opening link, shown until dismissed
    "upload_error": lambda: "",  # why the uploaded file was refused, shown beside the uploader
}))
BATCH, COLS, CONFIG, PRESENT_COLS = tabs.BATCH, tabs.COLS, tabs.CONFIG, tabs.PRESENT_COLS
SWEEPS = tabs.SWEEPS
_k = tabs.key


@st.cache_resource
def _shipped() -> explorer.Explorer:
    """The shipped DCGAN (read-only: decoding runs in eval mode under no_grad)."""
    return explorer.Explorer.shipped()


def _explorer(ss) -> explorer.Explorer:
    return ss[_k("explorer")] or _shipped()


def render() -> None:
    ss = st.session_state
    state.ensure(ss, NS)
    _keep_closed_tabs(ss)
    present = _opening_link(ss)
    st.title("Latent explorer")
    st.caption("Radford et al. 2016 (seed 002): walking z changes digits smoothly, and averaged "
               "z vectors support arithmetic. Every digit is labelled by the frozen classifier.")
    _link_warnings(ss)
    if present:  # the projector shows the picker and the strip; the source waits in the sidebar
        with st.sidebar:
            _source(ss)
    else:
        _source(ss)
    with st.sidebar:
        st.toggle("Presenter mode", key=_k("w.present"), on_change=_on_present,
                  help="larger digits, the picker and the interpolation on one screen; the "
                       "link gets ?present=1")
    ex = _explorer(ss)
    views.device_caption(ex.device.type, ex.threads, f"Decoding {ex.source}", present=present)
    batch = ex.sample(BATCH, ss[_k("seed")])
    _new_batch_picks(ss, (ss[_k("source")], ex.step, ss[_k("seed")]), batch)
    picks = _picker(ss, batch)
    # keyed, the tabs report the open one (a switch reruns the page), so the link can hold it
    # and only the open tab is computed: drawing every tab took seconds on a busy CPU, and a
    # linked tab stayed blank until the others had decoded their strips.
    has = tabs.shown(ex)
    if ss.get(_k("w.tab")) not in has:  # e.g. a link's tab this generator does not have
        ss[_k("w.tab")] = next(iter(has))
    panes = st.tabs(list(has), key=_k("w.tab"), on_change="rerun")
    for pane, draw in zip(panes, has.values(), strict=True):
        if pane.open:
            with pane:
                draw(ex, batch, picks)
    _write_link(ss)


# Widgets whose value the browser owns (a chart's selection, an upload): Streamlit refuses a
# write to their keys.
_UNWRITABLE = (_k("w.grid"), _k("w.upload"))


def _keep_closed_tabs(ss) -> None:
    """Streamlit drops the key of a widget that a run does not draw, so a closed tab would lose
    its settings (and the link its path). Writing each kept value back, before any widget is
    drawn, carries it over the run (Streamlit's own advice for widgets that come and go)."""
    for k in [k for k in ss if k.startswith(_k("w.")) and k not in _UNWRITABLE]:
        ss[k] = ss[k]


def _opening_link(ss) -> bool:
    """Read the opening link once per session; set the page up for presenter mode. Returns
    whether it is on."""
    if not ss[_k("ready")]:
        link = latent_link.decode(session.query_params())
        ss[_k("present")], ss[_k("seed")] = link.present, link.seed
        ss[_k("url_warnings")] = list(link.warnings)
        ss[_k("shipped")], ss[_k("link_picks")] = link.shipped, link.picks
        ss[_k("w.tab")] = _TAB_LABEL[link.tab]
        ss[_k("w.path")] = link.path
        if link.shipped is not None and link.shipped != explorer.DEFAULT_SHIPPED:
            ss[_k("explorer")] = explorer.Explorer.shipped(link.shipped)
            ss[_k("source")] = f"shipped {link.shipped}"
        ss[_k("ready")] = True
    if _k("w.present") not in ss:
        ss[_k("w.present")] = ss[_k("present")]
    present = ss[_k("present")]
    st.set_page_config(initial_sidebar_state="collapsed" if present else "auto")
    st.markdown(labpage.COMPACT_CSS + (labpage.PRESENTER_CSS if present else ""),
                unsafe_allow_html=True)
    return present


def _link_warnings(ss) -> None:
    """The opening link's problems, as the labs show theirs, until dismissed."""
    for text in ss[_k("url_warnings")]:
        st.warning(text, icon=":material/link_off:")
    if ss[_k("url_warnings")]:
        st.button("Dismiss", key=_k("b.dismiss_link"), icon=":material/close:",
                  on_click=ss.__setitem__, args=(_k("url_warnings"), []),
                  help="the defaults shown replaced the link's bad values")


def _on_present() -> None:
    ss = st.session_state
    ss[_k("present")] = bool(ss[_k("w.present")])  # the render's `_write_link` tells the link


_TAB_LABEL = dict(zip(latent_link.TABS, tabs.TABS, strict=True))  # link id -> tab label
_TAB_ID = {label: id_ for id_, label in _TAB_LABEL.items()}


def _write_link(ss) -> None:
    """Mirror the page into the address bar (only when it changed): copying the address shares
    the picks, the tab and the path, as the labs share their settings. The opening pair is the
    batch's own, so it is left out. A session's lab run or an uploaded file has no link: the
    link then opens the shipped DCGAN."""
    picks = tuple(ss[_k("picks")])
    query = latent_link.encode(latent_link.Link(
        ss[_k("present")], ss[_k("seed")], ss[_k("shipped")],
        None if list(picks) == ss[_k("pair")] else picks,
        _TAB_ID.get(ss.get(_k("w.tab")), latent_link.TABS[0]),
        ss.get(_k("w.path"), latent_link.PATHS[0])))
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


# ---- the generator and the samples ------------------------------------------------------------
def _source(ss) -> None:
    cols = st.columns([2, 2, 3])
    cols[0].markdown(f"**Generator:** {ss[_k('source')]} (step {_explorer(ss).step:,})")
    trainer = ss.get(state.key("trainer", state.MNIST))
    if trainer is not None and cols[1].button("Use the MNIST lab's generator now",
                                              key=_k("b.lab"), icon=":material/sync:",
                                              help="a copy of this session's MNIST lab run "
                                                   "as it is now (paused or training)"):
        try:
            ex = explorer.Explorer.from_bytes(trainer.checkpoint(), "this session's MNIST lab")
            ss[_k("explorer")], ss[_k("source")] = ex, f"MNIST lab run ({ex.step:,} steps)"
            ss[_k("shipped")] = None
            st.rerun()
        except ValueError as e:  # beside the button that asked for it
            cols[1].error(guard.public(f"Could not take the lab's generator: {e}"))
    for id_, title in explorer.shipped_generators().items():  # e.g. the conditional one
        if id_ != explorer.DEFAULT_SHIPPED and ss[_k("shipped")] != id_ and cols[1].button(
                title, key=_k(f"b.shipped.{id_}"), icon=":material/folder_open:",
                help=f"open the shipped {title} ({id_}): no training needed"):
            ss[_k("explorer")], ss[_k("source")] = explorer.Explorer.shipped(id_), f"shipped {id_}"
            ss[_k("shipped")] = id_  # the link names it
            st.rerun()
    if ss[_k("explorer")] is not None and cols[1].button("Back to the shipped DCGAN",
                                                         key=_k("b.shipped")):
        ss[_k("explorer")], ss[_k("source")] = None, "shipped DCGAN"
        ss[_k("shipped")] = None
        st.rerun()
    upload = cols[2].file_uploader("…or a digit checkpoint (.pt)", type=["pt"],
                                   key=_k("w.upload"), label_visibility="visible")
    if upload is None:
        ss[_k("upload_error")] = ""
    elif ss.get(_k("uploaded")) != upload.file_id:
        ss[_k("uploaded")], ss[_k("upload_error")] = upload.file_id, ""
        try:
            ss[_k("explorer")] = explorer.Explorer.from_bytes(upload.getvalue(), upload.name)
            ss[_k("source")], ss[_k("shipped")] = upload.name, None
            st.rerun()
        except ValueError as e:  # no server paths or exception names on the page
            ss[_k("upload_error")] = guard.public(f"{upload.name}: {e}")
    if ss[_k("upload_error")]:  # under the uploader, where the eye is, until the file goes
        cols[2].error(ss[_k("upload_error")], icon=":material/error:")


# ---- the picks: one owner, every tab follows ----------------------------------------------------
def _opening_pair(batch: explorer.Decoded) -> list[int]:
    """The batch's most confident digit and the most confident digit of another class, so the
    first strip runs between two clear, different digits (seed 0's first two samples ran from
    a 9 into a malformed 7 read at 43 %). Ties keep batch order: deterministic."""
    order = np.argsort(-batch.confidence, kind="stable")
    first = int(order[0])
    other = [int(i) for i in order if batch.labels[i] != batch.labels[first]]
    return [first, other[0] if other else int(order[1])]


def _ends(picks: list[int], pair: list[int]) -> tuple[int, int]:
    """Interpolate's from and to: the last two picks; one pick is the end, reached from the
    opening pair's first digit (its second if that is the pick); none: the opening pair."""
    if len(picks) >= 2:
        return picks[-2], picks[-1]
    if picks:
        return (pair[0] if pair[0] != picks[0] else pair[1]), picks[0]
    return pair[0], pair[1]


def _set_picks(ss, picks: list[int]) -> None:
    """The one writer of the picks and of every widget that follows them (from/to, the
    sample of Sweep, Directions and Nearest, the custom arithmetic groups). Runs in callbacks
    or before the widgets render, so the widgets show the new values on this run."""
    picks = list(dict.fromkeys(int(i) for i in picks))
    ss[_k("picks")] = ss[_k("w.picks")] = picks
    ss[_k("w.a")], ss[_k("w.b")] = _ends(picks, ss[_k("pair")])
    for name in ("w.si", "w.di", "w.ni"):
        ss[_k(name)] = ss[_k("w.b")]
    for i in range(3):
        ss[_k(f"w.g{i}")] = picks[3 * i:3 * i + 3]


def _new_batch_picks(ss, batch_of: tuple, batch: explorer.Decoded) -> None:
    """A batch not seen before (first visit, new seed, another generator) opens on its own
    pair, picked (the first one on the opening link's picks if it has some); the picks of the
    batch on screen are kept."""
    if ss[_k("batch_of")] != batch_of:
        ss[_k("batch_of")] = batch_of
        ss[_k("pair")] = _opening_pair(batch)
        linked, ss[_k("link_picks")] = ss[_k("link_picks")], None  # the opening link's, once
        _set_picks(ss, ss[_k("pair")] if linked is None else list(linked))


def _on_select() -> None:
    """A click (or a box) on the picker: the chosen digits become the latest picks."""
    ss = st.session_state
    event = ss.get(_k("w.grid"))
    points = (event or {}).get("selection", {}).get("points", [])
    chosen = [int(p["customdata"]) for p in points if "customdata" in p]
    if chosen:
        _set_picks(ss, [i for i in ss[_k("picks")] if i not in chosen] + chosen)


def _on_multiselect() -> None:
    ss = st.session_state
    _set_picks(ss, ss[_k("w.picks")])


def _on_new_batch() -> None:
    st.session_state[_k("seed")] += 1  # the next render opens the new batch on its own pair


def _picker(ss, batch: explorer.Decoded) -> list[int]:
    present = ss[_k("present")]
    if not present:
        st.subheader("Pick samples")
    c = st.columns([1, 1, 4], vertical_alignment="bottom")
    c[0].button("New batch", key=_k("b.new"), icon=":material/casino:", on_click=_on_new_batch)
    c[1].markdown(f"batch seed **{ss[_k('seed')]}**")
    picks = c[2].multiselect("Picked (click digits below): the last two are interpolated, the "
                             "last one drives the other tabs",
                             list(range(BATCH)), key=_k("w.picks"), on_change=_on_multiselect,
                             format_func=lambda i: f"#{i}: {batch.labels[i]}")
    cols = PRESENT_COLS if present else COLS
    st.plotly_chart(figs.strip_figure(batch.images, batch.labels, batch.confidence, cols,
                                      "click a digit to pick it", tabs.style(ss), selectable=True,
                                      picked=tuple(picks)),
                    key=_k("w.grid"), on_select=_on_select, selection_mode=("points", "box"),
                    config=CONFIG, theme=None)
    return list(picks)


