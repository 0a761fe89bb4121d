"""Shared figure styling for the 2D lab: sizes for normal and presenter mode, the base layout,
and the one place figures are assembled (unvalidated, for speed; the tests validate them).
"""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from . import palette


@dataclass(frozen=True)
class Style:
    font_size: int = 13
    height: int = 560  # the samples plot; curve panels use curve_height
    curve_height: int = 260
    marker: float = 4.5  # point size of real and fake samples
    line: float = 1.6


NORMAL = Style()
# Presenter mode: readable from the back of a lecture hall (about 1.5x).
PRESENTER = Style(font_size=20, height=760, curve_height=360, marker=6.5, line=2.6)


def base_layout(style: Style, height: int, legend_y: float = -0.12, **extra) -> dict:
    """Layout shared by every lab figure. `uirevision` is constant so a user's zoom and legend
    clicks survive the live updates (plotly keeps UI state while uirevision is unchanged)."""
    layout = {
        "height": height, "margin": {"l": 50, "r": 20, "t": 36, "b": 40},
        "font": {"family": palette.FONT, "size": style.font_size},
        "paper_bgcolor": palette.BACKGROUND, "plot_bgcolor": palette.BACKGROUND,
        "uirevision": "lab2d", "showlegend": True,
        "legend": {"orientation": "h", "y": legend_y, "x": 0, "yanchor": "top"},
    }
    layout.update(extra)
    return layout


def figure(data: list[dict], layout: dict) -> go.Figure:
    """Assemble without plotly's per-property validation: ~1 ms instead of ~10 ms per frame,
    which the live page spends several times a second on the training thread's CPU.
    tests/test_figures_lab2d.py rebuilds every figure with validation on."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def axis(title: str, colour: str | None = None, **extra) -> dict:
    """An axis dict; `colour` tints the title (for twin axes sharing one panel)."""
    text = {"text": title, **({"font": {"color": colour}} if colour else {})}
    return {"title": text, "gridcolor": palette.GRID, "zeroline": False, **extra}
