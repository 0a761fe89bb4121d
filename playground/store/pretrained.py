"""The shipped checkpoints in `pretrained/`: their manifest, loading one by id, rebuilding them.

`pretrained/manifest.json` is the one record of each shipped run: the recipe (preset, config
overrides, steps), the file and its SHA-256, the command that rebuilds it, and what it scored
under the protocol when it was saved. `rebuild` trains every recipe through the same `Run` as
`python -m playground train` and rewrites the files and the manifest, so the record can always
be reproduced. Loading checks the SHA-256 and never runs pickled code; bad files raise
`PretrainedError` with a message fit for the user.
"""
from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import torch

from playground.config import RunConfig
from playground.engine.run import Run
from playground.metrics import points2d as metrics
from playground.presets import config_for
from playground.registry import Registry
from playground.store import checkpoint, manifest

ROOT = manifest.ROOT
MANIFEST = manifest.NAME


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
    scored: dict = field(default_factory=dict)  # protocol metrics when saved
    trained_with: dict = field(default_factory=dict)  # torch version, device, date
    sha256: str = ""  # of the file as shipped; loading refuses a file that differs
    kind: str = "points2d"  # the data kind: which page shows it
    seconds: float = 0.0  # CPU training time of the recipe when it was built
    # torch CPU threads the recipe trains on (0 = torch's default): convolutions sum in
    # another order on another count, so only the recorded count rebuilds the file bit for bit
    threads: int = 0
    # later stages of the recipe, in order: {"steps": n, "overrides": {...}}: the run trains
    # on from the previous stage's weights, optimiser state and streams with these fields
    # changed (new data or an average of G included), n more steps
    stages: list = field(default_factory=list)
    note: str = ""  # how the shipped file was made where the recipe alone does not say

    @property
    def total_steps(self) -> int:
        """Steps of all stages: the shipped file's step count."""
        return self.steps + sum(int(s["steps"]) for s in self.stages)

    @property
    def command(self) -> str:
        """The exact command that rebuilds this file and its manifest row."""
        return f"python -m playground pretrained --rebuild {self.id}"

    @property
    def id(self) -> str:
        return Path(self.file).stem

    def config(self) -> RunConfig:
        """The config the recipe ends on (and its checkpoint carries)."""
        return self.configs()[-1]

    def configs(self) -> list[RunConfig]:
        """The config of each stage: the first trains `steps`, each later one its own."""
        out = [config_for(self.preset, **self.overrides)]
        for stage in self.stages:
            out.append(out[-1].replace(**stage["overrides"]))
        return out

    @property
    def expected_sha256(self) -> str:
        """The SHA-256 every load checks the file against (the CLI, the labs' picker and
        links, the latent explorer alike). A row without one is refused, never loaded
        unchecked."""
        if not self.sha256:
            raise PretrainedError(f"the manifest records no SHA-256 for pretrained run "
                                  f"{self.id!r}; rebuild it: {self.command}")
        return self.sha256


def read_manifest(root: Path = ROOT) -> Registry[Entry]:
    """The manifest's entries by id, in file order."""
    sections = manifest.read(root, PretrainedError)
    try:
        out: Registry[Entry] = Registry("pretrained run")
        for id_, row in sections["runs"].items():
            row = {k: v for k, v in row.items() if k != "command"}  # derived, not stored
            out.add(id_, Entry(**row))
        return out
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise PretrainedError(f"{Path(root) / MANIFEST} is not a valid manifest ({e})"
                              ) from None


def path_of(id_: str, root: Path = ROOT) -> Path:
    return Path(root) / read_manifest(root).get(id_).file


def load(id_: str, root: Path = ROOT, device: torch.device | None = None) -> Run:
    """The shipped run `id_`, ready to train on (weights, optimiser state, RNG, history),
    after checking its SHA-256 against the manifest."""
    entry = read_manifest(root).get(id_)
    try:
        return checkpoint.load(Path(root) / entry.file, device, entry.expected_sha256)
    except checkpoint.CheckpointError as e:
        raise PretrainedError(f"pretrained run {id_!r}: {e}") from None


def score(run: Run) -> dict[str, float]:
    """The protocol metrics a manifest records (2D: exact W1 on all 2,500 samples; images:
    2,000 samples through the frozen classifier), with the real data's own values at the same
    sample size as `real_<metric>` where the data kind has them (the Frechet distance has a
    sample-size floor: a generator's value means little without the real digits' beside it)."""
    values = run.evaluate(protocol=True, fresh=True)  # never a row recorded before
    values.update({f"real_{k}": v for k, v in run.reference(protocol=True).items()})
    if run.cfg.cond != "none":
        values.update(class_scores(run))
    return {k: round(v, 4) for k, v in values.items()
            if math.isfinite(v) and not metrics.per_bin(k)}


CLASS_N = 200  # fakes a class: the protocol's 2,000 samples asked as classes 0-9 alike
CLASS_SEED = 1_000  # class k's fakes come from z of seed CLASS_SEED + k (no training stream)


def class_scores(run: Run) -> dict[str, float]:
    """A conditional run's Frechet distance per class (metrics/class_fd.py) as fd_class_<k>
    and real_fd_class_<k>, and the worst ratio of the two as class_fd_ratio."""
    from playground.data import datasets, mnist
    from playground.engine.observers import images as observer
    from playground.metrics import class_fd
    from playground.metrics import images as image_metrics
    net = observer.reference(run.cfg.dataset, run.device.type).classifier
    held, labels = datasets.digits_of(run.cfg.dataset).split(held_out=True)
    _, held_feats = image_metrics.read(mnist.to_tensor(held).to(run.device), net)
    fakes = np.concatenate([run.samples(CLASS_N, CLASS_SEED + k, label=k) for k in range(10)])
    _, fake_feats = image_metrics.read(torch.as_tensor(fakes[:, None]).to(run.device), net)
    fd, real = class_fd.per_class(fake_feats, np.repeat(np.arange(10), CLASS_N), held_feats,
                                  labels, CLASS_N)
    out = {f"fd_class_{k}": float(v) for k, v in enumerate(fd)}
    out.update({f"real_fd_class_{k}": float(v) for k, v in enumerate(real)})
    out["class_fd_ratio"] = float((fd / real).max())
    return out


def rescore(root: Path = ROOT, ids: list[str] | None = None,
            log: Callable[[str], None] = print) -> None:
    """Score the shipped files again (no training) and rewrite their manifest rows, e.g.
    after the protocol gained a field; files and SHA-256s are unchanged."""
    root = Path(root)
    rows = {i: asdict(e) for i, e in read_manifest(root).items()}
    for id_ in ids or list(rows):
        rows[id_]["scored"] = scored = score(load(id_, root))
        log(f"{id_}: {scored}")
    _write(root, rows)


def rebuild(root: Path = ROOT, ids: list[str] | None = None,
            log: Callable[[str], None] = print) -> None:
    """Train the recipes (all, or `ids`) on the CPU, save them, and rewrite the manifest."""
    root = Path(root)
    entries = read_manifest(root)
    chosen = ids or entries.ids()
    for id_ in chosen:
        entry = entries.get(id_)
        threads = torch.get_num_threads()
        torch.set_num_threads(entry.threads or threads)
        try:
            configs, start = entry.configs(), time.process_time()
            run = Run(configs[0], device=torch.device("cpu"))
            run.train(entry.steps)
            for cfg, stage in zip(configs[1:], entry.stages, strict=True):
                run = carried(run, cfg)
                run.train(int(stage["steps"]))
            seconds = round(time.process_time() - start, 1)
            used = torch.get_num_threads()
        finally:
            torch.set_num_threads(threads)
        if run.status != "ok":
            raise PretrainedError(f"recipe {id_!r} diverged: {run.reason}")
        scored = score(run)
        # No Adam moments in a shipped file: they were over half of the DCGAN's 24.2 MB. Trained
        # on from the shipped DCGAN (one thread), the shown G scored FD 15.78 / 15.83 / 16.21
        # after 10 / 50 / 200 steps with fresh moments, 15.78 / 15.84 / 16.38 with its own.
        checkpoint.save(run, root / entry.file, moments=False)
        trained_with = {"torch": torch.__version__, "device": "cpu",
                        "machine": platform.machine(), "threads": used,
                        "date": date.today().isoformat()}
        rows = {i: asdict(e) for i, e in read_manifest(root).items()}
        rows[id_].update(scored=scored, trained_with=trained_with, seconds=seconds,
                         sha256=manifest.sha256(root / entry.file), kind=run.data.kind)
        _write(root, rows)
        log(f"{id_}: {entry.total_steps} steps of {entry.preset} -> {scored}")


def carried(run: Run, cfg: RunConfig) -> Run:
    """`run` going on under `cfg`, fields that need new weights included (another training
    set): weights, optimiser state, streams and records carry over, as a checkpoint of `run`
    opened with `cfg` would. A new average of G (`ema_g`) starts at G."""
    state = checkpoint.state_of(run)
    state["config"] = cfg.to_dict()
    return checkpoint.from_state(state, run.device, "the previous stage")


def _write(root: Path, rows: dict) -> None:
    """Rewrite the runs of the manifest, keeping its other sections (e.g. "models")."""
    for row in rows.values():
        row["command"] = f"python -m playground pretrained --rebuild {Path(row['file']).stem}"
    manifest.write_sections({"about": "Shipped runs. Rebuild one with its `command`; each row is "
                             "the recipe, the file's SHA-256 and what it scored.", "runs": rows},
                            root, PretrainedError)
