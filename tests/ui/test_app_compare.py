"""AppTest drives the compare page: it loads, trains in lockstep, scrubs back in time, and
its links open comparisons or warn."""
import json
import re
import time
from pathlib import Path

import pytest
from app_sessions import host_info, opener

from playground.speeds import CLASS_PACE, DEFAULT_SPEED

APP = str(Path(__file__).with_name("compare_page_app.py"))


@pytest.fixture
def app():
    with opener(APP, "compare.comparer") as make:
        yield make


def step_of(at) -> int:
    head = next(m.value for m in at.markdown if 'class="pg-head' in m.value)
    return int(head.split("<b>step ")[1].split("</b>")[0])


def shown_step(at) -> int:
    """The step the side-by-side picture shows (its layout.meta.step)."""
    spec = next(json.loads(c.proto.json_args)["spec"] for c in at.get("component_instance"))
    return json.loads(spec)["layout"]["meta"]["step"]


def test_collapse_and_cure_side_by_side_then_scrub_back(app):
    at = app({"compare": "ns_vs_r1"})
    captions = " ".join(c.value for c in at.caption)
    assert not at.exception and "Collapse and cure" in captions
    assert ("What the runs share:** same data, seed and starting weights; the same batches "
            "at every step.") in captions
    at.button(key="compare.b.train").click().run()
    end = time.monotonic() + 60
    while step_of(at) < 120 and time.monotonic() < end:
        time.sleep(0.3)
        at.run()  # the page asks for pictures as it polls: each lands on the timeline
    at.button(key="compare.b.train").click().run()
    latest = step_of(at)
    steps = at.select_slider(key="compare.w.scrub").options
    # the slider ends at the step the status line shows (it read 2872 against step 2880)
    assert len(steps) >= 3 and int(steps[-1]) == latest
    earlier = int(steps[1])
    at.select_slider(key="compare.w.scrub").set_value(earlier).run()
    assert not at.exception and shown_step(at) == earlier  # the picture went back in time
    assert "scrubbed back" in " ".join(c.value for c in at.caption)


def test_links_open_custom_runs_and_bad_ones_warn(app):
    at = app({"runs": "ns,wgan_gp", "dataset": "grid", "seed": "3"})
    comparer = at.session_state["compare.comparer"]
    assert not at.exception and [c.loss for c in comparer.cfgs] == ["ns", "wgan_gp"]
    assert {c.dataset for c in comparer.cfgs} == {"grid"} and comparer.cfgs[0].seed == 3
    captions = " ".join(c.value for c in at.caption)  # B6: said "same batches" of every pair
    assert "one sequence of batches, drawn 1 vs 5 a step (n_critic 1 vs 5)" in captions
    bad = app({"compare": "nope", "runs": "ns,zzz"})
    warned = " ".join(w.value for w in bad.warning)
    assert "zzz" in warned and not bad.exception


def test_the_readout_names_the_device(app):
    """Issue 19: every page says where its work runs (views.device_text, the labs' wording),
    on the CPU with the torch threads of the host that built the runs."""
    at = app({"compare": "ns_vs_r1"})
    head = next(m.value for m in at.markdown if 'class="pg-head' in m.value)
    assert re.search(r">CPU · \d+ threads? · <i>paused</i>", head), head


def test_the_speed_box_paces_the_lockstep_runs_and_rides_in_the_link(app):
    """Issue 19, item 5: the compare page shares the labs' live loop and their speeds: it opens
    at the class pace (its host caps the runs), "full speed" lifts the cap and the link says
    so; a bad `speed=` warns and keeps the pace."""
    at = app({"compare": "ns_vs_r1"})
    box = at.selectbox(key="compare.w.speed")
    assert box.value == DEFAULT_SPEED and "speed" not in at.query_params
    comparer = at.session_state["compare.comparer"]
    assert host_info(comparer, "steps_per_s") == CLASS_PACE
    box.select("full").run()
    assert at.query_params["speed"] in ("full", ["full"])
    assert host_info(comparer, "steps_per_s") == 0.0
    bad = app({"compare": "ns_vs_r1", "speed": "9000"})
    assert bad.selectbox(key="compare.w.speed").value == DEFAULT_SPEED
    assert "speed='9000'" in " ".join(w.value for w in bad.warning)

