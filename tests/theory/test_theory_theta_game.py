"""Training theta on the parallel lines: WGAN moves it to 0, minimax stalls, NS overshoots."""
import math

import numpy as np
import pytest

from playground.theory import theta_game as tg


@pytest.fixture(scope="module")
def traces():
    return tg.play(steps=300, seed=0)


def test_wgan_theta_reaches_zero(traces):
    s = tg.summarise(traces["wgan_gp"])
    assert abs(s.final_theta) < 0.1
    assert s.first_below_01 is not None and 50 < s.first_below_01 < 200
    assert s.grad_first == pytest.approx(1.0, abs=0.15)  # the critic's slope: ~1


def test_minimax_moves_less_than_half_as_far(traces):
    wgan, minimax = tg.summarise(traces["wgan_gp"]), tg.summarise(traces["minimax"])
    assert wgan.moved > 0.9
    assert minimax.moved < 0.5 * wgan.moved
    assert minimax.moved < 0.01 and minimax.grad_max < 1e-4  # the gradient has vanished


def test_ns_keeps_a_gradient_and_overshoots(traces):
    s, tr = tg.summarise(traces["ns"]), traces["ns"]
    assert s.grad_first > 5.0  # ~ D's slope at the fakes: -log D(G(z)) has slope ~1 in s
    assert tr.theta.min() < -0.1  # it jumps past P0 before settling
    assert abs(s.final_theta) < 0.1


def test_trace_shapes_and_first_entry(traces):
    tr = traces["ns"]
    assert len(tr.step) == len(tr.theta) == len(tr.grad) == 301
    assert tr.theta[0] == 1.0 and math.isnan(tr.grad[0])


def test_same_seed_same_trace():
    settings = tg.GameSettings(pretrain=5)
    a, b = tg.ThetaGame("ns", settings, 1), tg.ThetaGame("ns", settings, 1)
    a.advance(5)
    b.advance(5)
    np.testing.assert_array_equal(a.trace().theta, b.trace().theta)


@pytest.mark.parametrize("kwargs, field", [({"theta0": 9.0}, "theta"),
                                           ({"lr_theta": 0.0}, "lr_theta"),
                                           ({"n_critic": 0}, "n_critic")])
def test_bad_settings(kwargs, field):
    with pytest.raises(ValueError, match=field):
        tg.GameSettings(**kwargs)


def test_bad_loss_and_steps():
    with pytest.raises(ValueError, match="unknown loss"):
        tg.ThetaGame("nope")
    game = tg.ThetaGame("ns", tg.GameSettings(pretrain=0))
    with pytest.raises(ValueError, match="steps"):
        game.advance(0)
