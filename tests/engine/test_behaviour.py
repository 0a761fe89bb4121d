"""Training behaviour on the ring: what a lecture relies on, asserted over several seeds with
margins (slow, run in CI).

A GAN's trajectory is chaotic: another CPU's kernels round differently and a change in how the
random streams are seeded moves every run, so no test here asserts what one seed did. Each
asserts what most seeds do, with a bar set below what every seed measured did. Measured on
this project's 2-core x86 CPU, one torch thread, ring, checks every 250 steps to 3,000:
- ns, seeds 0-4: all five reached 8/8 modes; their best % HQ at a check with 8/8 was 77.8,
  91.8, 83.2, 94.9 and 76.6. Another 2-core x86 machine's seed 1 never had 8/8 with >= 80 %.
- r1 (with its average of G, ema_g 0.999 warmed up), seeds 0-4: 8/8 at steps 1,500 and 2,500;
  % HQ at 2,500 85.6, 89.7, 87.3, 90.1 and 83.5; reverse KL of the mode histogram <= 0.005
  (ln 8 = 2.08 is one mode). Before the average, the raw G's best % HQ by 2,500 was 47.7, 84.9
  and 59.2 on seeds 0-2 (another machine's seed 1 peaked at 47.8 by 3,000), reverse KL ~0.3.
Seeds run two at a time in their own processes (tests/engine/seed_runs.py), so two seeds cost about
the wall time of one; every test's runs are queued at once on one pair of workers (`runs`), so
neither core idles while the other finishes a long seed.
- wgan_gp, seeds 0-2: 7, 7 and 8 modes at step 1,500.
The remaining tests' numbers are in their comments.
"""
import numpy as np
import pytest
import seed_runs
from seed_runs import collect, summary

pytestmark = pytest.mark.slow


# VEEGAN/PacGAN protocol: 8/8 modes with >= 70 % of samples within 3 std of a mode (measured
# best per seed 76.6-94.9 %: the bar sits 6.6 points under the worst of five seeds)
ALL_MODES_AT_HIGH_QUALITY = (8, 70.0)
# The runs each test asserts on: test -> (preset, seeds, steps, options of seed_runs.trace),
# queued in this order (the longest first, so the two workers finish close together).
PLAN = {
    "test_r1_holds_every_mode_once_found": ("r1", [0, 1], 2500, {}),
    "test_ns_reaches_all_eight_modes_at_high_quality":
        ("ns", [0, 1], 3000, {"bar": ALL_MODES_AT_HIGH_QUALITY}),
    "test_collapse_crowds_one_mode": ("collapse", [0, 1], 3000, {"every": 1000, "crowd": True}),
    "test_wgan_gp_finds_most_modes": ("wgan_gp", [0, 1], 1500, {"every": 500}),
    "test_unrolling_cures_the_collapse_setting": ("unrolled", [0, 1], 375, {"every": 375}),
}


@pytest.fixture(scope="module")
def runs(request):
    """test -> a function giving its PLAN's traces, every selected test's runs queued at once
    (plus `more`, for a test that needs another seed)."""
    selected = {item.originalname for item in request.session.items
                if item.module is request.module}
    with seed_runs.pool() as workers:
        queued = {}
        for name, (preset, seeds, steps, options) in PLAN.items():
            if name in selected:
                queued[name] = (preset, seed_runs.submit(workers, preset, seeds, steps,
                                                         **options))

        def traces(name: str, more: list[int] | None = None) -> dict[int, list[dict]]:
            preset, futures = queued[name]
            if more:
                _, _, steps, options = PLAN[name]
                futures = seed_runs.submit(workers, preset, more, steps, **options)
            return collect(preset, futures)

        yield traces


def test_ns_reaches_all_eight_modes_at_high_quality(runs):
    # 2 of 3 seeds reach the bar within 3,000 steps; each run stops once it does, seeds 0 and
    # 1 run side by side, and seed 2 runs only if one of them missed
    def reached(evals):
        return evals[-1]["modes"] == 8 and evals[-1]["hq_pct"] >= 70.0

    name = "test_ns_reaches_all_eight_modes_at_high_quality"
    seen = runs(name)
    if sum(map(reached, seen.values())) < 2:
        seen |= runs(name, more=[2])
    assert sum(map(reached, seen.values())) >= 2, {s: summary(t) for s, t in seen.items()}


def test_r1_holds_every_mode_once_found(runs):
    # both seeds, from step 1,500 on (5 checks to 2,500): never fewer than 6 modes and 8/8 at
    # >= 4 of the 5 checks (measured 8/8 at 1,500 and 2,500 on seeds 0-4), a best % HQ >= 70
    # (measured 83.5-90.1 at step 2,500 on seeds 0-4; the raw G without r1's average of G
    # read 47.7-84.9) and a mean reverse KL < 0.1 over those checks (measured <= 0.005)
    for seed, trace in runs("test_r1_holds_every_mode_once_found").items():
        later = trace[5:]  # the checks from step 1,500 on
        modes = [m["modes"] for m in later]
        assert len(later) == 5, summary(trace)
        assert min(modes) >= 6 and modes.count(8) >= 4, (seed, summary(trace))
        assert max(m["hq_pct"] for m in trace) >= 70, (seed, summary(trace))
        assert np.mean([m["rkl"] for m in later]) < 0.1, (seed, [m["rkl"] for m in later])


def test_collapse_crowds_one_mode(runs):
    # Measured on this 2-core x86 box (2,500 fakes, checks at 1,000/2,000/3,000 steps): modes
    # captured at most 1 at every check on seeds 0-2; the largest mode's share of the fakes
    # 1.0/0.999/1.0 (seed 0), 0.987/1.0/0.61 (seed 1: caught hopping to the next mode) and
    # 1.0/1.0/0.993 (seed 2). One snapshot of one seed is not portable (a hop can fall on
    # it), so: <= 2 modes at every check and one mode > 90 % at >= 4 of 6 checks on seeds 0-1.
    crowded = []
    for seed, trace in runs("test_collapse_crowds_one_mode").items():
        assert [m["step"] for m in trace] == [1000, 2000, 3000], (seed, summary(trace))
        for m in trace:
            assert m["modes"] <= 2, (seed, m["step"])
            crowded.append(m["crowd"] > 0.9)
    assert sum(crowded) >= 4, crowded


def test_unrolling_cures_the_collapse_setting(runs):
    # both seeds >= 4 modes at step 375 (measured 5 on seeds 0 and 1; seed 0 went on to 6 at
    # 1,125 and 7 at 2,250); the same setting without unrolling holds <= 1 through 3,000 steps
    for seed, trace in runs("test_unrolling_cures_the_collapse_setting").items():
        assert trace[-1]["modes"] >= 4, (seed, summary(trace))


def test_wgan_gp_finds_most_modes(runs):
    # both seeds >= 6 modes at step 1,500 (measured 7, 7 and 8 on seeds 0-2); the seeds run
    # side by side
    for seed, trace in runs("test_wgan_gp_finds_most_modes").items():
        assert trace[-1]["modes"] >= 6, (seed, summary(trace))
