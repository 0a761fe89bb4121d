"""Real digits: the shipped 70,000 (the standard split, the fixed class-balanced training
subsets, the file's SHA-256), IDX / Keras folders, and every way a digit file can be broken,
each a MnistError that names the file."""
import gzip
import hashlib
import shutil

import numpy as np
import pytest
import torch

from playground.data import mnist
from playground.data.mnist import MnistError

TRAIN_PER_CLASS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]  # LeCun's
TEST_PER_CLASS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# ---- the shipped set -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped():
    return mnist.load_shipped()


def test_shipped_digits_shape_dtype_range(shipped):
    assert shipped.images.shape == (70_000, 28, 28) and shipped.images.dtype == np.uint8
    assert shipped.labels.shape == (70_000,) and shipped.labels.dtype == np.int64
    assert shipped.images.min() == 0 and shipped.images.max() == 255
    # real digits: ~19% ink, mean pixel ~33 of 255 (LeCun's MNIST); noise would be ~50% / 127
    assert 0.15 < (shipped.images > 0).mean() < 0.25
    assert 25 < shipped.images.mean() < 40
    assert shipped.source.startswith("shipped")
    assert 9_000_000 < mnist.SHIPPED.stat().st_size < 12_000_000  # compressed uint8
    assert hashlib.sha256(mnist.SHIPPED.read_bytes()).hexdigest() == mnist.SHIPPED_SHA256


def test_the_standard_split(shipped):
    """Training = LeCun's 60,000, held out = his 10,000 test digits, with their class counts;
    no digit is in both (by pixels)."""
    held = shipped.held_out
    assert held.dtype == bool and held.sum() == 10_000 and not held[:60_000].any()
    assert np.bincount(shipped.labels[~held]).tolist() == TRAIN_PER_CLASS
    assert np.bincount(shipped.labels[held]).tolist() == TEST_PER_CLASS
    train_images, _ = shipped.split(held_out=False)
    test_images, _ = shipped.split(held_out=True)
    seen = {x.tobytes() for x in train_images}
    assert not any(x.tobytes() in seen for x in test_images)  # no digit leaks across


@pytest.mark.parametrize("n", [5000, 500, 100])
def test_training_subsets_are_fixed_balanced_and_nested(shipped, n):
    images, labels = shipped.training(n)
    assert images.shape == (n, 28, 28) and np.bincount(labels).tolist() == [n // 10] * 10
    idx = mnist.balanced_subset(shipped.labels[~shipped.held_out], n)
    np.testing.assert_array_equal(images, shipped.images[idx])  # training digits only
    bigger = {5000: None, 500: 5000, 100: 500}[n]
    if bigger:  # each size holds every smaller one: the demo removes digits, never swaps
        assert set(idx) <= set(mnist.balanced_subset(shipped.labels[:60_000], bigger))


def test_training_subset_pinned(shipped):
    idx = mnist.balanced_subset(shipped.labels[:60_000], 100)
    assert hashlib.sha256(idx.astype("<i8").tobytes()).hexdigest()[:16] == PINNED_100
    images, labels = shipped.training(60_000)
    assert len(labels) == 60_000 and np.bincount(labels).tolist() == TRAIN_PER_CLASS
    other = mnist.balanced_subset(shipped.labels[:60_000], 100, seed=1)
    assert set(other) != set(idx)
    with pytest.raises(MnistError, match="multiple of 10 digits, got 55"):
        mnist.balanced_subset(shipped.labels[:60_000], 55)
    with pytest.raises(MnistError, match="class 0 has 1 training digits; a subset of 20"):
        mnist.balanced_subset(np.arange(10), 20)


PINNED_100 = "ac5728a91bc262f8"  # sha256 of the 100 indices (int64 LE), first 16 hex


def test_shipped_file_checked_by_sha256(tmp_path):
    copy = tmp_path / "mnist70k.npz"
    shutil.copy(mnist.SHIPPED, copy)
    assert len(mnist.load_shipped(copy)) == 70_000
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF  # one flipped byte
    copy.write_bytes(bytes(data))
    with pytest.raises(MnistError, match="SHA-256 .* damaged or replaced"):
        mnist.load_shipped(copy)


def test_to_tensor_range_and_shape(shipped):
    x = mnist.to_tensor(shipped.images[:50])
    assert x.shape == (50, 1, 28, 28) and x.dtype == torch.float32
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    np.testing.assert_allclose(x[:, 0].numpy(), shipped.images[:50] / 127.5 - 1, atol=1e-6)
    with pytest.raises(ValueError, match="uint8"):
        mnist.to_tensor(shipped.images[:5].astype(np.float32))


def test_load_default_and_env(tmp_path, monkeypatch):
    monkeypatch.delenv(mnist.ENV_DIR, raising=False)
    assert len(mnist.load()) == 70_000
    _write_idx_set(tmp_path)
    monkeypatch.setenv(mnist.ENV_DIR, str(tmp_path))
    assert len(mnist.load()) == 40 and len(mnist.load("shipped")) == 70_000


# ---- folders -------------------------------------------------------------------------------
def idx_bytes(arr: np.ndarray, magic: int | None = None) -> bytes:
    """An IDX file: big-endian magic (2051 images, 2049 labels), big-endian dims, then bytes."""
    magic = magic or (mnist.IMAGE_MAGIC if arr.ndim == 3 else mnist.LABEL_MAGIC)
    dims = b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return magic.to_bytes(4, "big") + dims + arr.astype(np.uint8).tobytes()


def tiny_set(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"train-images-idx3-ubyte": rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
            "train-labels-idx1-ubyte": np.arange(30, dtype=np.uint8) % 10,
            "t10k-images-idx3-ubyte": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
            "t10k-labels-idx1-ubyte": np.arange(10, dtype=np.uint8)[::-1].copy()}


def _write_idx_set(folder, gz=True, arrays=None):
    arrays = arrays or tiny_set()
    for name, arr in arrays.items():
        data = idx_bytes(arr)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return arrays


@pytest.mark.parametrize("gz", [True, False])
def test_load_folder_idx(tmp_path, gz):
    a = _write_idx_set(tmp_path, gz)
    d = mnist.load_folder(tmp_path)
    assert d.images.shape == (40, 28, 28) and d.images.dtype == np.uint8
    np.testing.assert_array_equal(d.images[:30], a["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(d.images[30:], a["t10k-images-idx3-ubyte"])
    assert d.labels.dtype == np.int64
    assert d.labels.tolist() == list(range(10)) * 3 + list(range(9, -1, -1))
    assert d.held_out.tolist() == [False] * 30 + [True] * 10  # held out = the test set
    assert str(tmp_path) in d.source


def test_load_folder_keras_npz(tmp_path):
    a = tiny_set()
    np.savez(tmp_path / "mnist.npz", x_train=a["train-images-idx3-ubyte"],
             y_train=a["train-labels-idx1-ubyte"], x_test=a["t10k-images-idx3-ubyte"],
             y_test=a["t10k-labels-idx1-ubyte"])
    for where in (tmp_path, tmp_path / "mnist.npz"):
        d = mnist.load_folder(where)
        assert len(d) == 40 and d.held_out.sum() == 10
        np.testing.assert_array_equal(d.images[30:], a["t10k-images-idx3-ubyte"])
    np.savez(tmp_path / "mnist.npz", x_train=a["train-images-idx3-ubyte"])
    with pytest.raises(MnistError, match=r"mnist\.npz: missing arrays y_train"):
        mnist.load_folder(tmp_path)
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(MnistError, match=r"mnist\.npz: not a readable \.npz"):
        mnist.load_folder(tmp_path)


# ---- broken files --------------------------------------------------------------------------
def _break(folder, name, data: bytes):
    (folder / f"{name}.gz").write_bytes(gzip.compress(data))


def test_corrupt_magic(tmp_path):
    a = _write_idx_set(tmp_path)
    _break(tmp_path, "train-images-idx3-ubyte",
           idx_bytes(a["train-images-idx3-ubyte"], magic=2049))
    with pytest.raises(MnistError, match=r"train-images-idx3-ubyte\.gz: magic number 2049, "
                                         r"expected 2051"):
        mnist.load_folder(tmp_path)


def test_truncated_file(tmp_path):
    a = _write_idx_set(tmp_path)
    _break(tmp_path, "t10k-images-idx3-ubyte", idx_bytes(a["t10k-images-idx3-ubyte"])[:-100])
    with pytest.raises(MnistError, match=r"t10k-images-idx3-ubyte\.gz: truncated: 7,756 bytes, "
                                         r"but the header's dimensions \[10, 28, 28\] need 7,856"):
        mnist.load_folder(tmp_path)
    _break(tmp_path, "t10k-images-idx3-ubyte", idx_bytes(a["t10k-images-idx3-ubyte"]) + b"\0")
    with pytest.raises(MnistError, match="t10k-images-idx3-ubyte.gz: has trailing bytes"):
        mnist.load_folder(tmp_path)
    _break(tmp_path, "t10k-images-idx3-ubyte", b"\0\0\x08")
    with pytest.raises(MnistError, match="shorter than the 16-byte header"):
        mnist.load_folder(tmp_path)
    gz = gzip.compress(idx_bytes(a["t10k-images-idx3-ubyte"]))
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gz[: len(gz) // 2])
    with pytest.raises(MnistError, match=r"t10k-images-idx3-ubyte\.gz: not a valid gzip"):
        mnist.load_folder(tmp_path)


def test_wrong_dims(tmp_path):
    _write_idx_set(tmp_path)
    _break(tmp_path, "train-images-idx3-ubyte", idx_bytes(np.zeros((30, 27, 28), np.uint8)))
    with pytest.raises(MnistError, match=r"train-images-idx3-ubyte\.gz: images are 27x28, "
                                         r"expected 28x28"):
        mnist.load_folder(tmp_path)


def test_label_image_count_mismatch_and_range(tmp_path):
    _write_idx_set(tmp_path)
    _break(tmp_path, "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(9, np.uint8)))
    with pytest.raises(MnistError, match=r"t10k-images-idx3-ubyte\.gz and .*"
                                         r"t10k-labels-idx1-ubyte\.gz: 10 images but 9 labels"):
        mnist.load_folder(tmp_path)
    _break(tmp_path, "t10k-labels-idx1-ubyte", idx_bytes(np.full(10, 10, np.uint8)))
    with pytest.raises(MnistError, match=r"t10k-labels-idx1-ubyte\.gz: labels must lie in "
                                         r"0\.\.9, found 10\.\.10"):
        mnist.load_folder(tmp_path)


def test_missing_file_and_folder(tmp_path):
    _write_idx_set(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MnistError, match=r"train-labels-idx1-ubyte: missing \(neither"):
        mnist.load_folder(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MnistError, match="no MNIST files; expected the four IDX files"):
        mnist.load_folder(empty)
    with pytest.raises(MnistError, match="nowhere: no such folder"):
        mnist.load_folder(tmp_path / "nowhere")
    with pytest.raises(MnistError, match="no such folder"):
        mnist.load(str(tmp_path / "nowhere"))


def test_shipped_file_problems(tmp_path):
    with pytest.raises(MnistError, match=r"gone\.npz: cannot read"):
        mnist.load_shipped(tmp_path / "gone.npz")
    with pytest.raises(MnistError, match=r"gone\.npz: missing"):
        mnist.load_shipped(tmp_path / "gone.npz", sha256=None)
    np.savez(tmp_path / "old.npz", images=np.zeros((10, 28, 28), np.uint8),
             labels=np.zeros(10, np.uint8))  # the old mnist5k layout
    with pytest.raises(MnistError, match=r"old\.npz: missing arrays train_images"):
        mnist.load_shipped(tmp_path / "old.npz", sha256=None)
    arrays = {"train_images": np.zeros((10, 28, 28), np.uint8),
              "train_labels": np.zeros(9, np.uint8),
              "test_images": np.zeros((2, 28, 28), np.uint8), "test_labels": np.zeros(2, np.uint8)}
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(MnistError, match=r"bad\.npz: 10 images but 9 labels"):
        mnist.load_shipped(tmp_path / "bad.npz", sha256=None)
    np.savez(tmp_path / "float.npz", **{**arrays, "train_labels": np.zeros(10, np.uint8),
                                        "test_images": np.zeros((2, 28, 28), np.float32)})
    with pytest.raises(MnistError, match=r"float\.npz: test_images is float32"):
        mnist.load_shipped(tmp_path / "float.npz", sha256=None)


# ---- the CLI -------------------------------------------------------------------------------
def test_cli_info(tmp_path, capsys, monkeypatch):
    from playground import cli
    monkeypatch.delenv(mnist.ENV_DIR, raising=False)
    assert cli.main(["mnist", "info"]) == 0
    out = capsys.readouterr().out
    assert "70,000 (60,000 train, 10,000 held out)" in out
    assert "    9   5949      1009" in out
    _write_idx_set(tmp_path, gz=False)
    assert cli.main(["mnist", "info", "--dir", str(tmp_path)]) == 0
    assert "40 (30 train, 10 held out)" in capsys.readouterr().out
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(b"junk")
    assert cli.main(["mnist", "info", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "t10k-labels-idx1-ubyte: 4 bytes is shorter" in err[0]
