"""The 2D lab's per-session controller: builds this session's `Trainer`, applies config changes
by the rule in `state.decide`, and holds the button callbacks. Server-wide objects are only
the job cap and the registry of followable runs (`cached.py`); each session's run lives in its
own session state.

Every action that starts a new run (Reset, a preset, a data or architecture change, an upload)
keeps the current play state: a training run goes on training from new weights, a paused one
stays paused. Loading a shipped run always pauses, to show its trained picture.
"""
from __future__ import annotations

import time
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .. import cost, datasets, pretrained
from ..config import RunConfig
from ..presets import PRESETS, config_for
from ..uploads import UploadError, parse_points_csv
from . import cached, state, urlstate
from .live import Trainer

FRAME_WINDOW_S = 3.0  # the frames/s readout averages over this many seconds


def _session_alive():
    """A thread-safe 'is this browser session still connected?' for the supervisor thread."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


def query_params() -> dict[str, str | list[str]]:
    """The address bar's parameters; a repeated one as the list of its values (to_dict()
    would silently keep only the last)."""
    out: dict[str, str | list[str]] = {}
    for name in st.query_params:
        values = st.query_params.get_all(name)
        out[name] = values if len(values) > 1 else (values[0] if values else "")
    return out


def init(ss) -> None:
    """First render of a session: defaults, then the opening link's configuration."""
    state.ensure(ss)
    if state.get(ss, "revert"):
        state.write_widgets(ss, state.get(ss, "cfg"))
        state.put(ss, "revert", False)
    if state.get(ss, "ready"):
        return
    link = urlstate.from_query(query_params())
    state.put(ss, "cfg", link.cfg)
    state.put(ss, "preset", link.preset)
    state.put(ss, "shipped", link.shipped)  # sync() loads its weights into the first run
    state.put(ss, "present", link.present)
    state.put(ss, "hidden", link.hidden)
    state.put(ss, "speed", link.speed)
    state.put(ss, "follow", link.follow)
    state.put(ss, "url_warnings", list(link.warnings))
    state.write_widgets(ss, link.cfg)
    state.put(ss, "ready", True)


def trainer(ss) -> Trainer | None:
    return state.get(ss, "trainer")


def _new_trainer(ss, cfg: RunConfig, points) -> Trainer:
    t = Trainer(cfg, cached.job_slots(), points, alive=_session_alive())
    if state.get(ss, "speed"):
        t.set_speed(state.get(ss, "speed"))
    state.put(ss, "trainer", t)
    state.put(ss, "token", cached.followers().publish(t, state.get(ss, "token")))
    _describe(ss)
    return t


def _describe(ss) -> None:
    """What a follower's tab shows beside the pictures (the preset and its caption)."""
    token = state.get(ss, "token")
    if token:
        cached.followers().describe(token, preset=state.get(ss, "preset"))


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
    building = st.empty()
    try:
        change = None if current is None else state.decide(current.cfg, cfg)
        if (current is None or fresh or change.kind == "reset") and cost.estimate(cfg).slow:
            # the first picture of a heavy run can take many seconds: say why the page waits
            building.info(f"Building the run: this configuration is heavy "
                          f"({cost.estimate(cfg).describe()}); the first picture takes a "
                          "while.", icon=":material/hourglass_top:")
        if current is None:
            current = _new_trainer(ss, cfg, points)
            if state.get(ss, "shipped"):
                _start_shipped(ss, current, cfg)
        elif fresh or change.kind == "reset":
            current.reset(cfg, points)  # keeps training if it was training
            state.put(ss, "shipped", None)
            state.notify(ss, "info", fresh or change.message)
        elif change.kind == "live":
            current.update_config(cfg)
            state.notify(ss, "success", change.message)
    except ValueError as e:  # e.g. a dataset that cannot be built from these settings
        st.error(f"Could not apply the settings: {e}")
    finally:
        state.put(ss, "fresh", "")
        building.empty()
    _describe(ss)
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
                              state.get(ss, "shipped"), state.get(ss, "speed"))
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


def custom_notice(points, cfg: RunConfig) -> str:
    """What was done to uploaded points before training (shown under the upload)."""
    if points is None:
        return ""
    if not cfg.standardise:
        return "Training on the raw coordinates."
    a = datasets.standardisation(points)
    return (f"Standardised for training: subtracted the mean ({a.offset[0]:.4g}, "
            f"{a.offset[1]:.4g}) and divided by {a.scale:.4g}. The plot's axes and W1 are in "
            "your data's own units.")


# ---- callbacks (run before the script body, with the new widget value in session state) --
def on_follow_up(field: str) -> None:
    """A select whose choice changes other fields (loss -> its remedies, dataset -> its
    parameters): update the shown config and every control (a new key generation)."""
    ss = st.session_state
    value = ss[state.widget_key(ss, field)]
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
    keep = {f: getattr(old, f) for f in ("dataset", "n_modes", "radius", "std", "standardise",
                                         "seed")}
    try:
        cfg = config_for(preset, **keep)
    except ValueError:
        cfg = config_for(preset)  # its settings do not fit this dataset: take its own
    state.put(ss, "preset", preset)
    state.put(ss, "cfg", cfg)
    state.write_widgets(ss, cfg)
    state.put(ss, "fresh", f"Preset {preset!r} loaded: new run. {PRESETS.get(preset).caption}")


def on_cure() -> None:
    """The preset's one-click cure: its live changes on the running demo (weights kept)."""
    ss = st.session_state
    cure = PRESETS.get(state.get(ss, "preset")).cure
    if cure is None:
        return
    cfg = state.get(ss, "cfg").replace(**cure.changes)
    state.put(ss, "cfg", cfg)
    state.write_widgets(ss, cfg)  # sync() applies it live on this rerun and says so


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
            t = _new_trainer(ss, state.get(ss, "cfg").replace(dataset="ring"), None)
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
    state.put(ss, "upload_name", upload.name)
    state.put(ss, "fresh", f"Loaded {len(points):,} points from {upload.name}: new run. "
              + custom_notice(points, state.get(ss, "cfg")))


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
    """New weights from the same seed; a training run keeps training (as a preset change)."""
    ss = st.session_state
    t = trainer(ss)
    if t is not None:
        t.reset(t.cfg, state.get(ss, "points"))
        state.put(ss, "shipped", None)
        state.notify(ss, "info", "Reset: new weights from the same seed.")


def on_speed() -> None:
    ss = st.session_state
    speed = int(ss[state.key("w.speed")])
    state.put(ss, "speed", speed)
    t = trainer(ss)
    if t is not None:
        t.set_speed(speed)


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

