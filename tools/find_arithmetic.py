"""Search a digit generator for latent-arithmetic presets: `python -m tools.find_arithmetic`.

For each attribute pair (thick/thin, slanted/upright) and each ordered pair of digits (a, c),
the candidate "attr a − opposite a + opposite c = attr c" is scored as the latent explorer
uses it (`explorer.preset_groups` on the labelled sample of PRESET_SEED): the result and 7
neighbours (sigma 0.25) on each of three neighbour seeds must read as c, and the attribute
must grow against C's own exemplars. Each kept candidate is then re-checked on groups picked
from `--fresh` other samples of the same size, so a preset is not an accident of one sample.
Prints one line per candidate that holds, best first; the registry in
playground/latent/explorer.py is edited by hand from it.
"""
from __future__ import annotations

import argparse
import itertools

import numpy as np

from playground.latent import explorer
from playground.latent import ops as latent

OPPOSITE = {"thick": "thin", "slanted": "upright"}


def check(ex: explorer.Explorer, sample: explorer.Decoded, preset: explorer.ArithmeticPreset,
          seeds: tuple[int, ...] = (0, 1, 2)) -> tuple[int, float]:
    """(neighbours read as the promised digit, of 8 per seed; mean attribute gain over C)."""
    groups = explorer.preset_groups(sample, preset)
    result = latent.arithmetic(*(sample.z[g] for g in groups))
    score = explorer.ATTRIBUTES[preset.attribute]
    base = score(ex.decode(sample.z[groups[2]])).mean()
    hits, gains = 0, []
    for seed in seeds:
        around = ex.decode(latent.neighbours(result, 8, 0.25, seed))
        hits += int((around.labels == preset.expect).sum())
        gains.append(float(score(around).mean() - base))
    return hits, float(np.mean(gains))


def search(ex: explorer.Explorer, fresh: int = 2, min_hits: int = 21,
           log=lambda line: None) -> list[tuple]:
    sample = ex.labelled()
    others = [ex.sample(explorer.PRESET_SAMPLE, explorer.PRESET_SEED + 1 + i)
              for i in range(fresh)]
    out = []
    for attribute, (a, c) in itertools.product(OPPOSITE, itertools.permutations(range(10), 2)):
        low = OPPOSITE[attribute]
        preset = explorer.ArithmeticPreset(
            f"{attribute} {a} − {low} {a} + {low} {c} = {attribute} {c}", "",
            ((a, attribute), (a, low), (c, low)), c, attribute)
        try:
            hits, gain = check(ex, sample, preset)
            if hits < min_hits or gain <= 0:
                continue
            again = [check(ex, s, preset) for s in others]
        except ValueError:  # too few confident digits of a group in a sample
            continue
        if all(h >= min_hits and g > 0 for h, g in again):
            out.append((hits + sum(h for h, _ in again), preset.label, hits, gain, again))
            log(_line(*out[-1]))
    return sorted(out, key=lambda row: -row[0])


def _line(total: int, label: str, hits: int, gain: float, again: list) -> str:
    fresh = ", ".join(f"{h}/24 {g:+.3f}" for h, g in again)
    return f"{total:3d}  {label}: {hits}/24, gain {gain:+.3f}; fresh samples: {fresh}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shipped", default=explorer.DEFAULT_SHIPPED, help="shipped run id")
    p.add_argument("--checkpoint", help="a checkpoint file instead of a shipped run")
    p.add_argument("--fresh", type=int, default=2, help="other samples each candidate must hold on")
    args = p.parse_args()
    ex = (explorer.Explorer.from_file(args.checkpoint, args.checkpoint) if args.checkpoint
          else explorer.Explorer.shipped(args.shipped))
    rows = search(ex, args.fresh, log=lambda line: print("found", line, flush=True))
    print("best first:")
    for row in rows:
        print(_line(*row))


if __name__ == "__main__":
    main()
