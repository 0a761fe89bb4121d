"""The device check (issue 19, item 7): one short script that says what this machine does with
the lab. Prints JSON: device, torch/CUDA versions, eager steps/s of the 2D default, images/s and
time to the quality bar of dcgan_fast, the K-run batched rate, host syncs and ATen calls per
step (tools/step_ops.py), CUDA context memory, and whether every shipped run loads and samples.

    python -m tools.gpu_check            # on CUDA when torch sees it: well under 3 minutes
    python -m tools.gpu_check --quick    # short timings (a CI test runs it on the CPU)

Only measures; changes nothing. Steps/s are wall clock with the device synchronised.
"""
from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np
import torch

from playground.cli.bench_images import images_per_s, time_to_quality
from playground.config import RunConfig
from playground.engine.batched import BatchedRuns
from playground.engine.run import Run
from tools.step_ops import run_steps


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def steps_per_s(device: torch.device, seconds: float) -> float:
    """Eager training iterations per second of the 2D default (after a warm-up)."""
    run = Run(RunConfig(), device=device)
    run.train(20)
    _sync(device)
    steps = run.train_for(seconds)
    _sync(device)
    return steps / seconds


def batched_rate(device: torch.device, k: int, steps: int) -> dict:
    """K 2D default runs as one computation (engine/batched.py): steps/s of the whole group."""
    runs = [Run(RunConfig(seed=i), device=device) for i in range(k)]
    group = BatchedRuns(runs)
    group.train(5)
    group.sync()
    _sync(device)
    start = time.perf_counter()
    group.train(steps)
    group.sync()
    _sync(device)
    per_step = (time.perf_counter() - start) / steps
    return {"k": k, "steps_per_s": round(1 / per_step, 1), "ms_per_step": round(per_step * 1e3, 3)}


def step_ops(device: torch.device) -> dict:
    """Host syncs and ATen calls per steady step, 2D default and dcgan_fast."""
    from playground.presets import config_for
    out = {}
    for name, cfg in (("2d_default", RunConfig()), ("dcgan_fast", config_for("dcgan_fast"))):
        run = Run(cfg, device=device)
        run.train(2)
        mode = run_steps(run, 3)
        out[name] = {"host_syncs_per_step": len(mode.syncs) / 3,
                     "aten_calls_per_step": mode.total / 3}
    return out


def cuda_memory(device: torch.device) -> dict | str:
    """What the CUDA context and this process's tensors take on the card (n/a off CUDA)."""
    if device.type != "cuda":
        return "n/a (no CUDA device)"
    free, total = torch.cuda.mem_get_info(device)
    return {"used_on_card_mb": round((total - free) / 2**20), "total_mb": round(total / 2**20),
            "allocated_by_torch_mb": round(torch.cuda.memory_allocated(device) / 2**20),
            "reserved_by_torch_mb": round(torch.cuda.memory_reserved(device) / 2**20)}


def shipped_runs(device: torch.device) -> dict[str, str]:
    """Every shipped run loaded on `device` and sampled (64 fakes): "ok" or the error."""
    from playground.store import pretrained
    out = {}
    for id_, _ in pretrained.read_manifest().items():
        try:
            run = pretrained.load(id_, device=device)
            # through the run, not G(z): a conditional G takes (z, y) (classes 0-9 in turn)
            finite = bool(np.isfinite(run.samples(64, 0)).all())
            events = [what for _, what in run.events if "re-seeded" in what]
            out[id_] = ("ok" if finite else "non-finite samples") + (
                f" ({events[-1]})" if events else "")
        except Exception as e:  # a report, not a crash: say which run and why
            out[id_] = f"failed: {type(e).__name__}: {e}"
    return out


def check(quick: bool, device: torch.device) -> dict:
    seconds = 1.0 if quick else 5.0
    start = time.perf_counter()
    report = {
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda"
        else platform.processor() or platform.machine(),
        "torch": torch.__version__, "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
        "torch_threads": torch.get_num_threads(), "quick": quick,
        "eager_steps_per_s_2d_default": round(steps_per_s(device, seconds), 1),
        "dcgan_fast_images_per_s": round(max(images_per_s("dcgan_fast", seconds, 1, device)), 1),
        # the quality bar: 10/10 classes, confidence >= 0.9, class KL < 0.1 (bench_images.BAR)
        "dcgan_fast_to_quality_bar": time_to_quality(
            "dcgan_fast", limit_s=2.0 if quick else 60.0, every_s=2.0,
            device=device),
        "batched": batched_rate(device, k=8 if quick else 64, steps=20 if quick else 200),
        "step_ops": step_ops(device),
        "cuda_memory": cuda_memory(device),
        "shipped_runs": shipped_runs(device),
    }
    report["seconds"] = round(time.perf_counter() - start, 1)
    return report


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="short timings (CI, CPU)")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    args = p.parse_args(argv)
    if args.device == "auto":
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        device = torch.device(args.device)
    report = check(args.quick or device.type == "cpu", device)
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
