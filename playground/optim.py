"""Optimiser registry: build one per network from the run config, and retune it in place.

Changing lr or betas mid-run edits the param groups (moments kept); changing the optimiser kind
builds a fresh one (its moments start at zero, the weights are untouched). `decay` is the
learning rates' schedule: both halve every `lr_halflife` steps of the run.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch

from playground.registry import Registry


@dataclass(frozen=True)
class OptimiserSpec:
    label: str
    build: Callable[[Iterable[torch.nn.Parameter], float, tuple[float, float]],
                    torch.optim.Optimizer]
    uses_betas: bool


OPTIMISERS: Registry[OptimiserSpec] = Registry("optimiser")
# fused=True runs each update as one kernel over all tensors (CPU and CUDA). Adam's default
# per-tensor loop took about a quarter of a 2D step here (~350 us of ~2.7 ms per optimiser);
# fused was ~2.8x faster than foreach. RMSprop has no fused kernel: foreach batches it.
OPTIMISERS.add("adam", OptimiserSpec(
    "Adam", lambda p, lr, betas: torch.optim.Adam(p, lr=lr, betas=betas, fused=True), True))
OPTIMISERS.add("rmsprop", OptimiserSpec(
    "RMSProp", lambda p, lr, betas: torch.optim.RMSprop(p, lr=lr, foreach=True), False))
OPTIMISERS.add("sgd", OptimiserSpec(
    "SGD", lambda p, lr, betas: torch.optim.SGD(p, lr=lr, fused=True), False))


def build(kind: str, params, lr: float, betas: tuple[float, float]) -> torch.optim.Optimizer:
    return OPTIMISERS.get(kind).build(list(params), lr, betas)


def retune(opt: torch.optim.Optimizer, lr: float, betas: tuple[float, float]) -> None:
    for group in opt.param_groups:
        group["lr"] = lr
        if "betas" in group:
            group["betas"] = betas


def decay(step: int, halflife: int) -> float:
    """The learning rates' factor at `step` when they halve every `halflife` steps:
    0.5 ** (step / halflife), a smooth exponential decay; 1 (constant) when halflife is 0."""
    return 0.5 ** (step / halflife) if halflife > 0 else 1.0
