"""Penalties on points and images, weight clipping, and the instance-noise schedule."""
import pytest
import torch
from torch import nn

from playground.remedies import (
    add_instance_noise,
    clip_weights,
    gradient_penalty,
    instance_noise_sigma,
    r1_penalty,
)


class Linear(nn.Module):
    """D(x) = w . flatten(x): its input gradient is w everywhere, so ||grad|| = ||w||."""

    def __init__(self, shape, norm: float):
        super().__init__()
        w = torch.ones(shape).flatten()
        self.w = nn.Parameter(norm * w / w.norm())

    def forward(self, x):
        return x.flatten(1) @ self.w


SHAPES = [(2,), (1, 28, 28)]


@pytest.mark.parametrize("shape", SHAPES, ids=["points", "images"])
@pytest.mark.parametrize("norm,expected", [(1.0, 0.0), (2.0, 1.0), (0.5, 0.25)])
def test_gradient_penalty_closed_form(shape, norm, expected):
    D = Linear(shape, norm)
    gen = torch.Generator().manual_seed(0)
    real, fake = torch.randn(16, *shape), torch.randn(16, *shape)
    gp = gradient_penalty(D, real, fake, gen)
    assert gp.item() == pytest.approx(expected, abs=1e-5)  # (||w|| - 1)^2


@pytest.mark.parametrize("shape", SHAPES, ids=["points", "images"])
def test_r1_penalty_closed_form(shape):
    D = Linear(shape, 2.0)
    assert r1_penalty(D, torch.randn(8, *shape)).item() == pytest.approx(2.0, rel=1e-5)  # ||w||^2/2


def test_penalties_backpropagate_into_the_critic():
    D = Linear((2,), 2.0)
    gp = gradient_penalty(D, torch.randn(8, 2), torch.randn(8, 2), torch.Generator().manual_seed(1))
    gp.backward()
    assert D.w.grad is not None and D.w.grad.norm() > 0


def test_clip_bounds_every_parameter():
    torch.manual_seed(0)
    D = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 1))
    clip_weights(D, 0.01)
    values = torch.cat([p.detach().flatten() for p in D.parameters()])
    assert values.abs().max().item() == pytest.approx(0.01)  # reached: init exceeds c
    assert (values.abs() <= 0.01).all()
    assert (values.abs() < 0.01).any()  # small weights are left alone


def test_instance_noise_schedule():
    assert instance_noise_sigma(0, 0.4, 1000) == pytest.approx(0.4)
    assert instance_noise_sigma(500, 0.4, 1000) == pytest.approx(0.2)
    assert instance_noise_sigma(1000, 0.4, 1000) == 0.0
    assert instance_noise_sigma(5000, 0.4, 1000) == 0.0
    assert instance_noise_sigma(5000, 0.4, 0) == pytest.approx(0.4)  # no annealing
    assert instance_noise_sigma(10, 0.0, 100) == 0.0


def test_instance_noise_has_the_requested_std():
    x = torch.zeros(200_000, 2)
    noisy = add_instance_noise(x, 0.3, torch.Generator().manual_seed(0))
    assert noisy.std().item() == pytest.approx(0.3, rel=0.01)
    assert add_instance_noise(x, 0.0, torch.Generator()) is x
