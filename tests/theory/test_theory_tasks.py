"""The theory lab's tasks: parameters checked when built, heavy work only when advanced."""
import pytest

from playground.theory import saturation, tasks
from playground.ui import theory_text


def test_build_checks_parameters_before_any_work():
    with pytest.raises(ValueError, match="unknown theory task"):
        tasks.build({"kind": "nope"})
    with pytest.raises(ValueError, match="out of range"):
        tasks.build({"kind": "race", "theta0": 9.0})
    with pytest.raises(ValueError, match="steps"):
        tasks.build({"kind": "compare", "steps": 3})
    race = tasks.build({"kind": "race", "steps": 20})
    assert race.games is None and race.view().traces == {}  # nothing trained yet


def test_race_reaches_its_target_in_slices():
    race = tasks.build({"kind": "race", "steps": 20})
    race.advance(0.1)  # set-up: each loss's D trained at theta0
    assert not race.done and set(race.games) == {"minimax", "ns", "wgan_gp"}
    while not race.done:
        race.advance(0.5)
    view = race.view()
    assert all(t.step[-1] == 20 for t in view.traces.values())
    assert abs(view.traces["minimax"].theta[-1] - 1.0) < 1e-3  # saturated: theta stalls


def test_saturation_task_is_done_after_one_advance():
    task = tasks.build({"kind": "saturation", "setup": saturation.Setup()})
    assert task.view() is None and not task.done
    task.advance(1.0)
    assert task.done and task.view().d_grad_at_fakes < 1e-4


def test_views_carry_the_measured_wall_time_frozen_when_done():
    race = tasks.build({"kind": "race", "steps": 10})
    assert race.view().elapsed_s == 0.0  # nothing run yet
    while not race.done:
        race.advance(0.5)
    took = race.view().elapsed_s
    assert 0.0 < took < 120.0
    race.advance(0.5)  # nothing left: the time stays what the work took
    assert race.view().elapsed_s == took
    # 6 does not divide 10: the curves end at step 6, yet the work is done and says so
    compare = tasks.build({"kind": "compare", "steps": 10, "eval_every": 6})
    while not compare.done:
        compare.advance(0.5)
    view = compare.view()
    assert 0.0 < view.elapsed_s < 120.0
    assert theory_text.compare_progress(view).startswith("Done: 2 × 10 steps in ")
