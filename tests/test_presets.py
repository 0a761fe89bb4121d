"""Presets are data: every row is a valid config, the required ones exist, losses bring their
remedies."""
import pytest

from playground.config import RunConfig, needs_reset
from playground.losses import LOSSES
from playground.presets import CURES, PRESETS, config_for, switch_loss

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
    assert switch_loss(RunConfig(), "wgan").clip_c == 0.01
    assert switch_loss(RunConfig(), "wgan_gp").gp_lambda == 10.0
    assert config_for("ns", loss="wgan_gp", gp_lambda=1.0).gp_lambda == 1.0
    assert config_for("ns", loss="wgan_gp").gp_lambda == 10.0
    assert config_for("ns", dataset="grid").dataset == "grid"


def test_a_loss_switch_means_the_same_everywhere():
    # the CLI's `--preset wgan_clip --set loss=ns` and the link's `?preset=wgan_clip&loss=ns`
    # both go through switch_loss: NS without wgan's clipping, the preset's other settings kept
    cli = config_for("wgan_clip", loss="ns")
    assert cli.loss == "ns" and cli.clip_c == 0.0 and cli.opt_d == "rmsprop"
    assert cli == switch_loss(config_for("wgan_clip"), "ns")
    # a remedy set on purpose (not the loss's default) survives the switch
    assert switch_loss(RunConfig(loss="wgan", clip_c=0.05), "ns").clip_c == 0.05
    assert config_for("wgan_clip", loss="ns", clip_c=0.01).clip_c == 0.01  # named: kept


def test_cures_are_live_changes_of_their_demo():
    for preset, cure in CURES.items():
        cfg = config_for(preset)
        cured = cfg.replace(**cure.changes)
        assert PRESETS.get(preset).demo and PRESETS.get(preset).cure is cure
        assert not needs_reset(cfg, cured) and cured != cfg  # weights kept, something changed


# A preset's own picture of D's surface priced at most this (engine/cost.py's model of this
# CPU): live pictures are spaced by their cost (serve/worker.Pace), and r1_wide's 4 x 512 D
# over a 100 x 100 surface, priced 247 ms, showed one every ~3 s on a loaded box.
PICTURE_S = 0.15


@pytest.mark.parametrize("preset", [i for i, p in PRESETS.items() if p.kind == "points2d"])
def test_a_2d_presets_picture_is_cheap_enough_to_watch(preset):
    from playground.engine.cost import estimate
    cfg = config_for(preset)
    assert estimate(cfg).seconds_per_picture <= PICTURE_S
    if cfg.width >= 512:  # a wide D draws a coarser surface; the same D at 100 x 100 would not
        assert estimate(cfg.replace(grid_res=100)).seconds_per_picture > PICTURE_S
