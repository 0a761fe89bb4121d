"""A fair, server-wide cap on concurrent training jobs (one per training browser session).

First come, first served: a job that cannot start waits in a queue and can ask its position.
The app keeps one `JobSlots` per server process (`st.cache_resource`); it holds no run, only
tickets. The cap comes from PLAYGROUND_MAX_JOBS (default: one job per two CPU cores, since each
job's process keeps a core busy and the server and the browsers need CPU too).
"""
from __future__ import annotations

import os
import threading
from collections import deque


def default_capacity() -> int:
    text = os.environ.get("PLAYGROUND_MAX_JOBS", "")
    if text.strip():
        try:
            return max(1, int(text))
        except ValueError:
            pass  # a typo in the environment must not take the app down; use the default
    return max(1, (os.cpu_count() or 2) // 2)


class JobSlots:
    def __init__(self, capacity: int | None = None):
        self.capacity = capacity if capacity is not None else default_capacity()
        if self.capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {self.capacity}")
        self._cond = threading.Condition()
        self._holders: set[str] = set()
        self._queue: deque[str] = deque()  # waiting tickets, oldest first

    def acquire(self, ticket: str, timeout: float) -> bool:
        """Take a slot for `ticket`, waiting up to `timeout` s; on timeout it stays queued."""
        with self._cond:
            if ticket in self._holders:
                return True
            if ticket not in self._queue:
                self._queue.append(ticket)
            ok = self._cond.wait_for(lambda: self._admissible(ticket), timeout)
            if ok:
                self._queue.remove(ticket)
                self._holders.add(ticket)
            return ok

    def _admissible(self, ticket: str) -> bool:
        free = self.capacity - len(self._holders)
        return free > 0 and self._queue.index(ticket) < free

    def release(self, ticket: str) -> None:
        """Give up a slot or a place in the queue (either or neither: it is idempotent)."""
        with self._cond:
            self._holders.discard(ticket)
            if ticket in self._queue:
                self._queue.remove(ticket)
            self._cond.notify_all()

    def position(self, ticket: str) -> int | None:
        """Jobs queued ahead of `ticket` (None when it is not queued)."""
        with self._cond:
            return self._queue.index(ticket) if ticket in self._queue else None

    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)

    def running(self) -> int:
        with self._cond:
            return len(self._holders)
