"""An exponential moving average of G's weights, the generator a run shows and scores.

After every G update, theta_ema <- beta theta_ema + (1 - beta) theta (Karras et al. 2018,
"Progressive Growing of GANs", use beta 0.999; Yazici et al. 2019 show the average lands
nearer the game's equilibrium than the last iterate, which orbits it). Batch norm's running
statistics are averaged with the same beta: they are buffers of G, estimated under G's
current weights, and the averaged weights need statistics averaged over the same window
(a step counter such as `num_batches_tracked` is copied). The copy never trains and stays in
eval mode; it owns nothing else (the run decides when to update it, checkpoints store it).
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
