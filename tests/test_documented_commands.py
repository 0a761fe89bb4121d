"""Every shell command the docs show runs: the lines of each ```bash block in README.md, docs/
and playground/data/README.md, and each inline `python -m ...` span, are collected and run,
shrunk to seconds (`--steps` to a few, outputs into a temporary folder), two at a time in
long-lived workers that call the CLI's `main` (tests/cli_fixtures.py: one fresh process per
command paid ~3 s of imports each); `python -m playground --help` starts the real entry point
as a user does. Commands that start a server, a browser or a download, or rewrite shipped
files, are listed in SKIPPED with the reason and the test that covers them; a new command in
the docs that is neither run nor listed fails
`test_every_documented_command_is_run_or_skipped_with_a_reason`."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from cli_fixtures import pool, run_cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "playground" / "data" / "README.md"]

# Shown but not run here: (the command as shown, after `.venv/bin/` is dropped) -> why.
SKIPPED = {
    "python3.11 -m venv .venv && pip install -r requirements.txt && streamlit run app.py":
        "installs into a fresh venv and serves until stopped; .ci/run installs the same way "
        "and tests/browser/test_browser_lab2d.py starts `streamlit run app.py` and drives it",
    "python3.11 -m venv .venv && pip install -q -r requirements-dev.txt && python -m pytest":
        "the test command itself: .ci/run runs it verbatim on a clean clone",
    "PLAYGROUND_SEQUENCES=long python -m pytest tests/serve/test_sequences.py -s":
        "the long profile of the sequence test takes hours; the suite runs its ci profile",
    "python -m playground":
        "the entry point named in a table, not a command (its subcommands are run here)",
    "python -m playground latent same-z-every-class --checkpoint runs/cgan/checkpoint.pt":
        "needs a class-conditional checkpoint, and none is shipped yet: tests/engine/"
        "test_conditional.py::test_cli_same_z_every_class_draws_ten_rows_of_the_same_z runs it on "
        "one it trains",
    "python -m playground sample --checkpoint runs/infogan/checkpoint.pt --n 100 --out "
    "runs/codes":
        "needs the InfoGAN checkpoint the line above trains (each command runs in its own "
        "folder): tests/engine/test_infogan.py::"
        "test_cli_samples_the_code_grid_or_one_code_value_and_refuses_the_rest runs it on one",
    "python -m playground pretrained --rebuild":
        "retrains every shipped run for minutes and rewrites pretrained/; test_pretrained.py "
        "checks each shipped file against its recipe's recorded score",
    "python -m playground table --skip r1_wide --steps 3000 --seeds 0-4":
        "every 2D preset on ring and grid (about 80 s a seed even at 2 steps): "
        "tests/cli/test_cli.py::test_the_documented_table_command_runs runs this line of "
        "docs/presets.md at 1 step on 2 seeds and checks every row",
    "python -m tools.loadtest --sessions 20 --seconds 260":
        "20 Chromium sessions for 260 s; tests/tools/test_loadtest.py runs the load test small",
    "python -m tools.bench_live --page mnist":
        "a Chromium benchmark of the live page (about a minute); the browser tests open it",
    "python -m tools.bench_live":
        "a Chromium benchmark of the live page (about a minute); the browser tests open it",
    "python -m tools.bench_compare":
        "times 3x128 lockstep runs on 1 and 2 threads for minutes; "
        "tests/tools/test_bench_compare.py runs its measurement on a tiny shape",
    "python -m tools.park_bytes":
        "trains a 2D run 4,000 steps and a DCGAN 300 steps to print park sizes (minutes); "
        "tests/serve/test_ui_live.py checks that a parked run ships its checkpoint bytes only",
    "python -m tools.find_arithmetic":
        "tries every pair of digits for both attributes on the shipped DCGAN (minutes); "
        "tests/tools/test_find_arithmetic.py scores a shipped preset with the same check",
    "python -m tools.shots presenter":
        "serves the app and drives Chromium over every page, rewriting docs/present-1280-*.png; "
        "tests/browser/test_browser_presenter.py runs the same code (tools/firstscreen.py)",
    "python -m playground mnist download DIR":
        "downloads from the internet; tests/data/test_mnist_download.py serves the files locally",
}
# What makes a command take seconds: (subcommand, flag, value) set or appended.
SIZES = {
    "train": {"--steps": "4"},
    "table": {"--steps": "2"},
    # 4 G updates, one seed, the ring: ~9 s here (the PacGAN networks' rows run one by one)
    "reproduce": {"--budget": "0.00001", "--trials": "1", "--datasets": "ring",
                  "--threads": "1"},
    "bench": {"--steps": "5", "--repeats": "1", "--limit": "1"},
    "parallel-lines": {"--fit-steps": "5", "--theta-steps": "3", "--n": "16"},
}
PLACEHOLDERS = {"MODE": ("interpolate", "grid", "walk", "sweep", "arithmetic")}


def collect() -> list[tuple[str, str]]:
    """(where, command) for every command shown: `.venv/bin/` dropped, one per line."""
    found = []
    for doc in DOCS:
        in_bash = False
        for n, line in enumerate(doc.read_text().splitlines(), 1):
            where = f"{doc.relative_to(ROOT)}:{n}"
            if line.strip().startswith("```"):
                in_bash = line.strip() == "```bash" and not in_bash
                continue
            if in_bash and line.strip():
                found.append((where, line.strip()))
            elif not in_bash:
                found += [(where, span) for span in re.findall(r"`(python -m [^`]+)`", line)]
    return [(w, c.replace(".venv/bin/", "")) for w, c in found]


def expand(command: str) -> list[str]:
    for name, values in PLACEHOLDERS.items():
        if re.search(rf"\b{name}\b", command):
            return [re.sub(rf"\b{name}\b", v, command) for v in values]
    return [command]


def shrink(command: str, tmp: Path) -> list[str]:
    """argv that does what `command` shows, in seconds, writing only under `tmp`."""
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "playground"], command
    sub = argv[3] if len(argv) > 3 else ""
    sizes = dict(SIZES.get(sub, {}))
    if sub == "bench":
        sizes.pop("--limit" if "mnist" not in argv else "--steps")
    out = [sys.executable, "-m", "playground", *argv[3:]]
    for flag, value in sizes.items():
        if flag in out:
            out[out.index(flag) + 1] = value
        else:
            out += [flag, value]
    if "--out" in out:
        i = out.index("--out") + 1
        out[i] = str(tmp / out[i])
    return out


def unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each command once, with every place that shows it."""
    places: dict[str, list[str]] = {}
    for where, command in pairs:
        places.setdefault(command, []).append(where)
    return [(", ".join(w), c) for c, w in places.items()]


COMMANDS = unique([(w, c) for w, shown in collect() if shown not in SKIPPED
                   for c in expand(shown)])


def test_every_documented_command_is_run_or_skipped_with_a_reason():
    shown = {c for _, c in collect()}
    assert len(shown) >= 15, shown  # the collector still finds the docs' commands
    stale = set(SKIPPED) - shown
    assert not stale, f"SKIPPED lists commands the docs no longer show: {stale}"
    for _, command in COMMANDS:  # everything else must be something this test can run
        assert command.startswith("python -m playground"), command


def test_the_entry_point_starts_as_a_user_starts_it(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "playground", "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("usage: python -m playground"), proc.stdout[:500]
    for name in {shlex.split(c)[3] for _, c in COMMANDS if len(shlex.split(c)) > 3} - {"--help"}:
        assert re.search(rf"^ +{re.escape(name)}\b", proc.stdout, re.M), (name, proc.stdout)
    assert not proc.stderr, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def ran(request, tmp_path_factory):
    """command -> a future of (argv, status, stdout, stderr), every selected command submitted
    at once to two workers, each command in its own temporary folder (its default output
    folder, runs/latest, lands there, not in the repo)."""
    wanted = [item.callspec.params["command"] for item in request.session.items
              if item.originalname == "test_documented_command_runs"
              and item.module is request.module]
    futures = {}
    with pool() as workers:
        for command in wanted:
            tmp = tmp_path_factory.mktemp("command")
            argv = shrink(command, tmp)
            futures[command] = (argv, workers.submit(run_cli, argv[3:], str(tmp)))
        yield futures


@pytest.mark.slow
@pytest.mark.parametrize("where, command", COMMANDS,
                         ids=[c.removeprefix("python -m playground ") for _, c in COMMANDS])
def test_documented_command_runs(where, command, ran):
    argv, future = ran[command]
    code, stdout, stderr = future.result(timeout=900)
    assert code == 0, (f"{where}: `{command}` ran as {shlex.join(argv[1:])} and "
                       f"exited {code}\n{stdout[-2000:]}\n{stderr[-3000:]}")
    assert "Traceback" not in stderr, stderr[-3000:]
