"""The 2D lab's curves: D and G losses, the mode-coverage meter, and divergences over time.

Pure functions of a numpy `Snapshot`; the snapshot's histories are already thinned to at most
2,000 points per curve. Colours come from `palette.SERIES`, one per quantity.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..snapshot import Snapshot
from . import palette
from .style import NORMAL, Style, axis, base_layout, figure

CURVE_LEGEND_Y = -0.15  # below the tick labels (x is always the step, or the mode index)
# Step axes: a few ticks in SI form (2k, not 2000), so narrow panels do not tilt their labels,
# always from step 0 (a shipped run's single evaluation at 5,000 otherwise got "4.9, 5k, 5.0").
STEPS = {"nticks": 5, "tickformat": "~s", "rangemode": "tozero"}
LOG2 = math.log(2.0)  # the ceiling of the JS divergence in nats: disjoint supports


def _line(x, y, name: str, key: str, style: Style, **extra) -> dict:
    # A series of one or two points (a freshly loaded shipped run) is invisible as a line.
    mode = "lines" if len(x) > 2 else "lines+markers"
    return {"type": "scatter", "x": x, "y": y, "mode": mode, "name": name,
            "connectgaps": True,  # a D-only or G-only step leaves NaN in the other curve
            "line": {"color": palette.SERIES[key], "width": style.line}, **extra}


def _empty_note(text: str, xref: str = "paper", yref: str = "paper", x: float = 0.5) -> dict:
    return {"text": text, "xref": xref, "yref": yref, "x": x, "y": 0.5, "showarrow": False,
            "font": {"color": "#777"}}


def loss_figure(snap: Snapshot, style: Style = NORMAL) -> go.Figure:
    h = snap.history
    step = h.get("step", np.zeros(0, np.float32))
    data = [_line(step, h.get("d_loss", step), "D loss", "d_loss", style),
            _line(step, h.get("g_loss", step), "G loss", "g_loss", style)]
    layout = base_layout(style, style.curve_height, legend_y=CURVE_LEGEND_Y,
                         title={"text": "Losses over steps", "x": 0.01},
                         xaxis=axis("", **STEPS), yaxis=axis("loss"))
    if len(step) == 0:
        layout["annotations"] = [_empty_note("press Train or Step")]
    return figure(data, layout)


def coverage_figure(snap: Snapshot, style: Style = NORMAL) -> go.Figure:
    """Per-mode bars | over time: modes captured and high-quality samples (both in % so they
    share an axis; the tiles give k/K) and the reverse KL of the mode histogram (right)."""
    m = snap.metric_history
    step = m.get("step", np.zeros(0, np.float32))
    data: list[dict] = []
    notes: list[dict] = []
    k = max(snap.n_modes, 1)
    if snap.n_modes and snap.mode_counts is not None:
        counts = np.asarray(snap.mode_counts, dtype=np.float32)
        data.append({"type": "bar", "x": np.arange(1, len(counts) + 1), "y": counts,
                     "name": "HQ samples per mode", "marker": {"color": palette.MODE},
                     "xaxis": "x", "yaxis": "y", "showlegend": False,
                     "hovertemplate": "mode %{x}: %{y} samples<extra></extra>"})
    else:
        msg = "no ground-truth modes" if not snap.n_modes else "no evaluation yet"
        notes.append(_empty_note(msg, "x domain", "y domain"))
    if "modes" in m:
        modes = np.asarray(m["modes"], np.float32)
        data.append(_line(step, 100 * modes / k, "modes captured", "modes", style,
                          xaxis="x2", yaxis="y2", customdata=modes,
                          hovertemplate="step %{x}: %{customdata:.0f} of " + str(k)
                          + " modes<extra></extra>"))
        data.append(_line(step, m["hq_pct"], "% high quality", "hq_pct", style,
                          xaxis="x2", yaxis="y2"))
        data.append(_line(step, m["rkl"], "reverse KL", "rkl", style, xaxis="x2", yaxis="y3"))
    layout = base_layout(
        style, style.curve_height, legend_y=CURVE_LEGEND_Y,
        title={"text": "Mode coverage: per mode | over steps", "x": 0.01},
        # The right panel starts at 0.5 so its y title and ticks clear the bars on narrow
        # screens (at 0.42 they overlapped on a 1280 px page).
        xaxis=axis("", domain=[0.0, 0.3], dtick=1 if k <= 10 else None),
        yaxis=axis("HQ samples", rangemode="tozero"),
        xaxis2=axis("", domain=[0.5, 0.86], **STEPS),
        yaxis2=axis("%", anchor="x2", range=[0, 105]),
        yaxis3=axis("reverse KL", palette.SERIES["rkl"], anchor="x2", overlaying="y2",
                    side="right", rangemode="tozero", showgrid=False),
        annotations=notes,
    )
    return figure(data, layout)


def _js_floor(m: dict[str, np.ndarray]) -> float:
    """Bottom of the JS panel: a little below 0, lower if D's bound goes negative (a D worse
    than chance gives a negative bound)."""
    values = [v for k in ("jsd", "js_bound") if k in m for v in m[k] if np.isfinite(v)]
    return min(-0.02, 1.1 * float(min(values))) if values else -0.02


def divergence_figure(snap: Snapshot, style: Style = NORMAL) -> go.Figure:
    """Exact W1 | the histogram JSD estimate and D's JS lower bound, with the log 2 ceiling.
    Side by side so students see W1 keep falling while JS sits at log 2 (disjoint supports)."""
    m = snap.metric_history
    step = m.get("step", np.zeros(0, np.float32))
    data: list[dict] = []
    notes: list[dict] = []
    if "w1" in m:
        data.append(_line(step, m["w1"], "W1 (exact)", "w1", style, xaxis="x", yaxis="y"))
        data.append(_line(step, m["jsd"], "JSD (histogram)", "jsd", style,
                          xaxis="x2", yaxis="y2"))
        bound = m.get("js_bound")
        if bound is not None and np.isfinite(bound).any():
            data.append(_line(step, bound, "JS bound from D", "js_bound", style,
                              xaxis="x2", yaxis="y2", line={"color": palette.SERIES["js_bound"],
                                                            "width": style.line,
                                                            "dash": "dot"}))
        else:
            notes.append(_empty_note("this loss implies no JS bound", "x2 domain",
                                     "y2 domain"))
    else:
        notes.append(_empty_note("no evaluation yet"))
    layout = base_layout(
        style, style.curve_height, legend_y=CURVE_LEGEND_Y,
        title={"text": "Divergences over steps", "x": 0.01},
        xaxis=axis("", domain=[0.0, 0.44], **STEPS), yaxis=axis("W1", rangemode="tozero"),
        xaxis2=axis("", domain=[0.56, 1.0], **STEPS),
        yaxis2=axis("nats", anchor="x2", range=[_js_floor(m), LOG2 * 1.08]),
        shapes=[{"type": "line", "xref": "x2 domain", "yref": "y2", "x0": 0, "x1": 1,
                 "y0": LOG2, "y1": LOG2, "line": {"color": palette.CEILING, "dash": "dash",
                                                  "width": 1}}],
        annotations=notes + [{"text": "log 2", "xref": "x2 domain", "yref": "y2", "x": 1.0,
                              "y": LOG2, "xanchor": "right", "yanchor": "bottom",
                              "showarrow": False, "font": {"color": "#777"}}],
    )
    return figure(data, layout)
