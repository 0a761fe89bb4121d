"""Session-state keys, config <-> widget values and the reset rule, on a plain dict."""
import pytest

from playground.config import RunConfig, needs_reset
from playground.presets import config_for, ids_for, switch_loss
from playground.ui import state
from playground.ui.controls import CONTROLS


def shown(cfg: RunConfig) -> RunConfig:
    """Write cfg to the widgets, read every control back, rebuild the config."""
    ss = {}
    state.ensure(ss)
    state.put(ss, "cfg", cfg)
    state.write_widgets(ss, cfg)
    values = {f: state.field_value(c, ss, cfg) for f, c in CONTROLS.items()}
    new, problem = state.requested_config(ss, values)
    assert problem == ""
    return new


@pytest.mark.parametrize("preset", ids_for("points2d"))
def test_every_preset_survives_the_widgets(preset):
    cfg = config_for(preset)
    assert shown(cfg) == cfg


@pytest.mark.parametrize("changes", [
    {"dataset": "grid"}, {"dataset": "grid", "n_modes": 9, "std": 0.1},
    {"dataset": "spiral", "radius": 2.5}, {"noise_std": 0.3, "noise_anneal": 2000},
    {"unroll_steps": 3}, {"spectral_norm": True}, {"seed": 12345},
    {"opt_d": "sgd", "lr_d": 3.3e-4}])  # lr between the slider's grid points
def test_configs_survive_the_widgets(changes):
    cfg = RunConfig().replace(**changes)
    assert shown(cfg) == cfg


def test_dataset_parameters_at_their_default_are_stored_as_none():
    ss = {}
    state.ensure(ss)
    state.write_widgets(ss, RunConfig())
    assert ss[state.widget_key(ss, "n_modes")] == 8  # ring's own default is shown
    assert state.field_value(CONTROLS["n_modes"], ss, RunConfig()) is None
    ss[state.widget_key(ss, "n_modes")] = 12
    assert state.field_value(CONTROLS["n_modes"], ss, RunConfig()) == 12


def test_a_switched_off_remedy_is_zero_and_remembers_a_strength():
    ss = {}
    state.write_widgets(ss, RunConfig(r1_gamma=0.0))
    assert ss[state.toggle_key(ss, "r1_gamma")] is False
    assert ss[state.widget_key(ss, "r1_gamma")] == CONTROLS["r1_gamma"].on_value
    assert state.field_value(CONTROLS["r1_gamma"], ss, RunConfig()) == 0.0
    ss[state.toggle_key(ss, "r1_gamma")] = True
    assert state.field_value(CONTROLS["r1_gamma"], ss, RunConfig()) == 1.0


def test_invalid_request_keeps_the_old_config_with_a_reason():
    ss = {}
    state.ensure(ss)
    cfg, problem = state.requested_config(ss, {"dataset": "grid", "n_modes": 10})
    assert cfg == RunConfig() and "square" in problem


@pytest.mark.parametrize("changes,kind", [
    ({"lr_d": 5e-5}, "live"), ({"loss": "hinge"}, "live"), ({"n_critic": 5}, "live"),
    ({"r1_gamma": 1.0}, "live"), ({"spectral_norm": True}, "live"),
    ({"seed": 1}, "reset"), ({"width": 64}, "reset"), ({"dataset": "grid"}, "reset"),
    ({}, "none")])
def test_decide_follows_needs_reset(changes, kind):
    old = RunConfig()
    new = old.replace(**changes)
    change = state.decide(old, new)
    assert change.kind == kind
    if kind == "reset":
        assert list(change.fields) == needs_reset(old, new) and "new run" in change.message
    if kind == "live":
        assert "weights kept" in change.message


def test_decide_reads_the_diff():
    old = RunConfig()
    new = old.replace(lr_d=2e-3, loss="hinge")
    change = state.decide(old, new)
    assert change.fields == old.diff(new).fields == ("loss", "lr_d")
    assert change.message == "Applied loss, lr_d to the current run (weights kept)."


def test_an_unchanged_rerun_validates_nothing(monkeypatch):
    """A rerun whose controls still show the config takes the stored (validated) config as it
    is, and its link's baseline is a constant: no validation at all (3 per rerun before)."""
    from playground import config
    from playground.ui import urlstate

    cfg = config_for("ns").replace(lr_d=2e-3, loss="wgan_gp")
    ss = {}
    state.ensure(ss)
    state.put(ss, "cfg", cfg)
    state.write_widgets(ss, cfg)
    values = {f: state.field_value(c, ss, cfg) for f, c in CONTROLS.items()}
    link = urlstate.to_query(cfg, "ns")  # the first link of the process fills the cache
    calls = []
    monkeypatch.setattr(config, "validate", lambda c: calls.append(c) or c)
    assert state.requested_config(ss, values) == (cfg, "")
    assert urlstate.to_query(cfg, "ns") == link and link["lr_d"] == "0.002"
    assert calls == []
    assert state.requested_config(ss, {**values, "lr_g": 5e-4})[0].lr_g == 5e-4
    assert len(calls) == 1  # a change is validated, once


def test_switch_loss_brings_and_takes_its_remedies():
    wgan = switch_loss(RunConfig(), "wgan")
    assert wgan.clip_c == 0.01
    assert switch_loss(wgan, "ns").clip_c == 0.0  # left at its default: dropped
    tuned = wgan.replace(clip_c=0.05)
    assert switch_loss(tuned, "ns").clip_c == 0.05  # the user's own value is kept
    assert switch_loss(RunConfig(), "wgan_gp").gp_lambda == 10.0


def test_switch_dataset_resets_its_parameters():
    cfg = RunConfig(n_modes=12, radius=2.0)
    grid = state.switch_dataset(cfg, "grid")
    assert (grid.dataset, grid.n_modes, grid.radius, grid.std) == ("grid", None, None, None)


def test_namespaces_are_registered_once_and_filled_per_session():
    assert "lab2d" in state.NAMESPACES.ids()
    with pytest.raises(ValueError):
        state.NAMESPACES.add("lab2d", state.Namespace({}))
    a, b = {}, {}
    state.ensure(a)
    state.ensure(b)
    assert a[state.key("notices")] is not b[state.key("notices")]  # fresh mutable defaults
    a[state.key("preset")] = "collapse"
    state.ensure(a)  # does not overwrite
    assert a[state.key("preset")] == "collapse"


def test_notify_queues_messages():
    ss = {}
    state.notify(ss, "info", "one")
    state.notify(ss, "warning", "two")
    assert ss[state.key("notices")] == [("info", "one"), ("warning", "two")]


def test_widget_keys_never_collide_with_state_keys():
    widget_keys = set(state.widget_values({}, RunConfig()))
    state_keys = {state.key(k) for k in state.NAMESPACES.get("lab2d").defaults}
    assert not widget_keys & state_keys


def test_programmatic_control_changes_use_new_keys():
    """A loss switch, preset or load writes the controls under a new generation of keys, so
    a stale rerun from the browser (old values under the old keys) cannot undo it."""
    ss = {}
    state.ensure(ss)
    state.write_widgets(ss, RunConfig())
    old = state.toggle_key(ss, "gp_lambda")
    ss[old] = False
    state.write_widgets(ss, RunConfig(loss="wgan_gp", gp_lambda=10.0))
    new = state.toggle_key(ss, "gp_lambda")
    assert new != old and ss[new] is True
    ss[old] = False  # the stale value lands on a key no control reads any more
    assert state.field_value(state.NAMESPACES.get("lab2d").controls["gp_lambda"], ss,
                             RunConfig()) == 10.0


def test_only_the_controls_a_change_moves_get_new_keys():
    """A control keeps its key unless the page changes its value: the user's own control (the
    loss they picked) and every control the change leaves alone stay where the browser shows
    them, so nothing the user does on them can arrive under a dead key. Before, every loss
    switch renamed all 30 controls (the lecture rehearsal's lost live changes)."""
    ss = {}
    state.ensure(ss)
    state.write_widgets(ss, RunConfig())
    keys = state.widget_values(ss, RunConfig())
    ss[state.widget_key(ss, "loss")] = "hinge"  # the user's pick, as the browser sends it
    state.write_widgets(ss, switch_loss(RunConfig(), "hinge"))  # no remedy comes with hinge
    assert state.widget_values(ss, switch_loss(RunConfig(), "hinge")).keys() == keys.keys()
    ss[state.widget_key(ss, "loss")] = "wgan_gp"
    wgan_gp = switch_loss(RunConfig(), "wgan_gp")
    state.write_widgets(ss, wgan_gp)
    moved = set(state.widget_values(ss, wgan_gp)) - set(keys)
    assert moved == {state.key("w1.gp_lambda"), state.key("on1.gp_lambda")}
    assert ss[state.toggle_key(ss, "gp_lambda")] is True
    values = {f: state.field_value(c, ss, wgan_gp) for f, c in CONTROLS.items()}
    assert state.requested_config(ss, values) == (wgan_gp, "")
