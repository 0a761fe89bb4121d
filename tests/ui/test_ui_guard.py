"""The page boundary (ui/guard.py): an error in a page or a button's callback shows a short
message and is logged with its traceback; no traceback, server path or exception name reaches
the page, and the page around it keeps working."""
import logging
import tomllib
from pathlib import Path

import pytest
from app_sessions import opener
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from playground.ui import guard, state

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"width": "16", "depth": "1", "batch_size": "32", "n_fixed": "64", "grid_res": "20"}


def _lab2d():
    from playground.ui import guard
    from playground.ui.pages import lab2d

    guard.page(lab2d.render)()  # as app.py renders it


def _broken():
    import streamlit as st

    from playground.ui import guard

    def render():
        st.title("Before the error")
        raise KeyError("/srv/app/playground/secret.py")

    guard.page(render)()


def shown(at) -> str:
    return " | ".join(e.value for e in [*at.error, *at.warning, *at.markdown, *at.caption,
                                        *at.title]) + " | " + " | ".join(
        t.proto.body for t in at.toast)


def internals(text: str) -> list[str]:
    return [s for s in ("Traceback", "/srv", "/tmp", "Error:", "Error)", "KeyError",
                        "RuntimeError", "site-packages") if s in text]


@pytest.fixture
def lab():
    with opener(_lab2d, state.key("trainer"), SMALL) as make:
        yield lambda app=_lab2d: make(app=app)


def test_an_error_in_a_page_is_a_short_message_and_a_log_entry(caplog):
    with caplog.at_level(logging.WARNING, logger="playground.ui"):
        at = AppTest.from_function(_broken, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [guard.GENERAL]
    assert at.title[0].value == "Before the error"  # what was drawn stays
    assert internals(shown(at)) == []
    assert "secret.py" in caplog.text and "Traceback" in caplog.text  # the details: the log


def test_step_after_the_worker_died_shows_the_message_not_a_traceback(lab, monkeypatch):
    """The rehearsal's P1: Step D on a run whose worker had died replaced the whole page by
    a red ValueError traceback; the sidebar and the Train button were gone."""
    from playground.serve.clients import Trainer
    from playground.serve.pool import HostDied

    at = lab()

    def died(self, kind="both"):
        raise ValueError(self._died(HostDied("pool-quick stopped")))

    monkeypatch.setattr(Trainer, "step", died)
    at.button(key="lab2d.b.step_d").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("The worker process stopped")
    assert "press Train to go on" in errors[0] and internals(shown(at)) == []
    assert at.button(key="lab2d.b.train").label == "Train"  # the page is all there
    assert at.sidebar.selectbox  # and its controls
    monkeypatch.undo()
    at.button(key="lab2d.b.step_both").click().run()  # the message went; Step works again
    assert not at.error and not at.exception


def test_a_bug_in_a_callback_gets_the_general_message(lab, monkeypatch):
    from playground.serve.clients import Trainer

    at = lab()
    monkeypatch.setattr(Trainer, "start", lambda self: {}["/srv/app/live.py"])
    at.button(key="lab2d.b.train").click().run()
    assert not at.exception and [e.value for e in at.error] == [guard.GENERAL]
    assert internals(shown(at)) == []


class Upload:
    """What st.file_uploader gives a callback: a name and the bytes."""
    name = "my run.pt"

    def getvalue(self):
        return b"not a checkpoint at all"


def _lab2d_with_upload():
    import streamlit as st

    from playground.ui import guard, loads, state
    from playground.ui.pages import lab2d

    upload = st.session_state.get("test.upload")
    if upload is not None:  # as the checkpoint uploader's on_change would
        st.session_state["test.upload"] = None
        st.session_state[state.key("w.checkpoint")] = upload
        loads.on_checkpoint(state.LAB)
    guard.page(lab2d.render)()


def test_a_bad_checkpoint_upload_names_the_file_not_the_temp_path(lab):
    """The uploaded bytes go to a temp file the worker reads; the refusal used to show that
    file's path and the exception's class ("/tmp/tmpab12/upload.pt is not a readable
    checkpoint (UnpicklingError)")."""
    at = lab(_lab2d_with_upload)
    at.session_state["test.upload"] = Upload()
    at.run()
    assert not at.exception and not at.error
    text = " | ".join(t.proto.body for t in at.toast)
    assert text.startswith("my run.pt") and "not a readable checkpoint" in text
    assert internals(text) == [] and "upload.pt" not in text


@pytest.mark.parametrize("text,names,expected", [
    ("/tmp/tmpab12/upload.pt is not a readable checkpoint (UnpicklingError)",
     {"/tmp/tmpab12/upload.pt": "a.pt"}, "a.pt is not a readable checkpoint"),
    ("x.pt: /tmp/q/generator.pt has format None", {}, "x.pt: the file has format None"),
    ("RuntimeError: boom in C:\\srv\\app.py", {}, "boom in the file"),
    ("torch.OutOfMemoryError: CUDA out of memory", {}, "CUDA out of memory"),
    ("lr_d=5 is out of range [1e-05, 0.1]; W1/JSD 1/2", {}, None),  # nothing to remove
])
def test_public_text(text, names, expected):
    assert guard.public(text, names) == (text if expected is None else expected)


def test_streamlit_shows_no_error_details():
    """What gets past the boundary (a fragment's timer run) shows Streamlit's redacted
    notice: `client.showErrorDetails` is "none", one of the values Streamlit 1.67 accepts."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    value = settings["client"]["showErrorDetails"]
    assert value == "none" and value in {o.value for o in st_config.ShowErrorDetailsConfigOptions}


def _broken_fragment():
    import streamlit as st

    from playground.ui import guard

    st.title("Around the fragment")

    @st.fragment(run_every=None)
    @guard.fragment
    def view() -> None:
        raise RuntimeError("boom in /srv/app/playground/ui/views.py")

    view()
    st.caption("after the fragment")


def test_a_failing_fragment_shows_a_message_in_its_place():
    # A fragment's timer runs never pass through guard.page, so its body is guarded itself.
    at = AppTest.from_function(_broken_fragment, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [guard.GENERAL]
    assert "after the fragment" in shown(at)
    assert internals(shown(at)) == []
