"""The 2D lab's curves: D and G losses, the mode-coverage meter, and divergences over time.

Pure functions of a numpy `Snapshot2D`; the snapshot's histories are already thinned to at most
2,000 points per curve. Colours come from `palette.SERIES`, one per quantity. Every curve over
steps marks the steps where a setting was changed live (`Snapshot2D.events`).
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..snapshot import Snapshot2D
from . import palette
from .style import NORMAL, Style, axis, base_layout, figure, fit

CURVE_LEGEND_Y = -0.2  # below the tick labels (x is always the step, or the mode index)
LOG2 = math.log(2.0)  # the ceiling of the JS divergence in nats: disjoint supports
# A loss axis spans the 2nd-98th percentile of the visible values plus a margin: one spike
# (50M after a divergence) otherwise flattened the curves for the rest of the run.
ROBUST_PCTL = (2.0, 98.0)  # then widened by half the spread (robust_range)
EVENT_LABELS = 4  # label the last few change markers; older ones keep their line only


def step_axis(steps: np.ndarray, **extra) -> dict:
    """An x axis over training steps: from 0, at least 0-100 (a one-point series at step 0
    otherwise got ticks '0, 500m, 1'), a few ticks in SI form (2k, not 2000)."""
    last = float(np.nanmax(steps)) if len(steps) else 0.0
    return axis("", range=[0, max(100.0, last * 1.02)], nticks=5, tickformat="~s", **extra)


def _line(x, y, name: str, key: str, style: Style, **extra) -> dict:
    # A series of one or two points (a freshly loaded shipped run) is invisible as a line.
    mode = "lines" if len(x) > 2 else "lines+markers"
    return {"type": "scatter", "x": x, "y": y, "mode": mode, "name": name,
            "connectgaps": True,  # a D-only or G-only step leaves NaN in the other curve
            "line": {"color": palette.SERIES[key], "width": style.line}, **extra}


def _empty_note(text: str, xref: str = "paper", yref: str = "paper", x: float = 0.5) -> dict:
    return {"text": text, "xref": xref, "yref": yref, "x": x, "y": 0.5, "showarrow": False,
            "font": {"color": "#777"}}


def event_marks(snap: Snapshot2D, xrefs: tuple[str, ...], labels: bool = True
                ) -> tuple[list[dict], list[dict]]:
    """Vertical dotted lines at every live change on each listed x axis, the latest few
    labelled ('lr_d 0.0001→0.001') if `labels`. Returns (shapes, annotations)."""
    shapes, notes = [], []
    for i, (step, label) in enumerate(snap.events):
        labelled = labels and i >= len(snap.events) - EVENT_LABELS
        for x in xrefs:
            yref = f"{'y' + x[1:] if len(x) > 1 else 'y'} domain"
            shapes.append({"type": "line", "xref": x, "yref": yref, "x0": step, "x1": step,
                           "y0": 0, "y1": 1, "line": {"color": palette.EVENT, "width": 1,
                                                      "dash": "dot"}})
            if labelled:
                notes.append({"text": _short(label), "xref": x, "yref": yref, "x": step,
                              "y": 1, "xanchor": "left", "yanchor": "top", "showarrow": False,
                              "textangle": 0, "font": {"size": 10, "color": "#555"},
                              "bgcolor": "rgba(255,255,255,0.7)"})
    return shapes, notes


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def robust_range(*series: np.ndarray) -> list[float] | None:
    """[lo, hi] covering the bulk of the finite values, padded by 10%; None if there are
    none. Outliers beyond it are clipped off the chart, not allowed to flatten it."""
    values = np.concatenate([np.asarray(s, dtype=np.float64).ravel() for s in series])
    values = values[np.isfinite(values)]
    if not values.size:
        return None
    # the bulk, widened by half its spread on each side: ordinary noise stays on the chart
    # and only far outliers (a divergence's 5e7) fall off it
    lo, hi = np.percentile(values, ROBUST_PCTL)
    spread = hi - lo if hi > lo else max(abs(hi), 1.0) * 0.2
    lo, hi = max(values.min(), lo - 0.5 * spread), min(values.max(), hi + 0.5 * spread)
    pad = 0.08 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.1
    return [float(lo - pad), float(hi + pad)]


def loss_figure(snap: Snapshot2D, style: Style = NORMAL) -> go.Figure:
    h = snap.history
    step = h.get("step", np.zeros(0, np.float32))
    d, g = h.get("d_loss", step), h.get("g_loss", step)
    data = [_line(step, d, "D loss", "d_loss", style), _line(step, g, "G loss", "g_loss", style)]
    shapes, notes = event_marks(snap, ("x",))
    y_range = robust_range(d, g)
    clipped = 0 if y_range is None else int(np.sum(
        [np.sum((v < y_range[0]) | (v > y_range[1])) for v in (d, g)
         if len(v)], dtype=np.int64))
    if clipped:
        notes.append({"text": f"{clipped} off-scale values not shown", "xref": "paper",
                      "yref": "paper", "x": 1, "y": 1.0, "xanchor": "right", "yanchor": "bottom",
                      "showarrow": False, "font": {"size": 10, "color": "#777"}})
    layout = base_layout(style, style.curve_height, legend_y=CURVE_LEGEND_Y,
                         font_size=style.curve_font, title={"text": "Losses", "x": 0.01},
                         xaxis=step_axis(step),
                         yaxis=axis("loss", **({"range": y_range} if y_range else {})),
                         shapes=shapes, meta={"fit": fit(*style.fit_curves)})
    if len(step) == 0:
        notes.append(_empty_note("press Train or Step"))
    layout["annotations"] = notes
    return figure(data, layout)


def coverage_figure(snap: Snapshot2D, style: Style = NORMAL) -> go.Figure:
    """Fakes per nearest mode, the high-quality (within 3 std) part solid | over steps: modes
    captured and % high quality (both in %, sharing an axis; the tiles give k/K) and the
    reverse KL of the HQ mode histogram (right). A collapse shows as one tall bar even while
    the protocol's numbers read 0 (a blob just outside 3 std of its mode)."""
    m = snap.metric_history
    step = m.get("step", np.zeros(0, np.float32))
    data: list[dict] = []
    notes: list[dict] = []
    k = max(snap.n_modes, 1)
    if snap.n_modes and snap.mode_counts is not None:
        hq = np.asarray(snap.mode_counts, dtype=np.float32)
        near = np.asarray(snap.mode_nearest if snap.mode_nearest is not None else hq,
                          dtype=np.float32)
        idx = np.arange(1, len(hq) + 1)
        data.append({"type": "bar", "x": idx, "y": hq, "name": "within 3 std",
                     "marker": {"color": palette.MODE}, "xaxis": "x", "yaxis": "y",
                     "showlegend": False, "customdata": near,
                     "hovertemplate": "mode %{x}: %{y} of %{customdata} fakes within 3 std"
                                      "<extra></extra>"})
        data.append({"type": "bar", "x": idx, "y": near - hq, "name": "nearest, not HQ",
                     "marker": {"color": palette.MODE_LIGHT}, "xaxis": "x", "yaxis": "y",
                     "showlegend": False, "hoverinfo": "skip"})
    else:
        msg = "no ground-truth modes" if not snap.n_modes else "no evaluation yet"
        notes.append(_empty_note(msg, "x domain", "y domain"))
    if "modes" in m:
        modes = np.asarray(m["modes"], np.float32)
        data.append(_line(step, 100 * modes / k, "modes captured", "modes", style,
                          xaxis="x2", yaxis="y2", customdata=modes,
                          hovertemplate="step %{x}: %{customdata:.0f} of " + str(k)
                          + " modes<extra></extra>"))
        data.append(_line(step, m["hq_pct"], "% HQ", "hq_pct", style, xaxis="x2", yaxis="y2"))
        data.append(_line(step, m["rkl"], "reverse KL", "rkl", style, xaxis="x2", yaxis="y3"))
    shapes, marks = event_marks(snap, ("x2",), labels=False)  # labelled on the losses
    rkl_top = max(math.log(k), 0.1) * 1.05  # ln K = every sample on one mode
    # No legend (it wrapped into a tall column in this narrow panel): the axis titles are
    # written in their series' colours instead.
    pct = (f"{_coloured('modes', 'modes')}, {_coloured('HQ', 'hq_pct')} %")
    layout = base_layout(
        style, style.curve_height, legend_y=CURVE_LEGEND_Y, barmode="stack", showlegend=False,
        font_size=style.curve_font,
        title={"text": "Fakes per mode | over steps", "x": 0.01},
        # the right panel starts at 0.5 so its y title and ticks clear the bars on narrow
        # screens (at 0.42 they overlapped on a 1280 px page)
        xaxis=axis("", domain=[0.0, 0.3], dtick=1 if k <= 10 else 5, tickangle=0),
        yaxis=axis("fakes", rangemode="tozero", nticks=4),
        xaxis2=step_axis(step, domain=[0.5, 0.84]),
        yaxis2=axis(pct, anchor="x2", range=[0, 105], dtick=25),
        yaxis3=axis("rev. KL", palette.SERIES["rkl"], anchor="x2", overlaying="y2",
                    side="right", range=[0, rkl_top], nticks=4, tickformat=".1f",
                    showgrid=False),
        shapes=shapes, annotations=notes + marks, meta={"fit": fit(*style.fit_curves)},
    )
    return figure(data, layout)


def _coloured(text: str, key: str) -> str:
    return f"<span style='color:{palette.SERIES[key]}'>{text}</span>"


def _js_floor(m: dict[str, np.ndarray]) -> float:
    """Bottom of the JS panel: a little below 0, lower if D's bound goes negative (a D worse
    than chance gives a negative bound)."""
    values = [v for k in ("jsd", "js_bound") if k in m for v in m[k] if np.isfinite(v)]
    return min(-0.02, 1.1 * float(min(values))) if values else -0.02


def divergence_figure(snap: Snapshot2D, style: Style = NORMAL) -> go.Figure:
    """Exact W1 | the histogram JSD estimate and D's JS lower bound, with the log 2 ceiling.
    Side by side so students see W1 keep falling while JS sits at log 2 (disjoint supports)."""
    m = snap.metric_history
    step = m.get("step", np.zeros(0, np.float32))
    data: list[dict] = []
    notes: list[dict] = []
    if "w1" in m:
        data.append(_line(step, m["w1"], "W1", "w1", style, xaxis="x", yaxis="y"))
        data.append(_line(step, m["jsd"], "JSD", "jsd", style, xaxis="x2", yaxis="y2"))
        bound = m.get("js_bound")
        if bound is not None and np.isfinite(bound).any():
            data.append(_line(step, bound, "D's JS bound", "js_bound", style,
                              xaxis="x2", yaxis="y2", line={"color": palette.SERIES["js_bound"],
                                                            "width": style.line,
                                                            "dash": "dot"}))
        else:
            notes.append(_empty_note("this loss implies no JS bound", "x2 domain",
                                     "y2 domain"))
    else:
        notes.append(_empty_note("no evaluation yet"))
    shapes, marks = event_marks(snap, ("x", "x2"), labels=False)  # labelled on the losses
    layout = base_layout(
        style, style.curve_height, legend_y=CURVE_LEGEND_Y, font_size=style.curve_font,
        title={"text": "W1 | JS (nats)", "x": 0.01},
        xaxis=step_axis(step, domain=[0.0, 0.42]), yaxis=axis("W1", rangemode="tozero",
                                                              nticks=5),
        xaxis2=step_axis(step, domain=[0.58, 1.0]),
        yaxis2=axis("", anchor="x2", range=[_js_floor(m), LOG2 * 1.08], tickvals=[0, 0.2,
                                                                               0.4, LOG2],
                    ticktext=["0", "0.2", "0.4", "log 2"]),
        shapes=shapes + [{"type": "line", "xref": "x2 domain", "yref": "y2", "x0": 0, "x1": 1,
                          "y0": LOG2, "y1": LOG2, "line": {"color": palette.CEILING,
                                                           "dash": "dash", "width": 1}}],
        annotations=notes + marks, meta={"fit": fit(*style.fit_curves)},
    )
    return figure(data, layout)
