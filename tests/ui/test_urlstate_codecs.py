"""The compare, latent and theory pages' link codecs: decode(encode(state)) is the state, the
plain page has a bare link, and every bad value is refused with a warning that names it (the
labs' codec: test_ui_urlstate.py)."""
import pytest

from playground.comparisons import COMPARISONS
from playground.ui import latent_tabs, theory_tabs
from playground.ui.urlstate import compare, latent, theory


def _same(a, b) -> bool:
    """Equal states, warnings aside."""
    return a.__class__(**{**vars(a), "warnings": ()}) == b.__class__(**{**vars(b), "warnings": ()})


# ---- latent -----------------------------------------------------------------------------------
@pytest.mark.parametrize("link", [
    latent.Link(),
    latent.Link(present=True, seed=7, shipped="dcgan_mnist", picks=(3, 9, 1), tab="sweep",
                path="lerp"),
    latent.Link(picks=(), tab="nearest"),  # every pick cleared
    latent.Link(picks=(31,), seed=latent.SEED_MAX, tab="directions"),
])
def test_latent_links_round_trip(link):
    back = latent.decode(latent.encode(link))
    assert back == link and back.warnings == ()


def test_latent_plain_page_has_a_bare_link():
    assert latent.encode(latent.Link()) == {}
    assert latent.encode(latent.Link(picks=(3, 9))) == {"picks": "3,9"}
    assert latent.encode(latent.Link(picks=())) == {"picks": "none"}


@pytest.mark.parametrize("params,needle", [
    ({"picks": "3,32"}, "picks='3,32'"), ({"picks": "1,x"}, "from 0 to 31"),
    ({"picks": "-1"}, "picks='-1'"), ({"picks": ","}, "picks=','"),
    ({"tab": "Sweep"}, "tab='Sweep'"), ({"tab": ""}, "the tabs are interpolate"),
    ({"path": "bezier"}, "the paths are slerp, lerp"), ({"seed": "1e3"}, "seed='1e3'"),
    ({"shipped": "r1_ring"}, "open it in the 2D lab"), ({"shipped": "nope"}, "nope"),
    ({"frobnicate": "1"}, "'frobnicate'"),
])
def test_latent_bad_values_fall_back_with_a_warning(params, needle):
    link = latent.decode(params)
    assert _same(link, latent.Link()) and len(link.warnings) == 1
    assert needle in link.warnings[0]


def test_latent_keeps_the_good_values_and_takes_repeats_by_the_last():
    link = latent.decode({"picks": ["1", "4,2,4"], "tab": "bogus", "seed": "5"})
    assert link.picks == (4, 2) and link.seed == 5 and link.tab == "interpolate"
    assert len(link.warnings) == 2 and "sets picks 2 times" in link.warnings[0]


def test_latent_tab_ids_follow_the_pages_tabs():
    assert len(latent.TABS) == len(latent_tabs.TABS) and latent.BATCH == latent_tabs.BATCH
    assert latent.TABS[2] == "sweep" and list(latent_tabs.TABS)[2] == "Sweep"


# ---- compare ----------------------------------------------------------------------------------
@pytest.mark.parametrize("link", [
    compare.Link(),
    compare.Link(comparison=COMPARISONS.ids()[-1], dataset="grid", seed=3, present=True),
    compare.Link(comparison=compare.CUSTOM, runs=("ns", "r1", "wgan_gp")),
    compare.Link(comparison=compare.CUSTOM, runs=("dcgan", "dcgan_fast"), seed=compare.SEED_MAX),
    compare.Link(speed="full"), compare.Link(speed="1"),
])
def test_compare_links_round_trip(link):
    back = compare.decode(compare.encode(link))
    assert back == link and back.warnings == ()


def test_compare_link_always_names_its_comparison():
    assert compare.encode(compare.Link()) == {"compare": "ns_vs_r1"}  # the class pace: unsaid
    assert compare.encode(compare.Link(speed="full")) == {"compare": "ns_vs_r1", "speed": "full"}
    assert compare.encode(compare.Link(compare.CUSTOM, ("ns", "r1"), "", 3)) == {
        "runs": "ns,r1", "seed": "3"}


@pytest.mark.parametrize("params,needle", [
    ({"runs": "ns"}, "name 2 to 4 presets"), ({"runs": "ns,nope"}, "unknown: nope"),
    ({"runs": "ns,r1,ns,r1,ns"}, "name 2 to 4"), ({"compare": "nope"}, "Unknown comparison"),
    ({"dataset": "mars"}, "Unknown dataset 'mars'"), ({"seed": "-1"}, "seed='-1'"),
    ({"seed": str(2**31)}, "not an integer from 0 to"), ({"seed": "\u00b9"}, "not an integer"),
    ({"speed": "9000"}, "speed='9000'"), ({"speed": "0"}, "class pace"),
])
def test_compare_bad_values_fall_back_with_a_warning(params, needle):
    link = compare.decode(params)
    assert _same(link, compare.Link()) and len(link.warnings) == 1
    assert needle in link.warnings[0]


# ---- theory -----------------------------------------------------------------------------------
@pytest.mark.parametrize("link", [theory.Link(), theory.Link(True, "em"),
                                  theory.Link(False, "saturation")])
def test_theory_links_round_trip(link):
    assert theory.decode(theory.encode(link)) == link


def test_theory_refuses_a_bad_tab_and_leaves_other_pages_parameters_alone():
    link = theory.decode({"tab": "nope", "present": "1", "seed": "3", "shipped": "r1_ring"})
    assert link.present and link.tab == "lines"
    assert link.warnings == ("Ignored link parameter tab='nope': the sections are lines, "
                             "saturation, em.",)
    assert theory.encode(theory.Link()) == {}
    assert len(theory.TABS) == len(theory_tabs.TABS)
