"""N trials of one setup: batched where allowed, with the same numbers as training each alone;
one after another otherwise, saying why; progress adds up to trials x steps."""
import torch

from playground.config import RunConfig
from playground.engine.trials import run_trials, seeds_of

CPU = torch.device("cpu")
SMALL = RunConfig(width=16, depth=2, batch_size=32, n_fixed=16, grid_res=10)


def test_seeds_count_up_from_seed0():
    assert [c.seed for c in seeds_of(SMALL, 3, seed0=5)] == [5, 6, 7]


def test_mlp_trials_train_batched_and_score_as_each_alone():
    done = []
    together = run_trials(seeds_of(SMALL, 3), 20, done.append, device=CPU)
    assert together.how == "batched: 3 runs as one computation"
    assert sum(done) == 3 * 20 and together.device == "cpu"
    alone = [run_trials([cfg], 20, device=CPU) for cfg in seeds_of(SMALL, 3)]
    assert alone[0].how == "one after another (a single run)"
    # the stacked path reproduces each run's own steps (batched.py): the same scores
    assert [t.trials[0] for t in alone] == list(together.trials)
    assert [t.seed for t in together.trials] == [0, 1, 2]
    assert all(t.steps == 20 and t.status == "ok" for t in together.trials)


def test_unbatchable_trials_go_one_after_another_and_say_why():
    done = []
    cfgs = seeds_of(RunConfig(arch="pacgan", batch_size=20, n_fixed=16, grid_res=10), 2)
    out = run_trials(cfgs, 3, done.append, device=CPU)
    assert out.how == "one after another (batching covers the 2D MLPs only)"
    assert sum(done) == 2 * 3
    assert all(0 <= t.modes <= 8 and 0 <= t.hq_pct <= 100 for t in out.trials)
