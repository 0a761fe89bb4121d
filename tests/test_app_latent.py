"""AppTest drives the latent explorer: it opens on the shipped DCGAN, every control reacts,
picking works, the MNIST lab's own generator and uploads are taken or refused clearly."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground import checkpoint
from playground.config import RunConfig
from playground.run import Run

APP = str(Path(__file__).with_name("latent_page_app.py"))


@pytest.fixture(scope="module")
def at():
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    assert not app.exception, app.exception
    return app


def texts(elements) -> str:
    return " | ".join(e.value for e in elements)


def test_opens_on_the_shipped_dcgan_with_every_view(at):
    assert at.title[0].value == "Latent explorer"
    assert "shipped DCGAN (step 12,000)" in texts(at.markdown)
    assert len(at.get("plotly_chart")) >= 10
    assert "read as **7, 7, 7, 7, 7, 7**" in texts(at.markdown)  # the thick-7 preset
    captions = texts(at.caption)  # B8: both claims are now the true ones, with numbers
    assert "keeps |z| between the endpoints' norms" not in captions
    assert "dips to 0.71 of their norm at its midpoint (1/√2 in theory" in captions
    assert "|z| peaks at 6.1" in captions and "deep inside the sphere" in captions
    assert "G draws 10 of 10 as their own digit" in captions
    assert at.slider(key="latent.w.amount").label == "how far (standard deviations of z)"
    assert at.slider(key="latent.w.amount").value == 1.0  # B7: 1 std, unit direction


def test_every_control_reacts(at):
    at.multiselect(key="latent.w.picks").set_value([3, 9, 1, 2]).run()
    at.slider(key="latent.w.steps").set_value(12).run()
    at.radio(key="latent.w.path").set_value("lerp").run()
    at.slider(key="latent.w.n").set_value(4).run()
    at.radio(key="latent.w.what").set_value("a random direction").run()
    at.selectbox(key="latent.w.preset").set_value("slanted_4").run()
    assert "read as **4," in texts(at.markdown)
    at.selectbox(key="latent.w.preset").set_value("custom (picked groups)").run()
    at.radio(key="latent.w.dir").set_value("slant").run()
    at.selectbox(key="latent.w.ni").set_value(5).run()
    assert not at.exception
    at.button(key="latent.b.new").click().run()
    assert at.session_state["latent.seed"] == 1 and not at.exception


def test_a_2d_checkpoint_upload_is_refused(tmp_path):
    app = AppTest.from_file(APP, default_timeout=180).run()
    run = Run(RunConfig(width=16, depth=1))
    checkpoint.save(run, tmp_path / "ring.pt")
    app.get("file_uploader")[0].set_value(("ring.pt", (tmp_path / "ring.pt").read_bytes(),
                                           "application/octet-stream"))
    app.run()
    assert "points2d data" in texts(app.error) and not app.exception
    assert "shipped DCGAN" in texts(app.markdown)  # still on the shipped one


def test_the_mnist_labs_own_generator_can_be_explored():
    from playground.presets import config_for
    from playground.ui.live import Trainer
    from playground.ui.pool import Pool
    pool = Pool(1)
    trainer = Trainer(config_for("dcgan", width=8, latent_dim=8, batch_size=16, n_fixed=16),
                      pool)
    try:
        trainer.step()
        app = AppTest.from_file(APP, default_timeout=180)
        app.session_state["mnist.trainer"] = trainer
        app.run()
        app.button(key="latent.b.lab").click().run()
        assert not app.exception
        assert "MNIST lab run (1 steps)" in texts(app.markdown)
        assert app.session_state["latent.explorer"].latent_dim == 8
    finally:
        trainer.close()
        pool.close()
