"""Random sequences of what a lab page can do to a live run, checked against a shadow run.

A hypothesis `RuleBasedStateMachine` drives two `RunJob`s (the pool host's job) through the
same random sequence of live changes (the loss-switch rule, every remedy on and off, n_critic,
unrolling, optimisers, rates, betas, batch size, view fields), training slices, single
D-only / G-only / both steps and pictures, on a tiny 2D run or a tiny image run (dcgan or
mlp_image). Only the *live* job is also parked and restored (`RunJob.park` / `tasks.restore`)
and saved and loaded (`checkpoint.save` / `RunJob.load`); the *shadow* never is. After
every rule:
- the weights are finite, or the run is diverged, rolled back (finite) and says why;
- live and shadow agree bit for bit: weights, optimiser moments (matched by parameter name),
  random streams, step, status, loss and metric histories, and every picture array.
A crash of the interpreter (segfault) kills only this process: `test_sequences.py` runs it in a
subprocess and prints the last sequence, which this file logs step by step to
$PLAYGROUND_SEQUENCES_LOG before running each rule.

Run by `tests/serve/test_sequences.py`; by hand:
`python -m pytest tests/serve/sequences_machine.py -q --hypothesis-seed=N` with
PLAYGROUND_SEQUENCES=ci (default) or long (see test_sequences.py).
"""
import dataclasses
import itertools
import math
import os
import tempfile
from pathlib import Path

os.environ.setdefault("PLAYGROUND_DEVICE", "cpu")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.stateful import (  # noqa: E402
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from playground.config import RunConfig  # noqa: E402
from playground.losses import LOSSES  # noqa: E402
from playground.presets import switch_loss  # noqa: E402
from playground.serve import tasks  # noqa: E402
from playground.store import checkpoint  # noqa: E402

torch.set_num_threads(1)

# Profiles: (sequences, rules per sequence, shrink a failure). ci keeps test_sequences.py near
# 60 s on 2 cores and reports a failing sequence as found (shrinking one took > 5 min here);
# long is the run before a release (see test_sequences.py for measured times).
PROFILES = {"ci": (12, 14, False), "long": (2000, 30, True)}
_profile = os.environ.get("PLAYGROUND_SEQUENCES", "ci")
for _name, (_examples, _steps, _shrink) in PROFILES.items():
    settings.register_profile(
        _name, max_examples=_examples, stateful_step_count=_steps, deadline=None,
        database=None, print_blob=True,
        phases=[p for p in Phase if _shrink or p not in (Phase.shrink, Phase.explain)],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(_profile)
EXAMPLES = itertools.count(1)  # sequences started in this process, for the log
LOG = Path(os.environ.get("PLAYGROUND_SEQUENCES_LOG", tempfile.gettempdir() + "/sequences.log"))

# Tiny runs: each rule costs milliseconds, so a sequence of 30 rules takes about a second.
STARTS = {
    "2d": RunConfig(width=16, depth=2, batch_size=16, n_fixed=16, grid_res=10),
    "dcgan": RunConfig(dataset="mnist", arch="dcgan", width=8, batch_size=4, n_fixed=16),
    "mlp_image": RunConfig(dataset="mnist", arch="mlp_image", width=16, depth=1, batch_size=4,
                           n_fixed=16),
}
# Every live change a lab's controls offer. A remedy's toggle switches its field between off
# (0 / False) and the strength here; the loss goes through the loss-switch rule (its own rule).
TOGGLES = {"noise_std": 0.1, "noise_anneal": 50, "gp_lambda": 10.0,
           "r1_gamma": 1.0, "clip_c": 0.01, "unroll_steps": 2, "n_critic": 3}
SETTINGS = [
    *[("noise_std", v) for v in (0.01, 1.0)], *[("gp_lambda", v) for v in (0.1, 100.0)],
    *[("r1_gamma", v) for v in (0.01, 10.0)], *[("clip_c", v) for v in (0.001, 1.0)],
    *[("unroll_steps", v) for v in (1, 5)], *[("n_critic", v) for v in (2, 5)],
    *[(f"opt_{n}", v) for n in "dg" for v in ("adam", "rmsprop", "sgd")],
    *[(f"lr_{n}", v) for n in "dg" for v in (1e-4, 1e-3, 1e-2, 1.0)],  # 1.0 can diverge
    *[(f"beta{i}_{n}", v) for n in "dg" for i, v in ((1, 0.0), (1, 0.5), (2, 0.9), (2, 0.999))],
    *[("batch_size", v) for v in (2, 4, 16)],
]
VIEWS = [("n_fixed", 16), ("n_fixed", 32), ("grid_res", 10), ("grid_res", 12)]


def log(text: str) -> None:
    with LOG.open("a") as f:
        f.write(text + "\n")


def outcome(fn, *args):
    """What a call did: ("ok", result) or ("error", type, message), never a raised error."""
    try:
        return ("ok", fn(*args))
    except (ValueError, checkpoint.CheckpointError) as e:  # a page shows these as messages
        return ("error", type(e).__name__, str(e))


def same(a, b, where: str) -> None:
    """Bit-identical: tensors and arrays equal (NaN equal to NaN), containers recursively;
    raises AssertionError naming the first difference (not pytest's long rewrite)."""
    def differ(why: str):
        raise AssertionError(f"{where}: {why}")

    if isinstance(a, (torch.Tensor, np.ndarray)):
        a_, b_ = (torch.as_tensor(x) if x is not None else None for x in (a, b))
        if b_ is None or a_.shape != b_.shape or a_.dtype != b_.dtype:
            differ(f"{type(a).__name__} {tuple(a_.shape)} vs {b!r:.80}")
        if not (torch.equal(a_, b_) or (a_.is_floating_point() and torch.equal(
                torch.nan_to_num(a_, nan=7e7), torch.nan_to_num(b_, nan=7e7))
                and torch.equal(a_.isnan(), b_.isnan()))):
            bad = (a_ != b_).flatten().nonzero()
            differ(f"differs at {bad.numel()} of {a_.numel()} entries")
    elif isinstance(a, dict):
        if not isinstance(b, dict) or a.keys() != b.keys():
            differ(f"keys {sorted(a)} vs {sorted(b) if isinstance(b, dict) else b!r:.80}")
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        if not isinstance(b, (list, tuple)) or len(a) != len(b):
            differ(f"{a!r:.80} vs {b!r:.80}")
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        if not (isinstance(b, float) and math.isnan(b)):
            differ(f"nan vs {b!r}")
    elif a != b:
        differ(f"{a!r:.200} vs {b!r:.200}")


def opt_state_by_name(module: torch.nn.Module, opt: torch.optim.Optimizer) -> dict:
    """The optimiser's per-parameter state keyed by parameter name (order-free)."""
    return {name: dict(opt.state.get(p, {})) for name, p in module.named_parameters()}


def run_state(run) -> dict:
    run.flush()
    return {"step": run.step_count, "status": run.status, "reason": run.reason,
            "cfg": run.cfg, "G": run.G.state_dict(), "D": run.D.state_dict(),
            "opt_d": opt_state_by_name(run.D, run.opt_d),
            "opt_g": opt_state_by_name(run.G, run.opt_g),
            "gens": {k: g.get_state() for k, g in run.gens.items()},
            "history": run.history, "metric_history": run.metric_history}


def picture(snap) -> dict:
    """A picture's fields (the trail of recent positions restarts after a restore: skipped)."""
    return {f.name: getattr(snap, f.name) for f in dataclasses.fields(snap) if f.name != "trail"}


class PageSequences(RuleBasedStateMachine):
    @initialize(start=st.sampled_from(sorted(STARTS)), seed=st.integers(0, 3),
                sn=st.booleans())
    def build(self, start, seed, sn):
        cfg = STARTS[start].replace(seed=seed, spectral_norm=sn)
        LOG.write_text(f"sequence {next(EXAMPLES)}: start {start} seed={seed} "
                       f"spectral_norm={sn}\n")
        self.kind = start
        self.live = tasks.RunJob(cfg)
        self.shadow = tasks.RunJob(cfg)

    def both(self, what: str, fn) -> None:
        """Do `fn(job)` to live and shadow; both must end the same way (result or message)."""
        log(what)
        a, b = outcome(fn, self.live), outcome(fn, self.shadow)
        same(a, b, what)

    def change(self, field, value) -> None:
        self.both(f"set {field}={value}", lambda j: j.update(j.run.cfg.replace(
            **{field: value})))

    @rule(field=st.sampled_from(sorted(TOGGLES)))
    def toggle_remedy(self, field):
        on, off = TOGGLES[field], type(TOGGLES[field])(0)
        if field == "n_critic":
            off = 1
        self.change(field, off if getattr(self.live.run.cfg, field) != off else on)

    @rule()
    def toggle_spectral_norm(self):  # a lecture's core demo, so a rule of its own
        self.change("spectral_norm", not self.live.run.cfg.spectral_norm)

    @rule(change=st.sampled_from(SETTINGS))
    def set_value(self, change):
        self.change(*change)

    @rule(change=st.sampled_from(VIEWS))
    def set_view(self, change):
        self.change(*change)

    @rule(loss=st.sampled_from(LOSSES.ids()))
    def switch_the_loss(self, loss):
        self.both(f"loss {loss}", lambda j: j.update(switch_loss(j.run.cfg, loss)))

    @rule(steps=st.integers(1, 40), rotate=st.booleans())
    def train(self, steps, rotate):
        self.both(f"train {steps}", lambda j: j.advance(60.0, steps))
        if rotate:  # a pool host parks a run between slices when other sessions wait
            self.park_and_restore()

    @rule(kind=st.sampled_from(tasks.STEP_KINDS))
    def step(self, kind):
        self.both(f"step {kind}", lambda j: j.step(kind))

    @rule()
    def look(self):
        # the page's picture; image metrics take seconds (classifier), so images draw without
        metrics = self.kind == "2d"
        log(f"observe metrics={metrics}")
        same(picture(self.live.observe(metrics)), picture(self.shadow.observe(metrics)),
             "picture")

    @rule()
    def park_and_restore(self):
        log("park / restore")
        self.live = tasks.restore(self.live.park())

    @precondition(lambda self: self.live.run.status == "ok")  # a file does not keep "diverged"
    @rule()
    def save_and_load(self):
        log("checkpoint save / load")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "run.pt"
            checkpoint.save(self.live.run, path)
            self.live.load(str(path))

    @invariant()
    def finite_or_rolled_back(self):
        run = self.live.run
        if run.status == "diverged":
            assert "rolled back" in run.reason, run.reason
        else:
            assert run.status == "ok", (run.status, run.reason)
        for net in (run.G, run.D):
            for name, p in net.named_parameters():
                assert torch.isfinite(p).all(), f"{name} not finite ({run.status})"

    @invariant()
    def live_equals_shadow(self):
        same(run_state(self.live.run), run_state(self.shadow.run), "run")


TestPageSequences = PageSequences.TestCase
