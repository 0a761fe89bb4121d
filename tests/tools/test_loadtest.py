"""The shipped load test, small: three real Chromium sessions press Train on one server with a
short lease; every one of them must train, and no page may show an exception. Also the
process-tree memory reader it reports with."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools import loadtest

ROOT = Path(__file__).resolve().parents[2]


def test_the_tree_reader_counts_a_child_and_its_memory():
    child = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(80 << 20); "
                              "b[::4096] = b'x' * len(b[::4096]); time.sleep(60)"])
    try:
        import time
        time.sleep(1.0)
        alone = loadtest.memory_mb(child.pid)
        assert child.pid in loadtest.tree(os.getpid())
        assert alone[2] == 1 and 80 < alone[0] < 200  # its 80 MB buffer, and no more
        mine = loadtest.memory_mb(os.getpid())
        assert mine[2] >= 2 and mine[0] > alone[0]
    finally:
        child.kill()


@pytest.mark.browser
@pytest.mark.slow
def test_three_sessions_on_one_slot_are_all_served_without_exceptions(tmp_path, chromium):
    env = {**os.environ, "PLAYGROUND_MAX_JOBS": "1", "PLAYGROUND_LEASE_S": "4",
           "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "tools.loadtest", "--sessions", "3",
                          "--seconds", "30", "--log", str(tmp_path / "server.log")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout)
    log = (tmp_path / "server.log").read_text()
    assert result["exceptions"] == 0 and "Traceback" not in log, log[-3000:]
    assert result["served"] == 3, result["per_session"]
    # one slot, three sessions: each waited its turn at least once and trained again
    assert all("queued" in r["states"] for r in result["per_session"]), result["per_session"]
    assert result["memory_training"]["processes"] >= 2  # the server and at least one host
