"""The "Why Wasserstein" page loads in AppTest, its controls work, and its long work runs in
the session's worker process (the script run returns at once; later runs show progress)."""
import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.ui import theory_text

APP = str(Path(__file__).with_name("theory_page_app.py"))
WORKER = "theory.worker"


@pytest.fixture
def at():
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    yield app
    worker = app.session_state[WORKER] if WORKER in app.session_state else None
    if worker is not None:
        worker.close()


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _poll(at, predicate, timeout=120.0) -> bool:
    """run_every never fires in AppTest: rerun until the worker's views satisfy `predicate`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        at.run()
        assert not at.exception, at.exception
        if predicate():
            return True
        time.sleep(0.5)
    return False


def _views(at) -> dict:
    return at.session_state[WORKER].latest()[0] or {}


def test_loads_with_closed_forms_and_no_worker(at):
    assert at.title[0].value == "Why Wasserstein"
    assert _metric(at, "W") == "0.5000" and _metric(at, "KL") == "+∞"
    assert len(at.get("plotly_chart")) >= 2
    assert at.session_state[WORKER] is None  # opening the page costs no process


def test_theta_slider_moves_the_closed_forms(at):
    at.slider(key="theory.w.theta").set_value(0.0).run()
    assert not at.exception
    assert _metric(at, "W") == "0.0000" and _metric(at, "JS") == "0.0000"
    assert _metric(at, "KL") == "0.0000" and _metric(at, "TV") == "0.0000"
    at.slider(key="theory.w.theta").set_value(-1.5).run()
    assert _metric(at, "W") == "1.5000" and _metric(at, "TV") == "1.0000"


@pytest.mark.slow  # thetas, each a D and a critic trained for 1,500 steps, in the worker
def test_estimates_fill_in_the_worker_while_the_page_stays_free(at):
    at.select_slider(key="theory.w.n").set_value(128)
    at.button(key="theory.w.estimate").click().run()
    assert not at.exception
    view = _views(at)["estimate"]
    assert len(view.rows) < len(view.thetas)  # the click's run did not do the work itself
    # ~5 s a θ on an idle 2-core box; 58 s measured with 6 test sessions sharing it
    assert _poll(at, lambda: len(_views(at)["estimate"].rows) >= 2, timeout=300)
    rows = _views(at)["estimate"].rows
    assert rows[0].theta == -1.0 and rows[0].js_learned == pytest.approx(0.693, abs=0.01)
    assert any(re.fullmatch(r"θ \d of 7 done · \d+(\.\d)? s each on this machine", p.proto.text)
               for p in at.get("progress"))
    assert at.get("table")  # a static table: it fits a 1280 px screen


def test_train_theta_advances_every_loss(at):
    at.select_slider(key="theory.w.theta_steps").set_value(100)
    at.button(key="theory.w.train_theta").click().run()
    assert not at.exception
    assert _poll(at, lambda: (v := _views(at)["race"]).traces
                 and all(t.step[-1] >= 100 for t in v.traces.values()))
    assert set(_views(at)["race"].traces) == {"minimax", "ns", "wgan_gp"}
    at.run()
    titles = [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
              for c in at.get("plotly_chart")]
    assert any("Training θ from θ0 = 1" in t for t in titles)
    done = [p.proto.text for p in at.get("progress") if p.proto.text.startswith("Done:")]
    assert done and re.fullmatch(r"Done: 3 × 100 θ updates in \d+(\.\d)? s", done[0]), done


def test_saturation_section_trains_and_reports(at):
    at.button(key="theory.w.fit2").click().run()
    assert not at.exception
    assert _poll(at, lambda: _views(at)["saturation"] is not None)
    r = _views(at)["saturation"]
    assert r.d_grad_at_fakes < 1e-4 and r.critic_grad_at_fakes > 0.5
    at.run()
    assert any(m.label.startswith("critic's mean") for m in at.metric)


def test_saturation_rejects_an_empty_range(at):
    at.slider(key="theory.w.x_range").set_value((2.0, 2.0))
    at.button(key="theory.w.fit2").click().run()
    assert not at.exception
    assert any("x_min" in e.value for e in at.error)


def test_compare_trains_both_runs_in_the_worker(at):
    at.select_slider(key="theory.w.steps").set_value(500)
    at.button(key="theory.w.compare").click().run()
    assert not at.exception
    assert _poll(at, lambda: (v := _views(at)["compare"]).curves
                 and max(c.step[-1] for c in v.curves.values()) > 0)
    assert set(_views(at)["compare"].curves) == {"ns", "wgan_gp"}
    at.select_slider(key="theory.w.kernel").set_value(9).run()
    assert not at.exception


def test_presenter_mode_enlarges_the_page():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["present"] = "1"
    app.run()
    assert any("font-size" in m.value for m in app.markdown)
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["font"]["size"] > 13
    # the numbers stay large: a rule for the metric's own text, not only the prose rule
    assert any('[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p' in m.value
               for m in app.markdown)
    # the prose folds away, so the sliders, numbers and chart come first
    assert app.expander and theory_text.LINES in [m.value for m in app.expander[0].markdown]


def test_the_page_states_work_not_a_duration(at):
    infos = " ".join(i.value for i in at.info)
    assert "1,500 updates" in infos and not re.search(r"\d+ s each|minutes", infos), infos


def test_a_link_opens_a_section_and_the_address_follows_the_open_one():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params.update({"tab": "em", "present": "1"})
    app.run()
    assert not app.exception and not app.warning
    assert app.session_state["theory.w.tab"] == "3 · EM vs JS while training"
    assert dict(app.query_params) == {"tab": "em", "present": "1"}
    app.session_state["theory.w.tab"] = "2 · Saturating D vs linear critic"
    app.run()
    assert dict(app.query_params) == {"tab": "saturation", "present": "1"}
    bad = AppTest.from_file(APP, default_timeout=120)
    bad.query_params["tab"] = "nope"
    bad.run()
    assert not bad.exception and "tab='nope'" in bad.warning[0].value
    assert bad.session_state["theory.w.tab"] == "1 · Parallel lines"
    bad.run()
    assert dict(bad.query_params) == {}


def test_the_page_names_the_device_of_its_work(at):
    """Issue 19: every page says where its work runs: the worker pool's processes on the CPU
    with their torch threads, before any worker exists (no process is started to say so)."""
    captions = " ".join(c.value for c in at.caption)
    assert re.search(r"Computed in the worker pool on \*\*CPU · \d+ threads?\*\* per process",
                     captions), captions
    assert at.session_state[WORKER] is None
