"""The app's processes limit their own torch threads, whatever the environment says: checked
in a fresh interpreter without conftest's OMP_NUM_THREADS=1 (which would hide the problem: the
theory page's work ran 5-40x slower in the real server than in the tests)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, torch
from playground.config import RunConfig
from playground.serve.clients import TheoryWorker, Trainer
from playground.ui import cached
before = torch.get_num_threads()
pool = cached.pool()  # what every page calls first: limits the server's own threads
server = torch.get_num_threads()
t = Trainer(RunConfig(width=16, depth=1, batch_size=32, n_fixed=64, grid_res=20), pool)
w = TheoryWorker(pool)
out = {"before": before, "server": server, "trainer": t.latest()[1].threads,
       "theory": w.latest()[1].threads}
t.close(); w.close(); pool.close()
print(json.dumps(out))
"""


def test_server_and_workers_use_one_thread_without_help_from_the_environment():
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "PLAYGROUND_TORCH_THREADS")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    threads = json.loads(out.stdout.strip().splitlines()[-1])
    assert threads["server"] == 1 and threads["trainer"] == 1 and threads["theory"] == 1
    if (os.cpu_count() or 1) > 1:
        assert threads["before"] > 1  # the probe really started without a limit
