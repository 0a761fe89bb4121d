"""Checkpoints of runs (2D or images): weights, optimiser state, random streams, histories and
the config that made them.

A checkpoint always carries its config (nanoGPT's habit), so `load` rebuilds the exact run.
Anything unreadable raises `CheckpointError` with a message fit for the user, never a raw
unpickling traceback; `torch.load(weights_only=True)` refuses arbitrary pickled code, and an
expected SHA-256 (a shipped file's manifest entry) is checked before the file is parsed.
Version 1 files (2D runs with one random stream) still load.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import torch

from .config import arch_of, from_dict
from .run import Run

FORMAT = "gan-playground/run"
VERSION = 2
OLD_FORMATS = {("gan-playground/run2d", 1)}  # 2D runs before images: one random stream


class CheckpointError(ValueError):
    """A checkpoint that cannot be used, with the reason."""


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def state_of(run: Run) -> dict:
    """Everything `load` needs, as tensors and plain values (what `save` writes)."""
    run.flush()
    return {
        "format": FORMAT, "version": VERSION, "kind": run.data.kind, "arch": run.arch,
        "config": run.cfg.to_dict(), "step": run.step_count,
        "G": run.G.state_dict(), "D": run.D.state_dict(),
        "opt_d": run.opt_d.state_dict(), "opt_g": run.opt_g.state_dict(),
        "gens": {k: g.get_state() for k, g in run.gens.items()},
        "points": None if run.points is None else torch.as_tensor(run.points),
        "history": run.history, "metric_history": run.metric_history,
        "protocol_history": run.protocol_history,
        "events": [list(e) for e in run.events],
    }


def save(run: Run, path: str | Path) -> None:
    torch.save(state_of(run), Path(path))


def to_bytes(run: Run) -> bytes:
    """The run as checkpoint bytes (what `save` writes): a download, or a parked run."""
    buf = io.BytesIO()
    torch.save(state_of(run), buf)
    return buf.getvalue()


def state_from_bytes(data: bytes) -> dict:
    """The `state_of` dict in checkpoint bytes: tensors and plain containers only, never
    pickled code (bytes this build made; files from users go through `read`)."""
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def read(path: str | Path, expected_sha256: str | None = None) -> dict:
    """The checked contents of a checkpoint file (no run built)."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path}: no such file")
    if expected_sha256 is not None and sha256(path) != expected_sha256:
        raise CheckpointError(f"{path} does not match its recorded SHA-256: the file was "
                              "changed or damaged after it was made")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for truncated or foreign files
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__})") from None
    if not isinstance(state, dict) or "format" not in state:
        raise CheckpointError(f"{path} is not a GAN Playground checkpoint")
    known = (state.get("format"), state.get("version"))
    if known != (FORMAT, VERSION) and known not in OLD_FORMATS:
        raise CheckpointError(f"{path} has format {known[0]!r} version {known[1]!r}; this "
                              f"build reads {FORMAT!r} version {VERSION}")
    return state


def load(path: str | Path, device: torch.device | None = None,
         expected_sha256: str | None = None, arch: str | None = None,
         kind: str | None = None) -> Run:
    """The run saved at `path`, ready to train on. `arch` / `kind`: refuse any other
    architecture / kind of data (e.g. a 2D run uploaded to the MNIST lab)."""
    state = read(path, expected_sha256)
    saved_kind = state.get("kind", "points2d")  # version 1 files are all 2D
    if kind is not None and saved_kind != kind:
        raise CheckpointError(f"{Path(path).name} holds a run on {saved_kind} data; this "
                              f"page trains {kind} data")
    if arch is not None:
        try:
            saved = arch_of(from_dict(state["config"]))
        except (KeyError, TypeError, ValueError) as e:
            raise CheckpointError(f"{path} has an unusable config: {e}") from None
        if saved != arch:
            raise CheckpointError(f"{path} holds a {saved!r} model; this needs {arch!r}")
    return from_state(state, device, path)


def from_state(state: dict, device: torch.device | None = None, path: str | Path = "state"
               ) -> Run:
    """The run a `state_of` dict describes (a file's contents, or a parked job's)."""
    try:
        cfg = from_dict(state["config"])
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{path} has an unusable config: {e}") from None
    try:
        points = state["points"]
        run = Run(cfg, None if points is None else np.asarray(points), device=device)
        gens = state.get("gens") or {"data": state["gen"]}  # version 1: one stream
        run.load_state({"step": state["step"], "G": state["G"], "D": state["D"],
                        "opt_d": state["opt_d"], "opt_g": state["opt_g"], "gens": gens})
    except (KeyError, RuntimeError, ValueError, TypeError) as e:
        raise CheckpointError(f"{path} is damaged or from an incompatible build: {e}") from None
    run.history = {k: list(v) for k, v in state.get("history", {}).items()}
    run.metric_history = {k: list(v) for k, v in state.get("metric_history", {}).items()}
    run.protocol_history = {k: list(v) for k, v in state.get("protocol_history",
                                                            {"step": []}).items()}
    run.events = [(int(s), str(t)) for s, t in state.get("events", [])]
    if run.metric_history.get("step"):  # what the tiles showed when it was saved
        run.latest_metrics = {k: v[-1] for k, v in run.metric_history.items() if k != "step"}
    return run
