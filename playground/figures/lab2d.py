"""The 2D lab's main picture: real and fake samples over D's decision surface, with overlays.

A pure function of a numpy `Snapshot2D` (GAN Lab's visual language: real green, fakes purple,
D's surface on the same purple-green scale). Overlays are line traces with NaN breaks, so each
kind is one WebGL trace however many arrows or trails it draws.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from playground.engine.snapshot import Snapshot2D
from playground.figures import palette
from playground.figures.style import NORMAL, Style, axis, base_layout, figure, fit

N_ARROWS = 96  # fakes that get a push arrow: enough to read the flow, few enough to see points
ARROW_FRAC = 0.07  # the longest arrow spans 7% of the plot's width
# Arrow length is linear in |push| up to ARROW_REF, the slope of a 1-Lipschitz critic (what
# WGAN-GP holds D to), and full length beyond: the same mapping for every loss and frame, so a
# vanishing gradient (minimax against a confident D: |push| ~1e-3) and a settled run (R1 on
# the ring after 5,000 steps: median 0.02) draw short arrows, a collapsed G chased by a sharp D
# (0.5) half ones. A log scale made those settled 0.02s 60% long: starbursts on every mode.
ARROW_REF = 1.0
SURFACE_PCTL = 98.0  # a critic's colour range covers this percentile of |score - centre|


@dataclass(frozen=True)
class Overlays:
    arrows: bool = True  # G's push on a subset of fakes
    field: bool = False  # the push over a coarse grid of the whole plane
    manifold: bool = False  # G's image of a regular latent grid
    trails: bool = False  # recent positions of the tracked fakes


def samples_figure(snap: Snapshot2D, overlays: Overlays = Overlays(),
                   style: Style = NORMAL) -> go.Figure:
    """Heat map of D, real (green) and fake (purple) points on the dataset's fixed axes.
    Layers bottom to top: D, overlays, mode centres, fakes, reals, G's push: the reals (std
    0.01 on the ring) stay visible on their mode, the fakes around them."""
    xmin, xmax, ymin, ymax = snap.bounds
    span = max(xmax - xmin, ymax - ymin)
    data = [surface_trace(snap)]
    if overlays.field:
        data.append(_arrows(snap.field_xy, snap.field_push, span, "field",
                            palette.FIELD, style.line * 0.6))
    if overlays.manifold:
        data.append(_polylines(_manifold_lines(snap.manifold), "G manifold", palette.MANIFOLD,
                               style.line))
    if overlays.trails and len(snap.trail) > 1:
        data.append(_polylines(_trail_lines(snap.trail), "trails", palette.TRAIL,
                               style.line * 0.7))
    if snap.centres is not None:
        data.append({"type": "scattergl", "x": snap.centres[:, 0], "y": snap.centres[:, 1],
                     "mode": "markers", "name": "modes", "hoverinfo": "skip",
                     "marker": {"symbol": "circle-open", "size": style.marker * 3.2,
                                "color": palette.MODE, "line": {"width": 1.5}}})
    data.append(_points(snap.fake, "fake", palette.FAKE, style.marker))
    data.append(_points(snap.real, "real", palette.REAL, style.marker * 0.85))
    if overlays.arrows:
        n = min(N_ARROWS, len(snap.fake))
        data.append(_arrows(snap.fake[:n], snap.push[:n], span, "G's push", palette.PUSH,
                            style.line))
    # the legend sits in a bottom margin sized for two rows at any font, so switching an
    # overlay (one more legend entry) never shrinks or moves the plot
    margin = {"l": 50, "r": 10, "t": int(style.legend_font + 14),
              "b": int(1.9 * style.legend_font + 30)}
    # horizontal pixels beside the square plot area: margins, the colour bar and its labels
    beside = margin["l"] + margin["r"] + 75 + 2 * style.font_size
    layout = base_layout(
        style, style.height,
        title={"text": _title(snap), "x": 0.01, "y": 0.99, "yanchor": "top",
               "font": {"size": style.legend_font + 2}},
        margin=margin,
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom",
                "yref": "container", "font": {"size": style.legend_font}},
        xaxis=axis("", range=[xmin, xmax], constrain="domain"),
        yaxis=axis("", range=[ymin, ymax], scaleanchor="x", scaleratio=1, constrain="domain"),
        # `step` lets the benchmark and tests see which frame the browser shows; `fit` sizes
        # the chart to the window (liveplot)
        # a square plot area: height = width - what is beside it + what is above and below
        meta={"step": snap.step, "fit": fit(*style.fit_samples, aspect=(
            1.0, margin["t"] + margin["b"] - beside))},
    )
    return figure(data, layout)


def _title(snap: Snapshot2D) -> str:
    what = "D(x) = P(real)" if snap.surface_kind == "prob" else "critic score"
    return f"step {snap.step} · {what}"


def surface_range(snap: Snapshot2D) -> tuple[float, float]:
    """Colour range of D's surface. Probabilities use [0, 1]. Critic scores are unbounded, so
    the range is symmetric about the undecided value and spans the bulk of |score - centre|:
    the boundary is always white and the map is never one saturated colour."""
    if snap.surface_kind == "prob":
        return 0.0, 1.0
    c = snap.surface_centre
    dev = np.abs(snap.surface[np.isfinite(snap.surface)] - c)
    half = float(np.percentile(dev, SURFACE_PCTL)) if dev.size else 1.0
    half = max(half, 1e-6)
    return c - half, c + half


def surface_trace(snap: Snapshot2D) -> dict:
    zmin, zmax = surface_range(snap)
    title = "D(x)" if snap.surface_kind == "prob" else "score"
    return {"type": "heatmap", "x": snap.grid_x, "y": snap.grid_y, "z": snap.surface,
            "zmin": zmin, "zmax": zmax, "colorscale": palette.SURFACE_SCALE, "name": "D",
            "colorbar": {"title": {"text": title}, "thickness": 10, "len": 0.75, "x": 1.0,
                         "xpad": 4},
            "hovertemplate": "x %{x:.2f}, y %{y:.2f}<br>" + title + " %{z:.3g}<extra></extra>",
            "showlegend": False}


def _points(xy: np.ndarray, name: str, colour: str, size: float) -> dict:
    # WebGL: SVG scatter with 1,000 points capped the browser at ~2 updates/s here.
    return {"type": "scattergl", "x": xy[:, 0], "y": xy[:, 1], "mode": "markers",
            "name": name, "marker": {"color": colour, "size": size, "opacity": 0.9,
                                            "line": {"color": "white", "width": 0.8}},
            "hovertemplate": name + " (%{x:.2f}, %{y:.2f})<extra></extra>"}


def arrow_lengths(vectors: np.ndarray, span: float) -> np.ndarray:
    """(N,) display length of each vector: linear in |v| up to ARROW_REF, then full length."""
    mag = np.linalg.norm(vectors, axis=1)
    return (ARROW_FRAC * span * np.minimum(mag / ARROW_REF, 1.0)).astype(np.float32)


def arrow_segments(origins: np.ndarray, vectors: np.ndarray, span: float) -> np.ndarray:
    """(N * 6, 2) shaft and two head strokes per arrow, NaN rows between arrows."""
    length = arrow_lengths(vectors, span)[:, None]  # (N, 1)
    mag = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.divide(vectors, mag, out=np.zeros_like(vectors), where=mag > 0)  # (N, 2)
    tip = origins + unit * length
    normal = np.stack([-unit[:, 1], unit[:, 0]], 1)
    head = 0.3 * length
    left = tip - unit * head + normal * head * 0.5
    right = tip - unit * head - normal * head * 0.5
    gap = np.full_like(origins, np.nan)
    # origin -> tip -> left barb, a break, tip -> right barb, a break
    seq = np.stack([origins, tip, left, gap, tip, right, gap], 1)  # (N, 7, 2)
    keep = length[:, 0] > 1e-3 * ARROW_FRAC * span  # below a pixel: no arrow at all
    return seq[keep].reshape(-1, 2).astype(np.float32)


def _arrows(origins, vectors, span, name, colour, width) -> dict:
    seg = arrow_segments(origins, vectors, span)
    peak = float(np.linalg.norm(vectors, axis=1).max()) if len(vectors) else 0.0
    return {"type": "scattergl", "x": seg[:, 0], "y": seg[:, 1], "mode": "lines",
            "name": name, "hoverinfo": "skip", "opacity": 0.8, "meta": {"max_norm": peak},
            "line": {"color": colour, "width": width}}


def _polylines(xy: np.ndarray, name: str, colour: str, width: float) -> dict:
    return {"type": "scattergl", "x": xy[:, 0], "y": xy[:, 1], "mode": "lines", "name": name,
            "hoverinfo": "skip", "line": {"color": colour, "width": width}}


def _break_rows(lines: np.ndarray) -> np.ndarray:
    """(P, Q, 2) polylines -> (P * (Q + 1), 2) with a NaN row ending each line."""
    gap = np.full((lines.shape[0], 1, 2), np.nan, dtype=np.float32)
    return np.concatenate([lines.astype(np.float32), gap], 1).reshape(-1, 2)


def _manifold_lines(manifold: np.ndarray) -> np.ndarray:
    # rows of the latent grid, then its columns: G's image of a mesh, folded where G folds
    return np.concatenate([_break_rows(manifold), _break_rows(manifold.transpose(1, 0, 2))])


def _trail_lines(trail: np.ndarray) -> np.ndarray:
    return _break_rows(trail.transpose(1, 0, 2))  # (T, n, 2) -> one polyline per fake
