"""Bytes a parked job ships between the server and a pool host: the pickled size of what the
host's "park" returns and of what the server sends back with "load restore" (issue 18).

Run from the repository root: `python -m tools.park_bytes`. It drives the jobs in this process
(no pool): a 2D run (the default ring config) trained until its picture timeline is full (past
its budget once, so thinned: 4-8 MB), one picture every 25 steps as a page at 5 pictures/s
sees at ~125 steps/s; and an MNIST DCGAN run (the dcgan preset) a few hundred steps, a picture
every 25 steps. Prints one line per case: the pickled park and restore, the checkpoint bytes
in them, and the bytes of pictures the timeline keeps (in the job before issue 18, shipped
with every park; in the session's handle in the server after: reel.py).

Measured on the 2-core dev box: before (the timeline parked with the job) 2D 6,683,904 B
park / 6,684,081 B restore (checkpoint 934,554 B, timeline 5,694,136 B); MNIST at step 300
4,163,651 / 4,163,828 B (checkpoint 3,389,792 B, timeline 767,712 B). After (the timeline in
the server): 2D 934,624 / 934,801 B; MNIST 3,389,862 / 3,390,039 B: the checkpoint and ~70 B.
"""
from __future__ import annotations

import argparse
import pickle

import torch

from playground.config import RunConfig
from playground.engine.timeline import Timeline
from playground.presets import config_for
from playground.serve import tasks
from playground.serve.worker import Pace


def measure(job, steps: int, every: int = 25) -> dict[str, int]:
    """Train `job` `steps` steps, observing it every `every` steps (metrics every 4th look),
    then pickle its park() and the restore command's arguments."""
    kept = getattr(job, "timeline", None)  # the job's own (before issue 18)
    server = Timeline() if kept is None else None  # else the handle's, fed the same views
    for i in range(steps // every):
        job.advance(3600.0, every)
        view = job.observe(with_metrics=i % 4 == 0)
        if server is not None:
            server.offer(view.step, view)
    parked = job.park()
    restore_msg = ("load", 1, "restore", parked, Pace(), "ticket", 0)  # what Host.call sends
    return {"step": job.progress, "park": len(pickle.dumps(parked)),
            "restore": len(pickle.dumps(restore_msg)),
            "checkpoint": len(parked.get("state", b"")),
            "timeline": (kept or server).size, "where": "job" if kept else "server"}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps-2d", type=int, default=4000)
    ap.add_argument("--steps-mnist", type=int, default=300)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    cases = {"2d ring (timeline full)": (RunConfig(), args.steps_2d),
             "mnist dcgan": (config_for("dcgan"), args.steps_mnist)}
    for name, (cfg, steps) in cases.items():
        m = measure(tasks.RunJob(cfg), steps)
        print(f"{name}: step {m['step']}, park {m['park']:,} B, restore {m['restore']:,} B, "
              f"checkpoint {m['checkpoint']:,} B, timeline {m['timeline']:,} B kept in the "
              f"{m['where']}")


if __name__ == "__main__":
    main()
