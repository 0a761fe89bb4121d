"""The 2D lab's per-session controller: builds this session's `Trainer`, applies config changes
by the rule in `state.decide`, and holds the button callbacks. The only server-wide object is
the job cap (`st.cache_resource`); each session's run lives in its own session state.
"""
from __future__ import annotations

import time
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .. import pretrained
from ..config import RunConfig
from ..presets import PRESETS, config_for
from ..uploads import UploadError, parse_points_csv
from . import state, urlstate
from .jobs import JobSlots
from .live import Trainer

FRAME_WINDOW_S = 3.0  # the frames/s readout averages over this many seconds


@st.cache_resource
def job_slots() -> JobSlots:
    """The server-wide cap on concurrent training jobs (holds tickets, never a run)."""
    return JobSlots()


def _session_alive():
    """A thread-safe 'is this browser session still connected?' for the worker thread."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


def init(ss) -> None:
    """First render of a session: defaults, then the opening link's configuration."""
    state.ensure(ss)
    if state.get(ss, "revert"):
        state.write_widgets(ss, state.get(ss, "cfg"))
        state.put(ss, "revert", False)
    if state.get(ss, "ready"):
        return
    link = urlstate.from_query(st.query_params.to_dict())
    state.put(ss, "cfg", link.cfg)
    state.put(ss, "preset", link.preset)
    state.put(ss, "shipped", link.shipped)  # sync() loads its weights into the first run
    state.put(ss, "present", link.present)
    state.put(ss, "hidden", link.hidden)
    state.put(ss, "url_warnings", list(link.warnings))
    state.write_widgets(ss, link.cfg)
    state.put(ss, "ready", True)


def trainer(ss) -> Trainer | None:
    return state.get(ss, "trainer")


def sync(ss, rendered: dict[str, Any]) -> Trainer | None:
    """Make this session's run match the controls: build it, change it live, or start anew.
    Returns the trainer to draw, or None while the custom dataset waits for its CSV."""
    cfg, problem = state.requested_config(ss, rendered)
    if problem:  # put the controls back on the last valid config, then say why
        state.notify(ss, "warning", problem)
        state.put(ss, "revert", True)
        st.rerun()
    state.put(ss, "cfg", cfg)
    points = state.get(ss, "points") if cfg.dataset == "custom" else None
    current = trainer(ss)
    if cfg.dataset == "custom" and points is None:
        if current is not None:
            current.pause()
        write_link(ss)
        return None  # the page asks for a CSV; nothing to train on yet
    fresh = state.get(ss, "fresh")
    try:
        change = None if current is None else state.decide(current.cfg, cfg)
        if current is None:
            current = Trainer(cfg, job_slots(), points, alive=_session_alive())
            state.put(ss, "trainer", current)
            if state.get(ss, "shipped"):
                _start_shipped(ss, current, cfg)
        elif fresh or change.kind == "reset":
            current.reset(cfg, points)
            state.put(ss, "shipped", None)
            state.notify(ss, "info", fresh or change.message)
        elif change.kind == "live":
            current.update_config(cfg)
            state.notify(ss, "success", change.message)
    except ValueError as e:  # e.g. a dataset that cannot be built from these settings
        st.error(f"Could not apply the settings: {e}")
    finally:
        state.put(ss, "fresh", "")
    write_link(ss)  # after the decision: a new run drops `shipped` from the link
    return trainer(ss)


def _start_shipped(ss, t: Trainer, cfg: RunConfig) -> None:
    """The opening link named a shipped run: its weights, then the link's live changes."""
    shipped = state.get(ss, "shipped")
    try:
        saved = t.load(pretrained.path_of(shipped))
        if cfg != saved:
            t.update_config(cfg)
        state.notify(ss, "info", f"Started from the shipped run {shipped!r} "
                     f"({t.latest()[1].step:,} steps), paused: press Train to go on.")
    except ValueError as e:
        state.put(ss, "shipped", None)
        t.reset(cfg)
        state.notify(ss, "error", f"Could not load the shipped run {shipped!r}: {e}")


def write_link(ss) -> None:
    """Mirror the configuration into the address bar (only when it changed)."""
    query = urlstate.to_query(state.get(ss, "cfg"), state.get(ss, "preset"),
                              state.get(ss, "present"), state.get(ss, "hidden"),
                              state.get(ss, "shipped"))
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


# ---- callbacks (run before the script body, with the new widget value in session state) --
def on_follow_up(field: str) -> None:
    """A select whose choice changes other fields (loss -> its remedies, dataset -> its
    parameters): update the shown config and every control."""
    ss = st.session_state
    value = ss[state.widget_key(field)]
    try:
        cfg = state.FOLLOW_UPS[field](state.get(ss, "cfg"), value)
    except ValueError as e:
        state.notify(ss, "warning", f"Not applied: {e}.")
        return
    state.put(ss, "cfg", cfg)
    state.write_widgets(ss, cfg)


def on_preset() -> None:
    """Load a preset on the current dataset: a new run from its settings (same seed)."""
    ss = st.session_state
    preset = ss[state.key("w.preset")]
    old: RunConfig = state.get(ss, "cfg")
    keep = {f: getattr(old, f) for f in ("dataset", "n_modes", "radius", "std", "seed")}
    try:
        cfg = config_for(preset, **keep)
    except ValueError:
        cfg = config_for(preset)  # its settings do not fit this dataset: take its own
    state.put(ss, "preset", preset)
    state.put(ss, "cfg", cfg)
    state.write_widgets(ss, cfg)
    state.put(ss, "fresh", f"Preset {preset!r} loaded: new run. {PRESETS.get(preset).caption}")


def on_pretrained() -> None:
    """Load a shipped run (pretrained/): its weights and config, paused, so a demo starts from
    a trained picture. The picker is an action: it goes back to empty afterwards."""
    ss = st.session_state
    picker = state.key("w.pretrained")
    choice, ss[picker] = ss.get(picker), None
    if not choice:
        return
    try:
        entry = pretrained.read_manifest().get(choice)
        t = trainer(ss)
        if t is None:  # e.g. the custom dataset still waits for its CSV
            t = Trainer(state.get(ss, "cfg").replace(dataset="ring"), job_slots(),
                        alive=_session_alive())
            state.put(ss, "trainer", t)
        cfg = t.load(pretrained.path_of(choice))
    except ValueError as e:
        state.notify(ss, "error", f"Could not load the shipped run {choice!r}: {e}")
        return
    state.put(ss, "preset", entry.preset)
    state.put(ss, "shipped", choice)
    ss[state.key("w.preset")] = entry.preset
    state.put(ss, "cfg", cfg)
    state.write_widgets(ss, cfg)
    state.notify(ss, "success", f"Loaded the shipped run “{entry.title}”: {entry.steps:,} "
                 f"steps of preset {entry.preset}, paused. {entry.caption} Press Train to go on.")


def on_upload() -> None:
    ss = st.session_state
    upload = ss.get(state.key("w.upload"))
    if upload is None:
        return
    try:
        points = parse_points_csv(upload.getvalue())
    except UploadError as e:
        state.notify(ss, "warning", f"{upload.name}: {e}")
        return
    state.put(ss, "points", points)
    state.put(ss, "upload_id", upload.file_id)
    state.put(ss, "fresh", f"Loaded {len(points):,} points from {upload.name}: new run.")


def on_train() -> None:
    t = trainer(st.session_state)
    if t is None:
        return
    t.pause() if t.running else t.start()


def on_step(kind: str) -> None:
    t = trainer(st.session_state)
    if t is not None:
        t.step(kind)


def on_reset() -> None:
    ss = st.session_state
    t = trainer(ss)
    if t is not None:
        t.pause()
        t.reset(t.cfg, state.get(ss, "points"))
        state.put(ss, "shipped", None)
        state.notify(ss, "info", "Reset: new weights from the same seed.")


def on_present() -> None:
    ss = st.session_state
    state.put(ss, "present", bool(ss[state.key("w.present")]))


def frame_rate(ss) -> float:
    """Draws per second of the live view over the last few seconds (the frames/s readout)."""
    now = time.monotonic()
    times = [t for t in state.get(ss, "frame_times") if now - t < FRAME_WINDOW_S] + [now]
    state.put(ss, "frame_times", times)
    if len(times) < 3:
        return float("nan")
    return (len(times) - 1) / (times[-1] - times[0])
