"""A small frozen digit CNN that reads generated MNIST digits for the class-coverage metrics.

This module owns the architecture, its training recipe, the shipped weights in `pretrained/`
(a plain state_dict, loaded with `weights_only=True` after a SHA-256 check) and their manifest
entry under "models". It knows nothing about GANs; `image_metrics` turns its outputs into
scores. Bad weight files raise `ClassifierError` with a message fit for the user.
"""
from __future__ import annotations

import hashlib
import io
import math
import platform
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from playground.data import mnist
from playground.store import manifest

ROOT = manifest.ROOT
MANIFEST = manifest.NAME
ENTRY = "digit_classifier"  # key under the manifest's "models"
FILE = "digit_classifier.pt"
N_FEATURES = 128  # penultimate width: the feature space of the Frechet distance
# shipped recipe: 4 epochs of the 60,000 training digits (240k augmented draws; the 4,000-digit
# recipe needed 30 epochs for 120k draws and reached 98.81 %); see the manifest for its score
EPOCHS = 4
THREADS = 1  # the rebuild's torch threads: the machine it was made on had 2 shared cores
SEED = 0
BATCH = 64
LR = 1e-3  # Adam's default step (Kingma & Ba 2015), annealed to 0 on a cosine
MAX_SHIFT = 2.0  # augmentation: uniform shift in [-2, 2] px per axis ...
MAX_ROTATE = 10.0  # ... and rotation in [-10, 10] degrees: digits stay legible


class ClassifierError(ValueError):
    """A weight file or manifest entry that cannot be used, with the reason."""


class DigitClassifier(nn.Module):
    """(N, 1, 28, 28) images in [-1, 1] -> (N, 10) logits; `features` gives the (N, 128)
    penultimate activations (after ReLU). Unpadded 3x3 convs; ~99k parameters (~0.4 MB)."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(),  # (N, 32, 26, 26)
            nn.Conv2d(32, 32, 3), nn.ReLU(),  # (N, 32, 24, 24)
            nn.MaxPool2d(2),  # (N, 32, 12, 12)
            nn.Conv2d(32, 64, 3), nn.ReLU(),  # (N, 64, 10, 10)
            nn.Conv2d(64, 64, 3), nn.ReLU(),  # (N, 64, 8, 8)
            nn.MaxPool2d(2),  # (N, 64, 4, 4)
            nn.MaxPool2d(2),  # (N, 64, 2, 2): a 4x smaller linear layer than at 4x4
            nn.Flatten(),  # (N, 256)
            nn.Linear(256, N_FEATURES), nn.ReLU(),  # (N, 128) the features
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(N_FEATURES, 10))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


# ---- training ------------------------------------------------------------------------------
def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A random shift and rotation per image, by one bilinear resample. The background is -1,
    so the resample runs on x + 1 (zero padding = background) and shifts back."""
    n = len(x)
    angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(MAX_ROTATE)
    shift = (torch.rand(n, 2, generator=gen) * 2 - 1) * MAX_SHIFT * 2 / mnist.SIDE  # px -> [-1, 1]
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, align_corners=False) - 1


def train(digits: mnist.Digits, epochs: int = EPOCHS, seed: int = SEED,
          log: Callable[[str], None] = print) -> tuple[DigitClassifier, float]:
    """Train on the non-held-out split (Adam, cosine-annealed, augmented); return the model in
    eval mode and its held-out accuracy. Same seed, same weights on the same machine; the
    global RNG is left as it was (forked here; data order and augmentation use `gen`)."""
    if epochs < 1:
        raise ValueError(f"epochs={epochs} must be at least 1")
    images, labels = digits.split(held_out=False)
    x, y = mnist.to_tensor(images), torch.from_numpy(labels)
    test_x, test_y = digits.split(held_out=True)
    steps = epochs * math.ceil(len(y) / BATCH)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # weight init and dropout use the (forked) global RNG
        gen = torch.Generator().manual_seed(seed)
        model = DigitClassifier()
        opt = torch.optim.Adam(model.parameters(), lr=LR)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        for epoch in range(epochs):
            model.train()
            order, total = torch.randperm(len(y), generator=gen), 0.0
            for i in range(0, len(y), BATCH):
                idx = order[i:i + BATCH]
                loss = F.cross_entropy(model(augment(x[idx], gen)), y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                total += loss.item() * len(idx)
            acc = accuracy(model, test_x, test_y) if len(test_y) else math.nan
            log(f"epoch {epoch + 1}/{epochs}: loss {total / len(y):.4f}, held-out acc {acc:.4f}")
    model.eval()
    return model, acc


@torch.no_grad()
def accuracy(model: nn.Module, images, labels, batch: int = 500) -> float:
    """Fraction of (N, 28, 28) uint8 digits whose predicted class is the label."""
    model.eval()
    x, y = mnist.to_tensor(images), torch.as_tensor(labels)
    hits = sum(int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
               for i in range(0, len(y), batch))
    return hits / len(y)


# ---- the shipped weights -------------------------------------------------------------------
def save(model: DigitClassifier, path: str | Path) -> str:
    """Write the state_dict atomically; return its SHA-256. Written from memory, so the same
    weights always give the same bytes whatever the file is called."""
    buf = io.BytesIO()
    torch.save({k: v.detach().clone() for k, v in model.state_dict().items()}, buf)
    data = buf.getvalue()
    manifest.write_atomic(path, data)
    return hashlib.sha256(data).hexdigest()


def load(path: str | Path | None = None, expected_sha256: str | None = None) -> DigitClassifier:
    """The classifier from a state_dict file, frozen and in eval mode. With no path, the
    shipped file, checked against the manifest's SHA-256 unless `expected_sha256` is given."""
    if path is None:
        path = ROOT / FILE
        if expected_sha256 is None:
            expected_sha256 = manifest_entry()["sha256"]
    path = Path(path)
    data = manifest.read_checked(path, expected_sha256, ClassifierError)
    try:  # weights_only: tensors and plain containers only, never pickled code
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for truncated or foreign files
        raise ClassifierError(f"{path} is not a readable state_dict ({type(e).__name__}; "
                              "truncated or not a torch file?)") from None
    model = DigitClassifier()
    _check_architecture(state, model.state_dict(), path)
    model.load_state_dict(state)
    return model.eval().requires_grad_(False)


def _check_architecture(state, want: dict, path: Path) -> None:
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor)
                                              for v in state.values()):
        raise ClassifierError(f"{path}: not a state_dict (a dict of tensors)")
    problems = [f"missing {k}" for k in want if k not in state]
    problems += [f"unexpected {k}" for k in state if k not in want]
    problems += [f"{k} has shape {tuple(state[k].shape)}, expected {tuple(v.shape)}"
                 for k, v in want.items() if k in state and state[k].shape != v.shape]
    if problems:
        raise ClassifierError(f"{path}: wrong architecture for DigitClassifier: "
                              f"{'; '.join(problems[:4])}")


def manifest_entry(root: str | Path = ROOT) -> dict:
    """The manifest's "models"."digit_classifier" entry."""
    sections = manifest.read(root, ClassifierError)
    try:
        entry = sections["models"][ENTRY]
        if not isinstance(entry.get("sha256"), str):
            raise KeyError("sha256")
        return entry
    except (KeyError, TypeError, AttributeError) as e:
        raise ClassifierError(f"{Path(root) / MANIFEST} has no valid models.{ENTRY} entry "
                              f"({e!r})") from None


def rebuild(root: str | Path = ROOT, epochs: int = EPOCHS, seed: int = SEED,
            log: Callable[[str], None] = print) -> dict:
    """Retrain on the shipped digits, save the weights and rewrite only the manifest's
    "models"."digit_classifier" entry (every other key is kept as it is)."""
    root = Path(root)
    digits = mnist.load_shipped()
    start = time.perf_counter()
    model, acc = train(digits, epochs, seed, log)
    seconds = time.perf_counter() - start
    sha = save(model, root / FILE)
    n_train = int((~digits.held_out).sum())
    entry = {
        "kind": "classifier", "file": FILE, "sha256": sha,
        "data": f"shipped MNIST, training split ({n_train:,} digits)",
        "held_out": f"the {len(digits) - n_train:,} MNIST test digits",
        "command": "python -m playground classifier --rebuild",
        "recipe": {"epochs": epochs, "seed": seed, "batch": BATCH, "lr": LR,
                   "schedule": "Adam, cosine-annealed to 0 over every step",
                   "augment": f"shift +-{MAX_SHIFT:g} px, rotation +-{MAX_ROTATE:g} deg"},
        "metrics": {"held_out_accuracy": round(acc, 4)},
        "seconds": round(seconds, 1),
        "trained_with": {"torch": torch.__version__, "device": "cpu",
                         "threads": torch.get_num_threads(), "machine": platform.machine(),
                         "date": date.today().isoformat()},
    }
    write_manifest_entry(entry, root)
    log(f"wrote {root / FILE} (sha256 {sha}); held-out accuracy {acc:.4f}")
    return entry


def write_manifest_entry(entry: dict, root: str | Path = ROOT) -> None:
    """Set "models"."digit_classifier" in the manifest; every other key stays as it was."""
    models = manifest.read(root, ClassifierError).get("models", {})
    manifest.write_sections({"models": {**models, ENTRY: entry}}, root, ClassifierError)
