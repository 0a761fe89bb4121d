"""The "Mode-collapse tables" page: PacGAN's and VEEGAN's Table 1 beside our rerun of each row,
for a lecturer to open. It shows stored records (`docs/tables/<id>.json`, written by
`python -m playground reproduce <id> --json ...`; store/tables.py reads them) and trains
nothing: each table says how many trials, how many G updates against the paper's, the wall time
and device, and the command that measures it again. Below them, docs/presets.md's section on
the lab's own preset beside the papers' best rows.
`?table=veegan-table1` opens that table; `?present=1` is for a projector (larger text).
"""
from __future__ import annotations

import streamlit as st

from playground.data.datasets import DATASETS
from playground.figures import tables as figures
from playground.figures.style import NORMAL, PRESENTER
from playground.paper_tables import TABLES
from playground.store import tables as stored
from playground.ui import labpage, session, state
from playground.ui.urlstate import tables as tables_link

NS = "tables"
state.NAMESPACES.add(NS, state.Namespace({
    "present": lambda: False,  # presenter mode (?present=1)
    "ready": lambda: False,
    "url_warnings": list,  # problems found in the opening link, shown until the page is left
}))
W_TABLE, W_PRESENT = f"{NS}.w.table", f"{NS}.w.present"


def render() -> None:
    ss = st.session_state
    state.ensure(ss, NS)
    if not state.get(ss, "ready", NS):
        link = tables_link.decode(session.query_params())
        state.put(ss, "present", link.present, NS)
        state.put(ss, "url_warnings", list(link.warnings), NS)
        ss[W_TABLE], ss[W_PRESENT] = link.table, link.present
        state.put(ss, "ready", True, NS)
    present = bool(ss[W_PRESENT])
    if present:
        st.set_page_config(initial_sidebar_state="collapsed")
    st.markdown(labpage.COMPACT_CSS + (labpage.PRESENTER_CSS if present else ""),
                unsafe_allow_html=True)
    st.title("Mode-collapse tables")
    if not present:  # on a projector the chart needs the line (800 px: title to chart's foot)
        st.caption("The published mode-collapse benchmarks (PacGAN, VEEGAN: 8 Gaussians on a "
                   "ring, 25 on a grid) beside the same rows measured here, under the papers' "
                   "protocol.")
    for text in state.get(ss, "url_warnings", NS):
        st.warning(text, icon=":material/link_off:")
    with st.sidebar:
        st.toggle("Presenter mode", key=W_PRESENT,
                  help="larger text and charts for a projector; the link gets ?present=1")
    st.segmented_control("Table", list(TABLES.ids()), key=W_TABLE, required=True,
                         format_func=lambda t: TABLES.get(t).source)
    _table(ss[W_TABLE], present)
    _beyond()
    _write_link(ss)


def _table(table_id: str, present: bool) -> None:
    try:
        t = stored.load(table_id)
    except stored.TableError as e:
        st.error(f"{e}.", icon=":material/table_chart:")
        return
    spec = t.spec
    st.subheader(spec.title)
    short = (f" At {100 * t.budget:.3g} % of the paper's training, our rows say where each "
             f"setup stands after {t.steps:,} updates, not what it reaches (`--budget 1`: a "
             "GPU's job).") if t.budget < 1 else ""
    st.caption(
        f"**Ours:** {t.trials} trials a row (seeds {t.seed0}-{t.seed0 + t.trials - 1}) of "
        f"{t.steps:,} G updates, {100 * t.budget:.3g} % of the paper's {spec.steps:,}; "
        f"{t.seconds() / 60:,.0f} min of training and scoring on {', '.join(t.devices())} "
        "(the rows' wall times summed). "
        f"Bars: mean ± standard error over trials (the paper: {spec.trials} trials); dotted: "
        f"every mode, every sample high quality." + (short if present else ""))
    if short and not present:
        st.info(short.strip(), icon=":material/hourglass_bottom:")
    style = PRESENTER if present else NORMAL
    panes = st.tabs([DATASETS.get(d).label for d in t.datasets])
    for pane, d in zip(panes, t.datasets, strict=True):
        with pane:
            st.plotly_chart(figures.paper_vs_ours(t, d, style), key=f"{NS}.fig.{table_id}.{d}",
                            config={"displayModeBar": False})
            st.caption(DATASETS.get(d).caption)
            st.table(stored.cells(t, d))
    with st.expander("The protocol, and how each row was obtained"):
        st.markdown(
            f"{spec.steps_how[:1].upper()}{spec.steps_how[1:]} is the paper's length. Every "
            "trial is scored on 2,500 samples of G: a sample is high quality within 3 std of "
            "its nearest mode; modes = modes with a high-quality sample; reverse KL = KL of "
            "the high-quality samples' mode histogram against uniform (nats).")
        st.markdown("\n".join(f"- **{r.method}**: {r.how}" + (
            f"; trained {', '.join(sorted({o.trained for o in r.ours.values()}))}" if r.ours
            else "") + "." for r in t.rows))
    with st.expander("Every trial"):
        st.dataframe(stored.trial_rows(t), hide_index=True)
    with st.expander("Measure it again"):
        st.code(t.command, language="bash")
        st.caption("Add `--device cuda` on a GPU and `--threads 1` on a busy CPU; the page "
                   f"reads `docs/tables/{table_id}.json` when it opens.")


def _beyond() -> None:
    """The lab's best preset against the papers' best rows, 10 seeds a dataset (measured at its
    own length, so not a row of the budgeted tables above): docs/presets.md's section."""
    try:
        title, body = stored.beyond()
    except stored.TableError as e:
        st.error(f"{e}.", icon=":material/table_chart:")
        return
    with st.expander(title):
        st.markdown(body)


def _write_link(ss) -> None:
    """Mirror the open table and presenter mode into the address bar (when they changed)."""
    query = tables_link.encode(tables_link.Link(bool(ss[W_PRESENT]), ss[W_TABLE]))
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)
