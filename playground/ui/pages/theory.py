"""The "Why Wasserstein" page: the WGAN paper's argument, computed live by playground.theory.

Three sections (parallel lines, a saturating D against a linear critic, EM vs JS along real
runs). Long work (estimate tables, theta training, 2D runs) advances a short slice per
fragment tick while it lasts, and never in a loop inside the script.
"""
from __future__ import annotations

import contextlib
import math
import threading
import uuid

import numpy as np
import streamlit as st

from ...figures import theory as figs
from ...theory import em_vs_js, parallel_lines, saturation, theta_game
from .. import state

NS = "theory"
state.NAMESPACES.add(NS, state.Namespace({
    "grid": lambda: None,  # parallel_lines.EstimateGrid being filled, one theta per tick
    "floor": lambda: None,  # its SamplingFloor once done
    "games": lambda: None,  # loss id -> theta_game.ThetaGame
    "game_target": lambda: 0,  # theta updates each game should reach
    "sat": lambda: None,  # the last saturation.SaturationResult
    "cmp": lambda: None,  # em_vs_js.Comparison being trained
    "ticket": lambda: uuid.uuid4().hex,  # this session's place in the server-wide job cap
    # One slice of work at a time per session: a click reruns the script while a fragment
    # run may still be inside a slice (Streamlit stops it only at its next st.* call), and
    # two slices on one grid or game would compute the same theta twice or race on D.
    "work": threading.Lock,
}))
TICK_S = 0.5  # fragment period while work is running
SLICE_S = 0.4  # work per tick for the 2D comparison (its runs are the slowest)
GAME_CHUNK = 10  # theta updates per game per tick (~5 D updates each: ~0.1-0.3 s)
THETA_STEPS = (100, 200, 300, 500, 1000)
LR_THETA = (0.002, 0.005, 0.01, 0.02, 0.05)
SAMPLE_NS = (128, 256, 512, 1024)
DATASETS_3 = ("ring", "grid", "gaussian")


def _k(name: str) -> str:
    return state.key(name, NS)


def _w(name: str) -> str:
    return state.key(f"w.{name}", NS)


def _fmt(x: float, digits: int = 4) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "+∞" if x > 0 else "−∞"
    return f"{x:.{digits}f}"


@contextlib.contextmanager
def _slice(ss):
    """Yields True when this run may do a slice of work now (False: another run is in one)."""
    lock = ss[_k("work")]
    got = lock.acquire(blocking=False)
    try:
        yield got
    finally:
        if got:
            lock.release()


def render() -> None:
    ss = st.session_state
    state.ensure(ss, NS)
    st.title("Why Wasserstein")
    st.caption("The argument of Arjovsky, Chintala & Bottou (2017), *Wasserstein GAN*, "
               "with every number computed here.")
    one, two, three = st.tabs(["1 · Parallel lines", "2 · Saturating D vs linear critic",
                               "3 · EM vs JS while training"])
    with one:
        _section_lines(ss)
    with two:
        _section_saturation(ss)
    with three:
        _section_em_vs_js(ss)


# ---- 1. parallel lines ------------------------------------------------------------------------
def _section_lines(ss) -> None:
    st.markdown(
        "Real data lie on the vertical segment $P_0$: points $(0, Z)$ with $Z$ uniform on "
        "$[0,1]$. The generator has one parameter and draws $(\\theta, Z)$. Unless "
        "$\\theta = 0$ the two laws live on **disjoint lines**: no point is likely under both. "
        "A divergence that compares densities point by point sees only that: JS is $\\log 2$, "
        "KL is $+\\infty$ and total variation is 1, *whatever* $\\theta$ is, and all three "
        "jump to 0 at $\\theta = 0$. They say nothing about *how far* the lines are apart, so "
        "their gradient in $\\theta$ is 0 wherever it exists. The earth mover (Wasserstein-1) "
        "distance asks instead what it costs to move one pile of mass onto the other: every "
        "point travels $|\\theta|$, so $W = |\\theta|$, a continuous slope that points home.")
    lo, hi = parallel_lines.THETA_RANGE
    theta = st.slider("θ (where the generator's line sits)", lo, hi, 0.5, 0.05, key=_w("theta"))
    c = parallel_lines.closed_forms(theta)
    cols = st.columns(4)
    values = (c.w, c.js, c.kl, c.tv)
    for col, label, value in zip(cols, ("W", "JS", "KL", "TV"), values, strict=True):
        col.metric(label, _fmt(float(value[0])))
    dense = parallel_lines.closed_forms(np.union1d(np.linspace(lo, hi, 401), [0.0]))
    left, right = st.columns(2)
    left.plotly_chart(figs.closed_forms_figure(dense.theta, dense.w, dense.js, dense.kl,
                                               dense.tv, theta), key="theory_cf")
    real, fake = parallel_lines.draw_pair(theta, 24, 0)
    right.plotly_chart(figs.lines_figure(real, fake, theta), key="theory_lines")
    _estimates(ss, dense)
    _theta_training(ss)


def _estimates(ss, dense) -> None:
    st.subheader("Learned estimates: what a discriminator and a critic actually measure")
    st.markdown(
        "A sigmoid discriminator $D = \\sigma(s)$ trained with the GAN loss reaches at best "
        "the summed cross-entropy $L_D = 2\\log 2 - 2\\,\\mathrm{JS}$ (Goodfellow et al. 2014, "
        "Thm 1), so $\\log 2 - L_D/2$ on fresh samples estimates JS from below. A WGAN-GP "
        "critic $f$ estimates $W$ by Kantorovich–Rubinstein duality, "
        "$W = \\sup_{\\|f\\|_L \\le 1} E f(\\text{real}) - E f(\\text{fake})$. The penalty is "
        "soft, so the trained critic's slope settles slightly above 1 (at $1 + W/2\\lambda$) "
        "and we divide its gap by the measured slope. The exact $W_1$ of the two sample sets "
        "(optimal one-to-one assignment) is the third column. At $\\theta = 0$ both samples "
        "come from one law: what is left there is the **sampling floor**.")
    c1, c2 = st.columns([1, 3])
    n = c1.select_slider("samples per side", SAMPLE_NS, 512, key=_w("n"))
    if c1.button("Estimate at 7 values of θ", key=_w("estimate")):
        ss[_k("grid")] = parallel_lines.EstimateGrid(parallel_lines.DEFAULT_THETAS, n, 0)
        ss[_k("floor")] = None
    grid = ss[_k("grid")]
    if grid is None:
        c2.info("Press the button: each θ trains a discriminator and a critic (~2 s each).")
        return

    @st.fragment(run_every=None if grid.done else TICK_S)
    def table() -> None:
        g = ss[_k("grid")]
        if g is None:
            return
        if not g.done:
            with _slice(ss) as mine:
                if mine:
                    g.advance()
            if g.done:
                ss[_k("floor")] = g.floor()
                st.rerun()
        rows = g.rows
        st.progress(len(rows) / len(g.thetas), text=f"{len(rows)} of {len(g.thetas)} θ done")
        if rows:
            st.dataframe({
                "θ": [r.theta for r in rows], "W = |θ|": [r.w for r in rows],
                "JS": [r.js for r in rows], "KL": [_fmt(r.kl, 0) for r in rows],
                "TV": [r.tv for r in rows], "learned JS": [r.js_learned for r in rows],
                "learned W": [r.w_learned for r in rows],
                "critic gap (raw)": [r.w_gap for r in rows],
                "exact W1 (samples)": [r.w1_sample for r in rows]}, hide_index=True)
            st.plotly_chart(figs.estimates_figure(
                dense.theta, dense.w, dense.js, np.array([r.theta for r in rows]),
                np.array([r.js_learned for r in rows]), np.array([r.w_learned for r in rows]),
                np.array([r.w_gap for r in rows]), np.array([r.w1_sample for r in rows])),
                key="theory_estimates")
        floor = ss[_k("floor")]
        if floor is not None:
            st.markdown(
                f"**Sampling floor** (n = {floor.n}): two independent samples of $P_0$ are "
                f"{floor.w1_mean:.4f} ± {floor.w1_std:.4f} apart in exact $W_1$ (it shrinks "
                f"like $n^{{-1/2}}$); at θ = 0 the learned JS reads {floor.js_learned:.4f} and "
                f"the learned W {floor.w_learned:.4f}. Every θ ≠ 0, however small, gives "
                "learned JS ≈ log 2 = 0.6931: the jump is real, not noise.")
    with c2:
        table()


def _theta_training(ss) -> None:
    st.subheader("Training θ: who gets a gradient?")
    st.markdown(
        "Now let θ learn. Each loss plays against its own D, trained first at θ0 and then "
        "for 5 updates per θ update; θ moves by plain gradient descent, so the size of "
        "its steps *is* the gradient. **Minimax** minimises $\\log(1 - D(G(z))) = "
        "-\\mathrm{softplus}(s)$, whose slope in the score is $\\sigma(s)$: once D is "
        "confident, $s \\ll 0$ at the fakes and the gradient is about $e^{s}$ — it vanishes "
        "and θ stalls. **Non-saturating** minimises $-\\log D(G(z)) = \\mathrm{softplus}(-s)$, "
        "whose slope is $1 - \\sigma(s) \\approx 1$ there, so dθ equals D's own slope at the "
        "fake line — large for a confident D. θ leaps, overshoots past 0 onto ground D has "
        "not seen, and settles only after D catches up: it works on this toy, but its step "
        "size is set by how sharp D happens to be, not by how far apart the laws are. "
        "**WGAN-GP** follows the critic's slope, held near 1: dθ ≈ ±1 until θ ≈ 0, a steady "
        "march at lr per step.")
    c = st.columns(4)
    theta0 = c[0].slider("θ0", -2.0, 2.0, 1.0, 0.1, key=_w("theta0"))
    lr = c[1].select_slider("learning rate for θ", LR_THETA, 0.01, key=_w("lr_theta"))
    steps = c[2].select_slider("θ updates", THETA_STEPS, 300, key=_w("theta_steps"))
    if c[3].button("Train θ", key=_w("train_theta")):
        try:
            settings = theta_game.GameSettings(theta0=float(theta0), lr_theta=float(lr))
        except ValueError as e:
            st.error(str(e))
            return
        ss[_k("games")] = {loss: theta_game.ThetaGame(loss, settings, 0)
                           for loss in theta_game.THETA_LOSSES}
        ss[_k("game_target")] = int(steps)
    if ss[_k("games")] is None:
        st.info("Press **Train θ** to race minimax, non-saturating and WGAN-GP from θ0.")
        return
    busy = any(g.steps < ss[_k("game_target")] for g in ss[_k("games")].values())

    @st.fragment(run_every=TICK_S if busy else None)
    def race() -> None:
        games, target = ss[_k("games")], ss[_k("game_target")]
        left = [g for g in games.values() if g.steps < target]
        with _slice(ss) as mine:
            for g in left if mine else ():
                g.advance(min(GAME_CHUNK, target - g.steps))
        if left and all(g.steps >= target for g in games.values()):
            st.rerun()  # a full run turns this fragment's timer off
        traces = {k: g.trace() for k, g in games.items()}
        first = next(iter(traces.values()))
        st.plotly_chart(figs.theta_figure(traces, float(first.theta[0])), key="theory_theta")
        rows = [theta_game.summarise(t) for t in traces.values()]
        st.dataframe({"loss": [r.loss for r in rows], "updates": [r.steps for r in rows],
                      "final θ": [r.final_theta for r in rows],
                      "first |θ| < 0.1 at": [r.first_below_01 for r in rows],
                      "|dθ| first": [r.grad_first for r in rows],
                      "|dθ| median": [r.grad_median for r in rows]}, hide_index=True)
    race()


# ---- 2. saturation ----------------------------------------------------------------------------
def _section_saturation(ss) -> None:
    st.markdown(
        "Two Gaussians far apart: real on the left, fake on the right. Train a sigmoid "
        "discriminator to convergence and it becomes a step: $D \\approx 1$ on the real side, "
        "$D \\approx 0$ on the fake side, and **flat where the fakes are**, so $dD/dx$ and "
        "the minimax generator's gradient vanish exactly where the generator needs "
        "directions. A WGAN critic is kept Lipschitz, so it cannot become a step: it stays "
        "close to a straight line whose slope tells every fake which way the real data lie "
        "(WGAN paper, Figure 2).")
    d = saturation.Setup()
    c = st.columns(6)
    mu_r = c[0].number_input("real mean", -20.0, 20.0, d.mu_real, 0.5, key=_w("mu_real"))
    sd_r = c[1].number_input("real std", 0.05, 10.0, d.sd_real, 0.1, key=_w("sd_real"))
    mu_f = c[2].number_input("fake mean", -20.0, 20.0, d.mu_fake, 0.5, key=_w("mu_fake"))
    sd_f = c[3].number_input("fake std", 0.05, 10.0, d.sd_fake, 0.1, key=_w("sd_fake"))
    x_rng = c[4].slider("x range", -30.0, 30.0, (d.x_min, d.x_max), 0.5, key=_w("x_range"))
    critic = c[5].selectbox("critic", saturation.CRITIC_LOSSES, key=_w("critic"),
                            format_func={"wgan_gp": "WGAN-GP", "wgan": "WGAN (clipping)"}.get)
    if st.button("Train D and critic", key=_w("fit2")):
        try:
            setup = saturation.Setup(mu_r, sd_r, mu_f, sd_f, x_rng[0], x_rng[1], critic)
        except ValueError as e:
            st.error(str(e))
            return
        with st.spinner("training a discriminator and a critic (a few seconds)"):
            ss[_k("sat")] = saturation.fit_both(setup, 0)
    r = ss[_k("sat")]
    if r is None:
        st.info("Press **Train D and critic**.")
        return
    st.plotly_chart(figs.saturation_figure(r.x, r.p_real, r.p_fake, r.d_prob, r.d_grad,
                                           r.critic, r.critic_grad), key="theory_sat")
    m = st.columns(3)
    m[0].metric("max |dD/dx| where the fakes are", f"{r.d_grad_at_fakes:.2e}")
    m[1].metric("max |dD/dx| anywhere", f"{r.d_grad_max:.3g}")
    m[2].metric("critic's mean |df/dx| where the fakes are", f"{r.critic_grad_at_fakes:.3g}")
    st.caption("With clipping the critic's slope is tiny (its Lipschitz constant is set by "
               "c = 0.01) but still non-zero and nearly constant; the gradient penalty holds it "
               "near 1 (a little above: the penalty is soft).")


# ---- 3. EM vs JS along training ---------------------------------------------------------------
def _section_em_vs_js(ss) -> None:
    st.markdown(
        "On real 2D runs, does the number a GAN optimises say anything about sample "
        "quality? The same dataset is trained with the non-saturating GAN loss and with "
        "WGAN-GP. Along the way we record the exact $W_1$ between fakes and real points, "
        "the critic's own estimate $E f(\\text{real}) - E f(G(z))$, the histogram JS "
        "estimate, D's JS bound, and the modes captured. What to look for: while the "
        "supports barely overlap, every JS reading sits at its ceiling $\\log 2$ and cannot "
        "tell a run that is getting closer from one that is stuck; $W_1$ keeps measuring "
        "distance (WGAN paper, Figs 3-4). The critic's gap estimates $W$ only as well as "
        "the critic is trained: it lags the generator, and when it lags it can even read "
        "below 0, so compare it with the exact $W_1$ beside it. "
        "Curves are median-filtered, as in the paper.")
    c = st.columns(5)
    dataset = c[0].selectbox("dataset", DATASETS_3, key=_w("dataset"))
    steps = c[1].select_slider("steps per run", (500, 1000, 2000, 4000), 1000, key=_w("steps"))
    every = c[2].select_slider("evaluate every", (25, 50, 100, 200), 50, key=_w("every"))
    kernel = c[3].select_slider("median kernel", (1, 3, 5, 7, 9, 11, 15, 21), 5,
                                key=_w("kernel"))
    if c[4].button("Compare ns vs wgan_gp", key=_w("compare")):
        ss[_k("cmp")] = em_vs_js.Comparison(dataset, em_vs_js.COMPARE_PRESETS, int(steps),
                                            int(every), 0)
    if ss[_k("cmp")] is None:
        st.info("Press **Compare** to train both runs side by side (a few minutes; the "
                "curves grow while you read).")
        return
    busy = not ss[_k("cmp")].done

    @st.fragment(run_every=TICK_S if busy else None)
    def compare() -> None:
        cmp = ss[_k("cmp")]
        if not cmp.done:
            from .. import session  # the 2D lab's server-wide job cap (a cached resource)
            slots, ticket = session.job_slots(), ss[_k("ticket")]
            if slots.acquire(ticket, timeout=0.0):
                try:
                    with _slice(ss) as mine:
                        if mine:
                            cmp.advance(SLICE_S)
                finally:
                    slots.release(ticket)
            else:
                st.caption(f"waiting for a training slot ({slots.position(ticket)} ahead)")
            if cmp.done:
                slots.release(ticket)
                st.rerun()
        curves = cmp.curves()
        steps_now = {p: int(cv.step[-1]) for p, cv in curves.items()}
        st.caption(" · ".join(f"{p}: step {s}" for p, s in steps_now.items()))
        st.plotly_chart(figs.em_vs_js_figure(em_vs_js.smoothed(curves, int(kernel)),
                                             int(kernel)), key="theory_em")
    compare()
