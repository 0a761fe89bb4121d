"""The engine on images: every loss and remedy runs on both image architectures, observing
never changes training (batch norm in G), the image observer's pictures and metrics, and the
CLI's train / sample on MNIST."""
import json

import numpy as np
import pytest
import torch

from playground.cli import main
from playground.config import RunConfig
from playground.engine.observers import images as images_observer
from playground.engine.run import Run
from playground.losses import LOSSES
from playground.metrics import images as image_metrics
from playground.presets import config_for, ids_for
from playground.store import checkpoint

TINY = dict(dataset="mnist", latent_dim=8, width=8, depth=1, batch_size=16, n_fixed=16)
REMEDIES = {"spectral_norm": {"spectral_norm": True}, "noise": {"noise_std": 0.2},
            "gp": {"gp_lambda": 10.0}, "r1": {"r1_gamma": 1.0}, "clip": {"clip_c": 0.01},
            "n_critic": {"n_critic": 2}, "ttur": {"lr_d": 4e-4, "lr_g": 1e-4},
            "rmsprop": {"opt_d": "rmsprop", "opt_g": "rmsprop"}, "sgd": {"opt_d": "sgd"},
            "unrolled": {"unroll_steps": 1}}


def _params(m):
    return [p.detach().clone() for p in m.parameters()]


@pytest.mark.parametrize("arch", ["dcgan", "mlp_image"])
@pytest.mark.parametrize("loss", LOSSES.ids())
def test_every_loss_trains_on_images(arch, loss):
    width = 16 if arch == "mlp_image" else 8
    run = Run(RunConfig(**{**TINY, "width": width}, arch=arch).replace(loss=loss))
    run.train(3)
    assert run.status == "ok", run.reason
    assert np.isfinite(run.history["d_loss"]).all() and np.isfinite(run.history["g_loss"]).all()


@pytest.mark.parametrize("arch", ["dcgan", "mlp_image"])
@pytest.mark.parametrize("remedy", REMEDIES)
def test_every_remedy_trains_on_images(arch, remedy):
    width = 16 if arch == "mlp_image" else 8
    run = Run(RunConfig(**{**TINY, "width": width}, arch=arch, **REMEDIES[remedy]))
    run.train(3)
    assert run.status == "ok", run.reason


@pytest.mark.parametrize("preset", ids_for("image"))
def test_every_image_preset_trains_without_nan(preset):
    run = Run(config_for(preset, batch_size=16, n_fixed=16))
    run.train(5)
    assert run.status == "ok", run.reason
    snap = run.snapshot()
    assert snap.fake.dtype == np.uint8 and np.isfinite(snap.d_fake).all()


def test_observing_a_batch_norm_generator_changes_nothing():
    """G's batch norm in train mode would update its running statistics on every observed
    batch (and draw a frame from the batch's own statistics): observing is in eval mode."""
    cfg = RunConfig(**TINY, arch="dcgan", spectral_norm=True)
    a, b = Run(cfg), Run(cfg)
    a.train(4), b.train(4)
    a.snapshot(), a.evaluate(), a.samples(20)
    a.train(4), b.train(4)
    for x, y in zip([*a.G.state_dict().values(), *a.D.state_dict().values()],
                    [*b.G.state_dict().values(), *b.D.state_dict().values()], strict=True):
        assert torch.equal(x, y)


def test_the_image_snapshot_shows_a_fixed_grid_with_labels_and_scores():
    run = Run(RunConfig(**TINY, arch="dcgan"))
    first = run.snapshot()
    again = run.snapshot()
    assert first.fake.shape == (16, 28, 28) and first.fake.dtype == np.uint8
    np.testing.assert_array_equal(first.fake, again.fake)  # fixed z: the same digits
    assert first.labels.shape == (16,) and 0 <= first.confidence.min() <= 1
    assert first.d_fake.shape == (16,) and first.real.shape[1:] == (28, 28)
    assert set(first.metrics) >= {"classes", "class_kl", "confidence", "score", "fd"}
    assert first.histogram.sum() == pytest.approx(1.0)
    assert first.reference["classes"] == 10 and first.reference["fd"] < 60  # real digits


def test_cli_trains_on_mnist_and_samples_a_checkpoint(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--preset", "ns", "--dataset", "mnist", "--steps", "5",
                 "--set", "arch=dcgan", "--set", "width=8", "--set", "latent_dim=8",
                 "--set", "batch_size=16", "--out", str(out)]) == 0
    samples = np.load(out / "samples.npy")  # the 2,000 fakes `final` scored
    assert samples.shape == (2000, 28, 28) and samples.min() >= -1 and samples.max() <= 1
    report = json.loads((out / "metrics.json").read_text())
    final = report["final"]
    assert {"classes", "class_kl", "confidence", "score", "fd"} <= set(final)
    assert report["evaluation"]["samples"] == "samples.npy" and not (out / "real.npy").exists()
    ref = images_observer.reference("mnist", "cpu")  # the held-out reference, not a file
    again = image_metrics.evaluate(torch.from_numpy(samples)[:, None], ref.classifier,
                                   ref.stats)
    for key, value in again.as_dict().items():
        assert final[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
    assert main(["sample", "--checkpoint", str(out / "checkpoint.pt"), "--n", "12",
                 "--seed", "3", "--out", str(tmp_path / "s")]) == 0
    drawn = np.load(tmp_path / "s" / "samples.npy")
    assert drawn.shape == (12, 28, 28)
    assert (tmp_path / "s" / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = checkpoint.load(out / "checkpoint.pt").samples(12, seed=3)
    np.testing.assert_array_equal(drawn, again)  # seeded: the same digits every time


def test_cli_sample_refuses_a_bad_checkpoint(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"garbage")
    assert main(["sample", "--checkpoint", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "not a readable checkpoint" in capsys.readouterr().err


def test_real_values_come_from_test_digits_only():
    """The real digits scored beside a run (300 live, 2,000 protocol) are test digits outside
    the reference half; a set with too few test digits is refused, never topped up with
    training digits."""
    from playground.data import datasets, mnist
    digits = datasets.digits_of("mnist")
    test = {x.tobytes() for x in digits.split(held_out=True)[0]}
    real = images_observer._real_labelled(digits, images_observer.PROTOCOL_N)[0]
    assert real.shape == (2000, 28, 28) and {x.tobytes() for x in real} <= test
    tiny = mnist.Digits(digits.images[:40], digits.labels[:40], np.arange(40) >= 30, "tiny")
    with pytest.raises(ValueError, match="tiny: 10 held-out digits; the image metrics need 600"):
        images_observer._real_labelled(tiny, images_observer.LIVE_N)
