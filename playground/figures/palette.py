"""The one palette of GAN Playground, used by every figure (GAN Lab's visual language).

Real data is green, generated data purple, and D's surface runs on the same purple-green
scale (purple = "looks fake", green = "looks real"), so a glance says who is winning where.
"""
from __future__ import annotations

REAL = "#1b9e4b"  # real samples, "more real" side of D's surface
FAKE = "#7b3fbf"  # generated samples, "more fake" side
NEUTRAL = "#f7f7f7"  # D undecided
PUSH = "#2b2b2b"  # generator gradient arrows and field
MANIFOLD = "rgba(123, 63, 191, 0.35)"  # G's image of a latent grid
TRAIL = "rgba(123, 63, 191, 0.20)"
MODE = "#d95f02"  # ground-truth mode centres and mode-coverage bars
MODE_LIGHT = "rgba(217, 95, 2, 0.30)"  # fakes nearest a mode but not within 3 std of it
D_LOSS = "#1f78b4"
G_LOSS = "#e7298a"
# One colour per curve kind, shared by every figure that draws it.
SERIES = {
    "d_loss": D_LOSS, "g_loss": G_LOSS, "w1": "#1f78b4", "jsd": "#e6ab02",
    "js_bound": "#a6761d", "modes": MODE, "hq_pct": REAL, "rkl": FAKE,
    # the MNIST lab's class-coverage curves
    "classes": MODE, "class_kl": FAKE, "confidence": "#1f78b4", "score": "#e6ab02",
    "fd": "#2b2b2b",
}
# Diverging purple -> white -> green scale for D's surface (fake -> undecided -> real), in
# pale tints: at full strength purple fakes vanished on a purple "D = 0" background and green
# reals on green (seen on a projector); the points keep the saturated colours.
SURFACE_SCALE = [[0.0, "#d9c6ee"], [0.5, NEUTRAL], [1.0, "#c4e8cf"]]
EVENT = "rgba(0, 0, 0, 0.45)"  # markers on the curves where a setting was changed live
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
# --- 2D lab additions ---------------------------------------------------------------------
FIELD = "rgba(43, 43, 43, 0.45)"  # the gradient field over the whole plane: quieter than arrows
GRID = "rgba(0, 0, 0, 0.08)"  # axis grid lines
CEILING = "rgba(0, 0, 0, 0.35)"  # reference lines such as log 2, the JSD ceiling
BACKGROUND = "#ffffff"
# --- theory lab additions -----------------------------------------------------------------
# One colour per divergence in the parallel-lines plots (W and JS as in SERIES' w1 and jsd).
DIVERGENCE = {"w": "#1f78b4", "js": "#e6ab02", "kl": "#e7298a", "tv": "#666666"}
# One colour per loss driving theta or a 2D run in the theory lab.
LOSS = {"minimax": "#e7298a", "ns": "#d95f02", "wgan_gp": "#1f78b4", "wgan": "#66a61e"}
DISCRIMINATOR = "#a6761d"  # a sigmoid D's curves (D(x), dD/dx)
CRITIC = "#1f78b4"  # a WGAN critic's curves (f(x), df/dx)
# --- tables page additions ----------------------------------------------------------------
PAPER = "#b3b3b3"  # a published number (grey: quoted, not measured here)
OURS = "#1f78b4"  # the same row measured in the lab
