"""Links <-> configuration: exact round trips, short links, and warnings instead of errors;
every shipped id and garbage, on every page, ends in the page or a notice within one run."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.config import RunConfig
from playground.data.datasets import kind_of
from playground.presets import config_for, ids_for, switch_loss
from playground.speeds import DEFAULT_SPEED, SPEEDS
from playground.store import pretrained
from playground.ui import guard, urlstate
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
    assert link.speed == "1" and link.follow == "abc" and link.warnings == ()
    assert to_query(RunConfig(), speed="5") == {"speed": "5"}
    assert "speed" in from_query({"speed": "3"}).warnings[0]


def test_the_class_pace_is_the_default_and_full_speed_rides_in_the_link():
    """A link without `speed` opens at the class pace (and a paced page writes none); full
    speed is `speed=full` and reads back as itself. Every row of the table round-trips."""
    assert from_query({}).speed == DEFAULT_SPEED == "paced"
    assert to_query(RunConfig(), speed=DEFAULT_SPEED) == {}
    assert to_query(RunConfig(), speed="full") == {"speed": "full"}
    for id_ in SPEEDS.ids():
        link = from_query(to_query(RunConfig(), speed=id_))
        assert (link.speed, link.warnings) == (id_, ())
    assert from_query({"speed": " FULL "}).speed == "full"


@pytest.mark.parametrize("text", ["0", "-1", "300", "1e9", "9" * 400, "", "\u00b9", "paced\u2603"])
def test_an_out_of_range_speed_warns_and_keeps_the_class_pace(text):
    link = from_query({"speed": text, "seed": "3"})
    assert link.speed == DEFAULT_SPEED and link.cfg.seed == 3
    assert len(link.warnings) == 1 and "speed=" in link.warnings[0]
    assert "full" in link.warnings[0] and "class pace" in link.warnings[0]


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


# ---- every shipped id and garbage on every lab page: the page or a notice, in one run -------
SHIPPED = pretrained.read_manifest().ids()
KINDS = ("points2d", "image")
GARBAGE = [  # (query, whether the link is bad: a bad one must be named in a warning)
    ({"shipped": "nope"}, True), ({"shipped": ""}, True), ({"shipped": "r1_ring\u2603"}, True),
    ({"preset": "\u00fcber"}, True), ({"preset": ""}, True),
    ({"seed": "nan"}, True), ({"seed": "9" * 5000}, True), ({"seed": "1e400"}, True),
    ({"seed": "-1"}, True), ({"seed": ""}, True), ({"lr_d": "nan"}, True),
    ({"lr_d": "inf"}, True), ({"lr_d": "-0"}, True), ({"width": "99999999999999999999"}, True),
    ({"width": "1.5"}, True), ({"batch_size": "0x10"}, True), ({"loss": ""}, True),
    ({"dataset": "mnist"}, None), ({"dataset": "ring"}, None), ({"arch": "dcgan"}, None),
    ({"arch": "mlp"}, None), ({"n_modes": "\u0663"}, None), ({"speed": "7"}, True),
    ({"speed": "\u00b9"}, True), ({"hide": "\u2603,seed"}, True), ({"present": "\u2603"}, False),
    ({"follow": ""}, False), ({"": ""}, True), ({"\u2603": "\u2603"}, True),
    ({"seed": ["1", "2", "nan"]}, True), ({"shipped": ["r1_ring", "dcgan_mnist"]}, True),
    ({"preset": ["collapse", "dcgan"], "loss": ["hinge", "nope"]}, True),
    ({"shipped": "dcgan_mnist", "preset": "collapse", "dataset": "ring", "seed": "3"}, True),
    ({"shipped": "r1_ring", "arch": "dcgan", "latent_dim": "100", "lr_g": "nan"}, True),
]


def check_page_state(link, kind):
    """What every opening link must give a lab page of `kind`: a config and preset of its own
    kind, and a link that reads back to the same state with nothing left to warn about (the
    page writes it to the address bar once; it must not change on the next run)."""
    assert kind_of(link.cfg.dataset) == kind and link.preset in ids_for(kind)
    if link.shipped is not None:
        assert pretrained.read_manifest().get(link.shipped).kind == kind
    again = from_query(to_query(link.cfg, link.preset, link.present, link.hidden,
                                link.shipped, link.speed, kind), kind)
    assert (again.cfg, again.preset, again.shipped, again.warnings) == (
        link.cfg, link.preset, link.shipped, ())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("id_", SHIPPED)
def test_every_shipped_run_on_every_lab(id_, kind):
    entry = pretrained.read_manifest().get(id_)
    link = from_query({"shipped": id_}, kind)
    check_page_state(link, kind)
    if entry.kind == kind:
        assert (link.cfg, link.preset, link.shipped, link.warnings) == (
            entry.config(), entry.preset, id_, ())
    else:  # refused in one warning that says where it opens; nothing of it is kept
        assert link.shipped is None and link.preset == urlstate.DEFAULT_PRESET[kind]
        assert link.cfg == urlstate.baseline(link.preset, kind)
        assert len(link.warnings) == 1
        assert urlstate.PAGE_OF_KIND[entry.kind] in link.warnings[0]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("params,bad", GARBAGE)
def test_garbage_links_end_in_the_page_or_a_warning(params, bad, kind):
    link = from_query(params, kind)  # never raises
    check_page_state(link, kind)
    if bad:
        assert link.warnings, params


# ---- the same links opened on every page (AppTest): one run, the page or a notice ------------
def _lab2d():
    from playground.ui import guard
    from playground.ui.pages import lab2d

    guard.page(lab2d.render)()  # behind the page boundary, as app.py renders it


def _mnist():
    from playground.ui import guard
    from playground.ui.pages import mnist

    guard.page(mnist.render)()


TESTS = Path(__file__).parent
PAGES = {"lab2d": _lab2d, "mnist": _mnist, "compare": TESTS / "compare_page_app.py",
         "theory": TESTS / "theory_page_app.py", "latent": TESTS / "latent_page_app.py",
         "tables": TESTS / "tables_page_app.py"}
LIVE = ("lab2d.trainer", "mnist.trainer", "compare.comparer", "theory.worker")
# Small enough that a lab builds its run in a second; the lab pages read these, others ignore.
SMALL = {"width": "16", "depth": "1", "batch_size": "32", "n_fixed": "64", "grid_res": "20"}
BAD_LINKS = [
    {"shipped": "nope", "preset": "\u2603", "seed": ["1", "nan"], "lr_d": "1e400",
     "width": "9" * 30, "speed": "\u00b9", "compare": "\u2603", "runs": "ns,\u2603",
     "dataset": "", "present": "\u2603", "hide": "\u2603", "": ""},
    {"shipped": ["r1_ring", "dcgan_mnist"], "arch": "dcgan", "loss": "", "seed": "-1",
     "compare": ["ns_vs_r1", "nope"], "runs": "ns", "n_modes": "nan"},
]
NOTICE = {"lab2d", "mnist", "compare", "latent"}  # pages that read links: a bad one warns


@pytest.fixture
def open_page():
    made = []

    def make(page: str, params: dict) -> AppTest:
        app = PAGES[page]
        at = (AppTest.from_function(app, default_timeout=120) if callable(app)
              else AppTest.from_file(str(app), default_timeout=120))
        at.query_params.update(params)
        made.append(at)
        return at.run()  # a page that reruns forever times out here

    yield make
    for at in made:
        for key in LIVE:
            live = at.session_state[key] if key in at.session_state else None
            if live is not None:
                live.close()


def check_page(at, page: str, bad: bool) -> None:
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in [*at.error, *at.warning, *at.markdown, *at.caption])
    assert guard.GENERAL not in shown and "Traceback" not in shown
    assert at.title, "no page"  # the page's own content
    if bad and page in NOTICE:
        assert at.warning, "no notice"
    link = dict(at.query_params)
    at.run()  # the next run finds nothing more to change
    assert not at.exception and dict(at.query_params) == link


@pytest.mark.slow  # 30 page loads: ~1.5 min on a busy 2-core box
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("id_", SHIPPED)
def test_every_page_opens_every_shipped_link(open_page, page, id_):
    at = open_page(page, {"shipped": id_, **SMALL})
    kind = {"lab2d": "points2d", "mnist": "image"}.get(page)
    check_page(at, page, bad=kind is not None and pretrained.read_manifest().get(id_).kind
               != kind)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("params", BAD_LINKS, ids=["garbage", "repeated"])
def test_every_page_opens_garbage_links(open_page, page, params):
    check_page(open_page(page, params), page, bad=True)
