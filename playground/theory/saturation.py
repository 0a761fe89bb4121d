"""WGAN paper Figure 2: a sigmoid discriminator saturates, a WGAN critic stays linear.

Real N(mu_r, sd_r) and fake N(mu_f, sd_f) on the line. A D trained to convergence with the
GAN loss, D(x) = sigmoid(s(x)), is flat at 0 where the fakes are, so dD/dx (and the minimax
generator's gradient) vanishes there; a WGAN critic f keeps a slope of about its Lipschitz
bound everywhere between and beyond the two laws.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.theory import fit

D_LOSS = "ns"  # BCE discriminator: ns and minimax share d_loss
CRITIC_LOSSES = ("wgan_gp", "wgan")  # the critic's objective and its built-in remedy
GRID_N = 401  # x grid points for the curves
RANGES = {"mean": (-20.0, 20.0), "std": (0.05, 10.0), "x": (-50.0, 50.0)}
FAKE_BAND = 2.0  # "where the fakes are": within 2 std of the fake mean


@dataclass(frozen=True)
class Setup:
    mu_real: float = -5.0  # Arjovsky et al. 2017, Fig. 2 puts the two Gaussians far apart
    sd_real: float = 1.0
    mu_fake: float = 5.0
    sd_fake: float = 1.0
    x_min: float = -8.0
    x_max: float = 8.0
    critic: str = "wgan_gp"  # id in CRITIC_LOSSES
    fit: fit.FitSettings = field(default_factory=lambda: fit.FitSettings(steps=1500))

    def __post_init__(self) -> None:
        for name in ("mu_real", "mu_fake", "sd_real", "sd_fake", "x_min", "x_max"):
            lo, hi = RANGES[name.split("_")[0].replace("mu", "mean").replace("sd", "std")]
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and lo <= value <= hi):
                raise ValueError(f"{name}={value!r} is out of range [{lo:g}, {hi:g}]")
        if not self.x_min < self.x_max:
            raise ValueError(f"x_min ({self.x_min:g}) must be below x_max ({self.x_max:g})")
        if self.critic not in CRITIC_LOSSES:
            raise ValueError(f"unknown critic {self.critic!r}; valid: {', '.join(CRITIC_LOSSES)}")


@dataclass(frozen=True)
class SaturationResult:
    setup: Setup
    x: np.ndarray  # (GRID_N,) evaluation grid
    p_real: np.ndarray  # (GRID_N,) densities
    p_fake: np.ndarray
    d_prob: np.ndarray  # D(x) = sigmoid(s(x)) in [0, 1]
    d_grad: np.ndarray  # dD/dx = sigmoid'(s) s'(x)
    critic: np.ndarray  # f(x), shifted so f = 0 midway between the means
    critic_grad: np.ndarray  # df/dx
    d_grad_at_fakes: float  # max |dD/dx| within FAKE_BAND std of the fake mean
    critic_grad_at_fakes: float  # mean |df/dx| in the same band
    d_grad_max: float  # max |dD/dx| over the whole grid (it lives between the two laws)


def normal_pdf(x: np.ndarray, mu: float, sd: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))


def _gaussian(mu: float, sd: float) -> fit.Sampler:
    def draw(n: int, gen: torch.Generator) -> torch.Tensor:
        return mu + sd * torch.randn(n, 1, generator=gen)  # (n, 1)
    return draw


def _values_and_slope(D: torch.nn.Module, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = torch.as_tensor(x, dtype=torch.float32).unsqueeze(1).requires_grad_(True)  # (G, 1)
    s = D(t)
    (grad,) = torch.autograd.grad(s.sum(), t)  # each score depends only on its own x
    return s.detach().double().numpy(), grad.squeeze(1).double().numpy()


def fit_both(setup: Setup = Setup(), seed: int = 0) -> SaturationResult:
    """Train D and the critic on fresh batches from the two laws; read both out on a grid."""
    real, fake = _gaussian(setup.mu_real, setup.sd_real), _gaussian(setup.mu_fake, setup.sd_fake)
    gen = torch.Generator().manual_seed(seed)
    d = fit.build_d(1, setup.fit, seed)
    fit.fit(d, D_LOSS, real, fake, setup.fit, gen)
    critic = fit.build_d(1, setup.fit, seed)
    fit.fit(critic, setup.critic, real, fake, setup.fit, gen)
    x = np.linspace(setup.x_min, setup.x_max, GRID_N)
    s, ds = _values_and_slope(d, x)
    prob = 1.0 / (1.0 + np.exp(-s))
    d_grad = prob * (1.0 - prob) * ds  # sigmoid'(s) = sigmoid(s)(1 - sigmoid(s))
    f, df = _values_and_slope(critic, x)
    mid = 0.5 * (setup.mu_real + setup.mu_fake)
    f = f - np.interp(mid, x, f)  # a critic is defined up to a constant
    band = np.abs(x - setup.mu_fake) <= FAKE_BAND * setup.sd_fake
    if not band.any():  # the fake law lies outside the plotted range: use its nearest edge
        band = np.abs(x - setup.mu_fake) == np.abs(x - setup.mu_fake).min()
    return SaturationResult(
        setup=setup, x=x, p_real=normal_pdf(x, setup.mu_real, setup.sd_real),
        p_fake=normal_pdf(x, setup.mu_fake, setup.sd_fake), d_prob=prob, d_grad=d_grad,
        critic=f, critic_grad=df, d_grad_at_fakes=float(np.abs(d_grad[band]).max()),
        critic_grad_at_fakes=float(np.abs(df[band]).mean()),
        d_grad_max=float(np.abs(d_grad).max()))
