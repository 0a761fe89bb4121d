"""A class-conditional generator in the latent explorer (issue 22): its points are [z, label],
the class views hold z and change the label, style transfer finds a z for a real digit."""
import numpy as np
import pytest
import torch

from playground.conditioning import one_hot
from playground.engine.run import Run
from playground.latent import classes, explorer
from playground.latent import ops as latent
from playground.presets import config_for


@pytest.fixture(scope="module")
def ex():
    torch.manual_seed(0)
    run = Run(config_for("cgan_projection", width=8, latent_dim=8, batch_size=16, n_fixed=20),
              device=torch.device("cpu"))
    run.train(3)
    return explorer.Explorer.from_run(run, "a conditional run")


@pytest.fixture(scope="module")
def plain():
    run = Run(config_for("dcgan", width=8, latent_dim=8, batch_size=16, n_fixed=16),
              device=torch.device("cpu"))
    return explorer.Explorer.from_run(run, "an unconditional run")


def test_points_carry_a_one_hot_label_classes_in_turn(ex, plain):
    assert (ex.classes, ex.width, plain.classes, plain.width) == (10, 18, 0, 8)
    z = ex.z_batch(23, 5)
    assert z.shape == (23, 18)
    assert np.array_equal(z[:, :8], plain.z_batch(23, 5))  # the same z either way
    assert np.array_equal(z[:, 8:], np.eye(10, dtype=np.float32)[np.arange(23) % 10])
    assert np.array_equal(ex.asked(z), np.arange(23) % 10)
    assert plain.asked(plain.z_batch(3, 0)) is None


def test_every_class_is_g_of_the_same_z_under_each_label(ex):
    z = ex.z_batch(3, 1)
    grid = classes.every_class(ex, z)
    assert grid.images.shape == (30, 28, 28)
    zz = torch.as_tensor(np.tile(z[:, :8], (10, 1)))
    y = torch.as_tensor(np.repeat(np.arange(10), 3))
    with torch.no_grad():
        x = ex.G(zz, y)  # the wrapped G(z, y), as training calls it
    want = ((x.clamp(-1, 1) + 1) * 127.5).round().squeeze(1).to(torch.uint8).numpy()
    assert np.array_equal(grid.images, want)
    assert one_hot(y, x).shape == (30, 10)
    # agreement counts a tile as right only under its own row's class
    assert classes.agreement(grid, 3) == pytest.approx(
        float((grid.labels == np.repeat(np.arange(10), 3)).mean()))


def test_between_classes_keeps_z_and_mixes_the_labels(ex):
    p = ex.z_batch(4, 2)[1]
    path = classes.between(ex, p, 3, 8, 5)
    assert path.shape == (5, 18)
    assert np.array_equal(path[:, :8], np.repeat(p[None, :8], 5, 0))
    assert np.allclose(path[:, 8:].sum(1), 1.0)
    assert np.array_equal(path[0, 8:], np.eye(10)[3]) and np.array_equal(path[-1, 8:],
                                                                          np.eye(10)[8])
    assert path[2, 8 + 3] == pytest.approx(0.5) and path[2, 8 + 8] == pytest.approx(0.5)
    for bad in ((10, 8, 5), (3, -1, 5), (3, 8, 1)):
        with pytest.raises(ValueError):
            classes.between(ex, p, *bad)


def test_paths_slerp_z_and_go_straight_on_the_label(ex):
    a, b = ex.z_batch(2, 3)
    a = ex.with_labels(a[None], np.array([2]))[0]
    b = ex.with_labels(b[None], np.array([6]))[0]
    path = latent.path(a, b, 7, "slerp", ex.classes)
    assert np.allclose(path[:, :8], latent.path(a[:8], b[:8], 7, "slerp"))
    assert np.allclose(path[:, 8:], latent.path(a[8:], b[8:], 7, "lerp"))
    assert np.allclose(path[:, 8:].sum(1), 1.0)  # slerp's weights would sum to up to sqrt(2)
    assert not np.allclose(latent.path(a, b, 7, "slerp")[:, 8:].sum(1), 1.0)
    grid = latent.grid(np.stack([a, b, b, a]), 3, "slerp", ex.classes)
    assert np.allclose(grid[..., 8:].sum(-1), 1.0)


@pytest.fixture(scope="module")
def rough():
    """A conditional G with seeded random weights (std 0.3): its drawing moves with z from the
    start, and no training trajectory (chaotic, machine-dependent) decides what it draws."""
    run = Run(config_for("cgan_projection", width=8, latent_dim=8, batch_size=16, n_fixed=20),
              device=torch.device("cpu"))
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in run.G.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
    return explorer.Explorer.from_run(run, "a random conditional G")


def test_style_transfer_finds_a_z_closer_than_random_ones(rough):
    """Digits G itself drew from known z: each fit ends closer than the best of its random
    starts, by 0.72 of it on average over these eight (0.49-0.96 each, measured)."""
    ratios = []
    for seed in range(1, 9):
        image = rough.decode(rough.with_labels(rough.z_batch(1, 9 + seed), np.array([4]))).images[0]
        fit = classes.fit(rough, image, 4, seed=seed, steps=100, starts=4)
        assert fit.point.shape == (18,) and np.array_equal(fit.point[8:], np.eye(10)[4])
        assert fit.start_error > 0.005  # the random starts were really off
        assert 0 <= fit.error < fit.start_error
        ratios.append(fit.error / fit.start_error)
    assert np.mean(ratios) < 0.85


def test_refusals_are_clear(ex, plain):
    with pytest.raises(ValueError, match="unconditional generator"):
        classes.every_class(plain, plain.z_batch(2, 0))
    with pytest.raises(ValueError, match="label must be a digit"):
        classes.fit(ex, np.zeros((28, 28), np.uint8), 11)
    with pytest.raises(ValueError, match="test digit index"):
        classes.held_out_digit(10_000)
    image, label = classes.held_out_digit(0)
    assert image.shape == (28, 28) and image.dtype == np.uint8 and 0 <= label <= 9
