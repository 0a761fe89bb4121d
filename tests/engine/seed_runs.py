"""Train one preset on several seeds at once, for the behaviour tests: one process per seed
(at most two, one torch thread each, as the 2-core CI box has), so asserting over seeds costs
about the wall time of one run. Each run returns its evaluations as plain dicts.

`submit` queues runs on a pool the caller keeps (tests/engine/test_behaviour.py submits every test's
runs at once, so neither core idles while the other finishes a long seed, and the workers pay
their imports once); `traces` runs one set on a pool of its own."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

WORKERS = 2  # the CI box's cores; pytest itself waits meanwhile


def largest_mode_share(run, n: int = 2500) -> float:
    """The share of `n` fakes (sampler seed 0) whose nearest mode centre is the most crowded
    one: 1/8 on a spread ring, 1.0 when every fake sits at one mode."""
    fake = run.samples(n, seed=0)
    centres = run.data.truth.centres
    nearest = np.linalg.norm(fake[:, None] - centres[None], axis=2).argmin(1)
    return float(np.bincount(nearest, minlength=len(centres)).max() / len(fake))


def trace(preset: str, seed: int, steps: int, every: int = 250,
          bar: tuple[int, float] | None = None, crowd: bool = False,
          **overrides) -> tuple[list[dict], str]:
    """Evaluations every `every` steps to `steps` (early stop once `bar` = (modes, hq_pct) is
    met; with `crowd`, each also holds `largest_mode_share` as "crowd"), and the run's status
    ("ok" unless it diverged)."""
    os.environ.setdefault("PLAYGROUND_DEVICE", "cpu")
    import torch

    from playground.engine.run import Run
    from playground.presets import config_for

    torch.set_num_threads(1)
    run = Run(config_for(preset, dataset="ring", seed=seed, **overrides))
    out = []
    while run.step_count < steps:
        run.train(every)
        out.append({"step": run.step_count, **run.evaluate()})
        if crowd:
            out[-1]["crowd"] = largest_mode_share(run)
        if bar is not None and out[-1]["modes"] >= bar[0] and out[-1]["hq_pct"] >= bar[1]:
            break
    return out, f"{run.status} {run.reason}".strip()


def pool() -> ProcessPoolExecutor:
    """WORKERS spawned processes (fork after torch is risky)."""
    return ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"))


def submit(workers: ProcessPoolExecutor, preset: str, seeds: list[int], steps: int,
           **kwargs) -> dict[int, Future]:
    """`trace` for each seed, queued on `workers`; `collect` waits for them."""
    return {s: workers.submit(trace, preset, s, steps, **kwargs) for s in seeds}


def collect(preset: str, futures: dict[int, Future]) -> dict[int, list[dict]]:
    """Each seed's evaluations, once its run is done; a diverged run fails here."""
    results = {s: f.result() for s, f in futures.items()}
    for seed, (_, status) in results.items():
        assert status == "ok", f"{preset} seed {seed}: {status}"
    return {s: t for s, (t, _) in results.items()}


def traces(preset: str, seeds: list[int], steps: int, **kwargs) -> dict[int, list[dict]]:
    """`trace` for each seed, two at a time on a pool of their own."""
    with pool() as workers:
        return collect(preset, submit(workers, preset, seeds, steps, **kwargs))


def summary(evals: list[dict]) -> list[tuple[int, int, float]]:
    """(step, modes, % HQ) per evaluation, for assertion messages."""
    return [(e["step"], int(e["modes"]), round(e["hq_pct"], 1)) for e in evals]
