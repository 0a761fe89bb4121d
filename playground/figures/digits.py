"""The MNIST lab's figures: the grid of digits from a fixed z beside real digits, the class
histogram, and the class-coverage curves, each with the real digits' own value as a reference.

Pure functions of a numpy `ImageSnapshot`. The grid is one PNG (a tiled uint8 picture) in a
plotly image trace: ~10 KB a frame, where 64 x 28 x 28 heat-map cells would be ~80 KB.
"""
from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go

from playground.engine.snapshot import ImageSnapshot
from playground.figures import palette, pictures
from playground.figures.curves import event_marks, line, note, step_axis
from playground.figures.style import NORMAL, Style, axis, base_layout, figure, fit

PAD = 2  # pixels between tiles
TILE = 28 + PAD
CODE_MARGIN = 58  # px left of InfoGAN's figure for its row labels ("c=9 → 7")
LOW_CONFIDENCE = 0.6  # a label the classifier is unsure of is drawn in the warning colour
# (metric key, panel title) of the class-coverage curves
CLASS_CURVES = (("classes", "classes (≥ 1%)"), ("class_kl", "class KL (nats)"),
                ("confidence", "confidence"), ("score", "classifier score"),
                ("fd", "Fréchet distance"))


def png_uri(picture: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(pictures.png(picture)).decode("ascii")


def grid_picture(images: np.ndarray, cols: int) -> tuple[np.ndarray, int]:
    rows = -(-len(images) // cols)
    return pictures.tile(images, cols, PAD), rows


def tile_labels(n: int, cols: int, texts, colours, xaxis: str, yaxis: str, corner: str,
                size: int, name: str, webgl: bool = True) -> dict:
    """One text trace with a small label per tile, in its top-left (labels) or bottom-right
    (scores) corner: one trace, where 80 annotations cost the browser a layout each. WebGL for
    the live grid; SVG (`webgl=False`) on pages of many static charts, since a browser keeps
    only ~16 WebGL contexts and drops the oldest charts' text."""
    r, c = np.divmod(np.arange(n), cols)
    left = corner == "top-left"
    x = PAD + c * TILE + (1 if left else 27)
    y = PAD + r * TILE + (4 if left else 24)
    return {"type": "scattergl" if webgl else "scatter", "x": x.astype(np.float32),
            "y": y.astype(np.float32),
            "mode": "text", "text": list(texts), "xaxis": xaxis, "yaxis": yaxis, "name": name,
            "textposition": "middle right" if left else "middle left", "hoverinfo": "skip",
            "textfont": {"size": size, "color": list(colours)}}


def code_row_labels(snap: ImageSnapshot) -> list[str]:
    """InfoGAN's row labels: 'c=k → d', the digit code value k reads as at the last
    evaluation (its best one-to-one matching, metrics/codes.py); 'c=k' before one."""
    digit = snap.code_digit if snap.code_digit is not None else -np.ones(10, dtype=int)
    return [f"c={k} → {int(d)}" if d >= 0 else f"c={k}" for k, d in enumerate(digit)]


def _code_rows(snap: ImageSnapshot, height: int, yaxis: dict,
               reals_below: bool) -> tuple[str, dict]:
    """The heading and the y axis of InfoGAN's figure: row labels as tick labels (the left
    margin leaves CODE_MARGIN pixels for them)."""
    rows = np.arange(10) * TILE + PAD + 14  # the centre of each row of tiles, in pixels
    sweep = snap.sweep
    heading = (f"row: categorical code (→ digit read) · columns: code c{snap.sweep_code + 1} "
               f"{sweep[0]:g} → {sweep[-1]:g}, one z")
    if not reals_below:
        heading += " | real digits"
    axis = {**yaxis, "visible": True, "showgrid": False, "zeroline": False, "ticks": "",
            "tickvals": rows.tolist(), "ticktext": code_row_labels(snap),
            "tickfont": {"size": 11}, "range": [height, 0]}
    return heading, axis


def samples_figure(snap: ImageSnapshot, style: Style = NORMAL,
                   show_scores: bool = False, title: str | None = None,
                   reals_below: bool = False) -> go.Figure:
    """Left: G(z_fixed) as a grid, each tile labelled with the classifier's digit (amber when
    it is unsure) and, on demand, D's raw score. Right: real digits with their labels.
    `title` replaces the default heading (a narrow column needs a shorter one).
    `reals_below`: the real digits in rows under the grid at its scale, so the grid takes the
    column's whole width (a narrow column: at 1280 px with the sidebar open the grid beside
    them was 283 px, 35 px a digit; below them 400 px, 50 px a digit)."""
    n = len(snap.fake)
    # a conditional run's grid: ten rows, row k asking for digit k, one z per column
    conditional = snap.requested is not None
    coded = snap.codes is not None  # InfoGAN's figure: row k code value k, columns a sweep
    cols = max(1, n // 10) if conditional else int(np.ceil(np.sqrt(n)))
    cols = len(snap.sweep) if coded else cols
    fake, rows = grid_picture(snap.fake, cols)
    real_cols = cols if reals_below else 4
    real, real_rows = grid_picture(snap.real, real_cols)
    size = max(9, style.font_size - 3)
    unsure = palette.MODE
    data = [{"type": "image", "source": png_uri(fake), "xaxis": "x", "yaxis": "y",
             "hoverinfo": "skip", "name": "generated"},
            {"type": "image", "source": png_uri(real), "xaxis": "x2", "yaxis": "y2",
             "hoverinfo": "skip", "name": "real"}]
    # amber: the classifier is unsure, or (a conditional grid) reads another digit than asked
    asked = snap.requested if conditional else snap.labels
    if coded:  # a digit other than its code value's matched digit (unknown before: -1)
        matched = np.asarray(snap.code_digit)[snap.codes]
        asked = np.where(matched >= 0, matched, snap.labels)
    data.append(tile_labels(n, cols, [str(int(k)) for k in snap.labels],
                        ["#ffffff" if c >= LOW_CONFIDENCE and k == a else unsure
                         for c, k, a in zip(snap.confidence, snap.labels, asked, strict=True)],
                        "x", "y", "top-left", size, "labels"))
    data.append(tile_labels(len(snap.real), real_cols, [str(int(k)) for k in snap.real_labels],
                        ["#7ee2a0"] * len(snap.real), "x2", "y2", "top-left", size,
                        "real labels"))
    if show_scores:
        data.append(tile_labels(n, cols, [f"{s:.1f}" for s in snap.d_fake], ["#d3bdf5"] * n,
                            "x", "y", "bottom-right", size - 1, "D on fakes"))
        data.append(tile_labels(len(snap.real), real_cols, [f"{s:.1f}" for s in snap.d_real],
                            ["#d3bdf5"] * len(snap.real), "x2", "y2", "bottom-right",
                            size - 1, "D on reals"))
    hidden = {"visible": False, "showgrid": False}
    margin = {"l": CODE_MARGIN if coded else 6, "r": 6, "t": int(style.legend_font + 16),
              "b": 6}
    if reals_below:
        margin["l"] = margin["r"] = 2  # one column: the grid, a gap of half a tile, the real digits
        margin["l"] = CODE_MARGIN if coded else margin["l"]
        gap = TILE // 2
        tall = fake.shape[0] + gap + real.shape[0]  # picture pixels from top to bottom
        split = real.shape[0] / tall
        axes = {"xaxis": {**hidden, "domain": [0.0, 1.0], "range": [0, fake.shape[1]]},
                "yaxis": {**hidden, "range": [fake.shape[0], 0], "scaleanchor": "x",
                          "domain": [1 - fake.shape[0] / tall, 1.0]},
                "xaxis2": {**hidden, "domain": [0.0, 1.0], "range": [0, real.shape[1]],
                           "anchor": "y2"},
                "yaxis2": {**hidden, "range": [real.shape[0], 0], "scaleanchor": "x2",
                           "anchor": "x2", "domain": [0.0, split]}}
        aspect = (tall / fake.shape[1], margin["t"] + margin["b"]
                  - tall / fake.shape[1] * (margin["l"] + margin["r"]))
        heading = ("row k asks for digit k, one z per column; real digits below"
                   if conditional else "generated from a fixed z; real digits below")
    else:
        share = 0.74  # of the width for the generated grid (square), the rest for the reals
        axes = {"xaxis": {**hidden, "domain": [0.0, share], "range": [0, fake.shape[1]]},
                "yaxis": {**hidden, "range": [fake.shape[0], 0], "scaleanchor": "x"},
                "xaxis2": {**hidden, "domain": [0.78, 1.0], "range": [0, real.shape[1]]},
                "yaxis2": {**hidden, "range": [real.shape[0], 0], "scaleanchor": "x2",
                           "anchor": "x2",
                           "domain": [0.45, 1.0]}}  # the reals sit at the top, beside it
        aspect = (share * fake.shape[0] / fake.shape[1],
                  margin["t"] + margin["b"] - share * (margin["l"] + margin["r"]))
        heading = ("row k asks for digit k, one z per column | real digits" if conditional
                   else "generated from a fixed z | real digits")
    if coded:
        heading, axes["yaxis"] = _code_rows(snap, fake.shape[0], axes["yaxis"], reals_below)
    layout = base_layout(
        style, style.height, showlegend=False,
        title={"text": title or f"step {snap.step} · {heading}", "x": 0.01,
               "font": {"size": style.legend_font + 2}},
        margin=margin, **axes,
        meta={"step": snap.step, "fit": fit(*style.fit_samples, aspect=aspect)},
    )
    return figure(data, layout)


def histogram_figure(snap: ImageSnapshot, style: Style = NORMAL,
                     title: str = "Digits the classifier sees (% of fakes)") -> go.Figure:
    """The share of each digit among 300 fakes (the classifier's labels), against the real
    digits' 10 % each: a collapse is a few tall bars."""
    data: list[dict] = []
    notes: list[dict] = []
    if snap.histogram is not None:
        share = 100 * np.asarray(snap.histogram, dtype=np.float32)
        data.append({"type": "bar", "x": np.arange(10), "y": share, "name": "generated",
                     "marker": {"color": palette.FAKE},
                     "hovertemplate": "digit %{x}: %{y:.1f}% of fakes<extra></extra>"})
    else:
        notes.append(note("no evaluation yet"))
    top = 105 if snap.histogram is None else max(30.0, float(100 * np.max(snap.histogram)) + 5)
    layout = base_layout(
        style, style.curve_height, showlegend=False, font_size=style.curve_font,
        title={"text": title, "x": 0.01},
        # a taller top margin: the title and the label above the plot's right end each get
        # their own line (they touched at 1280 px)
        margin={"l": 58, "r": 20, "t": 36 + style.curve_font, "b": 44},
        xaxis=axis("", dtick=1, range=[-0.6, 9.6]), yaxis=axis("%", range=[0, top]),
        shapes=[{"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": 10,
                 "y1": 10, "line": {"color": palette.REAL, "dash": "dash", "width": 1.5}}],
        # the dashed line's label above the plot's right end: on the line it sat on the bars
        annotations=notes + [{"text": "dashed: real, 10% each", "xref": "x domain",
                              "yref": "y domain", "x": 1, "y": 1.01, "xanchor": "right",
                              "yanchor": "bottom", "showarrow": False,
                              "font": {"color": palette.REAL}}],
        meta={"fit": fit(*style.fit_curves)},
    )
    return figure(data, layout)


def class_curves_figure(snap: ImageSnapshot, style: Style = NORMAL) -> go.Figure:
    """Each class-coverage metric over steps (one small panel each) with the real digits'
    own value as a dashed line: the curve should head for it."""
    m = snap.metric_history
    step = m.get("step", np.zeros(0, np.float32))
    data: list[dict] = []
    shapes: list[dict] = []
    notes: list[dict] = []
    layout_axes: dict = {}
    cols = 3
    for i, (key, title) in enumerate(CLASS_CURVES):
        r, c = divmod(i, cols)
        ax = "" if i == 0 else str(i + 1)
        x0, x1 = c / cols + 0.06, (c + 1) / cols - 0.02
        y0, y1 = (0.58, 0.92) if r == 0 else (0.05, 0.39)
        layout_axes[f"xaxis{ax}"] = step_axis(step, domain=[x0, x1], anchor=f"y{ax}")
        layout_axes[f"yaxis{ax}"] = axis("", domain=[y0, y1], anchor=f"x{ax}", nticks=4)
        notes.append({"text": title, "xref": f"x{ax} domain", "yref": f"y{ax} domain", "x": 0,
                      "y": 1.02, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": style.curve_font}})
        if key in m:
            data.append(line(step, m[key], title, key, style, xaxis=f"x{ax}", yaxis=f"y{ax}",
                             showlegend=False))
        ref = snap.reference.get(key)
        if ref is not None:
            shapes.append({"type": "line", "xref": f"x{ax} domain", "yref": f"y{ax}", "x0": 0,
                           "x1": 1, "y0": ref, "y1": ref,
                           "line": {"color": palette.REAL, "dash": "dash", "width": 1.2}})
        event_shapes, _ = event_marks(snap, (f"x{ax}",), labels=False)
        shapes += event_shapes
    if not len(step):
        notes.append(note("no evaluation yet"))
    layout = base_layout(
        style, style.curve_height, showlegend=False, font_size=style.curve_font,
        title={"text": "Class coverage over steps (dashed: real digits)", "x": 0.01},
        shapes=shapes, annotations=notes, meta={"fit": fit(*style.fit_curves)},
        **layout_axes)
    return figure(data, layout)
