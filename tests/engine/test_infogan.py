"""An InfoGAN run (info_codes infogan): codes from their own stream, L_I in G's and D/Q's
updates with the live weight info_lambda, the refusals, the code grid, code-class agreement
in the record, and checkpoints that continue bit for bit."""
import numpy as np
import pytest
import torch

from playground import infogan
from playground.config import RunConfig
from playground.engine import streams, updates
from playground.engine.run import Run
from playground.losses import LOSSES
from playground.store import checkpoint

TINY = dict(dataset="mnist", arch="dcgan", latent_dim=8, width=8, batch_size=16, n_fixed=30,
            info_codes="infogan")
SPEC = infogan.INFO_CODES.get("infogan")


def _run(**kw) -> Run:
    return Run(RunConfig(**{**TINY, **kw}))


def test_codes_come_from_their_own_stream_uniform_and_leave_z_alone():
    a, b = _run(), _run()
    assert set(a.gens) == set(streams.CODED)
    c = a.sample_c(4000)
    assert c.shape == (4000, 12) and torch.equal(c, b.sample_c(4000))
    assert torch.equal(c[:, :10].sum(1), torch.ones(4000))  # one-hot categories
    share = np.bincount(infogan.category(c, SPEC).numpy(), minlength=10) / 4000
    assert share.min() > 0.08 and share.max() < 0.12  # uniform: 0.1 +- ~4 sigma (0.0047)
    cont = c[:, 10:]
    assert -1 <= cont.min() < -0.99 and 0.99 < cont.max() <= 1  # uniform on [-1, 1]
    assert abs(float(cont.mean())) < 0.03 and abs(float(cont.var()) - 1 / 3) < 0.02
    plain = Run(RunConfig(**{**TINY, "info_codes": "none"}))
    assert set(plain.gens) == set(streams.TRAINING) and plain.sample_c(3) is None
    assert torch.equal(a.sample_z(5), plain.sample_z(5))  # codes drawn apart from z


def test_info_loss_is_cross_entropy_plus_half_squared_error():
    codes = infogan.codes_of(torch.tensor([2, 0]), torch.tensor([[0.5, -1.0], [0.0, 1.0]]),
                             SPEC)
    q = torch.zeros(2, 12)
    q[0, 2] = 3.0  # logits: sample 0 leans to its category
    q[:, 10:] = torch.tensor([[0.5, 0.0], [1.0, 1.0]])  # means
    ce = (-torch.log_softmax(q[:, :10], 1)[[0, 1], [2, 0]]).mean()
    nll = (0.5 * (0 + 1.0) + 0.5 * (1.0 + 0)) / 2  # sum over codes of (c - mu)^2 / 2, mean
    torch.testing.assert_close(infogan.info_loss(q, codes, 10), ce + nll)
    perfect = torch.cat([codes[:, :10] * 50, codes[:, 10:]], 1)
    assert 0 <= float(infogan.info_loss(perfect, codes, 10)) < 1e-6


def test_d_step_adds_lambda_l_i_and_trains_q_with_d():
    """D's update is the gradient of d_loss + lambda L_I(Q(fake), c), by hand; Q's head
    moves with D's optimiser."""
    run = _run()
    D, loss = run.D, LOSSES.get("ns")
    real = run.data.sample(8, streams.generator(0, "data"))
    fake = torch.randn(8, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    codes = infogan.sample_codes(SPEC, 8, torch.Generator().manual_seed(2), torch.device("cpu"))
    scores = D(torch.cat([real, fake]))
    _, q = D.with_q(fake)
    total = loss.d_loss(real=scores[:8], fake=scores[8:]) + 0.7 * infogan.info_loss(q, codes, 10)
    expected = torch.autograd.grad(total, list(D.parameters()))
    before = [p.detach().clone() for p in D.parameters()]
    opt = torch.optim.SGD(D.parameters(), lr=1.0)
    updates.d_step(D, opt, loss, real, fake, weights={}, gen=torch.Generator().manual_seed(3),
                   info=updates.Info(codes, 10, 0.7))
    for b, p, e in zip(before, D.parameters(), expected, strict=True):
        torch.testing.assert_close(b - p.detach(), e, rtol=1e-4, atol=1e-7)
    assert any(float(e.abs().max()) > 0 for e in expected[-4:])  # Q's head has a gradient


def test_g_step_adds_lambda_l_i_for_g_only():
    run = _run()
    G, D, loss = run.G, run.D, LOSSES.get("ns")
    z = torch.randn(8, 8, generator=torch.Generator().manual_seed(1))
    codes = infogan.sample_codes(SPEC, 8, torch.Generator().manual_seed(2), torch.device("cpu"))
    fake = G(z, codes)
    scores, q = D.with_q(fake)
    total = loss.g_loss(fake=scores) + 2.0 * infogan.info_loss(q, codes, 10)
    expected = torch.autograd.grad(total, list(G.parameters()))
    d_before = [p.detach().clone() for p in D.parameters()]
    g_before = [p.detach().clone() for p in G.parameters()]
    opt = torch.optim.SGD(G.parameters(), lr=1.0)
    updates.g_step(G, D, opt, loss, G(z, codes), gen=torch.Generator().manual_seed(3),
                   info=updates.Info(codes, 10, 2.0))
    for b, p, e in zip(g_before, G.parameters(), expected, strict=True):
        torch.testing.assert_close(b - p.detach(), e, rtol=1e-4, atol=1e-7)
    assert all(torch.equal(b, p) for b, p in zip(d_before, D.parameters(), strict=True))


@pytest.mark.parametrize("arch", ["dcgan", "mlp_image"])
def test_an_infogan_run_trains_with_remedies_and_repeats_itself(arch):
    kw = dict(arch=arch, r1_gamma=1.0, ema_g=0.9, n_critic=2, spectral_norm=True)
    if arch == "mlp_image":
        kw.update(width=16, depth=2)
    runs = [_run(**kw) for _ in range(2)]
    for run in runs:
        run.train(3)
        assert run.status == "ok", run.reason
    for p, q in zip(runs[0].D.parameters(), runs[1].D.parameters(), strict=True):
        assert torch.equal(p, q)
    run = _run(arch=arch, loss="wgan_gp", gp_lambda=10.0, diffaug="translation",
               noise_std=0.1, **({"width": 16, "depth": 2} if arch == "mlp_image" else {}))
    run.train(3)
    assert run.status == "ok", run.reason


def test_info_lambda_is_live_and_changes_the_updates():
    """A new weight steps the same run on (no reset); lambda 0 trains G and D as a GAN
    whose Q learns nothing (its head gets no gradient)."""
    a, b = _run(), _run()
    assert not a.cfg.diff(a.cfg.replace(info_lambda=0.0)).reset
    a.update_config(a.cfg.replace(info_lambda=0.0))
    q0 = [p.detach().clone() for p in a.D.q.parameters()]
    a.train(2)
    b.train(2)
    assert a.step_count == 2 and a.events[0][1] == "info_lambda 1→0"
    assert all(torch.equal(p, q) for p, q in zip(q0, a.D.q.parameters(), strict=True))
    assert not all(torch.equal(p, q) for p, q in zip(a.G.parameters(), b.G.parameters(),
                                                       strict=True))
    assert _run().cfg.diff(RunConfig(**{**TINY, "info_codes": "none"})).reset == (
        "info_codes",)


@pytest.mark.parametrize("change, words", [
    ({"dataset": "ring", "arch": None}, "2D"), ({"cond": "projection"}, "labels"),
    ({"pack": 2}, "pack"), ({"unroll_steps": 1}, "unroll"), ({"info_codes": "tenfold"}, "valid"),
    ({"info_lambda": -1.0}, "info_lambda"), ({"info_sweep": 2}, "info_sweep")])
def test_refusals_name_the_reason(change, words):
    with pytest.raises(ValueError, match=words):
        RunConfig(**{**TINY, **change}).replace()


def test_the_picture_is_ten_code_rows_sweeping_one_code_at_one_z():
    run = _run(n_fixed=50)
    obs = run.observer
    assert torch.equal(obs.z_fixed, obs.z_fixed[:1].expand_as(obs.z_fixed))  # one z
    snap = run.snapshot()
    assert snap.fake.shape == (50, 28, 28) and snap.requested is None
    assert np.array_equal(snap.codes, np.arange(10).repeat(5))
    np.testing.assert_allclose(snap.sweep, [-2, -1, 0, 1, 2], atol=1e-6)
    cont = obs.c_fixed[:, 10:].view(10, 5, 2)
    assert torch.equal(cont[..., 1], torch.zeros(10, 5))  # the other code held at 0
    assert sorted(snap.code_digit.tolist()) == list(range(10))  # a one-to-one matching
    assert 0.0 <= snap.metrics["code_agreement"] <= 1.0
    assert 0.95 <= snap.reference["code_agreement"] <= 1.0  # the classifier's accuracy
    run.update_config(run.cfg.replace(info_sweep=1))  # a view field: new probes, same run
    assert run.step_count == 0 and torch.equal(obs.c_fixed[:, 10].view(10, 5), torch.zeros(10, 5))
    assert "code_agreement" not in Run(RunConfig(**{**TINY, "info_codes": "none"})
                                       ).snapshot().metrics


def test_samples_of_a_code_value_and_the_code_grid():
    run = _run()
    threes = run.samples(6, seed=1, label=3)
    assert threes.shape == (6, 28, 28)
    assert not np.array_equal(threes, run.samples(6, seed=1, label=4))
    grid = run.code_grid(seed=2, cols=4, sweep_code=1)
    assert grid.shape == (40, 28, 28) and np.array_equal(grid, run.code_grid(2, 4, 1))
    with pytest.raises(ValueError, match="no InfoGAN codes"):
        Run(RunConfig(**{**TINY, "info_codes": "none"})).code_grid()


def test_a_checkpoint_carries_q_the_code_stream_and_continues_bit_for_bit(tmp_path):
    run = _run(ema_g=0.9)
    run.train(2)
    checkpoint.save(run, tmp_path / "c.pt")
    back = checkpoint.load(tmp_path / "c.pt")
    assert back.cfg.info_codes == "infogan" and set(back.gens) == set(streams.CODED)
    assert np.array_equal(back.code_grid(0, 3), run.code_grid(0, 3))
    run.train(2)
    back.train(2)
    for p, q in zip([*run.G_shown.parameters(), *run.D.parameters()],
                    [*back.G_shown.parameters(), *back.D.parameters()], strict=True):
        assert torch.equal(p, q)


def test_cli_samples_the_code_grid_or_one_code_value_and_refuses_the_rest(tmp_path, capsys):
    from playground.cli import main
    from playground.figures import pictures
    info, plain = _run(), Run(RunConfig(**{**TINY, "info_codes": "none"}))
    checkpoint.save(info, tmp_path / "info.pt")
    checkpoint.save(plain, tmp_path / "plain.pt")
    assert main(["sample", "--checkpoint", str(tmp_path / "info.pt"), "--n", "40", "--seed",
                 "2", "--sweep", "1", "--out", str(tmp_path / "g")]) == 0
    assert "code grid (10 rows" in capsys.readouterr().out
    grid = info.code_grid(2, 4, 1)
    np.testing.assert_array_equal(np.load(tmp_path / "g" / "samples.npy"), grid)
    assert (tmp_path / "g" / "samples.png").read_bytes() == pictures.png(
        pictures.tile(grid, 4), scale=3)  # row k: code value k
    assert main(["sample", "--checkpoint", str(tmp_path / "info.pt"), "--n", "6", "--code",
                 "7", "--out", str(tmp_path / "c")]) == 0
    assert "6 samples of code value 7" in capsys.readouterr().out
    np.testing.assert_array_equal(np.load(tmp_path / "c" / "samples.npy"),
                                  info.samples(6, seed=0, label=7))
    for args, words in ((["--checkpoint", str(tmp_path / "plain.pt"), "--code", "3"],
                         "no InfoGAN codes"),
                        (["--checkpoint", str(tmp_path / "info.pt"), "--code", "10"], "0-9"),
                        (["--checkpoint", str(tmp_path / "info.pt"), "--label", "3"],
                         "use --code")):
        assert main(["sample", *args, "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err


def test_the_latent_explorer_opens_an_infogan_checkpoint_on_its_codes(tmp_path):
    from playground.latent.explorer import Explorer
    run = _run()
    checkpoint.save(run, tmp_path / "info.pt")
    ex = Explorer.from_file(tmp_path / "info.pt", "info.pt")
    assert (ex.info, ex.classes, ex.cont) == (True, 10, 2)
    assert ex.width == run.cfg.latent_dim + 12 and ex.net is ex.G.inner
