"""The stored mode-collapse tables (store/tables.py): a record `reproduce --json` writes reads
back with the same numbers, the page's cells show them, every broken record is one
line of TableError, and the records shipped in docs/tables load with the paper's trial counts."""
import json
import math

import numpy as np
import pytest

from playground.store import tables


@pytest.fixture
def records(stored_tables):
    return stored_tables  # conftest: real reproduce records


def test_a_written_record_reads_back_with_its_numbers(records):
    raw = json.loads((records / "veegan-table1.json").read_text())
    t = tables.load("veegan-table1", records)
    assert tables.stored_ids(records) == ["pacgan-table1", "veegan-table1"]
    assert (t.trials, t.steps, t.seed0, t.datasets) == (2, 5, 0, ("ring",))
    unrolled, veegan = t.rows
    ours = unrolled.ours["ring"]
    modes = [x["modes"] for x in raw["rows"][0]["ours"]["ring"]["trials"]]
    assert ours.summary["modes"].mean == pytest.approx(np.mean(modes), abs=1e-12)
    assert ours.summary["modes"].se == pytest.approx(np.std(modes, ddof=1) / math.sqrt(2))
    assert ours.device == "cpu" and ours.steps == 5 and len(ours.trials) == 2
    assert unrolled.published["ring"]["hq_pct"].mean == 35.6
    assert not veegan.reproduced and veegan.ours == {} and not veegan.lab_row
    assert t.command == ("python -m playground reproduce veegan-table1 --trials 2 --budget "
                         "0.0002 --seed0 0 --json docs/tables/veegan-table1.json")
    cells = tables.cells(t, "ring")
    assert [(c["method"], c["row"]) for c in cells] == [
        ("Unrolled GAN", "paper"), ("Unrolled GAN", "ours"), ("VEEGAN", "paper"),
        ("VEEGAN", "ours")]
    assert cells[0]["modes"] == "7.6" and cells[0]["G updates"] == "25,000"
    assert cells[1]["modes"] == ours.summary["modes"].text(1) and cells[1]["trials"] == "2"
    assert cells[3]["modes"] == "not reproduced"
    assert "reverse KL" not in cells[0]  # VEEGAN's table has no reverse KL column
    assert [r["seed"] for r in tables.trial_rows(t)] == [0, 1]


def _write(root, text):
    (root / "veegan-table1.json").write_text(text)


@pytest.mark.parametrize("edit, needle", [
    (lambda r: "{not json", "is not a readable JSON record"),
    (lambda r: json.dumps({**r, "table": "pacgan-table1"}), "it holds 'pacgan-table1'"),
    (lambda r: json.dumps({k: v for k, v in r.items() if k != "steps"}), "missing 'steps'"),
    (lambda r: json.dumps({**r, "trials": -3}), "trials -3 is not an integer >= 1"),
    (lambda r: json.dumps({**r, "datasets": ["moons"]}), "not a subset of ['ring', 'grid']"),
    (lambda r: json.dumps({**r, "rows": [{**r["rows"][0], "method": "Mine"}]}),
     "are not the table's"),
    (lambda r: json.dumps({**r, "rows": [{**r["rows"][0], "ours": {
        "ring": {**r["rows"][0]["ours"]["ring"], "trials": [1, 2]}}}]}),
     "trials is not a list of records"),
    (lambda r: json.dumps([1, 2]), "is not a reproduce record"),
    (lambda r: " " * (tables.MAX_BYTES + 1), "more than any record"),
])
def test_a_broken_record_is_one_line_of_table_error(records, tmp_path, edit, needle):
    raw = json.loads((records / "veegan-table1.json").read_text())
    _write(tmp_path, edit(raw))
    with pytest.raises(tables.TableError) as e:
        tables.load("veegan-table1", tmp_path)
    assert needle in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(tables.TableError, match="no stored pacgan-table1 table: run"):
        tables.load("pacgan-table1", tmp_path)


@pytest.mark.parametrize("id_, trials", [("pacgan-table1", 10), ("veegan-table1", 5)])
def test_the_shipped_records_load_with_the_papers_trial_counts(id_, trials):
    t = tables.load(id_)  # docs/tables: what the page shows
    assert t.trials == trials
    for r in t.rows:
        assert set(r.ours) == (set(t.datasets) if r.reproduced else set())
        for o in r.ours.values():
            assert len(o.trials) == trials and o.seconds > 0
            assert [x["seed"] for x in o.trials] == list(range(t.seed0, t.seed0 + trials))


def test_the_beyond_section_is_docs_presets_own_and_ends_at_the_next_heading(tmp_path):
    title, body = tables.beyond()  # docs/presets.md, as the page shows it
    assert title.startswith("Beyond the papers' best rows") and "r1_wide" in title
    assert "### The grid, 10 seeds" in body and "### The ring, 10 seeds" in body
    assert "PacGAN4 (theirs)" in body and "PacGAN3 (theirs)" in body
    doc = tmp_path / "presets.md"
    doc.write_text("# t\n\n## Before\nx\n\n## Beyond the papers' best rows: mine\n\nkept\n"
                   "| a |\n\n## After\nnot kept\n")
    assert tables.beyond(doc) == ("Beyond the papers' best rows: mine", "kept\n| a |")
    doc.write_text("# t\n\n## Beyond the papers' best rows\nlast\n")
    assert tables.beyond(doc) == ("Beyond the papers' best rows", "last")
    for text, needle in (("# t\n## Other\n", "has no section"), (b"\xff\xfe\x00", "cannot be")):
        doc.write_bytes(text if isinstance(text, bytes) else text.encode())
        with pytest.raises(tables.TableError, match=needle):
            tables.beyond(doc)
    with pytest.raises(tables.TableError, match="cannot be read"):
        tables.beyond(tmp_path / "gone.md")
