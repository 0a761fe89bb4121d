"""A tiny id -> entry map shared by every kind of selectable thing (datasets, losses, presets...).

Ids select, labels display: lookups are by short lowercase id, and an unknown id raises a
ValueError that names the valid ones (TensorFlow Playground's `state.ts` idea, in Python).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """An ordered, read-after-build mapping from id to entry for one kind of thing."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def add(self, id_: str, entry: T) -> T:
        if id_ in self._entries:
            raise ValueError(f"duplicate {self.kind} id {id_!r}")
        if id_ != id_.lower() or " " in id_:
            raise ValueError(f"{self.kind} id {id_!r} must be lowercase without spaces")
        self._entries[id_] = entry
        return entry

    def get(self, id_: str) -> T:
        try:
            return self._entries[id_]
        except KeyError:
            raise ValueError(
                f"unknown {self.kind} {id_!r}; valid: {', '.join(self._entries)}"
            ) from None

    def ids(self) -> list[str]:
        return list(self._entries)

    def items(self) -> Iterator[tuple[str, T]]:
        return iter(self._entries.items())

    def __contains__(self, id_: object) -> bool:
        return id_ in self._entries

    def __len__(self) -> int:
        return len(self._entries)
