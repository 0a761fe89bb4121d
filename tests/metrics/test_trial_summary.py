"""Mean ± standard error over trials, as the papers report it, on numbers worked by hand."""
import math

import pytest

from playground.metrics.trials import Summary, summarise


def test_mean_and_standard_error_of_known_numbers():
    # 6, 7, 8, 7: mean 7, sample variance (1 + 0 + 1 + 0) / 3 = 2/3, s.e. sqrt(2/3) / 2
    s = summarise([6, 7, 8, 7])
    assert s.mean == pytest.approx(7.0, abs=1e-12)
    assert s.se == pytest.approx(math.sqrt(2 / 3) / 2, rel=1e-12)
    assert (s.n, s.missing) == (4, 0)
    assert s.text(1) == "7.0 ± 0.4"


def test_equal_trials_have_zero_error_and_one_trial_has_none():
    assert summarise([8, 8, 8]).se == 0.0
    one = summarise([95.5])
    assert one.mean == 95.5 and math.isnan(one.se) and one.text(1) == "95.5"


def test_nan_trials_are_left_out_and_counted():
    s = summarise([0.1, math.nan, 0.3])
    assert s.mean == pytest.approx(0.2, abs=1e-12)
    assert s.se == pytest.approx(0.1, rel=1e-12)  # s = sqrt(0.02), / sqrt(2)
    assert (s.n, s.missing) == (2, 1) and s.text(2) == "0.20 ± 0.10 (2/3)"
    none = summarise([math.nan, math.nan])
    assert none.text() == "—" and none.as_dict() == {"mean": None, "se": None, "n": 0,
                                                      "missing": 2}


def test_a_summary_is_plain_data():
    assert Summary(1.0, 0.5, 3).as_dict() == {"mean": 1.0, "se": 0.5, "n": 3, "missing": 0}
