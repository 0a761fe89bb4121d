"""Real MNIST digits: all 70,000 shipped in the repository (`mnist70k.npz`), or the full set
from a local folder (which `mnist_download` fetches, only when asked).

This module owns reading and validating digit files, the standard split (the 10,000 test digits
are the held-out set, never trained on) and the fixed class-balanced training subsets; it caches
nothing (callers do) and never touches the network. Every rejection raises `MnistError` naming
the file and the problem, never a raw numpy / gzip traceback.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHIPPED = Path(__file__).resolve().parent / "mnist70k.npz"  # see data/README.md
# its SHA-256 (tools/convert_mnist.py prints it): checked on every load, 16 ms for 11 MB here
SHIPPED_SHA256 = "04264ff3782eb986c503d57b901e2b943c1a26ff3bd26d26606e38e7368df925"
SHIPPED_KEYS = ("train_images", "train_labels", "test_images", "test_labels")
ENV_DIR = "PLAYGROUND_MNIST_DIR"  # load(None) reads the full set from here when it is set
SIDE = 28  # MNIST digits are 28 x 28 pixels
N_CLASSES = 10
# Training-set sizes a run may train on (RunConfig.train_digits): all 60,000, or a fixed
# class-balanced subset (n / 10 of each class). Small sets let D memorise: a lecture demo.
TRAIN_DIGITS = (60_000, 5_000, 500, 100)
SUBSET_SEED = 20_261_206  # numpy default_rng seed of the subsets; changing it moves them
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049  # IDX: 0x0803 = ubyte, 3 dims; 0x0801 = ubyte, 1 dim
IDX_FILES = {  # (images, labels) per split, names as LeCun published them
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
KERAS_NPZ = "mnist.npz"  # keras.datasets.mnist's single-file layout

class MnistError(ValueError):
    """Digit files that are missing or unusable, or a download that failed, with the reason."""


@dataclass(frozen=True)
class Digits:
    images: np.ndarray  # (N, 28, 28) uint8, 0 = background
    labels: np.ndarray  # (N,) int64 in 0..9
    held_out: np.ndarray  # (N,) bool: the validation split, never trained on
    source: str  # where the digits came from, for display

    def __len__(self) -> int:
        return len(self.labels)

    def split(self, held_out: bool) -> tuple[np.ndarray, np.ndarray]:
        """(images, labels) of the held-out split (True) or the training split (False)."""
        mask = self.held_out if held_out else ~self.held_out
        return self.images[mask], self.labels[mask]

    def training(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(images, labels) a GAN trains on: the whole training split when it has at most n
        digits, else the fixed class-balanced subset `balanced_subset` picks (copies)."""
        idx = np.flatnonzero(~self.held_out)
        if n < len(idx):
            idx = idx[balanced_subset(self.labels[idx], n)]
        return self.images[idx], self.labels[idx]


def balanced_subset(labels: np.ndarray, n: int, seed: int = SUBSET_SEED) -> np.ndarray:
    """Sorted indices of n // 10 digits of each class: the first of one seeded permutation
    per class (in class order), so the same digits every time and each size contains every
    smaller one (the 100 are among the 500, the 500 among the 5,000)."""
    per_class, rng = n // N_CLASSES, np.random.default_rng(seed)
    if per_class * N_CLASSES != n or n <= 0:
        raise MnistError(f"a class-balanced subset needs a positive multiple of 10 digits, "
                         f"got {n}")
    picked = []
    for c in range(N_CLASSES):
        idx = np.flatnonzero(labels == c)
        if len(idx) < per_class:
            raise MnistError(f"class {c} has {len(idx)} training digits; a subset of {n} "
                             f"needs {per_class} of each class")
        picked.append(rng.permutation(idx)[:per_class])
    return np.sort(np.concatenate(picked))


# ---- loading -------------------------------------------------------------------------------
def load(source: str | None = None) -> Digits:
    """`"shipped"` (the default) or a folder path; None means $PLAYGROUND_MNIST_DIR if set."""
    if source is None:
        source = os.environ.get(ENV_DIR) or "shipped"
    return load_shipped() if source == "shipped" else load_folder(source)


def load_shipped(path: Path = SHIPPED, sha256: str | None = SHIPPED_SHA256) -> Digits:
    """The shipped 70,000 digits: the 60,000 training digits, then the 10,000 test digits
    (held out). The file must match `sha256` (None: not checked; for other files)."""
    path = Path(path)
    if sha256 is not None:
        try:
            got = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as e:
            raise MnistError(f"{path}: cannot read ({e.strerror})") from None
        if got != sha256:
            raise MnistError(f"{path}: SHA-256 {got[:12]}..., expected {sha256[:12]}...: the "
                             "file is damaged or replaced (git checkout it, or rebuild it with "
                             "tools/convert_mnist.py)")
    a = _read_npz(path, SHIPPED_KEYS)
    parts = []
    for split in ("train", "test"):
        images, labels = a[f"{split}_images"], _check_labels(a[f"{split}_labels"], path)
        _check_images(images, path, f"{split}_images")
        _check_counts(images, labels, path, path)
        parts.append((images, labels, np.full(len(labels), split == "test")))
    images, labels, held_out = (np.concatenate(p) for p in zip(*parts, strict=True))
    return Digits(images, labels, held_out, f"shipped MNIST ({len(labels):,})")


def load_folder(path: str | Path) -> Digits:
    """The full set from a folder with the four IDX files (each raw or `.gz`; the `.gz` is read
    when both exist) or with a Keras `mnist.npz`; `path` may also be the `.npz` itself.
    The held-out split is the test set (10,000 digits in the real data)."""
    path = Path(path).expanduser()
    if path.is_file() and path.suffix == ".npz":
        return _load_keras(path)
    if not path.is_dir():
        raise MnistError(f"{path}: no such folder")
    names = [n for pair in IDX_FILES.values() for n in pair]
    if any((path / n).exists() or (path / f"{n}.gz").exists() for n in names):
        return _load_idx_folder(path)
    if (path / KERAS_NPZ).is_file():
        return _load_keras(path / KERAS_NPZ)
    raise MnistError(f"{path}: no MNIST files; expected the four IDX files "
                     f"({', '.join(names)}, each raw or .gz) or {KERAS_NPZ}")


def _load_idx_folder(folder: Path) -> Digits:
    parts = []
    for split, (image_name, label_name) in IDX_FILES.items():
        image_file, label_file = _find(folder, image_name), _find(folder, label_name)
        images = read_idx(image_file, IMAGE_MAGIC)
        labels = _check_labels(read_idx(label_file, LABEL_MAGIC), label_file)
        _check_counts(images, labels, image_file, label_file)
        parts.append((images, labels, np.full(len(labels), split == "test")))
    images, labels, held_out = (np.concatenate(a) for a in zip(*parts, strict=True))
    return Digits(images, labels, held_out, f"IDX files in {folder} ({len(labels):,})")


def _find(folder: Path, name: str) -> Path:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    raise MnistError(f"{folder / name}: missing (neither {name} nor {name}.gz is there)")


def read_idx(path: Path, magic: int) -> np.ndarray:
    """An IDX file of unsigned bytes: (N, 28, 28) uint8 images (magic 2051) or (N,) labels
    (magic 2049). Header: big-endian int32 magic, then one big-endian int32 per dimension."""
    data = _read_bytes(path)
    ndim = 3 if magic == IMAGE_MAGIC else 1
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MnistError(f"{path}: {len(data)} bytes is shorter than the {header}-byte header")
    got = int.from_bytes(data[:4], "big")
    if got != magic:
        kind = "images" if magic == IMAGE_MAGIC else "labels"
        raise MnistError(f"{path}: magic number {got}, expected {magic} (IDX {kind}); "
                         "not an MNIST file of this kind")
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if ndim == 3 and dims[1:] != [SIDE, SIDE]:
        raise MnistError(f"{path}: images are {dims[1]}x{dims[2]}, expected {SIDE}x{SIDE}")
    expected = header + int(np.prod(dims))
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "has trailing bytes"
        raise MnistError(f"{path}: {problem}: {len(data):,} bytes, but the header's "
                         f"dimensions {dims} need {expected:,}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims).copy()


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MnistError(f"{path}: missing") from None
    except OSError as e:
        raise MnistError(f"{path}: cannot read ({e.strerror})") from None
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        raise MnistError(f"{path}: not a valid gzip file (corrupt or truncated)") from None


def _load_keras(path: Path) -> Digits:
    a = _read_npz(path, ("x_train", "y_train", "x_test", "y_test"))
    parts = []
    for x, y in (("x_train", "y_train"), ("x_test", "y_test")):
        _check_images(a[x], path, x)
        labels = _check_labels(a[y], path, y)
        _check_counts(a[x], labels, path, path)
        parts.append((a[x], labels, np.full(len(labels), x == "x_test")))
    images, labels, held_out = (np.concatenate(p) for p in zip(*parts, strict=True))
    return Digits(images, labels, held_out, f"{path} ({len(labels):,})")


def _read_npz(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in keys if k not in z.files]
            if missing:
                raise MnistError(f"{path}: missing arrays {', '.join(missing)} "
                                 f"(has {', '.join(z.files) or 'none'})")
            return {k: z[k] for k in keys}
    except FileNotFoundError:
        raise MnistError(f"{path}: missing") from None
    except MnistError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise MnistError(f"{path}: not a readable .npz ({type(e).__name__}; corrupt or "
                         "truncated?)") from None


def _check_images(images: np.ndarray, path: Path, name: str = "images") -> None:
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise MnistError(f"{path}: {name} has shape {images.shape}, expected (N, 28, 28)")
    if images.dtype != np.uint8:
        raise MnistError(f"{path}: {name} is {images.dtype}, expected uint8 pixels 0..255")


def _check_labels(labels: np.ndarray, path: Path, name: str = "labels") -> np.ndarray:
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise MnistError(f"{path}: {name} must be a 1-D integer array, got {labels.dtype} "
                         f"{labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise MnistError(f"{path}: {name} must lie in 0..9, found {labels.min()}..{labels.max()}")
    return labels.astype(np.int64)


def _check_counts(images: np.ndarray, labels: np.ndarray, image_file: Path,
                  label_file: Path) -> None:
    if len(images) != len(labels):
        where = image_file if image_file == label_file else f"{image_file} and {label_file}"
        raise MnistError(f"{where}: {len(images):,} images but {len(labels):,} labels")


def to_tensor(images: np.ndarray):
    """(N, 28, 28) uint8 -> (N, 1, 28, 28) float32 torch tensor in [-1, 1] (x / 127.5 - 1),
    the range of a tanh generator's output."""
    import torch
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"images must be (N, 28, 28) uint8, got {images.dtype} {images.shape}")
    return torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)
