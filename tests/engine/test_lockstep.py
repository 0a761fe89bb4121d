"""Runs in lockstep: equal steps, the same batches and starting weights, metrics at multiples
of eval_every, a diverged run left behind while the others go on; comparison presets."""
import numpy as np
import pytest
import torch

from playground.comparisons import COMPARISONS
from playground.config import RunConfig
from playground.engine.lockstep import Lockstep
from playground.ui.export import compare_csv

SMALL = dict(width=32, depth=2, batch_size=64, n_fixed=64, grid_res=20)


def test_equal_steps_same_start_same_batches_and_step_based_metrics():
    cfgs = [RunConfig(**SMALL), RunConfig(**SMALL, loss="hinge"),
            RunConfig(**SMALL, loss="wgan", clip_c=0.05)]
    ls = Lockstep(cfgs, ["ns", "hinge", "wgan"], eval_every=20)
    starts = [[p.detach().clone() for p in r.G.parameters()] for r in ls.runs]
    assert all(torch.equal(a, b) for a, b in zip(starts[0], starts[1], strict=True))
    ls.advance(60.0, max_steps=50)
    assert [r.step_count for r in ls.runs] == [50, 50, 50]
    for r in ls.runs[1:]:  # the same data and z, batch after batch
        for stream in ("data", "z"):
            assert torch.equal(r.gens[stream].get_state(), ls.runs[0].gens[stream].get_state())
    for r in ls.runs:
        assert r.metric_history["step"] == [0, 20, 40]  # every 20 steps, not by the clock
    snap = ls.observe()
    assert snap.step == 50 and [s.step for s in snap.snaps] == [50, 50, 50]


def test_a_diverged_run_stops_and_the_others_go_on():
    cfgs = [RunConfig(**SMALL), RunConfig(**SMALL).replace(loss="fgan_kl", opt_d="sgd",
                                                            opt_g="sgd", lr_d=1.0, lr_g=1.0)]
    ls = Lockstep(cfgs, ["ns", "wild"], eval_every=50)
    ls.advance(120.0, max_steps=400)
    ok, wild = ls.runs
    assert wild.status == "diverged" and ok.status == "ok" and ok.step_count == 400
    assert wild.step_count < 400 and "wild" in ls.reason and ls.status == "ok"


def test_comparisons_share_dataset_and_seed_and_refuse_mixtures():
    with pytest.raises(ValueError, match="share their dataset and seed"):
        Lockstep([RunConfig(**SMALL), RunConfig(**SMALL, seed=1)], ["a", "b"])
    with pytest.raises(ValueError, match="1-4 runs"):
        Lockstep([RunConfig(**SMALL)] * 5, list("abcde"))


@pytest.mark.parametrize("cid", COMPARISONS.ids())
def test_every_comparison_preset_builds_and_steps(cid):
    c = COMPARISONS.get(cid)
    small = {"batch_size": 16, "n_fixed": 16}
    if c.dataset != "mnist":
        small.update(grid_res=10)
    cfgs = [cfg.replace(**small) for cfg in c.configs()]
    ls = Lockstep(cfgs, c.labels, eval_every=100)
    ls.advance(60.0, max_steps=2)
    assert {r.step_count for r in ls.runs} == {2} and ls.observe().step == 2


def test_compare_csv_has_a_column_per_run():
    runs = {"a": ({"step": [1, 2], "d_loss": [0.5, 0.4]}, {"step": [2], "w1": [0.3]}),
            "b": ({"step": [1, 2], "d_loss": [0.7, 0.6]}, {"step": [2], "w1": [0.9]})}
    lines = compare_csv(runs).decode().splitlines()
    assert lines[0] == "step,a: d_loss,a: w1,b: d_loss,b: w1"
    assert lines[2] == "2,0.4,0.3,0.6,0.9" and lines[1] == "1,0.5,,0.7,"
    assert np.isfinite(float(lines[2].split(",")[1]))
