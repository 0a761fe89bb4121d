"""The timeline of kept pictures: one every `every` steps, thinned under a memory budget."""
import numpy as np
import pytest

from playground.engine.snapshot import Snapshot
from playground.engine.timeline import Timeline, nbytes


def snap(step: int, kb: int = 10) -> Snapshot:
    from playground.engine.snapshot import ImageSnapshot
    z = np.zeros(kb * 1024, np.uint8)
    return ImageSnapshot(step=step, status="ok", reason="", dataset="mnist", loss="ns",
                         fake=z, real=np.zeros(0, np.uint8), d_fake=np.zeros(0, np.float32),
                         d_real=np.zeros(0, np.float32), labels=np.zeros(0, np.int64),
                         confidence=np.zeros(0, np.float32), real_labels=np.zeros(0),
                         history={"step": np.arange(1000, dtype=np.float32)})


def test_keeps_one_picture_every_n_steps_without_histories():
    t = Timeline(budget=10**9, every=10)
    kept = [t.offer(s, snap(s)) for s in (0, 4, 10, 15, 21)]
    assert kept == [True, False, True, False, True] and t.steps == [0, 10, 21]
    assert t.entries[0][1].history == {}  # the curves live in the newest snapshot only
    assert t.at(15).step == 10 and t.at(21).step == 21 and t.at(-5).step == 0


def test_memory_stays_under_the_budget_over_a_long_run():
    budget = 200 * 1024  # room for ~20 pictures of 10 KB
    t = Timeline(budget=budget, every=1)
    for step in range(0, 5000, 5):
        t.offer(step, snap(step))
        assert t.size <= budget
    assert t.steps[0] == 0 and t.steps[-1] >= 4995 - t.every  # still spans the whole run...
    gaps = np.diff(t.steps)
    assert gaps.max() <= 4 * np.median(gaps)  # ...evenly
    assert t.every > 1 and len(t.steps) >= 8


def test_a_new_run_starts_a_new_timeline_and_sizes_are_counted():
    t = Timeline(budget=10**9, every=10)
    t.offer(100, snap(100))
    t.offer(0, snap(0))  # a reset: step went back
    assert t.steps == [0]
    assert nbytes(snap(0, kb=3)) >= 3 * 1024
    with pytest.raises(ValueError):
        Timeline(budget=0)


def test_the_newest_picture_is_always_the_last_entry():
    """Paused between two kept pictures, the timeline still ends at the step the page shows
    (the compare page's slider read 2872 while its status line read step 2880)."""
    t = Timeline(budget=10**9, every=10)
    for s in (0, 10, 15):
        t.offer(s, snap(s))
    assert t.steps == [0, 10, 15] and t.at(15).step == 15  # 15: the newest, provisional
    assert t.offer(18, snap(18)) is False and t.steps == [0, 10, 18]  # replaces 15
    assert t.offer(20, snap(20)) is True and t.steps == [0, 10, 20]  # kept for good
    t.offer(22, snap(22))
    t.offer(31, snap(31))
    assert t.steps == [0, 10, 20, 31]  # 22 was only ever the newest
    t.entries = [e for e in t.entries if e[0] <= 20]  # a diverged run rolled back (worker.py)
    t.offer(24, snap(24))
    assert t.steps == [0, 10, 20, 24]  # 20 stays: it was kept, not provisional
    t.offer(24, snap(24))
    t.offer(30, snap(30))
    t.offer(30, snap(30))  # Pause sends the exact state of a step already shown
    assert t.steps == [0, 10, 20, 30]
