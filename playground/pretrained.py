"""The shipped checkpoints in `pretrained/`: their manifest, loading one by id, rebuilding them.

`pretrained/manifest.json` is the one record of each shipped run: the recipe (preset, config
overrides, steps), the file, and what it scored under the protocol when it was saved. `rebuild`
trains every recipe through the same `Run` as `python -m playground train` and rewrites the
files and the manifest, so the record can always be reproduced. Bad files raise
`PretrainedError` with a message fit for the user.
"""
from __future__ import annotations

import json
import math
import platform
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import torch

from . import checkpoint, metrics
from .config import RunConfig
from .presets import config_for
from .registry import Registry
from .run import Run

ROOT = Path(__file__).resolve().parent.parent / "pretrained"
MANIFEST = "manifest.json"


class PretrainedError(ValueError):
    """A manifest or shipped checkpoint that cannot be used, with the reason."""


@dataclass(frozen=True)
class Entry:
    title: str  # what the app's picker shows
    caption: str  # what to look for once it is loaded
    preset: str  # id in presets.PRESETS
    overrides: dict  # RunConfig fields on top of the preset (dataset, seed, ...)
    steps: int  # training iterations
    file: str  # checkpoint file name inside the pretrained folder
    scored: dict = field(default_factory=dict)  # protocol metrics when saved (2,500 samples)
    trained_with: dict = field(default_factory=dict)  # torch version, device, date

    def config(self) -> RunConfig:
        """The config the recipe trains (and its checkpoint carries)."""
        return config_for(self.preset, **self.overrides)


def read_manifest(root: Path = ROOT) -> Registry[Entry]:
    """The manifest's entries by id, in file order."""
    path = Path(root) / MANIFEST
    try:
        rows = json.loads(path.read_text())["runs"]
        out: Registry[Entry] = Registry("pretrained run")
        for id_, row in rows.items():
            out.add(id_, Entry(**row))
        return out
    except FileNotFoundError:
        raise PretrainedError(f"{path}: no such file") from None
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as e:
        raise PretrainedError(f"{path} is not a valid manifest ({e})") from None


def path_of(id_: str, root: Path = ROOT) -> Path:
    return Path(root) / read_manifest(root).get(id_).file


def load(id_: str, root: Path = ROOT, device: torch.device | None = None) -> Run:
    """The shipped run `id_`, ready to train on (weights, optimiser state, RNG, history)."""
    try:
        return checkpoint.load(path_of(id_, root), device)
    except checkpoint.CheckpointError as e:
        raise PretrainedError(f"pretrained run {id_!r}: {e}") from None


def score(run: Run) -> dict[str, float]:
    """The protocol metrics a manifest records (exact W1 on all 2,500 samples)."""
    values = run.evaluate(w1_n=metrics.N_PROTOCOL)
    return {k: round(v, 4) for k, v in values.items() if math.isfinite(v)}


def rebuild(root: Path = ROOT, ids: list[str] | None = None,
            log: Callable[[str], None] = print) -> None:
    """Train the recipes (all, or `ids`) on the CPU, save them, and rewrite the manifest."""
    root = Path(root)
    entries = read_manifest(root)
    chosen = ids or entries.ids()
    for id_ in chosen:
        entry = entries.get(id_)
        run = Run(entry.config(), device=torch.device("cpu"))
        run.train(entry.steps)
        if run.status != "ok":
            raise PretrainedError(f"recipe {id_!r} diverged: {run.reason}")
        scored = score(run)
        checkpoint.save(run, root / entry.file)
        trained_with = {"torch": torch.__version__, "device": "cpu",
                        "machine": platform.machine(), "date": date.today().isoformat()}
        rows = {i: asdict(e) for i, e in read_manifest(root).items()}
        rows[id_].update(scored=scored, trained_with=trained_with)
        _write(root, rows)
        log(f"{id_}: {entry.steps} steps of {entry.preset} -> {scored}")


def _write(root: Path, rows: dict) -> None:
    text = json.dumps({"about": "Shipped 2D runs. Rebuild with `python -m playground "
                       "pretrained --rebuild`; each row is the recipe and what it scored.",
                       "runs": rows}, indent=1)
    (root / MANIFEST).write_text(text + "\n")
