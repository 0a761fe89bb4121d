"""N trials of one setup (seeds seed0 ... seed0 + N - 1) trained to a step count and scored by
the mode-collapse protocol, as one batched computation where `reason_not_batchable` allows
(batched.py), else one run after another. Owns the loop and its progress callback only; the
table registry says what to train, the CLI prints.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from playground.config import RunConfig
from playground.engine.batched import BatchedRuns, reason_not_batchable
from playground.engine.run import Run
from playground.metrics.points2d import mode_coverage

CHUNK = 250  # steps between progress reports (and, batched, between syncs)


@dataclass(frozen=True)
class Trial:
    seed: int
    modes: float
    hq_pct: float
    rkl: float  # NaN when no sample is high quality
    steps: int
    status: str  # "ok" | "diverged" (scored on its rolled-back weights)


@dataclass(frozen=True)
class TrialSet:
    trials: tuple[Trial, ...]
    how: str  # "batched: N runs as one computation" or "one after another (reason)"
    seconds: float  # wall time of training and scoring
    device: str


def seeds_of(cfg: RunConfig, n: int, seed0: int = 0) -> list[RunConfig]:
    return [dataclasses.replace(cfg, seed=seed0 + k) for k in range(n)]


def run_trials(cfgs: list[RunConfig], steps: int,
               on_progress: Callable[[int], None] | None = None,
               device: torch.device | None = None) -> TrialSet:
    """Train each config `steps` G updates and score 2,500 samples of its shown G; one
    batched computation when the configs allow it."""
    start = time.perf_counter()
    runs, how = train_runs(cfgs, steps, on_progress, device)
    trials = tuple(_score(run) for run in runs)
    return TrialSet(trials, how, time.perf_counter() - start, runs[0].device.type)


def train_runs(cfgs: list[RunConfig], steps: int,
               on_progress: Callable[[int], None] | None = None,
               device: torch.device | None = None) -> tuple[list[Run], str]:
    """The runs of `cfgs` trained `steps` G updates each, and how: "batched: N runs as one
    computation" or "one after another (why not batched)". Progress counts G updates of all
    runs together."""
    runs = [Run(c, device=device) for c in cfgs]
    reason = reason_not_batchable(cfgs)
    if reason is None:
        _batched(runs, steps, on_progress)
        return runs, f"batched: {len(runs)} runs as one computation"
    for run in runs:
        _alone(run, steps, on_progress)
    return runs, f"one after another ({reason})"


def _alone(run: Run, steps: int, on_progress) -> None:
    done = 0
    while done < steps:
        n = min(CHUNK, steps - done)
        if run.status == "ok":
            run.train(n)
        done += n
        if on_progress is not None:
            on_progress(n)


def _batched(runs: list[Run], steps: int, on_progress) -> None:
    """Chunks of the stacked computation, synced after each (each run flushes: a diverged one
    rolls back and leaves the stack, which is rebuilt from the runs still going)."""
    live, stack, done = runs, BatchedRuns(runs), 0
    while done < steps:
        n = min(CHUNK, steps - done)
        if stack is not None:
            stack.train(n)
            stack.sync()
        else:
            for run in live:
                run.train(n)
        done += n
        if on_progress is not None:
            on_progress(n * len(runs))
        going = [r for r in live if r.status == "ok"]
        if len(going) != len(live):
            live = going
            ok = reason_not_batchable([r.cfg for r in live]) is None
            stack = BatchedRuns(live) if live and ok else None


def _score(run: Run) -> Trial:
    """The protocol on the run's evaluation set: 2,500 samples of the shown G (its average
    when ema_g is on), the 3-std rule (metrics/points2d.py)."""
    samples = run.scored_samples(protocol=True)["samples"]
    c = mode_coverage(samples, run.data.truth)
    return Trial(run.cfg.seed, float(c.modes), c.hq_pct, c.rkl, run.step_count, run.status)
