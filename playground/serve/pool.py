"""The server's worker processes: a fixed pool shared by every session, so memory does not grow
with visitors who are not training.

`capacity` hosts train (one job each, granted first come first served through `JobSlots`,
in leases), and one more host runs the short commands of jobs that are not training (a Step
button, a live change while paused, a reset, an export): it loads the job's parked state,
runs the command and parks it again. A session that waits, is paused or has only opened a page
holds no process, only its parked state (the run's checkpoint bytes and its last picture).
Hosts start on first use and are restarted if their process dies. No Streamlit here.
"""
from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator

from playground.serve import process, worker
from playground.serve.jobs import JobSlots, default_capacity


class HostDied(RuntimeError):
    """The host's process ended (killed, crashed) while a command was in flight."""


class Host:
    """One worker process of the pool; `call` sends a command and waits for its reply."""

    def __init__(self, name: str, target: Callable = worker.serve_pool):
        self.name, self.target = name, target  # the child's loop (tests: one with a fault)
        self._rpc = threading.Lock()  # one command in flight at a time
        # One writer on the pipe at a time: `send` (a page's "want", the script thread) and
        # `call` (the supervisor's commands) come from different threads, and a pickle over
        # 16 KiB goes out in several writes, between which another thread's bytes would land
        # inside it and break the child's framing (it would wait for bytes that never come).
        self._wire = threading.Lock()
        self._seq = 0
        self.link: process.Link | None = None
        self.restarts = 0

    def ensure(self) -> None:
        """Start the process, or a new one if it died (not once the server is exiting)."""
        if self.link is None or not self.link.alive:
            if process.exiting():
                raise HostDied("the server is stopping")
            sink = None
            if self.link is not None:
                self._close()
                self.restarts += 1
                sink = self.link.sink  # a job's timeline, attached just before it died
            self._process, self.link, self._close = process.start(self.target, (), self,
                                                                  self.name)
            self.link.sink = sink

    @property
    def alive(self) -> bool:
        return self.link is not None and self.link.alive

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.link is not None else None

    def send(self, kind: str, *args) -> None:
        try:
            if self.link is not None:
                with self._wire:
                    self.link.conn.send((kind, 0, *args))
        except (OSError, ValueError):
            pass  # gone: the next call says so

    def call(self, kind: str, *args, check: bool = True, timeout: float = 120):
        """A loop command and its reply; a refusal raises ValueError, a dead process
        HostDied."""
        self.ensure()
        with self._rpc:
            self._seq += 1
            seq, link = self._seq, self.link
            try:
                with self._wire:
                    link.conn.send((kind, seq, *args))
            except (OSError, ValueError):
                raise HostDied(f"{self.name} has stopped") from None
            with link.lock:
                link.lock.wait_for(lambda: seq in link.replies or not link.alive, timeout)
                if seq not in link.replies:
                    if not link.alive:
                        raise HostDied(link.fatal or f"{self.name} stopped")
                    raise ValueError(f"the training process did not answer {kind!r}")
                ok, payload = link.replies.pop(seq)
        if not ok and check:
            raise ValueError(payload)
        return payload

    def kill(self) -> None:
        """End the process (tests: a crash)."""
        if self.link is not None:
            self._process.kill()

    def close(self) -> None:
        if self.link is not None:
            self._close()


class Pool:
    def __init__(self, capacity: int | None = None, lease_s: float | None = None,
                 target: Callable = worker.serve_pool):
        self.slots = JobSlots(capacity if capacity is not None else default_capacity())
        self.capacity = self.slots.capacity
        self.lease_s = lease_s if lease_s is not None else default_lease()
        self._hosts = [Host(f"pool-train-{i}", target) for i in range(self.capacity)]
        self._quick = Host("pool-quick", target)
        self._quick_lock = threading.Lock()
        self._lock = threading.Lock()
        self._assigned: dict[str, int] = {}  # ticket -> host index

    def acquire(self, ticket: str, timeout: float) -> Host | None:
        """A training host for `ticket`, waiting up to `timeout` s in the queue (None: still
        queued)."""
        if not self.slots.acquire(ticket, timeout):
            return None
        with self._lock:
            if ticket not in self._assigned:
                taken = set(self._assigned.values())
                self._assigned[ticket] = next(i for i in range(self.capacity) if i not in taken)
            host = self._hosts[self._assigned[ticket]]
        host.ensure()
        return host

    def release(self, ticket: str) -> None:
        with self._lock:
            self._assigned.pop(ticket, None)
        self.slots.release(ticket)

    @contextlib.contextmanager
    def quick(self) -> Iterator[Host]:
        """The host for short commands, one session at a time."""
        with self._quick_lock:
            self._quick.ensure()
            yield self._quick

    def hosts(self) -> list[Host]:
        return [*self._hosts, self._quick]

    def pids(self) -> list[int]:
        return [h.pid for h in self.hosts() if h.alive]

    def wait_estimate(self, position: int) -> float:
        """Seconds until the job `position` places from the front of the queue trains, at
        most: the jobs training now yield within a lease, and each round of `capacity` jobs
        ahead of it holds the hosts for one lease more."""
        return (position // self.capacity + 1) * self.lease_s

    def close(self) -> None:
        for host in self.hosts():
            host.close()


def default_lease() -> float:
    """Seconds a job keeps its host while others wait (PLAYGROUND_LEASE_S, default 10)."""
    text = os.environ.get("PLAYGROUND_LEASE_S", "").strip()
    try:
        return max(0.5, float(text)) if text else 10.0
    except ValueError:
        return 10.0  # a typo in the environment must not take the app down

