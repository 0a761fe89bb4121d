"""Every GAN objective behind one interface: pure functions of raw discriminator scores.

A loss maps raw scores (any shape (N,), higher = more real) to scalar D and G losses, written
in stable softplus form with the textbook formula beside it (StyleGAN2-ADA's loss.py idea).
Tricks that are not losses (clipping, penalties, noise, spectral norm) live in remedies.py.
With D(x) = sigmoid(s): -log D = softplus(-s) and -log(1 - D) = softplus(s).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from playground.registry import Registry

Scores = torch.Tensor  # (N,) raw D outputs
LOG2 = math.log(2.0)


@dataclass(frozen=True)
class LossSpec:
    label: str
    caption: str
    d_loss: Callable[..., torch.Tensor]  # d_loss(real=, fake=) -> scalar, D minimises it
    g_loss: Callable[..., torch.Tensor]  # g_loss(fake=) -> scalar, G minimises it
    # How the app draws D: "prob" = sigmoid(score) on [0, 1]; "score" = raw, diverging scale.
    surface: str = "score"
    # Score at which D is undecided (its value where p_data = p_g for the optimal D); None for
    # critics defined only up to a constant (WGAN): the app centres on mean(real, fake) scores.
    boundary: float | None = 0.0
    # Discriminator-implied JS lower bound from scores, if this D is a JS estimator.
    js_bound: Callable[..., float] | None = None
    # Remedy settings this loss is meant to come with (applied when it is selected).
    defaults: dict = field(default_factory=dict)


LOSSES: Registry[LossSpec] = Registry("loss")


def logistic_js_bound(*, real: Scores, fake: Scores) -> float:
    """log 2 - L_D / 2, L_D the summed BCE: equals JSD(P_data, P_g) for the optimal D, below it
    otherwise (Goodfellow et al. 2014, Thm 1: C(G) = -log 4 + 2 JSD)."""
    l_d = F.softplus(-real).mean() + F.softplus(fake).mean()
    return float(LOG2 - l_d / 2)


def _bce_d(*, real: Scores, fake: Scores) -> torch.Tensor:
    return F.softplus(-real).mean() + F.softplus(fake).mean()  # -log D(x) - log(1 - D(G(z)))


LOSSES.add("minimax", LossSpec(
    "Minimax (saturating)", "G minimises log(1 - D(G(z))): no gradient once D is confident",
    d_loss=_bce_d,
    g_loss=lambda *, fake: -F.softplus(fake).mean(),  # log(1 - D(G(z))) = -softplus(s)
    surface="prob", js_bound=logistic_js_bound))
LOSSES.add("ns", LossSpec(
    "Non-saturating", "G maximises log D(G(z)): the usual GAN; strong gradients early on",
    d_loss=_bce_d,
    g_loss=lambda *, fake: F.softplus(-fake).mean(),  # -log D(G(z))
    surface="prob", js_bound=logistic_js_bound))
LOSSES.add("lsgan", LossSpec(
    "Least squares (LSGAN)", "Mao et al. 2017 with a=0, b=c=1: squared error to the labels",
    d_loss=lambda *, real, fake: 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean(),
    g_loss=lambda *, fake: 0.5 * ((fake - 1) ** 2).mean(),
    boundary=0.5))
LOSSES.add("hinge", LossSpec(
    "Hinge", "Lim & Ye 2017 / Miyato et al. 2018: margin loss for D, -D(G(z)) for G",
    d_loss=lambda *, real, fake: F.relu(1 - real).mean() + F.relu(1 + fake).mean(),
    g_loss=lambda *, fake: -fake.mean()))


def _w_d(*, real: Scores, fake: Scores) -> torch.Tensor:
    return fake.mean() - real.mean()  # -(E f(x) - E f(G(z))): the critic maximises the gap


def _w_g(*, fake: Scores) -> torch.Tensor:
    return -fake.mean()


LOSSES.add("wgan", LossSpec(
    "WGAN (weight clipping)", "Arjovsky et al. 2017: a critic kept Lipschitz by clipping to c",
    d_loss=_w_d, g_loss=_w_g, boundary=None, defaults={"clip_c": 0.01}))
LOSSES.add("wgan_gp", LossSpec(
    "WGAN-GP", "Gulrajani et al. 2017: the critic's gradient norm is pushed to 1 on interpolates",
    d_loss=_w_d, g_loss=_w_g, boundary=None, defaults={"gp_lambda": 10.0}))


# f-GAN (Nowozin et al. 2016, Table 2). The critic output v passes through an output
# activation T = g_f(v); D maximises E_P[T(x)] - E_Q[f*(T(x))], a lower bound on D_f(P || Q).
# G maximises E_Q[T(G(z))] (their Sec. 3.2 "alternative" update, as in their experiments).
@dataclass(frozen=True)
class FDivergence:
    label: str
    g_f: Callable[[torch.Tensor], torch.Tensor]  # output activation v -> T
    f_star_g: Callable[[torch.Tensor], torch.Tensor]  # f*(g_f(v)), simplified to stay finite
    boundary: float  # v with g_f(v) = f'(1): the optimal critic where P = Q


F_DIVERGENCES: dict[str, FDivergence] = {
    # KL: f(u) = u log u;  g_f(v) = v;  f*(t) = exp(t - 1)
    "kl": FDivergence("KL", lambda v: v, lambda v: torch.exp(v - 1), 1.0),
    # reverse KL: f(u) = -log u;  g_f(v) = -exp(-v);  f*(t) = -1 - log(-t)  =>  -1 + v
    "rkl": FDivergence("Reverse KL", lambda v: -torch.exp(-v), lambda v: v - 1, 0.0),
    # Pearson chi^2: f(u) = (u - 1)^2;  g_f(v) = v;  f*(t) = t^2 / 4 + t
    "pearson": FDivergence("Pearson chi-squared", lambda v: v, lambda v: v**2 / 4 + v, 0.0),
    # squared Hellinger: f(u) = (sqrt u - 1)^2;  g_f(v) = 1 - exp(-v);  f*(t) = t / (1 - t)
    #   => (1 - e^-v) / e^-v = e^v - 1
    "hellinger": FDivergence("Squared Hellinger", lambda v: 1 - torch.exp(-v),
                             lambda v: torch.expm1(v), 0.0),
    # Jensen-Shannon (=2 JSD in their scaling): g_f(v) = log 2 - log(1 + e^-v)
    #   = log 2 - softplus(-v);  f*(t) = -log(2 - e^t)  =>  -log 2 + softplus(v)
    "js": FDivergence("Jensen-Shannon", lambda v: LOG2 - F.softplus(-v),
                      lambda v: F.softplus(v) - LOG2, 0.0),
}


def _fgan(div: FDivergence) -> tuple[Callable, Callable]:
    def d_loss(*, real: Scores, fake: Scores) -> torch.Tensor:
        return -(div.g_f(real).mean() - div.f_star_g(fake).mean())

    def g_loss(*, fake: Scores) -> torch.Tensor:
        return -div.g_f(fake).mean()

    return d_loss, g_loss


for _id, _div in F_DIVERGENCES.items():
    _d, _g = _fgan(_div)
    LOSSES.add(f"fgan_{_id}", LossSpec(
        f"f-GAN: {_div.label}", f"Nowozin et al. 2016: variational {_div.label} divergence",
        d_loss=_d, g_loss=_g, boundary=_div.boundary,
        js_bound=logistic_js_bound if _id == "js" else None))
