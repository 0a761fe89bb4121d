"""The "Why Wasserstein" page's three tabs (parallel lines, a saturating D against a linear
critic, EM vs JS along real runs) and the helpers they share: each long computation is submitted
to this session's `TheoryWorker` and drawn by a fragment from its latest view. `pages/theory.py`
owns the page, its link and its presenter mode; the maths is `playground.theory`, the figures
`figures/theory.py`.
"""
from __future__ import annotations

import math

import numpy as np
import streamlit as st

from playground.figures import theory as figs
from playground.figures.style import NORMAL, PRESENTER
from playground.serve.clients import TheoryWorker
from playground.theory import em_vs_js, fit, parallel_lines, saturation, theta_game
from playground.ui import cached, guard, state, theory_text
from playground.ui.views import queue_text

NS = "theory"
TICK_S = 0.5  # fragment period while a task works
THETA_STEPS = (100, 200, 300, 500, 1000)
LR_THETA = (0.002, 0.005, 0.01, 0.02, 0.05)
SAMPLE_NS = (128, 256, 512, 1024)
DATASETS_3 = ("ring", "grid", "gaussian")


def w(name: str) -> str:
    return state.key(f"w.{name}", NS)


def _fmt(x: float, digits: int = 4) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "+∞" if x > 0 else "−∞"
    return f"{x:.{digits}f}"


def _style(ss):
    return PRESENTER if state.get(ss, "present", NS) else NORMAL


def _worker(ss) -> TheoryWorker:
    worker = state.get(ss, "worker", NS)
    if worker is None:
        worker = TheoryWorker(cached.pool())
        state.put(ss, "worker", worker, NS)
    return worker


def _submit(ss, name: str, spec: dict) -> bool:
    """Start task `name` in the worker; a bad parameter is shown, not raised."""
    try:
        _worker(ss).submit(name, spec)
        return True
    except ValueError as e:
        st.error(str(e))
        return False


def _view(ss, name: str):
    """(submitted?, the task's latest view, the worker's Status); (False, None, None) before
    the task was ever started in this session."""
    worker = state.get(ss, "worker", NS)
    if worker is None:
        return False, None, None
    views, status = worker.latest()
    views = views or {}
    return name in views, views.get(name), status


def _waiting(status) -> None:
    if status is not None and status.state == "queued":
        st.caption(queue_text(status))


def _prose(ss, text: str) -> None:
    """A section's explanation: inline, or folded away in presenter mode (the lecturer says
    it; the screen keeps the numbers and the figure)."""
    if state.get(ss, "present", NS):
        with st.expander("The argument, in words"):
            st.markdown(text)
    else:
        st.markdown(text)


# ---- 1. parallel lines ------------------------------------------------------------------------
def section_lines(ss) -> None:
    _prose(ss, theory_text.LINES)
    lo, hi = parallel_lines.THETA_RANGE
    cols = st.columns([2, 1, 1, 1, 1])  # one row: the slider and the numbers it moves
    theta = cols[0].slider("θ (where the generator's line sits)", lo, hi, 0.5, 0.05,
                           key=w("theta"))
    c = parallel_lines.closed_forms(theta)
    for col, label, value in zip(cols[1:], ("W", "JS", "KL", "TV"), (c.w, c.js, c.kl, c.tv),
                                 strict=True):
        col.metric(label, _fmt(float(value[0])))
    dense = parallel_lines.closed_forms(np.union1d(np.linspace(lo, hi, 401), [0.0]))
    left, right = st.columns(2)
    style = _style(ss)
    height = figs.FIRST_SCREEN_HEIGHT if state.get(ss, "present", NS) else figs.HEIGHT
    left.plotly_chart(figs.closed_forms_figure(dense.theta, dense.w, dense.js, dense.kl,
                                               dense.tv, theta, style, height),
                      key="theory_cf", theme=None)
    real, fake = parallel_lines.draw_pair(theta, 24, 0)
    right.plotly_chart(figs.lines_figure(real, fake, theta, style, height),
                       key="theory_lines", theme=None)
    _estimates(ss, dense)
    _theta_training(ss)


def _estimates(ss, dense) -> None:
    st.subheader("Learned estimates: what a discriminator and a critic actually measure")
    _prose(ss, theory_text.ESTIMATES)
    c1, c2 = st.columns([1, 3])
    n = c1.select_slider("samples per side", SAMPLE_NS, 512, key=w("n"))
    if c1.button("Estimate at 7 values of θ", key=w("estimate")):
        _submit(ss, "estimate", {"kind": "estimate", "n": int(n)})
    _, view, _ = _view(ss, "estimate")
    if view is None:
        c2.info("Press the button: each θ trains a discriminator and a critic "
                f"({fit.DEFAULT_FIT.steps:,} updates each).")
        return

    @st.fragment(run_every=None if view.floor is not None else TICK_S)
    @guard.fragment
    def table() -> None:
        _, v, status = _view(ss, "estimate")
        if v.floor is not None and view.floor is None:
            st.rerun()  # done: turn this fragment's timer off
        rows = v.rows
        st.progress(len(rows) / len(v.thetas), text=theory_text.estimate_progress(v))
        _waiting(status)
        if rows:
            # a static table with short headers: it fits a 1280 px screen (a dataframe
            # needed horizontal scrolling there)
            st.table({"θ": [f"{r.theta:g}" for r in rows],
                      "W": [_fmt(r.w, 3) for r in rows], "JS": [_fmt(r.js, 3) for r in rows],
                      "KL": [_fmt(r.kl, 0) for r in rows], "TV": [_fmt(r.tv, 0) for r in rows],
                      "learned JS": [_fmt(r.js_learned, 3) for r in rows],
                      "learned W": [_fmt(r.w_learned, 3) for r in rows],
                      "critic gap": [_fmt(r.w_gap, 3) for r in rows],
                      "W1 (samples)": [_fmt(r.w1_sample, 3) for r in rows]})
            st.plotly_chart(figs.estimates_figure(
                dense.theta, dense.w, dense.js, np.array([r.theta for r in rows]),
                np.array([r.js_learned for r in rows]), np.array([r.w_learned for r in rows]),
                np.array([r.w_gap for r in rows]), np.array([r.w1_sample for r in rows]),
                _style(ss)), key="theory_estimates", theme=None)
        floor = v.floor
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
    _prose(ss, theory_text.THETA)
    c = st.columns(4)
    theta0 = c[0].slider("θ0", -2.0, 2.0, 1.0, 0.1, key=w("theta0"))
    lr = c[1].select_slider("learning rate for θ", LR_THETA, 0.01, key=w("lr_theta"))
    steps = c[2].select_slider("θ updates", THETA_STEPS, 300, key=w("theta_steps"))
    if c[3].button("Train θ", key=w("train_theta")):
        _submit(ss, "race", {"kind": "race", "theta0": float(theta0), "lr_theta": float(lr),
                             "steps": int(steps)})
    _, view, _ = _view(ss, "race")
    if view is None:
        st.info("Press **Train θ** to race minimax, non-saturating and WGAN-GP from θ0.")
        return
    busy = not view.traces or any(t.step[-1] < view.target for t in view.traces.values())

    @st.fragment(run_every=TICK_S if busy else None)
    @guard.fragment
    def race() -> None:
        _, v, status = _view(ss, "race")
        done = bool(v.traces) and all(t.step[-1] >= v.target for t in v.traces.values())
        if busy and done:
            st.rerun()  # a full run turns this fragment's timer off
        step = min((int(t.step[-1]) for t in v.traces.values()), default=0)
        st.progress(step / v.target, text=theory_text.race_progress(v))
        if not v.traces:
            _waiting(status)
            return
        first = next(iter(v.traces.values()))
        st.plotly_chart(figs.theta_figure(v.traces, float(first.theta[0]), _style(ss)),
                        key="theory_theta", theme=None)
        rows = [theta_game.summarise(t) for t in v.traces.values()]
        st.table({"loss": [r.loss for r in rows], "updates": [r.steps for r in rows],
                  "final θ": [_fmt(r.final_theta) for r in rows],
                  "first |θ| < 0.1 at": ["never" if r.first_below_01 is None
                                         else str(r.first_below_01) for r in rows],
                  "|dθ| first": [f"{r.grad_first:.3g}" for r in rows],
                  "|dθ| median": [f"{r.grad_median:.3g}" for r in rows]})
    race()


# ---- 2. saturation ----------------------------------------------------------------------------
def section_saturation(ss) -> None:
    _prose(ss, theory_text.SATURATION)
    d = saturation.Setup()
    c = st.columns(6)
    mu_r = c[0].number_input("real mean", -20.0, 20.0, d.mu_real, 0.5, key=w("mu_real"))
    sd_r = c[1].number_input("real std", 0.05, 10.0, d.sd_real, 0.1, key=w("sd_real"))
    mu_f = c[2].number_input("fake mean", -20.0, 20.0, d.mu_fake, 0.5, key=w("mu_fake"))
    sd_f = c[3].number_input("fake std", 0.05, 10.0, d.sd_fake, 0.1, key=w("sd_fake"))
    x_rng = c[4].slider("x range", -30.0, 30.0, (d.x_min, d.x_max), 0.5, key=w("x_range"))
    critic = c[5].selectbox("critic", saturation.CRITIC_LOSSES, key=w("critic"),
                            format_func={"wgan_gp": "WGAN-GP", "wgan": "WGAN (clipping)"}.get)
    if st.button("Train D and critic", key=w("fit2")):
        try:
            setup = saturation.Setup(mu_r, sd_r, mu_f, sd_f, x_rng[0], x_rng[1], critic)
        except ValueError as e:
            st.error(str(e))
        else:
            _submit(ss, "saturation", {"kind": "saturation", "setup": setup})
    submitted, first, _ = _view(ss, "saturation")
    if not submitted:
        st.info("Press **Train D and critic**.")
        return

    @st.fragment(run_every=TICK_S if first is None else None)
    @guard.fragment
    def result() -> None:
        _, r, status = _view(ss, "saturation")
        if r is not None and first is None:
            st.rerun()  # done: turn this fragment's timer off
        if r is None:
            st.caption("Training a discriminator and a critic…")
            _waiting(status)
            return
        st.plotly_chart(figs.saturation_figure(r.x, r.p_real, r.p_fake, r.d_prob, r.d_grad,
                                               r.critic, r.critic_grad, _style(ss)),
                        key="theory_sat", theme=None)
        m = st.columns(3)
        m[0].metric("max |dD/dx| where the fakes are", f"{r.d_grad_at_fakes:.2e}")
        m[1].metric("max |dD/dx| anywhere", f"{r.d_grad_max:.3g}")
        m[2].metric("critic's mean |df/dx| where the fakes are", f"{r.critic_grad_at_fakes:.3g}")
        st.caption("With clipping the critic's slope is tiny (its Lipschitz constant is set "
                   "by c = 0.01) but still non-zero and nearly constant; the gradient penalty "
                   "holds it near 1 (a little above: the penalty is soft).")
    result()


# ---- 3. EM vs JS along training ---------------------------------------------------------------
def section_em_vs_js(ss) -> None:
    _prose(ss, theory_text.EM_VS_JS)
    c = st.columns([1, 1, 1, 1, 1.3])  # the button's label needs ~150 px, ~200 in presenter
    dataset = c[0].selectbox("dataset", DATASETS_3, key=w("dataset"))
    steps = c[1].select_slider("steps per run", (500, 1000, 2000, 4000), 1000, key=w("steps"))
    every = c[2].select_slider("evaluate every", (25, 50, 100, 200), 50, key=w("every"))
    kernel = c[3].select_slider("median kernel", (1, 3, 5, 7, 9, 11, 15, 21), 5,
                                key=w("kernel"))
    if c[4].button("Compare ns vs wgan_gp", key=w("compare")):
        _submit(ss, "compare", {"kind": "compare", "dataset": dataset, "steps": int(steps),
                                "eval_every": int(every)})
    _, view, _ = _view(ss, "compare")
    if view is None:
        st.info(f"Press **Compare ns vs wgan_gp** to train both runs side by side ({steps:,} "
                "steps each; the curves grow while you read).")
        return
    busy = not theory_text.compare_done(view)

    @st.fragment(run_every=TICK_S if busy else None)
    @guard.fragment
    def compare() -> None:
        _, v, status = _view(ss, "compare")
        done = theory_text.compare_done(v)
        if busy and done:
            st.rerun()
        step = min((int(cv.step[-1]) for cv in v.curves.values()), default=0)
        st.progress(1.0 if done else step / v.steps, text=theory_text.compare_progress(v))
        _waiting(status)
        if not v.curves:
            return
        st.plotly_chart(figs.em_vs_js_figure(em_vs_js.smoothed(v.curves, int(kernel)),
                                             int(kernel), _style(ss)), key="theory_em", theme=None)
    compare()


# The tabs in page order: label -> view(session state); the link names them by
# `urlstate.theory.TABS`, in the same order.
TABS = {"1 · Parallel lines": section_lines,
        "2 · Saturating D vs linear critic": section_saturation,
        "3 · EM vs JS while training": section_em_vs_js}
