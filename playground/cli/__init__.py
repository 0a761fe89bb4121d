"""`python -m playground ...`: the headless driver of the same engine the app uses.

Subcommands are a registry: each module in COMMAND_MODULES calls `command(...)` to add its
own. Errors in user input print one line naming the problem and exit with status 2.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.cli import device
from playground.registry import Registry


@dataclass(frozen=True)
class Command:
    help: str
    add_args: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int | None]


COMMANDS: Registry[Command] = Registry("command")
# Further modules that register commands when imported (e.g. the theory lab's).
COMMAND_MODULES: tuple[str, ...] = ("playground.cli.theory", "playground.cli.mnist",
                                     "playground.cli.latent")


def command(name: str, help: str, add_args: Callable, run: Callable) -> None:
    COMMANDS.add(name, Command(help, add_args, run))


class UserError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


# ---- presets -------------------------------------------------------------------------------
def _presets(args: argparse.Namespace) -> None:
    from playground.presets import PRESETS
    width = max(len(i) for i in PRESETS.ids())
    for id_, p in PRESETS.items():
        tag = " [demo]" if p.demo else ""
        print(f"{id_:<{width}}  {p.caption}{tag}")


command("presets", "list preset ids with what to look for", lambda p: None, _presets)


# ---- train ---------------------------------------------------------------------------------
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


# ---- sample --------------------------------------------------------------------------------
def load_generator(spec: str):
    """A run from a checkpoint file, or `shipped:ID` for a run of pretrained/ (checked)."""
    from playground.store import checkpoint, pretrained
    if spec.startswith("shipped:"):
        return pretrained.load(spec.split(":", 1)[1])
    return checkpoint.load(spec)


def _sample_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--checkpoint", required=True,
                   help="a checkpoint file (train's checkpoint.pt, the app's download) or "
                        "shipped:ID for a shipped run, e.g. shipped:dcgan_mnist")
    p.add_argument("--n", type=int, default=64, help="how many samples")
    p.add_argument("--seed", type=int, default=0, help="seed of the z they come from")
    p.add_argument("--out", default="runs/samples", help="output directory")


def _sample(args: argparse.Namespace) -> None:
    """samples.npy from G (images: (N, 28, 28) in [-1, 1]; 2D: (N, 2)) and, for images, a PNG
    grid of them."""
    from playground.figures import pictures
    if not 1 <= args.n <= 100_000:
        raise UserError(f"--n must be in [1, 100000], got {args.n}")
    run = load_generator(args.checkpoint)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    samples = run.samples(args.n, args.seed).astype(np.float32)
    np.save(out / "samples.npy", samples)
    wrote = ["samples.npy"]
    if samples.ndim == 3:
        (out / "samples.png").write_bytes(pictures.png(pictures.tile(samples), scale=3))
        wrote.append("samples.png")
    print(f"{args.n} samples of {run.arch} at step {run.step_count} -> {out}: "
          f"{', '.join(wrote)}")


command("sample", "draw samples from a generator checkpoint (or a shipped one): .npy and PNG",
        _sample_args, _sample)


# ---- table ---------------------------------------------------------------------------------
def _table_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--presets", default="all",
                   help="comma-separated preset ids, or all: every preset that trains each "
                        "dataset's kind of data (2D presets on 2D data, image presets on mnist)")
    p.add_argument("--datasets", default="ring,grid",
                   help="comma-separated dataset ids (2D ones and/or mnist, mnist_full)")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)


# One Markdown table per data kind: (header, cells of a row from the protocol metrics `m`, the
# real data's own values `ref` and the run). 2D: the VEEGAN / PacGAN protocol (2,500 samples,
# exact W1 on all of them); images: 2,000 samples through the frozen classifier, the Frechet
# distance beside the real digits' own value at the same n.
TABLES = {
    "points2d": ("| preset | dataset | steps | modes | % HQ | reverse KL | W1 | JSD | status |",
                 lambda m, ref, run: [
                     f"{m.get('modes', math.nan):.0f}/{_n_modes(run)}",
                     f"{m.get('hq_pct', math.nan):.1f}", f"{m.get('rkl', math.nan):.3f}",
                     f"{m['w1']:.3f}", f"{m['jsd']:.3f}"]),
    "image": ("| preset | dataset | steps | classes | class KL | confidence | score | FD "
              "| real FD | status |",
              lambda m, ref, run: [
                  f"{m['classes']:.0f}/10", f"{m['class_kl']:.3f}", f"{m['confidence']:.3f}",
                  f"{m['score']:.2f}", f"{m['fd']:.1f}", f"{ref.get('fd', math.nan):.1f}"]),
}


def _n_modes(run) -> int:
    return len(run.data.truth.centres) if run.data.truth is not None else 0


def table_pairs(presets: str, datasets: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The (preset, dataset) pairs `table` trains, grouped by data kind (2D first), and a note
    per pair it skips. `all` pairs each dataset with the presets of its kind; a named preset
    runs on every dataset whose data it can train."""
    from playground.config import validate
    from playground.data.datasets import DATASETS, kind_of
    from playground.presets import PRESETS, config_for, ids_for
    data = [d.strip() for d in datasets.split(",") if d.strip()]
    for d in data:
        DATASETS.get(d)  # unknown ids name the valid ones
    named = None if presets.strip() == "all" else [
        p.strip() for p in presets.split(",") if p.strip()]
    for p in named or []:
        PRESETS.get(p)
    pairs, skipped = [], []
    for kind in TABLES:
        for preset in named or ids_for(kind):
            for dataset in data:
                if kind_of(dataset) != kind:
                    continue
                try:
                    validate(config_for(preset, dataset=dataset))
                except ValueError as e:
                    skipped.append(f"skipped {preset} on {dataset}: {e}")
                    continue
                pairs.append((preset, dataset))
    if not pairs:
        raise UserError(f"no preset of {presets!r} trains any dataset of {datasets!r}"
                        + (f" ({skipped[0]})" if skipped else ""))
    return pairs, skipped


def _table(args: argparse.Namespace) -> None:
    """Train each preset on each dataset it can train for a fixed step count; print a
    Markdown table of the protocol metrics per kind of data."""
    from playground.config import validate
    from playground.data.datasets import kind_of
    from playground.engine.run import Run
    from playground.presets import config_for
    if args.steps < 1:
        raise UserError("--steps must be at least 1")
    pairs, skipped = table_pairs(args.presets, args.datasets)
    for note in skipped:
        print(note, file=sys.stderr)
    kind_now = None
    for preset, dataset in pairs:
        kind = kind_of(dataset)
        header, cells = TABLES[kind]
        if kind != kind_now:
            print(("\n" if kind_now else "") + header)
            print("|---" * header.count(" | ") + "|---|")
            kind_now = kind
        run = Run(validate(config_for(preset, dataset=dataset, seed=args.seed)))
        run.train(args.steps)
        m = run.evaluate(protocol=True)
        row = [preset, dataset, str(run.step_count), *cells(m, run.reference(protocol=True),
                                                             run), run.status]
        print("| " + " | ".join(row) + " |", flush=True)


command("table", "train presets for a fixed step count and print their metrics as Markdown",
        _table_args, _table)


# ---- pretrained ----------------------------------------------------------------------------
def _pretrained_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rebuild", nargs="*", metavar="ID",
                   help="retrain these shipped runs from their recipes (all when no id is "
                        "given) and rewrite pretrained/manifest.json")
    p.add_argument("--rescore", nargs="*", metavar="ID",
                   help="score these shipped files again (all when no id is given), no training")


def _pretrained(args: argparse.Namespace) -> None:
    from playground.store import pretrained
    if args.rebuild is not None:
        pretrained.rebuild(ids=args.rebuild or None)
        return
    if args.rescore is not None:
        pretrained.rescore(ids=args.rescore or None)
        return
    entries = pretrained.read_manifest()
    width = max(len(i) for i in entries.ids())
    for id_, e in entries.items():
        s = e.scored
        if "classes" in s:
            score = (f"{s['classes']:.0f}/10 classes, KL {s['class_kl']:.3f}, confidence "
                     f"{s['confidence']:.3f}, FD {s['fd']:.1f}")
        else:
            modes = f"{s['modes']:.0f} modes, {s['hq_pct']:.1f}% HQ, " if "modes" in s else ""
            score = f"{modes}W1 {s.get('w1', math.nan):.3f}"
        print(f"{id_:<{width}}  {e.title}: {e.steps:,} steps of preset {e.preset} ({score})")


command("pretrained", "list the shipped checkpoints in pretrained/, or --rebuild them",
        _pretrained_args, _pretrained)


# ---- bench ---------------------------------------------------------------------------------
def _bench_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default="ring", choices=("ring", "mnist"),
                   help="ring: 2D engine vs a plain loop; mnist: DCGAN images/s and the time "
                        "from scratch to 10/10 classes, confidence >= 0.9, class KL < 0.1")
    p.add_argument("--steps", type=int, default=500, help="steps per timed repeat (ring)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--preset", default="dcgan_fast,dcgan",
                   help="image presets, comma-separated (mnist): images/s for the first, time "
                        "to quality for each")
    p.add_argument("--compare", type=int, default=0, metavar="K",
                   help="ring: K (2-4) lockstep runs batched and in turns vs one run alone")
    p.add_argument("--limit", type=float, default=300.0,
                   help="give up on the quality bar after this many training seconds (mnist)")


def _bench(args: argparse.Namespace) -> None:
    if args.dataset == "mnist":
        from playground.cli.bench_images import main as images_main
        from playground.presets import ids_for
        ids = [i.strip() for i in args.preset.split(",") if i.strip()]
        bad = [i for i in ids if i not in ids_for("image")]
        if not ids or bad:
            raise UserError(f"--preset takes image presets ({', '.join(ids_for('image'))}); "
                            f"got {args.preset!r}")
        images_main(",".join(ids), 5.0, args.repeats, args.limit)
        return
    from playground.cli.bench import main
    main(args.steps, args.repeats, args.compare)


command("bench", "speed benchmarks (JSON): the 2D engine vs a plain loop, or DCGAN on MNIST",
        _bench_args, _bench)


# ---- entry ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    parser = argparse.ArgumentParser(prog="python -m playground",
                                     description="GAN Playground, headless.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, cmd in COMMANDS.items():
        cmd.add_args(p := sub.add_parser(name, help=cmd.help, description=cmd.help))
        if name in device.BUILDS_RUNS:
            device.add_arg(p)
    args = parser.parse_args(argv)
    try:
        with device.chosen(args):
            return COMMANDS.get(args.command).run(args) or 0
    except (UserError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # e.g. an output folder that cannot be made: say which, no traceback
        print(f"error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
