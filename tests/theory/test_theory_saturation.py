"""WGAN Figure 2: D's slope vanishes where the fakes are; the critic keeps a slope ~1."""
import numpy as np
import pytest

from playground.theory import fit
from playground.theory import saturation as sa


@pytest.fixture(scope="module")
def result():
    return sa.fit_both(sa.Setup(fit=fit.FitSettings(steps=800)), seed=0)


def test_discriminator_saturates_at_the_fakes(result):
    assert result.d_grad_at_fakes < 1e-6
    assert result.d_grad_max > 0.1  # its slope lives between the two laws
    fake_zone = np.abs(result.x - 5.0) < 2.0
    assert result.d_prob[fake_zone].max() < 1e-4


def test_critic_stays_linear(result):
    # Soft penalty between laws 10 apart: slope ~ 1 + W / (2 lambda) = 1.5 (fit.critic_slope).
    assert result.critic_grad_at_fakes == pytest.approx(1.5, abs=0.3)
    between = (result.x > -5) & (result.x < 5)
    slopes = np.abs(result.critic_grad[between])
    assert slopes.min() > 0.7 * slopes.max()
    assert result.critic[0] > result.critic[-1]  # higher on the real (left) side


def test_densities_integrate_to_one(result):
    dx = result.x[1] - result.x[0]
    assert result.p_real.sum() * dx == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("kwargs, field", [({"sd_real": 0.0}, "sd_real"),
                                           ({"mu_fake": 99.0}, "mu_fake"),
                                           ({"x_min": 3.0, "x_max": 1.0}, "x_min"),
                                           ({"critic": "ns"}, "critic")])
def test_bad_setup(kwargs, field):
    with pytest.raises(ValueError, match=field):
        sa.Setup(**kwargs)
