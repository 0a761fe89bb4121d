"""WGAN paper Example 1: P0 = law of (0, Z) and P_theta = law of (theta, Z), Z ~ U[0, 1].

Closed forms of W, JS, KL and TV as functions of theta, and the same quantities estimated from
samples: a sigmoid D trained to near optimum (JS), a WGAN-GP critic (W) and the exact W1 of two
sample sets by optimal assignment. The theta-trained generator lives in `theta_game`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from playground.losses import LOG2
from playground.metrics import points2d as metrics
from playground.theory import fit

THETA_RANGE = (-2.0, 2.0)  # slider and CLI bounds; the lines and the estimators work beyond
N_RANGE = (16, 4096)  # sample size per side; exact W1 is O(n^3) (~1.3 s at 2,500)
DEFAULT_THETAS = (-1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0)
JS_LOSS, W_LOSS = "ns", "wgan_gp"  # the D for the JS bound (BCE) and the critic for W
FLOOR_REPEATS = 5  # independent same-law sample pairs for the exact-W1 sampling floor


@dataclass(frozen=True)
class ClosedForms:
    theta: np.ndarray  # (T,)
    w: np.ndarray  # (T,) |theta|
    js: np.ndarray  # (T,) log 2 off 0, 0 at 0 (1/2-normalised JSD, nats)
    kl: np.ndarray  # (T,) +inf off 0, 0 at 0
    tv: np.ndarray  # (T,) 1 off 0, 0 at 0


def closed_forms(theta: np.ndarray | float) -> ClosedForms:
    """Example 1 of Arjovsky et al. 2017. Off theta = 0 the supports are disjoint lines, so
    every density ratio is 0 or infinite: KL = inf, TV = 1, and each point of the mixture
    M = (P0 + P_theta)/2 has density 1/2 of its own line's, giving JS = 1/2(log 2 + log 2).
    Moving one line onto the other costs |theta| per unit of mass: W = |theta|."""
    t = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    off = t != 0
    return ClosedForms(theta=t, w=np.abs(t), js=np.where(off, LOG2, 0.0),
                       kl=np.where(off, np.inf, 0.0), tv=np.where(off, 1.0, 0.0))


def line_sampler(theta: float) -> fit.Sampler:
    """Draws (theta, z), z ~ U[0, 1]: P0 for theta = 0."""
    def draw(n: int, gen: torch.Generator) -> torch.Tensor:
        z = torch.rand(n, 1, generator=gen)
        return torch.cat([torch.full_like(z, theta), z], 1)  # (n, 2)
    return draw


def draw_pair(theta: float, n: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n points of P0 and of P_theta as float32 numpy arrays (n, 2), for drawing."""
    check_theta(theta)
    check_n(n)
    gen = torch.Generator().manual_seed(seed)
    return line_sampler(0.0)(n, gen).numpy(), line_sampler(theta)(n, gen).numpy()


@dataclass(frozen=True)
class LineEstimate:
    theta: float
    w: float  # closed forms
    js: float
    kl: float
    tv: float
    js_learned: float  # log 2 - L_D/2 of a trained sigmoid D on held-out samples
    w_gap: float  # E f(real) - E f(fake) of a trained WGAN-GP critic on held-out samples
    critic_slope: float  # the critic's mean gradient norm on interpolates (fit.critic_slope)
    w_learned: float  # w_gap / critic_slope: the gap of the 1-Lipschitz critic f / slope
    w1_sample: float  # exact W1 between n real and n fake points (optimal assignment)


def estimate(theta: float, n: int = 512, seed: int = 0,
             settings: fit.FitSettings = fit.DEFAULT_FIT) -> LineEstimate:
    """All three estimates at one theta. D and critic train on fresh batches (the population),
    then are read out on a held-out pair of n-samples, the same pair the exact W1 uses."""
    check_theta(theta)
    check_n(n)
    real_law, fake_law = line_sampler(0.0), line_sampler(theta)
    gen = torch.Generator().manual_seed(seed)
    held = torch.Generator().manual_seed(seed + 7_919)  # evaluation stream, separate
    real, fake = real_law(n, held), fake_law(n, held)
    d = fit.build_d(2, settings, seed)
    fit.fit(d, JS_LOSS, real_law, fake_law, settings, gen)
    critic = fit.build_d(2, settings, seed)
    fit.fit(critic, W_LOSS, real_law, fake_law, settings, gen)
    c = closed_forms(theta)
    gap, slope = fit.score_gap(critic, real, fake), fit.critic_slope(critic, real, fake, held)
    return LineEstimate(
        theta=float(theta), w=float(c.w[0]), js=float(c.js[0]), kl=float(c.kl[0]),
        tv=float(c.tv[0]), js_learned=fit.js_estimate(d, real, fake),
        w_gap=gap, critic_slope=slope, w_learned=gap / slope,
        w1_sample=metrics.wasserstein1(real.numpy().astype(np.float64),
                                       fake.numpy().astype(np.float64)))


@dataclass(frozen=True)
class SamplingFloor:
    n: int
    w1_mean: float  # exact W1 between two independent n-samples of P0, over FLOOR_REPEATS
    w1_std: float
    js_learned: float  # the learned estimates at theta = 0 (both samples from P0)
    w_learned: float


def sampling_floor(n: int = 512, seed: int = 0, at_zero: LineEstimate | None = None,
                   settings: fit.FitSettings = fit.DEFAULT_FIT) -> SamplingFloor:
    """What each estimator reports when there is nothing to find: both samples from P0.
    The exact W1 of two finite samples of one law is positive (it shrinks like n^-1/2 on a
    line); a learned D or critic read out on held-out points sits near 0 on either side."""
    check_n(n)
    law = line_sampler(0.0)
    gen = torch.Generator().manual_seed(seed + 104_729)
    w1 = [metrics.wasserstein1(law(n, gen).numpy().astype(np.float64),
                               law(n, gen).numpy().astype(np.float64))
          for _ in range(FLOOR_REPEATS)]
    zero = at_zero if at_zero is not None else estimate(0.0, n, seed, settings)
    return SamplingFloor(n=n, w1_mean=float(np.mean(w1)), w1_std=float(np.std(w1)),
                         js_learned=zero.js_learned, w_learned=zero.w_learned)


class EstimateGrid:
    """The estimate table built one theta per `advance()` call (the app's time slice)."""

    def __init__(self, thetas: tuple[float, ...] | list[float], n: int = 512, seed: int = 0,
                 settings: fit.FitSettings = fit.DEFAULT_FIT):
        if not thetas:
            raise ValueError("thetas must name at least one value")
        for t in thetas:
            check_theta(t)
        check_n(n)
        self.thetas = tuple(float(t) for t in thetas)
        self.n, self.seed, self.settings = n, seed, settings
        self.rows: list[LineEstimate] = []

    @property
    def done(self) -> bool:
        return len(self.rows) == len(self.thetas)

    def advance(self) -> bool:
        """Estimate the next theta; returns True while thetas remain."""
        i = len(self.rows)
        if i < len(self.thetas):
            row = estimate(self.thetas[i], self.n, self.seed, self.settings)
            if len(self.rows) == i:  # a concurrent caller (a page rerun) may have added it
                self.rows.append(row)
        return not self.done

    def run_all(self) -> list[LineEstimate]:
        while self.advance():
            pass
        return list(self.rows)

    def floor(self) -> SamplingFloor:
        zero = next((r for r in self.rows if r.theta == 0.0), None)
        return sampling_floor(self.n, self.seed, zero, self.settings)


def check_theta(theta: float) -> None:
    lo, hi = THETA_RANGE
    if not (isinstance(theta, (int, float)) and math.isfinite(theta) and lo <= theta <= hi):
        raise ValueError(f"theta={theta!r} is out of range [{lo:g}, {hi:g}]")


def check_n(n: int) -> None:
    lo, hi = N_RANGE
    if not (isinstance(n, int) and lo <= n <= hi):
        raise ValueError(f"n={n!r} is out of range [{lo}, {hi}] (an integer)")
