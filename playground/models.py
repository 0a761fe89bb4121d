"""MLP generator and discriminator/critic for 2D data, the activation registry, and spectral norm.

The discriminator returns raw scores of shape (N,), higher = more real; no sigmoid is applied
here (losses own that, in stable softplus form). Spectral norm can be switched on and off on a
live D without losing its weights.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

from .registry import Registry

ACTIVATIONS: Registry[type[nn.Module]] = Registry("activation")
ACTIVATIONS.add("relu", nn.ReLU)
ACTIVATIONS.add("leaky_relu", lambda: nn.LeakyReLU(0.2))  # slope 0.2 as in DCGAN's D
ACTIVATIONS.add("elu", nn.ELU)
ACTIVATIONS.add("tanh", nn.Tanh)
ACTIVATIONS.add("silu", nn.SiLU)


def mlp(n_in: int, n_out: int, width: int, depth: int, activation: str) -> nn.Sequential:
    act = ACTIVATIONS.get(activation)
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(n_in if i == 0 else width, width), act()]
    layers.append(nn.Linear(width if depth else n_in, n_out))
    return nn.Sequential(*layers)


class Generator(nn.Module):
    def __init__(self, latent_dim: int, width: int, depth: int, activation: str, out_dim: int = 2):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = mlp(latent_dim, out_dim, width, depth, activation)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)  # (N, latent_dim) -> (N, 2)


class Discriminator(nn.Module):
    def __init__(self, width: int, depth: int, activation: str, in_dim: int = 2):
        super().__init__()
        self.net = mlp(in_dim, 1, width, depth, activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)  # (N, 2) -> (N,) raw score


def linear_layers(module: nn.Module) -> list[nn.Linear]:
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def set_spectral_norm(D: nn.Module, on: bool) -> None:
    """Add or remove spectral normalisation on every linear layer of D, in place.

    Removing keeps the current normalised weight W / sigma(W), so D's function is unchanged
    at the moment of the switch either way.
    """
    for layer in linear_layers(D):
        has = parametrize.is_parametrized(layer, "weight")
        if on and not has:
            spectral_norm(layer)
        elif has and not on:
            parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)


def has_spectral_norm(D: nn.Module) -> bool:
    return any(parametrize.is_parametrized(m, "weight") for m in linear_layers(D))
