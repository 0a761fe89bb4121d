"""The theory lab's figures: pure functions of the numpy results of `playground.theory`.

Parallel lines (closed forms, the two laws, learned estimates, theta over training), the
saturating D against the linear critic, and EM vs JS along 2D runs. No torch, no state.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures import palette
from playground.figures.style import NORMAL, Style

LOG2 = math.log(2.0)
INF_DRAWN_AT = 1.6  # where +inf is drawn on the divergence axis (labelled, not a value)
GRAD_FLOOR = 1e-12  # |dtheta| below this (0 in float32) is drawn at the floor on a log axis
HEIGHT = 380
# Section 1's two charts in presenter mode (x 1.3 = 390 px): below the title, tabs and the
# row of numbers they end inside a 1280 x 800 screen (measured: top at 390 px).
FIRST_SCREEN_HEIGHT = 300


def _layout(fig: go.Figure, title: str, height: int = HEIGHT,
            style: Style = NORMAL) -> go.Figure:
    """Shared layout; presenter mode scales the font (every text: ticks, legend, subplot
    titles) and the height with `style` (13 px text measured too small on a projector)."""
    scale = style.font_size / NORMAL.font_size
    fig.update_layout(title={"text": title, "x": 0.01}, height=int(height * min(scale, 1.3)),
                      font={"family": palette.FONT, "size": style.font_size},
                      template="plotly_white",
                      margin={"l": 55, "r": 20, "t": 30 + 2 * style.font_size, "b": 40},
                      legend={"orientation": "h", "y": -0.18, "x": 0,
                              "font": {"size": style.font_size}}, uirevision="theory")
    fig.update_annotations(font_size=style.font_size)  # subplot titles
    return fig


def _legend_at_bottom(fig: go.Figure, style: Style) -> go.Figure:
    """A one-row legend at the chart's bottom edge, below the x-axis title: placed in plot
    coordinates (y = -0.18) it overlapped the title once the chart was short (390 px)."""
    return fig.update_layout(legend={"yref": "container", "y": 0.0, "yanchor": "bottom"},
                             margin={"b": 44 + 2 * style.font_size})


def _f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def round_ticks(y: np.ndarray, most: int = 8) -> tuple[list[float], list[float]]:
    """Round tick values inside the range of data `y` (padded 5 % each side, as plotly's
    autorange does), and that range. Step = 1, 2 or 5 x 10^k, the smallest that spans the
    range in at most `most` steps, so 3 to `most` + 1 ticks show (plotly's own ticks on an
    overlaying axis followed the primary's grid: 11.61, 6.8, 2, -2.81)."""
    finite = np.asarray(y, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo < 1e-12 * max(1.0, abs(lo)):  # a flat line: a unit band around it
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    base = 10.0 ** math.floor(math.log10((hi - lo) / most))
    step = next(m * base for m in (1, 2, 5, 10) if (hi - lo) / (m * base) <= most)
    ks = range(math.ceil(lo / step), math.floor(hi / step) + 1)
    return [float(round(k * step, 12)) for k in ks], [lo, hi]


# ---- section 1: parallel lines ----------------------------------------------------------
def closed_forms_figure(theta: np.ndarray, w: np.ndarray, js: np.ndarray, kl: np.ndarray,
                        tv: np.ndarray, theta_now: float, style: Style = NORMAL,
                        height: int = HEIGHT) -> go.Figure:
    """W, JS, KL, TV against theta. Values at theta = 0 are drawn as dots and the lines are
    broken there, so the jumps of JS, KL and TV show as jumps; +inf is drawn at a labelled cap."""
    fig = go.Figure()
    at0 = theta == 0
    for key, name, y in (("w", "W (earth mover)", w), ("js", "JS", js),
                         ("kl", "KL", kl), ("tv", "TV", tv)):
        drawn = np.where(np.isinf(y), INF_DRAWN_AT, y)
        line = np.where(at0 & (key != "w"), np.nan, drawn)
        colour = palette.DIVERGENCE[key]
        fig.add_scatter(x=_f32(theta), y=_f32(line), mode="lines", name=name,
                        line={"color": colour, "width": 2.5, "dash": "dot" if key == "kl"
                              else "solid"}, legendgroup=key)
        if key != "w" and at0.any():
            fig.add_scatter(x=[0.0], y=[0.0], mode="markers", legendgroup=key,
                            showlegend=False, marker={"color": colour, "size": 9},
                            hovertemplate=f"{name}(0) = 0<extra></extra>")
    now = float(theta_now)
    fig.add_vline(x=now, line={"color": palette.PUSH, "dash": "dash", "width": 1})
    fig.add_hline(y=LOG2, line={"color": palette.CEILING, "width": 1, "dash": "dot"},
                  annotation_text="log 2", annotation_position="bottom right")
    fig.add_annotation(x=float(theta.max()), y=INF_DRAWN_AT, text="KL = +∞", showarrow=False,
                       xanchor="right", yanchor="bottom", font={"color": palette.DIVERGENCE["kl"]})
    fig.update_xaxes(title_text="θ")
    fig.update_yaxes(title_text="divergence / distance", range=[-0.05, INF_DRAWN_AT + 0.2])
    return _legend_at_bottom(_layout(fig, f"Closed forms (θ = {now:g}: W = {abs(now):.3g})",
                                     height, style), style)


def lines_figure(real: np.ndarray, fake: np.ndarray, theta: float,
                 style: Style = NORMAL, height: int = HEIGHT) -> go.Figure:
    """The supports of P0 (x = 0) and P_theta (x = theta) on [0, 1], with a few samples and
    the transport: every point moves |theta| horizontally."""
    fig = go.Figure()
    for x0, name, colour, pts in ((0.0, "P0 = (0, Z)", palette.REAL, real),
                                  (float(theta), "Pθ = (θ, Z)", palette.FAKE, fake)):
        fig.add_scatter(x=[x0, x0], y=[0.0, 1.0], mode="lines", name=name,
                        line={"color": colour, "width": 6}, opacity=0.35, legendgroup=name)
        fig.add_scatter(x=_f32(pts[:, 0]), y=_f32(pts[:, 1]), mode="markers",
                        marker={"color": colour, "size": 6}, showlegend=False, legendgroup=name)
    if theta != 0:
        for y in (0.25, 0.5, 0.75):
            fig.add_annotation(x=0.0, y=y, ax=float(theta), ay=y, xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=2,
                               arrowcolor=palette.PUSH, text="")
    fig.update_xaxes(title_text="x₁", range=[-2.1, 2.1])
    fig.update_yaxes(title_text="x₂ = Z ~ U[0, 1]", range=[-0.1, 1.1])
    return _legend_at_bottom(_layout(fig, "The two laws: disjoint lines unless θ = 0", height,
                                     style), style)


def estimates_figure(theta: np.ndarray, w: np.ndarray, js: np.ndarray,
                     rows_theta: np.ndarray, js_learned: np.ndarray, w_learned: np.ndarray,
                     w_gap: np.ndarray, w1_sample: np.ndarray,
                     style: Style = NORMAL) -> go.Figure:
    """Closed forms as lines, learned estimates as markers at the estimated thetas."""
    fig = go.Figure()
    js_line = np.where(theta == 0, np.nan, js)
    fig.add_scatter(x=_f32(theta), y=_f32(w), mode="lines", name="W = |θ|",
                    line={"color": palette.DIVERGENCE["w"], "width": 2})
    fig.add_scatter(x=_f32(theta), y=_f32(js_line), mode="lines", name="JS (closed form)",
                    line={"color": palette.DIVERGENCE["js"], "width": 2})
    marks = (("learned JS: log 2 - L_D/2", js_learned, palette.DIVERGENCE["js"], "diamond"),
             ("learned W: critic gap / slope", w_learned, palette.DIVERGENCE["w"], "circle"),
             ("raw critic gap E f(real) - E f(fake)", w_gap, palette.DIVERGENCE["w"],
              "circle-open"),
             ("exact W1 of the two samples", w1_sample, palette.PUSH, "x"))
    for name, y, colour, symbol in marks:
        fig.add_scatter(x=_f32(rows_theta), y=_f32(y), mode="markers", name=name,
                        marker={"color": colour, "size": 10, "symbol": symbol})
    fig.update_xaxes(title_text="θ")
    fig.update_yaxes(title_text="estimate")
    return _layout(fig, "Learned estimates on samples against the closed forms",
                   style=style)


def theta_figure(traces: dict, theta0: float, style: Style = NORMAL) -> go.Figure:
    """theta over updates (top) and |dtheta| on a log axis (bottom), one colour per loss.
    `traces`: loss id -> object with numpy `step`, `theta`, `grad` (a theta_game.ThetaTrace)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("θ (P0 sits at 0)", "|dθ| the generator receives"))
    for loss_id, tr in traces.items():
        colour = palette.LOSS.get(loss_id, palette.PUSH)
        fig.add_scatter(x=_f32(tr.step), y=_f32(tr.theta), mode="lines", name=loss_id,
                        line={"color": colour, "width": 2}, legendgroup=loss_id, row=1, col=1)
        g = np.maximum(np.abs(np.asarray(tr.grad, dtype=np.float64)), GRAD_FLOOR)
        fig.add_scatter(x=_f32(tr.step[1:]), y=_f32(g[1:]), mode="lines", showlegend=False,
                        line={"color": colour, "width": 1.5}, legendgroup=loss_id,
                        row=2, col=1)
    fig.add_hline(y=0.0, line={"color": palette.CEILING, "dash": "dot"}, row=1, col=1)
    fig.update_yaxes(title_text="θ", row=1, col=1)
    fig.update_yaxes(title_text="|dθ|", type="log", row=2, col=1)
    fig.update_xaxes(title_text="θ update", row=2, col=1)
    return _layout(fig, f"Training θ from θ0 = {theta0:g}", height=560, style=style)


# ---- section 2: saturating D vs linear critic ---------------------------------------------
def saturation_figure(x: np.ndarray, p_real: np.ndarray, p_fake: np.ndarray,
                      d_prob: np.ndarray, d_grad: np.ndarray, critic: np.ndarray,
                      critic_grad: np.ndarray, style: Style = NORMAL) -> go.Figure:
    """Top: the two densities, D(x) and the critic f(x) (right axis). Bottom: |dD/dx| and
    |df/dx| on a log axis: D's slope collapses where the fakes are, the critic's does not."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        specs=[[{"secondary_y": True}], [{}]],
                        subplot_titles=("D(x), critic f(x) and the data",
                                        "gradient magnitude (log scale)"))
    x32 = _f32(x)
    fig.add_scatter(x=x32, y=_f32(p_real), fill="tozeroy", name="real density",
                    line={"color": palette.REAL}, row=1, col=1)
    fig.add_scatter(x=x32, y=_f32(p_fake), fill="tozeroy", name="fake density",
                    line={"color": palette.FAKE}, row=1, col=1)
    fig.add_scatter(x=x32, y=_f32(d_prob), name="D(x) = sigmoid(s(x))",
                    line={"color": palette.DISCRIMINATOR, "width": 3}, row=1, col=1)
    fig.add_scatter(x=x32, y=_f32(critic), name="critic f(x)",
                    line={"color": palette.CRITIC, "width": 3, "dash": "dash"},
                    row=1, col=1, secondary_y=True)
    fig.add_scatter(x=x32, y=_f32(np.maximum(np.abs(d_grad), GRAD_FLOOR)), name="|dD/dx|",
                    line={"color": palette.DISCRIMINATOR, "width": 2}, row=2, col=1)
    fig.add_scatter(x=x32, y=_f32(np.maximum(np.abs(critic_grad), GRAD_FLOOR)),
                    name="|df/dx|", line={"color": palette.CRITIC, "width": 2, "dash": "dash"},
                    row=2, col=1)
    fig.update_yaxes(title_text="density, D(x)", row=1, col=1, secondary_y=False)
    ticks, span = round_ticks(critic)
    fig.update_yaxes(title_text="f(x)", row=1, col=1, secondary_y=True, showgrid=False,
                     tickmode="array", tickvals=ticks, range=span)
    fig.update_yaxes(title_text="|gradient|", type="log", row=2, col=1)
    fig.update_xaxes(title_text="x", row=2, col=1)
    return _layout(fig, "A sigmoid discriminator saturates; a WGAN critic stays linear",
                   height=620, style=style)


# ---- section 3: EM vs JS along training ---------------------------------------------------
def em_vs_js_figure(curves: dict, kernel: int, style: Style = NORMAL) -> go.Figure:
    """Per run (colour): W estimates (exact W1 solid, critic gap dashed, critics only), JS
    estimates (histogram solid, D's bound dashed), and modes captured. `curves`: preset ->
    em_vs_js.Curves, already smoothed."""
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=("EM: exact W1, and the critic's estimate",
                                        "JS: histogram estimate, and D's bound",
                                        "quality: modes captured"))
    for preset, c in curves.items():
        colour = palette.LOSS.get(c.loss, palette.PUSH)
        step = _f32(c.step)
        series: Sequence[tuple[int, str, np.ndarray, str]] = (
            (1, "exact W1", c.w1, "solid"),
            (1, "critic estimate", c.critic_gap if c.is_critic else None, "dash"),
            (2, "JSD (histogram)", c.jsd, "solid"),
            (2, "JS bound of D", None if c.is_critic else c.js_bound, "dash"),
            (3, "modes", c.modes if c.n_modes else None, "solid"))
        for row, what, y, dash in series:
            if y is None:
                continue
            fig.add_scatter(x=step, y=_f32(y), mode="lines", name=f"{preset}: {what}",
                            line={"color": colour, "dash": dash, "width": 2},
                            legendgroup=preset, row=row, col=1)
    fig.add_hline(y=LOG2, line={"color": palette.CEILING, "dash": "dot"}, row=2, col=1,
                  annotation_text="log 2", annotation_position="bottom right")
    fig.update_yaxes(title_text="W", row=1, col=1)
    fig.update_yaxes(title_text="JS (nats)", row=2, col=1)
    fig.update_yaxes(title_text="modes", rangemode="tozero", row=3, col=1)
    fig.update_xaxes(title_text="step", row=3, col=1)
    return _layout(fig, f"EM vs JS during training (median filter, kernel {kernel})",
                   height=760, style=style)
