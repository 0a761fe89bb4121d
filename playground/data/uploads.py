"""Validation of user-supplied point sets (the `custom` dataset's CSV upload): comma, semicolon
or tab separated, a decimal comma accepted where the separator is not a comma.

Every rejection raises `UploadError` with a message that names the problem and where it is,
so the app and the CLI can show it as it is; nothing here raises anything else.
"""
from __future__ import annotations

import csv
import io

import numpy as np

MAX_BYTES = 5 * 1024 * 1024  # 5 MB: ~100k rows of two floats with room for formatting
MIN_ROWS = 10  # fewer points cannot describe a distribution worth training on
MAX_ROWS = 100_000  # beyond this the app's sampler and W1 metric gain nothing
DELIMITERS = (",", ";", "\t")  # in order of preference when the file fits several
SNIFF_ROWS = 20  # the separator is the one that splits most of these lines into two cells


class UploadError(ValueError):
    """A user-facing rejection of uploaded data."""


def parse_points_csv(data: bytes) -> np.ndarray:
    """Parse CSV bytes into (N, 2) float32 points; an optional header row is skipped."""
    if len(data) > MAX_BYTES:
        raise UploadError(f"file is {len(data) / 1e6:.1f} MB; "
                          f"the limit is {MAX_BYTES / 1e6:.0f} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("file is not UTF-8 text; upload a plain CSV") from None
    delimiter = sniff_delimiter(text)
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter)
            if any(c.strip() for c in r)]
    if not rows:
        raise UploadError("file is empty")
    if delimiter != ",":  # Excel in a German or French locale: "1,5;2,25" is (1.5, 2.25)
        rows = [[c.replace(",", ".") for c in r] for r in rows]
    if not _is_numeric_row(rows[0]):
        rows = rows[1:]  # a header row
    points = []
    for line_no, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if len(cells) != 2:
            raise UploadError(f"row {line_no} has {_plural(len(cells), 'column')}; need exactly "
                              "2 (x, y), separated by a comma, a semicolon or a tab")
        try:
            x, y = float(cells[0]), float(cells[1])
        except ValueError:
            raise UploadError(f"row {line_no} is not numeric: {','.join(cells)[:60]!r}") from None
        if not (np.isfinite(x) and np.isfinite(y)):
            raise UploadError(f"row {line_no} contains NaN or infinity")
        points.append((x, y))
        if len(points) > MAX_ROWS:
            raise UploadError(f"more than {MAX_ROWS:,} rows; subsample your data")
    if len(points) < MIN_ROWS:
        raise UploadError(f"only {_plural(len(points), 'row')}; need at least {MIN_ROWS}")
    out = np.asarray(points, dtype=np.float64)
    if np.ptp(out, axis=0).max() == 0:
        raise UploadError("all points are identical; there is no spread to learn")
    if np.abs(out).max() > 1e6:
        raise UploadError("coordinates exceed 1e6 in magnitude; rescale your data")
    return out.astype(np.float32)


def sniff_delimiter(text: str) -> str:
    """The separator that splits the most of the first SNIFF_ROWS non-empty lines into exactly
    two cells (ties go to the earlier of DELIMITERS, so a plain CSV stays a CSV)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:SNIFF_ROWS]

    def fits(d: str) -> int:
        return sum(len(r) == 2 for r in csv.reader(lines, delimiter=d))

    return max(DELIMITERS, key=lambda d: (fits(d), -DELIMITERS.index(d)))


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _is_numeric_row(row: list[str]) -> bool:
    try:
        [float(c) for c in row]
        return True
    except ValueError:
        return False
