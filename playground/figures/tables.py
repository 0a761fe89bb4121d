"""The tables page's figure: a published mode-collapse table beside our rerun of it, one panel
per metric (modes, % high quality, reverse KL), each method's paper bar beside ours with its
standard error. A pure function of a stored record (store/tables.py); no torch, no state.
"""
from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures import palette
from playground.figures.style import NORMAL, Style

TITLES = {"modes": "modes covered", "hq_pct": "% high quality", "rkl": "reverse KL (nats)"}
HEIGHT = 300  # x 1.3 in presenter mode: the chart ends inside a 1280 x 800 screen


def paper_vs_ours(table, dataset: str, style: Style = NORMAL) -> go.Figure:
    """Grouped bars per metric: the paper's number (grey) and ours (blue), each with its
    standard error where there is one; the mode count and 100 % drawn as the ceiling. A row
    that was not run on this dataset has no bar and a note in its hover. `table` is a
    `store.tables.StoredTable`, not imported: figures import no torch, even through the
    store (tests/test_imports.py), and the store's registry of datasets does."""
    metrics = table.spec.metrics
    fig = make_subplots(rows=1, cols=len(metrics), horizontal_spacing=0.08,
                        subplot_titles=[TITLES[k] for k in metrics])
    x = [r.label for r in table.rows]
    for col, k in enumerate(metrics, start=1):
        for who, colour in (("paper", palette.PAPER), ("ours", palette.OURS)):
            mean, se, hover = [], [], []
            for r in table.rows:
                s = (r.published.get(dataset, {}) if who == "paper"
                     else getattr(r.ours.get(dataset), "summary", {}))
                cell = s.get(k)
                ok = cell is not None and cell.n > 0 and not math.isnan(cell.mean)
                mean.append(cell.mean if ok else None)
                se.append(cell.se if ok and not math.isnan(cell.se) else None)  # none drawn
                missing = "not reproduced" if who == "ours" and not r.reproduced else "—"
                hover.append(f"{r.method}<br>{who}: " + (cell.text(2) if ok else missing))
            fig.add_trace(go.Bar(
                x=x, y=mean, name=who, marker_color=colour, legendgroup=who,
                showlegend=col == 1, hovertext=hover, hoverinfo="text",
                error_y={"type": "data", "array": se, "thickness": 1.2,
                         "visible": any(v is not None for v in se),
                         "color": palette.PUSH}), row=1, col=col)
        ceiling = {"modes": table.n_modes(dataset), "hq_pct": 100.0}.get(k)
        if ceiling is not None:
            fig.add_hline(y=ceiling, line={"color": palette.CEILING, "dash": "dot",
                                           "width": 1}, row=1, col=col)
    scale = style.font_size / NORMAL.font_size
    fig.update_layout(
        barmode="group", template="plotly_white", height=int(HEIGHT * min(scale, 1.3)),
        font={"family": palette.FONT, "size": style.font_size}, uirevision="tables",
        margin={"l": 50, "r": 15, "t": 28 + 2 * style.font_size, "b": 40},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1, "yanchor": "top",
                "yref": "container", "font": {"size": style.font_size}})
    fig.update_annotations(font_size=style.font_size)
    fig.update_xaxes(tickfont={"size": max(style.font_size - 3, 9)}, tickangle=0)
    return fig
