"""What the runs of a comparison share: the claim `sharing.shared` makes is checked against
runs actually built from the configs, weight for weight and batch for batch (exact equality
where it says "same"), for every shipped comparison and for custom pairs that differ in one
field each."""
import pytest
import torch

from playground.comparisons import COMPARISONS
from playground.config import RunConfig
from playground.engine.lockstep import Lockstep
from playground.engine.run import Run
from playground.engine.sharing import EVERY_STEP, NONE, SEQUENCE, shared

STEPS = 3  # steps whose draws are recorded


def _same_state(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(
        sa[k].shape == sb[k].shape and torch.equal(sa[k], sb[k]) for k in sa)


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.equal(a, b)


def _record(run: Run) -> dict[str, list[list[torch.Tensor]]]:
    """Every real batch and z the run draws in each of STEPS steps, in order."""
    log = {"data": [], "z": []}
    sample, sample_z = run.data.sample, run.sample_z

    def data(n, gen):
        x = sample(n, gen)
        log["data"][-1].append(x.clone())
        return x

    def z(n, gen=None):
        x = sample_z(n, gen)
        log["z"][-1].append(x.clone())
        return x

    run.data.sample, run.sample_z = data, z
    for _ in range(STEPS):
        log["data"].append([])
        log["z"].append([])
        run.step()
    return log


def _level(per_run: list[list[list[torch.Tensor]]]) -> str:
    """How far the runs' draws of one stream agree, seen: EVERY_STEP, SEQUENCE or NONE."""
    flat = [[x for step in steps for x in step] for steps in per_run]
    if not all(_same(flat[0][0], f[0]) for f in flat):
        return NONE
    if all(len(s[k]) == len(per_run[0][k]) and all(map(_same, per_run[0][k], s[k]))
           for s in per_run for k in range(STEPS)):
        return EVERY_STEP
    n = min(map(len, flat))  # one sequence: the shortest run's draws open every other's
    prefix = all(_same(flat[0][i], f[i]) for f in flat for i in range(n))
    step2_apart = not all(_same(per_run[0][1][0], s[1][0]) for s in per_run)
    return SEQUENCE if prefix and step2_apart else "something else"


def _check(cfgs: list[RunConfig]) -> None:
    claim = shared(cfgs)
    runs = [Run(c) for c in cfgs]
    assert claim.start_g == all(_same_state(runs[0].G, r.G) for r in runs)
    assert claim.start_d == all(_same_state(runs[0].D, r.D) for r in runs)
    logs = [_record(r) for r in runs]
    assert claim.real == _level([log["data"] for log in logs])
    assert claim.z == _level([log["z"] for log in logs])
    assert claim.draws == tuple(len(log["data"][0]) for log in logs)


@pytest.mark.parametrize("cid", COMPARISONS.ids())
def test_every_shipped_comparison_shares_what_it_says(cid):
    _check(COMPARISONS.get(cid).configs())


def test_the_shipped_claims_in_words():
    """B6: grid_remedies and ns_vs_wgan_gp were said to share weights and batches."""
    grid = shared(COMPARISONS.get("grid_remedies").configs())
    assert (grid.start_g, grid.start_d, grid.real, grid.z) == (False, False, SEQUENCE, NONE)
    assert grid.draws == (1, 5, 11)
    for part in ("latent_dim 2 vs 256", "n_critic 1 vs 5", "unroll_steps 0 vs 10",
                 "drawn 1 vs 5 vs 11 a step"):
        assert part in grid.sentence
    ns_gp = shared(COMPARISONS.get("ns_vs_wgan_gp").configs())
    assert ns_gp.start_g and ns_gp.start_d and ns_gp.real == ns_gp.z == SEQUENCE
    assert "n_critic 1 vs 5" in ns_gp.sentence and "every step" not in ns_gp.sentence
    ns_r1 = shared(COMPARISONS.get("ns_vs_r1").configs())
    assert ns_r1.sentence == ("same data, seed and starting weights; the same batches at "
                              "every step.")


BASE = RunConfig(width=16, depth=2, batch_size=32, n_fixed=16, grid_res=10)


@pytest.mark.parametrize("change", [
    {"loss": "hinge", "gp_lambda": 1.0, "noise_std": 0.1},  # remedies draw from the aux stream
    {"activation": "tanh"}, {"latent_dim": 8}, {"width": 24}, {"depth": 3},
    {"batch_size": 48}, {"n_critic": 3}, {"unroll_steps": 2},
    {"n_critic": 2, "unroll_steps": 1, "latent_dim": 4},
])
def test_custom_pairs_share_what_they_say(change):
    _check([BASE, BASE.replace(**change)])


def test_the_dcgan_ignores_depth():
    mnist = RunConfig(dataset="mnist", width=8, latent_dim=8, batch_size=8, n_fixed=16)
    claim = shared([mnist, mnist.replace(depth=5)])
    assert claim.start_g and claim.real == EVERY_STEP
    _check([mnist, mnist.replace(depth=5)])


def test_lockstep_carries_the_claim():
    cfgs = [BASE, BASE.replace(n_critic=2)]
    assert Lockstep(cfgs, ["a", "b"], 100).shared == shared(cfgs)
