"""The words of the "Why Wasserstein" page (Arjovsky, Chintala & Bottou 2017): the prose, one
string per section in Markdown with LaTeX, and the progress lines of its long work, which state
the time measured on this machine (never a promised one) and say "Done" when it is over. Kept
apart so the page module is only wiring."""
from __future__ import annotations

from playground.theory.tasks import CompareView, EstimateView, RaceView
from playground.theory.theta_game import GameSettings

LINES = (
    'Real data lie on the vertical segment $P_0$: points $(0, Z)$ with $Z$ uniform on $[0,1]$. '
    'The generator has one parameter and draws $(\\theta, Z)$. Unless $\\theta = 0$ the two laws '
    'live on **disjoint lines**: no point is likely under both. A divergence that compares '
    'densities point by point sees only that: JS is $\\log 2$, KL is $+\\infty$ and total '
    'variation is 1, *whatever* $\\theta$ is, and all three jump to 0 at $\\theta = 0$. They say '
    'nothing about *how far* the lines are apart, so their gradient in $\\theta$ is 0 wherever '
    'it exists. The earth mover (Wasserstein-1) distance asks instead what it costs to move one'
    ' pile of mass onto the other: every point travels $|\\theta|$, so $W = |\\theta|$, a '
    'continuous slope that points home.')

ESTIMATES = (
    'A sigmoid discriminator $D = \\sigma(s)$ trained with the GAN loss reaches at best the '
    'summed cross-entropy $L_D = 2\\log 2 - 2\\,\\mathrm{JS}$ (Goodfellow et al. 2014, Thm 1), so '
    '$\\log 2 - L_D/2$ on fresh samples estimates JS from below. A WGAN-GP critic $f$ estimates '
    '$W$ by Kantorovich–Rubinstein duality, $W = \\sup_{\\|f\\|_L \\le 1} E f(\\text{real}) - E '
    "f(\\text{fake})$. The penalty is soft, so the trained critic's slope settles slightly above"
    ' 1 (at $1 + W/2\\lambda$) and we divide its gap by the measured slope. The exact $W_1$ of '
    'the two sample sets (optimal one-to-one assignment) is the third column. At $\\theta = 0$ '
    'both samples come from one law: what is left there is the **sampling floor**.')

THETA = (
    'Now let θ learn. Each loss plays against its own D, trained first at θ0 and then for 5 '
    'updates per θ update; θ moves by plain gradient descent, so the size of its steps *is* the'
    ' gradient. **Minimax** minimises $\\log(1 - D(G(z))) = -\\mathrm{softplus}(s)$, whose slope '
    'in the score is $\\sigma(s)$: once D is confident, $s \\ll 0$ at the fakes and the gradient '
    'is about $e^{s}$ — it vanishes and θ stalls. **Non-saturating** minimises $-\\log D(G(z)) ='
    " \\mathrm{softplus}(-s)$, whose slope is $1 - \\sigma(s) \\approx 1$ there, so dθ equals D's "
    'own slope at the fake line — large for a confident D. θ leaps, overshoots past 0 onto '
    'ground D has not seen, and settles only after D catches up: it works on this toy, but its '
    'step size is set by how sharp D happens to be, not by how far apart the laws are. **WGAN-'
    "GP** follows the critic's slope, held near 1: dθ ≈ ±1 until θ ≈ 0, a steady march at lr "
    'per step.')

SATURATION = (
    'Two Gaussians far apart: real on the left, fake on the right. Train a sigmoid '
    'discriminator to convergence and it becomes a step: $D \\approx 1$ on the real side, $D '
    '\\approx 0$ on the fake side, and **flat where the fakes are**, so $dD/dx$ and the minimax '
    "generator's gradient vanish exactly where the generator needs directions. A WGAN critic is"
    ' kept Lipschitz, so it cannot become a step: it stays close to a straight line whose slope'
    ' tells every fake which way the real data lie (WGAN paper, Figure 2).')

EM_VS_JS = (
    'On real 2D runs, does the number a GAN optimises say anything about sample quality? The '
    'same dataset is trained with the non-saturating GAN loss and with WGAN-GP. Along the way '
    "we record the exact $W_1$ between fakes and real points, the critic's own estimate $E "
    "f(\\text{real}) - E f(G(z))$, the histogram JS estimate, D's JS bound, and the modes "
    'captured. What to look for: while the supports barely overlap, every JS reading sits at '
    'its ceiling $\\log 2$ and cannot tell a run that is getting closer from one that is stuck; '
    "$W_1$ keeps measuring distance (WGAN paper, Figs 3-4). The critic's gap estimates $W$ only"
    ' as well as the critic is trained: it lags the generator, and when it lags it can even '
    'read below 0, so compare it with the exact $W_1$ beside it. Curves are median-filtered, as'
    ' in the paper.')


def _secs(s: float) -> str:
    return f"{s:.1f} s" if s < 10 else f"{s:.0f} s"


def estimate_progress(v: EstimateView) -> str:
    """'θ 3 of 7 done · 5.1 s each on this machine', then 'Done: 7 θ in 36 s (5.2 s each)'."""
    k, n = len(v.rows), len(v.thetas)
    if v.floor is not None:
        return f"Done: {k} θ in {_secs(v.elapsed_s)} ({_secs(v.elapsed_s / max(k, 1))} each)"
    if k == 0:
        return f"θ 1 of {n} running…"
    return f"θ {k} of {n} done · {_secs(v.elapsed_s / k)} each on this machine"


def race_progress(v: RaceView) -> str:
    """The θ race: updates so far and seconds, then 'Done: 3 × 300 θ updates in 11 s'."""
    if not v.traces:
        return (f"Training each loss's D at θ0 first ({GameSettings().pretrain:,} updates "
                "each)…")
    step = min(int(t.step[-1]) for t in v.traces.values())
    if step >= v.target:
        return f"Done: {len(v.traces)} × {v.target:,} θ updates in {_secs(v.elapsed_s)}"
    return f"{step:,} of {v.target:,} θ updates · {_secs(v.elapsed_s)} so far"


def compare_done(v: CompareView) -> bool:
    """The task's own word: a run's curves end at its last evaluation, which is short of
    `steps` when `eval_every` does not divide it (the page then polled forever)."""
    return v.done and bool(v.curves)


def compare_progress(v: CompareView) -> str:
    """Each run's step and the seconds so far, then 'Done: 2 × 1,000 steps in 31 s' (or
    which run stopped early, and why)."""
    if not v.curves:
        return "Building both runs…"
    took = _secs(v.elapsed_s)
    if not compare_done(v):
        steps = " · ".join(f"{p}: step {int(c.step[-1]):,}" for p, c in v.curves.items())
        return f"{steps} of {v.steps:,} · {took} so far"
    if all(c.status == "ok" for c in v.curves.values()):
        return f"Done: {len(v.curves)} × {v.steps:,} steps in {took}"
    ends = "; ".join(f"{p} reached step {int(c.step[-1]):,}" if c.status == "ok" else
                     f"{p} stopped at step {int(c.step[-1]):,} ({c.reason or c.status})"
                     for p, c in v.curves.items())
    return f"Done in {took}: {ends}"
