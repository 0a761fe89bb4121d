"""A generator opened for exploring its latent space: decode z to digits, label them with the
frozen classifier, measure their strokes, find their nearest training digits, and the
arithmetic presets that work on the shipped DCGAN.

Built from a run (the MNIST lab's, copied at a moment), a checkpoint file or bytes (an upload),
or a shipped run id. G runs in eval mode (batch norm on its running statistics: a strip does not
depend on what else is in its batch), batched, on its device. No Streamlit here.

A class-conditional G (issue 22) is explored through its inner net, which reads [z, label] with
the label one-hot: a point here is then those latent_dim + 10 numbers (`width`), so every path,
sweep and sum carries a label with its z (a path between a 3 and a 7 mixes their labels), and
the class views hold z and change only the label part: the same z as every class, a path from
one class to another, and style transfer (the z that redraws a real digit, under every label).
An InfoGAN G is explored the same way through its inner net on [z, c]: its categorical code
stands where the label was (10 values G found without labels, not digits) and its continuous
codes follow (`cont`), so a point is latent_dim + 10 + 2 numbers.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from playground.latent import ops as latent
from playground.registry import Registry
from playground.store import checkpoint, pretrained

BATCH = 256  # images per forward pass
KIND_NAMES = {"points2d": "2D"}  # a run's kind of data as the page names it
NEIGHBOUR_DIGITS = 5000  # training digits searched for a fake's nearest neighbours
N_CLASSES = 10  # a conditional G's label part: conditioning.N_CLASSES
DEFAULT_SHIPPED = "dcgan_mnist"  # the shipped generator the explorer opens on


@dataclass(frozen=True)
class Decoded:
    z: np.ndarray  # (N, D) float32
    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) the classifier's digit
    confidence: np.ndarray  # (N,) its softmax probability

    @property
    def mass(self) -> np.ndarray:
        return latent.stroke_mass(self.images)

    @property
    def slant(self) -> np.ndarray:
        return latent.slant(self.images)


@functools.lru_cache(maxsize=2)
def classifier(device: str):
    """The frozen digit classifier on `device`, loaded once per device."""
    from playground.metrics import classifier as digit_classifier
    return digit_classifier.load().to(device).eval()


@functools.lru_cache(maxsize=2)
def _training_digits(device: str):
    """The fixed class-balanced 5,000 of the shipped training digits (uint8) and their
    classifier features (for nearest neighbours; each query scans them all, and all 60,000
    would be 12 times the features to compute and scan)."""
    from playground.data import datasets, mnist
    from playground.metrics import images as image_metrics
    images, labels = datasets.training_of("mnist", NEIGHBOUR_DIGITS)
    _, feats = image_metrics.read(mnist.to_tensor(images).to(device), classifier(device))
    return images, labels, feats.astype(np.float32)


def shipped_generators() -> dict[str, str]:
    """The shipped digit generators (pretrained/manifest.json, kind image): id -> what the
    page's button calls it (its title without " on MNIST (shipped)": the full title was cut
    at 1280 px, 228 px of text in a 174 px button)."""
    return {id_: e.title.replace(" (shipped)", "").replace(" on MNIST", "") for id_, e in
            pretrained.read_manifest().items() if e.kind == "image"}


class Explorer:
    def __init__(self, G: torch.nn.Module, latent_dim: int, source: str, step: int = 0,
                 device: torch.device | None = None, classes: int = 0, cont: int = 0,
                 info: bool = False):
        """`classes`: 0 for G(z); 10 for a class-conditional G(z, y) or an InfoGAN G(z, c),
        explored through its inner net (conditioning.InputGenerator) on [z, one-hot, cont]
        with `cont` continuous codes (InfoGAN's 2); `info`: the one-hot part is InfoGAN's
        categorical code, whose values are not digits."""
        self.device = device or next(G.parameters()).device
        self.G = G.to(self.device).eval()
        self.net = self.G.inner if classes else self.G
        self.latent_dim, self.source, self.step = latent_dim, source, step
        self.classes, self.cont, self.info = classes, cont, info
        self.width = latent_dim + classes + cont  # numbers in a point: z, then the code part
        self._labelled: Decoded | None = None

    @property
    def tail(self) -> int:
        """Numbers after z in a point (label or codes): paths lerp them (latent.ops `tail`)."""
        return self.width - self.latent_dim

    @property
    def threads(self) -> int:
        """Torch threads this process decodes with (the page's device readout)."""
        return torch.get_num_threads()

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def from_run(cls, run, source: str) -> Explorer:
        if run.data.kind != "image":
            raise ValueError(f"{source} trains {run.data.kind} data; the latent explorer "
                             "needs a digit generator")
        if run.cfg.info_codes != "none":  # G(z, c): the categorical code, then continuous ones
            from playground import infogan
            spec = infogan.spec_of(run.cfg)
            return cls(run.G_shown, run.cfg.latent_dim, source, run.step_count, run.device,
                       spec.n_cat, spec.n_cont, info=True)
        classes = 0 if run.cfg.cond == "none" else N_CLASSES
        return cls(run.G_shown, run.cfg.latent_dim, source, run.step_count, run.device, classes)

    @classmethod
    def from_file(cls, path: str | Path, source: str, sha256: str | None = None) -> Explorer:
        state = checkpoint.read(path, sha256)
        kind = state.get("kind", "points2d")  # version 1 files are all 2D
        if kind != "image":  # this page opens generators; it trains nothing
            raise checkpoint.CheckpointError(
                "the latent explorer opens image (MNIST) checkpoints; this one is a "
                f"{KIND_NAMES.get(kind, kind)} run: open it in the 2D lab")
        return cls.from_run(checkpoint.from_state(state, torch.device("cpu"), Path(path).name),
                            source)

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> Explorer:
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "generator.pt"
            path.write_bytes(data)
            return cls.from_file(path, source)

    @classmethod
    def shipped(cls, id_: str = DEFAULT_SHIPPED) -> Explorer:
        entry = pretrained.read_manifest().get(id_)
        return cls.from_file(pretrained.ROOT / entry.file, f"shipped {id_}",
                             entry.expected_sha256)

    # ---- decoding ---------------------------------------------------------------------------
    def z_batch(self, n: int, seed: int) -> np.ndarray:
        """n points from `seed`: standard normal z of this generator's size; for a conditional
        G each with a one-hot label, classes 0-9 in turn (the same z as unconditional)."""
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype(np.float32)
        return self.with_labels(z, np.arange(n) % N_CLASSES) if self.classes else z

    def with_labels(self, z: np.ndarray, classes: np.ndarray,
                    cont: np.ndarray | None = None) -> np.ndarray:
        """(N, width): the z part of `z` (N, latent_dim or width) with one-hot `classes` and
        the continuous codes `cont` (N, self.cont; default 0, the middle of their range)."""
        z = np.asarray(z, np.float32).reshape(len(classes), -1)[:, :self.latent_dim]
        cont = np.zeros((len(classes), self.cont), np.float32) if cont is None else cont
        return np.concatenate([z, np.eye(self.classes, dtype=np.float32)[classes],
                               np.asarray(cont, np.float32).reshape(len(classes), self.cont)], 1)

    def asked(self, points: np.ndarray) -> np.ndarray | None:
        """The class each point's label part asks for most (None for an unconditional G)."""
        if not self.classes:
            return None
        return np.asarray(points, np.float32).reshape(-1, self.width)[
            :, self.latent_dim:self.latent_dim + self.classes].argmax(1)

    @torch.no_grad()
    def decode(self, z: np.ndarray) -> Decoded:
        z = np.asarray(z, np.float32).reshape(-1, self.width)
        from playground.metrics import images as image_metrics
        images, labels, conf = [], [], []
        for i in range(0, len(z), BATCH):
            x = self.net(torch.as_tensor(z[i:i + BATCH], device=self.device))  # (B, 1, 28, 28)
            log_p, _ = image_metrics.read(x, classifier(self.device.type))
            images.append(((x.clamp(-1, 1) + 1) * 127.5).round().squeeze(1).to(torch.uint8)
                          .cpu().numpy())
            labels.append(log_p.argmax(1))
            conf.append(np.exp(log_p.max(1)))
        return Decoded(z, np.concatenate(images), np.concatenate(labels),
                       np.concatenate(conf).astype(np.float32))

    def coordinate_effects(self, z: np.ndarray, lo: float, hi: float) -> np.ndarray:
        """(D,) how much each coordinate alone changes the digit of `z` (D,): the mean
        absolute pixel change, 0-1, between G(z + lo e_k) and G(z + hi e_k). On the shipped
        DCGAN over -3..3 (batch seed 0, 32 samples) coordinate 0 changed 0.084 on average, the
        median coordinate 0.10 and each sample's strongest one 0.16."""
        eye = np.eye(self.latent_dim, self.width, dtype=np.float32)  # z's coordinates only
        z = np.asarray(z, np.float32)
        ends = self.decode(np.concatenate([z + lo * eye, z + hi * eye])).images
        low, high = ends[:self.latent_dim], ends[self.latent_dim:]
        return (np.abs(high.astype(np.float32) - low) / 255).mean((1, 2))

    def sample(self, n: int, seed: int) -> Decoded:
        return self.decode(self.z_batch(n, seed))

    def labelled(self) -> Decoded:
        """The labelled sample the arithmetic presets and attribute directions are found in,
        decoded once per explorer (kept on the instance, so two generators never share it)."""
        if self._labelled is None:
            self._labelled = self.sample(PRESET_SAMPLE, PRESET_SEED)
        return self._labelled

    # ---- memorisation check -------------------------------------------------------------------
    @torch.no_grad()
    def nearest(self, image: np.ndarray, k: int = 3) -> dict[str, tuple[np.ndarray, ...]]:
        """The k training digits closest to `image` (28, 28) uint8, by pixel L2 and by the
        classifier's features: {"pixels" | "features": (images, labels, distances)}."""
        from playground.data import mnist
        from playground.metrics import images as image_metrics
        train, labels, feats = _training_digits(self.device.type)
        px = np.sqrt(((train.reshape(len(train), -1).astype(np.float32) / 255.0
                       - image.reshape(1, -1).astype(np.float32) / 255.0) ** 2).sum(1))
        x = mnist.to_tensor(image[None]).to(self.device)
        _, f = image_metrics.read(x, classifier(self.device.type))
        fd = np.sqrt(((feats - f.astype(np.float32)) ** 2).sum(1))
        out = {}
        for name, dist in (("pixels", px), ("features", fd)):
            idx = np.argsort(dist)[:k]
            out[name] = (train[idx], labels[idx], dist[idx])
        return out


# ---- arithmetic presets: groups picked by rule from a labelled sample --------------------------
ATTRIBUTES = {"thick": lambda d: d.mass, "thin": lambda d: -d.mass,
              "slanted": lambda d: d.slant, "upright": lambda d: -np.abs(d.slant)}


@dataclass(frozen=True)
class ArithmeticPreset:
    label: str
    caption: str
    groups: tuple[tuple[int, str], tuple[int, str], tuple[int, str]]  # (digit, attribute) A B C
    expect: int  # the digit the result should read as
    attribute: str  # the attribute it should carry over from A (vs C)


ARITHMETIC: Registry[ArithmeticPreset] = Registry("arithmetic preset")
# Found on the shipped DCGAN by `python -m tools.find_arithmetic`: every (digit, digit) pair
# for each attribute, on a sample of 2,000 (seed 7), kept where at least 7 of 8 neighbours
# (sigma 0.25) on each of neighbour seeds 0, 1, 2 read as C's digit and the attribute grew
# against C's own exemplars, and where both held again on groups picked from two fresh
# samples (seeds 8, 9). Re-found on the dcgan_packed generator (issue 20), 24/24 on the
# sample and 24/24 on each fresh one for all three: thick 2 (mass +0.138; fresh +0.170,
# +0.107), slanted 4 from 8s (slant +0.51; +0.51, +0.87), slanted 1 from 7s (+0.49; +0.32,
# +0.41). 33 candidates held in all; the earlier generator's thick 3 -> 7 did not.
ARITHMETIC.add("thick_2", ArithmeticPreset(
    "thick 5 − thin 5 + thin 2 = thick 2", "the stroke weight of 5s carried onto 2s",
    ((5, "thick"), (5, "thin"), (2, "thin")), 2, "thick"))
ARITHMETIC.add("slanted_4", ArithmeticPreset(
    "slanted 8 − upright 8 + upright 4 = slanted 4", "the lean of an 8 carried onto a 4",
    ((8, "slanted"), (8, "upright"), (4, "upright")), 4, "slanted"))
ARITHMETIC.add("slanted_1", ArithmeticPreset(
    "slanted 7 − upright 7 + upright 1 = slanted 1", "the lean of a 7 carried onto a 1",
    ((7, "slanted"), (7, "upright"), (1, "upright")), 1, "slanted"))
PRESET_SAMPLE, PRESET_SEED, PRESET_CONFIDENCE = 2000, 7, 0.9  # how groups are picked


def preset_groups(sample: Decoded, preset: ArithmeticPreset,
                  per_group: int = 3) -> list[np.ndarray]:
    """Indices into `sample` of each group: the `per_group` confident samples of the group's
    digit that score highest on its attribute (DCGAN averaged three exemplars per concept)."""
    out = []
    for digit, attribute in preset.groups:
        pool = np.flatnonzero((sample.labels == digit) & (sample.confidence >= PRESET_CONFIDENCE))
        if len(pool) < per_group:
            raise ValueError(f"only {len(pool)} confident {digit}s in the sample; this "
                             "generator does not draw enough of them for the preset")
        score = ATTRIBUTES[attribute](sample)[pool]
        out.append(pool[np.argsort(score)[-per_group:]])
    return out

