"""Unrolled discriminator (Metz et al. 2017): G's loss is taken against D after k more steps.

The k look-ahead D updates are differentiable functions of G's parameters (create_graph), so
G's gradient includes how D would react to it: the term that discourages mode hopping. The
look-ahead copies D's optimiser: Adam's update from its current moments, else plain SGD.
Penalties and instance noise are left out of the look-ahead (they would need third-order
gradients); D's real weights are never changed here.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call


def unrolled_scores(D: nn.Module, opt_d: torch.optim.Optimizer, d_loss: Callable,
                    k: int, batches: list[tuple[torch.Tensor, torch.Tensor]],
                    x_eval: torch.Tensor) -> torch.Tensor:
    """Scores of x_eval under D unrolled k steps on `batches` of (real, fake-with-graph)."""
    names = [n for n, _ in D.named_parameters()]
    # theta_D^0 is a constant for G (detached), but the look-ahead differentiates through it.
    params = {n: p.detach().requires_grad_(True) for n, p in D.named_parameters()}
    states = [opt_d.state.get(p, {}) for p in D.parameters()]
    group = opt_d.param_groups[0]
    lr = group["lr"]
    b1, b2 = group.get("betas", (0.0, 0.0))
    eps = group.get("eps", 1e-8)
    moments = [(s.get("exp_avg"), s.get("exp_avg_sq")) for s in states]
    # Adam's step counts stay device tensors (float64, as Python's float was): float() of one
    # was a host sync per D parameter (8 a step for the 2D MLP), and none may run in a step.
    # Stacked, the bias corrections of all parameters cost 5 ops per look-ahead step, not 5
    # per parameter.
    adam = "betas" in group and all(m is not None for m, _ in moments)
    steps = torch.stack([s["step"] for s in states]).to(torch.float64) if adam else None
    for i in range(k):
        real, fake = batches[i]
        scores = functional_call(D, params, (torch.cat([real, fake]),))
        loss = d_loss(real=scores[: len(real)], fake=scores[len(real):])
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
        new, new_moments = {}, []
        if adam:
            t = steps + (i + 1)  # (P,) each parameter's step count after this update
            c1, c2 = (1 - b1**t).unbind(), (1 - b2**t).unbind()
        for j, (name, g, (m, v)) in enumerate(zip(names, grads, moments, strict=True)):
            if adam:
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                m_hat, v_hat = m / c1[j], v / c2[j]
                # 1e-20 keeps d sqrt(v)/dv finite where a gradient entry is exactly 0
                new[name] = params[name] - lr * m_hat / ((v_hat + 1e-20).sqrt() + eps)
            else:  # first step of Adam or a non-Adam optimiser: an SGD look-ahead
                new[name] = params[name] - lr * g
            new_moments.append((m, v))
        params, moments = new, new_moments
    return functional_call(D, params, (x_eval,))
