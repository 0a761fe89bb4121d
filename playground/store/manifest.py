"""`pretrained/manifest.json` and the files it vouches for: the one reader of the manifest, the
one writer of its sections (atomic), and the one byte reader that checks a file against its
recorded SHA-256 before anything parses it.

What a section means belongs to its owner (`store.pretrained` reads "runs",
`metrics.classifier` "models"). Errors are raised as the caller's own error class, so each
caller's users still catch one type; a file's messages name the file, never its folder (an
upload's folder is a server temp folder).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "pretrained"
NAME = "manifest.json"
BLOCK = 1 << 20  # bytes per read while hashing a file


def read(root: str | Path = ROOT, error: type[Exception] = ValueError) -> dict:
    """The whole manifest: a JSON object of sections."""
    path = Path(root) / NAME
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, ValueError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise error(f"{path} is not a valid manifest ({e})") from None
    if not isinstance(manifest, dict):
        raise error(f"{path} is not a valid manifest (not a JSON object)")
    return manifest


def write_sections(sections: dict, root: str | Path = ROOT,
                   error: type[Exception] = ValueError) -> None:
    """Set these top-level sections; every other key stays as it was, in its place (a manifest
    that does not exist yet starts empty)."""
    path = Path(root) / NAME
    manifest = read(root, error) if path.exists() else {}
    manifest.update(sections)
    write_atomic(path, (json.dumps(manifest, indent=1) + "\n").encode())


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`: a reader sees
    the old file or the new one, never half of one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these files are shared read-only
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def sha256(path: str | Path) -> str:
    """The hex SHA-256 of a file, read in blocks (what a manifest row records)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def read_checked(path: str | Path, expected_sha256: str | None = None,
                 error: type[Exception] = ValueError) -> bytes:
    """The bytes of the file at `path`, after checking them against `expected_sha256` when one
    is given. The file is read once: the bytes that pass the check are the bytes the caller
    then parses, so a file swapped between a check and a load cannot slip through."""
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        problem = ("no such file" if isinstance(e, FileNotFoundError)
                   else f"cannot read ({e.strerror or type(e).__name__})")
        raise error(f"{name}: {problem}") from None
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise error(f"{name} does not match its recorded SHA-256: the file was changed or "
                    "damaged after it was made")
    return data
