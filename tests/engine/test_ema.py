"""The moving average of G (engine/ema.py): the closed form on a toy case, batch norm's
statistics averaged with the weights, training untouched, and the average as what a run shows,
restores, checkpoints and rolls back."""
import numpy as np
import pytest
import torch
from torch import nn

from playground.config import RunConfig
from playground.engine import ema
from playground.engine.run import Run
from playground.store import checkpoint

TINY = dict(dataset="mnist", arch="dcgan", latent_dim=8, width=8, batch_size=16, n_fixed=16,
            train_digits=500)


def _same_state(a: nn.Module, b: nn.Module) -> bool:
    pairs = zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    return all(torch.equal(x, y) for x, y in pairs)


def _toy() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))


def test_average_is_the_closed_form_running_average():
    # theta_ema_T = beta^T theta_0 + sum_t (1 - beta) beta^(T - t) theta_t, buffers alike
    beta, G = 0.9, _toy()
    G_ema = ema.build(G)
    thetas = [[t.detach().clone() for t in G.state_dict().values()]]
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        with torch.no_grad():
            for t in list(G.parameters()) + [G[1].running_mean, G[1].running_var]:
                t.copy_(torch.randn(t.shape, generator=g))
            G[1].num_batches_tracked += 1
        ema.update(G_ema, G, beta)
        thetas.append([t.detach().clone() for t in G.state_dict().values()])
    T = len(thetas) - 1
    for i, (name, got) in enumerate(G_ema.state_dict().items()):
        if not got.is_floating_point():
            assert int(got) == T, name  # a step counter is copied, not averaged
            continue
        want = beta**T * thetas[0][i].double() + sum(
            (1 - beta) * beta ** (T - t) * thetas[t][i].double() for t in range(1, T + 1))
        torch.testing.assert_close(got.double(), want, rtol=1e-6, atol=1e-6, msg=name)


def test_average_stays_frozen_in_eval_mode():
    G_ema = ema.build(_toy().train())
    assert not G_ema.training and not any(p.requires_grad for p in G_ema.parameters())


def test_averaging_leaves_training_unchanged_and_is_what_is_shown():
    plain, averaged = Run(RunConfig(**TINY)), Run(RunConfig(**TINY, ema_g=0.9))
    assert plain.G_ema is None and plain.G_shown is plain.G
    plain.train(6), averaged.train(6)
    assert _same_state(plain.G, averaged.G)  # G trains bit for bit the same
    assert averaged.G_shown is averaged.G_ema
    z = averaged.sample_z(4, torch.Generator().manual_seed(3))
    with torch.no_grad():
        shown = averaged.G_ema(z).squeeze(1).numpy()
        last = averaged.G.eval()(z).squeeze(1).numpy()
    averaged.G.train()
    np.testing.assert_array_equal(averaged.samples(4, seed=3), shown)
    assert np.abs(shown - last).max() > 1e-3  # the average is not the last G
    snap = averaged.snapshot()
    assert snap.fake.shape == (16, 28, 28)


def test_average_survives_a_checkpoint_and_resumes_exactly(tmp_path):
    run = Run(RunConfig(**TINY, ema_g=0.9))
    run.train(4)
    checkpoint.save(run, tmp_path / "r.pt")
    back = checkpoint.load(tmp_path / "r.pt")
    assert _same_state(run.G_ema, back.G_ema)
    run.train(3), back.train(3)
    assert _same_state(run.G_ema, back.G_ema) and not _same_state(run.G_ema, run.G)


def test_average_rolls_back_with_the_weights():
    run = Run(RunConfig(**TINY, ema_g=0.9))
    run.train(3)
    good = {k: v.clone() for k, v in run.G_ema.state_dict().items()}
    run._advance(), run._advance()  # two more updates, not yet flushed (no rollback point)
    assert run.step_count == 5
    run._load_state(run._good)  # what a divergence does
    for k, v in run.G_ema.state_dict().items():
        assert torch.equal(v, good[k]), k


@pytest.mark.parametrize("start,end", [(0.0, 0.99), (0.99, 0.0)])
def test_switching_the_average_live(start, end):
    run = Run(RunConfig(**TINY, ema_g=start))
    run.train(2)
    run.update_config(run.cfg.replace(ema_g=end))
    if end:  # averaging starts at the current G
        assert _same_state(run.G_ema, run.G)
    else:
        assert run.G_ema is None and run.G_shown is run.G
    run.train(2)


def test_beta_out_of_range_is_refused():
    with pytest.raises(ValueError, match="ema_g"):
        RunConfig(**TINY).replace(ema_g=1.0)


def test_warm_up_caps_the_decay_early_and_then_reaches_beta():
    # min(beta, (1 + t) / (10 + t)): 2/11 at the first update; (1 + t) / (10 + t) = 0.999 at
    # t = 8,990, so beta 0.999 holds from there on
    assert ema.beta_at(0.999, 1) == pytest.approx(2 / 11)
    assert ema.beta_at(0.999, 1_500) == pytest.approx(1_501 / 1_510)
    assert ema.beta_at(0.999, 8_989) < 0.999 and ema.beta_at(0.999, 8_991) == 0.999
    assert ema.beta_at(0.5, 1) == 2 / 11 and ema.beta_at(0.5, 100) == 0.5  # a cap, never a raise


def test_a_run_averages_with_the_warm_up_decay_of_each_update():
    # theta_ema_t = b_t theta_ema_(t-1) + (1 - b_t) theta_t, b_t = beta_at(beta, t), from
    # theta_ema_0 = theta_0: after one update theta_0 keeps 2/11 of the average's weight, where
    # without the warm-up it would keep 0.999
    run = Run(RunConfig(width=16, depth=1, batch_size=32, n_fixed=16, grid_res=10, ema_g=0.999))
    want = [p.detach().double().clone() for p in run.G.parameters()]
    for t in range(1, 6):
        run.train(1)
        b = ema.beta_at(0.999, t)
        want = [b * w + (1 - b) * p.detach().double() for w, p in zip(
            want, run.G.parameters(), strict=True)]
    for w, got in zip(want, run.G_ema.parameters(), strict=True):
        torch.testing.assert_close(got.double(), w, rtol=1e-5, atol=1e-6)
