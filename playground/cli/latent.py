"""`python -m playground latent MODE ...`: the latent explorer's strips from any generator
checkpoint (or a shipped one), as PNG (and GIF for paths) with the classifier's labels in JSON.

Samples are picked by index from a seeded batch (`--batch-seed`), as in the app's picker:
`--a 3` is the batch's sample #3, whatever digit it draws. `--from-digit 3` picks instead the
batch's sample the frozen classifier reads as a 3 most confidently.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from playground.cli import UserError, command
from playground.figures import pictures
from playground.latent import ops as latent

MODES = ("interpolate", "grid", "walk", "sweep", "arithmetic", "same-z-every-class")


def _ints(text: str, n: int | None = None) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UserError(f"expected comma-separated integers, got {text!r}") from None
    if n is not None and len(values) != n:
        raise UserError(f"expected {n} comma-separated integers, got {text!r}")
    return values


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("mode", choices=MODES)
    p.add_argument("--checkpoint", default="shipped:dcgan_mnist",
                   help="a digit checkpoint file, or shipped:ID (default: the shipped DCGAN)")
    p.add_argument("--batch-seed", type=int, default=0, help="seed of the batch samples come from")
    p.add_argument("--batch", type=int, default=64, help="size of that batch")
    p.add_argument("--a", type=int, default=None,
                   help="interpolate: index of the first sample in the batch (default 0); not "
                        "a digit: see --from-digit")
    p.add_argument("--b", type=int, default=None,
                   help="interpolate: index of the second sample in the batch (default 1)")
    p.add_argument("--from-digit", type=int, default=None, metavar="DIGIT",
                   help="interpolate: start at the batch's most confident sample of this digit "
                        "(the frozen classifier's label)")
    p.add_argument("--to-digit", type=int, default=None, metavar="DIGIT",
                   help="interpolate: end at the batch's most confident sample of this digit")
    p.add_argument("--corners", default="0,1,2,3", help="grid: four indices")
    p.add_argument("--points", default="0,1,2,3,4", help="walk: indices visited in order")
    p.add_argument("--steps", type=int, default=10, help="points along a path or sweep")
    p.add_argument("--path", default="slerp", choices=tuple(latent.PATHS))
    p.add_argument("--index", type=int, default=0, help="sweep: the sample swept")
    p.add_argument("--coordinate", type=int, default=None,
                   help="sweep: one z coordinate (default: a random unit direction)")
    p.add_argument("--range", default="-3,3", help="sweep: from,to along the direction")
    p.add_argument("--preset", default="thick_2", help="arithmetic: a preset id")
    p.add_argument("--neighbours", type=int, default=8, help="arithmetic: samples around it")
    p.add_argument("--columns", type=int, default=8,
                   help="same-z-every-class: how many z (columns), each drawn as every class")
    p.add_argument("--out", default="runs/latent", help="output directory")


def _run(args: argparse.Namespace) -> None:
    from playground.cli.sample import load_generator
    from playground.latent import explorer
    run = load_generator(args.checkpoint)
    if args.mode == "same-z-every-class":
        return _every_class(run, args)
    ex = explorer.Explorer.from_run(run, args.checkpoint)
    batch = ex.z_batch(args.batch, args.batch_seed)

    def pick(i: int) -> np.ndarray:
        if not 0 <= i < len(batch):
            raise UserError(f"index {i} is outside the batch of {len(batch)}")
        return batch[i]

    if not 2 <= args.steps <= 200:
        raise UserError(f"--steps must be in [2, 200], got {args.steps}")
    cols, extra = args.steps, {}
    if args.mode == "interpolate":
        a = _end(ex, batch, args.a, args.from_digit, 0, "--a", "--from-digit")
        b = _end(ex, batch, args.b, args.to_digit, 1, "--b", "--to-digit")
        z = latent.path(pick(a), pick(b), args.steps, args.path, ex.tail)
        extra.update({"from": a, "to": b, "norms": [  # of z alone (not a label part)
            round(float(v), 3) for v in np.linalg.norm(z[:, :ex.latent_dim], axis=1)]})
    elif args.mode == "grid":
        z = latent.grid(np.stack([pick(i) for i in _ints(args.corners, 4)]), args.steps,
                        args.path, ex.tail).reshape(-1, ex.width)
    elif args.mode == "walk":
        z = latent.walk(np.stack([pick(i) for i in _ints(args.points)]), args.steps, args.path,
                        ex.tail)
        cols = args.steps
    elif args.mode == "sweep":
        lo, hi = (float(v) for v in args.range.split(","))
        if args.coordinate is None:
            d = np.random.default_rng(args.batch_seed + 1).standard_normal(ex.latent_dim)
            direction = np.concatenate([d / np.linalg.norm(d), np.zeros(ex.tail)]).astype(
                np.float32)  # z only: a conditional G's label part stays one-hot
        elif 0 <= args.coordinate < ex.latent_dim:
            direction = latent.unit(args.coordinate, ex.width)
        else:
            raise UserError(f"--coordinate must be in [0, {ex.latent_dim - 1}]")
        z = latent.sweep(pick(args.index), direction, np.linspace(lo, hi, args.steps))
    else:
        if ex.classes:
            raise UserError("arithmetic looks for digit classes inside z; this generator's "
                            "class is its label (or InfoGAN code): use same-z-every-class")
        preset = explorer.ARITHMETIC.get(args.preset)
        sample = ex.sample(explorer.PRESET_SAMPLE, explorer.PRESET_SEED)
        groups = explorer.preset_groups(sample, preset)
        result = latent.arithmetic(*(sample.z[g] for g in groups))
        z = np.concatenate([sample.z[np.concatenate(groups)],
                            latent.neighbours(result, args.neighbours, 0.25, args.batch_seed)])
        cols, extra["rows"] = 3, ["A", "B", "C", "result and neighbours"]
    decoded = ex.decode(z)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    strip = pictures.tile(decoded.images, cols)
    (out / f"{args.mode}.png").write_bytes(pictures.png(strip, scale=3))
    wrote = [f"{args.mode}.png"]
    if args.mode in ("interpolate", "walk", "sweep"):
        (out / f"{args.mode}.gif").write_bytes(
            pictures.gif(list(decoded.images), ms_per_frame=120, scale=6))
        wrote.append(f"{args.mode}.gif")
    labels = {"mode": args.mode, "source": args.checkpoint, "step": ex.step,
              "labels": decoded.labels.tolist(),
              "confidence": [round(float(c), 3) for c in decoded.confidence], **extra}
    (out / f"{args.mode}.json").write_text(json.dumps(labels, indent=1))
    wrote.append(f"{args.mode}.json")
    ends = (f" from sample #{extra['from']} to sample #{extra['to']} of the batch"
            if "from" in extra else "")
    print(f"{args.mode}{ends}: {len(decoded.labels)} digits, labels {decoded.labels.tolist()} "
          f"-> {out}: {', '.join(wrote)}")


def _every_class(run, args: argparse.Namespace) -> None:
    """A conditional generator's style kept and class changed: row k draws the same `columns`
    z (batch seed `--batch-seed`) under class k; the classifier's reading of each tile and the
    share that reads as its row's class go to JSON."""
    if run.data.kind != "image" or run.cfg.cond == "none":
        raise UserError(f"same-z-every-class needs a class-conditional digit generator (cond "
                        f"concat or projection); {args.checkpoint} is cond={run.cfg.cond!r} on "
                        f"{run.data.kind} data. Train one with --preset cgan_projection")
    if not 1 <= args.columns <= 32:
        raise UserError(f"--columns must be in [1, 32], got {args.columns}")
    import torch

    from playground.latent import explorer
    from playground.metrics import images as image_metrics
    rows = np.stack([run.samples(args.columns, args.batch_seed, label=k) for k in range(10)])
    x = torch.as_tensor(rows.reshape(-1, 1, 28, 28))  # (10 * columns, 1, 28, 28) in [-1, 1]
    log_p, _ = image_metrics.read(x, explorer.classifier(x.device.type))
    read = log_p.argmax(1).reshape(10, args.columns)
    agree = float((read == np.arange(10)[:, None]).mean())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    picture = pictures.tile(rows.reshape(-1, 28, 28), args.columns)
    (out / "same-z-every-class.png").write_bytes(pictures.png(picture, scale=3))
    (out / "same-z-every-class.json").write_text(json.dumps(
        {"mode": args.mode, "source": args.checkpoint, "step": run.step_count,
         "rows": "class 0-9", "columns": f"z {args.columns} of batch seed {args.batch_seed}",
         "labels": read.tolist(), "label_agreement": round(agree, 4)}, indent=1))
    print(f"same z, every class: 10 rows x {args.columns} z, {agree:.0%} read as their row's "
          f"class -> {out}: same-z-every-class.png, same-z-every-class.json")


def _end(ex, batch: np.ndarray, index: int | None, digit: int | None, default: int,
         index_flag: str, digit_flag: str) -> int:
    """An interpolation end: a batch index as given, or the batch's sample the classifier
    reads as `digit` with the highest confidence."""
    if digit is None:
        return default if index is None else index
    if index is not None:
        raise UserError(f"give {index_flag} (a batch index) or {digit_flag} (a digit), not both")
    if not 0 <= digit <= 9:
        raise UserError(f"{digit_flag} must be a digit 0-9, got {digit}")
    decoded = ex.decode(batch)
    found = np.flatnonzero(decoded.labels == digit)
    if not len(found):
        raise UserError(f"no sample of the batch of {len(batch)} reads as a {digit}; try "
                        "another --batch-seed or a larger --batch")
    return int(found[np.argmax(decoded.confidence[found])])


command("latent", "latent-space strips of a digit generator: interpolate, grid, walk, sweep, "
        "arithmetic (PNG, GIF, labels)", _args, _run)
