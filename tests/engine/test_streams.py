"""The random streams: every stream of every seed has its own seed, and a run's generators
are the ones derived in playground.engine.streams."""
import pytest
import torch

from playground.config import RunConfig
from playground.engine.run import Run
from playground.engine.streams import STREAMS, TRAINING, generator, seed_of


def test_no_two_streams_of_seeds_0_to_99_share_a_seed():
    # Offsets from the seed collided across runs: seed 30's probe stream (30 + 1,000,003) was
    # seed 0's z stream (0 + 1,000,033).
    seeds = [seed_of(s, name) for s in range(100) for name in STREAMS]
    assert len(set(seeds)) == len(seeds) == 100 * len(STREAMS)


def test_seeds_are_fixed_numbers_of_seed_and_name():
    assert seed_of(7, "z") == seed_of(7, "z") != seed_of(7, "data")
    a, b = generator(3, "eval"), generator(3, "eval")
    assert torch.equal(torch.randn(5, generator=a), torch.randn(5, generator=b))
    with pytest.raises(ValueError, match="unknown stream 'nope'; valid: data, z, aux"):
        seed_of(0, "nope")


def test_a_run_draws_from_the_derived_streams():
    run = Run(RunConfig(width=16, depth=1, n_fixed=16, grid_res=10, seed=30))
    assert set(run.gens) == set(TRAINING)
    for name, gen in run.gens.items():
        assert gen.initial_seed() == seed_of(30, name), name
    # the observer's probes come from the probe and eval streams
    g = generator(30, "probe")
    assert torch.equal(run.observer.z_fixed, torch.randn(16, run.cfg.latent_dim, generator=g))
    g = generator(30, "eval")
    assert torch.equal(run.observer.z_eval[:4],
                       torch.randn(len(run.observer.z_eval), run.cfg.latent_dim,
                                   generator=g)[:4])
