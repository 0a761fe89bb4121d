"""The one D update: the engine, the theory page's fitter and the batched lockstep compute the
same D loss and the same gradients on the same inputs, for every loss in the registry, bit for
bit (all three call updates.py; a copy of the update drifting apart fails here)."""
import copy
import dataclasses

import pytest
import torch

from playground.config import RunConfig
from playground.engine.batched import BatchedRuns
from playground.engine.run import Run
from playground.losses import LOSSES
from playground.remedies import PENALTIES
from playground.theory import fit

SMALL = dict(width=16, depth=2, batch_size=32, n_fixed=16, grid_res=10)


def _grads(D) -> list[torch.Tensor]:
    return [p.grad.clone() for p in D.parameters()]


def _engine_step(run: Run, fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list]:
    """The real batch the run's D step draws, its d_loss and D's gradients."""
    real = run.data.sample(run.cfg.batch_size, _copy_gen(run.gens["data"]))
    d_loss = run._d_update(fake)
    return real, d_loss, _grads(run.D)


def _copy_gen(gen: torch.Generator) -> torch.Generator:
    return torch.Generator(gen.device).set_state(gen.get_state())


def _with(spec, remedies: dict):
    return dataclasses.replace(spec, defaults=remedies)


def test_every_penalty_is_weighted_by_a_config_field():
    assert set(PENALTIES) <= {f.name for f in dataclasses.fields(RunConfig)}


@pytest.mark.parametrize("loss", LOSSES.ids())
@pytest.mark.parametrize("remedies", [{}, {"gp_lambda": 10.0}, {"r1_gamma": 1.0},
                                      {"clip_c": 0.05}], ids=["plain", "gp", "r1", "clip"])
def test_engine_and_theory_d_steps_agree(loss, remedies):
    run = Run(RunConfig(**SMALL, loss=loss, **remedies))
    D, aux = copy.deepcopy(run.D), _copy_gen(run.gens["aux"])
    fake = torch.randn(32, 2, generator=torch.Generator().manual_seed(1))
    real, d_loss, grads = _engine_step(run, fake)
    opt = torch.optim.Adam(D.parameters(), lr=run.cfg.lr_d)  # only the gradients are compared
    theory_loss = fit.d_step(D, opt, _with(LOSSES.get(loss), remedies), real, fake, aux)
    assert theory_loss == float(d_loss)
    for a, b in zip(grads, _grads(D), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    if remedies.get("clip_c"):
        assert all(bool((p.abs() <= 0.05).all()) for p in D.parameters())  # float32 0.05
        assert all(bool((p.abs() <= 0.05).all()) for p in run.D.parameters())


@pytest.mark.parametrize("loss", LOSSES.ids())
def test_engine_and_batched_d_steps_agree(loss):
    cfg = RunConfig(**SMALL, loss=loss)
    alone, twins = Run(cfg), [Run(cfg), Run(dataclasses.replace(cfg, lr_d=1e-3))]
    fake = torch.randn(32, 2, generator=torch.Generator().manual_seed(1))
    _, d_loss, grads = _engine_step(alone, fake)
    batch = BatchedRuns(twins)
    seen = []
    batch.opt_d.step = seen.append  # the (K, P) gradient the stacked optimiser would take
    d_losses = batch._d_update(torch.stack([fake, fake]))
    assert d_losses.shape == (2,) and float(d_losses[0]) == float(d_loss)
    flat = torch.cat([g.reshape(-1) for g in grads])
    torch.testing.assert_close(seen[0][0], flat, rtol=0, atol=0)
