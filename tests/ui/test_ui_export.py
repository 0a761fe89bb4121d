"""Exports: the history CSV joins losses and metrics by step; figures as HTML and PNG."""
import csv
import io

import plotly.graph_objects as go
import pytest

from playground.ui import export


def test_history_csv_joins_by_step_and_blanks_missing_values():
    history = {"step": [1, 2, 3], "d_loss": [1.0, 0.9, float("nan")], "g_loss": [0.5, 0.6, 0.7]}
    metrics = {"step": [2, 3], "w1": [0.25, 0.2], "modes": [3.0, 4.0]}
    rows = list(csv.reader(io.StringIO(export.history_csv(history, metrics).decode())))
    assert rows[0] == ["step", "d_loss", "g_loss", "w1", "modes"]
    assert rows[1] == ["1", "1", "0.5", "", ""]
    assert rows[2] == ["2", "0.9", "0.6", "0.25", "3"]
    assert rows[3] == ["3", "", "0.7", "0.2", "4"]  # NaN (a G-only step) is an empty cell


def test_history_csv_of_an_empty_run_is_just_a_header():
    out = export.history_csv({"step": [], "d_loss": [], "g_loss": []}, {"step": []})
    assert out.decode().strip() == "step,d_loss,g_loss"


def test_figure_html_is_self_contained():
    html = export.figure_html(go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))).decode()
    assert "<html>" in html and "Plotly.newPlot" in html
    assert "<script src=" not in html and len(html) > 1_000_000  # plotly.js inlined: offline


@pytest.mark.slow
def test_figure_png_is_a_png():
    png = export.figure_png(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
