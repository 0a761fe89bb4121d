"""Renders the 2D lab's sidebar controls from the rows in `controls.py` (no logic of its own:
values map to the config in `state.py`; callbacks live in `session.py`).
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from .. import pretrained
from ..config import RANGES, RunConfig, field_types
from ..presets import PRESETS, ids_for
from ..uploads import MAX_BYTES
from . import controls, session, state
from .controls import CONTROLS, SECTIONS, Control

OPEN_SECTIONS = ("data", "objective", "remedies")  # expanded on first load
MAX_MB = MAX_BYTES / 1e6


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _ensure_key(ss, control: Control, cfg: RunConfig) -> None:
    # Streamlit drops the state of widgets that were not drawn in the last run (a remedy
    # switched off, a hidden control): restore them from the config before drawing.
    values = state.widget_values(ss, cfg)
    for k in (state.widget_key(ss, control.field), state.toggle_key(ss, control.field)):
        if k in values and k not in ss:
            ss[k] = values[k]


def _value_widget(c: Control, ss, label: str) -> None:
    key = state.widget_key(ss, c.field)
    typ = field_types()[c.field]
    if c.kind == "select":
        follow = c.field in state.FOLLOW_UPS
        st.selectbox(label, controls.options(c), key=key, help=c.help or None,
                     format_func=lambda i, c=c: controls.label_of(c, i),
                     on_change=session.on_follow_up if follow else None,
                     args=(c.field,) if follow else None)
    elif c.kind == "slider":
        lo, hi = RANGES[c.field]
        if c.toggle is not None:
            lo = max(lo, c.step or lo)  # switched on means at least one step
        if typ is int:
            st.slider(label, int(lo), int(hi), step=int(c.step or 1), key=key,
                      help=c.help or None)
        else:
            st.slider(label, float(lo), float(hi), step=float(c.step or 0.01), key=key,
                      help=c.help or None)
    elif c.kind == "choices":
        st.select_slider(label, controls.choices(c, ss.get(key)), key=key, format_func=_fmt,
                         help=c.help or None)
    elif c.kind == "toggle":
        st.toggle(label, key=key, help=c.help or None)
    elif c.kind == "number":
        lo, hi = RANGES[c.field]
        st.number_input(label, int(lo), int(hi), step=1, key=key, help=c.help or None)
    else:
        raise ValueError(f"unknown control kind {c.kind!r} for {c.field}")


def render_control(c: Control, ss, cfg: RunConfig) -> dict[str, Any]:
    """Draw one control; return {field: config value} for it."""
    _ensure_key(ss, c, cfg)
    if c.toggle is not None:
        on = st.toggle(c.toggle, key=state.toggle_key(ss, c.field), help=c.help or None)
        if on:
            _value_widget(c, ss, c.label)
    else:
        _value_widget(c, ss, c.label)
    return {c.field: state.field_value(c, ss, cfg)}


def _pretrained_picker() -> None:
    """The shipped runs of pretrained/ (an action: loading one empties the picker again)."""
    try:
        entries = pretrained.read_manifest()
    except pretrained.PretrainedError as e:
        st.caption(f"No shipped runs: {e}")
        return
    st.selectbox("Shipped run", entries.ids(), index=None, key=state.key("w.pretrained"),
                 placeholder="Start from a shipped run…", on_change=session.on_pretrained,
                 format_func=lambda i: entries.get(i).title,
                 help="loads a checkpoint from pretrained/ with its settings, paused; "
                      "the manifest there says how each was trained")


def render_sidebar(ss) -> dict[str, Any]:
    """Presets, every applicable control and the page options; returns the rendered values."""
    cfg: RunConfig = state.get(ss, "cfg")
    hidden = state.get(ss, "hidden") if state.get(ss, "present") else frozenset()
    preset_key = state.key("w.preset")
    if preset_key not in ss:
        ss[preset_key] = state.get(ss, "preset")
    st.selectbox("Preset", ids_for("points2d"), key=preset_key, on_change=session.on_preset,
                 format_func=lambda p: p + (" (failure demo)" if PRESETS.get(p).demo else ""),
                 help="loads a named configuration and starts a new run on this dataset")
    _pretrained_picker()
    rendered: dict[str, Any] = {}
    for section, title in SECTIONS.items():
        rows = [c for c in CONTROLS.values() if c.section == section
                and c.field not in hidden and controls.applies(c, cfg)
                and (c.parent is None or ss.get(state.toggle_key(ss, c.parent), False))]
        if not rows:
            continue
        with st.expander(title, expanded=section in OPEN_SECTIONS):
            for c in rows:
                rendered.update(render_control(c, ss, cfg))
            if section == "data" and cfg.dataset == "custom":
                st.file_uploader(f"Points (CSV: x, y; at most {MAX_MB:.0f} MB)",
                                 type=["csv", "txt"],
                                 key=state.key("w.upload"), on_change=session.on_upload,
                                 help="two numeric columns, optional header, 10 to 100,000 rows")
                note = session.custom_notice(state.get(ss, "points"), cfg)
                if note:
                    st.caption(f"{state.get(ss, 'upload_name')}: {note}")
            if section == "remedies":
                st.caption("Changing the loss, a remedy, n_critic or an optimiser setting "
                           "keeps the weights; data, architecture or seed start a new run "
                           "(still training if it was).")
    present_key = state.key("w.present")
    if present_key not in ss:
        ss[present_key] = state.get(ss, "present")
    st.toggle("Presenter mode", key=present_key, on_change=session.on_present,
              help="larger fonts and plots for a projector; the link gets ?present=1")
    return rendered
