"""A conditional run (cond concat / projection): real (x, y) pairs from the data, fake labels
from its own seeded stream, R1 on the real labels, the grid of ten rows, label agreement, the
average of G and checkpoints."""
import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.engine import streams, updates
from playground.engine.run import Run
from playground.losses import LOSSES
from playground.store import checkpoint

TINY = dict(dataset="mnist", arch="dcgan", latent_dim=8, width=8, batch_size=16, n_fixed=30)


def _run(cond: str = "projection", **kw) -> Run:
    return Run(RunConfig(**TINY, cond=cond, **kw))


def test_real_labels_are_those_of_the_very_digits_drawn():
    run = _run()
    data = run.data
    g1, g2 = (streams.generator(3, "data") for _ in range(2))
    x, y = data.sample_labelled(64, g1)
    torch.testing.assert_close(x, data.sample(64, g2), rtol=0, atol=0)  # the same one draw
    idx = torch.randint(len(data), (64,), generator=streams.generator(3, "data"))
    assert np.array_equal(y.numpy(), data.labels[idx.numpy()])


def test_fake_labels_come_from_the_runs_own_stream_and_leave_z_alone():
    a, b = _run(), _run()
    assert set(a.gens) == set(streams.LABELLED)
    ya = a.sample_y(2000)
    assert torch.equal(ya, b.sample_y(2000))  # seeded: the same in every process
    share = np.bincount(ya.numpy(), minlength=10) / 2000
    assert share.min() > 0.07 and share.max() < 0.13  # uniform: 0.1 +- ~3.5 sigma
    unconditional = Run(RunConfig(**TINY))
    assert set(unconditional.gens) == set(streams.TRAINING)
    assert torch.equal(a.sample_z(5), unconditional.sample_z(5))  # labels drawn apart from z


@pytest.mark.parametrize("cond", ["concat", "projection"])
def test_a_conditional_run_trains_with_every_penalty_and_repeats_itself(cond):
    runs = [_run(cond, r1_gamma=1.0, ema_g=0.9, n_critic=2) for _ in range(2)]
    for run in runs:
        run.train(3)
        assert run.status == "ok", run.reason
    for p, q in zip(runs[0].G_shown.parameters(), runs[1].G_shown.parameters(), strict=True):
        assert torch.equal(p, q)
    run = _run(cond, gp_lambda=10.0, loss="wgan_gp", diffaug="translation", noise_std=0.1)
    run.train(3)
    assert run.status == "ok", run.reason


def test_r1_differentiates_d_at_the_real_digits_under_their_own_labels():
    run = _run(r1_gamma=1.0)
    D, loss = run.D, LOSSES.get("ns")
    real, y_real = run.data.sample_labelled(8, streams.generator(0, "data"))
    fake = torch.randn(8, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    y_fake = torch.arange(8) % 10
    # by hand: the NS D loss with each half's labels plus gamma/2 E||grad_x D(x, y_real)||^2
    x = real.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(D(x, y_real).sum(), x, create_graph=True)
    scores = D(torch.cat([real, fake]), torch.cat([y_real, y_fake]))
    total = loss.d_loss(real=scores[:8], fake=scores[8:]) + 0.5 * g.flatten(1).pow(2).sum(1).mean()
    expected = torch.autograd.grad(total, list(D.parameters()))
    before = [p.detach().clone() for p in D.parameters()]
    opt = torch.optim.SGD(D.parameters(), lr=1.0)
    updates.d_step(D, opt, loss, real, fake, weights={"r1_gamma": 1.0},
                   gen=torch.Generator().manual_seed(2), y_real=y_real, y_fake=y_fake)
    for b, p, e in zip(before, D.parameters(), expected, strict=True):
        torch.testing.assert_close(b - p.detach(), e, rtol=1e-4, atol=1e-6)


def test_the_grid_is_ten_rows_one_class_each_with_one_z_per_column():
    run = _run()
    obs = run.observer
    assert torch.equal(obs.y_fixed, torch.arange(10).repeat_interleave(3))  # n_fixed 30
    rows = obs.z_fixed.view(10, 3, -1)
    assert all(torch.equal(rows[k], rows[0]) for k in range(10))
    snap = run.snapshot()
    assert snap.fake.shape == (30, 28, 28)
    assert np.array_equal(snap.requested, np.arange(10).repeat(3))
    assert 0.0 <= snap.metrics["label_agreement"] <= 1.0
    ref = snap.reference["label_agreement"]  # the classifier's accuracy on 300 test digits
    assert 0.95 <= ref <= 1.0
    assert "label_agreement" not in Run(RunConfig(**TINY)).snapshot().metrics


def test_samples_of_a_class_and_the_refusal_for_an_unconditional_run():
    run = _run()
    sevens = run.samples(5, seed=1, label=7)
    assert sevens.shape == (5, 28, 28)
    assert not np.array_equal(sevens, run.samples(5, seed=1, label=3))
    with pytest.raises(ValueError, match="unconditional"):
        Run(RunConfig(**TINY)).samples(5, seed=1, label=7)


def test_a_checkpoint_carries_the_labels_stream_and_the_average_of_g(tmp_path):
    run = _run("concat", ema_g=0.9)
    run.train(2)
    checkpoint.save(run, tmp_path / "c.pt")
    back = checkpoint.load(tmp_path / "c.pt")
    assert back.cfg.cond == "concat"
    assert np.array_equal(back.samples(4, seed=0, label=2), run.samples(4, seed=0, label=2))
    run.train(2)
    back.train(2)
    for p, q in zip(run.G_shown.parameters(), back.G_shown.parameters(), strict=True):
        assert torch.equal(p, q)


def test_cli_samples_a_class_and_refuses_a_label_for_an_unconditional_run(tmp_path, capsys):
    from playground.cli import main
    cond, plain = _run(), Run(RunConfig(**TINY))
    checkpoint.save(cond, tmp_path / "cond.pt")
    checkpoint.save(plain, tmp_path / "plain.pt")
    assert main(["sample", "--checkpoint", str(tmp_path / "cond.pt"), "--n", "6", "--label",
                 "7", "--seed", "2", "--out", str(tmp_path / "s")]) == 0
    assert "6 samples of class 7" in capsys.readouterr().out
    np.testing.assert_array_equal(np.load(tmp_path / "s" / "samples.npy"),
                                  cond.samples(6, seed=2, label=7))
    assert main(["sample", "--checkpoint", str(tmp_path / "cond.pt"), "--n", "20",
                 "--out", str(tmp_path / "all")]) == 0  # classes 0-9 in turn: a column each
    from playground.figures import pictures
    assert (tmp_path / "all" / "samples.png").read_bytes() == pictures.png(
        pictures.tile(cond.samples(20, seed=0), 10), scale=3)
    capsys.readouterr()
    assert main(["sample", "--checkpoint", str(tmp_path / "plain.pt"), "--label", "7",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "unconditional" in err and "Traceback" not in err
    assert main(["sample", "--checkpoint", str(tmp_path / "cond.pt"), "--label", "12",
                 "--out", str(tmp_path / "o")]) == 2
    assert "0-9" in capsys.readouterr().err


def test_cli_same_z_every_class_draws_ten_rows_of_the_same_z(tmp_path, capsys):
    """`latent same-z-every-class`: row k is the same z (of --batch-seed) under class k, the
    classifier's reading of each tile and the share read as its row's class go to JSON; an
    unconditional generator is refused in one line."""
    import json

    from playground.cli import main
    from playground.latent import explorer
    from playground.metrics import images as image_metrics
    cond = _run()
    cond.train(3)
    checkpoint.save(cond, tmp_path / "cond.pt")
    assert main(["latent", "same-z-every-class", "--checkpoint", str(tmp_path / "cond.pt"),
                 "--columns", "5", "--batch-seed", "4", "--out", str(tmp_path / "l")]) == 0
    assert "10 rows x 5 z" in capsys.readouterr().out
    out = json.loads((tmp_path / "l" / "same-z-every-class.json").read_text())
    rows = np.stack([cond.samples(5, seed=4, label=k) for k in range(10)])
    log_p, _ = image_metrics.read(torch.as_tensor(rows.reshape(-1, 1, 28, 28)),
                                  explorer.classifier("cpu"))
    read = log_p.argmax(1).reshape(10, 5)
    assert out["labels"] == read.tolist()
    assert out["label_agreement"] == round(float((read == np.arange(10)[:, None]).mean()), 4)
    from playground.figures import pictures
    assert (tmp_path / "l" / "same-z-every-class.png").read_bytes() == pictures.png(
        pictures.tile(rows.reshape(-1, 28, 28), 5), scale=3)  # the very tiles, row k class k
    assert main(["latent", "same-z-every-class", "--checkpoint", "shipped:dcgan_mnist",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "class-conditional" in err and "Traceback" not in err
    assert main(["latent", "same-z-every-class", "--checkpoint", str(tmp_path / "cond.pt"),
                 "--columns", "0", "--out", str(tmp_path / "o")]) == 2


def test_cli_latent_paths_on_a_conditional_generator(tmp_path, capsys):
    """interpolate, grid, walk and sweep walk [z, label] points (a path between two classes
    mixes their labels, a sweep moves z only); arithmetic is refused in one line."""
    import json

    from playground.cli import main
    cond = _run()
    cond.train(3)
    checkpoint.save(cond, tmp_path / "cond.pt")
    for mode, extra in (("interpolate", ["--a", "3", "--b", "8"]), ("grid", []),
                        ("walk", []), ("sweep", ["--coordinate", "2"]), ("sweep", [])):
        assert main(["latent", mode, "--checkpoint", str(tmp_path / "cond.pt"), "--steps", "4",
                     "--out", str(tmp_path / mode), *extra]) == 0, capsys.readouterr().err
        out = json.loads((tmp_path / mode / f"{mode}.json").read_text())
        assert len(out["labels"]) == 16 if mode == "grid" else len(out["labels"]) >= 4
    norms = json.loads((tmp_path / "interpolate" / "interpolate.json").read_text())["norms"]
    assert len(norms) == 4 and all(n > 1 for n in norms)  # |z| alone: 64-D, near 8
    assert main(["latent", "arithmetic", "--checkpoint", str(tmp_path / "cond.pt"),
                 "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "same-z-every-class" in err and "Traceback" not in err
