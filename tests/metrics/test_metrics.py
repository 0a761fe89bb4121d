"""Metric calibration against closed forms (VEEGAN / PacGAN protocol, exact W1, JSD)."""
import math

import numpy as np
import pytest
import torch
from scipy.stats import wasserstein_distance

from playground.config import RunConfig
from playground.data import datasets
from playground.metrics.points2d import jsd_histogram, mode_coverage, wasserstein1


def _real(name: str, n: int = 2500, seed: int = 0):
    dist = datasets.build(RunConfig(dataset=name), torch.device("cpu"))
    return dist.sample(n, torch.Generator().manual_seed(seed)).numpy().astype(np.float64), dist


@pytest.mark.parametrize("name,k", [("ring", 8), ("grid", 25)])
def test_real_samples_score_full_coverage(name, k):
    x, dist = _real(name)
    c = mode_coverage(x, dist.truth)
    assert (c.modes, c.n_modes) == (k, k)
    # P(chi^2_2 < 9) = 1 - exp(-4.5) = 98.89 %: the HQ share of a perfect sampler.
    assert c.hq_pct == pytest.approx(100 * (1 - math.exp(-4.5)), abs=0.8)
    assert 0 <= c.rkl < 0.02


@pytest.mark.parametrize("k", [1, 2, 4, 8])
def test_evenly_covered_modes_give_log_ratio(k):
    truth = datasets.GroundTruth(datasets.ring_centres(8, 1.0), 0.01)
    x = np.repeat(truth.centres[:k], 100, axis=0)
    c = mode_coverage(x, truth)
    assert c.modes == k
    assert c.rkl == pytest.approx(math.log(8 / k), abs=1e-12)
    assert c.hq_pct == pytest.approx(100.0)


def test_off_mode_samples_are_low_quality():
    truth = datasets.GroundTruth(datasets.ring_centres(8, 1.0), 0.01)
    x = np.zeros((100, 2))  # the ring's centre: 1.0 = 100 std from every mode
    c = mode_coverage(x, truth)
    assert (c.modes, c.hq_pct) == (0, 0.0)
    assert math.isnan(c.rkl)
    # just inside / just outside 3 std
    inside = mode_coverage(truth.centres[:1] + [[0.0299, 0]], truth)
    outside = mode_coverage(truth.centres[:1] + [[0.0301, 0]], truth)
    assert inside.modes == 1 and outside.modes == 0


def test_w1_of_a_translation_is_the_shift():
    a = np.random.default_rng(0).normal(size=(300, 2))
    assert wasserstein1(a, a + [0.3, 0.4]) == pytest.approx(0.5, abs=1e-9)


def test_w1_matches_the_1d_sorted_formula():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=400), rng.exponential(size=400)
    pad = np.zeros(400)
    ours = wasserstein1(np.stack([a, pad], 1), np.stack([b, pad], 1))
    assert ours == pytest.approx(wasserstein_distance(a, b), rel=1e-9)


def test_w1_equals_the_optimal_assignment():
    from scipy.optimize import linear_sum_assignment
    from scipy.spatial.distance import cdist
    rng = np.random.default_rng(5)
    a = rng.normal(size=(150, 2))
    b = np.repeat(rng.normal(size=(3, 2)), 50, axis=0)  # a collapsed, tie-heavy set
    cost = cdist(a, b)
    rows, cols = linear_sum_assignment(cost)
    assert wasserstein1(a, b) == pytest.approx(cost[rows, cols].mean(), rel=1e-9)


def test_w1_is_zero_for_a_permutation():
    a = np.random.default_rng(2).normal(size=(200, 2))
    assert wasserstein1(a, a[::-1]) == pytest.approx(0.0, abs=1e-12)


BOUNDS = (0.0, 2.0, 0.0, 1.0)


def test_jsd_identical_and_disjoint():
    rng = np.random.default_rng(3)
    a = rng.uniform([0, 0], [1, 1], size=(5000, 2))
    b = rng.uniform([1, 0], [2, 1], size=(5000, 2))
    assert jsd_histogram(a, a, BOUNDS, bins=20) == pytest.approx(0.0, abs=1e-12)
    assert jsd_histogram(a, b, BOUNDS, bins=20) == pytest.approx(math.log(2), abs=1e-12)


def test_jsd_half_overlap_closed_form():
    # U[0,1]x[0,1] vs U[0.5,1.5]x[0,1]: half of each law's mass is shared, so
    # JSD = 1/2 * (1/2 log 2) + 1/2 * (1/2 log 2) = (log 2) / 2.
    rng = np.random.default_rng(4)
    a = rng.uniform([0, 0], [1, 1], size=(200_000, 2))
    b = rng.uniform([0.5, 0], [1.5, 1], size=(200_000, 2))
    assert jsd_histogram(a, b, BOUNDS, bins=40) == pytest.approx(math.log(2) / 2, abs=0.005)


def test_jsd_counts_mass_outside_the_bounds():
    a = np.full((100, 2), 0.5)
    b = np.full((100, 2), 50.0)  # all outside: its own overflow cell, disjoint from a
    assert jsd_histogram(a, b, BOUNDS) == pytest.approx(math.log(2))


def test_jsd_sampling_floor_is_small_for_real_ring_samples():
    x1, dist = _real("ring", seed=1)
    x2, _ = _real("ring", seed=2)
    floor = jsd_histogram(x1, x2, dist.bounds)
    assert 0 < floor < 0.01
