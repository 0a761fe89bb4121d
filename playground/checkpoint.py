"""Checkpoints of 2D runs: weights, optimiser state, RNG and the config that made them.

A checkpoint always carries its config (nanoGPT's habit), so `load` rebuilds the exact run.
Anything unreadable raises `CheckpointError` with a message fit for the user, never a raw
unpickling traceback; `torch.load(weights_only=True)` refuses arbitrary pickled code.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .config import from_dict
from .run import Run

FORMAT = "gan-playground/run2d"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be used, with the reason."""


def save(run: Run, path: str | Path) -> None:
    run.flush()
    state = {
        "format": FORMAT, "version": VERSION, "config": run.cfg.to_dict(),
        "step": run.step_count, "G": run.G.state_dict(), "D": run.D.state_dict(),
        "opt_d": run.opt_d.state_dict(), "opt_g": run.opt_g.state_dict(),
        "gen": run.gen.get_state(),
        "points": None if run.points is None else torch.as_tensor(run.points),
        "history": run.history, "metric_history": run.metric_history,
        "events": [list(e) for e in run.events],
    }
    torch.save(state, Path(path))


def load(path: str | Path, device: torch.device | None = None) -> Run:
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file") from None
    except Exception as e:  # torch raises many types for truncated or foreign files
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a GAN Playground 2D checkpoint")
    if state.get("version") != VERSION:
        raise CheckpointError(f"{path} has format version {state.get('version')}, "
                              f"this build reads {VERSION}")
    try:
        cfg = from_dict(state["config"])
        points = state["points"]
        run = Run(cfg, None if points is None else np.asarray(points), device=device)
        run.G.load_state_dict(state["G"])
        run.D.load_state_dict(state["D"])
        run.opt_d.load_state_dict(state["opt_d"])
        run.opt_g.load_state_dict(state["opt_g"])
        run.gen.set_state(state["gen"])
    except (KeyError, RuntimeError, ValueError, TypeError) as e:
        raise CheckpointError(f"{path} is damaged or from an incompatible build: {e}") from None
    run.step_count = int(state["step"])
    run.history = {k: list(v) for k, v in state.get("history", {}).items()}
    run.metric_history = {k: list(v) for k, v in state.get("metric_history", {}).items()}
    run.events = [(int(s), str(t)) for s, t in state.get("events", [])]
    run._good = run._state_copy()
    return run
