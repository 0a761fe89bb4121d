"""Fitting a discriminator or critic between two samplers: the inner loop of sections 1 and 2.

The objective comes from the LOSSES registry and its remedies from the loss's own `defaults`
(WGAN: weight clipping, WGAN-GP: the gradient penalty), applied at the same points as in the
2D engine. The two read-outs are the JS lower bound of a sigmoid D and the score gap of a critic.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from playground.engine import updates
from playground.losses import LOSSES, LossSpec, logistic_js_bound
from playground.models import Discriminator

Sampler = Callable[[int, torch.Generator], torch.Tensor]  # (n, gen) -> (n, d) points


@dataclass(frozen=True)
class FitSettings:
    steps: int = 1500  # D updates; a 2->64->64->1 MLP reaches its plateau well before this
    batch: int = 256  # fresh samples per side per update (population, not a fixed set)
    lr: float = 1e-3  # Adam; larger than the 2D lab's 2e-4 since these problems are tiny
    betas: tuple[float, float] = (0.5, 0.9)  # Gulrajani et al. 2017, Alg. 1
    width: int = 64
    depth: int = 2


DEFAULT_FIT = FitSettings()


def build_d(in_dim: int, settings: FitSettings, seed: int) -> Discriminator:
    """A ReLU MLP returning raw scores (N,), initialised from `seed` without global state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return Discriminator(settings.width, settings.depth, "relu", in_dim=in_dim)


def build_opt(D: torch.nn.Module, settings: FitSettings) -> torch.optim.Optimizer:
    return torch.optim.Adam(D.parameters(), lr=settings.lr, betas=settings.betas)


def d_step(D: torch.nn.Module, opt: torch.optim.Optimizer, spec: LossSpec, real: torch.Tensor,
           fake: torch.Tensor, gen: torch.Generator) -> float:
    """The engine's D update (updates.d_step) with the remedies the loss comes with (its
    `defaults`: WGAN's clip_c, WGAN-GP's gp_lambda); returns d_loss."""
    return float(updates.d_step(D, opt, spec, real, fake, weights=spec.defaults, gen=gen,
                              clip_c=spec.defaults.get("clip_c", 0.0)))


def fit(D: torch.nn.Module, loss_id: str, draw_real: Sampler, draw_fake: Sampler,
        settings: FitSettings, gen: torch.Generator) -> float:
    """Train D for settings.steps updates on fresh batches; returns the last d_loss."""
    spec = LOSSES.get(loss_id)
    opt = build_opt(D, settings)
    d_loss = float("nan")
    for _ in range(settings.steps):
        d_loss = d_step(D, opt, spec, draw_real(settings.batch, gen),
                        draw_fake(settings.batch, gen), gen)
    return d_loss


@torch.no_grad()
def js_estimate(D: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor) -> float:
    """log 2 - L_D / 2 on the given (held-out) samples: JSD for the optimal D, below it else."""
    return logistic_js_bound(real=D(real), fake=D(fake))


@torch.no_grad()
def score_gap(D: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor) -> float:
    """E f(real) - E f(fake): W1 for a 1-Lipschitz critic at the optimum (Kantorovich-
    Rubinstein duality), K * W1 for a K-Lipschitz one (a clipped critic's K is unknown)."""
    return float(D(real).mean() - D(fake).mean())


def critic_slope(D: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor,
                 gen: torch.Generator) -> float:
    """Mean ||grad_x f|| on random interpolates of real and fake: the quantity the gradient
    penalty pulls to 1. The penalty is soft, so a critic trained with weight lambda settles at
    slope k = 1 + W / (2 lambda) between two point masses W apart (maximise k W - lambda (k-1)^2),
    and its score gap reads k W. Dividing by k gives f / k, which is 1-Lipschitz along the
    transport direction, so gap / k estimates W (Kantorovich-Rubinstein duality)."""
    eps = torch.rand(len(real), 1, generator=gen)
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)  # (N, 2)
    (grad,) = torch.autograd.grad(D(x).sum(), x)
    return float(grad.norm(dim=1).mean())


def check_positive(name: str, value: float | int) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
