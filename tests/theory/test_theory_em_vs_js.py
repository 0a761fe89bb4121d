"""EM vs JS along 2D runs: the comparison driver and the median filter."""
import dataclasses
import math

import numpy as np
import pytest

from playground.theory import em_vs_js as ej

SMALL = {"width": 16, "depth": 1, "batch_size": 32}  # a tiny model: the driver, not quality


def test_smooth_is_a_median_filter_that_keeps_the_edges():
    y = np.array([5.0, 5.0, 100.0, 5.0, 5.0, 7.0, 7.0])
    np.testing.assert_array_equal(ej.smooth(y, 3), [5, 5, 5, 5, 5, 7, 7])
    # scipy's medfilt alone would pad with zeros and pull the ends to 0; edge padding does not
    np.testing.assert_array_equal(ej.smooth(np.array([3.0, 3.0, 3.0]), 5), [3, 3, 3])
    np.testing.assert_array_equal(ej.smooth(y, 1), y)


@pytest.mark.parametrize("kernel", [0, 4, 103])
def test_smooth_rejects_bad_kernels(kernel):
    with pytest.raises(ValueError, match="kernel"):
        ej.smooth(np.zeros(5), kernel)


@pytest.fixture(scope="module")
def curves():
    cmp = ej.Comparison("ring", steps=20, eval_every=10, seed=3, overrides=SMALL)
    return cmp.run_all()


def test_comparison_records_every_series(curves):
    assert set(curves) == {"ns", "wgan_gp"}
    for c in curves.values():
        np.testing.assert_array_equal(c.step, [0, 10, 20])
        for key in ("w1", "jsd", "critic_gap", "modes", "hq_pct"):
            values = getattr(c, key)
            assert len(values) == 3 and np.all(np.isfinite(values)), key
        assert np.all((c.jsd >= 0) & (c.jsd <= math.log(2) + 1e-9))
        assert c.n_modes == 8 and c.status == "ok"
    assert curves["wgan_gp"].is_critic and not curves["ns"].is_critic
    assert np.all(np.isnan(curves["wgan_gp"].js_bound))  # a critic is not a JS estimator
    assert np.all(np.isfinite(curves["ns"].js_bound))


def test_same_seed_same_curves(curves):
    again = ej.Comparison("ring", steps=20, eval_every=10, seed=3, overrides=SMALL,
                          ).run_all()
    for p in curves:
        np.testing.assert_array_equal(curves[p].w1, again[p].w1)
        np.testing.assert_array_equal(curves[p].critic_gap, again[p].critic_gap)


def test_advance_is_time_boxed_and_resumable():
    cmp = ej.Comparison("ring", steps=40, eval_every=10, seed=0, overrides=SMALL)
    while cmp.advance(0.05):
        pass
    assert all(r.step_count == 40 for r in cmp.runs.values())
    assert all(len(c.step) == 5 for c in cmp.curves().values())


def test_smoothed_keeps_steps(curves):
    s = ej.smoothed(curves, 3)
    np.testing.assert_array_equal(s["ns"].step, curves["ns"].step)
    assert s["ns"].w1[1] == pytest.approx(np.median(curves["ns"].w1[:3]))


@pytest.mark.parametrize("kwargs, field", [({"steps": 0}, "steps"), ({"eval_every": 1},
                                           "eval_every"), ({"presets": ("nope",)}, "preset"),
                                           ({"dataset": "nope"}, "dataset")])
def test_bad_input(kwargs, field):
    with pytest.raises(ValueError, match=field):
        ej.Comparison(**kwargs)


def test_a_rollback_keeps_the_critic_gap_on_its_steps():
    """The critic gap is read at each evaluation; when a run rolls back, the readings of the
    undone steps go too, so every series of a run pairs values of one step."""
    cmp = ej.Comparison("ring", steps=20, eval_every=10, seed=0, overrides=SMALL)
    run = cmp.runs["wgan_gp"]
    at_0 = run._good  # the rollback point before any step
    cmp.run_all()
    before = cmp.curves()["wgan_gp"]
    np.testing.assert_array_equal(before.step, [0, 10, 20])
    run._good = at_0  # a NaN now sends the run back to step 0
    run.loss = dataclasses.replace(run.loss, d_loss=lambda *, real, fake: real.mean() * math.nan)
    run.train(1)
    after = cmp.curves()["wgan_gp"]
    assert after.status == "diverged"
    np.testing.assert_array_equal(after.step, [0])
    np.testing.assert_array_equal(after.critic_gap, before.critic_gap[:1])
    np.testing.assert_array_equal(after.w1, before.w1[:1])
