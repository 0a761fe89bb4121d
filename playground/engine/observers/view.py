"""What an observer may read of a run: the protocol `run.Run` satisfies, so that observers type
against it without importing the engine (the engine imports them; nothing points back).

Attributes and two methods that never change training: `observing()` (G and D in eval mode for
the duration) and `sample_z(n, gen)` with the observer's own generator. An observer never calls
`evaluate` or `snapshot`: the run evaluates first and hands the record to the observer.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

import torch
from torch import nn

from playground.config import RunConfig
from playground.losses import LossSpec


class RunView(Protocol):
    cfg: RunConfig
    device: torch.device
    data: Any  # datasets.Distribution or ImageDistribution
    G: nn.Module
    G_shown: nn.Module  # what is pictured and scored: G or its moving average (ema.py)
    D: nn.Module
    loss: LossSpec
    step_count: int
    status: str  # "ok" | "diverged"
    reason: str
    history: dict[str, list[float]]  # step, d_loss, g_loss
    metric_history: dict[str, list[float]]  # live evaluations, "step" key
    events: list[tuple[int, str]]  # (step, what changed) per live change

    def observing(self) -> AbstractContextManager[None]: ...

    def sample_z(self, n: int, gen: torch.Generator | None = None) -> torch.Tensor: ...
