"""The data sets (a registry): 2D toy distributions with their ground truth, and MNIST digits.

Each dataset draws samples with an explicit torch.Generator. A 2D one states its ground truth
when it has one (the mode centres and per-mode std that the mode-coverage metric needs; `ring`
and `grid` default to the exact VEEGAN/PacGAN benchmark settings) and its plot bounds. An image
one holds its training split's digits on the training device once, scaled to [-1, 1], with
their labels: the held-out split is the Frechet reference and the real floor, and a GAN never
sees it. A dataset's `kind` ("points2d" or "image") decides which architectures, observer
and metrics apply.
"""
from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from playground.registry import Registry


@dataclass(frozen=True)
class GroundTruth:
    centres: np.ndarray  # (K, 2) float64 mode means
    std: float  # isotropic per-mode std, the unit of the "within 3 std" rule


@dataclass(frozen=True)
class Params:
    n_modes: int
    radius: float
    std: float
    standardise: bool = False  # custom points: train on (x - mean) / scale
    train_digits: int = 60_000  # images: training digits (mnist.TRAIN_DIGITS)


@dataclass(frozen=True)
class Affine:
    """Model space -> the data's own units: x_shown = offset + scale * x (isotropic, so the
    data keep their shape and distances scale by `scale`)."""
    offset: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0

    @property
    def identity(self) -> bool:
        return self.offset == (0.0, 0.0) and self.scale == 1.0


class Distribution:
    """A resolved 2D dataset: a sampler on one device plus ground truth and plot bounds."""

    kind = "points2d"
    shape = (2,)

    def __init__(self, draw: Callable[[int, torch.Generator], torch.Tensor],
                 truth: GroundTruth | None, bounds: tuple[float, float, float, float],
                 display: Affine = Affine()):
        self._draw = draw
        self.truth = truth
        self.bounds = bounds  # (xmin, xmax, ymin, ymax) in model space: the D-surface grid
        self.display = display  # model space -> the units the plots show

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        return self._draw(n, gen)  # (n, 2) float32 on gen's device


class ImageDistribution:
    """A resolved image dataset: the training digits a run trains on (all 60,000 or a fixed
    class-balanced subset, `cfg.train_digits`) kept as uint8 on the training device, each batch
    scaled to [-1, 1] as it is drawn (60,000 digits are 47 MB as uint8, 188 MB as float32).
    The held-out split (the Frechet reference and the real floor, image_metrics) is never
    drawn, so a memorising generator cannot beat the floor."""

    kind = "image"

    def __init__(self, digits, images: np.ndarray, labels: np.ndarray, device: torch.device):
        self.digits = digits  # mnist.Digits: uint8 images, labels, held-out split (host)
        # (N_train, 1, 28, 28) uint8 from `training_of`; on the CPU it shares that cached
        # array's memory (nothing writes to it)
        self.pixels = torch.from_numpy(images).unsqueeze(1).to(device)
        self.shape = tuple(self.pixels.shape[1:])
        self.labels = labels  # (N_train,) int64
        self.label_tensor = torch.from_numpy(np.asarray(labels, np.int64)).to(device)
        self.device = device

    def __len__(self) -> int:
        return len(self.pixels)

    def take(self, idx: torch.Tensor) -> torch.Tensor:
        """(n, 1, 28, 28) float32 in [-1, 1] of the digits at `idx`: x / 127.5 - 1, the same
        float32 operations as mnist.to_tensor, so the values are bit-identical to it."""
        return self.pixels[idx].float() / 127.5 - 1.0

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(len(self.pixels), (n,), generator=gen, device=self.device)
        return self.take(idx)  # (n, 1, 28, 28)

    def sample_labelled(self, n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """(x, y): `sample`'s very digits (the same one draw from `gen`) and their (n,) labels."""
        idx = torch.randint(len(self.pixels), (n,), generator=gen, device=self.device)
        return self.take(idx), self.label_tensor[idx]


@dataclass(frozen=True)
class DatasetSpec:
    label: str
    caption: str
    uses: frozenset[str]  # which of n_modes / radius / std / standardise mean something here
    defaults: Params
    build: Callable[[Params, torch.device, np.ndarray | None], Distribution]
    kind: str = "points2d"  # "points2d" | "image": architectures, observer and metrics follow
    check_params: Callable[[Params], None] | None = None  # extra rules on resolved parameters
    available: Callable[[], bool] = lambda: True  # offered in the app (e.g. data on disk)

    def resolve(self, cfg) -> Params:
        d = self.defaults
        return Params(
            n_modes=cfg.n_modes if cfg.n_modes is not None and "n_modes" in self.uses
            else d.n_modes,
            radius=cfg.radius if cfg.radius is not None and "radius" in self.uses else d.radius,
            std=cfg.std if cfg.std is not None and "std" in self.uses else d.std,
            standardise="standardise" in self.uses and cfg.standardise,
            train_digits=cfg.train_digits,
        )

    def check(self, cfg) -> None:
        if self.check_params is not None:
            self.check_params(self.resolve(cfg))


def _square_modes(p: Params) -> None:
    if math.isqrt(p.n_modes) ** 2 != p.n_modes:
        raise ValueError(f"grid needs a square n_modes (4, 9, 16, 25, ...), got {p.n_modes}")


DATASETS: Registry[DatasetSpec] = Registry("dataset")


def _mixture(centres: np.ndarray, std: float, device: torch.device, pad: float) -> Distribution:
    c = torch.as_tensor(centres, dtype=torch.float32, device=device)  # (K, 2)

    def draw(n: int, gen: torch.Generator) -> torch.Tensor:
        idx = torch.randint(len(c), (n,), generator=gen, device=device)
        return c[idx] + std * torch.randn(n, 2, generator=gen, device=device)

    lo, hi = centres.min(0) - pad, centres.max(0) + pad
    return Distribution(draw, GroundTruth(centres.astype(np.float64), std),
                        (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])))


def ring_centres(k: int, radius: float) -> np.ndarray:
    # 2*pi*i/k for i = 0..k-1; linspace(0, 2*pi, k) would repeat the first mode (k-1 modes).
    angles = 2 * np.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], 1)


def grid_centres(k: int) -> np.ndarray:
    side = math.isqrt(k)
    axis = 2.0 * np.arange(side) - 2.0 * (side - 1) / 2  # spacing 2: {-4,-2,0,2,4} for 25
    xx, yy = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], 1)


def _ring(p: Params, device, _points) -> Distribution:
    return _mixture(ring_centres(p.n_modes, p.radius), p.std, device, 0.5 * p.radius + 4 * p.std)


def _grid(p: Params, device, _points) -> Distribution:
    return _mixture(grid_centres(p.n_modes), p.std, device, 1.5 + 4 * p.std)


def _gaussian(p: Params, device, _points) -> Distribution:
    return _mixture(np.zeros((1, 2)), p.std, device, 4 * p.std)


def _spiral(p: Params, device, _points) -> Distribution:
    # A 2D swiss roll: angle 1.5*pi..4.5*pi, distance from the centre proportional to angle.
    def draw(n: int, gen: torch.Generator) -> torch.Tensor:
        u = torch.rand(n, generator=gen, device=device)
        theta = 1.5 * math.pi * (1 + 2 * u)
        r = p.radius * theta / (4.5 * math.pi)
        xy = torch.stack([r * torch.cos(theta), r * torch.sin(theta)], 1)
        return xy + p.std * torch.randn(n, 2, generator=gen, device=device)

    m = 1.2 * p.radius + 4 * p.std
    return Distribution(draw, None, (-m, m, -m, m))


def _moons(p: Params, device, _points) -> Distribution:
    # Two interleaved half circles (as sklearn's make_moons), centred on the origin.
    def draw(n: int, gen: torch.Generator) -> torch.Tensor:
        t = math.pi * torch.rand(n, generator=gen, device=device)
        upper = torch.rand(n, generator=gen, device=device) < 0.5
        x = torch.where(upper, torch.cos(t), 1 - torch.cos(t)) - 0.5
        y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t)) - 0.25
        xy = p.radius * torch.stack([x, y], 1)
        return xy + p.std * torch.randn(n, 2, generator=gen, device=device)

    r = p.radius
    return Distribution(draw, None, (-1.9 * r, 1.9 * r, -1.4 * r, 1.4 * r))


def standardisation(points: np.ndarray) -> Affine:
    """The affine that maps standardised points back: offset = the mean, scale = the RMS
    distance of the centred coordinates (one number for both axes, so shapes are kept).
    Networks initialised for unit-scale inputs see points near (5000, 5000) as one constant."""
    pts = np.asarray(points, dtype=np.float64)
    mean = pts.mean(0)
    scale = float(np.sqrt(((pts - mean) ** 2).mean()))
    return Affine((float(mean[0]), float(mean[1])), scale if scale > 0 else 1.0)


def _custom(p: Params, device, points) -> Distribution:
    if points is None:
        raise ValueError("dataset 'custom' needs uploaded points (a CSV with two columns)")
    display = standardisation(points) if p.standardise else Affine()
    model = (np.asarray(points, np.float64) - display.offset) / display.scale  # (M, 2)
    pts = torch.as_tensor(model, dtype=torch.float32, device=device)

    def draw(n: int, gen: torch.Generator) -> torch.Tensor:
        return pts[torch.randint(len(pts), (n,), generator=gen, device=device)]

    lo, hi = model.min(0), model.max(0)
    pad = 0.15 * float(max(hi - lo)) + 1e-3
    return Distribution(draw, None, (lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad),
                        display)


_ALL = frozenset({"n_modes", "radius", "std"})
DATASETS.add("ring", DatasetSpec(
    "Ring of Gaussians", "8 modes on the unit circle, std 0.01 (VEEGAN / PacGAN benchmark)",
    _ALL, Params(8, 1.0, 0.01), _ring))
DATASETS.add("grid", DatasetSpec(
    "Grid of Gaussians", "25 modes on {-4,-2,0,2,4}^2, std 0.05 (VEEGAN / PacGAN benchmark)",
    frozenset({"n_modes", "std"}), Params(25, 2.0, 0.05), _grid, check_params=_square_modes))
DATASETS.add("spiral", DatasetSpec(
    "Spiral", "a swiss-roll curve: one connected mode that is hard to trace",
    frozenset({"radius", "std"}), Params(1, 1.0, 0.02), _spiral))
DATASETS.add("moons", DatasetSpec(
    "Two moons", "two interleaved half circles", frozenset({"radius", "std"}),
    Params(2, 1.0, 0.05), _moons))
DATASETS.add("gaussian", DatasetSpec(
    "Single Gaussian", "one isotropic Gaussian at the origin: the easiest target",
    frozenset({"std"}), Params(1, 1.0, 1.0), _gaussian))
DATASETS.add("custom", DatasetSpec(
    "Custom (CSV upload)", "your own points: a CSV with two numeric columns",
    frozenset({"standardise"}), Params(1, 1.0, 0.0), _custom))


@functools.lru_cache(maxsize=2)
def _digits(source: str | None):
    """The digits of `source` (read-only, so one copy per process serves every run)."""
    from playground.data import mnist
    return mnist.load(source)


def digits_of(dataset: str):
    """The mnist.Digits behind an image dataset id (loaded once per process)."""
    if dataset == "mnist":
        return _digits("shipped")
    folder = os.environ.get(MNIST_DIR_ENV, "").strip()
    if not folder:
        raise ValueError(f"dataset 'mnist_full' needs MNIST digits in a local folder named by "
                         f"{MNIST_DIR_ENV} (get them with `python -m playground mnist download "
                         "DIR`); 'mnist' uses the 70,000 shipped")
    return _digits(folder)


@functools.lru_cache(maxsize=4)
def training_of(dataset: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (n, 28, 28), labels) an image dataset's runs train on with
    train_digits = n: one copy per process and size, shared read-only by every run."""
    return digits_of(dataset).training(n)


def _image(dataset: str) -> Callable[[Params, torch.device, np.ndarray | None],
                                     ImageDistribution]:
    def build(p: Params, device, _points) -> ImageDistribution:
        return ImageDistribution(digits_of(dataset), *training_of(dataset, p.train_digits),
                                 device)
    return build


MNIST_DIR_ENV = "PLAYGROUND_MNIST_DIR"  # mnist.ENV_DIR: where the full set lives
DATASETS.add("mnist", DatasetSpec(
    "MNIST (70,000 shipped digits)", "real handwritten digits, 28 x 28: GANs train on the "
    "60,000 training digits (or a fixed class-balanced subset), the 10,000 test digits are "
    "the reference (LeCun, Cortes & Burges; CC BY-SA 3.0)", frozenset(),
    Params(10, 1.0, 0.0), _image("mnist"), kind="image"))
DATASETS.add("mnist_full", DatasetSpec(
    "MNIST (local folder)", f"MNIST from the folder in {MNIST_DIR_ENV} (IDX files or a Keras "
    "mnist.npz); its test set is the reference",
    frozenset(), Params(10, 1.0, 0.0), _image("mnist_full"), kind="image",
    available=lambda: bool(os.environ.get(MNIST_DIR_ENV, "").strip())))


def build(cfg, device: torch.device, points: np.ndarray | None = None):
    """The resolved dataset of `cfg` on `device` (a Distribution or an ImageDistribution)."""
    spec = DATASETS.get(cfg.dataset)
    return spec.build(spec.resolve(cfg), device, points)


def kind_of(dataset: str) -> str:
    return DATASETS.get(dataset).kind
