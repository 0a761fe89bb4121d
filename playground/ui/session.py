"""A lab page's per-session controller (the 2D lab and the MNIST lab alike): builds this
session's `Trainer`, applies config changes by the rule in `state.decide`, and holds the button
callbacks. Everything is bound to a page namespace (`state.Page`), so two labs open in one
browser session keep separate runs. Server-wide objects are only the job cap and the registry
of followable runs (`cached.py`).

Every action that starts a new run (Reset, a preset, a data or architecture change, an upload)
keeps the current play state: a training run goes on training from new weights, a paused one
stays paused. Loading a shipped run or a checkpoint always pauses, to show what it holds.
"""
from __future__ import annotations

import time
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground.config import RunConfig
from playground.engine import cost
from playground.presets import PRESETS, config_for
from playground.serve.clients import Trainer
from playground.speeds import SPEEDS
from playground.store import pretrained
from playground.ui import cached, guard, state, urlstate
from playground.ui.state import Page

FRAME_WINDOW_S = 10.0  # the frames/s readout counts new pictures over this many seconds
KEEP_ON_PRESET = ("dataset", "n_modes", "radius", "std", "standardise", "seed")


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


def page(ns: str) -> Page:
    return Page(st.session_state, ns)


def init(pg: Page) -> None:
    """First render of a session: defaults, then the opening link's configuration."""
    state.ensure(pg.ss, pg.ns)
    if pg.get("revert"):
        pg.write_widgets(pg.get("cfg"))
        pg.put("revert", False)
    if pg.get("ready"):
        return
    link = urlstate.from_query(query_params(), pg.spec.kind, pg.controls)
    pg.put("cfg", link.cfg)
    pg.put("preset", link.preset)
    pg.put("shipped", link.shipped)  # sync() loads its weights into the first run
    pg.put("present", link.present)
    pg.put("hidden", link.hidden)
    pg.put("speed", link.speed)
    pg.put("follow", link.follow)
    pg.put("url_warnings", list(link.warnings))
    pg.write_widgets(link.cfg)
    pg.put("ready", True)


def trainer(pg: Page) -> Trainer | None:
    return pg.get("trainer")


def _new_trainer(pg: Page, cfg: RunConfig, points) -> Trainer:
    t = Trainer(cfg, cached.pool(), points, alive=_session_alive())
    t.set_speed(SPEEDS.get(pg.get("speed")))
    pg.put("trainer", t)
    pg.put("token", cached.followers().publish(t, pg.get("token")))
    _describe(pg)
    return t


def _describe(pg: Page) -> None:
    """What a follower's tab shows beside the pictures (the preset and its caption)."""
    token = pg.get("token")
    if token:
        cached.followers().describe(token, preset=pg.get("preset"))


def sync(pg: Page, rendered: dict[str, Any]) -> Trainer | None:
    """Make this session's run match the controls: build it, change it live, or start anew.
    Returns the trainer to draw, or None while the custom dataset waits for its CSV."""
    cfg, problem = pg.requested_config(rendered)
    if problem:  # put the controls back on the last valid config, then say why
        pg.notify("warning", problem)
        pg.put("revert", True)
        st.rerun()
    pg.put("cfg", cfg)
    points = pg.get("points") if cfg.dataset == "custom" else None
    current = trainer(pg)
    if cfg.dataset == "custom" and points is None:
        if current is not None:
            current.pause()
        write_link(pg)
        return None  # the page asks for a CSV; nothing to train on yet
    fresh = pg.get("fresh")
    building = st.empty()
    try:
        change = None if current is None else state.decide(current.cfg, cfg)
        if (current is None or fresh or change.kind == "reset") and cost.estimate(cfg).slow:
            # the first picture of a heavy run can take many seconds: say why the page waits
            building.info(f"Building the run: this configuration is heavy "
                          f"({cost.estimate(cfg).describe()}); the first picture takes a "
                          "while.", icon=":material/hourglass_top:")
        if current is None:
            current = _new_trainer(pg, cfg, points)
            if pg.get("shipped"):
                _start_shipped(pg, current, cfg)
        elif fresh or change.kind == "reset":
            current.reset(cfg, points)  # keeps training if it was training
            pg.put("shipped", None)
            pg.notify("info", fresh or change.message)
        elif change.kind == "live":
            current.update_config(cfg)
            pg.notify("success", change.message)
    except ValueError as e:  # e.g. a dataset that cannot be built from these settings
        st.error(f"Could not apply the settings: {e}")
    finally:
        pg.put("fresh", "")
        building.empty()
    _describe(pg)
    write_link(pg)  # after the decision: a new run drops `shipped` from the link
    return trainer(pg)


def _start_shipped(pg: Page, t: Trainer, cfg: RunConfig) -> None:
    """The opening link named a shipped run: its weights, then the link's live changes."""
    shipped = pg.get("shipped")
    try:
        saved = t.load(pretrained.path_of(shipped),
                       pretrained.read_manifest().get(shipped).expected_sha256)
        if cfg != saved:
            t.update_config(cfg)
        pg.notify("info", f"Started from the shipped run {shipped!r} "
                  f"({t.latest()[1].step:,} steps), paused: press Train to go on.")
    except ValueError as e:
        pg.put("shipped", None)
        t.reset(cfg)
        pg.notify("error", f"Could not load the shipped run {shipped!r}: {e}")


def write_link(pg: Page) -> None:
    """Mirror the configuration into the address bar (only when it changed)."""
    query = urlstate.to_query(pg.get("cfg"), pg.get("preset"), pg.get("present"),
                              pg.get("hidden"), pg.get("shipped"), pg.get("speed"),
                              pg.spec.kind)
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


# ---- the controls' changes; callbacks (run before the script body, new values in state) ---
def reconcile(pg: Page) -> None:
    """Take in what the user changed on the controls, at the top of every full run before
    any control is drawn (the same on every run: a run cut short by the next one leaves
    nothing half done). A select whose choice changes other fields (loss -> its remedies,
    dataset -> its parameters) updates the config and the controls that change with it.

    A control the page has since redrawn under a new key (see `state`) still reports while
    the browser shows it: with the value it was drawn with, that is an echo and changes
    nothing; with another value it is the user's change on the control they saw, and it goes
    to the current control. This runs in the script, not in on_change callbacks: a callback
    dies at its first session-state access when the browser's next request is already
    waiting (measured: a loss pick that reached the server with a fragment's timer request)."""
    drawn = pg.get("drawn")
    for k, (part, field, was) in list(drawn.items()):
        current = pg.widget_key(field) if part == "w" else pg.toggle_key(field)
        if k == current:
            continue
        try:
            value = pg.ss[k]
        except KeyError:  # no longer reported
            continue
        if value != was:  # the user's change on a replaced control: once, not at each echo
            pg.ss[current] = value  # first: a run cut short here does it again next run
            drawn[k] = (part, field, value)
    for field, follow_up in state.FOLLOW_UPS.items():
        k = pg.widget_key(field)
        cfg = pg.get("cfg")
        if (field not in pg.controls or k not in pg.ss
                or pg.ss[k] == state.display_value(pg.controls[field], cfg)):
            continue
        before = cfg
        try:
            cfg = follow_up(cfg, pg.ss[k])
        except ValueError as e:  # refused: the select goes back to the config's value
            pg.notify("warning", f"Not applied: {e}.")
            before = None
        # The controls first, the config last: a run cut short in between (the browser's next
        # request) finds the select still unlike the config and does the follow-up again.
        # The other order left a config with the new loss and the controls of the old one,
        # which the run after it read back (seen once in 30: wgan_gp with gp_lambda 0).
        # Only the controls the follow-up changed: writing all of them put back the old value
        # of a switch the user had flipped in the same request (R1 off with wgan_gp, 1 in 30).
        pg.write_widgets(cfg, since=before)
        pg.put("cfg", cfg)


def on_control(ns: str, drawn_key: str) -> None:
    """Every control's on_change: in a fragment's run (its timer's request may carry the
    user's change first), ask for a full run, which applies it (`reconcile`, `sync`). An echo
    of a replaced control (the value it was drawn with) asks for nothing."""
    ctx = get_script_run_ctx()
    if ctx is None or not ctx.fragment_ids_this_run:
        return
    pg = page(ns)
    was = pg.get("drawn").get(drawn_key)
    if was is None or pg.ss.get(drawn_key) != was[2]:
        st.rerun()


def on_preset(ns: str) -> None:
    """Load a preset on the current dataset: a new run from its settings (same seed)."""
    pg = page(ns)
    preset = pg.ss[pg.key("w.preset")]
    old: RunConfig = pg.get("cfg")
    keep = {f: getattr(old, f) for f in KEEP_ON_PRESET}
    try:
        cfg = config_for(preset, **keep)
    except ValueError:
        cfg = config_for(preset)  # its settings do not fit this dataset: take its own
    pg.put("preset", preset)
    pg.put("cfg", cfg)
    pg.write_widgets(cfg)
    pg.put("fresh", f"Preset {preset!r} loaded: new run. {PRESETS.get(preset).caption}")


def on_cure(ns: str) -> None:
    """The preset's one-click cure: its live changes on the running demo (weights kept)."""
    pg = page(ns)
    cure = PRESETS.get(pg.get("preset")).cure
    if cure is None:
        return
    cfg = pg.get("cfg").replace(**cure.changes)
    pg.put("cfg", cfg)
    pg.write_widgets(cfg)  # sync() applies it live on this rerun and says so


def on_train(ns: str) -> None:
    t = trainer(page(ns))
    if t is not None:
        t.pause() if t.running else t.start()


def on_step(ns: str, kind: str) -> None:
    t = trainer(page(ns))
    if t is not None:
        t.step(kind)


def on_reset(ns: str) -> None:
    """New weights from the same seed; a training run keeps training (as a preset change)."""
    pg = page(ns)
    t = trainer(pg)
    if t is not None:
        t.reset(t.cfg, pg.get("points"))
        pg.put("shipped", None)
        pg.notify("info", "Reset: new weights from the same seed.")


def on_speed(ns: str) -> None:
    pg = page(ns)
    speed = pg.ss[pg.key("w.speed")]
    pg.put("speed", speed)
    t = trainer(pg)
    if t is not None:
        t.set_speed(SPEEDS.get(speed))


def on_present(ns: str) -> None:
    pg = page(ns)
    pg.put("present", bool(pg.ss[pg.key("w.present")]))


def frame_rate(pg: Page, shown: int | None) -> float:
    """New pictures per second over the last few seconds (the frames/s readout). `shown`: the
    step of the picture this draw shows. A draw counts only when that differs from the last
    counted one: the page redraws 5 times a second whether or not a new picture came, and a
    dear picture comes less often (the worker's `Pace.view_share`). Counting draws, the
    readout said 5.0 frames/s while r1_wide showed a new picture every 3 s."""
    now = time.monotonic()
    times = [t for t in pg.get("frame_times") if now - t < FRAME_WINDOW_S]
    if shown is not None and shown != pg.get("frame_shown"):
        times.append(now)
        pg.put("frame_shown", shown)
    pg.put("frame_times", times)
    if len(times) < 2:
        return float("nan")
    return (len(times) - 1) / (times[-1] - times[0])


guard.callbacks(globals())  # an error in a callback: a message on the page, details in the log
