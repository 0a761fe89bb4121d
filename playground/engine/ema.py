"""An exponential moving average of G's weights, the generator a run shows and scores.

After every G update, theta_ema <- beta theta_ema + (1 - beta) theta (Karras et al. 2018,
"Progressive Growing of GANs", use beta 0.999; Yazici et al. 2019 show the average lands
nearer the game's equilibrium than the last iterate, which orbits it). Batch norm's running
statistics are averaged with the same beta: they are buffers of G, estimated under G's
current weights, and the averaged weights need statistics averaged over the same window
(a step counter such as `num_batches_tracked` is copied). The copy never trains and stays in
eval mode; it owns nothing else (the run decides when to update it, checkpoints store it).

Warm-up: the average starts at G's first weights, and with beta 0.999 a run's shown G would
still be 22 % its random start after 1,500 steps (0.999^1500). So the decay at G update t is
min(beta, (1 + t) / (10 + t)) (TensorFlow's ExponentialMovingAverage with num_updates): early
on the average spans about the last tenth of the run, and beta itself from t ~ 9,000 (0.999).
"""
from __future__ import annotations

import copy

import torch
from torch import nn


def build(G: nn.Module) -> nn.Module:
    """theta_ema at the first step: a frozen copy of G, in eval mode."""
    G_ema = copy.deepcopy(G).eval()
    for p in G_ema.parameters():
        p.requires_grad_(False)
    return G_ema


def beta_at(beta: float, step: int) -> float:
    """The decay for the G update of the run's step `step` (its step count with this update
    counted, 1 = the first): beta, capped by the warm-up."""
    return min(beta, (1.0 + step) / (10.0 + step))


@torch.no_grad()
def update(G_ema: nn.Module, G: nn.Module, beta: float) -> None:
    """theta_ema <- beta theta_ema + (1 - beta) theta, parameters and float buffers alike
    (lerp: a + w (b - a) with w = 1 - beta); integer buffers take G's value."""
    torch._foreach_lerp_(list(G_ema.parameters()), list(G.parameters()), 1.0 - beta)
    pairs = list(zip(G_ema.buffers(), G.buffers(), strict=True))
    floats = [(a, b) for a, b in pairs if a.is_floating_point()]
    if floats:
        torch._foreach_lerp_([a for a, _ in floats], [b for _, b in floats], 1.0 - beta)
    for a, b in pairs:
        if not a.is_floating_point():
            a.copy_(b)
