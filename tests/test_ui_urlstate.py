"""Links <-> configuration: exact round trips, short links, and warnings instead of errors."""
import pytest

from playground.config import RunConfig
from playground.presets import config_for, ids_for, switch_loss
from playground.ui import urlstate
from playground.ui.urlstate import from_query, to_query


@pytest.mark.parametrize("preset", ids_for("points2d"))
def test_every_preset_round_trips(preset):
    cfg = config_for(preset)
    query = to_query(cfg, preset)
    assert set(query) <= {"preset"}  # a preset's own config needs nothing else
    link = from_query(query)
    assert link.cfg == cfg and link.preset == preset and link.warnings == ()


@pytest.mark.parametrize("preset,changes", [
    ("ns", {"seed": 7, "lr_d": 3.3e-4, "dataset": "grid", "n_modes": 9}),
    ("collapse", {"loss": "wgan"}),  # brings clip_c with it
    ("collapse", {"loss": "wgan", "clip_c": 0.0}),  # ... unless switched off again
    ("wgan_gp", {"loss": "ns"}),
    ("ns", {"spectral_norm": True, "noise_std": 0.25, "unroll_steps": 2}),
    ("ns", {"dataset": "spiral", "radius": 1.5, "std": 0.03}),
])
def test_changed_configs_round_trip(preset, changes):
    base = config_for(preset)
    cfg = base
    if "loss" in changes:
        cfg = switch_loss(cfg, changes.pop("loss"))
    cfg = cfg.replace(**changes)
    link = from_query(to_query(cfg, preset, present=True, hidden=frozenset({"seed"})))
    assert link.cfg == cfg and link.warnings == ()
    assert link.present and link.hidden == {"seed"}


def test_links_are_short():
    assert to_query(RunConfig()) == {}
    assert to_query(RunConfig(seed=3)) == {"seed": "3"}


def test_hand_written_loss_gets_its_remedies():
    assert from_query({"loss": "wgan_gp"}).cfg.gp_lambda == 10.0


@pytest.mark.parametrize("params,needle", [
    ({"lr_d": "banana"}, "lr_d"), ({"lr_d": "5"}, "out of range"),
    ({"loss": "nope"}, "unknown loss"), ({"dataset": "grid", "n_modes": "10"}, "square"),
    ({"frobnicate": "1"}, "unknown config key"), ({"preset": "nope"}, "Unknown preset"),
    ({"hide": "seed,bogus"}, "bogus"), ({"spectral_norm": "maybe"}, "spectral_norm"),
])
def test_bad_parameters_fall_back_with_a_warning(params, needle):
    link = from_query(params)
    assert any(needle in w for w in link.warnings), link.warnings


def test_one_bad_parameter_keeps_the_good_ones():
    link = from_query({"seed": "5", "lr_d": "-1", "width": "64"})
    assert link.cfg.seed == 5 and link.cfg.width == 64
    assert link.cfg.lr_d == RunConfig().lr_d and len(link.warnings) == 1


def test_repeated_parameters_take_the_last_and_say_so():
    link = from_query({"seed": ["1", "2"], "preset": ["collapse", "r1"]})
    assert link.cfg.seed == 2 and link.preset == "r1"
    assert any("sets preset 2 times" in w for w in link.warnings)
    assert any("sets seed 2 times" in w for w in link.warnings)
    assert from_query({"seed": ["3", "3"]}).warnings == ()  # the same value twice is harmless


def test_speed_and_follow_ride_along():
    link = from_query({"speed": "1", "follow": "abc"})
    assert link.speed == 1 and link.follow == "abc" and link.warnings == ()
    assert to_query(RunConfig(), speed=5) == {"speed": "5"}
    assert "speed" in from_query({"speed": "3"}).warnings[0]


def test_shipped_run_link_round_trips_with_live_changes():
    start, preset = urlstate.shipped_config("r1_ring")
    cfg = start.replace(lr_d=5e-4, loss="hinge")
    query = urlstate.to_query(cfg, preset, shipped="r1_ring")
    assert query["shipped"] == "r1_ring" and "preset" not in query
    link = urlstate.from_query(query)
    assert (link.cfg, link.shipped, link.preset, link.warnings) == (cfg, "r1_ring", "r1", ())


def test_shipped_run_link_refuses_what_needs_new_weights():
    link = urlstate.from_query({"shipped": "r1_ring", "seed": "5", "width": "64",
                                "lr_g": "0.0002"})
    start, _ = urlstate.shipped_config("r1_ring")
    assert link.cfg == start.replace(lr_g=2e-4)  # the live change kept, seed and width not
    assert len(link.warnings) == 1 and "width, seed" in link.warnings[0]


def test_unknown_shipped_run_falls_back_with_a_warning():
    link = urlstate.from_query({"shipped": "nope", "seed": "3"})
    assert link.shipped is None and link.cfg.seed == 3
    assert "unknown pretrained run 'nope'" in link.warnings[0]
