"""`python -m tools.bench_compare`: the compare page's engine, batched against in turns.

For each torch thread count (a pool worker runs one: serve/process.py) and K = 2-4 lockstep runs
of one 2D shape (default: the 2D lab's, `RunConfig()`: ring, 3x128 ReLU MLPs, batch 256; one
loss each, so batchable but not equal), times `--steps` steps batched, in turns and of one run
alone, the three back to back within each repeat so that a busy machine slows them alike, and
prints medians over `--repeats`: wall steps/s and CPU ms a step (this process's CPU time: what
the step costs a shared machine, steadier than wall time under load) on each path, the
speed-up of batched over in turns (> 1: batched is faster), each path's CPU against one run,
and the path `Lockstep` picks. Only training is timed (no evaluation after the first).
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from playground.config import RunConfig
from playground.engine.lockstep import Lockstep

LOSSES = ("ns", "hinge", "lsgan", "minimax")  # one per member: batchable, not equal


def _timed(lock: Lockstep, steps: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for `steps` lockstep steps."""
    wall, cpu = time.perf_counter(), time.process_time()
    lock.advance(3600.0, steps)
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(threads: int, k: int, base: RunConfig, steps: int, repeats: int) -> dict:
    """K runs forced batched, forced in turns, and one run alone, timed in turns within each
    repeat (a busy machine slows all three alike); medians over `repeats`."""
    torch.set_num_threads(threads)
    cfgs = [base.replace(loss=loss) for loss in LOSSES[:k]]
    # eval_every beyond the steps: only training is timed (no evaluation after the first)
    locks = {"batched": Lockstep(cfgs, list(LOSSES[:k]), 10_000, batched=True),
             "turns": Lockstep(cfgs, list(LOSSES[:k]), 10_000, batched=False),
             "one": Lockstep(cfgs[:1], ["one"], 10_000)}
    for lock in locks.values():
        lock.advance(60.0, 16)  # warm-up: allocator, kernels, optimiser state
    wall = {name: [] for name in locks}
    cpu = {name: [] for name in locks}
    for _ in range(repeats):
        for name, lock in locks.items():
            w, c = _timed(lock, steps)
            wall[name].append(w)
            cpu[name].append(c)
    if any(len(lock.alive) != len(lock.runs) for lock in locks.values()):
        raise RuntimeError("a run diverged: the paths no longer train the same K runs")
    med = statistics.median
    return {"threads": threads, "k": k,
            "batched": steps / med(wall["batched"]), "turns": steps / med(wall["turns"]),
            # per repeat, both paths timed back to back: their ratio sees one load
            "speedup": med(t / b for t, b in zip(wall["turns"], wall["batched"], strict=True)),
            "cpu_batched": 1e3 * med(cpu["batched"]) / steps,
            "cpu_turns": 1e3 * med(cpu["turns"]) / steps,
            "cpu_speedup": med(t / b for t, b in zip(cpu["turns"], cpu["batched"],
                                                     strict=True)),
            "x_one": (med(cpu["batched"]) / med(cpu["one"]), med(cpu["turns"]) / med(cpu["one"])),
            "picked": "batched" if Lockstep(cfgs, list(LOSSES[:k]), 10_000).engine is not None
            else "in turns"}


HEAD = ("threads  K  steps/s batched  turns  speed-up | CPU ms/step batched  turns  speed-up "
        "| CPU x one run b, t | Lockstep picks")


def row(r: dict) -> str:
    return (f"{r['threads']:>7}  {r['k']}  {r['batched']:>15.1f}  {r['turns']:>5.1f}  "
            f"{r['speedup']:>8.2f} | {r['cpu_batched']:>19.2f}  {r['cpu_turns']:>5.2f}  "
            f"{r['cpu_speedup']:>8.2f} | {r['x_one'][0]:>9.2f} {r['x_one'][1]:>8.2f} | "
            f"{r['picked']}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m tools.bench_compare", description=__doc__)
    p.add_argument("--threads", default="1,2", help="torch thread counts, comma-separated")
    p.add_argument("--k", default="2,3,4", help="runs per comparison (2-4), comma-separated")
    p.add_argument("--steps", type=int, default=200, help="timed steps per repeat")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--width", type=int, default=RunConfig.width)
    p.add_argument("--depth", type=int, default=RunConfig.depth)
    p.add_argument("--batch", type=int, default=RunConfig.batch_size)
    args = p.parse_args(argv)
    base = RunConfig(width=args.width, depth=args.depth, batch_size=args.batch)
    threads = [int(t) for t in args.threads.split(",")]
    ks = [int(k) for k in args.k.split(",")]
    if not all(2 <= k <= len(LOSSES) for k in ks) or not all(t >= 1 for t in threads):
        p.error(f"--k takes 2-{len(LOSSES)}, --threads takes counts >= 1")
    print(f"ring, {base.depth}x{base.width} {base.activation} MLPs, batch {base.batch_size}, "
          f"losses {', '.join(LOSSES)}; torch {torch.__version__}; {args.steps} steps, "
          f"medians of {args.repeats}")
    print(HEAD, flush=True)
    for n in threads:
        for k in ks:
            print(row(measure(n, k, base, args.steps, args.repeats)), flush=True)


if __name__ == "__main__":
    main()
