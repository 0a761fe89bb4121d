"""Class conditioning (a registry of kinds): G(z, y) and D(x, y) around an architecture's nets.

G takes the one-hot label concatenated to z (Mirza & Osindero 2014, Sec. 3.2; a one-hot into
G's first linear layer is a learned embedding of y added to its first pre-activation). D is
conditioned by concatenation (the one-hot as ten extra input channels, or ten extra inputs of
a flattened D) or by a projection (Miyato & Koyama 2018, eq. 3: score = psi(phi(x)) +
<embed(y), phi(x)>). Each score still depends on its own (x, y) only. The rules for what
conditioning refuses live here too (`check`); the models build through `wrap`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from playground.registry import Registry

N_CLASSES = 10  # MNIST's ten digits: the only labelled data the playground has


@dataclass(frozen=True)
class CondSpec:
    label: str
    caption: str


CONDITIONINGS: Registry[CondSpec] = Registry("conditioning")
CONDITIONINGS.add("none", CondSpec("None", "G(z) and D(x): an unconditional GAN"))
CONDITIONINGS.add("concat", CondSpec(
    "Concatenate the label", "G(z, y) and D(x, y) each take the one-hot label as ten extra "
    "inputs (D: ten constant image channels); Mirza & Osindero 2014"))
CONDITIONINGS.add("projection", CondSpec(
    "Projection discriminator", "G(z, y) takes the one-hot label; D's score is "
    "psi(phi(x)) + <embed(y), phi(x)>: the label picks a direction in D's features; "
    "Miyato & Koyama 2018"))


def one_hot(y: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """(N,) int labels -> (N, 10) in `like`'s dtype: [y_i == k]. Not F.one_hot, which reads
    the labels' min and max back to the host (a sync each call: tests/engine/test_gpu_guards)."""
    classes = torch.arange(N_CLASSES, device=y.device)
    return (y[:, None] == classes).to(like.dtype)


class InputGenerator(nn.Module):
    """G(z, c) = inner([z, c]): `inner` built for latent_dim + c's width inputs (InfoGAN's
    codes as they are; a class label through ConditionalGenerator). The latent explorer
    walks `inner` on [z, c] points."""

    def __init__(self, inner: nn.Module, latent_dim: int):
        super().__init__()
        self.inner = inner
        self.latent_dim = latent_dim

    def forward(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return self.inner(torch.cat([z, c], 1))


class ConditionalGenerator(InputGenerator):
    """G(z, y) = inner([z, one_hot(y)]): `inner` built for latent_dim + 10 inputs."""

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return super().forward(z, one_hot(y, z))  # (N, latent + 10) -> x


class ConcatDiscriminator(nn.Module):
    """D(x, y) = inner([x, one_hot(y)]): ten constant channels of 0 / 1 beside a convolutional
    D's image, or ten inputs after a flattened D's 784 pixels (`flat`; inner built for
    (1, 794))."""

    def __init__(self, inner: nn.Module, flat: bool):
        super().__init__()
        self.inner = inner
        self.flat = flat

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = one_hot(y, x)  # (N, 10)
        if self.flat:
            return self.inner(torch.cat([x.flatten(1), h], 1).unsqueeze(1))  # (N, 1, 794)
        maps = h[:, :, None, None].expand(len(x), N_CLASSES, *x.shape[2:])  # (N, 10, H, W)
        return self.inner(torch.cat([x, maps], 1))


class ProjectionDiscriminator(nn.Module):
    """D(x, y) = psi(phi(x)) + <embed(y), phi(x)> (Miyato & Koyama 2018, eq. 3): phi is the
    inner D's body (all its layers but the last), psi its last linear layer, embed a learned
    (10, F) table over phi's F features. Needs an inner D of one sample per score (pack 1)."""

    def __init__(self, inner: nn.Module, flat: bool):
        super().__init__()
        self.inner = inner
        self.flat = flat
        psi = inner.net[-1]
        self.embed = nn.Embedding(N_CLASSES, psi.in_features)
        nn.init.normal_(self.embed.weight, 0.0, 0.02)  # as the DCGAN's weights (Radford 2016)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        phi = self.inner.net[:-1](x.flatten(1) if self.flat else x)  # (N, F)
        return self.inner.net[-1](phi).squeeze(-1) + (self.embed(y) * phi).sum(1)  # (N,)


def wrap(cfg, shape: tuple[int, ...], build: Callable, cond_input: str,
         ) -> tuple[nn.Module, nn.Module]:
    """(G, D) of `cfg.cond` around the nets `build(cfg, shape)` makes: G's for latent_dim + 10
    inputs, D's for the labelled input (concat) or as is (projection). `cond_input`: how the
    architecture's D takes extra inputs, "channels" or "flat"."""
    flat = cond_input == "flat"
    G, _ = build(dataclasses.replace(cfg, latent_dim=cfg.latent_dim + N_CLASSES), shape)
    if cfg.cond == "concat":
        d_shape = (1, shape[0] * 28 * 28 + N_CLASSES) if flat else (shape[0] + N_CLASSES,
                                                                     *shape[1:])
        _, D = build(cfg, d_shape)
        return ConditionalGenerator(G, cfg.latent_dim), ConcatDiscriminator(D, flat)
    _, D = build(cfg, shape)
    return ConditionalGenerator(G, cfg.latent_dim), ProjectionDiscriminator(D, flat)


def generate(G: nn.Module, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
    """G(z) for an unconditional G (y None), G(z, y) for a conditional one."""
    return G(z) if y is None else G(z, y)


def critic(D: nn.Module, y: torch.Tensor | None) -> Callable[[torch.Tensor], torch.Tensor]:
    """x -> D's (N,) scores with the labels `y` bound (D itself when y is None): what the
    losses and penalties call, so they stay unaware of labels."""
    return D if y is None else (lambda x: D(x, y))


def check(cfg, kind: str, arch: str, cond_input: str) -> None:
    """Refuse what conditioning cannot do, with the reason."""
    CONDITIONINGS.get(cfg.cond)
    if cfg.cond == "none":
        return
    if kind != "image":
        raise ValueError(f"cond={cfg.cond!r} conditions on digit labels; dataset "
                         f"{cfg.dataset!r} is 2D points without labels: set cond='none'")
    if not cond_input:
        raise ValueError(f"cond={cfg.cond!r}: arch {arch!r} cannot take a label")
    if cfg.pack > 1:
        raise ValueError(f"cond={cfg.cond!r} with pack={cfg.pack}: a pack would score "
                         "samples of different labels as one; set pack=1")
    if cfg.unroll_steps > 0:
        raise ValueError(f"cond={cfg.cond!r} with unroll_steps={cfg.unroll_steps}: the "
                         "unrolled look-ahead draws unlabelled batches; set unroll_steps=0")
