"""Runs that other tabs may follow read-only: a lecture's projector tab watching the run the
laptop controls. A server-wide registry of token -> the owner's live process (held weakly, so
a closed session's run is not kept alive by its followers) and what to show beside it.

A follower only reads `latest()` (which counts as watching, so a run shown on the projector is
not stopped as unwatched while the laptop's tab sleeps in the background); it never takes a job
slot and cannot start, stop or change the run.
"""
from __future__ import annotations

import secrets
import threading
import weakref
from typing import Any


class Followers:
    def __init__(self):
        self._lock = threading.Lock()
        self._runs: dict[str, weakref.ref] = {}
        self._about: dict[str, dict[str, Any]] = {}

    def publish(self, live: object, token: str | None = None) -> str:
        """Make `live` followable under `token` (a new random one if None); returns it."""
        token = token or secrets.token_urlsafe(6)
        with self._lock:
            self._runs[token] = weakref.ref(live)
            self._about.setdefault(token, {})
            self._forget_dead()
        return token

    def describe(self, token: str, **about: Any) -> None:
        with self._lock:
            if token in self._runs:
                self._about[token].update(about)

    def get(self, token: str) -> tuple[Any, dict[str, Any]]:
        """(the live process or None if gone, what its owner said about it)."""
        with self._lock:
            ref = self._runs.get(token)
            live = ref() if ref is not None else None
            return live, dict(self._about.get(token, {}))

    def __len__(self) -> int:
        with self._lock:
            self._forget_dead()
            return len(self._runs)

    def _forget_dead(self) -> None:
        for token in [t for t, r in self._runs.items() if r() is None]:
            del self._runs[token]
            self._about.pop(token, None)
