"""The published mode-collapse tables (a registry): each row's method, its published numbers and
the setup that reruns it here as config overrides, or why it cannot be rerun. Data, no code:
`cli/reproduce.py` trains the setups and prints our rows beside these.

PacGAN Table 1 (Lin et al. 2018, 10 trials, mean ± s.e.) and VEEGAN Table 1 (Srivastava et al.
2017, 5 runs); the numbers are those quoted in issue 21. Both score 2,500 samples of G under the
3-std rule (metrics/points2d.py). The setups come from the papers' code (sources per row).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from playground.registry import Registry

# One published number: (mean, standard error or None where the paper gives none).
Number = tuple[float, float | None]
# The papers' metrics: column name and the decimals they print (PacGAN: 6.3 modes, 98.2 %, 0.45)
METRIC_NAMES = {"modes": "modes", "hq_pct": "% HQ", "rkl": "reverse KL"}
DIGITS = {"modes": 1, "hq_pct": 1, "rkl": 2}


@dataclass(frozen=True)
class Row:
    method: str  # as the paper names it
    published: dict[str, dict[str, Number]]  # dataset -> "modes" / "hq_pct" / "rkl" -> number
    setup: dict | None  # RunConfig overrides (on RunConfig() defaults); None = not reproduced
    how: str  # where the setup comes from, how it differs from theirs, or why there is none
    ours: bool = False  # the lab's own setup beside theirs (no published numbers)
    short: str = ""  # a chart's axis label where `method` is too long for one

    @property
    def label(self) -> str:
        return self.short or self.method


@dataclass(frozen=True)
class PaperTable:
    title: str
    source: str
    datasets: tuple[str, ...]
    trials: int  # the paper's N
    steps: int  # the paper's training length in G updates: `--budget 1`
    steps_how: str  # how that count follows from the paper
    rows: tuple[Row, ...]
    metrics: tuple[str, ...] = ("modes", "hq_pct", "rkl")  # what the paper reports
    notes: tuple[str, ...] = field(default=())


TABLES: Registry[PaperTable] = Registry("table")

# fjxmlzn/PacGAN, synthetic_data_experiments/2D{Ring,Grid}_GAN&PacGAN/config.py: z in R^2 from
# N(0, I), Adam lr 1e-4 beta1 0.8 (beta2 0.999, blocks' default) for both networks, a batch of
# 100 packs (each pack m points: 100 m points a D step), the non-saturating loss (bricks.py:
# G minimises softplus(-D(fake))).
_PACGAN = {"arch": "pacgan", "loss": "ns", "latent_dim": 2, "lr_d": 1e-4, "lr_g": 1e-4,
           "beta1_d": 0.8, "beta1_g": 0.8, "beta2_d": 0.999, "beta2_g": 0.999}
_PACGAN_HOW = ("PacGAN's code: their networks (arch pacgan), Adam 1e-4, beta1 0.8, 100 packs a "
               "batch. Ours draws fresh points each step where they cycle a fixed 100,000, and "
               "G's batch norm sees all 100 m fakes of a step at once (theirs: m batches of 100)")


def _pacgan_row(method: str, m: int, ring: tuple[Number, float, float],
                grid: tuple[Number, float, float]) -> Row:
    pub = {d: {"modes": v[0], "hq_pct": (v[1], None), "rkl": (v[2], None)}
           for d, v in (("ring", ring), ("grid", grid))}
    return Row(method, pub, {**_PACGAN, "pack": m, "batch_size": 100 * m}, _PACGAN_HOW,
               short=method.replace("PacGAN", "Pac"))


TABLES.add("pacgan-table1", PaperTable(
    "PacGAN Table 1: GAN and PacGAN on 2D ring and grid", "Lin et al. 2018, Table 1",
    ("ring", "grid"), trials=10, steps=400_000,
    steps_how="400 epochs of 100,000 points at batch 100 = 400,000 G updates",
    rows=(
        _pacgan_row("GAN", 1, ((6.3, 0.5), 98.2, 0.45), ((17.3, 0.8), 94.8, 0.70)),
        _pacgan_row("PacGAN2", 2, ((7.9, 0.1), 95.6, 0.07), ((23.8, 0.7), 91.3, 0.13)),
        _pacgan_row("PacGAN3", 3, ((7.8, 0.1), 97.7, 0.10), ((24.6, 0.4), 94.2, 0.06)),
        _pacgan_row("PacGAN4", 4, ((7.8, 0.1), 95.9, 0.07), ((24.8, 0.2), 93.6, 0.04)),
        Row("GAN, the lab's MLPs (ours)", {}, {},
            "the lab's defaults (3 x 128 ReLU MLPs, z in R^2, Adam 1e-3, batch 256) for the "
            "same number of G updates", ours=True, short="lab"),
    )))

# poolio/unrolled_gan (Metz et al. 2017's toy notebook; VEEGAN's 2D baselines follow it):
# 2 x 128 tanh G and D, z in R^256, batch 512, Adam lr_d 1e-4, lr_g 1e-3, beta1 0.5, 5 unrolled
# D steps, the saddle objective (G minimises -loss: minimax), 25,000 iterations.
_UNROLLED = {"arch": "metz", "loss": "minimax", "latent_dim": 256, "batch_size": 512,
             "lr_d": 1e-4, "lr_g": 1e-3, "beta1_d": 0.5, "beta1_g": 0.5, "unroll_steps": 5}

TABLES.add("veegan-table1", PaperTable(
    "VEEGAN Table 1: Unrolled GAN and VEEGAN on 2D ring and grid",
    "Srivastava et al. 2017, Table 1", ("ring", "grid"), trials=5, steps=25_000,
    steps_how="25,000 iterations, Metz et al.'s notebook (VEEGAN's own count is not in our "
              "sources)",
    metrics=("modes", "hq_pct"),
    rows=(
        Row("Unrolled GAN", {"ring": {"modes": (7.6, None), "hq_pct": (35.6, None)},
                             "grid": {"modes": (23.6, None), "hq_pct": (16.0, None)}},
            _UNROLLED, "Metz et al.'s notebook: 2 x 128 tanh nets (arch metz), 5 unrolled "
            "steps, Adam 1e-4 / 1e-3. Theirs updates D and G at once from one state; ours "
            "updates D, then G against the new D"),
        Row("VEEGAN", {"ring": {"modes": (8.0, None), "hq_pct": (52.9, None)},
                       "grid": {"modes": (24.6, None), "hq_pct": (40.0, None)}},
            None, "not reproduced: VEEGAN's reconstructor network (an inverse of G trained "
            "on z) is not in the lab"),
    )))


def table(id_: str) -> PaperTable:
    return TABLES.get(id_)
