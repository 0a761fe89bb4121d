"""A rough price of a configuration (2D or images) on this CPU, so the app can say 'this will
be slow' before a heavy run makes the page look frozen (batch 8192, width 1024, depth 8 and a
400 x 400 surface took 34 s to show its first picture with no word).

The model: a step costs a fixed dispatch overhead plus its multiply-adds at a sustained rate,
both measured here on one torch thread (a 2048 x 1024 x 1024 matmul ran at ~94 GFLOP/s; the
default 3x128 setup took 3.5 ms a step, width 512 x 4 at batch 1024 took 200 ms).
A gradient penalty (R1, WGAN-GP) is priced too: unpriced, WGAN-GP at 4 x 512 was estimated
at 188 ms a step and took 353 ms; priced, 323 ms (2026-12-07, ring, batch 256, one thread).
"""
from __future__ import annotations

from dataclasses import dataclass

from playground.config import RunConfig, arch_of
from playground.data.datasets import kind_of
from playground.models import MODELS
from playground.remedies import PENALTIES

FLOPS_PER_S = 90e9  # sustained fp32 rate of one thread on this box (see above)
STEP_OVERHEAD_S = 0.9e-3  # Python and dispatch per step, small batches (batch 64: 0.9 ms)
PICTURE_OVERHEAD_S = 2e-3
FIELD_POINTS, MANIFOLD_POINTS = 21 * 21, 25 * 25  # observe's overlays
SLOW_STEPS_PER_S = 10.0  # below this a run visibly crawls
SLOW_PICTURE_S = 0.5  # above this the live picture lags
# D-forward equivalents per sample of one gradient penalty: the input gradient is a backward
# (~2 forwards) kept as a graph, and the loss's backward goes back through it (~4 more).
# Measured at 4 x 512 (ring, batch 256, one thread): ns 66 ms a step, with R1 91 ms.
PENALTY_PASSES = 6


def mlp_macs(n_in: int, n_out: int, width: int, depth: int) -> int:
    """Multiply-adds per sample of the lab's MLP (models.mlp)."""
    if depth == 0:
        return n_in * n_out
    return n_in * width + (depth - 1) * width * width + width * n_out


@dataclass(frozen=True)
class Estimate:
    seconds_per_step: float
    seconds_per_picture: float

    @property
    def slow(self) -> bool:
        return (1 / self.seconds_per_step < SLOW_STEPS_PER_S
                or self.seconds_per_picture > SLOW_PICTURE_S)

    def describe(self) -> str:
        return (f"about {_fmt_s(self.seconds_per_step)} a step and "
                f"{_fmt_s(self.seconds_per_picture)} a picture on one CPU thread")


def _fmt_s(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms" if seconds < 1 else f"{seconds:.0f} s"


def network_macs(cfg: RunConfig) -> tuple[int, int]:
    """Multiply-adds per sample of (G, D) for the config's architecture (its registry entry
    prices it; the 2D nets at the lab's MLP of the config's width and depth)."""
    spec = MODELS.get(arch_of(cfg))
    if spec.macs is not None:
        return spec.macs(cfg)
    return mlp_macs(cfg.latent_dim, 2, cfg.width, cfg.depth), mlp_macs(2, 1, cfg.width, cfg.depth)


def estimate(cfg: RunConfig) -> Estimate:
    g, d = network_macs(cfg)
    b = cfg.batch_size
    # FLOPs = 2 x MACs; a backward pass costs ~2 forwards. D step: D on 2B (fwd + bwd), plus
    # G's forward on B; G step: G and D on B (fwd + bwd). Unrolling repeats the D step k times
    # with second-order terms (~3x each). Each penalty that is on adds its passes of D on B.
    penalties = sum(getattr(cfg, field) > 0 for field in PENALTIES)
    d_step = 2 * (3 * d * 2 * b + g * b + penalties * PENALTY_PASSES * d * b)
    g_step = 2 * 3 * (g + d) * b
    unroll = 3 * cfg.unroll_steps * d_step
    flops = cfg.n_critic * d_step + g_step + unroll
    if kind_of(cfg.dataset) == "image":  # the grid, its scores, 300 fakes for the metrics
        picture = 2 * (g * (cfg.n_fixed + 300) + d * cfg.n_fixed)
    else:  # D over the surface grid, the pushes, G over the tracked z and the manifold
        picture = 2 * (d * (cfg.grid_res**2 + 3 * (cfg.n_fixed + FIELD_POINTS))
                       + g * (cfg.n_fixed + MANIFOLD_POINTS))
    return Estimate(STEP_OVERHEAD_S * cfg.n_critic + flops / FLOPS_PER_S,
                    PICTURE_OVERHEAD_S + picture / FLOPS_PER_S)
