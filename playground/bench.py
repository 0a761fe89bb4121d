"""`python -m playground bench`: headless engine steps/s against the plainest PyTorch loop.

Both loops train the same default 2D setup (`RunConfig()`: 3x128 ReLU MLPs, batch 256, NS
loss, Adam 1e-3) on the same device. The baseline is the loop most tutorials write
(pytorch/examples' DCGAN shape): separate D passes on real and fake, BCEWithLogits, .item()
logging every step.
"""
from __future__ import annotations

import json
import platform
import statistics
import time

import torch
import torch.nn.functional as F

from .config import RunConfig
from .models import Discriminator, Generator
from .run import Run, pick_device


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def baseline_steps_per_s(cfg: RunConfig, steps: int, device: torch.device) -> float:
    torch.manual_seed(cfg.seed)
    G = Generator(cfg.latent_dim, cfg.width, cfg.depth, cfg.activation).to(device)
    D = Discriminator(cfg.width, cfg.depth, cfg.activation).to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=(cfg.beta1_g, cfg.beta2_g))
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=(cfg.beta1_d, cfg.beta2_d))
    angles = 2 * torch.pi * torch.arange(8, device=device) / 8
    centres = torch.stack([angles.cos(), angles.sin()], 1)
    B = cfg.batch_size
    ones, zeros = torch.ones(B, device=device), torch.zeros(B, device=device)

    def one_step() -> None:
        real = centres[torch.randint(8, (B,), device=device)] + 0.01 * torch.randn(
            B, 2, device=device)
        fake = G(torch.randn(B, cfg.latent_dim, device=device))
        d_loss = (F.binary_cross_entropy_with_logits(D(real), ones)
                  + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        d_loss.item(), g_loss.item()  # per-step logging, as tutorials do

    return _time(one_step, steps, device)


def engine_steps_per_s(cfg: RunConfig, steps: int, device: torch.device) -> float:
    run = Run(cfg, device=device)
    return _time(lambda: run.train(1), steps, device, run=run)


def _time(fn, steps: int, device: torch.device, run: Run | None = None) -> float:
    for _ in range(20):  # warm-up: allocator, kernels, Adam state
        fn()
    _sync(device)
    if run is not None:  # time whole train() calls so its batched syncs count
        start = time.perf_counter()
        run.train(steps)
        _sync(device)
        return steps / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    _sync(device)
    return steps / (time.perf_counter() - start)


def bench(steps: int = 500, repeats: int = 5, device: torch.device | None = None) -> dict:
    """Alternate the two loops `repeats` times and report medians and the median ratio."""
    device = device or pick_device()
    cfg = RunConfig()
    engine, base, ratios = [], [], []
    for _ in range(repeats):
        e = engine_steps_per_s(cfg, steps, device)
        b = baseline_steps_per_s(cfg, steps, device)
        engine.append(e), base.append(b), ratios.append(e / b)
    return {
        "config": f"ring, {cfg.depth}x{cfg.width} {cfg.activation} MLPs, batch {cfg.batch_size}, "
                  f"{cfg.loss} loss, {cfg.opt_d} lr {cfg.lr_d:g}",
        "device": str(device), "torch": torch.__version__, "threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(), "steps_per_repeat": steps,
        "engine_steps_per_s_median": round(statistics.median(engine), 1),
        "baseline_steps_per_s_median": round(statistics.median(base), 1),
        "ratio_median": round(statistics.median(ratios), 2),
        "engine_runs": [round(x, 1) for x in engine], "baseline_runs": [round(x, 1) for x in base],
    }


def main(steps: int, repeats: int) -> None:
    print(json.dumps(bench(steps, repeats), indent=2))
