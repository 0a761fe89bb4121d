"""The registry of published tables: its rows are the issue's numbers, every setup it claims to
reproduce is a valid config on each of its datasets, and rows it cannot rerun say why."""
import pytest

from playground.config import RunConfig, validate
from playground.paper_tables import TABLES, table


def test_both_tables_are_registered_and_unknown_ids_name_them():
    assert TABLES.ids() == ["pacgan-table1", "veegan-table1"]
    with pytest.raises(ValueError, match="pacgan-table1, veegan-table1"):
        table("pacgan-table2")


@pytest.mark.parametrize("id_", ["pacgan-table1", "veegan-table1"])
def test_every_reproduced_setup_is_a_valid_config_on_each_dataset(id_):
    spec = table(id_)
    for row in spec.rows:
        if row.setup is None:
            assert row.how.startswith("not reproduced")
            continue
        for d in spec.datasets:
            validate(RunConfig(**{**row.setup, "dataset": d}))
        if not row.ours:
            assert set(row.published) == set(spec.datasets)
            assert all(set(v) == set(spec.metrics) for v in row.published.values())


def test_pacgan_rows_are_the_published_ones_on_their_setup():
    spec = table("pacgan-table1")
    assert (spec.trials, spec.steps) == (10, 400_000)  # 400 epochs x 100,000 / 100
    rows = {r.method: r for r in spec.rows}
    assert rows["GAN"].published["ring"] == {"modes": (6.3, 0.5), "hq_pct": (98.2, None),
                                             "rkl": (0.45, None)}
    assert rows["PacGAN4"].published["grid"] == {"modes": (24.8, 0.2), "hq_pct": (93.6, None),
                                                 "rkl": (0.04, None)}
    assert rows["PacGAN3"].published["ring"]["hq_pct"] == (97.7, None)
    for m, name in enumerate(["GAN", "PacGAN2", "PacGAN3", "PacGAN4"], start=1):
        setup = rows[name].setup
        # their batch is 100 packs: 100 m points a D step
        assert (setup["arch"], setup["pack"], setup["batch_size"]) == ("pacgan", m, 100 * m)
        assert (setup["lr_d"], setup["beta1_d"], setup["latent_dim"]) == (1e-4, 0.8, 2)


def test_veegan_rows_reproduce_unrolled_gan_and_say_why_not_veegan():
    spec = table("veegan-table1")
    rows = {r.method: r for r in spec.rows}
    assert spec.trials == 5 and spec.metrics == ("modes", "hq_pct")
    assert rows["Unrolled GAN"].published["grid"] == {"modes": (23.6, None),
                                                      "hq_pct": (16.0, None)}
    assert rows["Unrolled GAN"].setup["unroll_steps"] == 5
    assert rows["Unrolled GAN"].setup["arch"] == "metz"
    assert rows["VEEGAN"].setup is None and "reconstructor" in rows["VEEGAN"].how
    assert rows["VEEGAN"].published["ring"]["hq_pct"] == (52.9, None)
