"""The toy mixtures: exact benchmark centres, per-mode spread, bounds, and the registry."""
import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.data import datasets, mnist

CPU = torch.device("cpu")


def _sample(cfg, n=20_000, points=None):
    dist = datasets.build(cfg, CPU, points)
    return dist, dist.sample(n, torch.Generator().manual_seed(0)).numpy()


def test_ring_has_eight_distinct_modes_at_radius_one():
    c = datasets.ring_centres(8, 1.0)
    assert len(np.unique(np.round(c, 9), axis=0)) == 8  # linspace(0, 2pi, 8) would give 7
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 1.0)
    np.testing.assert_allclose(c[2], [0.0, 1.0], atol=1e-12)  # 2*pi*2/8 = pi/2


def test_grid_centres_are_the_pacgan_lattice():
    c = datasets.grid_centres(25)
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(p) for p in c.astype(int).tolist()} == expected


@pytest.mark.parametrize("name,std", [("ring", 0.01), ("grid", 0.05)])
def test_benchmark_defaults_and_per_mode_spread(name, std):
    dist, x = _sample(RunConfig(dataset=name))
    assert dist.truth.std == std
    d = x[:, None, :] - dist.truth.centres[None]
    nearest = np.linalg.norm(d, axis=2).argmin(1)
    resid = x - dist.truth.centres[nearest]
    assert resid.std() == pytest.approx(std, rel=0.03)
    counts = np.bincount(nearest, minlength=len(dist.truth.centres))
    assert counts.min() > 0.8 * counts.mean()  # modes drawn uniformly


def test_parameters_apply_where_meaningful():
    dist, x = _sample(RunConfig(dataset="ring", n_modes=5, radius=2.0, std=0.05))
    assert len(dist.truth.centres) == 5
    assert np.linalg.norm(x, axis=1).mean() == pytest.approx(2.0, rel=0.01)
    g, _ = _sample(RunConfig(dataset="grid", n_modes=9))
    assert len(g.truth.centres) == 9
    with pytest.raises(ValueError, match="square"):
        RunConfig().replace(dataset="grid", n_modes=10)


@pytest.mark.parametrize("name", ["ring", "grid", "spiral", "moons", "gaussian"])
def test_samples_fall_inside_the_plot_bounds(name):
    dist, x = _sample(RunConfig(dataset=name))
    xmin, xmax, ymin, ymax = dist.bounds
    inside = (x[:, 0] > xmin) & (x[:, 0] < xmax) & (x[:, 1] > ymin) & (x[:, 1] < ymax)
    assert inside.mean() > 0.999


def test_curves_have_no_mode_truth_and_gaussian_has_one():
    assert datasets.build(RunConfig(dataset="spiral"), CPU).truth is None
    assert datasets.build(RunConfig(dataset="moons"), CPU).truth is None
    assert len(datasets.build(RunConfig(dataset="gaussian"), CPU).truth.centres) == 1


def test_custom_samples_only_the_uploaded_points():
    pts = np.array([[0, 0], [1, 1], [2, 0]] * 4, dtype=np.float32)
    _, x = _sample(RunConfig(dataset="custom", standardise=False), points=pts, n=500)
    assert {tuple(p) for p in x.tolist()} == {(0, 0), (1, 1), (2, 0)}
    with pytest.raises(ValueError, match="uploaded points"):
        datasets.build(RunConfig(dataset="custom"), CPU)


def test_sampling_is_reproducible():
    dist = datasets.build(RunConfig(), CPU)
    a = dist.sample(100, torch.Generator().manual_seed(3))
    b = dist.sample(100, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_unknown_dataset_names_the_valid_ones():
    with pytest.raises(ValueError, match="valid: ring, grid"):
        RunConfig().replace(dataset="circle")


def test_custom_points_far_from_the_origin_are_standardised_and_shown_in_their_units():
    rng = np.random.default_rng(0)
    pts = (5000 + 3 * rng.standard_normal((400, 2))).astype(np.float32)
    dist = datasets.build(RunConfig(dataset="custom"), CPU, pts)
    x = dist.sample(4000, torch.Generator().manual_seed(0)).numpy().astype(np.float64)
    assert np.abs(x.mean(0)).max() < 0.1  # centred...
    assert np.sqrt((x**2).mean()) == pytest.approx(1.0, abs=0.05)  # ...with unit RMS
    d = dist.display  # and mapped back exactly
    back = np.asarray(d.offset) + d.scale * x
    assert np.abs(back.mean(0) - pts.mean(0)).max() < 0.5 and 2.0 < d.scale < 4.5
    raw = datasets.build(RunConfig(dataset="custom", standardise=False), CPU, pts)
    assert raw.display.identity and raw.bounds[0] > 4900  # off: the raw coordinates


def _rows(images) -> set[bytes]:
    return {x.tobytes() for x in np.asarray(images, dtype=np.uint8)}


@pytest.mark.parametrize("n", [60_000, 100])
def test_gans_train_on_the_training_split_only(n):
    """The test digits are the Frechet reference and the real floor: no image a run is handed
    equals a reference image, by pixels (a memorising G could otherwise beat the floor)."""
    digits = datasets.digits_of("mnist")
    dist = datasets.build(RunConfig(dataset="mnist", train_digits=n), torch.device("cpu"))
    train, train_labels = digits.training(n)
    assert len(dist) == len(train) == n and dist.pixels.dtype == torch.uint8
    held = _rows(digits.split(held_out=True)[0])
    assert len(held) == 10_000 and not held & _rows(dist.pixels.squeeze(1).numpy())
    drawn = dist.sample(5 * n if n < 60_000 else 20_000, torch.Generator().manual_seed(0))
    grey = ((drawn.squeeze(1) + 1) * 127.5).round().to(torch.uint8).numpy()
    seen = _rows(grey)
    assert not seen & held and seen <= _rows(train)
    if n == 100:  # each index drawn ~5 times: coupon collector
        assert len(seen) == pytest.approx(100 * (1 - np.exp(-5)), abs=3)
    np.testing.assert_array_equal(dist.labels, train_labels)


def test_image_batches_match_to_tensor_bit_for_bit():
    """uint8 kept, scaled per batch: the same float32 values as scaling the whole set."""
    dist = datasets.build(RunConfig(dataset="mnist", train_digits=500), torch.device("cpu"))
    idx = torch.arange(0, 500, 7)
    expected = mnist.to_tensor(dist.pixels.squeeze(1).numpy()[idx.numpy()])
    assert torch.equal(dist.take(idx), expected)


def test_training_arrays_are_shared_between_runs():
    """One uint8 copy per process and size: a second run holds no new digit array."""
    a = datasets.build(RunConfig(dataset="mnist", train_digits=5000), torch.device("cpu"))
    b = datasets.build(RunConfig(dataset="mnist", train_digits=5000), torch.device("cpu"))
    assert a.pixels.data_ptr() == b.pixels.data_ptr()
    assert len(datasets.build(RunConfig(dataset="mnist"), torch.device("cpu"))) == 60_000
