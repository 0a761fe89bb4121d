"""Downloads of the labs: a figure as HTML or PNG, a run's history as CSV, a comparison's
histories as one CSV with a column per run.

Pure functions returning bytes (no Streamlit), called lazily when a download is requested:
a PNG goes through kaleido and headless Chromium (~4 s cold), far too slow for every frame.
"""
from __future__ import annotations

import csv
import io
import math

import plotly.graph_objects as go


class ExportError(RuntimeError):
    """A user-facing reason an export could not be made."""


def figure_html(fig: go.Figure) -> bytes:
    # plotly.js inlined (~4.7 MB) so the file opens offline, e.g. in a lecture hall.
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")


def figure_png(fig: go.Figure, scale: float = 2.0) -> bytes:
    try:
        return fig.to_image(format="png", scale=scale)
    except Exception as e:  # kaleido or Chromium missing / failing: say so, do not crash
        raise ExportError(f"PNG export needs kaleido and Chromium: {e}") from None


def history_csv(history: dict[str, list[float]], metric_history: dict[str, list[float]]) -> bytes:
    """One row per step that has a loss or a metric: step, d_loss, g_loss, then each metric.
    Missing values are empty cells (metrics are evaluated only every few hundred steps)."""
    loss_names = [k for k in history if k != "step"]
    metric_names = [k for k in metric_history if k != "step"]
    rows: dict[int, dict[str, float]] = {}
    for series in (history, metric_history):
        for i, step in enumerate(series.get("step", [])):
            row = rows.setdefault(int(step), {})
            for name, values in series.items():
                if name != "step":
                    row[name] = values[i]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["step", *loss_names, *metric_names])
    for step in sorted(rows):
        row = rows[step]
        writer.writerow([step, *(_cell(row.get(n)) for n in loss_names + metric_names)])
    return out.getvalue().encode("utf-8")


def compare_csv(runs: dict[str, tuple[dict, dict]]) -> bytes:
    """One row per step, a column per run and quantity ("collapse + R1: w1"): the runs of a
    comparison share their steps, so a row reads across them."""
    columns: list[str] = []
    rows: dict[int, dict[str, float]] = {}
    for label, (history, metric_history) in runs.items():
        for series in (history, metric_history):
            names = [k for k in series if k != "step"]
            columns += [f"{label}: {n}" for n in names if f"{label}: {n}" not in columns]
            for i, step in enumerate(series.get("step", [])):
                row = rows.setdefault(int(step), {})
                for n in names:
                    row[f"{label}: {n}"] = series[n][i]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["step", *columns])
    for step in sorted(rows):
        writer.writerow([step, *(_cell(rows[step].get(c)) for c in columns)])
    return out.getvalue().encode("utf-8")


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{value:.6g}"
