"""`python -m playground sample`: samples of a generator checkpoint (a file or a shipped run)
as .npy, and for digits a PNG grid of them."""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from playground.cli import UserError, command


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
    p.add_argument("--label", type=int, default=None,
                   help="a conditional generator (cond concat / projection): draw digits of "
                        "this class, 0-9 (default: the classes 0-9 in turn)")
    p.add_argument("--code", type=int, default=None,
                   help="an InfoGAN generator (info_codes infogan): draw digits of this "
                        "categorical code value, 0-9 (default: its code grid, 10 rows of "
                        "code values, --n / 10 columns sweeping a continuous code)")
    p.add_argument("--sweep", type=int, default=0, choices=(0, 1),
                   help="an InfoGAN code grid: which continuous code its columns sweep")
    p.add_argument("--out", default="runs/samples", help="output directory")


def _sample(args: argparse.Namespace) -> None:
    """samples.npy from G (images: (N, 28, 28) in [-1, 1]; 2D: (N, 2)) and, for images, a PNG
    grid of them."""
    from playground.figures import pictures
    if not 1 <= args.n <= 100_000:
        raise UserError(f"--n must be in [1, 100000], got {args.n}")
    run = load_generator(args.checkpoint)
    infogan = run.cfg.info_codes != "none"
    if infogan and args.label is not None:
        raise UserError(f"--label {args.label}: {args.checkpoint} is an InfoGAN generator; "
                        "its codes found their own meaning: use --code (0-9)")
    if args.label is not None:
        if run.cfg.cond == "none":
            raise UserError(f"--label {args.label}: {args.checkpoint} is an unconditional "
                            "generator (cond none); its G takes no class. Leave --label out, "
                            "or train one with --set cond=projection (or cond=concat)")
        if not 0 <= args.label <= 9:
            raise UserError(f"--label must be a digit class 0-9, got {args.label}")
    if args.code is not None:
        if not infogan:
            raise UserError(f"--code {args.code}: {args.checkpoint} has no InfoGAN codes "
                            "(info_codes none). Leave --code out, or train one with "
                            "--preset infogan")
        if not 0 <= args.code <= 9:
            raise UserError(f"--code must be a categorical code value 0-9, got {args.code}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    grid = infogan and args.code is None
    if grid:  # InfoGAN's figure: row k code value k, columns sweep a continuous code
        samples = run.code_grid(args.seed, max(1, args.n // 10), args.sweep).astype(np.float32)
    else:
        label = args.code if infogan else args.label
        samples = run.samples(args.n, args.seed, label).astype(np.float32)
    np.save(out / "samples.npy", samples)
    wrote = ["samples.npy"]
    if samples.ndim == 3:
        # a conditional run without --label draws classes 0-9 in turn: column k is class k
        cols = 10 if run.cfg.cond != "none" and args.label is None else None
        cols = max(1, args.n // 10) if grid else cols
        (out / "samples.png").write_bytes(pictures.png(pictures.tile(samples, cols), scale=3))
        wrote.append("samples.png")
    what = "" if args.label is None else f" of class {args.label}"
    what = f" of code value {args.code}" if args.code is not None else what
    if grid:
        what = (f" as InfoGAN's code grid (10 rows, one per code value; {len(samples) // 10} "
                f"columns sweeping continuous code {args.sweep} from -2 to 2)")
    print(f"{len(samples)} samples{what} of {run.arch} at step {run.step_count} -> {out}: "
          f"{', '.join(wrote)}")


command("sample", "draw samples from a generator checkpoint (or a shipped one): .npy and PNG",
        _sample_args, _sample)
