"""Latent-space operations: closed-form properties of the paths, arithmetic, directions and
the image statistics; the explorer and the CLI on the shipped DCGAN."""
import json

import numpy as np
import pytest

from playground.cli import main
from playground.latent import explorer
from playground.latent import ops as latent

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


@pytest.mark.parametrize("degrees", [10, 60, 90, 135, 170])
def test_slerp_keeps_the_norm_of_equal_norm_endpoints_exactly(degrees):
    """|p(t)| = r for |a| = |b| = r at any angle: sin^2((1-t)w) + sin^2(tw)
    + 2 sin((1-t)w) sin(tw) cos w = sin^2 w."""
    u = A / np.linalg.norm(A)
    v = B - (B @ u) * u
    v /= np.linalg.norm(v)
    w = np.deg2rad(degrees)
    b = 3.0 * (np.cos(w) * u + np.sin(w) * v)
    s = np.linalg.norm(latent.path(3.0 * u, b, 11, "slerp"), axis=1)
    np.testing.assert_allclose(s, 3.0, rtol=1e-5)
    np.testing.assert_allclose(latent.slerp(A, A, np.array([0.5]))[0], A, atol=1e-5)  # parallel


def test_slerp_leaves_unequal_norms_behind_near_opposite_endpoints():
    """B8: 'slerp keeps |z| between the endpoints' norms' is false in general: norms 1 and 2 at
    170 degrees peak at 6.08 (closed form of the path's norm; 11 points sample it)."""
    a = np.array([1.0, 0.0])
    w = np.deg2rad(170)
    b = 2 * np.array([np.cos(w), np.sin(w)])
    peak = np.linalg.norm(latent.path(a, b, 11, "slerp"), axis=1).max()
    assert peak == pytest.approx(6.08, abs=0.01)


def test_norm_stats_are_what_slerp_and_lerp_do():
    """The closed form in norm_stats against the paths themselves, pair by pair."""
    n = latent.norm_stats(16, pairs=50, seed=3)
    a, b = np.random.default_rng(3).standard_normal((2, 50, 16))
    mids, low, high = [], np.inf, 0.0
    for x, y in zip(a, b, strict=True):
        nx, ny = np.linalg.norm(x), np.linalg.norm(y)
        mids.append(np.linalg.norm(latent.path(x, y, 3, "lerp")[1]) / np.sqrt((nx**2 + ny**2) / 2))
        s = np.linalg.norm(latent.path(x, y, 21, "slerp").astype(np.float64), axis=1)
        low, high = min(low, s.min() / min(nx, ny)), max(high, s.max() / max(nx, ny))
    assert n.lerp_mid == pytest.approx(np.mean(mids), rel=1e-5)
    assert n.lerp_mid_range == pytest.approx((min(mids), max(mids)), rel=1e-5)
    assert (n.slerp_low, n.slerp_high) == pytest.approx((low, high), rel=1e-5)


def test_gaussian_endpoints_in_64d_lerp_sags_by_one_over_root_two_slerp_stays():
    """B8's true statements, for the shipped DCGAN's 64-D z (2,000 pairs, seed 0). Measured:
    lerp's midpoint 0.7069 of the endpoints' RMS norm (theory 1/sqrt 2 = 0.7071), 0.55-0.83
    pair by pair; slerp within [0.9943 min, 1.0061 max] of the endpoints' norms (another 2,000
    pairs: [0.989, 1.012]); training draws a z that short 2.7e-4 of the time (chi^2, 64 dof)."""
    n = latent.norm_stats(64)
    assert n.lerp_mid == pytest.approx(1 / np.sqrt(2), abs=0.01)
    assert 0.45 < n.lerp_mid_range[0] < 0.65 and 0.75 < n.lerp_mid_range[1] < 0.95
    assert 0.98 < n.slerp_low <= 1.0 <= n.slerp_high < 1.02
    assert n.below_mid == pytest.approx(2.7e-4, rel=0.3)
    mid = np.linalg.norm(latent.path(A, B, 3, "lerp")[1])
    assert mid < 0.85 * min(np.linalg.norm(A), np.linalg.norm(B))  # one pair sags too


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
    sample = shipped.labelled()  # PRESET_SAMPLE digits from PRESET_SEED, decoded once
    groups = explorer.preset_groups(sample, p)
    result = latent.arithmetic(*(sample.z[g] for g in groups))
    around = shipped.decode(latent.neighbours(result, 8, 0.25, 0))
    assert (around.labels == p.expect).sum() >= 6  # most neighbours read as promised
    attribute = explorer.ATTRIBUTES[p.attribute]
    c = shipped.decode(sample.z[groups[2]])
    assert attribute(around).mean() > attribute(c).mean()  # A's attribute carried over


@pytest.mark.parametrize("attribute", ["mass", "slant"])
def test_attribute_directions_keep_the_digit_and_move_the_attribute(shipped, attribute):
    """B7: the pooled top-minus-bottom decile direction (|d| = 2.8) changed the label of 29 of
    32 samples at the page's default step of 1. Within-class, unit length and 1 std of z, on 6
    batches of 32 (seeds 0-5), measured on the dcgan_packed generator: labels kept 172/192
    (mass) and 165/192 (slant; a random unit direction kept 172); the attribute moves +0.69
    (mass) and +0.71 (slant) within-class std on average, -0.60 and -0.73 at -1 std."""
    sample = shipped.labelled()
    score = getattr(sample, attribute)
    d = latent.attribute_direction(sample.z, score, sample.labels)
    assert np.linalg.norm(d) == pytest.approx(1.0, abs=1e-5)
    means = latent.class_means(sample.z, sample.labels)
    spread = (means - means.mean(0)) / np.linalg.norm(means - means.mean(0), axis=1)[:, None]
    assert np.abs(spread @ d).max() < 1e-4  # nothing along the class means' span
    within = np.mean([score[sample.labels == k].std() for k in range(10)])
    kept, moved = 0, {1: [], -1: []}
    for seed in range(6):
        batch = shipped.sample(32, seed)
        for sign in (1, -1):
            out = shipped.decode(batch.z + sign * latent.ATTRIBUTE_STEP * d)
            moved[sign].append((getattr(out, attribute) - getattr(batch, attribute)).mean())
            if sign == 1:
                kept += int((out.labels == batch.labels).sum())
    assert kept >= 140  # of 192
    assert 0.25 < np.mean(moved[1]) / within < 1.0
    assert -1.0 < np.mean(moved[-1]) / within < -0.25


def test_nearest_training_digit_of_a_real_digit_is_itself(shipped):
    from playground.data import mnist
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
    assert main(["latent", "arithmetic", "--preset", "thick_2", "--out", str(tmp_path)]) == 0
    assert main(["latent", "sweep", "--coordinate", "999", "--out", str(tmp_path)]) == 2


def test_cli_interpolates_between_digits_not_indices(tmp_path, capsys):
    """`--from-digit 3 --to-digit 9` starts at the batch's most confident 3 and ends at its most
    confident 9; `--a 3 --b 9` are batch indices (the rehearsal's strip ran 6 -> 9)."""
    assert main(["latent", "interpolate", "--from-digit", "3", "--to-digit", "9", "--steps",
                 "4", "--out", str(tmp_path)]) == 0
    labels = json.loads((tmp_path / "interpolate.json").read_text())
    batch = explorer.Explorer.shipped().sample(64, 0)  # the CLI's default batch and seed
    for end, digit in (("from", 3), ("to", 9)):
        of_digit = np.flatnonzero(batch.labels == digit)
        assert labels[end] == of_digit[np.argmax(batch.confidence[of_digit])]
    assert labels["labels"][0] == 3 and labels["labels"][-1] == 9
    assert "from sample #" in capsys.readouterr().out
    assert main(["latent", "interpolate", "--a", "1", "--from-digit", "3",
                 "--out", str(tmp_path)]) == 2
    assert main(["latent", "interpolate", "--from-digit", "12", "--out", str(tmp_path)]) == 2
