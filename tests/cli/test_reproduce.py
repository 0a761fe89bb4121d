"""`python -m playground reproduce`: a tiny-budget run end to end (our rows beside the paper's,
Markdown and JSON agreeing, rows not reproduced marked), and bad arguments as one line."""
import json

import pytest

from playground.cli import main


def test_a_tiny_budget_prints_our_rows_beside_the_papers(tmp_path, capsys):
    out = tmp_path / "new" / "veegan.json"  # its folder is made
    # 25,000 x 0.0002 = 5 G updates; 2 trials on the ring only
    assert main(["reproduce", "veegan-table1", "--trials", "2", "--budget", "0.0002",
                 "--datasets", "ring", "--threads", "1", "--json", str(out)]) == 0
    captured = capsys.readouterr()
    md = captured.out
    assert "| Unrolled GAN | paper | 7.6 | 35.6 | 5 | 25,000 | | |" in md
    assert "| VEEGAN | paper | 8.0 | 52.9 |" in md
    assert "| VEEGAN | ours | not reproduced |" in md
    assert "### grid" not in md
    ours = next(line for line in md.splitlines() if line.startswith("| Unrolled GAN | ours |"))
    cells = [c.strip() for c in ours.strip("|").split("|")]
    assert cells[4:6] == ["2", "5"] and cells[7] == "cpu" and cells[6].endswith(" s")
    assert "Unrolled GAN on ring: 2 trials x 5 steps" in captured.err  # the progress record
    report = json.loads(out.read_text())
    assert (report["steps"], report["trials"], report["paper_steps"]) == (5, 2, 25_000)
    unrolled, veegan = report["rows"]
    ring = unrolled["ours"]["ring"]
    assert [t["seed"] for t in ring["trials"]] == [0, 1]
    assert all(t["steps"] == 5 for t in ring["trials"])
    modes = [t["modes"] for t in ring["trials"]]
    assert ring["modes"]["mean"] == pytest.approx(sum(modes) / 2, abs=1e-12)
    assert f"{ring['modes']['mean']:.1f}" in cells[2]  # the Markdown shows the same mean
    assert ring["trained"].startswith("one after another")  # unrolled: per-run copies of D
    assert veegan["reproduced"] is False and veegan["ours"] == {}


@pytest.mark.parametrize("argv, needle", [
    (["pacgan-table9"], "unknown table 'pacgan-table9'; valid: pacgan-table1, veegan-table1"),
    (["pacgan-table1", "--trials", "0"], "--trials must be in [1, 100]"),
    (["pacgan-table1", "--budget", "0"], "--budget must be in (0, 10]"),
    (["pacgan-table1", "--budget", "nan"], "--budget must be in (0, 10]"),
    (["pacgan-table1", "--datasets", "moons"], "--datasets: moons; pacgan-table1 has ring, grid"),
    (["pacgan-table1", "--json", "{file}/x.json"], "File exists"),
    (["pacgan-table1", "--threads", "-1"], "--threads must be in [0, 256]"),
])
def test_bad_arguments_are_one_line_and_train_nothing(argv, needle, capsys, tmp_path):
    (tmp_path / "a_file").write_text("")
    argv = [a.replace("{file}", str(tmp_path / "a_file")) for a in argv]
    assert main(["reproduce", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_datasets_run_apart_join_one_record_and_other_settings_are_refused(tmp_path, capsys):
    out = tmp_path / "veegan.json"
    tiny = ["reproduce", "veegan-table1", "--trials", "2", "--budget", "0.0002", "--threads", "1",
            "--json", str(out)]
    assert main([*tiny, "--datasets", "grid"]) == 0
    grid = json.loads(out.read_text())["rows"][0]["ours"]["grid"]
    assert main([*tiny, "--datasets", "ring"]) == 0
    report = json.loads(out.read_text())
    assert report["datasets"] == ["ring", "grid"]  # the table's order
    unrolled = report["rows"][0]
    assert list(unrolled["ours"]) == ["ring", "grid"] and unrolled["ours"]["grid"] == grid
    assert report["rows"][1]["ours"] == {}  # VEEGAN: not reproduced on either
    capsys.readouterr()
    before = out.read_text()
    assert main([*tiny[:3], "3", *tiny[4:], "--datasets", "ring"]) == 2  # 3 trials, not 2
    err = capsys.readouterr().err
    assert "it holds a record with trials 2 (this run: 3)" in err
    assert len(err.strip().splitlines()) == 1 and out.read_text() == before
    out.write_text("[1, 2]")
    assert main([*tiny, "--datasets", "ring"]) == 2
    assert "a file is there that is not a reproduce record" in capsys.readouterr().err
