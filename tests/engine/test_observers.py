"""The observers: a view-only change (n_fixed, grid_res) never moves the evaluation set, a
parked and restored run still shows its last evaluation's per-mode counts, and an observer reads
a run only through RunView (observation runs one way: it never calls back into Run)."""
import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.engine.observers import OBSERVERS
from playground.engine.observers.view import RunView
from playground.engine.run import Run
from playground.serve import tasks

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


class _Only:
    """A run seen through RunView alone: any other attribute (evaluate, snapshot, flush,
    latest_metrics...) raises, so an observer calling back into the run fails here."""

    def __init__(self, run: Run):
        object.__setattr__(self, "_run", run)

    def __getattr__(self, name):
        if name not in RunView.__annotations__ and name not in ("observing", "sample_z"):
            raise AssertionError(f"an observer read run.{name}, which RunView does not offer")
        return getattr(self._run, name)


@pytest.mark.parametrize("base", [SMALL, TINY_IMAGES], ids=["points2d", "image"])
def test_an_observer_reads_the_run_only_through_its_view(base):
    run = Run(RunConfig(**base))
    run.train(2)
    observer = OBSERVERS.get(run.data.kind)(_Only(run))
    record = observer.evaluate(False)
    snap = observer.snapshot(record)  # the picture with the record it is handed
    assert snap.step == run.step_count == 2
    observer.samples(4, 0)
    observer.scored_samples(False)
    observer.reprobe()
    # Run.snapshot evaluates once, then draws with that record: the same picture
    assert run.snapshot().metrics == pytest.approx(snap.metrics, nan_ok=True, rel=0, abs=0)
    assert run.metric_history["step"] == [2]
