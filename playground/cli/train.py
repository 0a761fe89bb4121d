"""`python -m playground train`: one preset trained headless through the app's `Run`, written
out as metrics.json (the config, every history, the protocol's final metrics and how they were
computed), the very samples those metrics scored, and a checkpoint.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from playground.cli import UserError, command


def _train_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", default="ns", help="preset id (see `presets`)")
    p.add_argument("--dataset", help="dataset id: ring, grid, spiral, moons, gaussian, custom")
    p.add_argument("--csv", help="points for --dataset custom: a CSV with two numeric columns")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--seed", type=int)
    p.add_argument("--out", default="runs/latest", help="output directory")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override any config field, e.g. --set lr_d=1e-4 (repeatable)")
    p.add_argument("--eval-every", type=int, default=0,
                   help="record metrics every N steps into the history (0 = only at the end)")
    p.add_argument("--dry-run", action="store_true", help="10 steps, for smoke tests")


def build_config(args: argparse.Namespace):
    from playground.config import parse_value
    from playground.presets import PRESETS, config_for
    PRESETS.get(args.preset)
    overrides: dict = {}
    if args.dataset:
        overrides["dataset"] = args.dataset
    if args.seed is not None:
        overrides["seed"] = args.seed
    for item in args.set:
        if "=" not in item:
            raise UserError(f"--set expects KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        overrides[key.strip()] = parse_value(key.strip(), value.strip())
    return config_for(args.preset, **overrides)


def _load_points(args: argparse.Namespace, dataset: str) -> np.ndarray | None:
    from playground.data.uploads import parse_points_csv
    if dataset != "custom":
        if args.csv:
            raise UserError("--csv only applies to --dataset custom")
        return None
    if not args.csv:
        raise UserError("--dataset custom needs --csv FILE")
    try:
        return parse_points_csv(Path(args.csv).read_bytes())
    except OSError as e:
        raise UserError(f"cannot read {args.csv}: {e.strerror}") from None


def _train(args: argparse.Namespace) -> int:
    from playground.engine.run import Run
    from playground.metrics import points2d as metrics
    from playground.store import checkpoint
    cfg = build_config(args)
    steps = 10 if args.dry_run else args.steps
    if steps < 1:
        raise UserError("--steps must be at least 1")
    run = Run(cfg, _load_points(args, cfg.dataset))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    progress = _Progress(steps, sys.stderr.isatty())
    chunk = args.eval_every if args.eval_every > 0 else max(1, min(100, steps // 50 or 1))
    done = 0
    while done < steps and run.status == "ok":
        n = min(chunk, steps - done)
        run.train(n)
        done += n
        if args.eval_every > 0:
            run.evaluate()
        progress.update(done, run)
    progress.close()
    final = run.evaluate(protocol=True)  # 2D: the protocol's 2,500 samples, exact W1
    # The very samples `final` scored: 2D (2500, 2) fakes and the (2500, 2) real points of W1
    # and JSD; images (2000, 28, 28) fakes in [-1, 1] (the real side is the fixed held-out
    # reference). Every number in `final` can be recomputed from them (and D, for js_bound).
    scored = run.scored_samples(protocol=True)
    files = {"samples": "samples.npy", "real": "real.npy"}
    for name, array in scored.items():
        np.save(out / files[name], array.astype(np.float32))
    checkpoint.save(run, out / "checkpoint.pt")
    report = {"config": cfg.to_dict(), "preset": args.preset, "steps": run.step_count,
              "status": run.status, "reason": run.reason, "device": run.device.type,
              "final": final, "evaluation": _evaluation_record(run, scored, files),
              "history": run.history, "metric_history": run.metric_history,
              "protocol_history": run.protocol_history}
    (out / "metrics.json").write_text(json.dumps(_finite(report), indent=1))
    summary = ", ".join(f"{k}={v:.4g}" for k, v in final.items()
                        if math.isfinite(v) and not metrics.per_bin(k))
    # the preset first: "ns on ring" read as the loss the user asked for, not `collapse`
    print(f"preset {args.preset}: {cfg.loss} on {cfg.dataset}: {run.step_count} steps; "
          f"{summary}")
    print(f"wrote {out}/metrics.json, {', '.join(files[n] for n in scored)}, checkpoint.pt")
    if run.status != "ok":
        print(f"run stopped: {run.reason}", file=sys.stderr)
        return 1
    return 0


def _evaluation_record(run, scored: dict, files: dict) -> dict:
    """How `final` was computed from the files beside it: which files, and for 2D data the
    JSD histogram's bounds, the mode centres and std of the coverage metric (all in the data's
    units, as the files are) and how many points exact W1 used."""
    record = {name: files[name] for name in scored}
    if run.data.kind != "points2d":
        record["note"] = ("classifier metrics of samples.npy against the held-out reference "
                          "(image_metrics.held_out_reference)")
        return record
    d = run.data.display
    xmin, xmax, ymin, ymax = run.data.bounds
    record["bounds"] = [d.offset[0] + d.scale * xmin, d.offset[0] + d.scale * xmax,
                        d.offset[1] + d.scale * ymin, d.offset[1] + d.scale * ymax]
    record["w1_n"] = len(scored["samples"])  # the protocol: exact W1 on all of them
    if run.data.truth is not None:
        record["mode_centres"] = (np.asarray(d.offset) + d.scale * run.data.truth.centres
                                  ).tolist()
        record["mode_std"] = d.scale * run.data.truth.std
    return record


def _finite(x):
    """JSON has no NaN/inf: write them as null."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


class _Progress:
    """A one-line progress bar on a terminal; silent when stderr is redirected."""

    def __init__(self, total: int, live: bool):
        self.total, self.live, self.start = total, live, time.perf_counter()

    def update(self, done: int, run) -> None:
        if not self.live:
            return
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        bar = "#" * int(30 * done / self.total)
        d = run.history["d_loss"][-1] if run.history["d_loss"] else math.nan
        g = run.history["g_loss"][-1] if run.history["g_loss"] else math.nan
        sys.stderr.write(f"\r[{bar:<30}] {done}/{self.total}  {rate:.0f} steps/s  "
                         f"D {d:.3f}  G {g:.3f}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.live:
            sys.stderr.write("\n")


command("train", "train a preset headless and write metrics, samples and a checkpoint",
        _train_args, _train)
