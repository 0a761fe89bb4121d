"""`python -m playground table`: presets trained for a fixed step count on each dataset they
can train, their protocol metrics printed as one Markdown table per kind of data."""
from __future__ import annotations

import argparse
import math
import sys

from playground.cli import UserError, command


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
              "| real FD | label agreement (real) | status |",
              lambda m, ref, run: [
                  f"{m['classes']:.0f}/10", f"{m['class_kl']:.3f}", f"{m['confidence']:.3f}",
                  f"{m['score']:.2f}", f"{m['fd']:.1f}", f"{ref.get('fd', math.nan):.1f}",
                  _agreement(m, ref)]),
}


def _agreement(m: dict, ref: dict) -> str:
    """A conditional run's label agreement beside the classifier's accuracy on real digits
    ('-' for an unconditional run, which asks for no class)."""
    if "label_agreement" not in m:
        return "-"
    return f"{m['label_agreement']:.3f} ({ref.get('label_agreement', math.nan):.3f})"


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
