"""Latent-space operations: closed-form properties of the paths, arithmetic, directions and
the image statistics; the explorer and the CLI on the shipped DCGAN."""
import json

import numpy as np
import pytest

from playground import explorer, latent
from playground.cli import main

RNG = np.random.default_rng(0)
A, B = RNG.standard_normal(64).astype(np.float32), RNG.standard_normal(64).astype(np.float32)


@pytest.mark.parametrize("kind", ["lerp", "slerp"])
def test_paths_hit_their_endpoints_exactly(kind):
    z = latent.path(A, B, 7, kind)
    assert z.shape == (7, 64)
    np.testing.assert_allclose(z[0], A, atol=1e-6)
    np.testing.assert_allclose(z[-1], B, atol=1e-6)


def test_lerp_midpoint_is_the_mean():
    np.testing.assert_allclose(latent.path(A, B, 3, "lerp")[1], (A + B) / 2, atol=1e-6)


def test_slerp_keeps_the_norm_of_equal_norm_endpoints_where_lerp_sags():
    b = B / np.linalg.norm(B) * np.linalg.norm(A)
    s = np.linalg.norm(latent.path(A, b, 11, "slerp"), axis=1)
    np.testing.assert_allclose(s, np.linalg.norm(A), rtol=1e-5)
    mid = np.linalg.norm(latent.path(A, b, 11, "lerp")[5])
    assert mid < 0.8 * np.linalg.norm(A)  # nearly orthogonal endpoints: the line dips inside
    np.testing.assert_allclose(latent.slerp(A, A, np.array([0.5]))[0], A, atol=1e-5)  # parallel


def test_grid_walk_and_sweep_shapes_and_corners():
    corners = RNG.standard_normal((4, 8)).astype(np.float32)
    g = latent.grid(corners, 5, "lerp")
    assert g.shape == (5, 5, 8)
    for (i, j), c in zip([(0, 0), (0, 4), (4, 0), (4, 4)], corners, strict=True):
        np.testing.assert_allclose(g[i, j], c, atol=1e-5)
    w = latent.walk(corners, 4)
    assert len(w) == 3 * 3 + 1
    np.testing.assert_allclose(w[3], corners[1], atol=1e-5)  # passes through every point
    s = latent.sweep(A, latent.unit(2, 64), np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_allclose(s[:, 2] - A[2], [-1, 0, 2], atol=1e-6)
    assert np.array_equal(np.delete(s, 2, axis=1), np.tile(np.delete(A, 2), (3, 1)))


def test_arithmetic_on_identical_groups_returns_c():
    group = RNG.standard_normal((3, 16)).astype(np.float32)
    c = RNG.standard_normal((3, 16)).astype(np.float32)
    np.testing.assert_allclose(latent.arithmetic(group, group, c), c.mean(0), atol=1e-6)
    n = latent.neighbours(c[0], 5, 0.1, 0)
    assert n.shape == (5, 16) and np.array_equal(n[0], c[0])
    assert 0 < np.abs(n[1:] - c[0]).max() < 1.0


def test_class_means_and_directions():
    z = np.array([[0, 0], [2, 0], [0, 4], [0, 6]], np.float32)
    means = latent.class_means(z, np.array([1, 1, 3, 3]), 4)
    np.testing.assert_allclose(means[1], [1, 0]) and np.testing.assert_allclose(means[3], [0, 5])
    assert np.isnan(means[0]).all()
    d = latent.direction(z, np.array([0.0, 1.0, 2.0, 3.0]), frac=0.25)
    np.testing.assert_allclose(d, z[3] - z[0])


def test_stroke_mass_and_slant_by_image_moments():
    thin, thick = np.zeros((28, 28), np.uint8), np.zeros((28, 28), np.uint8)
    thin[4:24, 14] = 255
    thick[4:24, 12:17] = 255
    assert latent.stroke_mass(np.stack([thick]))[0] == pytest.approx(5 * thin.mean() / 255)
    lean = np.zeros((28, 28), np.uint8)
    for y in range(4, 24):
        lean[y, 20 - (y - 4) // 2] = 255  # top to the right: a / stroke
    s = latent.slant(np.stack([thin, lean]))
    assert abs(s[0]) < 1e-9 and s[1] == pytest.approx(0.5, abs=0.05)


@pytest.fixture(scope="module")
def shipped():
    return explorer.Explorer.shipped()


def test_an_interpolation_between_two_digits_passes_through_both_labels(shipped):
    batch = shipped.sample(32, 0)
    a, b = next((i, j) for i in range(32) for j in range(32)
                if batch.labels[i] != batch.labels[j] and min(batch.confidence[[i, j]]) > 0.9)
    path = shipped.decode(latent.path(batch.z[a], batch.z[b], 12, "slerp"))
    assert path.labels[0] == batch.labels[a] and path.labels[-1] == batch.labels[b]
    assert len(set(path.labels.tolist())) >= 2


@pytest.mark.parametrize("preset", explorer.ARITHMETIC.ids())
def test_arithmetic_presets_give_the_promised_digit(shipped, preset):
    p = explorer.ARITHMETIC.get(preset)
    sample = shipped.sample(explorer.PRESET_SAMPLE, explorer.PRESET_SEED)
    groups = explorer.preset_groups(sample, p)
    result = latent.arithmetic(*(sample.z[g] for g in groups))
    around = shipped.decode(latent.neighbours(result, 8, 0.25, 0))
    assert (around.labels == p.expect).sum() >= 6  # most neighbours read as promised
    attribute = explorer.ATTRIBUTES[p.attribute]
    c = shipped.decode(sample.z[groups[2]])
    assert attribute(around).mean() > attribute(c).mean()  # A's attribute carried over


def test_nearest_training_digit_of_a_real_digit_is_itself(shipped):
    from playground import mnist
    digit = mnist.load_shipped().images[123]
    found = shipped.nearest(digit, k=2)
    for _, (images, _, dist) in found.items():
        assert np.array_equal(images[0], digit) and dist[0] == pytest.approx(0, abs=1e-3)


def test_cli_latent_writes_strips(tmp_path):
    assert main(["latent", "interpolate", "--a", "0", "--b", "5", "--steps", "6",
                 "--out", str(tmp_path)]) == 0
    labels = json.loads((tmp_path / "interpolate.json").read_text())
    assert len(labels["labels"]) == 6 and len(labels["norms"]) == 6
    assert (tmp_path / "interpolate.gif").read_bytes()[:6] == b"GIF89a"
    assert main(["latent", "arithmetic", "--preset", "thick_7", "--out", str(tmp_path)]) == 0
    assert main(["latent", "sweep", "--coordinate", "999", "--out", str(tmp_path)]) == 2
