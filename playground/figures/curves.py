"""Curves every lab draws: the D and G losses over steps with a robust range, step axes, and
the markers of live changes (`Snapshot.events`). Pure functions of a numpy `Snapshot`, whose
histories are already thinned to at most 2,000 points per curve.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from playground.engine.snapshot import Snapshot
from playground.figures import palette
from playground.figures.style import NORMAL, Style, axis, base_layout, figure, fit

CURVE_LEGEND_Y = -0.2  # below the tick labels (x is always the step, or the mode index)
LOG2 = math.log(2.0)  # the ceiling of the JS divergence in nats: disjoint supports
# A loss axis spans the 2nd-98th percentile of the visible values plus a margin: one spike
# (50M after a divergence) otherwise flattened the curves for the rest of the run.
ROBUST_PCTL = (2.0, 98.0)  # then widened by half the spread (robust_range)
EVENT_LABELS = 4  # label the last few change markers; older ones keep their line only
# A label is at most 22 characters (~125 px at 10 px): half of a 1280 px page's loss plot
# (~300 px), so one anchored at its line never crosses the plot's edge.
EVENT_CHARS = 22
LABEL_NEAR = 0.3  # labels of changes closer than this share of the x axis take turns in rows
LABEL_ROWS, LABEL_ROW_H = 3, 0.12  # rows of labels, and a row's height as a share of the plot


def step_axis(steps: np.ndarray, nticks: int = 5, **extra) -> dict:
    """An x axis over training steps: from 0, at least 0-100 (a one-point series at step 0
    otherwise got ticks '0, 500m, 1'), `nticks` ticks at most in SI form (2k, not 2000)."""
    last = float(np.nanmax(steps)) if len(steps) else 0.0
    return axis("", range=[0, max(100.0, last * 1.02)], nticks=nticks, tickformat="~s",
                **extra)


def line(x, y, name: str, key: str, style: Style, **extra) -> dict:
    # A series of one or two points (a freshly loaded shipped run) is invisible as a line.
    mode = "lines" if len(x) > 2 else "lines+markers"
    return {"type": "scatter", "x": x, "y": y, "mode": mode, "name": name,
            "connectgaps": True,  # a D-only or G-only step leaves NaN in the other curve
            "line": {"color": palette.SERIES[key], "width": style.line}, **extra}


def note(text: str, xref: str = "paper", yref: str = "paper", x: float = 0.5) -> dict:
    return {"text": text, "xref": xref, "yref": yref, "x": x, "y": 0.5, "showarrow": False,
            "font": {"color": "#777"}}


def event_marks(snap: Snapshot, xrefs: tuple[str, ...], labels: bool = True,
                x_max: float | None = None) -> tuple[list[dict], list[dict]]:
    """Vertical dotted lines at every live change on each listed x axis (a change repeated
    with nothing between, e.g. replayed after a rollback, once), the latest few labelled
    ('lr_d→0.001') if `labels`. Labels stay inside the plot: one right of the axis middle
    ends at its line (anchored on its right), and labels of nearby changes take turns in
    LABEL_ROWS rows instead of printing over each other. `x_max` is the x axis's upper end
    (the last event's step if None). Returns (shapes, annotations)."""
    events = distinct_events(snap.events)
    top = x_max or max([s for s, _ in events], default=0) or 1.0
    shapes, notes = [], []
    row, last_step = 0, None
    for i, (step, label) in enumerate(events):
        labelled = labels and i >= len(events) - EVENT_LABELS
        if labelled:  # the next row down if the previous label is close by, else the top
            near = last_step is not None and step - last_step < LABEL_NEAR * top
            row, last_step = (row + 1) % LABEL_ROWS if near else 0, step
        for x in xrefs:
            yref = f"{'y' + x[1:] if len(x) > 1 else 'y'} domain"
            shapes.append({"type": "line", "xref": x, "yref": yref, "x0": step, "x1": step,
                           "y0": 0, "y1": 1, "line": {"color": palette.EVENT, "width": 1,
                                                      "dash": "dot"}})
            if labelled:
                notes.append({"text": event_text(label), "hovertext": label, "xref": x,
                              "yref": yref, "x": step, "y": 1 - LABEL_ROW_H * row,
                              "xanchor": "right" if step > 0.5 * top else "left",
                              "yanchor": "top", "showarrow": False, "textangle": 0,
                              "font": {"size": 10, "color": "#555"},
                              "bgcolor": "rgba(255,255,255,0.7)"})
    return shapes, notes


def distinct_events(events) -> list[tuple[int, str]]:
    """The events without a change that repeats the one before it (same label)."""
    out: list[tuple[int, str]] = []
    for step, label in events:
        if not out or out[-1][1] != label:
            out.append((int(step), label))
    return out


def event_text(label: str) -> str:
    """A marker's label: each change as its field and new value ('loss ns→lsgan' reads
    'loss→lsgan'; the full change is the label's hover text), cut to EVENT_CHARS."""
    parts = []
    for part in label.split(", "):
        name, arrow, new = part.partition("→")
        parts.append(f"{name.split(' ')[0]}→{new}" if arrow else part)
    return _short(", ".join(parts))


def cursor_shapes(step: int | None, xrefs: tuple[str, ...]) -> list[dict]:
    """A solid line at `step` on each x axis: where a scrubbed-back picture sits in time."""
    if step is None:
        return []
    return [{"type": "line", "xref": x, "yref": f"{'y' + x[1:] if len(x) > 1 else 'y'} domain",
             "x0": step, "x1": step, "y0": 0, "y1": 1, "line": {"color": "#000", "width": 2}}
            for x in xrefs]


def _short(label: str, limit: int = EVENT_CHARS) -> str:
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


def loss_figure(snap: Snapshot, style: Style = NORMAL, cursor: int | None = None) -> go.Figure:
    h = snap.history
    step = h.get("step", np.zeros(0, np.float32))
    d, g = h.get("d_loss", step), h.get("g_loss", step)
    data = [line(step, d, "D loss", "d_loss", style), line(step, g, "G loss", "g_loss", style)]
    x_axis = step_axis(step)
    shapes, notes = event_marks(snap, ("x",), x_max=x_axis["range"][1])
    shapes += cursor_shapes(cursor, ("x",))
    y_range = robust_range(d, g)
    clipped = 0 if y_range is None else int(np.sum(
        [np.sum((v < y_range[0]) | (v > y_range[1])) for v in (d, g)
         if len(v)], dtype=np.int64))
    if clipped:
        values = "value" if clipped == 1 else "values"
        notes.append({"text": f"{clipped} off-scale {values} not shown", "xref": "paper",
                      "yref": "paper", "x": 1, "y": 1.0, "xanchor": "right", "yanchor": "bottom",
                      "showarrow": False, "font": {"size": 10, "color": "#777"}})
    layout = base_layout(style, style.curve_height, legend_y=CURVE_LEGEND_Y,
                         font_size=style.curve_font, title={"text": "Losses", "x": 0.01},
                         xaxis=x_axis,
                         yaxis=axis("loss", **({"range": y_range} if y_range else {})),
                         shapes=shapes, meta={"fit": fit(*style.fit_curves)})
    if len(step) == 0:
        notes.append(note("press Train or Step"))
    layout["annotations"] = notes
    return figure(data, layout)
