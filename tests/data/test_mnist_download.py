"""`mnist_download.download` against a local HTTP server on 127.0.0.1 serving tiny gzipped IDX
files: the good path loads; a checksum mismatch, a truncated body and a 404 each raise MnistError
naming the file, and leave neither a partial file nor any change to files the user had.
Nothing here reaches the internet."""
import gzip
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from playground.data import mnist, mnist_download
from playground.data.mnist import MnistError


def _idx(arr: np.ndarray) -> bytes:
    magic = mnist.IMAGE_MAGIC if arr.ndim == 3 else mnist.LABEL_MAGIC
    dims = b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return magic.to_bytes(4, "big") + dims + arr.tobytes()


def _files() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte": np.arange(20, dtype=np.uint8) % 10,
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte": np.arange(10, dtype=np.uint8)}
    return {f"{k}.gz": gzip.compress(_idx(v), mtime=0) for k, v in arrays.items()}


FILES = _files()
MD5 = {name: hashlib.md5(data).hexdigest() for name, data in FILES.items()}


class Mirror:
    """A tiny mirror: `bodies` maps file name -> bytes; `declared` overrides Content-Length
    (a larger value with the connection closed early is a truncated download)."""

    def __init__(self):
        self.bodies, self.declared, self.requests = dict(FILES), {}, []
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.rsplit("/", 1)[-1]
                mirror.requests.append(name)
                if not self.path.startswith("/mnist/") or name not in mirror.bodies:
                    self.send_error(404)
                    return
                body = mirror.bodies[name]
                self.send_response(200)
                self.send_header("Content-Length", str(mirror.declared.get(name, len(body))))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mnist/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()


@pytest.fixture
def mirror():
    m = Mirror()
    yield m
    m.server.shutdown()
    m.server.server_close()


def _download(dest, mirror, **kw):
    logs = []
    digits = mnist_download.download(dest, base_url=mirror.url, checksums=MD5, log=logs.append,
                                     **kw)
    return digits, logs


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_download_verifies_and_loads(tmp_path, mirror):
    dest = tmp_path / "new" / "mnist"  # created, parents too
    digits, logs = _download(dest, mirror)
    assert len(digits) == 30 and int(digits.held_out.sum()) == 10
    assert sorted(p.name for p in dest.iterdir()) == sorted(FILES)
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert sum("downloaded, checksum ok" in line for line in logs) == 4
    # a second call finds the verified files and fetches nothing
    mirror.requests.clear()
    _, logs = _download(dest, mirror)
    assert mirror.requests == [] and sum("already there" in line for line in logs) == 4


def test_checksum_mismatch_names_the_file(tmp_path, mirror):
    name = "t10k-images-idx3-ubyte.gz"
    mirror.bodies[name] = FILES[name][:-1] + bytes([FILES[name][-1] ^ 1])
    got = hashlib.md5(mirror.bodies[name]).hexdigest()
    with pytest.raises(MnistError, match=f"{name}: checksum mismatch: expected MD5 {MD5[name]}, "
                                         f"got {got}"):
        _download(tmp_path, mirror)
    assert not (tmp_path / name).exists() and _leftovers(tmp_path) == []


def test_truncated_download_names_the_file(tmp_path, mirror):
    name = "train-images-idx3-ubyte.gz"
    mirror.bodies[name] = FILES[name][:100]
    mirror.declared[name] = len(FILES[name])
    with pytest.raises(MnistError, match=f"{name}: truncated download"):
        _download(tmp_path, mirror)
    assert not (tmp_path / name).exists() and _leftovers(tmp_path) == []


def test_http_404_names_the_file(tmp_path, mirror):
    name = "train-labels-idx1-ubyte.gz"
    del mirror.bodies[name]
    with pytest.raises(MnistError, match=f"{name}: HTTP 404 .* from {mirror.url}{name}"):
        _download(tmp_path, mirror)
    assert (tmp_path / "train-images-idx3-ubyte.gz").exists()  # earlier files are kept
    assert not (tmp_path / name).exists() and _leftovers(tmp_path) == []


def test_unreachable_mirror(tmp_path, mirror):
    url = mirror.url
    mirror.server.shutdown()
    mirror.server.server_close()
    with pytest.raises(MnistError, match=f"train-images-idx3-ubyte.gz: cannot reach {url}"):
        mnist_download.download(tmp_path, base_url=url, checksums=MD5, log=lambda s: None,
                                timeout=5)


def test_a_file_the_user_had_is_never_overwritten(tmp_path, mirror):
    name = "train-images-idx3-ubyte.gz"
    (tmp_path / name).write_bytes(b"my own file")
    with pytest.raises(MnistError, match=f"{name} already exists with MD5 .* expected "
                                         f"{MD5[name]}; move it away"):
        _download(tmp_path, mirror)
    assert (tmp_path / name).read_bytes() == b"my own file"
    assert mirror.requests == []


def test_downloaded_files_must_still_parse(tmp_path, mirror):
    """A mirror that serves a well-checksummed but wrong file is caught by load_folder."""
    name = "t10k-labels-idx1-ubyte.gz"
    mirror.bodies[name] = gzip.compress(_idx(np.arange(9, dtype=np.uint8)), mtime=0)
    md5 = {**MD5, name: hashlib.md5(mirror.bodies[name]).hexdigest()}
    with pytest.raises(MnistError, match="10 images but 9 labels"):
        mnist_download.download(tmp_path, base_url=mirror.url, checksums=md5, log=lambda s: None)


def test_published_checksums_are_torchvisions():
    assert mnist_download.PUBLISHED_MD5 == {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"}


def test_cli_download_reports_one_line(tmp_path, mirror, capsys):
    """Through the CLI the published MD5s apply, so the tiny files are refused: exit 2."""
    from playground import cli
    assert cli.main(["mnist", "download", str(tmp_path), "--base-url", mirror.url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "train-images-idx3-ubyte.gz: checksum mismatch: expected MD5 f68b3c2d" in err[0]
