"""Training behaviour on the ring with fixed seeds: what a lecture relies on (slow, run in CI).

Numbers were measured on this project's 2-core CPU with one torch thread; the seeds are fixed,
so a change in the engine's maths shows up here as a change of outcome, not as noise. The seeds
were chosen again when the engine's single random stream became three (data, z, aux): that
changed every trajectory. Across seeds 0-2 (3,000 steps): ns reached 8/8 with a best HQ of 78,
92 and 83 %; r1 held 8/8 at every check from step 1,500 but one (6/8 on seed 0), with a best
HQ of 65, 85 and 59 %;
wgan_gp had 7, 7 and 8 modes at step 1,500.
"""
import numpy as np
import pytest

from playground.presets import config_for
from playground.run import Run

pytestmark = pytest.mark.slow


def _trace(preset: str, steps: int, every: int = 250, **overrides):
    run = Run(config_for(preset, dataset="ring", **overrides))
    trace = []
    while run.step_count < steps:
        run.train(every)
        trace.append(run.evaluate())
    assert run.status == "ok", run.reason
    return run, trace


def test_ns_reaches_all_eight_modes_at_high_quality():
    # VEEGAN/PacGAN protocol: 8/8 modes with >= 80 % of samples within 3 std of a mode.
    _, trace = _trace("ns", 3000, seed=1)
    assert any(m["modes"] == 8 and m["hq_pct"] >= 80 for m in trace), trace


def test_r1_holds_every_mode_once_found():
    _, trace = _trace("r1", 3000, seed=1)
    modes = [m["modes"] for m in trace[5:]]  # the checks from step 1,500 on
    assert min(modes) >= 7 and modes.count(8) >= len(modes) - 1, modes
    assert any(m["modes"] == 8 and m["hq_pct"] >= 80 for m in trace), trace
    # near-uniform over the modes: measured 0.245 (ln 8 = 2.08 when collapsed)
    assert trace[-1]["rkl"] < 0.3


def test_collapse_crowds_one_mode():
    run, trace = _trace("collapse", 3000, every=1000)
    assert trace[-1]["modes"] <= 2
    fake = run.samples(2500, seed=0)
    nearest = np.linalg.norm(fake[:, None] - run.data.truth.centres[None], axis=2).argmin(1)
    assert np.bincount(nearest, minlength=8).max() / len(fake) > 0.9  # one mode takes > 90 %


def test_unrolling_cures_the_collapse_setting():
    # measured (seed 0): 5 modes at 375 and 750 steps, 6 at 1,125, 7 at 2,250; the same
    # setting without unrolling holds <= 1 through 3,000 steps
    _, trace = _trace("unrolled", 375, every=375)
    assert trace[-1]["modes"] >= 4


def test_wgan_gp_finds_every_mode():
    _, trace = _trace("wgan_gp", 1500, every=500, seed=2)
    assert trace[-1]["modes"] == 8
