"""The 2D lab's curves: the mode-coverage meter and divergences over time (the losses are
every lab's: `curves.loss_figure`).

Pure functions of a numpy `Snapshot2D`. Colours come from `palette.SERIES`, one per quantity.
Every curve over steps marks the steps where a setting was changed live.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from playground.engine.snapshot import Snapshot2D
from playground.figures import palette
from playground.figures.curves import (
    CURVE_LEGEND_Y,
    LOG2,
    cursor_shapes,
    event_marks,
    line,
    note,
    step_axis,
)
from playground.figures.style import NORMAL, Style, axis, base_layout, figure, fit


def coverage_figure(snap: Snapshot2D, style: Style = NORMAL,
                    cursor: int | None = None) -> go.Figure:
    """Fakes per nearest mode, the high-quality (within 3 std) part solid | over steps: modes
    captured and % high quality (both in %, sharing an axis; the tiles give k/K) and the
    reverse KL of the HQ mode histogram (right). A collapse shows as one tall bar even while
    the protocol's numbers read 0 (a blob just outside 3 std of its mode). A part with nothing
    to draw yet (no ground truth, no evaluation) is a message, not empty axes."""
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
    bars = bool(data)
    if "modes" in m:
        modes = np.asarray(m["modes"], np.float32)
        data.append(line(step, 100 * modes / k, "modes captured", "modes", style,
                          xaxis="x2", yaxis="y2", customdata=modes,
                          hovertemplate="step %{x}: %{customdata:.0f} of " + str(k)
                          + " modes<extra></extra>"))
        data.append(line(step, m["hq_pct"], "% HQ", "hq_pct", style, xaxis="x2", yaxis="y2"))
        data.append(line(step, m["rkl"], "reverse KL", "rkl", style, xaxis="x2", yaxis="y3"))
    curves = "modes" in m
    if not snap.n_modes:  # a message in place of the whole chart, never empty axes
        # lines of ~36 characters: the panel is ~300 px wide at 1280 (a longer one was cut)
        notes.append(note("This data has no ground-truth modes:<br>"
                          "W1 and JS below measure the fit."))
    elif not bars:
        # in the bars' 30 % of the width (~90 px at 1280): short lines, from the left edge
        notes.append({**note("Bars: after<br>the next<br>evaluation", "paper", "paper", 0.0),
                      "xanchor": "left", "font": {"color": "#777", "size": 11}} if curves else note(
            "Fakes per mode: at the first evaluation (Train or Step)"))
    shapes, marks = event_marks(snap, ("x2",), labels=False)  # labelled on the losses
    shapes = shapes + cursor_shapes(cursor, ("x2",)) if curves else []
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
        xaxis=axis("", domain=[0.0, 0.3], dtick=1 if k <= 10 else 5, tickangle=0,
                   visible=bars),
        yaxis=axis("fakes", rangemode="tozero", nticks=4, visible=bars),
        xaxis2=step_axis(step, domain=[0.5, 0.84], visible=curves),
        yaxis2=axis(pct, anchor="x2", range=[0, 105], dtick=25, visible=curves),
        yaxis3=axis("rev. KL", palette.SERIES["rkl"], anchor="x2", overlaying="y2",
                    side="right", range=[0, rkl_top], nticks=4, tickformat=".1f",
                    showgrid=False, visible=curves),
        shapes=shapes, annotations=notes + marks, meta={"fit": fit(*style.fit_curves)},
    )
    return figure(data, layout)


def modes_near(snap: Snapshot2D) -> int | None:
    """What the bars show, in one number: how many modes are nearest to at least half a fair
    share (N / 2K) of the fakes. A tight collapse reads 1 while the 3 std rule reads 0 (the
    clump sits just outside 3 std, or between two modes); a G covering every mode reads K.
    None before any evaluation or without ground truth."""
    near = snap.mode_nearest
    if not snap.n_modes or near is None or not len(near) or near.sum() <= 0:
        return None
    return int(np.sum(near >= 0.5 * near.sum() / len(near)))


def _coloured(text: str, key: str) -> str:
    return f"<span style='color:{palette.SERIES[key]}'>{text}</span>"


def _js_floor(m: dict[str, np.ndarray]) -> float:
    """Bottom of the JS panel: a little below 0, lower if D's bound goes negative (a D worse
    than chance gives a negative bound)."""
    values = [v for k in ("jsd", "js_bound") if k in m for v in m[k] if np.isfinite(v)]
    return min(-0.02, 1.1 * float(min(values))) if values else -0.02


def divergence_figure(snap: Snapshot2D, style: Style = NORMAL,
                      cursor: int | None = None) -> go.Figure:
    """Exact W1 | the histogram JSD estimate and D's JS lower bound, with the log 2 ceiling.
    Side by side so students see W1 keep falling while JS sits at log 2 (disjoint supports)."""
    m = snap.metric_history
    step = m.get("step", np.zeros(0, np.float32))
    data: list[dict] = []
    notes: list[dict] = []
    if "w1" in m:
        data.append(line(step, m["w1"], "W1", "w1", style, xaxis="x", yaxis="y"))
        data.append(line(step, m["jsd"], "JSD", "jsd", style, xaxis="x2", yaxis="y2"))
        bound = m.get("js_bound")
        if bound is not None and np.isfinite(bound).any():
            data.append(line(step, bound, "D's JS bound", "js_bound", style,
                              xaxis="x2", yaxis="y2", line={"color": palette.SERIES["js_bound"],
                                                            "width": style.line,
                                                            "dash": "dot"}))
        else:
            notes.append(note("this loss implies no JS bound", "x2 domain",
                                     "y2 domain"))
    else:  # a message, not two empty panels
        notes.append(note("W1 and JS: at the first evaluation (Train or Step)"))
    shown = "w1" in m
    shapes, marks = event_marks(snap, ("x", "x2"), labels=False)  # labelled on the losses
    shapes = shapes + cursor_shapes(cursor, ("x", "x2")) if shown else []
    layout = base_layout(
        style, style.curve_height, legend_y=CURVE_LEGEND_Y, font_size=style.curve_font,
        title={"text": "W1 | JS (nats)", "x": 0.01},
        xaxis=step_axis(step, domain=[0.0, 0.42], visible=shown),
        yaxis=axis("W1", rangemode="tozero", nticks=5, visible=shown),
        xaxis2=step_axis(step, domain=[0.58, 1.0], visible=shown),
        yaxis2=axis("", anchor="x2", range=[_js_floor(m), LOG2 * 1.08], tickvals=[0, 0.2,
                                                                               0.4, LOG2],
                    ticktext=["0", "0.2", "0.4", "log 2"], visible=shown),
        shapes=shapes + [{"type": "line", "xref": "x2 domain", "yref": "y2", "x0": 0, "x1": 1,
                          "y0": LOG2, "y1": LOG2, "line": {"color": palette.CEILING,
                                                           "dash": "dash", "width": 1}}
                         ] * shown,
        annotations=notes + marks, meta={"fit": fit(*style.fit_curves)},
    )
    return figure(data, layout)
