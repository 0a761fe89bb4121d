"""Packing (Lin et al. 2018, PacGAN) and minibatch standard deviation (Karras et al. 2018,
ProGAN Sec. 3): two ways to let D see several samples at once, so that a G making the same
point twice is visible to it. Owns the tensor ops and the rules for combining them; the models
put them into their discriminators (`models.py`), the config validates with `check`.

Both group *consecutive* samples, so a D step's cat([real, fake]) never mixes real with fake
when the batch size is a multiple of the group. In training mode D scores groups; in eval mode
(everything the labs observe: D's surface, pushes, the scores beside the metrics) there is no
batch to group, so each sample is scored as a group of copies of itself: a group with no spread,
which is what a fully collapsed G would show D.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

MBSTD_GROUP = 4  # ProGAN's group size: min(4, N) samples share one std (Karras et al. 2018)
MBSTD_EPS = 1e-8  # sqrt(var + 1e-8), as ProGAN's minibatch_stddev_layer


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """(N, C, ...) -> (N/m, m C, ...): consecutive groups of m samples concatenated along the
    feature / channel axis ((N, 2) points -> (N/m, 2m); (N, C, H, W) images -> (N/m, mC, H, W)),
    member 0's features first (Lin et al. 2018, Sec. 3)."""
    n = x.shape[0]
    if n % m:
        raise ValueError(f"cannot pack {n} samples in groups of {m} (pack={m} needs a multiple)")
    return x.reshape(n // m, m * x.shape[1], *x.shape[2:])


def copies(x: torch.Tensor, m: int) -> torch.Tensor:
    """(N, C, ...) -> (N, m C, ...): each sample packed with m - 1 copies of itself."""
    return torch.cat([x] * m, dim=1)


def score(body: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, m: int,
          training: bool) -> torch.Tensor:
    """(N,) scores of a D whose `body` takes packs of m. Training: each member gets its pack's
    score (repeated m times), so every loss, a mean over scores, equals the same mean over the
    N/m packs and its gradient is PacGAN's. Eval: each sample scored as m copies of itself."""
    if m == 1:
        return body(x)
    if training:
        return body(pack(x, m)).repeat_interleave(m)  # (N/m,) -> (N,)
    return body(copies(x, m))


class MinibatchStd(nn.Module):
    """Appends one feature (a constant channel for images): the mean over features and pixels
    of the standard deviation over a group of min(4, N) consecutive samples, the same value for
    every member (Karras et al. 2018, Sec. 3). A short last group uses its own members. In eval
    mode every sample is a group of one with no spread, sqrt(0 + 1e-8)."""

    def __init__(self, group: int = MBSTD_GROUP):
        super().__init__()
        self.group = group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        if self.training:
            g = min(self.group, n)
            full = n - n % g
            parts = [group_std(x[:full], g)]
            if full < n:
                parts.append(group_std(x[full:], n - full))
            s = torch.cat(parts)  # (N,)
        else:
            s = x.new_full((n,), MBSTD_EPS**0.5)
        feature = s.view(n, 1, *([1] * (x.dim() - 2))).expand(n, 1, *x.shape[2:])
        return torch.cat([x, feature], dim=1)  # (N, F) -> (N, F + 1); (N, C, H, W) -> C + 1

    def extra_repr(self) -> str:
        return f"group={self.group}"


def group_std(x: torch.Tensor, g: int) -> torch.Tensor:
    """(N,) per member: mean over features of sqrt(biased var over its group of g + 1e-8)."""
    n = x.shape[0]
    y = x.reshape(n // g, g, *x.shape[1:])
    std = (y.var(dim=1, unbiased=False) + MBSTD_EPS).sqrt()  # (N/g, ...)
    return std.flatten(1).mean(1).repeat_interleave(g)


def group_of(cfg) -> int:
    """Samples one D score depends on in a batch: m per pack, times 4 packs under mbstd."""
    return cfg.pack * (MBSTD_GROUP if cfg.mbstd else 1)


def check(cfg) -> None:
    """Refuse combinations that would mix real with fake in one group or break a penalty."""
    group = group_of(cfg)
    if cfg.batch_size % group:
        what = " x ".join(filter(None, [f"pack={cfg.pack}" if cfg.pack > 1 else "",
                                        f"{MBSTD_GROUP} (mbstd's group)" if cfg.mbstd else ""]))
        below = cfg.batch_size // group * group
        fits = [b for b in (below, below + group) if b >= 2]
        raise ValueError(f"batch_size={cfg.batch_size} is not a multiple of {what} = {group}: "
                         "a group would mix real and fake samples; use a batch size such as "
                         f"{' or '.join(map(str, fits))}")
    on = [name for name in ("gp_lambda", "r1_gamma") if getattr(cfg, name) > 0]
    grouped = [n for n, v in (("packing", cfg.pack > 1), ("minibatch std", cfg.mbstd)) if v]
    if on and grouped:
        raise ValueError(f"{' and '.join(on)}: the penalty needs each score to depend on its "
                         f"own sample, but {' and '.join(grouped)} scores groups of samples "
                         "(its gradients would mix the group); switch one off")


def surface_note(cfg) -> str:
    """What the lab's pictures of D mean under packing / minibatch std ('' when neither is on):
    they are drawn in eval mode, one sample at a time (see the module docstring)."""
    from playground.data.datasets import kind_of
    groups = [f"packs of {cfg.pack}" if cfg.pack > 1 else "",
              "the spread of each group of 4" if cfg.mbstd else ""]
    if not any(groups):
        return ""
    # the 2D lab draws D's surface and pushes; the MNIST lab only its scores on the grid
    shown = "surface, pushes and scores" if kind_of(cfg.dataset) == "points2d" else "scores"
    return (f"D reads {' and '.join(filter(None, groups))}: its {shown} shown here score each "
            "sample as a group of copies of itself (no spread), what a fully collapsed G would "
            "show D.")
