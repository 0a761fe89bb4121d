"""Named configurations as data: one table row per preset, with what to look for.

A preset is a set of overrides on `RunConfig()` defaults plus a one-line caption a lecturer can
read aloud. Sources are cited where a setting comes from a paper. Nothing here is code.
"""
from __future__ import annotations

from dataclasses import dataclass

from playground.config import RunConfig, from_dict
from playground.losses import LOSSES
from playground.registry import Registry


@dataclass(frozen=True)
class Preset:
    caption: str  # "what to look for"
    overrides: dict  # field -> value on top of RunConfig() defaults
    demo: bool = False  # a failure shown on purpose
    cure: Cure | None = None  # a one-click live change that fixes the failure

    @property
    def kind(self) -> str:
        """The data kind it trains on ("points2d" or "image"): which page offers it."""
        from playground.data.datasets import kind_of
        return kind_of(self.overrides.get("dataset", RunConfig().dataset))


@dataclass(frozen=True)
class Cure:
    label: str  # the button's text
    changes: dict  # live fields (weights kept) applied to the running demo
    caption: str  # what it does, as measured


PRESETS: Registry[Preset] = Registry("preset")
_rows: list[tuple[str, str, dict, bool]] = [
    ("ns", "The standard non-saturating GAN: watch D's surface chase the fakes mode by mode.",
     {"loss": "ns"}, False),
    ("minimax", "The saturating loss of the original paper: early on D wins and G's arrows go "
     "quiet.", {"loss": "minimax"}, False),
    ("lsgan", "Least squares: fakes far from the boundary still get pulled in.",
     {"loss": "lsgan"}, False),
    # TTUR (Heusel et al. 2017): measured here, hinge at 1e-3 for both collapsed to 1/8 ring
    # modes and 2e-4 for both found none by step 3,000; lr_d 1e-3, lr_g 1e-4 held 8/8.
    ("hinge", "Hinge loss: D stops pushing once a sample is beyond the margin.",
     {"loss": "hinge", "lr_d": 1e-3, "lr_g": 1e-4}, False),
    # Arjovsky et al. 2017, Alg. 1: RMSProp lr 5e-5, c = 0.01, n_critic = 5.
    ("wgan_clip", "WGAN with weight clipping: a smooth critic, slow but steady progress.",
     {"loss": "wgan", "clip_c": 0.01, "opt_d": "rmsprop", "opt_g": "rmsprop",
      "lr_d": 5e-5, "lr_g": 5e-5, "n_critic": 5}, False),
    # Gulrajani et al. 2017, Alg. 1: lambda = 10, n_critic = 5, Adam betas (0.5, 0.9). Their
    # lr 1e-4 for both needs ~100k steps on toy data; a faster critic (TTUR, lr_d 1e-3, lr_g
    # 1e-4) found all 8 ring modes in 1,500 steps here, where 1e-4/1e-4 had found 1-4.
    ("wgan_gp", "WGAN-GP: the critic's slope is held near 1, so every mode keeps a pull.",
     {"loss": "wgan_gp", "gp_lambda": 10.0, "n_critic": 5, "lr_d": 1e-3, "lr_g": 1e-4,
      "beta1_d": 0.5, "beta2_d": 0.9, "beta1_g": 0.5, "beta2_g": 0.9}, False),
    # Miyato et al. 2018: spectral norm on D with the hinge loss, their Table 1 setting A
    # (Adam 1e-4, betas 0.5 / 0.9, n_dis 5). Measured here: 8/8 ring modes from step 500;
    # with the lab's default Adam 1e-3 and n_critic 1 it held 1/8.
    ("sngan", "Spectral norm on D: a Lipschitz D without clipping or penalties.",
     {"loss": "hinge", "spectral_norm": True, "n_critic": 5, "lr_d": 1e-4, "lr_g": 1e-4,
      "beta1_d": 0.5, "beta2_d": 0.9, "beta1_g": 0.5, "beta2_g": 0.9}, False),
    # Metz et al. 2017: the `collapse` setting below plus unrolling. Their 2D figure uses 10
    # steps; measured here (seed 0): k = 10 held 6/8 ring modes from step 1,125 and 7/8 at
    # 2,250, where k = 5 stayed collapsed on seeds 0 and 1. It costs ~10 D look-aheads per G
    # step (about 8 steps/s live on a CPU), so promise what minutes show.
    ("unrolled", "The collapse setting plus a 10-step unrolled D: G anticipates D's reply and "
     "slowly spreads over the modes (5-7 of 8 after 2,000-3,000 steps: minutes live on a CPU).",
     {"loss": "ns", "latent_dim": 256, "lr_d": 1e-4, "lr_g": 1e-4, "unroll_steps": 10}, False),
    ("instance_noise", "Instance noise annealed to 0: D's surface starts blurred, so G gets "
     "gradients everywhere.", {"loss": "ns", "noise_std": 0.3, "noise_anneal": 3000}, False),
    # Mescheder et al. 2018, gamma 0.1, shown through an average of G (ema_g 0.999, warmed
    # up: engine/ema.py). Measured here (ring, one thread, 2,500 samples): 8/8 modes on seeds
    # 0-4 at 1,500, 2,500, 5,000 and 6,000 steps;
    # HQ at 5,000 93.5, 94.2, 93.3, 95.2, 91.6 % (reverse KL <= 0.004), at 2,500 83.5-90.1 %;
    # the raw G (no average) had read 26-92 % at 5,000. Grid, seed 0, 5,000 steps: 25/25,
    # 85.5 % (raw G: 61.4 %). Its recommended length: 5,000 steps (the shipped r1 runs).
    ("r1", "R1 penalty on real data: D is flat on the data, so once found every mode stays "
     "covered; an average of G's weights shows where G's jitter is centred, on the modes.",
     {"loss": "ns", "r1_gamma": 0.1, "ema_g": 0.999}, False),
    # For the papers' tables (issue 21): r1 with PacGAN's G width (4 x 512 where they use
    # 4 x 400) and rates that halve every 2,500 steps. Probes (seed 0, one thread): at width
    # 512 the grid read 25/25, 93.96 % high quality at 5,000 steps with constant rates, 94.92 %
    # after 2,000 more at a quarter; width 128 with the same decay 91.4 % by 9,000. The ring
    # at width 512: 77.6 % at 5,000, 96.4 % after the decay. Seeds 0-9 on the grid (7,000
    # steps: 94.60 % HQ) and on the ring (12,500 steps: 98.06 % HQ): docs/presets.md. Its D
    # surface is 50 x 50: at 100 x 100 (10,000 points through 4 x 512) a picture took 609 ms,
    # at 50 x 50 223 ms (one thread, loaded cores, median of 7). Live pictures are spaced by
    # their cost (serve/worker.Pace): at 100 x 100 one came every ~3 s (tests/test_presets.py).
    ("r1_wide", "R1 on wide nets (4 x 512) with learning rates that halve every 2,500 steps: "
     "late small steps let G settle on every mode (wide nets: minutes on a CPU).",
     {"loss": "ns", "r1_gamma": 0.1, "ema_g": 0.999, "width": 512, "depth": 4,
      "lr_halflife": 2500, "grid_res": 50}, False),
    # f-GAN learning rates, measured on the ring (seed 0, 3,000 steps): at 1e-4 for both,
    # every divergence but JS sat on 0-1 modes. KL and Pearson held 8/8 with TTUR
    # (1e-3 / 1e-4); JS with 1e-3 for both; Hellinger was unsteady everywhere and did best at
    # 2e-4 / 5e-5; reverse KL diverged at lr_d 1e-3 and stays at 1e-4 (it seeks modes).
    ("fgan_kl", "f-GAN, KL: mass-covering in theory; watch the exp(T-1) term blow up.",
     {"loss": "fgan_kl", "lr_d": 1e-3, "lr_g": 1e-4}, False),
    ("fgan_rkl", "f-GAN, reverse KL: mode-seeking; expect fewer modes, sharply drawn.",
     {"loss": "fgan_rkl", "lr_d": 1e-4, "lr_g": 1e-4}, False),
    ("fgan_pearson", "f-GAN, Pearson chi^2: a least-squares-like critic.",
     {"loss": "fgan_pearson", "lr_d": 1e-3, "lr_g": 1e-4}, False),
    ("fgan_hellinger", "f-GAN, squared Hellinger: bounded, and touchy about step sizes.",
     {"loss": "fgan_hellinger", "lr_d": 2e-4, "lr_g": 5e-5}, False),
    ("fgan_js", "f-GAN, Jensen-Shannon: the GAN objective in f-GAN form.",
     {"loss": "fgan_js", "lr_d": 1e-3, "lr_g": 1e-3}, False),
    # --- failures shown on purpose -------------------------------------------------------
    # Metz et al. 2017's vanilla GAN on the ring: 256-d noise, Adam 1e-4. Measured here: all
    # 2,500 samples near one mode, hopping 2 -> 5 -> 0 -> 5 -> 0 -> 2 over 3,000 steps.
    ("collapse", "Mode collapse: all fakes crowd one mode, then hop to another as D catches up.",
     {"loss": "ns", "latent_dim": 256, "lr_d": 1e-4, "lr_g": 1e-4}, True),
    ("vanishing", "Saturating loss against a strong D: D's surface saturates and G's arrows "
     "vanish.", {"loss": "minimax", "n_critic": 5, "lr_d": 1e-3, "lr_g": 2e-4}, True),
    ("oscillation", "Plain SGD with a large step: D and G circle each other instead of "
     "converging.", {"loss": "ns", "opt_d": "sgd", "opt_g": "sgd", "lr_d": 0.05,
                     "lr_g": 0.05}, True),
    ("wgan_clip_small", "WGAN with c too small (0.001): the critic is nearly flat, gradients "
     "vanish.", {"loss": "wgan", "clip_c": 0.001, "opt_d": "rmsprop", "opt_g": "rmsprop",
                 "lr_d": 5e-5, "lr_g": 5e-5, "n_critic": 5}, True),
    ("wgan_clip_large", "WGAN with c too large (1.0): the critic is barely constrained and "
     "the loss swings.", {"loss": "wgan", "clip_c": 1.0, "opt_d": "rmsprop",
                          "opt_g": "rmsprop", "lr_d": 5e-5, "lr_g": 5e-5, "n_critic": 5}, True),
    # --- MNIST digits ---------------------------------------------------------------------
    # Radford et al. 2016's DCGAN (Adam, beta1 0.5), with faster learning rates measured here
    # on the 5,000 shipped digits: at their 2e-4 the class KL was still 0.15 after 150 s of
    # CPU time; lr_d 5e-4, lr_g 1e-3 at batch 32 reached 10/10 classes, confidence 0.9 and
    # KL 0.04 in 95 s on one thread (batch 64: 150 s).
    ("dcgan", "DCGAN on MNIST: blobs turn into strokes within seconds, then into digits of "
     "every class; watch the class histogram even out.",
     {"dataset": "mnist", "arch": "dcgan", "latent_dim": 64, "width": 32, "batch_size": 32,
      "lr_d": 5e-4, "lr_g": 1e-3, "n_fixed": 64}, False),
    # The same DCGAN at 4-5x the dcgan preset's learning rates, the fastest to the bar of
    # `bench --dataset mnist` found here (batch 32, 2 threads; bar: 10/10 classes, confidence
    # >= 0.9, class KL < 0.1): 45 s on seeds 1 and 2 (2,835 and 3,093 steps) where the dcgan
    # preset took 90 s on seed 0 and missed it in 110 s on seed 1. Also tried: lr_d 1e-3,
    # lr_g 2e-3: 55-70 s; lr_d 1e-3, lr_g 5e-3: 55 s; both 2e-3: 88 s. The price: the class
    # balance drifts, class KL 0.03 at 4,000 steps and 0.14 by 10,000 on seed 0 (FD 146 ->
    # 260), 0.03 -> 0.09 on seed 1 (FD 133 -> 194). Those were the 5,000 digits and their
    # classifier; on the 60,000 and theirs (2 threads, 2026-12-07) it reached the bar on 1 of
    # 3 seeds within 120 s (95 s), the others stopping at confidence 0.889 and 0.899.
    ("dcgan_fast", "The same DCGAN with learning rates 4-5x higher: strokes and digits "
     "come fast, but keep it running and the class histogram drifts out of balance: "
     "fast is not the same as stable.",
     {"dataset": "mnist", "arch": "dcgan", "latent_dim": 64, "width": 32, "batch_size": 32,
      "lr_d": 2e-3, "lr_g": 5e-3, "n_fixed": 64}, False),
    # The fastest to bench's bar without dcgan_fast's drift (issue 20): dcgan_fast's learning
    # rates on InfoGAN's MNIST layout (dcgan_fc), D judging pairs (PacGAN) and an average of G
    # at 0.99 (a ~100-step horizon, so it helps from the first minute). `bench --dataset mnist
    # --preset dcgan_quick --seeds 0,1,2 --drift-steps 10000` (2 threads, quiet cores): the bar
    # in 32.7 s median (30.2 / 32.7 / 37.7 s; 1,339-1,707 steps), still there at 10,000 steps
    # (class KL 0.018 / 0.031 / 0.036, FD 33.7 / 32.2 / 40.3). The 30 s is missed by a
    # tenth. With an average at 0.995: 27.6 / 32.7 / 40.2 s. Probes (seed 0, one thread each,
    # two runs sharing the cores; CPU-s to the bar, then class KL at 4k / 7k / 10k steps):
    # dcgan_fast missed the bar in 146 s (confidence 0.89-0.90 on the 60,000-digit classifier),
    # KL 0.023 -> 0.077 by 10k; with an average of G 143 s; dcgan_fc at lr 5e-4/1e-3 57 s; at
    # 1e-3/2e-3 40 s, KL 0.047 -> 0.095 by 7k; at dcgan_fast's rates 31 s, but KL 0.066 -> 0.107
    # by 7k (off the bar): pairs keep it at 0.017 / 0.022 / 0.020. Batch 64: 43 s; lr 3e-3 /
    # 7.5e-3: 58 s.
    ("dcgan_quick", "The quickest route to digits of every class: dcgan_fast's learning rates "
     "on a DCGAN with a dense layer, an average of G, and a D that judges pairs of digits, "
     "which keeps the class shares from drifting as it trains on.",
     {"dataset": "mnist", "arch": "dcgan_fc", "latent_dim": 64, "width": 32, "batch_size": 32,
      "lr_d": 2e-3, "lr_g": 5e-3, "n_fixed": 64, "pack": 2, "ema_g": 0.99}, False),
    # The shipped digits' recipe (issue 20). A fully connected layer of 256 units in G and D
    # (InfoGAN's MNIST layout, models.dcgan_fc) and D judging packs of four images (PacGAN,
    # Lin et al. 2018), batch 64, an average of G at 0.999. Measured here (one thread, seed 0,
    # 2,000 samples, FD against the test digits' 7.0): dcgan_fc alone reached FD 31.6 at 4,000
    # steps and then drifted (class KL 0.027 -> 0.054 by 10,000); G's class shares alone
    # explained FD ~20 of it (real digits resampled to them). Packing keeps the shares even:
    # pack 2 reached FD 18.7, KL 0.015 at 10,000 steps and drifted after (KL 0.029 at 16,000);
    # pack 4 FD 21.4 / 18.3 / 15.8 / 17.4 at 10,000 / 12,000 / 14,000 / 16,000 steps with KL
    # 0.008-0.010. dcgan at batch 64: FD 111 at 8,000.
    ("dcgan_packed", "The DCGAN with a dense layer and a D that judges packs of four digits: "
     "a pack drawn from a few favourite classes gives itself away, so G keeps all ten digits "
     "in their right shares. Slow to start, the recipe of the shipped DCGAN.",
     {"dataset": "mnist", "arch": "dcgan_fc", "latent_dim": 64, "width": 32, "batch_size": 64,
      "lr_d": 5e-4, "lr_g": 1e-3, "n_fixed": 64, "pack": 4, "ema_g": 0.999}, False),
    # Small data (issue 20): the dcgan preset on a fixed, class-balanced 500 of the 60,000
    # training digits (16 steps an epoch at batch 32), without and with DiffAugment (Zhao et
    # al. 2020, policy color,translation,cutout as in their code). Measured here (one run per
    # preset and seed trained on, scored with the protocol at each step count: 2,000 samples,
    # FD against the test digits' 7.0; seeds 0 / 1, one thread; the last row is `python -m
    # playground table --presets dcgan_500,dcgan_500_diffaug --datasets mnist --steps 20000`),
    # FD and class KL without | with DiffAugment:
    #    3,000 steps: 186 / 187, 0.053 / 0.087 | 229 / 260, 0.047 / 0.094
    #    6,000 steps: 150 / 145, 0.024 / 0.042 | 189 / 188, 0.073 / 0.085
    #   10,000 steps: 134 / 157, 0.052 / 0.065 | 181 / 177, 0.064 / 0.097
    #   15,000 steps: 177 / 202, 0.168 / 0.185 | 155 / 172, 0.038 / 0.066
    #   20,000 steps: 253 / 296, 0.320 / 0.389 | 137 / 155, 0.045 / 0.068
    # The augmented D is the slower learner for ~10,000 steps; after that the plain D has
    # learnt the 500 (640 epochs by 20,000 steps) and its G falls apart, which is the paper's
    # story: a D that overfits a small training set stops guiding G.
    ("dcgan_500", "The dcgan preset on only 500 training digits: D sees each one every 16 "
     "steps and can learn them by heart, a failure that grows with training time.",
     {"dataset": "mnist", "arch": "dcgan", "latent_dim": 64, "width": 32, "batch_size": 32,
      "lr_d": 5e-4, "lr_g": 1e-3, "n_fixed": 64, "train_digits": 500}, False),
    ("dcgan_500_diffaug", "The same 500 digits with DiffAugment: real and fake are shifted, "
     "cut out and recoloured alike before D sees them, so D cannot simply memorise the 500, "
     "and G still draws unaugmented digits. It learns slower at first.",
     {"dataset": "mnist", "arch": "dcgan", "latent_dim": 64, "width": 32, "batch_size": 32,
      "lr_d": 5e-4, "lr_g": 1e-3, "n_fixed": 64, "train_digits": 500,
      "diffaug": "color,translation,cutout"}, False),
    # Class-conditional DCGANs (issue 22): the dcgan preset with G(z, y) (one-hot y beside z)
    # and D conditioned by a projection (Miyato & Koyama 2018) or by ten one-hot channels
    # (Mirza & Osindero 2014). n_fixed 100: the grid is ten rows (class 0-9) of ten columns
    # (one z each). Measured here (`python -m playground table --presets cgan_projection,
    # cgan_concat --datasets mnist --steps 2000`, seed 0, one thread, 2,000 samples): projection
    # label agreement 0.942 (real digits 0.994), FD 50.6 (real 7.0), class KL 0.002,
    # confidence 0.968; concat 0.739, FD 150.7, KL 0.023, confidence 0.897; the unconditional
    # dcgan preset at the same 2,000 steps FD 225.3, KL 0.063, confidence 0.839.
    ("cgan_projection", "A conditional DCGAN with a projection D: ask for a class and get it. "
     "Each row of the grid asks for one digit, each column keeps one z, so a column is one "
     "handwriting writing every digit; label agreement says how often the classifier agrees.",
     {"dataset": "mnist", "arch": "dcgan", "cond": "projection", "latent_dim": 64,
      "width": 32, "batch_size": 32, "lr_d": 5e-4, "lr_g": 1e-3, "n_fixed": 100}, False),
    ("cgan_concat", "The same conditional DCGAN with the label as ten extra input channels "
     "of D (the original cGAN): compare how fast its rows become their digits.",
     {"dataset": "mnist", "arch": "dcgan", "cond": "concat", "latent_dim": 64,
      "width": 32, "batch_size": 32, "lr_d": 5e-4, "lr_g": 1e-3, "n_fixed": 100}, False),
    # InfoGAN (Chen et al. 2016) on the dcgan preset: G(z, c) with a categorical code of 10
    # and two continuous codes, a Q head on D's body, info_lambda 1 (the paper's value for
    # discrete codes). n_fixed 100: ten rows (code values 0-9) of ten columns sweeping one
    # continuous code from -2 to 2 at one z. Measured here (`python -m playground table
    # --presets infogan --datasets mnist --steps 2000 --seed S`, one thread at nice 19, 2,000
    # samples): code-class agreement 0.318, 0.343, 0.280, 0.344, 0.380 on seeds 0-4 (mean
    # 0.333 +- 0.017; the classifier's accuracy 0.994): 0 of 5 seeds line up (>= 0.8). FD 261.6,
    # 255.3, 279.3, 261.2, 242.7 (mean 260.0), class KL 0.094, confidence 0.834, where the
    # dcgan preset on the same seeds gave FD 225.3, 212.4, 213.4, 263.2, 205.8 (mean 224.0),
    # KL 0.084, confidence 0.844. Seed 0 at 4,000 steps: agreement 0.37, FD 174.5. Its code
    # grid: the continuous codes carry the digit too (sweeping c1 turns 8 into 6 into 5).
    # Weighting the continuous codes' term 0.1 (infogan.CONT_WEIGHT; the paper's Sec. 6 weights
    # continuous codes lower) did not help at 2,000 steps: 0.337, 0.349, 0.303 on seeds 0-2.
    ("infogan", "InfoGAN: no labels, yet G must make its categorical code readable from the "
     "image, so the ten code values often become ten digit classes, and the continuous codes "
     "slant or thicken them. Often is not always: on the first try the code may split one "
     "digit in two or merge two, and code-class agreement says how far it lines up.",
     {"dataset": "mnist", "arch": "dcgan", "info_codes": "infogan", "latent_dim": 64,
      "width": 32, "batch_size": 32, "lr_d": 5e-4, "lr_g": 1e-3, "n_fixed": 100}, False),
    # The seeds' fully connected GAN (100 -> 256 -> 512 -> 1024 -> 784, LeakyReLU 0.2 in D),
    # Adam 2e-4 with beta1 0.5.
    ("mlp_gan", "The seeds' fully connected GAN on pixels: digits form too, noisier and "
     "with speckle, since no layer knows that nearby pixels belong together.",
     {"dataset": "mnist", "arch": "mlp_image", "latent_dim": 100, "width": 256, "depth": 3,
      "batch_size": 64, "lr_d": 2e-4, "lr_g": 2e-4, "n_fixed": 64}, False),
    # Measured here (seed 0, one thread): with D learning 100x slower than G, the first 35 s
    # held 5-8 classes with the top three taking 67-97% of the fakes; a 1-number z collapsed
    # harder (3-5 classes) but no live change could bring the classes back.
    ("mnist_collapse", "Mode collapse on digits: D learns 100x slower than G, so G gets away "
     "with a few digit classes; watch a few bars take over the histogram.",
     {"dataset": "mnist", "arch": "dcgan", "latent_dim": 64, "width": 32, "batch_size": 32,
      "lr_d": 2e-5, "lr_g": 2e-3, "n_fixed": 64}, True),
]
# One-click cures for the failure demos, measured on the ring (seeds 0-2, cure applied at
# step 1,500 of `collapse`): R1 gamma 0.1 with lr 1e-3 spread the fakes over all 8 modes within
# 200-300 steps (~2 s headless, ~15 s live), mostly 8/8 after; few land within 3 std yet (HQ
# 3-4 % 1,500 steps on). R1 gamma 1 at collapse's lr 1e-4 took 1,700 steps on seed 0 and had
# 5/8 modes after 2,500 on seed 1.
CURES: dict[str, Cure] = {
    # measured (seed 0): 35 s of mnist_collapse, then this cure: 10/10 classes within 5 s of
    # training, 9-10 for the next 30 s, the top three back to ~50%
    "mnist_collapse": Cure("Cure: let D learn", {"lr_d": 5e-4, "lr_g": 1e-3},
                           "D's learning rate back to the dcgan preset's 5e-4 (and G's to "
                           "1e-3): D catches up, and the missing digits return within seconds."),
    "collapse": Cure("Cure: R1 penalty", {"r1_gamma": 0.1, "lr_d": 1e-3, "lr_g": 1e-3},
                     "R1 (γ 0.1) flattens D on the data and a faster lr (1e-3) lets G follow: "
                     "the fakes spread to all 8 modes within a few hundred steps, then sharpen."),
}
for _id, _caption, _overrides, _demo in _rows:
    PRESETS.add(_id, Preset(_caption, _overrides, _demo, CURES.get(_id)))


def ids_for(kind: str) -> list[str]:
    """The presets that train on `kind` data ("points2d" or "image"), in table order."""
    return [i for i, p in PRESETS.items() if p.kind == kind]


def switch_loss(cfg: RunConfig, loss: str) -> RunConfig:
    """`cfg` with another loss, swapping the remedies losses come with: the old loss's
    defaults are cleared if still at their default values, the new loss's are filled in
    (wgan brings clip_c 0.01, wgan_gp brings gp_lambda 10; leaving them drops them). The one
    rule for a loss switch: the CLI's `--set loss=`, a link's `loss=` and the page use it."""
    base, changes = RunConfig(), {"loss": loss}
    for name, value in LOSSES.get(cfg.loss).defaults.items():
        if getattr(cfg, name) == value:
            changes[name] = getattr(base, name)
    changes.update(LOSSES.get(loss).defaults)
    return cfg.replace(**changes)


def config_for(preset: str, **overrides) -> RunConfig:
    """The preset's config with further overrides (e.g. dataset=...), validated. A `loss`
    override is a loss switch (`switch_loss`); the other overrides apply after it."""
    base = from_dict(PRESETS.get(preset).overrides)
    if "loss" in overrides:
        base = switch_loss(base, overrides.pop("loss"))
    return from_dict(overrides, base)
