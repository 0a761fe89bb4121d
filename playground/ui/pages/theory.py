"""The "Why Wasserstein" page: the WGAN paper's argument, computed live by playground.theory.

Three sections (parallel lines, a saturating D against a linear critic, EM vs JS along real
runs), drawn by `theory_tabs.py`. Every long computation (estimate table, theta race, saturation
fit, 2D comparison) runs as this session's job on the server's worker pool (`clients.TheoryWorker`,
made on the first button press), so the page never blocks and the server's own threads stay
free; fragments draw its latest views.
`?present=1` is for a projector: large text, numbers and charts, and each section's prose
folded into an expander so its numbers and key figure fill the first 1280 x 800 screen.
`?tab=saturation` (or `em`) opens that section; the address bar follows the open one.
"""
from __future__ import annotations

import streamlit as st

from playground.serve.process import torch_threads
from playground.ui import session, state, views
from playground.ui import theory_tabs as tabs
from playground.ui.urlstate import theory as theory_link

NS = tabs.NS
state.NAMESPACES.add(NS, state.Namespace({
    "worker": lambda: None,  # clients.TheoryWorker: this session's theory work (None until used)
    "present": lambda: False,  # presenter mode (?present=1)
    "ready": lambda: False,
    "url_warnings": list,  # problems found in the opening link, shown until the page is left
}))
# Streamlit 1.67 draws a metric's number as a markdown paragraph, so the prose rule below
# shrank it from 36 px to 21 px; the longer selector outranks it. Less padding above the title
# (Streamlit pads by 6rem) for the first screen.
PRESENTER_CSS = """<style>
.block-container{padding-top:2.6rem !important;padding-bottom:1rem !important}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stCaptionContainer"] p, button p, table { font-size: 1.3rem !important; }
h1, h1 span { font-size: 2.4rem !important; padding-top: 0 !important; }
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetricValue"] > div { font-size: 3rem !important; line-height: 1.2 !important; }
</style>"""


_TAB_LABEL = dict(zip(theory_link.TABS, tabs.TABS, strict=True))  # link id -> tab label
_TAB_ID = {label: id_ for id_, label in _TAB_LABEL.items()}


def render() -> None:
    ss = st.session_state
    state.ensure(ss, NS)
    if not state.get(ss, "ready", NS):
        link = theory_link.decode(session.query_params())
        state.put(ss, "present", link.present, NS)
        state.put(ss, "url_warnings", list(link.warnings), NS)
        ss[tabs.w("tab")] = _TAB_LABEL[link.tab]
        state.put(ss, "ready", True, NS)
    if state.get(ss, "present", NS):
        st.set_page_config(initial_sidebar_state="collapsed")
        st.markdown(PRESENTER_CSS, unsafe_allow_html=True)
    st.title("Why Wasserstein")
    st.caption("The argument of Arjovsky, Chintala & Bottou (2017), *Wasserstein GAN*, "
               "with every number computed here.")
    _device(ss)
    for text in state.get(ss, "url_warnings", NS):
        st.warning(text, icon=":material/link_off:")
    # keyed, the tabs report the open one (a switch reruns the page), so the link can hold it
    panes = st.tabs(list(tabs.TABS), key=tabs.w("tab"), on_change="rerun")
    for pane, draw in zip(panes, tabs.TABS.values(), strict=True):
        with pane:
            draw(ss)
    _write_link(ss)


def _device(ss) -> None:
    """Where the numbers are computed: the worker pool's processes, on the CPU (the fits and
    tables make CPU tensors), with the threads each has; the EM-vs-JS runs train on the
    pool's device, named when it is not the CPU. Before the first task no host has reported:
    the threads a host will take (the server asks no device of CUDA itself)."""
    worker = state.get(ss, "worker", NS)
    status = worker.latest()[1] if worker is not None else None
    threads = (status.threads if status is not None else 0) or torch_threads()
    runs = f"; its EM-vs-JS runs train on {views.device_text(status.device)}" if (
        status is not None and status.device != "cpu") else ""
    views.device_caption("cpu", threads, "Computed in the worker pool", f" per process{runs}",
                         present=bool(state.get(ss, "present", NS)))


def _write_link(ss) -> None:
    """Mirror presenter mode and the open section into the address bar (when they changed)."""
    query = theory_link.encode(theory_link.Link(
        state.get(ss, "present", NS), _TAB_ID.get(ss.get(tabs.w("tab")), theory_link.TABS[0])))
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)
