"""The mode-collapse tables page in AppTest: it shows a stored record (our rows beside the
paper's, the figure, how each row was obtained, the command), follows and writes its link, and
a missing or broken record is a message, never a traceback."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.store import tables
from playground.ui import guard

APP = str(Path(__file__).with_name("tables_page_app.py"))


def _open(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at) -> str:
    return " ".join(e.value for e in [*at.markdown, *at.caption, *at.info, *at.error,
                                      *at.warning, *at.subheader])


@pytest.fixture
def root(stored_tables, monkeypatch):
    monkeypatch.setattr(tables, "ROOT", stored_tables)
    return stored_tables


def test_the_page_shows_a_stored_table_beside_the_papers(root):
    at = _open()
    t = tables.load("pacgan-table1")
    assert at.subheader[0].value == t.spec.title
    assert len(at.table) == 2  # ring and grid
    ring = at.table[0].value
    assert list(ring["row"])[:2] == ["paper", "ours"]
    assert list(ring["modes"])[:2] == ["6.3 ± 0.5", t.rows[0].ours["ring"].summary["modes"]
                                       .text(1)]
    assert len(at.get("plotly_chart")) == 2
    text = _text(at)
    assert "of 4 G updates, 0.001 % of the paper's 400,000" in text
    assert "At 0.001 % of the paper's training, our rows say where" in at.info[0].value
    assert "**PacGAN4**: PacGAN's code" in text and "trained one after another" in text
    assert any(t.command in c.value for c in at.code)
    assert dict(at.query_params) == {}  # the first table is the link's default


def test_the_link_opens_a_table_and_the_page_writes_it_back(root):
    at = _open({"table": "veegan-table1", "present": "1"})
    assert at.subheader[0].value.startswith("VEEGAN Table 1")
    assert len(at.table) == 1  # ring only in this record
    assert "not reproduced" in list(at.table[0].value["modes"])
    assert dict(at.query_params) == {"table": "veegan-table1", "present": "1"}
    at.toggle(key="tables.w.present").set_value(False).run()
    assert dict(at.query_params) == {"table": "veegan-table1"}
    at.get("button_group")[0].set_value("pacgan-table1").run()
    assert not at.exception and dict(at.query_params) == {}
    assert at.subheader[0].value.startswith("PacGAN Table 1")


def test_the_labs_best_preset_is_shown_below_the_tables_from_docs_presets(root, tmp_path,
                                                                         monkeypatch):
    title, body = tables.beyond()
    at = _open()
    assert [e.label for e in at.expander][-1] == title
    shown = at.expander[-1].markdown[0].value
    assert shown == body and "98.06 ± 0.15 %" in shown  # the ring's 10-seed HQ, as measured
    doc = tmp_path / "presets.md"
    doc.write_text("# nothing beyond\n")
    monkeypatch.setattr(tables, "PRESETS_DOC", doc)
    at = _open()
    assert "presets.md has no section" in at.error[0].value
    assert len(at.table) == 2 and guard.GENERAL not in _text(at)  # the tables still shown


def test_a_bad_link_warns_and_opens_the_first_table(root):
    at = _open({"table": "pacgan-table9"})
    assert "Ignored link parameter table='pacgan-table9'" in at.warning[0].value
    assert at.subheader[0].value.startswith("PacGAN Table 1")


def test_a_missing_or_broken_record_is_a_message(root, tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "ROOT", tmp_path)
    (tmp_path / "veegan-table1.json").write_text('{"table": "veegan-table1"')
    at = _open()
    assert "no stored pacgan-table1 table: run `python -m playground reproduce" in \
        at.error[0].value
    at = _open({"table": "veegan-table1"})
    assert "veegan-table1.json is not a readable JSON record" in at.error[0].value
    assert guard.GENERAL not in _text(at) and not at.table
