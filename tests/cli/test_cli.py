"""The CLI end to end: presets, train (files and shapes), bad input, bench."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from playground.cli import main
from playground.data.datasets import GroundTruth
from playground.metrics import points2d as metrics
from playground.presets import PRESETS
from playground.store import checkpoint


def test_presets_lists_every_id_with_a_caption(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    for id_, preset in PRESETS.items():
        assert id_ in out and preset.caption in out


def test_train_writes_metrics_samples_and_checkpoint(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--preset", "hinge", "--dataset", "grid", "--steps", "30",
                 "--seed", "3", "--out", str(out), "--set", "width=32", "--set", "lr_d=1e-3",
                 "--eval-every", "10"])
    assert code == 0
    samples = np.load(out / "samples.npy")
    assert samples.shape == (2500, 2) and samples.dtype == np.float32
    report = json.loads((out / "metrics.json").read_text())
    assert report["steps"] == 30 and report["config"]["dataset"] == "grid"
    assert report["config"]["seed"] == 3 and report["config"]["lr_d"] == 1e-3
    modes = {f"mode_{what}_{k}" for what in ("hq", "near") for k in range(25)}
    assert set(report["final"]) == {"modes", "hq_pct", "rkl", "w1", "jsd", "js_bound"} | modes
    assert report["final"]["js_bound"] is None  # hinge has no JS bound: NaN written as null
    # live evaluations (W1 on 512 points) and the final protocol one (W1 on all 2,500) are two
    # named series: never two rows for one step in one series
    assert report["metric_history"]["step"] == [10, 20, 30]
    assert report["protocol_history"]["step"] == [30]
    assert report["protocol_history"]["w1"] == [report["final"]["w1"]]
    assert len(report["history"]["d_loss"]) == 30
    run = checkpoint.load(out / "checkpoint.pt")
    assert run.cfg.width == 32 and run.step_count == 30
    assert "wrote" in capsys.readouterr().out


def test_every_final_number_is_recomputed_from_the_files_beside_it(tmp_path):
    """samples.npy holds the fakes `final` scored and real.npy the real points W1 and JSD used;
    metrics.json says how they were scored (bounds, mode centres), and D (the checkpoint) gives
    the JS bound."""
    out = tmp_path / "run"
    assert main(["train", "--preset", "ns", "--dataset", "ring", "--steps", "40", "--seed", "2",
                 "--out", str(out), "--set", "width=32"]) == 0
    report = json.loads((out / "metrics.json").read_text())
    final, how = report["final"], report["evaluation"]
    fake, real = np.load(out / "samples.npy"), np.load(out / "real.npy")
    assert fake.shape == real.shape == (2500, 2) and fake.dtype == real.dtype == np.float32
    assert how["samples"] == "samples.npy" and how["real"] == "real.npy"
    fake64, real64 = fake.astype(np.float64), real.astype(np.float64)
    truth = GroundTruth(np.asarray(how["mode_centres"]), how["mode_std"])
    cov = metrics.mode_coverage(fake64, truth)
    assert (final["modes"], final["hq_pct"]) == (cov.modes, pytest.approx(cov.hq_pct, abs=1e-9))
    # no HQ sample this early: rKL is NaN, written as null
    assert final["rkl"] == (None if math.isnan(cov.rkl) else pytest.approx(cov.rkl, abs=1e-9))
    assert [final[f"mode_hq_{k}"] for k in range(8)] == cov.counts.tolist()
    assert [final[f"mode_near_{k}"] for k in range(8)] == cov.nearest.tolist()
    n = how["w1_n"]
    assert n == 2500
    assert final["w1"] == pytest.approx(metrics.wasserstein1(fake64[:n], real64[:n]), abs=1e-9)
    assert final["jsd"] == pytest.approx(
        metrics.jsd_histogram(fake64, real64, tuple(how["bounds"])), abs=1e-12)
    run = checkpoint.load(out / "checkpoint.pt")
    with run.observing(), torch.no_grad():
        bound = run.loss.js_bound(real=run.D(torch.from_numpy(real)),
                                  fake=run.D(torch.from_numpy(fake)))
    assert final["js_bound"] == pytest.approx(bound, abs=1e-6)


def test_custom_dataset_from_csv(tmp_path):
    csv = tmp_path / "pts.csv"
    csv.write_text("x,y\n" + "\n".join(f"{i % 5},{i % 3}" for i in range(40)))
    assert main(["train", "--dataset", "custom", "--csv", str(csv), "--dry-run",
                 "--out", str(tmp_path / "o"), "--set", "width=16"]) == 0


def test_bad_input_gives_one_line_and_status_2(tmp_path, capsys):
    cases = [
        (["train", "--preset", "nope"], "unknown preset 'nope'; valid: ns"),
        (["train", "--set", "lrd=1"], "unknown config key 'lrd'; valid: dataset"),
        (["train", "--set", "lr_d"], "--set expects KEY=VALUE"),
        (["train", "--set", "lr_d=9"], "lr_d=9.0 is out of range"),
        (["train", "--dataset", "custom"], "needs --csv"),
        (["train", "--dataset", "custom", "--csv", str(tmp_path / "x.csv")], "cannot read"),
    ]
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("x,y\n1,2\n3,oops\n")
    cases.append((["train", "--dataset", "custom", "--csv", str(bad_csv)], "not numeric"))
    for argv, message in cases:
        assert main(argv + ["--out", str(tmp_path / "o")]) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    for preset in ("ns", "dcgan,nope", ","):  # bench's presets must be image presets
        assert main(["bench", "--dataset", "mnist", "--preset", preset]) == 2, preset
        err = capsys.readouterr().err
        assert "--preset takes image presets (dcgan, dcgan_fast" in err, err


def test_module_entry_point_and_bench_json():
    out = subprocess.run([sys.executable, "-m", "playground", "bench", "--steps", "20",
                          "--repeats", "1"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["engine_steps_per_s_median"] > 0 and result["baseline_steps_per_s_median"] > 0
    assert result["ratio_median"] > 0 and len(result["engine_runs"]) == 1


def test_a_loss_switch_drops_the_old_loss_remedy_as_in_a_link(tmp_path):
    out = tmp_path / "r"
    assert main(["train", "--preset", "wgan_clip", "--set", "loss=ns", "--dry-run",
                 "--out", str(out), "--set", "width=16"]) == 0
    cfg = json.loads((out / "metrics.json").read_text())["config"]
    assert cfg["loss"] == "ns" and cfg["clip_c"] == 0.0  # ?preset=wgan_clip&loss=ns: the same
    assert cfg["opt_d"] == "rmsprop"  # the preset's other settings kept


def test_table_defaults_pair_each_dataset_with_the_presets_of_its_kind():
    from playground.cli.table import table_pairs
    from playground.presets import ids_for
    pairs, skipped = table_pairs("all", "ring,grid")  # the defaults
    assert pairs == [(p, d) for p in ids_for("points2d") for d in ("ring", "grid")]
    assert not skipped
    pairs, _ = table_pairs("all", "ring,mnist")
    assert [p for p, d in pairs if d == "mnist"] == ids_for("image")
    assert [p for p, d in pairs if d == "ring"] == ids_for("points2d")
    pairs, _ = table_pairs("all", "ring,grid", "r1_wide,unrolled")  # docs/presets.md's --skip
    assert pairs == [(p, d) for p in ids_for("points2d") if p not in ("r1_wide", "unrolled")
                     for d in ("ring", "grid")]
    assert table_pairs("ns,r1", "ring", "r1")[0] == [("ns", "ring")]


def test_table_runs_2d_and_image_presets_and_skips_what_cannot_train(capsys):
    assert main(["table", "--presets", "ns,dcgan", "--datasets", "ring", "--steps", "1"]) == 0
    out, err = capsys.readouterr()
    assert "| modes | % HQ | reverse KL | W1 | JSD | status |" in out
    assert "| ns | ring | 1 | " in out and "dcgan" not in out
    assert "skipped dcgan on ring: arch 'dcgan' does not train points2d data" in err
    assert main(["table", "--presets", "dcgan", "--datasets", "mnist", "--steps", "1"]) == 0
    out, err = capsys.readouterr()
    assert ("| classes | class KL | confidence | score | FD | real FD "
            "| label agreement (real) | code agreement (real) | status |") in out
    row = next(line for line in out.splitlines() if line.startswith("| dcgan | mnist | 1 |"))
    assert row.split(" | ")[3].endswith("/10") and "Traceback" not in err
    assert row.split(" | ")[-2] == "-"  # an unconditional run asks for no class


def test_table_refuses_what_it_cannot_run_in_one_line(capsys):
    for argv, message in ((["--presets", "dcgan", "--datasets", "ring"],
                           "no preset of 'dcgan' trains any dataset of 'ring'"),
                          (["--datasets", "nope"], "unknown dataset 'nope'"),
                          (["--presets", "nope"], "unknown preset 'nope'"),
                          (["--skip", "nope"], "unknown preset 'nope'"),
                          (["--presets", "ns", "--skip", "ns"],
                           "no preset of 'ns' trains any dataset of 'ring,grid'"),
                          (["--steps", "0"], "--steps must be at least 1")):
        assert main(["table", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err


@pytest.mark.slow
def test_the_documented_table_command_runs(tmp_path):
    """docs/presets.md's reproduction command, with 1 step instead of 3,000 and 2 seeds
    instead of 5: every 2D preset on ring and grid. Its default datasets, one per worker
    process (tests/cli_fixtures.py): each row is mostly exact W1 on 2,500 points, 77 s for the
    40 rows of one seed in one process."""
    import argparse
    from pathlib import Path

    from cli_fixtures import pool, run_cli

    from playground.cli.table import _table_args, table_pairs
    from playground.presets import ids_for
    docs = (Path(__file__).resolve().parents[2] / "docs" / "presets.md").read_text()
    line = next(x for x in docs.splitlines() if "-m playground table" in x)
    argv = line.split("-m playground ", 1)[1].split()
    argv[argv.index("--steps") + 1] = "1"
    argv[argv.index("--seeds") + 1] = "0-1"  # two seeds: each cell a mean ± s.e.
    parser = argparse.ArgumentParser()
    _table_args(parser)
    assert "--datasets" not in argv and parser.get_default("datasets") == "ring,grid"
    with pool() as workers:
        done = [workers.submit(run_cli, [*argv, "--datasets", d], str(tmp_path)).result
                for d in ("ring", "grid")]
        results = [result(timeout=600) for result in done]
    for code, _, err in results:
        assert code == 0 and "Traceback" not in err, err[-3000:]
    rows = [x for _, out, _ in results for x in out.splitlines()
            if x.startswith("| ") and " | 1 | " in x]
    skip = argv[argv.index("--skip") + 1] if "--skip" in argv else ""
    assert len(rows) == 2 * len([p for p in ids_for("points2d") if p not in skip.split(",")])
    assert all(" ± " in x for x in rows)
    shown = sorted(tuple(cell.strip() for cell in x.split("|")[1:3]) for x in rows)
    assert shown == sorted(table_pairs("all", "ring,grid", skip)[0])  # each pair once


def test_train_names_the_preset_it_ran(tmp_path, capsys):
    """`train --preset collapse` printed "ns on ring": the loss, not the preset asked for."""
    assert main(["train", "--preset", "collapse", "--dry-run", "--set", "width=16",
                 "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("preset collapse: ns on ring: 10 steps;")


def test_help_lists_the_commands_in_module_order_whatever_was_imported_first(monkeypatch,
                                                                            capsys):
    """One module per command registers on import, so the registry's order is the order of
    first import (a test importing cli.table first would move `table` to the top of --help);
    `main` lists them in COMMAND_MODULES order instead."""
    import playground.cli as cli
    from playground.registry import Registry
    assert main(["presets"]) == 0  # every command module imported
    backwards: Registry = Registry("command")  # the modules as if imported last to first
    for module in reversed(cli.COMMAND_MODULES):
        for name, cmd in cli.COMMANDS.items():
            if cmd.run.__module__ == module:
                backwards.add(name, cmd)
    assert backwards.ids()[0] == "latent"
    monkeypatch.setattr(cli, "COMMANDS", backwards)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["--help"])
    listing = capsys.readouterr().out.split("COMMAND\n", 1)[1].split("\noptions:")[0]
    assert [line.split()[0] for line in listing.splitlines() if line.startswith("    ")
            and not line.startswith("     ")] == [
        "presets", "train", "sample", "table", "reproduce", "pretrained", "bench",
        "parallel-lines",
        "wgan-fig2", "em-vs-js", "mnist", "classifier", "latent"]


def test_every_import_inside_a_command_function_resolves():
    """Commands import lazily inside their functions (a command's imports are paid only when
    it runs), so a name that moved breaks only the command that runs it: `latent` still
    imported load_generator from the registry after it moved to cli/sample.py. Every such
    import, resolved here without running anything."""
    import ast
    import importlib.util
    from pathlib import Path

    import playground.cli as cli
    missing = []
    for path in sorted(Path(cli.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("playground"):
                module = importlib.import_module(node.module)
                missing += [f"{path.name}: {node.module}.{a.name}" for a in node.names
                            if not hasattr(module, a.name)
                            and importlib.util.find_spec(f"{node.module}.{a.name}") is None]
    assert missing == []
