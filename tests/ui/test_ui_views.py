"""What the live views say: the status block's messages, the tiles' text and their note."""
import dataclasses
import math
import re

import numpy as np
import pytest
from snapshots2d import make_snap

from playground.config import RunConfig
from playground.serve.handle import Status
from playground.ui import view2d, views


def status(state, position=None, running=1, capacity=1, message="", step=10):
    return Status(state, step, math.nan, position, message, "cpu", running, capacity)


def test_queue_messages_count_who_is_ahead():
    import dataclasses
    level, text = views.status_message(status("queued", 0), None)
    assert level == "info" and "you are next" in text and "1 training now" in text
    queued = dataclasses.replace(status("queued", 2, running=2, capacity=2), wait_s=20.0,
                                 lease_s=10.0)
    _, text = views.status_message(queued, None)
    assert "2 queued ahead of you" in text and "trains 2 runs at a time" in text
    assert "within about 20 s" in text and "for 10 s at a time" in text


def test_divergence_says_what_to_do_and_runaway_waits_for_training():
    level, text = views.status_message(status("diverged", message="D loss became NaN."), None)
    assert level == "error" and "then press Train" in text
    snap = make_snap()
    far = type(snap)(**{**snap.__dict__, "fake": np.full((10, 2), 99.0, np.float32)})
    assert view2d.runaway(status("paused", step=0), far)[0] == "none"  # before training
    assert "off the plot" in view2d.runaway(status("training", step=50), far)[1]


def test_heavy_configurations_are_announced():
    heavy = RunConfig(width=1024, depth=8, batch_size=8192, grid_res=400, n_fixed=4096)
    level, text = views.status_message(status("paused", step=0), None, heavy)
    assert level == "warning" and "heavy" in text and " s a step" in text
    assert views.status_message(status("paused", step=0), None, RunConfig())[0] == "none"
    assert "first steps" in views.status_message(status("starting"), None, heavy)[1]


def test_tile_values_fit_and_the_note_explains_a_misleading_hq():
    assert view2d.fmt_w1(7412.3) == "7.41k" and view2d.fmt_w1(0.1234) == "0.123"
    snap = make_snap(modes=25)
    one = type(snap)(**{**snap.__dict__, "metrics": {"modes": 1.0, "hq_pct": 91.0},
                        "n_modes": 25})
    assert "only one mode" in view2d.tile_note(one)  # an untrained G on the grid at step 0
    every = type(snap)(**{**snap.__dict__, "metrics": {"modes": 25.0, "hq_pct": 60.0},
                          "n_modes": 25})
    assert "Every mode" in view2d.tile_note(every)


def _evaluated(modes, hq, rkl, hq_counts, near_counts):
    snap = make_snap()
    return type(snap)(**{**snap.__dict__, "metrics": {"modes": modes, "hq_pct": hq,
                                                      "rkl": rkl, "w1": 0.9},
                         "mode_counts": np.asarray(hq_counts),
                         "mode_nearest": np.asarray(near_counts)})


def test_a_clump_outside_3_std_reads_as_what_the_bars_show():
    """Seen on `collapse`: 0/8, 0 %, '–' beside one plainly visible clump (one tall bar)."""
    clump = _evaluated(0.0, 0.0, math.nan, [0] * 8, [0, 0, 10, 2460, 30, 0, 0, 0])
    cells = {label: (value, ref) for label, value, ref, _ in view2d.tile_cells(clump)}
    assert cells["Modes (3σ)"] == ("0/8", "near 1 of 8")  # the papers' number, labelled
    assert cells["HQ (3σ)"][0] == "0%" and cells["Rev. KL"][0] == "–"
    note = view2d.tile_note(clump)
    assert "3σ counts 0" in note and "crowd 1 of 8 modes" in note
    between = _evaluated(0.0, 0.0, math.nan, [0] * 8, [300, 310, 320, 300, 290, 330, 310, 340])
    assert "between the modes" in view2d.tile_note(between)
    covered = _evaluated(8.0, 70.0, 0.02, [200] * 8, [300] * 8)
    assert dict((c[0], c[2]) for c in view2d.tile_cells(covered))["Modes (3σ)"] == "near 8 of 8"
    for snap in (clump, between, covered):  # two lines at most at 1280 px
        assert 0 < len(view2d.tile_note(snap)) <= 110


def test_only_a_run_behind_busy_slots_waits():
    """A waiting tab draws its picture once and polls only its place (views.render_live)."""
    assert views.waits(status("queued", 0, running=1, capacity=1))
    assert views.waits(status("queued", 3, running=2, capacity=2))
    assert not views.waits(status("queued", 0, running=0, capacity=1))  # a free slot: ms away
    assert not views.waits(status("training", running=1, capacity=1))


def test_a_paused_readout_says_where_it_stopped_without_rates():
    """A follower redraws while the run it watches is paused: it read "5.2 frames/s · paused"
    (its own polling, no news). Paused, the readout names the step and no rate."""
    paused = Status("paused", 2880, 61.0, None, "", "cpu")
    text = views.readout(paused, 5.2)
    assert "paused</i> at <b>step 2880</b>" in text
    assert "/s" not in text and "5.2" not in text and "61" not in text
    training = views.readout(dataclasses.replace(paused, state="training"), 5.2)
    assert "<b>step 2880</b>" in training and "61 steps/s" in training \
        and "5.2 frames/s" in training and training.endswith("<i>training</i>")
    shown = re.sub(r"<[^>]+>", "", text)  # the text a browser shows, which loadtest.py reads
    assert re.search(r"step ([\d,]+)", shown)[1] == "2880"
    assert re.search(r"· (paused|training)\b", shown)[1] == "paused"


def test_the_device_readout_is_one_wording():
    """Issue 19: every page names its device the same way; the threads only on the CPU."""
    assert views.device_text("cuda", 4) == "GPU"
    assert views.device_text("cpu", 1) == "CPU · 1 thread"
    assert views.device_text("cpu", 2) == "CPU · 2 threads"
    assert views.device_text("cpu") == "CPU"  # no host has reported its threads yet
    paused = Status("paused", 7, math.nan, None, "", "cpu", threads=1)
    assert views.readout(paused, 5.0).startswith("CPU · 1 thread · <i>paused</i>")


def test_a_run_held_at_its_cap_says_it_is_the_class_pace():
    at_cap = Status("training", 7, 199.0, None, "", "cuda", steps_cap=200.0)
    assert "199 steps/s (class pace)" in views.readout(at_cap, 5.0)
    below = dataclasses.replace(at_cap, steps_per_s=50.0, device="cpu", threads=1)
    assert "50 steps/s ·" in views.readout(below, 5.0)
    assert "class pace" not in views.readout(below, 5.0)
    assert "class pace" not in views.readout(dataclasses.replace(at_cap, steps_cap=0.0), 5.0)


def test_six_tiles_go_in_two_rows_of_three(monkeypatch):
    """At 1280 px six tiles in one row cut every label and value (a conditional run's label
    agreement beside the five class metrics); five still share one row."""
    from playground.ui import views
    drawn = []
    monkeypatch.setattr(views.st, "markdown", lambda html, **kw: drawn.append(html))
    for n, columns in ((4, 4), (5, 5), (6, 3), (7, 4)):
        views.tiles([(f"l{i}", "1", "", "tip") for i in range(n)], "a note")
        assert f'style="--n:{columns}"' in drawn[-1] and drawn[-1].count('class="pg-tile"') == n


def test_the_frames_readout_counts_new_pictures_not_redraws(monkeypatch):
    """The page redraws 5 times a second; the readout counts only draws that show a picture
    it had not shown (it read 5.0 frames/s while r1_wide's pictures came every 3 s)."""
    from playground.ui import session, state
    pg = state.Page({})
    state.ensure(pg.ss)
    clock = [100.0]
    monkeypatch.setattr(session.time, "monotonic", lambda: clock[0])
    rates = []
    for i in range(40):  # 8 s of redraws at 5 a second, a new picture every 3 s (15 redraws)
        clock[0] = 100.0 + 0.2 * i
        rates.append(session.frame_rate(pg, 1000 + 10 * (i // 15)))
    assert math.isnan(rates[0]) and math.isnan(rates[14])  # one picture so far: no rate yet
    assert rates[-1] == pytest.approx(1 / 3)
    for i in range(40, 140):  # then 20 s with a new picture at every redraw
        clock[0] = 100.0 + 0.2 * i
        rate = session.frame_rate(pg, 2000 + i)
    assert rate == pytest.approx(5.0)
    before = list(pg.get("frame_times"))
    session.frame_rate(pg, None)  # a draw before the first picture counts nothing
    assert pg.get("frame_times") == before and pg.get("frame_shown") == 2000 + 139
