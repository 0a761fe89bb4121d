"""Random sequences of live changes, steps, parks and checkpoints never crash a run, never leave
it with non-finite weights, and a parked or saved run goes on exactly as one that never was.

The state machine is `tests/serve/sequences_machine.py` (hypothesis); it runs in a subprocess, so a
segfault fails this test (with the sequence that caused it) instead of killing pytest.

Profiles (environment variable PLAYGROUND_SEQUENCES):
- `ci` (default): 12 sequences of up to 14 rules, about a minute on a 2-core CPU; each CI run
  draws new sequences (set PLAYGROUND_SEQUENCES_SEED=N to repeat one draw).
- `long`: 2,000 sequences of up to 30 rules, shrunk to a minimal one on failure; run it
  before a release:
  `PLAYGROUND_SEQUENCES=long .venv/bin/python -m pytest tests/serve/test_sequences.py -s`.
"""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MACHINE = Path(__file__).with_name("sequences_machine.py")


@pytest.mark.slow
def test_random_page_sequences(tmp_path):
    profile = os.environ.get("PLAYGROUND_SEQUENCES", "ci")
    log = tmp_path / "sequence.log"
    env = {**os.environ, "PLAYGROUND_SEQUENCES": profile, "PLAYGROUND_SEQUENCES_LOG": str(log),
           "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    argv = [sys.executable, "-X", "faulthandler", "-m", "pytest", str(MACHINE), "-q", "-x",
            "-p", "no:cacheprovider", "-o", "addopts=", "--hypothesis-show-statistics"]
    if os.environ.get("PLAYGROUND_SEQUENCES_SEED"):
        argv.append(f"--hypothesis-seed={os.environ['PLAYGROUND_SEQUENCES_SEED']}")
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=None if profile == "long" else 900)
    print(proc.stdout[-3000:])  # the statistics: sequences tried, time per sequence
    if proc.returncode == 0:
        return
    died = (f"the process died of {signal.Signals(-proc.returncode).name}"
            if proc.returncode < 0 else f"exit {proc.returncode}")
    last = log.read_text() if log.exists() else "(no log)"
    pytest.fail(f"{died}; the last sequence run, rule by rule:\n{last}\n"
                f"--- output ---\n{proc.stdout[-6000:]}\n{proc.stderr[-4000:]}")
