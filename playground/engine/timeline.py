"""A bounded history of a run's pictures, for scrubbing back in time and for the exports (the
MNIST lab's GIF, the HTML animations): every picture offered while the run is short, thinned as
it grows so its memory stays under a fixed budget.

Snapshots are stored without their loss and metric histories (the newest snapshot carries the
whole of those; a scrubbed picture is drawn with them and a cursor at its step), so an entry
is its picture alone: ~70 KB for a 2D run (512 tracked fakes, a 100 x 100 surface), ~60 KB
for a grid of 64 digits. When the budget is exceeded, every other entry goes (the first and
the newest stay) and `every`, the steps between kept pictures, doubles: the entries always span
the whole run evenly. It starts at 1, as the MNIST page's own reel of frames did (every grid
shown, halved past 120): two manual steps keep three pictures, a GIF of three frames.

The last entry is always the newest picture offered, kept or not: a run paused between two
kept steps scrubs from the step its page shows (the compare page's slider ended at 2872 while
its status line said step 2880). That newest entry is provisional: the next picture replaces
it unless `every` steps separate them from the last kept one.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

DEFAULT_BUDGET = 8 * 2**20  # bytes per timeline: kept with each session's handle in the server
# steps between kept pictures at the start: every one until the budget is reached (measured:
# 127 pictures of a default 2D run, 65.7 KB each; 131 grids of the dcgan preset, 63.9 KB);
# from then on the budget sets the spacing (it did so before too, once 25 apart filled it)
FIRST_EVERY = 1


def nbytes(obj: Any) -> int:
    """The numpy payload of a snapshot (its arrays; scalars are negligible)."""
    if dataclasses.is_dataclass(obj):
        return sum(nbytes(getattr(obj, f.name)) for f in dataclasses.fields(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(nbytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(nbytes(v) for v in obj)
    return 0


def picture_only(snap):
    """The snapshot without its histories (kept once, in the newest snapshot); a comparison's
    snapshot without its runs' histories."""
    if hasattr(snap, "snaps"):
        return dataclasses.replace(snap, snaps=tuple(picture_only(s) for s in snap.snaps))
    return dataclasses.replace(snap, history={}, metric_history={})


class Timeline:
    def __init__(self, budget: int = DEFAULT_BUDGET, every: int = FIRST_EVERY):
        if budget <= 0 or every <= 0:
            raise ValueError(f"budget and every must be positive, got {budget}, {every}")
        self.budget, self.every = budget, every
        self.entries: list[tuple[int, Any, int]] = []  # (step, picture, bytes)
        self.provisional: int | None = None  # the step of a last entry kept only as the newest

    @property
    def steps(self) -> list[int]:
        return [s for s, _, _ in self.entries]

    @property
    def size(self) -> int:
        return sum(b for _, _, b in self.entries)

    def offer(self, step: int, snap) -> bool:
        """Keep `snap` for good if it is `every` steps past the last kept one (or the first);
        True if so. Otherwise it replaces the provisional newest entry. A step below the last
        one means a new run: the history starts over."""
        if self.entries and step < self.entries[-1][0]:
            self.entries.clear()
        if self.entries and self.entries[-1][0] == getattr(self, "provisional", None):
            self.entries.pop()  # (getattr: a timeline parked before this field existed)
        picture = picture_only(snap)
        if self.entries and self.entries[-1][0] == step:  # the same step again (a pause's
            self.entries[-1] = (step, picture, nbytes(picture))  # exact state): one entry
            return False
        kept = not self.entries or step - self.entries[-1][0] >= self.every
        self.entries.append((step, picture, nbytes(picture)))
        self.provisional = None if kept else step
        while self.size > self.budget and len(self.entries) > 2:
            self.entries = self.entries[:-1:2] + [self.entries[-1]]
            self.every *= 2
        return kept

    def at(self, step: int):
        """The kept picture at `step`, or the nearest kept one before it (None if empty)."""
        best = None
        for s, picture, _ in self.entries:
            if s <= step:
                best = picture
        return best if best is not None or not self.entries else self.entries[0][1]
