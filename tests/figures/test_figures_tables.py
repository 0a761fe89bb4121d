"""The tables page's figure (figures/tables.py): each method's paper bar beside ours, with the
standard errors of the stored record and the dataset's ceilings."""
import math

import pytest

from playground.figures.tables import paper_vs_ours
from playground.store import tables


def test_the_figure_draws_paper_and_ours_with_their_standard_errors(stored_tables):
    t = tables.load("veegan-table1", stored_tables)
    fig = paper_vs_ours(t, "ring")
    bars = {(tr.name, tr.xaxis): tr for tr in fig.data}
    assert set(bars) == {("paper", "x"), ("ours", "x"), ("paper", "x2"), ("ours", "x2")}
    ours_modes = bars["ours", "x"]
    s = t.rows[0].ours["ring"].summary["modes"]
    assert ours_modes.y[0] == pytest.approx(s.mean)
    assert ours_modes.error_y.array[0] == (None if math.isnan(s.se) else pytest.approx(s.se))
    assert ours_modes.y[1] is None  # VEEGAN: not reproduced, no bar
    assert bars["paper", "x"].y == (7.6, 8.0) and bars["paper", "x2"].y == (35.6, 52.9)
    ceilings = sorted(sh.y0 for sh in fig.layout.shapes)
    assert ceilings == [8, 100.0]  # the ring's mode count, 100 % high quality
