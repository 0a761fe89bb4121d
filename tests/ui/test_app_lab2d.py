"""AppTest drives the 2D lab page: loads, every loss and preset, the buttons, links, bad input.

Training threads started by a test are closed by the fixture (they outlive `at.run()`). The
page is rendered alone (AppTest.from_function) so these tests do not depend on other pages;
`test_app_entry_point_loads` runs app.py itself.
"""
import time
from pathlib import Path

import pytest
from app_sessions import host_info, opener
from streamlit.testing.v1 import AppTest

from playground.losses import LOSSES
from playground.presets import PRESETS, config_for, ids_for
from playground.speeds import CLASS_PACE, SPEEDS
from playground.store import pretrained
from playground.ui import state, urlstate

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"width": "16", "depth": "1", "batch_size": "32", "n_fixed": "64", "grid_res": "25"}


def _page():
    from playground.ui.pages import lab2d

    lab2d.render()


@pytest.fixture
def app():
    with opener(_page, state.key("trainer"), SMALL, timeout=180) as make:
        yield make


def step_of(at) -> int:
    head = next(m.value for m in at.markdown if 'class="pg-head' in m.value)
    return int(head.split("<b>step ")[1].split("</b>")[0])


def query(at) -> dict[str, str]:
    return {k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}


def texts(elements) -> str:
    return " | ".join(e.value for e in elements)


def notices(at) -> str:
    """One-off notices are toasts (they never push the plots down)."""
    return " | ".join(t.proto.body for t in at.toast)


def status(at) -> str:
    """The fixed-height readout and status block above the samples plot."""
    return " | ".join(m.value for m in at.markdown if 'class="pg-head' in m.value)


def wait_until(at, predicate, timeout=30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.3)
        at.run()  # run_every never fires in AppTest: poll
    return predicate()


def test_page_loads_with_every_view(app):
    at = app()
    assert not at.exception
    assert len(at.get("component_instance")) == 4
    assert [b.label for b in at.button][:5] == ["Train", "Step", "Step D", "Step G", "Reset"]
    assert step_of(at) == 0


def test_step_buttons_and_reset(app):
    at = app()
    at.button(key="lab2d.b.step_both").click().run()
    at.button(key="lab2d.b.step_d").click().run()
    at.button(key="lab2d.b.step_g").click().run()
    assert step_of(at) == 3 and not at.exception
    at.button(key="lab2d.b.reset").click().run()
    assert step_of(at) == 0 and "Reset" in notices(at)


def test_train_then_pause(app):
    at = app()
    at.button(key="lab2d.b.train").click().run()
    assert at.button(key="lab2d.b.train").label == "Pause"
    end = time.monotonic() + 30
    while step_of(at) < 5 and time.monotonic() < end:
        time.sleep(0.3)
        at.run()  # run_every never fires in AppTest: poll
    assert step_of(at) >= 5
    at.button(key="lab2d.b.train").click().run()
    assert at.button(key="lab2d.b.train").label == "Train"
    paused = step_of(at)
    time.sleep(0.5)
    at.run()
    assert step_of(at) == paused and not at.exception


@pytest.mark.parametrize("loss", LOSSES.ids())
def test_every_loss_switch(app, loss):
    at = app()
    at.selectbox(key=state.widget_key(at.session_state, "loss")).select(loss).run()
    assert not at.exception
    cfg = at.session_state[state.key("cfg")]
    assert cfg.loss == loss
    for name, value in LOSSES.get(loss).defaults.items():  # its remedies came along
        assert getattr(cfg, name) == value
    at.button(key="lab2d.b.step_both").click().run()
    assert not at.exception and step_of(at) == 1


def test_every_preset_loads_and_steps(app):
    at = app()
    assert len(at.selectbox(key=state.key("w.preset")).options) == len(ids_for("points2d"))
    for preset in ids_for("points2d"):
        at.selectbox(key=state.key("w.preset")).select(preset).run()
        assert not at.exception, preset
        assert PRESETS.get(preset).caption in texts(at.caption)
        assert query(at).get("preset", "ns") == preset
        at.button(key="lab2d.b.step_both").click().run()
        assert not at.exception and step_of(at) == 1, preset


def test_a_shipped_run_loads_paused_and_keeps_its_weights(app):
    at = app()
    at.selectbox(key=state.key("w.pretrained")).select("collapse_ring").run()
    assert not at.exception and "Loaded the shipped run" in notices(at)
    entry = pretrained.read_manifest().get("collapse_ring")
    assert step_of(at) == entry.steps
    assert at.session_state[state.key("cfg")] == config_for(entry.preset, **entry.overrides)
    assert at.selectbox(key=state.key("w.preset")).value == entry.preset
    assert at.selectbox(key=state.key("w.pretrained")).value is None  # an action, not a mode
    at.run()  # the controls now show the loaded config: no reset on the next rerun
    assert step_of(at) == entry.steps and not at.toast
    assert query(at) == {"shipped": "collapse_ring"}  # the link reopens this run
    at.button(key="lab2d.b.step_both").click().run()
    assert step_of(at) == entry.steps + 1
    at.button(key="lab2d.b.reset").click().run()  # fresh weights: the link says so
    assert step_of(at) == 0 and query(at) == {"preset": "collapse"}


def test_a_shipped_run_link_opens_on_its_weights(app):
    at = app({"shipped": "collapse_ring", "lr_g": "0.0002"})
    entry = pretrained.read_manifest().get("collapse_ring")
    assert not at.exception and step_of(at) == entry.steps and "Started from" in notices(at)
    assert at.session_state[state.key("cfg")].lr_g == 2e-4  # the link's live change applied
    assert query(at) == {"shipped": "collapse_ring", "lr_g": "0.0002"}
    # new weights: no longer that run
    at.number_input(key=state.widget_key(at.session_state, "seed")).set_value(5).run()
    assert step_of(at) == 0 and "shipped" not in query(at)


def test_live_change_keeps_weights_and_reset_change_says_so(app):
    at = app()
    at.button(key="lab2d.b.step_both").click().run()
    lr = 5e-4 if at.session_state[state.key("cfg")].lr_d != 5e-4 else 2e-4
    at.select_slider(key=state.widget_key(at.session_state, "lr_d")).set_value(lr).run()
    assert "weights kept" in notices(at) and step_of(at) == 1
    at.number_input(key=state.widget_key(at.session_state, "seed")).set_value(5).run()
    assert "new run" in notices(at) and step_of(at) == 0
    assert query(at)["seed"] == "5" and float(query(at)["lr_d"]) == lr


def test_link_round_trip(app):
    params = {**SMALL, "preset": "wgan_gp", "dataset": "grid", "seed": "11", "lr_g": "0.0003"}
    at = app(params)
    cfg = at.session_state[state.key("cfg")]
    expected = urlstate.from_query(params).cfg
    assert cfg == expected and cfg.dataset == "grid" and cfg.gp_lambda == 10.0
    assert at.selectbox(key=state.widget_key(at.session_state, "dataset")).value == "grid"
    assert query(at) == urlstate.to_query(cfg, "wgan_gp")
    assert not at.warning


def test_bad_link_shows_warnings_not_exceptions(app):
    at = app({**SMALL, "lr_d": "lots", "n_critic": "999", "loss": "nope", "bogus": "1"})
    assert not at.exception
    shown = texts(at.warning)
    assert "lr_d" in shown and "n_critic" in shown and "nope" in shown and "bogus" in shown
    assert at.session_state[state.key("cfg")].n_critic == 1  # default kept
    at.button(key="lab2d.b.dismiss_link").click().run()
    assert not at.warning and not at.exception
    at.run()
    assert not at.warning  # dismissed for the rest of the session


def test_invalid_control_combination_reverts_with_a_warning(app):
    at = app()
    at.selectbox(key=state.widget_key(at.session_state, "dataset")).select("grid").run()
    at.slider(key=state.widget_key(at.session_state, "n_modes")).set_value(10).run()
    assert not at.exception and "square" in notices(at)
    # back on the valid config
    assert at.slider(key=state.widget_key(at.session_state, "n_modes")).value == 25


def test_csv_upload_good_and_bad(app):
    at = app()
    at.selectbox(key=state.widget_key(at.session_state, "dataset")).select("custom").run()
    assert "Upload a CSV" in texts(at.info) and not at.get("component_instance")
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("bad.csv", b"x,y\n1,2\nthree,4\n", "text/csv"))
    at.run()
    assert not at.exception and "bad.csv" in notices(at)
    rows = "\n".join(f"{i % 7},{i % 5}" for i in range(40)).encode()
    at.get("file_uploader")[0].set_value(("pts.csv", rows, "text/csv"))
    at.run()
    assert not at.exception and "40 points" in notices(at)
    assert len(at.get("component_instance")) == 4


def test_a_semicolon_csv_from_a_european_excel_is_accepted(app):
    at = app()
    at.selectbox(key=state.widget_key(at.session_state, "dataset")).select("custom").run()
    rows = ("x;y\n" + "\n".join(f"{i % 7},5;{i % 5}" for i in range(40))).encode()
    at.get("file_uploader")[0].set_value(("excel.csv", rows, "text/csv"))
    at.run()
    assert not at.exception and "40 points" in notices(at), notices(at)
    assert len(at.get("component_instance")) == 4


def test_diverging_run_shows_its_reason(app):
    at = app({**SMALL, "loss": "fgan_kl", "opt_d": "sgd", "opt_g": "sgd", "lr_d": "1.0",
              "lr_g": "1.0"})
    at.button(key="lab2d.b.train").click().run()
    assert wait_until(at, lambda: "diverged" in status(at).lower())
    assert "became" in status(at) and "then press Train" in status(at)
    assert len(at.get("component_instance")) == 4  # the last good picture stays
    assert not at.exception
    # the message says what to do, and doing it works: a setting changes, then Train trains
    at.button(key="lab2d.b.train").click().run()
    assert at.button(key="lab2d.b.train").label == "Train"  # refused: nothing changed yet
    at.select_slider(key=state.widget_key(at.session_state, "lr_d")).set_value(1e-4).run()
    at.select_slider(key=state.widget_key(at.session_state, "lr_g")).set_value(1e-4).run()
    assert "diverged" not in status(at).lower() and at.button(key="lab2d.b.train").label == "Train"
    before = step_of(at)
    at.button(key="lab2d.b.train").click().run()
    assert at.button(key="lab2d.b.train").label == "Pause"
    assert wait_until(at, lambda: step_of(at) > before)


def test_presenter_mode_hides_chosen_controls(app):
    at = app({**SMALL, "present": "1", "hide": "seed,width"})
    keys = {w.key for w in at.number_input} | {w.key for w in at.select_slider}
    ss = at.session_state
    assert state.widget_key(ss, "seed") not in keys and state.widget_key(ss, "width") not in keys
    assert state.widget_key(ss, "lr_d") in keys
    assert any("font-size" in m.value for m in at.markdown)
    assert query(at)["present"] == "1"


def test_app_entry_point_loads():
    if not (ROOT / "playground/ui/pages/theory.py").exists():
        pytest.skip("the theory page (another issue) is not in this checkout yet")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    try:
        assert not at.exception
    finally:
        trainer = at.session_state[state.key("trainer")] if state.key(
            "trainer") in at.session_state else None
        if trainer is not None:
            trainer.close()


def test_a_loss_switch_survives_a_stale_rerun(app):
    """The race of the lecture-ready issue: the browser sends the loss change, the page turns
    the gradient-penalty toggle on, and before the browser has drawn the new toggle a fragment
    timer sends the old widget values again (loss=wgan_gp, penalty off). Without new control
    keys per programmatic change that stale rerun applied wgan_gp with gp_lambda 0."""
    at = app({**SMALL, "loss": "minimax"})
    at.button(key="lab2d.b.train").click().run()
    at.selectbox(key=state.widget_key(at.session_state, "loss")).select("wgan_gp")
    stale = at._tree.get_widget_states()  # what the browser knows: new loss, penalty off
    at.run()  # the change arrives: the loss brings its penalty (session.reconcile)
    at._run(widget_state=stale)  # the interleaved rerun with the browser's stale values
    at.run()
    cfg = at.session_state[state.key("cfg")]
    assert (cfg.loss, cfg.gp_lambda) == ("wgan_gp", 10.0)
    assert query(at).get("gp_lambda") is None  # the link carries the loss's own penalty
    assert at.session_state[state.key("trainer")].cfg.gp_lambda == 10.0
    assert not at.exception


def _browser_states(at, edits):
    """The widget states a browser would send after the user's `edits` ((kind, key, value)),
    made on the controls of the page as last drawn (AppTest's tree), without running."""
    for kind, key, value in edits:
        widget = getattr(at, kind)(key=key)
        widget.select(value) if kind == "selectbox" else widget.set_value(value)
    return at._tree.get_widget_states()


def test_a_change_on_the_controls_shown_survives_the_rerun_that_redraws_them(app):
    """The lost live change of the lecture rehearsal (P3), replayed. The user picks hinge; while
    that run is applying it (24 s on a loaded 2-core box), the browser still shows the
    controls it had, and the user picks lsgan on them. Before the fix every loss switch wrote
    all controls under new keys, so the second pick arrived under a key no control read any
    more (and the stale controls' callbacks fired again with the old values): the sidebar
    snapped back to hinge and the run stayed on hinge, with no notice."""
    at = app()
    at.button(key="lab2d.b.train").click().run()
    loss = state.widget_key(at.session_state, "loss")
    hinge = _browser_states(at, [("selectbox", loss, "hinge")])
    lsgan = _browser_states(at, [("selectbox", loss, "lsgan")])
    at._run(widget_state=hinge)  # the first pick arrives
    at._run(widget_state=lsgan)  # the second, from the controls the browser still showed
    at.run()
    cfg = at.session_state[state.key("cfg")]
    assert cfg.loss == "lsgan" and at.session_state[state.key("trainer")].cfg.loss == "lsgan"
    assert at.selectbox(key=state.widget_key(at.session_state, "loss")).value == "lsgan"
    assert query(at).get("loss") == "lsgan" and not at.exception


def test_a_remedy_toggled_on_the_shown_controls_survives_a_loss_switch(app):
    """The same race for a remedy: the user switches the loss, then toggles R1 on the controls
    the browser still shows."""
    at = app()
    at.button(key="lab2d.b.train").click().run()
    loss, r1 = (state.widget_key(at.session_state, "loss"),
                state.toggle_key(at.session_state, "r1_gamma"))
    hinge = _browser_states(at, [("selectbox", loss, "hinge")])
    both = _browser_states(at, [("toggle", r1, True)])
    at._run(widget_state=hinge)
    at._run(widget_state=both)
    at.run()
    cfg = at.session_state[state.key("cfg")]
    assert (cfg.loss, cfg.r1_gamma) == ("hinge", 1.0)
    assert at.session_state[state.key("trainer")].cfg.r1_gamma == 1.0 and not at.exception


def test_a_remedy_toggled_in_the_same_request_as_a_loss_pick_survives_it(app):
    """Two clicks back to back reach the server in one request: the loss (wgan_gp, which brings
    its gradient penalty) and R1 off. The loss's follow-up pointed every control at the old
    config plus the new loss, so the R1 switch, already off in the request, was turned back
    on under a new key (seen once in 30 in the full suite's live-change browser test)."""
    at = app()
    r1 = state.toggle_key(at.session_state, "r1_gamma")
    at.toggle(key=r1).set_value(True).run()
    at.button(key="lab2d.b.train").click().run()
    loss, r1 = (state.widget_key(at.session_state, "loss"),
                state.toggle_key(at.session_state, "r1_gamma"))
    both = _browser_states(at, [("selectbox", loss, "wgan_gp"), ("toggle", r1, False)])
    at._run(widget_state=both)
    at.run()
    cfg = at.session_state[state.key("cfg")]
    assert (cfg.loss, cfg.gp_lambda, cfg.r1_gamma) == ("wgan_gp", 10.0, 0.0)
    assert at.session_state[state.key("trainer")].cfg.r1_gamma == 0.0 and not at.exception
    assert not at.toggle(key=state.toggle_key(at.session_state, "r1_gamma")).value


def test_stale_reports_of_replaced_controls_change_nothing(app):
    """A preset redraws the controls whose values it changes under new keys; the browser keeps
    reporting the old ones (with the values they were drawn with) until the redraw reaches
    it. Those reports must change nothing, and a change made on an old control is applied."""
    at = app()
    at.button(key="lab2d.b.train").click().run()
    at.selectbox(key=state.key("w.preset")).select("wgan_gp")
    old_loss = state.widget_key(at.session_state, "loss")
    before = _browser_states(at, [])  # the preset picked, the controls as drawn before it
    hinge_on_old = _browser_states(at, [("selectbox", old_loss, "hinge")])
    at.selectbox(key=old_loss).select("ns")  # (not sent: the user had not done it yet)
    at.run()  # the preset arrives
    want = at.session_state[state.key("cfg")]
    assert want.loss == "wgan_gp"
    for _ in range(3):  # the fragment timer's echoes of the old controls
        at._run(widget_state=before)
    at.run()
    assert at.session_state[state.key("cfg")] == want
    assert at.session_state[state.key("trainer")].cfg == want and not at.exception
    # the user picks hinge on the old loss control, before the redraw reached the browser
    at._run(widget_state=hinge_on_old)
    at.run()
    assert at.session_state[state.key("cfg")].loss == "hinge"
    assert at.session_state[state.key("trainer")].cfg.loss == "hinge"


def test_reset_and_new_runs_keep_the_play_state(app):
    at = app()
    at.button(key="lab2d.b.train").click().run()
    at.button(key="lab2d.b.reset").click().run()
    assert at.button(key="lab2d.b.train").label == "Pause"  # still training, new weights
    at.selectbox(key=state.key("w.preset")).select("r1").run()
    assert at.button(key="lab2d.b.train").label == "Pause"  # a preset: the same rule
    at.button(key="lab2d.b.train").click().run()
    at.button(key="lab2d.b.reset").click().run()
    assert at.button(key="lab2d.b.train").label == "Train" and step_of(at) == 0  # paused


def test_repeated_link_parameters_warn(app):
    at = app({**SMALL, "preset": ["collapse", "r1"]})
    assert "sets preset 2 times" in texts(at.warning)
    assert at.session_state[state.key("preset")] == "r1"


def test_the_collapse_cure_is_one_click_and_keeps_the_weights(app):
    at = app({**SMALL, "preset": "collapse"})
    at.button(key="lab2d.b.step_both").click().run()
    assert at.button(key="lab2d.b.cure").label == "Cure: R1 penalty"
    at.button(key="lab2d.b.cure").click().run()
    cfg = at.session_state[state.key("cfg")]
    assert (cfg.r1_gamma, cfg.lr_d, cfg.lr_g) == (0.1, 1e-3, 1e-3)
    assert step_of(at) == 1 and "weights kept" in notices(at)
    assert at.toggle(key=state.toggle_key(at.session_state, "r1_gamma")).value  # shown on
    at.selectbox(key=state.key("w.preset")).select("ns").run()
    assert not [b for b in at.button if b.key == "lab2d.b.cure"]  # only demos have one



def test_speed_control_reaches_the_run_and_the_link(app):
    at = app()
    at.selectbox(key=state.key("w.speed")).select("1").run()
    assert query(at)["speed"] == "1" and state.get(at.session_state, "speed") == "1"
    assert host_info(at.session_state[state.key("trainer")], "steps_per_frame") == 1


def test_the_lab_opens_at_the_class_pace_and_full_speed_is_one_pick_away(app):
    """The default speed caps the run at the class pace in its host (a CPU trains below it),
    and the link says nothing about it; "full speed" lifts the cap and rides in the link."""
    at = app()
    box = at.selectbox(key=state.key("w.speed"))
    assert box.value == "paced" and box.options[:2] == [SPEEDS.get("paced").label, "full speed"]
    assert "speed" not in query(at)
    t = at.session_state[state.key("trainer")]
    assert host_info(t, "steps_per_s") == CLASS_PACE
    box.select("full").run()
    assert query(at)["speed"] == "full" and host_info(t, "steps_per_s") == 0.0


def test_a_speed_link_opens_its_speed_and_a_bad_one_warns(app):
    at = app({**SMALL, "speed": "full"})
    assert at.selectbox(key=state.key("w.speed")).value == "full" and not at.warning
    at = app({**SMALL, "speed": "5000"})
    assert not at.exception and at.selectbox(key=state.key("w.speed")).value == "paced"
    assert "speed='5000'" in texts(at.warning)


def test_a_follower_tab_sees_the_run_without_a_slot(app):
    owner = app()
    owner.button(key="lab2d.b.step_both").click().run()
    token = owner.session_state[state.key("token")]
    assert f"?follow={token}" in texts(owner.code)
    follower = app({"follow": token})
    assert not follower.exception and step_of(follower) == 1
    assert follower.session_state[state.key("trainer")] is None  # no process, no slot
    assert not [b for b in follower.button if b.key == "lab2d.b.train"]  # no controls
    owner.button(key="lab2d.b.step_both").click().run()
    follower.run()
    assert step_of(follower) == 2
    lost = app({"follow": "nobody"})
    assert "No run to follow" in texts(lost.warning) and not lost.exception


def test_custom_points_far_away_are_standardised_without_a_false_alarm(app):
    at = app()
    at.selectbox(key=state.widget_key(at.session_state, "dataset")).select("custom").run()
    rows = "\n".join(f"{5000 + i % 7},{5000 + i % 5}" for i in range(40)).encode()
    at.get("file_uploader")[0].set_value(("far.csv", rows, "text/csv"))
    at.run()
    assert "Standardised" in notices(at) and "subtracted the mean (5003" in notices(at)
    assert "off the plot" not in status(at)  # never a runaway warning before training
    snap, _ = at.session_state[state.key("trainer")].latest()
    assert snap.bounds[0] > 4990 and abs(snap.real[:, 0].mean() - 5003) < 1  # original units


def test_an_oversized_csv_is_refused_with_the_reason(app):
    at = app()
    at.selectbox(key=state.widget_key(at.session_state, "dataset")).select("custom").run()
    big = b"x,y\n" + b"1.000000000,2.000000000\n" * 260_000  # ~6 MB
    at.get("file_uploader")[0].set_value(("big.csv", big, "text/csv"))
    at.run()
    assert "the limit is 5 MB" in notices(at) and not at.exception


def test_a_heavy_configuration_says_so(app):
    at = app({"width": "1024", "depth": "8", "batch_size": "4096", "grid_res": "25",
              "n_fixed": "64"})
    assert "heavy" in status(at) and "a step" in status(at)


def test_image_presets_and_data_stay_off_the_2d_page(app):
    at = app({**SMALL, "preset": "dcgan", "dataset": "mnist"})
    assert not at.exception and "for this page" in texts(at.warning)
    assert "dataset='mnist'" in texts(at.warning)
    assert at.session_state[state.key("cfg")].dataset == "ring"
    assert "mnist" not in at.selectbox(key=state.widget_key(at.session_state,
                                                            "dataset")).options


def _default_and_held(widget):
    """(what a browser shows for `widget` when it first meets it without a value from the
    server: the element's default, what the server holds for it), both as the browser encodes
    them (a select's and a select_slider's labels)."""
    p, held = widget.proto, widget._widget_state
    if widget.type == "selectbox":
        return ((p.options[p.default] if p.HasField("default") else None),
                held.string_value if held.HasField("string_value") else None)
    if widget.type == "select_slider":
        return [p.options[int(i)] for i in p.default], list(held.string_array_value.data)
    if widget.type == "slider":
        return list(p.default), list(held.double_array_value.data)
    if widget.type == "number_input":
        return p.default, held.double_value
    return p.default, held.bool_value


def test_a_control_the_page_set_keeps_its_value_when_first_drawn_again(app):
    """The server tells the browser a value the page wrote into a control's key only in the
    run that wrote it; a request that cuts that run short drops its unsent messages, and the
    run after draws the control again without the value. The browser then shows the element's
    own default and sends it back (CI, 2026-12-07: WGAN-GP with its penalty off, 1 of 30 live
    changes). So every control's default is the value its key holds: here the penalty switched
    on by the loss, drawn by a second run, and every other control."""
    at = app({**SMALL, "loss": "lsgan"})
    at.selectbox(key=state.widget_key(at.session_state, "loss")).select("wgan_gp").run()
    at.run()  # the run after: the written values are no longer new to Streamlit
    gp = at.toggle(key=state.toggle_key(at.session_state, "gp_lambda"))
    assert gp.value is True and _default_and_held(gp) == (True, True)
    keyed = [w for kind in ("toggle", "selectbox", "select_slider", "slider", "number_input")
             for w in getattr(at, kind) if (w.key or "").startswith(("lab2d.w", "lab2d.on"))]
    assert len(keyed) >= 20
    for w in keyed:
        if w.key in (state.key("w.preset"), state.key("w.pretrained"), state.key("w.speed")):
            continue
        default, held = _default_and_held(w)
        assert default == held, w.key
    assert not at.exception


def test_the_architecture_select_names_the_data_own_architecture(app):
    """A config that leaves `arch` to the data (None: the MLP here) showed an empty select
    ('Choose an option'). It names the MLP now, the config keeps None (the link stays short),
    the run goes on with its weights, and a picked architecture is a new run."""
    at = app()
    at.button(key="lab2d.b.train").click().run()
    arch = at.selectbox(key=state.widget_key(at.session_state, "arch"))
    assert arch.value == "mlp" and _default_and_held(arch) == ("MLP", "MLP")  # its label
    t = at.session_state[state.key("trainer")]
    at.run()
    cfg = at.session_state[state.key("cfg")]
    assert cfg.arch is None and "arch" not in query(at)
    assert at.session_state[state.key("trainer")] is t and t.cfg.arch is None
    at.selectbox(key=state.widget_key(at.session_state, "arch")).select("metz").run()
    cfg = at.session_state[state.key("cfg")]
    assert cfg.arch == "metz" and query(at).get("arch") == "metz" and not at.exception
