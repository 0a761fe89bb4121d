"""`python -m playground table`: presets trained for a fixed step count on each dataset they
can train, their protocol metrics printed as one Markdown table per kind of data. With several
seeds (`--seeds 0-4`) each cell is the mean ± standard error over them, the seeds of one pair
trained as one batched computation where `reason_not_batchable` allows (engine/trials.py)."""
from __future__ import annotations

import argparse
import math
import sys
import time

from playground.cli import UserError, command
from playground.metrics.trials import summarise


def _table_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--presets", default="all",
                   help="comma-separated preset ids, or all: every preset that trains each "
                        "dataset's kind of data (2D presets on 2D data, image presets on mnist)")
    p.add_argument("--skip", default="",
                   help="comma-separated preset ids to leave out (e.g. --presets all --skip "
                        "r1_wide: a preset with its own, longer table)")
    p.add_argument("--datasets", default="ring,grid",
                   help="comma-separated dataset ids (2D ones and/or mnist, mnist_full)")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--seeds", help="several seeds, e.g. 0-4 or 0,3,7: each cell becomes the "
                                   "mean ± standard error over them (overrides --seed)")


# One Markdown table per data kind: its header and columns as (key of the protocol metrics, or
# "ref:" + key of the real data's own values, digits, what follows: "/K" modes, "/10" classes).
# 2D: the VEEGAN / PacGAN protocol (2,500 samples, exact W1 on all of them); images: 2,000
# samples through the frozen classifier, the Frechet distance beside the real digits' own
# value at the same n. Counts show no decimals for one seed, one for a mean.
TABLES = {
    "points2d": ("| preset | dataset | steps | modes | % HQ | reverse KL | W1 | JSD | status |",
                 (("modes", 0, "modes"), ("hq_pct", 1, ""), ("rkl", 3, ""), ("w1", 3, ""),
                  ("jsd", 3, ""))),
    "image": ("| preset | dataset | steps | classes | class KL | confidence | score | FD "
              "| real FD | label agreement (real) "
              "| code agreement (real) | status |",
              (("classes", 0, "/10"), ("class_kl", 3, ""), ("confidence", 3, ""),
               ("score", 2, ""), ("fd", 1, ""), ("ref:fd", 1, ""),
               ("label_agreement", 3, "(real)"), ("code_agreement", 3, "(real)"))),
}


def parse_seeds(text: str) -> list[int]:
    """'0-4' -> [0, 1, 2, 3, 4]; '0,3,7' -> [0, 3, 7]; '5' -> [5]; each seed once."""
    seeds: list[int] = []
    try:
        for part in (p.strip() for p in text.split(",")):
            lo, _, hi = part.partition("-")
            seeds += range(int(lo), int(hi or lo) + 1)
    except ValueError:
        raise UserError(f"--seeds {text!r}: give seeds as 0-4 or 0,3,7") from None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds) or len(seeds) > 100:
        raise UserError(f"--seeds {text!r}: 1-100 distinct seeds >= 0, as 0-4 or 0,3,7")
    return seeds


def cells(kind: str, rows: list[dict[str, float]], refs: list[dict[str, float]],
          n_modes: int) -> list[str]:
    """A table row's metric cells from one evaluation per seed: the value for one seed, the
    mean ± standard error for several."""
    out = []
    for key, digits, after in TABLES[kind][1]:
        if after == "(real)":  # a conditional run's metric beside the real digits' own
            if key not in rows[0]:
                out.append("-")  # an unconditional run asks for no class
                continue
            real = summarise(r.get(key, math.nan) for r in refs)
            after = f" ({real.mean:.{digits}f})"
        values = [r.get(key.removeprefix("ref:"), math.nan)
                  for r in (refs if key.startswith("ref:") else rows)]
        s = summarise(values)
        if key in ("modes", "classes") and s.n > 1:
            digits = 1
        text = f"{s.mean:.{digits}f}" if s.n else "nan"
        if s.n > 1:
            text += f" ± {s.se:.{digits}f}"
        if s.missing and len(values) > 1:
            text += f" ({s.n}/{len(values)})"
        out.append(text + (f"/{n_modes}" if after == "modes" else after))
    return out


def _n_modes(run) -> int:
    truth = getattr(run.data, "truth", None)  # image data have none
    return len(truth.centres) if truth is not None else 0


def table_pairs(presets: str, datasets: str,
                skip: str = "") -> tuple[list[tuple[str, str]], list[str]]:
    """The (preset, dataset) pairs `table` trains, grouped by data kind (2D first), and a note
    per pair it skips. `all` pairs each dataset with the presets of its kind; a named preset
    runs on every dataset whose data it can train; the presets in `skip` run nowhere."""
    from playground.config import validate
    from playground.data.datasets import DATASETS, kind_of
    from playground.presets import PRESETS, config_for, ids_for
    data = [d.strip() for d in datasets.split(",") if d.strip()]
    for d in data:
        DATASETS.get(d)  # unknown ids name the valid ones
    named = None if presets.strip() == "all" else [
        p.strip() for p in presets.split(",") if p.strip()]
    left_out = {p.strip() for p in skip.split(",") if p.strip()}
    for p in [*(named or []), *left_out]:
        PRESETS.get(p)
    pairs, skipped = [], []
    for kind in TABLES:
        for preset in named or ids_for(kind):
            if preset in left_out:
                continue
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
    from playground.engine.trials import train_runs
    from playground.presets import config_for
    if args.steps < 1:
        raise UserError("--steps must be at least 1")
    seeds = parse_seeds(args.seeds) if args.seeds else [args.seed]
    pairs, skipped = table_pairs(args.presets, args.datasets, args.skip)
    for note in skipped:
        print(note, file=sys.stderr)
    if len(seeds) > 1:
        print(f"seeds {', '.join(map(str, seeds))}: mean ± standard error over them",
              file=sys.stderr)
    kind_now = None
    for preset, dataset in pairs:
        kind = kind_of(dataset)
        header = TABLES[kind][0]
        if kind != kind_now:
            print(("\n" if kind_now else "") + header)
            print("|---" * header.count(" | ") + "|---|")
            kind_now = kind
        start = time.perf_counter()
        runs, how = train_runs([validate(config_for(preset, dataset=dataset, seed=s))
                                for s in seeds], args.steps)
        rows = [run.evaluate(protocol=True) for run in runs]
        refs = [run.reference(protocol=True) for run in runs]
        bad = sum(run.status != "ok" for run in runs)
        status = "ok" if not bad else runs[0].status if len(runs) == 1 else f"{bad} diverged"
        steps = runs[0].step_count if len(runs) == 1 else args.steps  # a diverged run stops
        row = [preset, dataset, str(steps), *cells(kind, rows, refs, _n_modes(runs[0])),
               status]
        print("| " + " | ".join(row) + " |", flush=True)
        if len(seeds) > 1:
            print(f"{preset} on {dataset}: {len(seeds)} seeds in "
                  f"{time.perf_counter() - start:.0f} s, {how}", file=sys.stderr)


command("table", "train presets for a fixed step count and print their metrics as Markdown",
        _table_args, _table)
