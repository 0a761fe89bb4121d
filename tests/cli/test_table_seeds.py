"""`table --seeds`: several seeds per preset and dataset, each cell their mean ± standard error,
the seeds trained as one batched computation where they can be."""
import math

import pytest

from playground.cli import UserError, main
from playground.cli.table import cells, parse_seeds


@pytest.mark.parametrize("text, seeds", [("0-4", [0, 1, 2, 3, 4]), ("0,3,7", [0, 3, 7]),
                                         ("5", [5]), ("1-2,9", [1, 2, 9])])
def test_seed_lists(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["a-b", "3-1", "0,0", "-1", ""])
def test_bad_seed_lists_are_refused(text):
    with pytest.raises(UserError, match="--seeds"):
        parse_seeds(text)


def _m(modes, hq, rkl, w1=0.5, jsd=0.2):
    return {"modes": modes, "hq_pct": hq, "rkl": rkl, "w1": w1, "jsd": jsd}


def test_cells_are_the_mean_and_standard_error_over_seeds():
    rows = [_m(8, 90.0, 0.1), _m(7, 80.0, 0.3)]  # means 7.5, 85, 0.2; s.e. 0.5, 5, 0.1
    assert cells("points2d", rows, [{}, {}], 8) == [
        "7.5 ± 0.5/8", "85.0 ± 5.0", "0.200 ± 0.100", "0.500 ± 0.000", "0.200 ± 0.000"]
    # one seed: the single-seed table's cells, unchanged
    assert cells("points2d", rows[:1], [{}], 8) == ["8/8", "90.0", "0.100", "0.500", "0.200"]
    # a reverse KL with no high-quality sample is left out and counted
    assert cells("points2d", [_m(0, 0.0, math.nan), *rows], [{}] * 3, 8)[2] == (
        "0.200 ± 0.100 (2/3)")


def test_image_cells_read_the_real_digits_value_from_the_reference():
    row = {"classes": 10, "class_kl": 0.05, "confidence": 0.9, "score": 7.0, "fd": 99.0}
    assert cells("image", [row, row], [{"fd": 7.0}, {"fd": 9.0}], 10)[-3:] == [
        "8.0 ± 1.0", "-", "-"]


def test_a_conditional_runs_label_agreement_sits_beside_the_real_digits_own():
    row = {"classes": 10, "class_kl": 0.01, "confidence": 0.95, "score": 9.0, "fd": 50.0}
    rows = [{**row, "label_agreement": 0.9}, {**row, "label_agreement": 0.8}]
    refs = [{"fd": 7.0, "label_agreement": 0.99}, {"fd": 7.0, "label_agreement": 0.996}]
    assert cells("image", rows, refs, 10)[-2:] == ["0.850 ± 0.050 (0.993)", "-"]


def test_an_infogan_runs_code_agreement_sits_beside_the_classifiers_accuracy():
    row = {"classes": 10, "class_kl": 0.01, "confidence": 0.95, "score": 9.0, "fd": 50.0}
    rows = [{**row, "code_agreement": 0.6}, {**row, "code_agreement": 0.9}]
    refs = [{"fd": 7.0, "code_agreement": 0.99}, {"fd": 7.0, "code_agreement": 0.996}]
    assert cells("image", rows, refs, 10)[-2:] == ["-", "0.750 ± 0.150 (0.993)"]


def test_several_seeds_train_batched_and_print_mean_and_error(capsys):
    assert main(["table", "--presets", "ns", "--datasets", "ring", "--steps", "1",
                 "--seeds", "0-1", "--device", "cpu"]) == 0
    out, err = capsys.readouterr()
    row = next(line for line in out.splitlines() if line.startswith("| ns | ring | 1 |"))
    assert row.count(" ± ") >= 4 and row.endswith("| ok |")
    assert "ns on ring: 2 seeds in" in err and "batched: 2 runs as one computation" in err


def test_bad_seeds_are_one_line(capsys):
    assert main(["table", "--seeds", "4-2"]) == 2
    err = capsys.readouterr().err
    assert "--seeds '4-2'" in err and "Traceback" not in err
