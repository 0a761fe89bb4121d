"""Class conditioning: G(z, y) and D(x, y) for both kinds, their per-sample scores, the
projection's formula, and what the config refuses."""
import dataclasses

import pytest
import torch

from playground import conditioning, models
from playground.config import RESET_FIELDS, RunConfig
from playground.engine.batched import reason_not_batchable

SHAPE = (1, 28, 28)


def _cfg(**kw) -> RunConfig:
    return RunConfig(**{"dataset": "mnist", "arch": "dcgan", "latent_dim": 8, "width": 8,
                        "depth": 1, "batch_size": 16, "cond": "projection", **kw})


def _nets(arch: str, cond: str):
    cfg = dataclasses.replace(_cfg(cond=cond, arch=arch, width=16 if arch == "mlp_image" else 8))
    torch.manual_seed(0)
    return models.build(cfg, SHAPE)


def test_none_is_the_default_and_a_change_needs_a_new_run():
    assert RunConfig().cond == "none"
    assert "cond" in RESET_FIELDS
    assert set(conditioning.CONDITIONINGS.ids()) == {"none", "concat", "projection"}
    assert all(spec.caption for _, spec in conditioning.CONDITIONINGS.items())


@pytest.mark.parametrize("changes, says", [
    ({"dataset": "ring", "arch": None}, "2D points without labels"),
    ({"pack": 2}, "pack=2"),
    ({"unroll_steps": 1}, "unroll_steps=1"),
    ({"cond": "film"}, "conditioning"),
])
def test_refusals_name_the_reason(changes, says):
    with pytest.raises(ValueError, match=says):
        _cfg(**changes).replace()


@pytest.mark.parametrize("arch", ["dcgan", "mlp_image"])
@pytest.mark.parametrize("cond", ["concat", "projection"])
def test_g_draws_the_class_asked_for_and_d_scores_each_sample_alone(arch, cond):
    G, D = _nets(arch, cond)
    G.eval()
    D.eval()
    z = torch.randn(6, 8, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 1, 2, 3, 4, 9])
    x = G(z, y)
    assert x.shape == (6, *SHAPE)
    # the label moves both nets: same z, another class
    assert not torch.equal(G(z, (y + 1) % 10), x)
    scores = D(x, y)
    assert scores.shape == (6,)
    assert not torch.equal(D(x, (y + 1) % 10), scores)
    # per sample: each score is the one it gets alone (GP and R1 need this)
    alone = torch.cat([D(x[i:i + 1], y[i:i + 1]) for i in range(6)])
    torch.testing.assert_close(alone, scores, rtol=1e-5, atol=1e-6)
    models.check_per_sample(D, _cfg(r1_gamma=1.0, gp_lambda=1.0))  # no batch norm in D


def test_the_projection_score_is_psi_of_phi_plus_the_label_embedding_dotted_with_phi():
    _, D = _nets("dcgan", "projection")
    x = torch.randn(4, *SHAPE, generator=torch.Generator().manual_seed(2))
    y = torch.tensor([3, 3, 7, 0])
    phi = D.inner.net[:-1](x)  # (4, 2 w 7 7)
    expected = D.inner.net[-1](phi).squeeze(-1) + (D.embed.weight[y] * phi).sum(1)
    torch.testing.assert_close(D(x, y), expected, rtol=1e-6, atol=1e-7)
    # only the embedding differs between two labels: the difference is <e_a - e_b, phi>
    gap = D(x, torch.full((4,), 1)) - D(x, torch.full((4,), 2))
    torch.testing.assert_close(gap, phi @ (D.embed.weight[1] - D.embed.weight[2]),
                               rtol=1e-5, atol=1e-6)


def test_concat_feeds_the_one_hot_as_ten_channels_or_ten_inputs():
    _, D = _nets("dcgan", "concat")
    assert D.inner.net[0].in_channels == 1 + 10
    _, D = _nets("mlp_image", "concat")
    assert D.inner.net[0].in_features == 784 + 10


def test_the_batched_path_refuses_conditional_runs():
    cfg = _cfg()
    assert "one at a time" in reason_not_batchable([cfg, cfg])
