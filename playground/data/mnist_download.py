"""The opt-in download of the full MNIST set: the four gzipped IDX files from a mirror, each
checked against its published MD5 and moved into place by atomic rename, then read by
`mnist.load_folder`. The one module of the package that touches the network, and only when
`python -m playground mnist download DIR` asks. Failures raise `MnistError` naming the file.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playground.data.mnist import Digits, MnistError, load_folder

DEFAULT_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"  # torchvision's first mirror
# MD5s of the four gzipped files as torchvision publishes them
# (torchvision/datasets/mnist.py, MNIST.resources).
PUBLISHED_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

CHUNK = 1 << 16  # bytes per read while streaming a download


def download(dest: str | Path, base_url: str = DEFAULT_MIRROR,
             checksums: dict[str, str] = PUBLISHED_MD5, log: Callable[[str], None] = print,
             timeout: float = 60.0) -> Digits:
    """Fetch the four gzipped IDX files into `dest`, check each against its published MD5,
    and return them loaded. Files land by atomic rename, so a failure leaves no partial file;
    a file already there is kept if its MD5 is right and never overwritten if it is not."""
    dest = Path(dest).expanduser()
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MnistError(f"{dest}: cannot create the folder ({e.strerror})") from None
    for name, md5 in checksums.items():
        target = dest / name
        if target.exists():
            got = _md5(target.read_bytes())
            if got != md5:
                raise MnistError(f"{target} already exists with MD5 {got}, expected {md5}; "
                                 "move it away and download again (it is left untouched)")
            log(f"{name}: already there, checksum ok")
            continue
        _fetch(base_url.rstrip("/") + "/" + name, target, md5, timeout)
        log(f"{name}: downloaded, checksum ok ({target.stat().st_size:,} bytes)")
    digits = load_folder(dest)
    log(f"{dest}: {len(digits):,} digits, {int(digits.held_out.sum()):,} held out (test set)")
    return digits


def _fetch(url: str, target: Path, md5: str, timeout: float) -> None:
    name = target.name
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".part")
    try:
        digest, size = hashlib.md5(usedforsecurity=False), 0  # integrity, not security
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as r:
            length = r.headers.get("Content-Length")
            while chunk := r.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        if length is not None and size != int(length):
            raise MnistError(f"{name}: truncated download from {url}: got {size:,} of "
                             f"{int(length):,} bytes")
        if digest.hexdigest() != md5:
            raise MnistError(f"{name}: checksum mismatch: expected MD5 {md5}, got "
                             f"{digest.hexdigest()} (from {url})")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a plain data file is not
        os.replace(tmp, target)
    except urllib.error.HTTPError as e:
        raise MnistError(f"{name}: HTTP {e.code} {e.reason} from {url}") from None
    except urllib.error.URLError as e:
        raise MnistError(f"{name}: cannot reach {url} ({e.reason})") from None
    except (http.client.HTTPException, TimeoutError, ConnectionError) as e:
        raise MnistError(f"{name}: truncated download from {url} ({type(e).__name__})") from None
    except OSError as e:
        raise MnistError(f"{name}: cannot write {target.parent} ({e.strerror})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)  # our own partial file; never a file the user had


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()
