"""Shared figure styling for the labs: sizes for normal and presenter mode, the base layout,
and the one place figures are assembled (unvalidated, for speed; the tests validate them).
"""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from playground.figures import palette


@dataclass(frozen=True)
class Style:
    font_size: int = 13
    height: int = 560  # the samples plot when the page cannot fit it to the screen
    curve_height: int = 250
    marker: float = 4.5  # point size of real and fake samples
    line: float = 1.6
    legend_font: int = 12  # legend and plot titles of the samples plot
    curve_font: int = 12  # the curve panels share a ~480 px column at 1280 px: smaller text
    # Fit to the browser window (liveplot reads `meta.fit`): height = share * window height
    # - minus, clamped to [lo, hi]. The numbers are the page's own chrome above the plots,
    # measured in screenshots at 1280 x 800 and 1920 x 1080.
    fit_samples: tuple[float, float, float, float] = (1.0, 235.0, 380.0, 900.0)
    fit_curves: tuple[float, float, float, float] = (1 / 3, 95.0, 200.0, 330.0)


NORMAL = Style()
# Presenter mode: readable from the back of a lecture hall (about 1.5x).
PRESENTER = Style(font_size=18, height=700, curve_height=300, marker=6.5, line=2.6,
                  legend_font=16, curve_font=15,
                  fit_samples=(1.0, 242.0, 420.0, 1000.0),
                  fit_curves=(1 / 3, 112.0, 200.0, 380.0))


def base_layout(style: Style, height: int, legend_y: float = -0.12, font_size: int = 0,
                **extra) -> dict:
    """Layout shared by every lab figure. `uirevision` is constant so a user's zoom and legend
    clicks survive the live updates (plotly keeps UI state while uirevision is unchanged)."""
    layout = {
        "height": height, "margin": {"l": 58, "r": 20, "t": 36, "b": 44},
        "font": {"family": palette.FONT, "size": font_size or style.font_size},
        "paper_bgcolor": palette.BACKGROUND, "plot_bgcolor": palette.BACKGROUND,
        "uirevision": "lab", "showlegend": True,
        "legend": {"orientation": "h", "y": legend_y, "x": 0, "yanchor": "top"},
    }
    layout.update(extra)
    return layout


def fit(share: float, minus: float, lo: float, hi: float,
        aspect: tuple[float, float] | None = None) -> dict:
    """`layout.meta.fit` for liveplot: the chart's height follows the browser window.
    `aspect` = (a, b) for a fixed-aspect plot: its height never exceeds a * width + b pixels,
    what its width can fill."""
    out = {"share": share, "minus": minus, "min": lo, "max": hi}
    if aspect is not None:
        out["aspect"] = list(aspect)
    return out


def figure(data: list[dict], layout: dict) -> go.Figure:
    """Assemble without plotly's per-property validation: ~1 ms instead of ~10 ms per frame,
    which the live page spends several times a second on the training thread's CPU.
    tests/figures/test_figures_lab2d.py rebuilds every figure with validation on."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def axis(title: str, colour: str | None = None, **extra) -> dict:
    """An axis dict; `colour` tints the title (for twin axes sharing one panel). Margins grow
    to fit tick labels, and the title stands off them (they overlapped at 1280 px)."""
    text = {"text": title, "standoff": 6, **({"font": {"color": colour}} if colour else {})}
    return {"title": text, "gridcolor": palette.GRID, "zeroline": False, "automargin": True,
            **extra}
