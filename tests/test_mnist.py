"""Real digits: the shipped 5k subset and its fixed split, IDX / Keras folders, and every way a
digit file can be broken, each a MnistError that names the file."""
import gzip
import hashlib

import numpy as np
import pytest
import torch

from playground.data import mnist
from playground.data.mnist import MnistError


# ---- the shipped subset --------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped():
    return mnist.load_shipped()


def test_shipped_digits_shape_dtype_range(shipped):
    assert shipped.images.shape == (5000, 28, 28) and shipped.images.dtype == np.uint8
    assert shipped.labels.shape == (5000,) and shipped.labels.dtype == np.int64
    assert shipped.images.min() == 0 and shipped.images.max() == 255
    # real digits: ~19% ink, mean pixel ~33 of 255 (LeCun's MNIST); noise would be ~50% / 127
    assert 0.15 < (shipped.images > 0).mean() < 0.25
    assert 25 < shipped.images.mean() < 40
    assert np.bincount(shipped.labels).tolist() == [500] * 10
    assert shipped.source.startswith("shipped")
    assert mnist.SHIPPED.stat().st_size < 2_000_000


def test_held_out_is_100_per_class_and_disjoint(shipped):
    held = shipped.held_out
    assert held.dtype == bool and held.sum() == 1000
    assert np.bincount(shipped.labels[held]).tolist() == [100] * 10
    assert np.bincount(shipped.labels[~held]).tolist() == [400] * 10
    train_images, _ = shipped.split(held_out=False)
    test_images, test_labels = shipped.split(held_out=True)
    assert len(train_images) == 4000 and len(test_labels) == 1000
    seen = {x.tobytes() for x in train_images}
    assert not any(x.tobytes() in seen for x in test_images)  # no digit leaks across


def test_split_is_deterministic_and_pinned(shipped):
    again = mnist.load_shipped()
    np.testing.assert_array_equal(again.held_out, shipped.held_out)
    # Pinned: the shipped classifier's recorded accuracy is measured on exactly these digits.
    # If numpy ever changes default_rng's permutation stream, this fails first.
    idx = np.flatnonzero(shipped.held_out).astype("<i8")
    assert idx[:5].tolist() == [11, 13, 33, 37, 42]
    assert hashlib.sha256(idx.tobytes()).hexdigest().startswith("8ab68ef6d86b07e0")
    other = mnist.stratified_split(shipped.labels, seed=1)
    assert (other != shipped.held_out).any() and other.sum() == 1000


def test_to_tensor_range_and_shape(shipped):
    x = mnist.to_tensor(shipped.images[:50])
    assert x.shape == (50, 1, 28, 28) and x.dtype == torch.float32
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    np.testing.assert_allclose(x[:, 0].numpy(), shipped.images[:50] / 127.5 - 1, atol=1e-6)
    with pytest.raises(ValueError, match="uint8"):
        mnist.to_tensor(shipped.images[:5].astype(np.float32))


def test_load_default_and_env(tmp_path, monkeypatch):
    monkeypatch.delenv(mnist.ENV_DIR, raising=False)
    assert len(mnist.load()) == 5000 and len(mnist.load("shipped")) == 5000
    _write_idx_set(tmp_path)
    monkeypatch.setenv(mnist.ENV_DIR, str(tmp_path))
    assert len(mnist.load()) == 40 and len(mnist.load("shipped")) == 5000


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
    with pytest.raises(MnistError, match=r"gone\.npz: missing"):
        mnist.load_shipped(tmp_path / "gone.npz")
    np.savez(tmp_path / "bad.npz", images=np.zeros((10, 28, 28), np.uint8),
             labels=np.zeros(9, np.uint8))
    with pytest.raises(MnistError, match=r"bad\.npz: 10 images but 9 labels"):
        mnist.load_shipped(tmp_path / "bad.npz")
    np.savez(tmp_path / "few.npz", images=np.zeros((10, 28, 28), np.uint8),
             labels=np.arange(10, dtype=np.uint8))
    with pytest.raises(MnistError, match="class 0 has 1 digits; the split needs 100"):
        mnist.load_shipped(tmp_path / "few.npz")


# ---- the CLI -------------------------------------------------------------------------------
def test_cli_info(tmp_path, capsys, monkeypatch):
    from playground import cli
    monkeypatch.delenv(mnist.ENV_DIR, raising=False)
    assert cli.main(["mnist", "info"]) == 0
    out = capsys.readouterr().out
    assert "5,000 (4,000 train, 1,000 held out)" in out
    assert "    9    400       100" in out
    _write_idx_set(tmp_path, gz=False)
    assert cli.main(["mnist", "info", "--dir", str(tmp_path)]) == 0
    assert "40 (30 train, 10 held out)" in capsys.readouterr().out
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(b"junk")
    assert cli.main(["mnist", "info", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "t10k-labels-idx1-ubyte: 4 bytes is shorter" in err[0]
