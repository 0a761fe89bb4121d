"""`python -m playground reproduce TABLE`: a published mode-collapse table rerun here. Each row's
setup (paper_tables.py) trains N trials (seeds seed0 ...) per dataset, batched where the
shapes allow, for the paper's length times `--budget`; the protocol scores each trial, and
Markdown on stdout puts our mean ± s.e. beside the paper's row, with the wall time, device and
step count. `--json PATH` writes the same with every trial's numbers.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from playground.cli import UserError, command
from playground.paper_tables import DIGITS, METRIC_NAMES

MAX_TRIALS = 100


def _args(p: argparse.ArgumentParser) -> None:
    from playground.paper_tables import TABLES
    p.add_argument("table", help=f"which table: {', '.join(TABLES.ids())}")
    p.add_argument("--trials", type=int, default=10,
                   help="trials per row and dataset, seeds seed0 ... (PacGAN: 10, VEEGAN: 5)")
    p.add_argument("--budget", type=float, default=1.0,
                   help="fraction of the paper's training length (1 = PacGAN's 400 epochs, "
                        "400,000 G updates; 0.01 = 4,000: minutes on a CPU)")
    p.add_argument("--seed0", type=int, default=0, help="the first trial's seed")
    p.add_argument("--datasets", help="comma-separated subset of the table's datasets")
    p.add_argument("--json", metavar="PATH",
                   help="also write every trial's numbers here; a record already there of the "
                        "same table, trials, seeds and budget gains this run's datasets (so "
                        "--datasets ring and --datasets grid, run apart, make one record)")
    p.add_argument("--threads", type=int, default=0,
                   help="torch CPU threads (0 = torch's default); on a CPU other jobs are "
                        "using, 1 can be 20x faster than 2 (PacGAN's nets: 50 ms vs 1.1 s a "
                        "step measured on this 2-core box under load)")


def _check(args: argparse.Namespace):
    from playground.paper_tables import table
    spec = table(args.table)  # unknown ids name the valid ones
    if not 1 <= args.trials <= MAX_TRIALS:
        raise UserError(f"--trials must be in [1, {MAX_TRIALS}], got {args.trials}")
    if not (math.isfinite(args.budget) and 0 < args.budget <= 10):
        raise UserError(f"--budget must be in (0, 10] (a fraction of the paper's "
                        f"{spec.steps:,} steps), got {args.budget:g}")
    if not 0 <= args.threads <= 256:
        raise UserError(f"--threads must be in [0, 256] (0 = torch's default), got "
                        f"{args.threads}")
    if args.seed0 < 0:
        raise UserError(f"--seed0 must be >= 0, got {args.seed0}")
    datasets = spec.datasets
    if args.datasets:
        datasets = tuple(d.strip() for d in args.datasets.split(",") if d.strip())
        bad = [d for d in datasets if d not in spec.datasets]
        if bad or not datasets:
            raise UserError(f"--datasets: {', '.join(bad) or 'none given'}; {args.table} has "
                            f"{', '.join(spec.datasets)}")
    steps = max(1, round(spec.steps * args.budget))
    if args.json:  # made now, so a path that cannot be written fails before any training
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        _joinable(Path(args.json), args, steps)
    return spec, datasets, steps


SAME = ("table", "trials", "seed0", "budget", "steps")  # what a record joined by --json shares


def _joinable(path: Path, args: argparse.Namespace, steps: int) -> dict | None:
    """The record already at `path` that this run's datasets join, or None when there is none.
    One of other settings is refused before any training (its numbers would mix)."""
    if not path.exists():
        return None
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        theirs = {k: old[k] for k in SAME}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
        raise UserError(f"--json {path}: a file is there that is not a reproduce record "
                        f"({type(e).__name__}); remove it or pick another path") from None
    ours = {"table": args.table, "trials": args.trials, "seed0": args.seed0,
            "budget": args.budget, "steps": steps}
    if theirs != ours:
        diff = ", ".join(f"{k} {theirs[k]} (this run: {ours[k]})" for k in SAME
                         if theirs[k] != ours[k])
        raise UserError(f"--json {path}: it holds a record with {diff}; remove it or pick "
                        "another path")
    return old


class _Bar:
    """A progress bar on stderr: redrawn in place on a terminal, one line per finished row
    and dataset otherwise (a log keeps the record)."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.live = sys.stderr.isatty()

    def step(self, n: int) -> None:
        self.done += n
        if self.live:
            rate = self.done / max(time.perf_counter() - self.start, 1e-9)
            bar = "#" * int(30 * self.done / self.total)
            sys.stderr.write(f"\r[{bar:<30}] {self.done:,}/{self.total:,} steps  "
                             f"{rate:,.0f} steps/s")
            sys.stderr.flush()

    def note(self, text: str) -> None:
        sys.stderr.write(("\r\033[K" if self.live else "") + text + "\n")
        sys.stderr.flush()


def _reproduce(args: argparse.Namespace) -> None:
    import torch
    spec, datasets, steps = _check(args)
    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads or threads)
    try:
        _train_and_print(args, spec, datasets, steps)
    finally:  # the caller's setting back (the tests call main in one process)
        torch.set_num_threads(threads)


def _train_and_print(args: argparse.Namespace, spec, datasets, steps: int) -> None:
    from playground.config import RunConfig, validate
    from playground.engine.trials import run_trials, seeds_of
    from playground.metrics.trials import summarise
    todo = [(row, d) for row in spec.rows if row.setup is not None for d in datasets]
    cfgs = {}
    for row, d in todo:
        try:
            cfgs[row.method, d] = validate(RunConfig(**{**row.setup, "dataset": d}))
        except (TypeError, ValueError) as e:
            raise UserError(f"{args.table} row {row.method!r} on {d}: {e}") from None
    bar = _Bar(len(todo) * args.trials * steps)
    results: dict[tuple[str, str], dict] = {}
    for row, d in todo:
        trials = run_trials(seeds_of(cfgs[row.method, d], args.trials, args.seed0), steps,
                            bar.step)
        ours = {k: summarise(getattr(t, k) for t in trials.trials) for k in spec.metrics}
        results[row.method, d] = {
            "summary": ours, "trials": trials, "diverged": sum(
                t.status != "ok" for t in trials.trials)}
        bar.note(f"{row.method} on {d}: {args.trials} trials x {steps:,} steps in "
                 f"{trials.seconds:.1f} s on {trials.device}, {trials.how}")
    print(_markdown(spec, args, datasets, steps, results))
    if args.json:
        record = _record(spec, args, datasets, steps, results)
        old = _joinable(Path(args.json), args, steps)
        if old is not None:
            record = _join(spec, old, record)
        Path(args.json).write_text(json.dumps(record, indent=1))


def _markdown(spec, args, datasets, steps, results) -> str:
    cols = [METRIC_NAMES[k] for k in spec.metrics]
    lines = [f"## {spec.title}", "",
             f"{spec.source}; ours: {args.trials} trials (seeds {args.seed0}-"
             f"{args.seed0 + args.trials - 1}) of {steps:,} G updates each (budget "
             f"{args.budget:g} of {spec.steps:,}: {spec.steps_how}); 2,500 samples, a sample "
             "is high quality within 3 std of its nearest mode; mean ± standard error."]
    for d in datasets:
        lines += ["", f"### {d}", "",
                  "| method | row | " + " | ".join(cols) + " | trials | steps | wall time | "
                  "device |", "|---" * (len(cols) + 6) + "|"]
        for row in spec.rows:
            if not row.ours:
                pub = row.published.get(d, {})
                cells = [_published(pub.get(k), DIGITS[k]) for k in spec.metrics]
                lines.append(f"| {row.method} | paper | " + " | ".join(cells)
                             + f" | {spec.trials} | {spec.steps:,} | | |")
            res = results.get((row.method, d))
            if res is None:
                lines.append(f"| {row.method} | ours | not reproduced"
                             + " |" * (len(cols) + 4) + " |")
                continue
            cells = [res["summary"][k].text(DIGITS[k]) for k in spec.metrics]
            t = res["trials"]
            div = f" ({res['diverged']} diverged)" if res["diverged"] else ""
            lines.append(f"| {row.method} | ours | " + " | ".join(cells)
                         + f" | {len(t.trials)}{div} | {steps:,} | {t.seconds:.0f} s | "
                           f"{t.device} |")
    lines += ["", "How each row was obtained:", ""]
    groups: dict[str, list[str]] = {}  # rows sharing one recipe and one way of training
    for row in spec.rows:
        trained = sorted({results[row.method, d]["trials"].how for d in datasets
                          if (row.method, d) in results})
        text = row.how + (f"; trained {', '.join(trained)}" if trained else "")
        groups.setdefault(text, []).append(row.method)
    lines += [f"- **{', '.join(methods)}**: {text}." for text, methods in groups.items()]
    return "\n".join(lines)


def _published(n, digits: int) -> str:
    if n is None:
        return "—"
    mean, se = n
    return f"{mean:.{digits}f}" + (f" ± {se:.{digits}f}" if se is not None else "")


def _record(spec, args, datasets, steps, results) -> dict:
    rows = []
    for row in spec.rows:
        ours = {}
        for d in datasets:
            res = results.get((row.method, d))
            if res is None:
                continue
            t = res["trials"]
            ours[d] = {**{k: s.as_dict() for k, s in res["summary"].items()},
                       "seconds": t.seconds, "device": t.device, "steps": steps,
                       "trained": t.how,
                       "trials": [{**vars(x), "rkl": None if math.isnan(x.rkl) else x.rkl}
                                  for x in t.trials]}
        rows.append({"method": row.method, "how": row.how, "setup": row.setup,
                     "published": {d: {k: list(v) for k, v in p.items()}
                                   for d, p in row.published.items()},
                     "reproduced": row.setup is not None, "ours": ours})
    return {"table": args.table, "title": spec.title, "source": spec.source,
            "datasets": list(datasets), "trials": args.trials, "seed0": args.seed0,
            "budget": args.budget, "steps": steps, "paper_steps": spec.steps,
            "paper_trials": spec.trials, "protocol": "2,500 samples; high quality within 3 "
            "std of the nearest mode; mean ± standard error (ddof 1) over trials",
            "rows": rows}


def _join(spec, old: dict, new: dict) -> dict:
    """`new`'s datasets added to `old`'s (a dataset in both: the new one), in the table's
    order; each row keeps the results of both."""
    have = set(old["datasets"]) | set(new["datasets"])
    rows = {r["method"]: r for r in old["rows"]}
    for r in new["rows"]:
        joined = {**rows.get(r["method"], {}).get("ours", {}), **r["ours"]}
        rows[r["method"]] = {**r, "ours": {d: joined[d] for d in spec.datasets if d in joined}}
    return {**new, "datasets": [d for d in spec.datasets if d in have],
            "rows": [rows[r["method"]] for r in new["rows"]]}


command("reproduce", "rerun a published mode-collapse table (pacgan-table1, veegan-table1) "
        "and print our rows beside the paper's", _args, _reproduce)
