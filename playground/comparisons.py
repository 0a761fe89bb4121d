"""Comparisons as data: two to four presets on one dataset and seed, with what to look for.

Each member is (label, preset id, overrides). A comparison runs them in lockstep on one dataset
and seed (`lockstep.py`); what else they share (starting weights, batches) depends on the
members and is worked out by `sharing.py`. Four of these share their starting weights and the
batches of every step; `ns_vs_wgan_gp` walks one sequence of batches 1 vs 5 a step (n_critic),
and `grid_remedies` also starts G and D differently (latent 2 vs 256) and unrolls 10 steps. The
compare page and its links select them by id.
"""
from __future__ import annotations

from dataclasses import dataclass

from playground.config import RunConfig
from playground.presets import config_for
from playground.registry import Registry


@dataclass(frozen=True)
class Comparison:
    title: str
    caption: str  # what to look for
    dataset: str
    members: tuple[tuple[str, str, dict], ...]  # (label, preset, overrides)

    def configs(self, seed: int = 0, dataset: str | None = None) -> list[RunConfig]:
        return [config_for(preset, dataset=dataset or self.dataset, seed=seed, **overrides)
                for _, preset, overrides in self.members]

    @property
    def labels(self) -> list[str]:
        return [label for label, _, _ in self.members]


COMPARISONS: Registry[Comparison] = Registry("comparison")
COMPARISONS.add("minimax_vs_ns", Comparison(
    "Minimax vs non-saturating", "The same D and G, one G loss each: against a confident D "
    "the minimax G's gradient vanishes (its fakes barely move), the non-saturating one's does "
    "not.", "ring", (("minimax", "vanishing", {}), ("non-saturating", "vanishing",
                                                    {"loss": "ns"}))))
COMPARISONS.add("ns_vs_r1", Comparison(
    "Collapse and cure", "The collapse setting with and without R1: left, every fake crowds "
    "one mode and hops; right, the same start with R1 (γ 0.1, lr 1e-3) spreads over the "
    "ring.", "ring", (("collapse", "collapse", {}),
                      ("collapse + R1", "collapse", {"r1_gamma": 0.1, "lr_d": 1e-3,
                                                     "lr_g": 1e-3}))))
COMPARISONS.add("wgan_clip", Comparison(
    "WGAN clipping: c too small, right, too large", "c = 0.001: a flat critic, no gradient; "
    "c = 0.01 (Arjovsky et al.): slow, steady progress; c = 1: the critic is barely "
    "constrained and the losses swing.", "ring",
    (("c = 0.001", "wgan_clip_small", {}), ("c = 0.01", "wgan_clip", {}),
     ("c = 1", "wgan_clip_large", {}))))
COMPARISONS.add("grid_remedies", Comparison(
    "NS vs WGAN-GP vs unrolled on the grid", "25 modes: the plain GAN finds some, the "
    "gradient penalty keeps a pull on every mode, unrolling pays ~10x per step for "
    "foresight.", "grid", (("ns", "ns", {}), ("wgan_gp", "wgan_gp", {}),
                           ("unrolled", "unrolled", {}))))
COMPARISONS.add("ns_vs_wgan_gp", Comparison(
    "EM vs JS while training", "Non-saturating GAN against WGAN-GP on one ring: the JS "
    "readings sit at log 2 while the supports are apart; W1 keeps measuring the distance "
    "(the theory page's section 3).", "ring", (("ns", "ns", {}), ("wgan_gp", "wgan_gp", {}))))
COMPARISONS.add("mnist_collapse_vs_dcgan", Comparison(
    "Digits: a slow D against a balanced one", "The same DCGAN twice: with D learning 100x "
    "slower than G a few digit classes take over its histogram; with the dcgan preset's "
    "learning rates all ten stay.", "mnist",
    (("slow D", "mnist_collapse", {}), ("dcgan", "dcgan", {}))))
COMPARISONS.add("small_data_diffaug", Comparison(
    "500 digits: without and with DiffAugment", "The same DCGAN on 500 training digits, "
    "without and with DiffAugment on real and fake alike (Zhao et al. 2020). Early on the "
    "augmented D learns slower (FD 229 against 186 at 3,000 steps here); the cure is for the "
    "long run: by 15,000 steps the plain D has learnt the 500 by heart and its digits fall "
    "apart (FD 253, class KL 0.32 at 20,000), while the augmented run still improves (FD "
    "137, class KL 0.045).", "mnist",
    (("500 digits", "dcgan_500", {}), ("500 + DiffAugment", "dcgan_500_diffaug", {}))))
