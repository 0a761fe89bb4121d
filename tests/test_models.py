"""Architectures: shapes per data kind, the registry's rules, DCGAN's init, spectral norm on
linear and convolution layers, and the batch-norm / per-sample-penalty rule."""
import pytest
import torch
from torch import nn

from playground.config import RunConfig
from playground.models import (
    ACTIVATIONS,
    MODELS,
    Discriminator,
    Generator,
    build,
    check_per_sample,
    has_spectral_norm,
    normalised_layers,
    set_spectral_norm,
)

IMAGE = (1, 28, 28)


@pytest.mark.parametrize("activation", ACTIVATIONS.ids())
def test_mlp_shapes(activation):
    G, D = Generator(5, 16, 3, activation), Discriminator(16, 3, activation)
    x = G(torch.randn(7, 5))
    assert x.shape == (7, 2) and D(x).shape == (7,)
    assert len(normalised_layers(D)) == 4  # depth hidden layers + output


@pytest.mark.parametrize("arch", ["mlp_image", "dcgan", "dcgan_fc"])
def test_image_architectures_map_z_to_digits_and_digits_to_scores(arch):
    cfg = RunConfig(dataset="mnist", arch=arch, latent_dim=16, width=16, depth=3)
    G, D = build(cfg, IMAGE)
    x = G(torch.randn(5, 16))
    assert x.shape == (5, 1, 28, 28) and x.min() >= -1 and x.max() <= 1  # tanh output
    assert D(x).shape == (5,)


def test_the_seeds_mlp_gan_has_their_widths():
    G, D = build(RunConfig(dataset="mnist", arch="mlp_image", latent_dim=100, width=256,
                           depth=3), IMAGE)
    assert [m.out_features for m in G.modules() if isinstance(m, nn.Linear)] == [
        256, 512, 1024, 784]  # 100 -> 256 -> 512 -> 1024 -> 784 (seed 003)
    assert [m.out_features for m in D.modules() if isinstance(m, nn.Linear)] == [
        1024, 512, 256, 1]


def test_dcgan_layout_and_radford_init():
    torch.manual_seed(0)
    G, D = build(RunConfig(dataset="mnist", arch="dcgan", latent_dim=64, width=32), IMAGE)
    assert any(isinstance(m, nn.BatchNorm2d) for m in G.modules())  # batch norm in G...
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in D.modules())  # not D
    assert any(isinstance(m, nn.ConvTranspose2d) for m in G.modules())
    assert sum(isinstance(m, nn.LeakyReLU) and m.negative_slope == 0.2 for m in D.modules()) == 2
    w = torch.cat([m.weight.flatten() for m in normalised_layers(D)])
    assert w.std().item() == pytest.approx(0.02, rel=0.1) and abs(w.mean().item()) < 2e-3


def test_dcgan_fc_is_infogans_mnist_layout_without_batch_norm_in_d():
    """Chen et al. 2016, Table 1 at width 64 (their dense layers 1,024 units, ours 256):
    G z -> 256 -> 7 x 7 x 128 -> 64 -> 1, D the mirror with a dense layer before the score;
    batch norm in G only."""
    G, D = build(RunConfig(dataset="mnist", arch="dcgan_fc", latent_dim=64, width=64), IMAGE)
    assert [m.out_features for m in G.modules() if isinstance(m, nn.Linear)] == [256, 6272]
    assert [m.out_channels for m in G.modules() if isinstance(m, nn.ConvTranspose2d)] == [64, 1]
    assert [m.out_features for m in D.modules() if isinstance(m, nn.Linear)] == [256, 1]
    assert [m.out_channels for m in D.modules() if isinstance(m, nn.Conv2d)] == [64, 128]
    assert sum(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in G.modules()) == 3
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in D.modules())
    check_per_sample(D, RunConfig(dataset="mnist", arch="dcgan_fc", r1_gamma=1.0))  # allowed
    x = torch.randn(6, 1, 28, 28)
    torch.testing.assert_close(D(x)[:3], D(x[:3]))  # each score its own sample's


@pytest.mark.parametrize("arch", ["dcgan", "dcgan_fc"])
def test_minibatch_std_feeds_the_score(arch):
    """The std feature sits before the score layer: changing the other samples of a batch
    changes a sample's score only through it."""
    torch.manual_seed(0)
    _, D = build(RunConfig(dataset="mnist", arch=arch, latent_dim=8, width=8, mbstd=True),
                 IMAGE)
    x = torch.randn(4, 1, 28, 28)
    spread = torch.cat([x[:1], 3 * torch.randn(3, 1, 28, 28)])
    assert D(x).shape == (4,)
    assert (D(x)[0] - D(spread)[0]).abs().item() > 1e-6


def test_architectures_name_their_data():
    assert MODELS.get("mlp").kinds == {"points2d"}
    with pytest.raises(ValueError, match="does not train image data"):
        RunConfig(dataset="mnist", arch="mlp").replace()
    with pytest.raises(ValueError, match="width=512 is out of range"):
        RunConfig(dataset="mnist", arch="dcgan", width=512).replace()
    assert RunConfig(dataset="mnist").replace(width=64).width == 64  # arch None -> dcgan


def test_spectral_norm_bounds_each_linear_layer():
    torch.manual_seed(0)
    D = Discriminator(64, 2, "relu")
    for layer in normalised_layers(D):
        layer.weight.data *= 10
    set_spectral_norm(D, True)
    assert has_spectral_norm(D)
    for _ in range(30):  # power iterations run in training-mode forwards
        D(torch.randn(4, 2))
    for layer in normalised_layers(D):
        sigma = torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item()
        assert sigma == pytest.approx(1.0, abs=0.02)
    set_spectral_norm(D, False)
    assert not has_spectral_norm(D)


def test_spectral_norm_covers_convolutions():
    torch.manual_seed(0)
    _, D = build(RunConfig(dataset="mnist", arch="dcgan", latent_dim=8, width=16), IMAGE)
    convs = [m for m in D.modules() if isinstance(m, nn.Conv2d)]
    for m in normalised_layers(D):
        m.weight.data *= 50
    set_spectral_norm(D, True)
    for _ in range(40):
        D(torch.randn(4, *IMAGE))
    for conv in convs:  # sigma of the reshaped (out, in*k*k) weight, as Miyato et al.
        w = conv.weight.detach().flatten(1)
        assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, abs=0.03)
    assert len(convs) == 2 and has_spectral_norm(D)


def _d(arch):
    torch.manual_seed(0)
    if arch == "mlp":
        return Discriminator(16, 2, "relu")
    return build(RunConfig(dataset="mnist", arch="dcgan", latent_dim=8, width=8), IMAGE)[1]


@pytest.mark.parametrize("arch", ["mlp", "dcgan"])
def test_spectral_norm_off_gives_back_the_built_parameter_order(arch):
    """Removing the parametrization re-registers each weight after its bias; a D rebuilt
    from a checkpoint lists (weight, bias), so the switch must leave that order too."""
    D = _d(arch)
    names = [n for n, _ in D.named_parameters()]
    keys = list(D.state_dict())
    set_spectral_norm(D, True)
    set_spectral_norm(D, False)
    assert [n for n, _ in D.named_parameters()] == names
    assert list(D.state_dict()) == keys
    assert names[:2] == ["net.0.weight", "net.0.bias"]


@pytest.mark.parametrize("arch", ["mlp", "dcgan"])
def test_a_seeded_spectral_norm_switch_ignores_the_global_rng(arch):
    """u and v of the power iteration come from the seed given, whatever the process drew
    before, and the global random state is left as it was."""
    buffers = []
    for before in (1, 2):
        D = _d(arch)
        torch.manual_seed(before)
        state = torch.get_rng_state()
        set_spectral_norm(D, True, seed=7)
        assert torch.equal(torch.get_rng_state(), state)
        buffers.append([b.clone() for b in D.buffers()])
    assert len(buffers[0]) >= 4
    assert all(torch.equal(a, b) for a, b in zip(*buffers, strict=True))
    D = _d(arch)
    set_spectral_norm(D, True, seed=8)
    assert not all(torch.equal(a, b) for a, b in zip(buffers[0], D.buffers(), strict=True))


def test_batch_norm_in_d_refuses_gradient_penalty_and_r1():
    bn_d = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.Linear(8, 1))
    check_per_sample(bn_d, RunConfig())  # no penalty: fine
    with pytest.raises(ValueError, match="gp_lambda.*without batch norm"):
        check_per_sample(bn_d, RunConfig(loss="wgan_gp", gp_lambda=10.0))
    with pytest.raises(ValueError, match="r1_gamma"):
        check_per_sample(bn_d, RunConfig(r1_gamma=1.0))
    _, D = build(RunConfig(dataset="mnist", arch="dcgan", latent_dim=8, width=16), IMAGE)
    check_per_sample(D, RunConfig(dataset="mnist", gp_lambda=10.0, r1_gamma=1.0))  # DCGAN's D
