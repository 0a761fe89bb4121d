"""AppTest drives the MNIST lab: loads, every loss and preset steps, the buttons, the shipped
DCGAN, links, checkpoint uploads good and bad, exports. One page per test where possible: each
page's training process loads the classifier and the real digits' reference once."""
import io
import json
import time

import pytest
import torch
from app_sessions import opener

from playground.config import RunConfig, arch_of
from playground.engine.run import Run
from playground.losses import LOSSES
from playground.presets import config_for, ids_for
from playground.store import checkpoint, pretrained
from playground.ui import state, urlstate
from playground.ui.controls import IMAGE_CONTROLS

SMALL = {"width": "8", "latent_dim": "8", "batch_size": "16", "n_fixed": "16"}
NS = state.MNIST


def _page():
    from playground.ui.pages import mnist

    mnist.render()


@pytest.fixture
def app():
    with opener(_page, state.key("trainer", NS), SMALL) as make:
        yield make


def step_of(at) -> int:
    head = next(m.value for m in at.markdown if 'class="pg-head' in m.value)
    return int(head.split("<b>step ")[1].split("</b>")[0])


def tiles(at) -> str:
    return next(m.value for m in at.markdown if 'class="pg-tiles' in m.value)


def notices(at) -> str:
    return " | ".join(t.proto.body for t in at.toast)


def query(at) -> dict[str, str]:
    return {k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}


def cfg_of(at) -> RunConfig:
    return at.session_state[state.key("cfg", NS)]


def wkey(at, field: str) -> str:
    return state.widget_key(at.session_state, field, NS)


def test_page_loads_with_every_view_and_steps(app):
    at = app()
    assert not at.exception and at.title[0].value == "MNIST lab"
    assert len(at.get("component_instance")) == 4  # grid, histogram, losses, class curves
    assert "Classes" in tiles(at) and "real: 10/10" in tiles(at) and step_of(at) == 0
    for kind in ("both", "d", "g"):
        at.button(key=f"{NS}.b.step_{kind}").click().run()
    assert step_of(at) == 3 and not at.exception
    at.button(key=f"{NS}.b.train").click().run()
    assert at.button(key=f"{NS}.b.train").label == "Pause"
    end = time.monotonic() + 60
    while step_of(at) < 6 and time.monotonic() < end:
        time.sleep(0.3)
        at.run()
    at.button(key=f"{NS}.b.train").click().run()
    paused = step_of(at)
    assert paused >= 6 and at.button(key=f"{NS}.b.train").label == "Train"
    at.button(key=f"{NS}.b.reset").click().run()
    assert step_of(at) == 0 and "Reset" in notices(at)


def test_every_loss_and_preset_trains_a_step(app):
    at = app()
    for loss in LOSSES.ids():
        at.selectbox(key=wkey(at, "loss")).select(loss).run()
        assert not at.exception and cfg_of(at).loss == loss
        for name, value in LOSSES.get(loss).defaults.items():  # its remedy came along
            assert getattr(cfg_of(at), name) == value
        before = step_of(at)
        at.button(key=f"{NS}.b.step_both").click().run()
        assert step_of(at) == before + 1, loss  # a live change: the same run steps on
    order = ids_for("image")[1:] + ids_for("image")[:1]  # selecting the shown one is no change
    for preset in order:
        at.selectbox(key=state.key("w.preset", NS)).select(preset).run()
        assert not at.exception and cfg_of(at) == config_for(preset, seed=cfg_of(at).seed)
        at.button(key=f"{NS}.b.step_both").click().run()
        assert step_of(at) == 1, preset
    assert at.selectbox(key=state.key("w.preset", NS)).options == [
        p + (" (failure demo)" if p == "mnist_collapse" else "") for p in ids_for("image")]


@pytest.mark.parametrize("id_", ["dcgan_mnist", "cgan_mnist", "infogan_mnist"])
def test_the_shipped_digit_runs_open_instantly_with_ten_classes(app, id_):
    at = app({})
    at.selectbox(key=state.key("w.pretrained", NS)).select(id_).run()
    entry = pretrained.read_manifest().get(id_)
    assert not at.exception and "Loaded the shipped run" in notices(at)
    assert step_of(at) == entry.total_steps and ">10/10<" in tiles(at)
    assert query(at) == {"shipped": id_}
    timeline = at.select_slider(key=state.key("w.scrub", NS))
    steps = timeline.options
    assert timeline.label == (f"Timeline: drag back through the {len(steps)} pictures kept "
                              f"(steps {steps[0]}-{entry.total_steps:,})")
    assert at.selectbox(key=wkey(at, "arch")).value == arch_of(entry.config())
    if id_ == "infogan_mnist":  # its own tile: how far the code lines up
        assert "Code agreement" in tiles(at)


def test_a_link_round_trips_and_a_bad_one_warns(app):
    params = {**SMALL, "preset": "mlp_gan", "lr_g": "0.0005", "seed": "4"}
    at = app(params)
    cfg = cfg_of(at)
    assert cfg == urlstate.from_query(params, "image", IMAGE_CONTROLS).cfg
    assert cfg.arch == "mlp_image" and cfg.lr_g == 5e-4 and cfg.seed == 4
    assert query(at) == urlstate.to_query(cfg, "mlp_gan", kind="image")
    bad = app({**SMALL, "dataset": "ring", "arch": "nope", "preset": "collapse"})
    warned = " ".join(w.value for w in bad.warning)
    assert not bad.exception and "dataset='ring'" in warned and "nope" in warned
    assert "collapse" in warned and cfg_of(bad).dataset == "mnist"


def test_checkpoint_uploads_good_and_bad(app, tmp_path):
    at = app()
    at.button(key=f"{NS}.b.step_both").click().run()
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("junk.pt", b"not a checkpoint", "application/octet-stream"))
    at.run()
    assert "junk.pt" in notices(at) and "not a readable checkpoint" in notices(at)
    assert step_of(at) == 1 and not at.exception  # the run is untouched
    two_d = Run(RunConfig(width=16, depth=1))
    checkpoint.save(two_d, tmp_path / "ring.pt")
    at.get("file_uploader")[0].set_value(("ring.pt", (tmp_path / "ring.pt").read_bytes(),
                                           "application/octet-stream"))
    at.run()
    assert "points2d data" in notices(at) and step_of(at) == 1
    digits = Run(config_for("dcgan", width=8, latent_dim=8, batch_size=16, n_fixed=16))
    digits.train(3)
    checkpoint.save(digits, tmp_path / "d.pt")
    at.get("file_uploader")[0].set_value(("d.pt", (tmp_path / "d.pt").read_bytes(),
                                           "application/octet-stream"))
    at.run()
    assert "Loaded d.pt" in notices(at) and step_of(at) == 3 and not at.exception


def test_exports_offer_a_loadable_checkpoint(app, tmp_path):
    at = app()
    at.button(key=f"{NS}.b.step_both").click().run()
    labels = [b.label for b in at.get("download_button")]
    assert any("Grid (PNG)" in x for x in labels) and any("GIF" in x for x in labels)
    data = at.session_state[state.key("trainer", NS)].checkpoint()
    (tmp_path / "c.pt").write_bytes(data)
    run = checkpoint.load(tmp_path / "c.pt")
    assert run.step_count == 1 and run.samples(4).shape == (4, 28, 28)
    state_dict = torch.load(io.BytesIO(data), weights_only=True)
    assert state_dict["kind"] == "image"


def test_the_training_digits_picker(app):
    """"Training digits" picks the run's training set (a data change: a fresh run on it), and
    travels in the link; a size not offered is a warning, not a traceback."""
    at = app({**SMALL, "train_digits": "500"})
    assert not at.exception and cfg_of(at).train_digits == 500
    picker = at.select_slider(key=wkey(at, "train_digits"))
    assert picker.label == "Training digits" and picker.value == 500
    picker.set_value(100).run()
    assert not at.exception and cfg_of(at).train_digits == 100
    assert query(at)["train_digits"] == "100"
    at.button(key=f"{NS}.b.step_both").click().run()
    assert step_of(at) == 1 and not at.exception
    bad = app({**SMALL, "train_digits": "1000"})
    warned = " ".join(w.value for w in bad.warning)
    assert not bad.exception and "train_digits" in warned and "60000, 5000, 500, 100" in warned
    assert cfg_of(bad).train_digits == 60_000


def test_the_moving_average_of_g_switches_on_live_and_travels_in_the_link(app):
    """"Show a moving average of G" is a live change (the same run steps on, averaging from
    G as it is now), its decay is picked from the offered values, and a link carries it."""
    at = app()
    at.button(key=f"{NS}.b.step_both").click().run()
    toggle = at.toggle(key=state.toggle_key(at.session_state, "ema_g", NS))
    assert toggle.label == "Show a moving average of G" and toggle.value is False
    toggle.set_value(True).run()
    assert not at.exception and cfg_of(at).ema_g == 0.999 and query(at)["ema_g"] == "0.999"
    at.select_slider(key=wkey(at, "ema_g")).set_value(0.99).run()
    at.button(key=f"{NS}.b.step_both").click().run()
    assert cfg_of(at).ema_g == 0.99 and step_of(at) == 2 and not at.exception
    at.toggle(key=state.toggle_key(at.session_state, "ema_g", NS)).set_value(False).run()
    assert cfg_of(at).ema_g == 0.0 and "ema_g" not in query(at)
    linked = app({**SMALL, "ema_g": "0.9999"})
    assert cfg_of(linked).ema_g == 0.9999
    assert linked.toggle(key=state.toggle_key(linked.session_state, "ema_g", NS)).value is True


def test_class_conditioning_is_a_control_a_link_and_a_tile(app):
    """"Class conditioning" starts a new run (G and D change shape) whose grid is ten rows,
    shows label agreement beside its real reference, and travels in the link; a 2D-only
    combination is a warning, not a traceback."""
    at = app()
    assert "Label agreement" not in tiles(at)
    picker = at.selectbox(key=wkey(at, "cond"))
    assert picker.label == "Class conditioning" and picker.value == "none"
    picker.select("projection").run()
    assert not at.exception and cfg_of(at).cond == "projection"
    assert query(at)["cond"] == "projection"
    assert "Label agreement" in tiles(at) and "real: " in tiles(at)
    at.button(key=f"{NS}.b.step_both").click().run()
    assert step_of(at) == 1 and not at.exception
    linked = app({**SMALL, "cond": "concat"})
    assert not linked.exception and cfg_of(linked).cond == "concat"
    assert linked.selectbox(key=wkey(linked, "cond")).value == "concat"
    bad = app({**SMALL, "cond": "concat", "pack": "2"})
    warned = " ".join(w.value for w in bad.warning)
    assert not bad.exception and "pack" in warned


def test_infogan_is_a_control_its_weight_live_its_picture_ten_code_rows(app):
    """"InfoGAN codes" starts a new run whose grid is ten rows labelled with the digit each
    code value reads as, beside a Code agreement tile; the MI weight and the swept code
    appear only then, the weight steps the same run on, the sweep redraws the picture; the
    combination with class conditioning is a warning, not a traceback."""
    at = app()
    assert wkey(at, "info_lambda") not in [w.key for w in at.slider]  # hidden without codes
    picker = at.selectbox(key=wkey(at, "info_codes"))
    assert picker.label == "InfoGAN codes" and picker.value == "none"
    picker.select("infogan").run()
    assert not at.exception and cfg_of(at).info_codes == "infogan"
    assert query(at)["info_codes"] == "infogan"
    assert "Code agreement" in tiles(at) and "Label agreement" not in tiles(at)
    specs = [json.loads(c.proto.json_args)["spec"] for c in at.get("component_instance")]
    grid = next(str(s) for s in specs if "row: categorical code" in str(s))
    assert "c=0" in grid and "c=9" in grid  # a row label per code value
    at.button(key=f"{NS}.b.step_both").click().run()
    assert step_of(at) == 1
    at.slider(key=wkey(at, "info_lambda")).set_value(0.5).run()
    assert not at.exception and cfg_of(at).info_lambda == 0.5 and step_of(at) == 1  # live
    at.button(key=f"{NS}.b.step_both").click().run()
    assert step_of(at) == 2 and query(at)["info_lambda"] == "0.5"
    at.select_slider(key=wkey(at, "info_sweep")).set_value(1).run()
    assert not at.exception and cfg_of(at).info_sweep == 1 and step_of(at) == 2
    bad = app({**SMALL, "info_codes": "infogan", "cond": "concat"})
    warned = " ".join(w.value for w in bad.warning)
    assert not bad.exception and "cond" in warned
