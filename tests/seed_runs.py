"""Train one preset on several seeds at once, for the behaviour tests: one process per seed
(at most two, one torch thread each, as the 2-core CI box has), so asserting over seeds costs
about the wall time of one run. Each run returns its evaluations as plain dicts."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

WORKERS = 2  # the CI box's cores; pytest itself waits meanwhile


def trace(preset: str, seed: int, steps: int, every: int = 250,
          bar: tuple[int, float] | None = None, **overrides) -> tuple[list[dict], str]:
    """Evaluations every `every` steps to `steps` (early stop once `bar` = (modes, hq_pct) is
    met), and the run's status ("ok" unless it diverged)."""
    os.environ.setdefault("PLAYGROUND_DEVICE", "cpu")
    import torch

    from playground.presets import config_for
    from playground.run import Run

    torch.set_num_threads(1)
    run = Run(config_for(preset, dataset="ring", seed=seed, **overrides))
    out = []
    while run.step_count < steps:
        run.train(every)
        out.append({"step": run.step_count, **run.evaluate()})
        if bar is not None and out[-1]["modes"] >= bar[0] and out[-1]["hq_pct"] >= bar[1]:
            break
    return out, f"{run.status} {run.reason}".strip()


def traces(preset: str, seeds: list[int], steps: int, **kwargs) -> dict[int, list[dict]]:
    """`trace` for each seed, two at a time in spawned processes (fork after torch is risky)."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(WORKERS, len(seeds)), mp_context=ctx) as pool:
        futures = {s: pool.submit(trace, preset, s, steps, **kwargs) for s in seeds}
        results = {s: f.result() for s, f in futures.items()}
    for seed, (_, status) in results.items():
        assert status == "ok", f"{preset} seed {seed}: {status}"
    return {s: t for s, (t, _) in results.items()}


def summary(evals: list[dict]) -> list[tuple[int, int, float]]:
    """(step, modes, % HQ) per evaluation, for assertion messages."""
    return [(e["step"], int(e["modes"]), round(e["hq_pct"], 1)) for e in evals]
