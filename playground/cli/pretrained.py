"""`python -m playground pretrained`: list the shipped runs of pretrained/ with what they
scored, or retrain (`--rebuild`) or rescore (`--rescore`) them from their recipes."""
from __future__ import annotations

import argparse
import math

from playground.cli import command


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
        print(f"{id_:<{width}}  {e.title}: {e.total_steps:,} steps of preset {e.preset} ({score})")


command("pretrained", "list the shipped checkpoints in pretrained/, or --rebuild them",
        _pretrained_args, _pretrained)
