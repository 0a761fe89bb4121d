"""Renders a lab's sidebar controls from its control table (`controls.py`): the same code for
the 2D lab and the MNIST lab (no logic of its own: values map to the config in `state.py`;
callbacks live in `session.py`).
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from playground.config import RANGES, RunConfig, field_types
from playground.data.uploads import MAX_BYTES
from playground.presets import PRESETS, ids_for
from playground.store import pretrained
from playground.ui import controls, loads, session
from playground.ui.controls import SECTIONS, Control
from playground.ui.state import Page

OPEN_SECTIONS = ("data", "objective", "remedies")  # expanded on first load
MAX_MB = MAX_BYTES / 1e6


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _ensure_key(pg: Page, control: Control, cfg: RunConfig) -> None:
    # Streamlit drops the state of widgets that were not drawn in the last run (a remedy
    # switched off, a hidden control): restore them from the config before drawing.
    values = pg.widget_values(cfg)
    for k in (pg.widget_key(control.field), pg.toggle_key(control.field)):
        if k in values and k not in pg.ss:
            pg.ss[k] = values[k]


def _watch(pg: Page, c: Control, key: str) -> dict[str, Any]:
    """Keyword arguments for a control's widget: its key, its help and the change callback
    (told the key it was drawn under: the page may redraw the control under another)."""
    return {"key": key, "help": c.help or None, "on_change": session.on_control,
            "args": (pg.ns, key)}


# Every control is drawn with its default equal to the value its key holds. The page sets a
# control by writing its key (a loss switch turns the gradient penalty on under a new key), and
# Streamlit tells the browser that value only in the run that wrote it: if the browser's next
# request cuts that run short, its unsent messages are dropped (`ForwardMsgQueue.clear` when a
# run starts), and the run after draws the new control without the value, so the browser showed
# the widget's default (off; a select's first entry) and sent it back: WGAN-GP went on with its
# penalty off (1 of 30 live changes, CI, 2026-12-07). The default only seeds a control the
# browser has not seen; a shown one keeps what the user set (the widget id is the key alone).


def _value_widget(c: Control, pg: Page, label: str) -> None:
    key = pg.widget_key(c.field)
    typ = field_types()[c.field]
    kw = _watch(pg, c, key)
    held = pg.ss[key]  # the default too (see above)
    if c.kind == "select":
        ids = controls.options(c)
        st.selectbox(label, ids, index=ids.index(held) if held in ids else None,
                     format_func=lambda i, c=c: controls.label_of(c, i), **kw)
    elif c.kind == "slider":
        lo, hi = controls.bounds(c, pg.get("cfg"))
        if c.toggle is not None:
            lo = max(lo, c.step or lo)  # switched on means at least one step
        if typ is int:
            st.slider(label, int(lo), int(hi), value=int(held), step=int(c.step or 1), **kw)
        else:
            st.slider(label, float(lo), float(hi), value=float(held),
                      step=float(c.step or 0.01), **kw)
    elif c.kind == "choices":
        st.select_slider(label, controls.choices(c, held, pg.get("cfg")), value=held,
                         format_func=_fmt, **kw)
    elif c.kind == "toggle":
        st.toggle(label, value=bool(held), **kw)
    elif c.kind == "number":
        lo, hi = RANGES[c.field]
        st.number_input(label, int(lo), int(hi), value=int(held), step=1, **kw)
    else:
        raise ValueError(f"unknown control kind {c.kind!r} for {c.field}")
    pg.note_drawn(key, "w", c.field)


def render_control(c: Control, pg: Page, cfg: RunConfig) -> dict[str, Any]:
    """Draw one control; return {field: config value} for it."""
    _ensure_key(pg, c, cfg)
    if c.toggle is not None:
        key = pg.toggle_key(c.field)
        on = st.toggle(c.toggle, value=bool(pg.ss[key]), **_watch(pg, c, key))
        pg.note_drawn(key, "on", c.field)
        if on:
            _value_widget(c, pg, c.label)
    else:
        _value_widget(c, pg, c.label)
    return {c.field: pg.field_value(c, cfg)}


def _pretrained_picker(pg: Page) -> None:
    """This lab's shipped runs of pretrained/ (an action: loading one empties the picker)."""
    try:
        entries = pretrained.read_manifest()
    except pretrained.PretrainedError as e:
        st.caption(f"No shipped runs: {e}")
        return
    ids = [i for i, e in entries.items() if e.kind == pg.spec.kind]
    if not ids:
        return
    st.selectbox("Shipped run", ids, index=None, key=pg.key("w.pretrained"),
                 placeholder="Start from a shipped run…", on_change=loads.on_pretrained,
                 args=(pg.ns,), format_func=lambda i: entries.get(i).title,
                 help="loads a checkpoint from pretrained/ with its settings, paused; "
                      "the manifest there says how each was trained")


def render_sidebar(pg: Page) -> dict[str, Any]:
    """Presets, every applicable control and the page options; returns the rendered values."""
    session.reconcile(pg)  # the user's changes since the last draw, before drawing anew
    cfg: RunConfig = pg.get("cfg")
    hidden = pg.get("hidden") if pg.get("present") else frozenset()
    preset_key = pg.key("w.preset")
    if preset_key not in pg.ss:
        pg.ss[preset_key] = pg.get("preset")
    st.selectbox("Preset", ids_for(pg.spec.kind), key=preset_key, on_change=session.on_preset,
                 args=(pg.ns,),
                 format_func=lambda p: p + (" (failure demo)" if PRESETS.get(p).demo else ""),
                 help="loads a named configuration and starts a new run on this dataset "
                      "(still training if it was)")
    _pretrained_picker(pg)
    rendered: dict[str, Any] = {}
    for section, title in SECTIONS.items():
        rows = [c for c in pg.controls.values() if c.section == section
                and c.field not in hidden and controls.applies(c, cfg)
                and (c.parent is None or pg.ss.get(pg.toggle_key(c.parent), False))]
        if not rows:
            continue
        with st.expander(title, expanded=section in OPEN_SECTIONS):
            for c in rows:
                rendered.update(render_control(c, pg, cfg))
            if section == "data" and cfg.dataset == "custom":
                st.file_uploader(f"Points (CSV: x, y; at most {MAX_MB:.0f} MB)",
                                 type=["csv", "txt"], key=pg.key("w.upload"),
                                 on_change=loads.on_upload, args=(pg.ns,),
                                 help="two numeric columns separated by commas, semicolons "
                                      "or tabs, optional header, 10 to 100,000 rows")
                note = loads.custom_notice(pg.get("points"), cfg)
                if note:
                    st.caption(f"{pg.get('upload_name')}: {note}")
            if section == "remedies":
                st.caption("Changing the loss, a remedy, n_critic or an optimiser setting "
                           "keeps the weights; data, architecture or seed start a new run "
                           "(still training if it was).")
    present_key = pg.key("w.present")
    if present_key not in pg.ss:
        pg.ss[present_key] = pg.get("present")
    st.toggle("Presenter mode", key=present_key, on_change=session.on_present, args=(pg.ns,),
              help="larger fonts and plots for a projector; the link gets ?present=1")
    return rendered
