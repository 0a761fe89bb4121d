"""The "Why Wasserstein" page loads in AppTest and its controls work."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).with_name("theory_page_app.py"))


@pytest.fixture
def at():
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    return app


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_loads_with_closed_forms(at):
    assert at.title[0].value == "Why Wasserstein"
    assert _metric(at, "W") == "0.5000" and _metric(at, "KL") == "+∞"
    assert len(at.get("plotly_chart")) >= 2


def test_theta_slider_moves_the_closed_forms(at):
    at.slider(key="theory.w.theta").set_value(0.0).run()
    assert not at.exception
    assert _metric(at, "W") == "0.0000" and _metric(at, "JS") == "0.0000"
    assert _metric(at, "KL") == "0.0000" and _metric(at, "TV") == "0.0000"
    at.slider(key="theory.w.theta").set_value(-1.5).run()
    assert _metric(at, "W") == "1.5000" and _metric(at, "TV") == "1.0000"


@pytest.mark.slow  # two thetas, each a D and a critic trained for 1,000 steps
def test_estimate_button_fills_one_theta_per_run(at):
    at.select_slider(key="theory.w.n").set_value(128)
    at.button(key="theory.w.estimate").click().run()
    assert not at.exception
    grid = at.session_state["theory.grid"]
    assert len(grid.rows) == 1 and grid.rows[0].theta == -1.0
    at.run()  # run_every never fires in AppTest: each run is one tick
    assert len(at.session_state["theory.grid"].rows) == 2


def test_train_theta_advances_every_loss(at):
    at.select_slider(key="theory.w.theta_steps").set_value(100)
    at.button(key="theory.w.train_theta").click().run()
    assert not at.exception
    games = at.session_state["theory.games"]
    assert set(games) == {"minimax", "ns", "wgan_gp"}
    assert all(g.steps == 10 for g in games.values())
    at.run()
    assert all(g.steps == 20 for g in at.session_state["theory.games"].values())
    titles = [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
              for c in at.get("plotly_chart")]
    assert any("Training θ from θ0 = 1" in t for t in titles)


def test_saturation_section_trains_and_reports(at):
    at.button(key="theory.w.fit2").click().run()
    assert not at.exception
    r = at.session_state["theory.sat"]
    assert r.d_grad_at_fakes < 1e-4 and r.critic_grad_at_fakes > 0.5
    assert any(m.label.startswith("critic's mean") for m in at.metric)


def test_saturation_rejects_an_empty_range(at):
    at.slider(key="theory.w.x_range").set_value((2.0, 2.0))
    at.button(key="theory.w.fit2").click().run()
    assert not at.exception
    assert any("x_min" in e.value for e in at.error)


def test_compare_starts_both_runs(at):
    at.select_slider(key="theory.w.steps").set_value(500)
    at.button(key="theory.w.compare").click().run()
    assert not at.exception
    cmp = at.session_state["theory.cmp"]
    assert set(cmp.runs) == {"ns", "wgan_gp"}
    at.run()
    assert max(r.step_count for r in at.session_state["theory.cmp"].runs.values()) > 0
    at.select_slider(key="theory.w.kernel").set_value(9).run()
    assert not at.exception
