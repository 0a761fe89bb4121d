"""The latent explorer's figures: strips and grids of decoded digits labelled by the classifier,
the norm of z along lerp and slerp paths, and the label and confidence along a path.

Pure functions of numpy arrays (images (N, 28, 28) uint8, labels, confidences, norms).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures import palette
from playground.figures.digits import PAD, TILE, grid_picture, png_uri, tile_labels
from playground.figures.style import NORMAL, Style, axis, base_layout, figure

UNSURE = 0.6  # a label below this confidence is drawn in the warning colour


def strip_figure(images: np.ndarray, labels: np.ndarray, confidence: np.ndarray, cols: int,
                 title: str, style: Style = NORMAL, selectable: bool = False,
                 picked: tuple[int, ...] = (), tile_px: int = 64) -> go.Figure:
    """Digits tiled `cols` to a row, each with the classifier's label (and its confidence on
    hover). `selectable` adds an invisible marker per tile, so a click or box selects digits
    (their indices come back as the points' customdata); `picked` are outlined."""
    picture, rows = grid_picture(images, cols)
    n = len(images)
    size = max(9, style.font_size - 2)
    data = [{"type": "image", "source": png_uri(picture), "hoverinfo": "skip", "name": ""},
            tile_labels(n, cols, [str(int(k)) if k >= 0 else "" for k in labels],
                    ["#ffffff" if c >= UNSURE else palette.MODE for c in confidence],
                    "x", "y", "top-left", size, "labels", webgl=False)]
    r, c = np.divmod(np.arange(n), cols)
    cx, cy = (PAD + c * TILE + 14).astype(np.float32), (PAD + r * TILE + 14).astype(np.float32)
    if selectable:
        data.append({"type": "scatter", "x": cx, "y": cy, "mode": "markers", "name": "pick",
                     "customdata": np.arange(n), "marker": {"size": 22, "opacity": 0.01},
                     "hovertemplate": "#%{customdata}: label %{text}<extra></extra>",
                     "text": [f"{int(k)} ({p:.2f})" for k, p in zip(labels, confidence,
                                                                    strict=True)]})
    shapes = [{"type": "rect", "x0": PAD + (i % cols) * TILE - 1, "x1": PAD + (i % cols) * TILE
               + 29, "y0": PAD + (i // cols) * TILE - 1, "y1": PAD + (i // cols) * TILE + 29,
               "line": {"color": palette.MODE, "width": 3}} for i in picked if i < n]
    width = cols * tile_px
    layout = base_layout(
        style, int(rows * tile_px + 40), showlegend=False, title={"text": title, "x": 0.01},
        # No dragmode: with "select" Streamlit sets clickmode "event" and a click selects
        # nothing; left unset, a points selection gets "event+select" (click to pick) and the
        # modebar keeps box select.
        margin={"l": 4, "r": 4, "t": 34, "b": 4}, shapes=shapes,
        width=width if width < 1200 else None,
        xaxis={"visible": False, "range": [0, picture.shape[1]], "fixedrange": True},
        yaxis={"visible": False, "range": [picture.shape[0], 0], "scaleanchor": "x",
               "fixedrange": True})
    return figure(data, layout)


def norms_figure(lerp_norms: np.ndarray, slerp_norms: np.ndarray, dim: int,
                 style: Style = NORMAL) -> go.Figure:
    """|z| along both paths: a straight line sags into the low-norm middle of the Gaussian,
    where z ~ N(0, I) almost never lies (|z| concentrates near sqrt(D)); slerp does not."""
    t = np.linspace(0, 1, len(lerp_norms)).astype(np.float32)
    data = [{"type": "scatter", "x": t, "y": np.asarray(lerp_norms, np.float32), "name": "lerp",
             "mode": "lines+markers", "line": {"color": palette.MODE}},
            {"type": "scatter", "x": t, "y": np.asarray(slerp_norms, np.float32),
             "name": "slerp", "mode": "lines+markers", "line": {"color": palette.FAKE}}]
    layout = base_layout(style, 240, title={"text": "|z| along the path", "x": 0.01},
                         xaxis=axis("t"), yaxis=axis("|z|", rangemode="tozero"),
                         shapes=[{"type": "line", "xref": "x domain", "x0": 0, "x1": 1,
                                  "y0": float(np.sqrt(dim)), "y1": float(np.sqrt(dim)),
                                  "line": {"dash": "dash", "color": palette.CEILING}}],
                         annotations=[{"text": f"√D = {np.sqrt(dim):.1f}", "xref": "x domain",
                                       "x": 1, "y": float(np.sqrt(dim)), "xanchor": "right",
                                       "yanchor": "bottom", "showarrow": False}])
    return figure(data, layout)


def labels_figure(labels: np.ndarray, confidence: np.ndarray, style: Style = NORMAL
                  ) -> go.Figure:
    """The classifier's label and confidence at each point of a path: where a 3 turns into an
    8 the label steps and the confidence dips."""
    x = np.arange(len(labels), dtype=np.float32)
    data = [{"type": "scatter", "x": x, "y": np.asarray(confidence, np.float32),
             "mode": "lines+markers+text", "text": [str(int(k)) for k in labels],
             "textposition": "top center", "name": "confidence",
             "line": {"color": palette.SERIES["confidence"]}}]
    layout = base_layout(style, 240, showlegend=False,
                         title={"text": "Classifier along the path (label above each point)",
                                "x": 0.01},
                         xaxis=axis("step along the path", dtick=1),
                         yaxis=axis("confidence", range=[0, 1.15]))
    return figure(data, layout)
