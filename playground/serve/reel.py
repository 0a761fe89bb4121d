"""A session's timeline in the server: the pictures its job's host publishes, kept as they
arrive (engine/timeline.Timeline), for scrubbing back and for exports without a host.

The host's receiver thread feeds it (process.Link.sink) while the session's script threads
read it, hence the lock. It is never held while waiting for a host, so the receiver never
waits on a page. Before issue 18 the timeline lived in the job and travelled with it at every
park and restore (4-8 MB for a 2D run); the pictures already came here, so now only they do.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from playground.engine.timeline import Timeline

log = logging.getLogger("playground.reel")


class Reel:
    def __init__(self, tag: str):
        self.tag = tag  # the session's ticket: only pictures of its job are kept
        self._lock = threading.Lock()
        self._timeline = Timeline()

    # ---- fed by the receiver thread (process.receive) -------------------------------------
    def published(self, view: Any) -> None:
        """A picture the host published for this job (a step below the last one is a new
        run: the timeline starts over, as Timeline.offer says)."""
        try:
            with self._lock:
                self._timeline.offer(view.step, view)
        except Exception:  # a view without a step is a bug, never the receiver's end
            log.exception("a published view of job %s could not be kept", self.tag)

    def rolled_back(self, step: int) -> None:
        """The host put the job back to `step`: its later pictures belong to lost steps."""
        with self._lock:
            entries = self._timeline.entries
            self._timeline.entries = [e for e in entries if e[0] <= step]

    # ---- read by the pages ----------------------------------------------------------------
    def steps(self) -> list[int]:
        with self._lock:
            return self._timeline.steps

    def at(self, step: int):
        with self._lock:
            return self._timeline.at(step)

    def frames(self) -> list[tuple[int, Any]]:
        """Every kept (step, picture), oldest first (the exports' frames)."""
        with self._lock:
            return [(s, picture) for s, picture, _ in self._timeline.entries]
