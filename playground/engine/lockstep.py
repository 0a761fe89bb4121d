"""Several runs advanced in lockstep: one dataset and seed, equal step counts, and metrics every
`eval_every` steps (never by wall clock), so their curves compare step for step. One object, so
the app trains a whole comparison as one job on one worker process.

One seed is not one start: `shared` (sharing.py) says what the runs have in common. Runs of one
network shape start from the same weights; with equal batch_size, n_critic and unroll_steps
(and latent_dim) they also train on the same batches at every step, so that only the setting
that differs tells them apart. Otherwise they walk one sequence of batches at different rates,
or draw different ones, and the page says so.

Runs of one shape train as one computation (batched.py: stacked weights, batched matmuls);
others take turns, CHUNK steps each, so their step counts are equal at every turn, and `mode`
says which path runs and why. Either way the runs are synced and flushed after every chunk, so
a run that diverges stops at its last good step (rolled back, as any run); the others go on,
batched again if they still can be.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from playground.config import RunConfig
from playground.data import datasets
from playground.engine.batched import BatchedRuns, reason_not_batchable
from playground.engine.run import Run
from playground.engine.sharing import Shared, shared
from playground.engine.snapshot import Snapshot

CHUNK = 8  # steps per turn (equal counts at every turn); the batched path syncs after each
MODE = f"in turns, {CHUNK} steps each"  # how the runs share the machine (pages show it)
BATCHED_MODE = "batched: {k} runs as one computation"


@dataclass(frozen=True)
class CompareSnapshot:
    step: int  # the common step of the runs still going
    labels: tuple[str, ...]  # one per run
    snaps: tuple[Snapshot, ...]  # one per run, at (or, diverged, before) `step`
    mode: str  # how the runs share the machine (MODE)
    device: str = "cpu"

    @property
    def status(self) -> str:
        return "ok" if any(s.status == "ok" for s in self.snaps) else "diverged"


class Lockstep:
    def __init__(self, cfgs: list[RunConfig], labels: list[str], eval_every: int = 100,
                 points: np.ndarray | None = None,
                 on_evaluate: Callable[[str, Run], None] | None = None, batched: bool = True):
        if not 1 <= len(cfgs) <= 4 or len(cfgs) != len(labels):
            raise ValueError(f"a comparison takes 1-4 runs with a label each, got "
                             f"{len(cfgs)} configs and {len(labels)} labels")
        if not 1 <= eval_every <= 10_000:
            raise ValueError(f"eval_every={eval_every} is out of range [1, 10000]")
        seeds = {c.seed for c in cfgs}
        # resolved: n_modes None and the dataset's default 8 are one ring
        datas = {(c.dataset, datasets.DATASETS.get(c.dataset).resolve(c)) for c in cfgs}
        if len(seeds) > 1 or len(datas) > 1:
            raise ValueError("runs in a comparison share their dataset and seed (so they "
                             "draw from the same data and random streams)")
        self.labels, self.eval_every = tuple(labels), eval_every
        self.shared: Shared = shared(cfgs)  # what the runs have in common, and why not more
        self.on_evaluate = on_evaluate  # a reading taken right after each evaluation
        self.runs = [Run(cfg, points) for cfg in cfgs]
        self.batched = batched
        self._pick_engine()
        self._evaluate(self.runs)

    @classmethod
    def resume(cls, runs: list[Run], labels: list[str], eval_every: int,
               batched: bool = True) -> Lockstep:
        """A comparison of runs restored from their states (a parked comparison), going on
        where they stopped: no new evaluation."""
        lock = cls.__new__(cls)
        lock.labels, lock.eval_every, lock.on_evaluate = tuple(labels), eval_every, None
        lock.runs, lock.batched = runs, batched
        lock.shared = shared([r.cfg for r in runs])
        lock._pick_engine()
        return lock

    def _pick_engine(self) -> None:
        """Batched over the live runs when they can share a computation, else in turns (the
        mode text then says why). Batched wherever it can: it is measured faster at every K
        tried, and both paths give the same weights bit for bit, so the pick is speed alone.
        `python -m tools.bench_compare` on the page's shape (3x128 MLPs, batch 256), one thread
        as a pool worker runs, CPU ms a step batched vs in turns (paired repeats, medians of 7):
        K=2 22.0 vs 24.6, K=3 33.6 vs 37.7, K=4 42.1 vs 47.3, so 1.11-1.13x; four runs cost
        3.6x one run batched, 4.0x in turns. The 3.9x-vs-3.7x that once said otherwise was an
        unpaired wall-clock median on a loaded 2-core box; with two threads batched was ahead
        too (K=4: 3.65x against 4.0x wall, README)."""
        alive = self.alive
        reason = (reason_not_batchable([r.cfg for r in alive]) if self.batched
                  else "batching switched off")
        if reason is None and len({r.step_count for r in alive}) > 1:
            reason = "runs at different steps"
        self.engine = BatchedRuns(alive) if reason is None else None
        self.mode = BATCHED_MODE.format(k=len(alive)) if reason is None else f"{MODE}: {reason}"

    def sync(self) -> None:
        """Bring every run's weights, optimiser state and histories up to date (batched path;
        a no-op in turns, and when training has synced since its last step)."""
        if self.engine is not None:
            self.engine.sync()

    # ---- the job protocol (serve/tasks.py) -------------------------------------------------
    @property
    def alive(self) -> list[Run]:
        return [r for r in self.runs if r.status == "ok"]

    @property
    def status(self) -> str:
        return "ok" if self.alive else "diverged"

    @property
    def reason(self) -> str:
        return "; ".join(f"{label}: {r.reason}" for label, r in zip(self.labels, self.runs,
                                                                     strict=True) if r.reason)

    @property
    def progress(self) -> int:
        return max(r.step_count for r in self.runs)

    def advance(self, seconds: float, max_steps: int = 1_000_000) -> int:
        """Train every run still going by equal steps, evaluating at each multiple of
        eval_every, for about `seconds`; returns the steps taken."""
        start, before = time.perf_counter(), self.progress
        while (self.alive and time.perf_counter() - start < seconds
               and self.progress - before < max_steps):
            step = self.progress
            to_eval = self.eval_every - step % self.eval_every
            n = min(CHUNK, to_eval, max_steps - (self.progress - before))
            if self.engine is not None:
                self.engine.train(n)
                self.engine.sync()  # flushes each run: its NaN check and rollback point
                if len(self.alive) < len(self.engine.runs):  # one diverged: re-pick
                    self._pick_engine()
            else:
                for run in self.alive:
                    run.train(n)
            if self.progress % self.eval_every == 0:
                self._evaluate(self.alive)
        return self.progress - before

    def _evaluate(self, runs: list[Run]) -> None:
        for run in runs:
            run.evaluate()
            if self.on_evaluate is not None:
                self.on_evaluate(self.labels[self.runs.index(run)], run)

    def observe(self, with_metrics: bool = False) -> CompareSnapshot:
        """Every run's picture at the common step (metrics come from the evaluations at
        multiples of eval_every, never from the wall clock)."""
        self.sync()
        return CompareSnapshot(self.progress, self.labels,
                               tuple(r.snapshot(with_metrics=False) for r in self.runs),
                               self.mode, self.runs[0].device.type)
