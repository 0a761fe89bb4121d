"""Presets are data: every row is a valid config, the required ones exist, losses bring their
remedies."""
import pytest

from playground.losses import LOSSES
from playground.presets import PRESETS, config_for, with_loss

REQUIRED = {"ns", "minimax", "lsgan", "hinge", "wgan_clip", "wgan_gp", "sngan", "unrolled",
            "instance_noise", "fgan_kl", "fgan_rkl", "fgan_pearson", "fgan_hellinger",
            "fgan_js", "collapse", "vanishing", "oscillation", "wgan_clip_small",
            "wgan_clip_large"}


def test_required_presets_exist_with_captions():
    assert REQUIRED <= set(PRESETS.ids())
    for _id, p in PRESETS.items():
        assert len(p.caption) > 20 and "\n" not in p.caption


@pytest.mark.parametrize("preset", PRESETS.ids())
def test_every_preset_is_a_valid_config(preset):
    cfg = config_for(preset)
    LOSSES.get(cfg.loss)


def test_paper_settings():
    w = config_for("wgan_clip")  # Arjovsky et al. 2017, Alg. 1
    assert (w.loss, w.clip_c, w.opt_d, w.lr_d, w.n_critic) == ("wgan", 0.01, "rmsprop", 5e-5, 5)
    gp = config_for("wgan_gp")  # Gulrajani et al. 2017, Alg. 1
    assert (gp.gp_lambda, gp.n_critic, gp.beta1_d, gp.beta2_d) == (10.0, 5, 0.5, 0.9)
    assert config_for("wgan_clip_small").clip_c < 0.01 < config_for("wgan_clip_large").clip_c
    assert config_for("sngan").spectral_norm and config_for("unrolled").unroll_steps > 0
    sn = config_for("sngan")  # Miyato et al. 2018, Table 1, setting A
    assert (sn.loss, sn.n_critic, sn.lr_d, sn.lr_g, sn.beta1_d, sn.beta2_d) == (
        "hinge", 5, 1e-4, 1e-4, 0.5, 0.9)


def test_choosing_a_loss_brings_its_remedy_unless_overridden():
    assert with_loss({"loss": "wgan"})["clip_c"] == 0.01
    assert with_loss({"loss": "wgan_gp"})["gp_lambda"] == 10.0
    assert with_loss({"loss": "wgan_gp", "gp_lambda": 1.0})["gp_lambda"] == 1.0
    assert config_for("ns", loss="wgan_gp").gp_lambda == 10.0
    assert config_for("ns", dataset="grid").dataset == "grid"
