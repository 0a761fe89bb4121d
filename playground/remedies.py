"""Regularisers and stabilisers that hook into fixed points of the training step.

Gradient penalty and R1 are additive D terms, instance noise perturbs D's inputs, and weight
clipping runs after D's optimiser step. All are shape-agnostic: the same code serves (N, 2)
points and (N, C, H, W) images. Spectral norm lives with the models (it is applied at build).
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

Critic = Callable[[torch.Tensor], torch.Tensor]  # x (N, ...) -> raw scores (N,)


def _per_sample_grad_norm_sq(scores: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)  # (N, ...)
    return grad.flatten(1).pow(2).sum(1)  # (N,) ||grad_x D(x)||^2


def gradient_penalty(D: Critic, real: torch.Tensor, fake: torch.Tensor,
                     gen: torch.Generator) -> torch.Tensor:
    """lambda-free WGAN-GP term E[(||grad D(x_hat)||_2 - 1)^2] on random interpolates
    x_hat = eps * real + (1 - eps) * fake, eps ~ U[0, 1] per sample (Gulrajani et al. 2017)."""
    eps_shape = (real.shape[0],) + (1,) * (real.dim() - 1)  # (N, 1) or (N, 1, 1, 1)
    eps = torch.rand(eps_shape, generator=gen, device=real.device, dtype=real.dtype)
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    norm = (_per_sample_grad_norm_sq(D(x_hat), x_hat) + 1e-12).sqrt()  # eps keeps grad finite
    return ((norm - 1) ** 2).mean()


def r1_penalty(D: Critic, real: torch.Tensor) -> torch.Tensor:
    """gamma-free R1 term 1/2 E_real ||grad D(x)||^2 (Mescheder et al. 2018, eq. 9)."""
    x = real.detach().requires_grad_(True)
    return 0.5 * _per_sample_grad_norm_sq(D(x), x).mean()


def instance_noise_sigma(step: int, sigma0: float, anneal_steps: int) -> float:
    """Linear annealing sigma(t) = sigma0 * max(0, 1 - t / T); constant sigma0 when T = 0
    (Sønderby et al. 2017; Arjovsky & Bottou 2017 argue for noise that shrinks over training)."""
    if sigma0 <= 0:
        return 0.0
    if anneal_steps <= 0:
        return sigma0
    return sigma0 * max(0.0, 1.0 - step / anneal_steps)


def add_instance_noise(x: torch.Tensor, sigma: float, gen: torch.Generator) -> torch.Tensor:
    if sigma <= 0:
        return x
    return x + sigma * torch.randn(x.shape, generator=gen, device=x.device, dtype=x.dtype)


@torch.no_grad()
def clip_weights(module: nn.Module, c: float) -> None:
    """Clamp every parameter to [-c, c] (Arjovsky et al. 2017, Alg. 1, line 7)."""
    for p in module.parameters():
        p.clamp_(-c, c)


# Additive D penalties, selected by the config field holding their weight: the D step adds
# weight * penalty for each one whose weight is non-zero, with no per-variant branches.
PENALTIES: dict[str, Callable[..., torch.Tensor]] = {
    "gp_lambda": lambda D, real, fake, gen: gradient_penalty(D, real, fake, gen),
    "r1_gamma": lambda D, real, fake, gen: r1_penalty(D, real),
}
