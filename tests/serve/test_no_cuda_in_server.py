"""The server and the fork server never touch CUDA (issue 19, item 6): a process that holds a
CUDA context cannot fork a healthy child, and one context per process on one card wastes
hundreds of MB each. A server started here with CUDA made to raise in it and in its fork server
(tests/serve/cuda_guard/sitecustomize.py) runs a job on a pool host; the log says which CUDA entry
points each process called."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = """
import functools, json, os, time
from playground.config import RunConfig
from playground.serve.pool import Pool
from playground.serve.tasks import RunJob
from playground.serve.worker import Pace
pool = Pool(1, lease_s=60)
host = pool.acquire("guard", 60)
cfg = RunConfig(width=16, depth=1, batch_size=32, n_fixed=64, grid_res=20)
host.call("load", "build", functools.partial(RunJob, cfg), Pace(slice_s=0.02, snapshot_hz=20))
host.call("start")
deadline = time.time() + 90
while time.time() < deadline and host.link.info.get("progress", 0) < 20:
    host.send("want")  # a view (and the job's progress with it), as a page asks
    time.sleep(0.1)
stat = open(f"/proc/{host.pid}/stat").read()
print(json.dumps({"server": os.getpid(), "host": host.pid,
                  "forkserver": int(stat.rsplit(")", 1)[1].split()[1]),
                  "progress": host.link.info.get("progress", 0)}))
pool.close()
"""


@pytest.mark.slow  # a server, its fork server and a pool host: ~45 s on a busy 2-core box
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads parents from /proc")
def test_a_job_trains_with_cuda_raising_in_the_server_and_the_fork_server(tmp_path):
    log = tmp_path / "cuda.log"
    env = {k: v for k, v in os.environ.items() if k != "PLAYGROUND_DEVICE"}  # pick as served
    env.update(PYTHONPATH=f"{Path(__file__).with_name('cuda_guard')}{os.pathsep}{ROOT}",
               PLAYGROUND_CUDA_GUARD_LOG=str(log), OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", SERVER], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    pids = json.loads(done.stdout.strip().splitlines()[-1])
    assert pids["progress"] >= 20  # the job trained on the host
    calls: dict[int, list[str]] = {}
    for line in log.read_text().splitlines():
        pid, what = line.split()
        calls.setdefault(int(pid), []).append(what)
    # the guard was in force in both processes (else the test proves nothing)
    assert calls.get(pids["server"], [])[:1] == ["guarded"]
    assert calls.get(pids["forkserver"], [])[:1] == ["guarded"]
    assert "lazy_init" not in calls[pids["server"]]
    # the fork server not even asks: cudaGetDeviceCount alone makes its forks' CUDA fail
    assert calls[pids["forkserver"]] == ["guarded"]
