"""The run config: validation, parsing, and the one reset rule."""
import pytest

from playground.config import RESET_FIELDS, RunConfig, from_dict, needs_reset, parse_value


def test_defaults_are_valid_and_round_trip():
    cfg = RunConfig()
    assert from_dict(cfg.to_dict()) == cfg


def test_reset_rule():
    a = RunConfig()
    assert needs_reset(a, a.replace(lr_d=1e-3, loss="hinge", n_critic=3, gp_lambda=1.0)) == []
    assert needs_reset(a, a.replace(dataset="grid", seed=3)) == ["dataset", "seed"]
    assert {"dataset", "latent_dim", "width", "depth", "seed"} <= RESET_FIELDS
    assert not {"lr_d", "lr_g", "loss", "n_critic", "spectral_norm", "clip_c"} & RESET_FIELDS


def test_diff_is_the_one_comparison():
    """`diff` names every changed field in declaration order; the reset rule, the view rule and
    the curves' change label all read it."""
    a = RunConfig()
    b = a.replace(seed=3, lr_d=2e-3, spectral_norm=True, grid_res=50, dataset="grid")
    d = a.diff(b)
    assert d.fields == ("dataset", "spectral_norm", "lr_d", "seed", "grid_res")
    assert d.reset == ("dataset", "seed") and list(d.reset) == needs_reset(a, b)
    assert d.view == ("grid_res",)
    assert d.label == "dataset ring→grid, spectral_norm off→on, lr_d 0.001→0.002, seed 0→3, " \
                      "grid_res 100→50"
    assert bool(d) and not a.diff(a) and a.diff(a).label == "" and a.diff(a).reset == ()
    assert b.diff(a).fields == d.fields  # symmetric in what it names


@pytest.mark.parametrize("changes,message", [
    ({"lr_d": 2.0}, r"lr_d=2.0 is out of range \[1e-06, 1\]"),
    ({"depth": 0}, "depth=0 is out of range"),
    ({"loss": "gan"}, "unknown loss 'gan'"),
    ({"opt_g": "adagrad"}, "unknown optimiser"),
    ({"batch_size": 2.5}, "batch_size must be an integer"),
    ({"train_digits": 1000}, "train_digits=1000 is not offered; valid: 60000, 5000, 500, 100"),
])
def test_invalid_values_name_the_field(changes, message):
    with pytest.raises(ValueError, match=message):
        RunConfig().replace(**changes)


def test_unknown_keys_are_rejected():
    with pytest.raises(ValueError, match="unknown config key"):
        from_dict({"learning_rate": 1e-3})


def test_parse_value_types():
    assert parse_value("lr_d", "1e-3") == pytest.approx(1e-3)
    assert parse_value("n_critic", "5") == 5
    assert parse_value("spectral_norm", "true") is True
    assert parse_value("spectral_norm", "off") is False
    assert parse_value("std", "none") is None
    with pytest.raises(ValueError, match="n_critic='x'"):
        parse_value("n_critic", "x")
    with pytest.raises(ValueError, match="unknown config key"):
        parse_value("nope", "1")


def test_train_digits_is_a_data_field():
    """Another training-set size is another data law: fresh weights. The offered sizes parse
    from the CLI's / link's text."""
    a = RunConfig(dataset="mnist")
    assert needs_reset(a, a.replace(train_digits=500)) == ["train_digits"]
    assert [a.replace(train_digits=parse_value("train_digits", t)).train_digits
            for t in ("60000", "5000", "500", "100")] == [60_000, 5000, 500, 100]
