"""Model shapes, activations and the spectral-norm switch."""
import pytest
import torch

from playground.models import (
    ACTIVATIONS,
    Discriminator,
    Generator,
    has_spectral_norm,
    linear_layers,
    set_spectral_norm,
)


@pytest.mark.parametrize("activation", ACTIVATIONS.ids())
def test_shapes(activation):
    G, D = Generator(5, 16, 3, activation), Discriminator(16, 3, activation)
    x = G(torch.randn(7, 5))
    assert x.shape == (7, 2) and D(x).shape == (7,)
    assert len(linear_layers(D)) == 4  # depth hidden layers + output


def test_spectral_norm_bounds_each_layer():
    torch.manual_seed(0)
    D = Discriminator(64, 2, "relu")
    for layer in linear_layers(D):
        layer.weight.data *= 10
    set_spectral_norm(D, True)
    assert has_spectral_norm(D)
    for _ in range(30):  # power iterations run in training-mode forwards
        D(torch.randn(4, 2))
    for layer in linear_layers(D):
        sigma = torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item()
        assert sigma == pytest.approx(1.0, abs=0.02)
    set_spectral_norm(D, False)
    assert not has_spectral_norm(D)
