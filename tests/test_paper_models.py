"""The papers' 2D networks as architectures: their sizes and init, a per-sample D that packs,
a batch-normed G that trains, and the CLI and the 2D lab accepting them."""
import json

import pytest
import torch
from torch import nn

from playground.cli import main
from playground.config import RunConfig
from playground.engine.run import Run
from playground.models import MODELS, build, check_per_sample
from playground.paper_models import Maxout
from playground.ui import controls
from playground.ui.urlstate import from_query

POINTS = (2,)


def _linears(net: nn.Module) -> list[nn.Linear]:
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


def test_pacgan_networks_have_their_codes_sizes_and_init():
    torch.manual_seed(0)
    G, D = build(RunConfig(arch="pacgan", latent_dim=2), POINTS)
    # G: 2 -> 400 x 4 (no bias, batch norm, ReLU) -> 2 (fjxmlzn/PacGAN 2DGrid config)
    assert [(m.in_features, m.out_features, m.bias is not None) for m in _linears(G)] == [
        (2, 400, False), (400, 400, False), (400, 400, False), (400, 400, False), (400, 2, True)]
    assert sum(isinstance(m, nn.BatchNorm1d) for m in G.modules()) == 4
    # D: 3 maxout layers of 200 units x 5 pieces, then one score
    maxouts = [m for m in D.modules() if isinstance(m, Maxout)]
    assert [(m.linear.in_features, m.width, m.pieces) for m in maxouts] == [
        (2, 200, 5), (200, 200, 5), (200, 200, 5)]
    assert _linears(D)[-1].out_features == 1
    w = torch.cat([m.weight.flatten() for m in _linears(D)])
    assert w.std().item() == pytest.approx(0.02, rel=0.05) and abs(w.mean().item()) < 1e-3
    assert all((m.bias == 0).all() for m in _linears(D))
    x = G.eval()(torch.randn(7, 2))
    assert x.shape == (7, 2) and D(x).shape == (7,)


def test_maxout_takes_the_largest_piece():
    layer = Maxout(1, 2, 3)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[1.0], [-2.0], [0.5], [3.0], [0.0], [-1.0]]))
        layer.linear.bias.zero_()
    # unit 0 takes max(x, -2x, x/2), unit 1 max(3x, 0, -x)
    out = layer(torch.tensor([[1.0], [-1.0]]))
    torch.testing.assert_close(out, torch.tensor([[1.0, 3.0], [2.0, 1.0]]))


def test_metz_networks_are_2x128_tanh_with_orthogonal_init():
    torch.manual_seed(0)
    G, D = build(RunConfig(arch="metz", latent_dim=256, width=32, depth=5), POINTS)
    assert [m.out_features for m in _linears(G)] == [128, 128, 2]  # width, depth unused
    assert [m.in_features for m in _linears(D)] == [2, 128, 128]
    assert sum(isinstance(m, nn.Tanh) for m in G.modules()) == 2
    assert sum(isinstance(m, nn.Tanh) for m in D.modules()) == 2
    W = _linears(G)[1].weight.detach()  # 128 x 128: orthogonal x 1.4 (Metz et al.'s gain)
    torch.testing.assert_close(W @ W.T, 1.4**2 * torch.eye(128), atol=1e-4, rtol=0)


@pytest.mark.parametrize("arch", ["pacgan", "metz"])
def test_papers_d_scores_each_pack_on_its_own(arch):
    """No statistic crosses packs: moving one sample changes its pack's score only (what the
    no-coupling rule needs), and a pack of m reads 2 m inputs."""
    torch.manual_seed(0)
    _, D = build(RunConfig(arch=arch, pack=3, batch_size=96), POINTS)
    assert _linears(D)[0].in_features == 6
    x = torch.randn(12, 2)
    before = D.train()(x)
    assert torch.equal(before[0::3], before[1::3]) and torch.equal(before[0::3], before[2::3])
    moved = x.clone()
    moved[4] += 1.0  # member 1 of pack 1
    after = D(moved)
    assert not torch.equal(after[3:6], before[3:6])
    assert torch.equal(after[:3], before[:3]) and torch.equal(after[6:], before[6:])
    with pytest.raises(ValueError, match="multiple"):
        D(torch.randn(10, 2))


def test_a_batch_normed_g_is_allowed_with_a_penalty_on_the_per_sample_d():
    cfg = RunConfig(arch="pacgan", r1_gamma=1.0).replace()
    G, D = build(cfg, POINTS)
    check_per_sample(D, cfg)  # G's batch norm does not couple D's scores
    assert any(isinstance(m, nn.BatchNorm1d) for m in G.modules())


@pytest.mark.parametrize("arch, changes", [
    ("pacgan", {"pack": 2, "batch_size": 200, "lr_d": 1e-4, "beta1_d": 0.8}),
    ("pacgan", {"mbstd": True, "batch_size": 100, "dataset": "grid"}),
    ("metz", {"latent_dim": 256, "unroll_steps": 2, "batch_size": 64}),
])
def test_papers_networks_train_a_few_steps(arch, changes):
    run = Run(RunConfig(arch=arch, seed=1, n_fixed=16, grid_res=10, **changes),
              device=torch.device("cpu"))
    g0 = [p.detach().clone() for p in run.G.parameters()]
    run.train(5)
    assert run.status == "ok" and run.step_count == 5
    assert all(torch.isfinite(torch.tensor(v)) for v in run.history["d_loss"])
    assert any(not torch.equal(a, b) for a, b in zip(g0, run.G.parameters(), strict=True))
    m = run.evaluate(protocol=False)
    assert 0 <= m["modes"] <= (25 if changes.get("dataset") == "grid" else 8)


def test_the_cli_trains_a_papers_network(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--preset", "ns", "--steps", "3", "--out", str(out),
                 "--set", "arch=pacgan", "--set", "pack=2", "--set", "batch_size=100"]) == 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["config"]["arch"] == "pacgan" and report["config"]["pack"] == 2


def test_the_2d_lab_offers_the_papers_networks_and_hides_their_fixed_sizes():
    arch = controls.CONTROLS["arch"]
    assert {"mlp", "pacgan", "metz"} <= set(controls.options(arch))
    assert not {"dcgan", "mlp_image"} & set(controls.options(arch))
    assert "pacgan" not in controls.options(controls.IMAGE_CONTROLS["arch"])
    fixed, ours = RunConfig(arch="pacgan"), RunConfig()
    for field in ("width", "depth", "activation"):
        assert not controls.applies(controls.CONTROLS[field], fixed)
        assert controls.applies(controls.CONTROLS[field], ours)
    link = from_query({"arch": "metz", "latent_dim": "256"})
    assert link.cfg.arch == "metz" and not link.warnings
    assert MODELS.get("pacgan").kinds == {"points2d"}
