"""`python -m playground bench --dataset mnist`: how fast the engine trains a DCGAN on digits,
and how long it takes from scratch to digits of quality.

Images/s is measured over fixed wall-time windows of training alone (the first preset). Time
to quality is the training wall time (evaluations excluded) until an evaluation of 2,000 fakes
(the protocol, the frozen classifier) first shows all 10 classes with mean confidence >= 0.9
and class KL < 0.1; measured for each preset asked for (default: dcgan_quick, the fastest to
the bar, and dcgan_fast, which it replaced there: its class balance drifts), on each seed
asked for. With `drift_steps`, each run then trains on to that many steps and is evaluated
again: a fast preset whose class balance drifts away later (class KL rising past the bar) shows
it there.
"""
from __future__ import annotations

import json
import platform
import statistics
import time

import torch

from playground.engine.run import Run, pick_device
from playground.presets import config_for

BAR = {"classes": 10, "confidence": 0.9, "class_kl": 0.1}  # the quality bar


def reached(m: dict[str, float]) -> bool:
    return (m["classes"] >= BAR["classes"] and m["confidence"] >= BAR["confidence"]
            and m["class_kl"] < BAR["class_kl"])


def images_per_s(preset: str, seconds: float, repeats: int, device: torch.device) -> list[float]:
    run = Run(config_for(preset), device=device)
    run.train(10)  # warm-up: allocator, kernels, Adam state
    out = []
    for _ in range(repeats):
        _sync(device)
        steps = run.train_for(seconds)
        _sync(device)
        out.append(steps * run.cfg.batch_size / seconds)
    return out


def time_to_quality(preset: str, limit_s: float, every_s: float,
                    device: torch.device, seed: int = 0, drift_steps: int = 0) -> dict:
    run = Run(config_for(preset, seed=seed), device=device)
    trained, start, last = 0.0, time.perf_counter(), {}
    while trained < limit_s:
        t = time.perf_counter()
        run.train_for(every_s)
        _sync(device)
        trained += time.perf_counter() - t
        last = run.evaluate(protocol=True)
        if reached(last):
            break
    out = {"seed": seed, "reached": reached(last), "train_seconds": round(trained, 1),
           "wall_seconds_with_evaluations": round(time.perf_counter() - start, 1),
           "steps": run.step_count, "images": run.step_count * run.cfg.batch_size,
           "at_stop": _rounded(last)}
    if drift_steps > run.step_count:
        run.train(drift_steps - run.step_count)
        later = run.evaluate(protocol=True)
        out["later"] = {"steps": run.step_count, "still_at_bar": reached(later),
                        **_rounded(later)}
    return out


def _rounded(m: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in m.items() if not k.startswith("hist")}


def over_seeds(preset: str, seeds: tuple[int, ...], limit_s: float, every_s: float,
               device: torch.device, drift_steps: int = 0) -> dict:
    """time_to_quality on each seed, with the median training time of the seeds that got there."""
    runs = [time_to_quality(preset, limit_s, every_s, device, s, drift_steps) for s in seeds]
    got = [r["train_seconds"] for r in runs if r["reached"]]
    return {"lr": f"lr_d {config_for(preset).lr_d:g}, lr_g {config_for(preset).lr_g:g}",
            "reached_on": f"{len(got)}/{len(runs)} seeds",
            "median_train_seconds": statistics.median(got) if got else None, "runs": runs}


def strip_ms(repeats: int = 20, n: int = 16) -> list[float]:
    """Milliseconds to decode and label a strip of n digits (the latent explorer's unit of
    work) with the shipped DCGAN, warm."""
    from playground.latent import explorer
    from playground.latent import ops as latent
    ex = explorer.Explorer.shipped()
    a, b = ex.z_batch(2, 0)
    z = latent.path(a, b, n, "slerp")
    ex.decode(z)  # warm-up
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        ex.decode(z)
        out.append((time.perf_counter() - start) * 1e3)
    return out


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def bench(presets: tuple[str, ...] = ("dcgan_quick", "dcgan_fast"), seconds: float = 5.0,
          repeats: int = 3, limit_s: float = 300.0, every_s: float = 2.5,
          device: torch.device | None = None, seeds: tuple[int, ...] = (0,),
          drift_steps: int = 0) -> dict:
    device = device or pick_device()
    cfg = config_for(presets[0])
    rates = images_per_s(presets[0], seconds, repeats, device)
    strips = strip_ms()
    return {
        "preset": presets[0], "config": f"{cfg.arch} width {cfg.width}, latent "
                                        f"{cfg.latent_dim}, batch {cfg.batch_size}, {cfg.loss}",
        "device": str(device), "torch": torch.__version__, "threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "images_per_s_median": round(statistics.median(rates), 1),
        "images_per_s_runs": [round(r, 1) for r in rates],
        "latent_strip_16_ms_median": round(statistics.median(strips), 1),
        "bar": BAR,
        "time_to_quality": {p: over_seeds(p, seeds, limit_s, every_s, device, drift_steps)
                            for p in presets},
    }


def main(presets: str, seconds: float, repeats: int, limit_s: float,
         seeds: tuple[int, ...] = (0,), drift_steps: int = 0) -> None:
    """`presets`: image preset ids, comma-separated."""
    ids = tuple(p.strip() for p in presets.split(",") if p.strip())
    print(json.dumps(bench(ids, seconds, repeats, limit_s, seeds=seeds,
                           drift_steps=drift_steps), indent=2))
