"""The server-wide job cap: capacity, first-come-first-served order, idempotent release."""
import threading
import time

import pytest

from playground.ui.jobs import JobSlots, default_capacity


def test_capacity_and_queue_positions():
    slots = JobSlots(2)
    assert slots.acquire("a", 0) and slots.acquire("b", 0)
    assert not slots.acquire("c", 0.01) and not slots.acquire("d", 0.01)
    assert (slots.running(), slots.waiting()) == (2, 2)
    assert slots.position("c") == 0 and slots.position("d") == 1 and slots.position("a") is None
    assert not slots.acquire("d", 0.01)  # d may not overtake c
    slots.release("a")
    assert not slots.acquire("d", 0.01)
    assert slots.acquire("c", 0.01) and slots.acquire("c", 0)  # re-acquire is a no-op
    slots.release("b")
    assert slots.acquire("d", 0.01)


def test_release_wakes_a_waiter_and_is_idempotent():
    slots = JobSlots(1)
    slots.acquire("a", 0)
    got = []
    waiter = threading.Thread(target=lambda: got.append(slots.acquire("b", 5)))
    waiter.start()
    deadline = time.monotonic() + 10  # a dead waiter fails the test instead of hanging it
    while slots.waiting() == 0:
        assert time.monotonic() < deadline, "the waiter never queued"
        time.sleep(0.001)
    slots.release("a")
    slots.release("a")
    waiter.join(5)
    assert got == [True] and slots.running() == 1
    slots.release("zzz")  # never held: harmless


def test_leaving_the_queue():
    slots = JobSlots(1)
    slots.acquire("a", 0)
    slots.acquire("b", 0)
    slots.release("b")
    assert slots.waiting() == 0


def test_default_capacity_from_environment(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MAX_JOBS", "3")
    assert default_capacity() == 3 and JobSlots().capacity == 3
    monkeypatch.setenv("PLAYGROUND_MAX_JOBS", "lots")
    assert default_capacity() >= 1
    with pytest.raises(ValueError, match="capacity"):
        JobSlots(0)
