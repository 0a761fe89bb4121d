"""The compare page's figures: the runs' pictures side by side in one figure (the same size,
the same step), one chart per metric with a line per run, and an animation of a timeline.

Pure functions of snapshots (a `lockstep.CompareSnapshot`'s runs) and their labels.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.engine.snapshot import Snapshot, Snapshot2D
from playground.figures.curves import event_marks, step_axis
from playground.figures.lab2d import Overlays, samples_figure
from playground.figures.style import NORMAL, Style, axis, base_layout, figure, fit

RUN_COLOURS = ("#1f78b4", "#e7298a", "#66a61e", "#d95f02")  # run 1..4 in every chart
ARROWS_ONLY = Overlays()
# (metric key, title, y title, y range or None)
METRICS_2D = (("modes_pct", "Modes captured", "% of modes", [0, 105]),
              ("hq_pct", "High quality", "% of fakes", [0, 105]),
              ("rkl", "Reverse KL", "nats", None),
              ("w1", "Exact W1 to real", "W1", None))
METRICS_IMAGE = (("classes", "Classes covered", "classes", [0, 10.5]),
                 ("class_kl", "Class KL", "nats", None), ("confidence", "Confidence", "", [0, 1]),
                 ("fd", "Fréchet distance", "", None))


def side_by_side(snaps: tuple[Snapshot2D, ...], labels: tuple[str, ...],
                 overlays: Overlays = ARROWS_ONLY, style: Style = NORMAL) -> go.Figure:
    """Each run's samples plot (D's surface, reals, fakes, overlays) in one row of equal
    panels on the same axes; the surfaces share one colour scale."""
    k = len(snaps)
    data, layout_axes = [], {}
    gap = 0.03
    width = (1 - gap * (k - 1)) / k
    for i, (snap, label) in enumerate(zip(snaps, labels, strict=True)):
        one = samples_figure(snap, overlays, style)
        ax = "" if i == 0 else str(i + 1)
        for trace in one.to_dict()["data"]:
            trace.update(xaxis=f"x{ax}", yaxis=f"y{ax}", showlegend=i == 0 and trace.get(
                "showlegend", True), legendgroup=trace.get("name"))
            if trace.get("type") == "heatmap":
                trace["showscale"] = i == k - 1
            data.append(trace)
        x0 = i * (width + gap)
        lo = one.layout
        layout_axes[f"xaxis{ax}"] = {**lo.xaxis.to_plotly_json(), "domain": [x0, x0 + width],
                                     "anchor": f"y{ax}"}
        layout_axes[f"yaxis{ax}"] = {**lo.yaxis.to_plotly_json(), "anchor": f"x{ax}",
                                     "scaleanchor": f"x{ax}"}
        layout_axes.setdefault("annotations", []).append(
            {"text": f"<b>{label}</b> · step {snap.step}", "xref": f"x{ax} domain",
             "yref": f"y{ax} domain", "x": 0, "y": 1.0, "xanchor": "left", "yanchor": "bottom",
             "showarrow": False, "font": {"size": style.legend_font + 1,
                                          "color": RUN_COLOURS[i]}})
    step = min(s.step for s in snaps)
    layout = base_layout(
        style, style.height, margin={"l": 40, "r": 10, "t": 40, "b": 60},
        legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "bottom", "yref": "container"},
        meta={"step": step, "fit": fit(*style.fit_samples, aspect=(
            width, 100 - width * 90))}, **layout_axes)
    return figure(data, layout)


def _series(snap: Snapshot, key: str) -> np.ndarray | None:
    m = snap.metric_history
    if key == "modes_pct":  # modes captured as a share, so rings and grids compare
        n = getattr(snap, "n_modes", 0)
        return None if "modes" not in m or not n else 100 * np.asarray(m["modes"]) / n
    return np.asarray(m[key]) if key in m else None


def metric_figure(snaps: tuple[Snapshot, ...], labels: tuple[str, ...], key: str, title: str,
                  y_title: str, y_range, style: Style = NORMAL,
                  cursor: int | None = None) -> go.Figure:
    """One metric over steps, a line per run (colours as in every compare chart); `cursor`
    marks the step a scrubbed picture shows."""
    data = []
    for i, (snap, label) in enumerate(zip(snaps, labels, strict=True)):
        y = _series(snap, key)
        if y is None:
            continue
        x = np.asarray(snap.metric_history["step"], np.float32)
        data.append({"type": "scatter", "x": x, "y": y.astype(np.float32), "name": label,
                     "mode": "lines" if len(x) > 2 else "lines+markers",
                     "line": {"color": RUN_COLOURS[i], "width": style.line}})
    steps = np.concatenate([np.asarray(s.metric_history.get("step", []), np.float32)
                            for s in snaps]) if snaps else np.zeros(0, np.float32)
    shapes, _ = event_marks(snaps[0], ("x",), labels=False) if snaps else ([], [])
    if cursor is not None:
        shapes.append({"type": "line", "xref": "x", "yref": "y domain", "x0": cursor,
                       "x1": cursor, "y0": 0, "y1": 1, "line": {"color": "#000", "width": 2}})
    layout = base_layout(style, style.curve_height, legend_y=-0.25, font_size=style.curve_font,
                         # 3 upright ticks: a quarter-width chart at 1280 px turned 5 ticks
                         # on their side and cut "100, 150, 200" to "10, 15, 20"
                         title={"text": title, "x": 0.01},
                         xaxis=step_axis(steps, nticks=3, tickangle=0),
                         yaxis=axis(y_title, **({"range": y_range} if y_range else
                                                {"rangemode": "tozero"})),
                         shapes=shapes, meta={"fit": fit(*style.fit_curves)})
    return figure(data, layout)


def losses_figure(snaps: tuple[Snapshot, ...], labels: tuple[str, ...],
                  style: Style = NORMAL, cursor: int | None = None) -> go.Figure:
    """Each run's D loss (solid) and G loss (dotted) in the run's colour."""
    from playground.figures.curves import robust_range
    data, values = [], []
    for i, (snap, label) in enumerate(zip(snaps, labels, strict=True)):
        h = snap.history
        if "step" not in h:
            continue
        for key, dash in (("d_loss", "solid"), ("g_loss", "dot")):
            data.append({"type": "scatter", "x": h["step"], "y": h[key], "mode": "lines",
                         "name": f"{label}: {key[0].upper()}", "connectgaps": True,
                         "line": {"color": RUN_COLOURS[i], "dash": dash, "width": 1.2}})
            values.append(h[key])
    y_range = robust_range(*values) if values else None
    steps = snaps[0].history.get("step", np.zeros(0, np.float32)) if snaps else np.zeros(0)
    shapes = [] if cursor is None else [{"type": "line", "xref": "x", "yref": "y domain",
                                         "x0": cursor, "x1": cursor, "y0": 0, "y1": 1,
                                         "line": {"color": "#000", "width": 2}}]
    layout = base_layout(style, style.curve_height, legend_y=-0.25, font_size=style.curve_font,
                         title={"text": "Losses (D solid, G dotted)", "x": 0.01},
                         xaxis=step_axis(steps),
                         yaxis=axis("loss", **({"range": y_range} if y_range else {})),
                         shapes=shapes, meta={"fit": fit(*style.fit_curves)})
    return figure(data, layout)


def animation(figures: list[go.Figure], title: str, ms_per_frame: int = 200) -> go.Figure:
    """One figure that plays `figures` (the same chart at successive steps) as frames, with a
    play button and a step slider: the HTML export of a timeline."""
    if not figures:
        raise ValueError("an animation needs at least one frame")
    first = figures[0]
    steps = [f.layout.meta["step"] if f.layout.meta else i for i, f in enumerate(figures)]
    frames = [go.Frame(data=f.data, name=str(s), layout={"annotations": f.layout.annotations})
              for f, s in zip(figures, steps, strict=True)]
    out = go.Figure(data=first.data, layout=first.layout, frames=frames)
    out.update_layout(
        title={"text": title}, height=(first.layout.height or 600) + 80,
        updatemenus=[{"type": "buttons", "x": 0, "y": -0.08, "xanchor": "left",
                      "buttons": [{"label": "Play", "method": "animate", "args": [None, {
                          "frame": {"duration": ms_per_frame, "redraw": True},
                          "fromcurrent": True}]}]}],
        sliders=[{"steps": [{"label": str(s), "method": "animate", "args": [[str(s)], {
            "mode": "immediate", "frame": {"duration": 0, "redraw": True}}]} for s in steps],
                  "x": 0.1, "len": 0.9, "y": -0.05, "currentvalue": {"prefix": "step "}}])
    return out
