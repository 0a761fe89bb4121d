"""`python -m playground bench`: headless engine steps/s against the plainest PyTorch loop (the
command itself, whose `--dataset mnist` runs `bench_images`, is registered at the end).

Both loops train the same default 2D setup (`RunConfig()`: 3x128 ReLU MLPs, batch 256, NS
loss, Adam 1e-3) on the same device. The baseline is the loop most tutorials write
(pytorch/examples' DCGAN shape): separate D passes on real and fake, BCEWithLogits, .item()
logging every step.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch
import torch.nn.functional as F

from playground.cli import UserError, command
from playground.config import RunConfig
from playground.engine.lockstep import Lockstep
from playground.engine.run import Run, pick_device
from playground.models import Discriminator, Generator


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


COMPARE_LOSSES = ("ns", "hinge", "lsgan", "minimax")  # one per member: batchable, not equal


def _lockstep_seconds(cfgs: list[RunConfig], steps: int, batched: bool) -> tuple[float, str]:
    # eval_every beyond `steps`: only training is timed (no evaluation after the first)
    lock = Lockstep(cfgs, [c.loss for c in cfgs], eval_every=10_000, batched=batched)
    lock.advance(60.0, 16)  # warm-up: allocator, kernels, optimiser state
    start = time.perf_counter()
    lock.advance(3600.0, steps)
    _sync(lock.runs[0].device)
    return time.perf_counter() - start, lock.mode


def bench_compare(k: int, steps: int = 200, repeats: int = 3) -> dict:
    """K lockstep runs of the default 2D setup (one loss each), batched and in turns, against
    one run alone; the same process and thread count, medians of `repeats`."""
    if not 2 <= k <= len(COMPARE_LOSSES):
        raise ValueError(f"--compare takes 2-{len(COMPARE_LOSSES)} runs, got {k}")
    cfgs = [RunConfig(loss=loss) for loss in COMPARE_LOSSES[:k]]
    one, bat, seq, modes = [], [], [], {}
    for _ in range(repeats):
        one.append(_lockstep_seconds(cfgs[:1], steps, False)[0])
        t, modes["batched"] = _lockstep_seconds(cfgs, steps, True)
        bat.append(t)
        t, modes["sequential"] = _lockstep_seconds(cfgs, steps, False)
        seq.append(t)
    med = {name: statistics.median(v) for name, v in (("one", one), ("batched", bat),
                                                       ("sequential", seq))}
    return {
        "config": f"ring, {cfgs[0].depth}x{cfgs[0].width} {cfgs[0].activation} MLPs, batch "
                  f"{cfgs[0].batch_size}, losses {', '.join(c.loss for c in cfgs)}",
        "k": k, "device": str(pick_device()), "torch": torch.__version__,
        "threads": torch.get_num_threads(), "steps_per_repeat": steps, "modes": modes,
        "one_run_s_median": round(med["one"], 3),
        "batched_s_median": round(med["batched"], 3),
        "sequential_s_median": round(med["sequential"], 3),
        "ratio_batched_to_one": round(med["batched"] / med["one"], 2),
        "ratio_sequential_to_one": round(med["sequential"] / med["one"], 2),
    }


def main(steps: int, repeats: int, compare: int = 0) -> None:
    out = bench_compare(compare, steps, repeats) if compare else bench(steps, repeats)
    print(json.dumps(out, indent=2))


# ---- the command ---------------------------------------------------------------------------------
def _bench_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default="ring", choices=("ring", "mnist"),
                   help="ring: 2D engine vs a plain loop; mnist: DCGAN images/s and the time "
                        "from scratch to 10/10 classes, confidence >= 0.9, class KL < 0.1")
    p.add_argument("--steps", type=int, default=500, help="steps per timed repeat (ring)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--preset", default="dcgan_quick,dcgan_fast",
                   help="image presets, comma-separated (mnist): images/s for the first, time "
                        "to quality for each")
    p.add_argument("--compare", type=int, default=0, metavar="K",
                   help="ring: K (2-4) lockstep runs batched and in turns vs one run alone")
    p.add_argument("--limit", type=float, default=300.0,
                   help="give up on the quality bar after this many training seconds (mnist)")
    p.add_argument("--seeds", default="0",
                   help="seeds to time to quality, comma-separated (mnist): a median over "
                        "seeds, since one seed's trajectory is chaotic")
    p.add_argument("--drift-steps", type=int, default=0, metavar="N",
                   help="then train each run on to N steps and evaluate again (mnist): does "
                        "the class balance hold?")


def _bench(args: argparse.Namespace) -> None:
    if args.dataset == "mnist":
        from playground.cli.bench_images import main as images_main
        from playground.presets import ids_for
        ids = [i.strip() for i in args.preset.split(",") if i.strip()]
        bad = [i for i in ids if i not in ids_for("image")]
        if not ids or bad:
            raise UserError(f"--preset takes image presets ({', '.join(ids_for('image'))}); "
                            f"got {args.preset!r}")
        try:
            seeds = tuple(int(s) for s in args.seeds.split(",") if s.strip())
        except ValueError:
            seeds = ()
        if not seeds or min(seeds) < 0:
            raise UserError(f"--seeds takes non-negative integers, comma-separated; got "
                            f"{args.seeds!r}")
        if args.drift_steps < 0:
            raise UserError(f"--drift-steps takes a step count >= 0; got {args.drift_steps}")
        images_main(",".join(ids), 5.0, args.repeats, args.limit, seeds, args.drift_steps)
        return
    main(args.steps, args.repeats, args.compare)


command("bench", "speed benchmarks (JSON): the 2D engine vs a plain loop, or DCGAN on MNIST",
        _bench_args, _bench)
