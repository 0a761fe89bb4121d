"""Batched lockstep: the same weights, moments, streams and histories as runs taken in turns;
a set that cannot share a computation falls back and says why; parking resumes exactly."""
import math

import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.engine.batched import reason_not_batchable
from playground.engine.lockstep import MODE, Lockstep
from playground.serve import tasks
from playground.store import checkpoint

SMALL = dict(width=32, depth=2, batch_size=64, n_fixed=64, grid_res=20)


def assert_same_state(a, b) -> None:
    """Two checkpoints agree bit for bit (batched.py promises the runs' own arithmetic,
    element for element: measured equal on CPU), NaN equal to NaN."""
    if isinstance(a, torch.Tensor):
        torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            assert_same_state(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same_state(x, y)
    elif isinstance(a, float):
        assert a == b or (math.isnan(a) and math.isnan(b)), (a, b)
    else:
        assert a == b


@pytest.mark.parametrize("cfgs", [
    [RunConfig(**SMALL), RunConfig(**SMALL, loss="hinge", lr_d=2e-3)],
    [RunConfig(**SMALL), RunConfig(**SMALL, loss="lsgan", lr_g=5e-4),
     RunConfig(**SMALL, loss="wgan", clip_c=0.05),
     RunConfig(**SMALL, loss="fgan_kl", lr_d=3e-4, lr_g=3e-4)],
    [RunConfig(**SMALL, opt_d="rmsprop", opt_g="sgd", n_critic=2),
     RunConfig(**SMALL, opt_d="rmsprop", opt_g="sgd", n_critic=2, loss="minimax", lr_d=5e-3)],
], ids=["two", "four", "rmsprop-sgd"])
def test_batched_equals_in_turns(cfgs):
    labels = [f"r{i}" for i in range(len(cfgs))]
    bat = Lockstep(cfgs, labels, eval_every=25)
    seq = Lockstep(cfgs, labels, eval_every=25, batched=False)
    assert bat.mode == f"batched: {len(cfgs)} runs as one computation"
    assert seq.mode == f"{MODE}: batching switched off"
    bat.advance(60.0, 50)
    seq.advance(60.0, 50)
    for x, y in zip(bat.runs, seq.runs, strict=True):
        assert x.step_count == y.step_count == 50
        assert x.metric_history["step"] == [0, 25, 50]
        assert_same_state(checkpoint.state_of(x), checkpoint.state_of(y))


@pytest.mark.parametrize("change, reason", [
    (dict(width=64), "different widths"),
    (dict(r1_gamma=1.0), "r1 penalty needs per-run double backward"),
    (dict(spectral_norm=True), "spectral norm needs per-run power iteration"),
    (dict(opt_d="sgd"), "different D optimisers"),
    (dict(ema_g=0.999), "the moving average of G is a per-run copy"),
])
def test_a_set_that_cannot_share_a_batch_takes_turns_and_says_why(change, reason):
    cfgs = [RunConfig(**SMALL), RunConfig(**SMALL).replace(**change)]
    assert reason_not_batchable(cfgs) == reason
    lock = Lockstep(cfgs, ["a", "b"], eval_every=10)
    assert lock.engine is None and lock.mode == f"{MODE}: {reason}"
    lock.advance(60.0, 3)
    assert [r.step_count for r in lock.runs] == [3, 3] and lock.observe().mode == lock.mode
    assert reason_not_batchable([RunConfig(dataset="mnist")] * 2) is not None


def test_a_diverged_member_leaves_the_batch_and_the_others_go_on():
    cfgs = [RunConfig(**SMALL), RunConfig(**SMALL, loss="hinge"),
            RunConfig(**SMALL).replace(loss="fgan_kl", opt_d="sgd", opt_g="sgd", lr_d=1.0,
                                       lr_g=1.0)]
    cfgs = [c.replace(opt_d="sgd", opt_g="sgd") for c in cfgs]
    bat = Lockstep(cfgs, list("abc"), eval_every=50)
    seq = Lockstep(cfgs, list("abc"), eval_every=50, batched=False)
    bat.advance(60.0, 200)
    seq.advance(60.0, 200)
    wild = bat.runs[2]
    assert wild.status == "diverged" and bat.mode == "batched: 2 runs as one computation"
    for x, y in zip(bat.runs, seq.runs, strict=True):  # same rollback point, same reason
        assert (x.status, x.reason, x.step_count) == (y.status, y.reason, y.step_count)
        assert_same_state(checkpoint.state_of(x), checkpoint.state_of(y))


def test_a_parked_batched_comparison_resumes_exactly():
    cfgs = [RunConfig(**SMALL), RunConfig(**SMALL, loss="hinge", lr_g=2e-3)]
    whole = tasks.CompareJob(cfgs, ["ns", "hinge"], 10)
    whole.advance(60, 45)
    part = tasks.CompareJob(cfgs, ["ns", "hinge"], 10)
    part.advance(60, 20)
    part = tasks.restore(part.park())
    assert part.lock.mode == whole.lock.mode == "batched: 2 runs as one computation"
    part.advance(60, 25)
    assert part.progress == whole.progress == 45
    for x, y in zip(part.lock.runs, whole.lock.runs, strict=True):
        assert_same_state(checkpoint.state_of(x), checkpoint.state_of(y))
        for k in x.metric_history:
            np.testing.assert_array_equal(x.metric_history[k], y.metric_history[k])
