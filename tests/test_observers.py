"""The observers: a view-only change (n_fixed, grid_res) never moves the evaluation set, and a
parked and restored run still shows its last evaluation's per-mode counts."""
import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.run import Run
from playground.ui import tasks

SMALL = dict(width=16, depth=2, n_fixed=64, grid_res=10)
TINY_IMAGES = dict(dataset="mnist", latent_dim=8, width=8, depth=1, batch_size=16, n_fixed=16)


@pytest.mark.parametrize("base", [SMALL, TINY_IMAGES], ids=["points2d", "image"])
def test_a_view_change_keeps_the_evaluation_set(base):
    run = Run(RunConfig(**base))
    run.train(2)
    z = run.observer.z_eval.clone()
    real = getattr(run.observer, "real_eval", torch.zeros(0)).clone()  # 2D: W1's and JSD's
    before = run.evaluate()
    shown = run.observer.z_fixed.clone()
    run.update_config(run.cfg.replace(n_fixed=base["n_fixed"] * 2))
    assert run.observer.z_fixed.shape[0] == min(base["n_fixed"] * 2, 256)
    assert torch.equal(run.observer.z_fixed[:len(shown)], shown)  # the same stream, longer
    assert torch.equal(run.observer.z_eval, z)
    assert torch.equal(getattr(run.observer, "real_eval", torch.zeros(0)), real)
    # runs that differ only in n_fixed are scored on one set: the same numbers, bit for bit
    other = Run(RunConfig(**{**base, "n_fixed": base["n_fixed"] * 2}))
    other.train(2)
    assert other.evaluate() == pytest.approx(before, nan_ok=True, rel=0, abs=0)


def test_a_restored_run_shows_its_last_evaluations_mode_counts():
    job = tasks.RunJob(RunConfig(**SMALL))
    job.advance(0.3, 60)
    first = job.observe(True)
    assert first.mode_counts is not None and first.mode_counts.shape == (8,)
    again = tasks.restore(job.park()).observe(True)  # the same step: the cached row
    assert again.step == first.step
    np.testing.assert_array_equal(again.mode_counts, first.mode_counts)
    np.testing.assert_array_equal(again.mode_nearest, first.mode_nearest)
    assert again.mode_nearest.sum() == 2500
