"""Code-class agreement (metrics/codes.py) on closed-form cases, and its place in METRICS."""
import numpy as np
import pytest
import torch

from playground.metrics import points2d as metrics
from playground.metrics.codes import code_class_agreement, confusion


def test_a_permuted_perfect_code_scores_one_and_names_the_permutation():
    perm = np.array([3, 7, 0, 9, 1, 2, 8, 5, 4, 6])  # code value a draws digit perm[a]
    codes = np.arange(1000) % 10
    share, matching = code_class_agreement(codes, perm[codes])
    assert share == 1.0 and np.array_equal(matching, perm)


def test_a_code_independent_of_the_class_scores_about_a_tenth():
    rng = np.random.default_rng(0)
    codes, read = rng.integers(0, 10, 20_000), rng.integers(0, 10, 20_000)
    share, matching = code_class_agreement(codes, read)
    # 1/10 plus the maximum's small bias over 10! matchings (~ +0.005 at this n)
    assert 0.095 <= share <= 0.115
    assert sorted(matching.tolist()) == list(range(10))  # still one-to-one


def test_two_code_values_on_one_digit_count_once():
    """Codes 0 and 1 both draw sevens, code 7 draws zeros and no code draws ones: one of
    codes 0, 1 is matched to 7, the other to 1 (none of its samples), so 0.9 agree."""
    codes = np.arange(2000) % 10
    read = np.where(codes <= 1, 7, codes)  # 2 -> 2, ..., 7 -> 7: the digit 7 also from codes 0, 1
    read = np.where(codes == 7, 0, read)  # code 7 draws the zeros no other code draws
    share, matching = code_class_agreement(codes, read)
    assert share == pytest.approx(0.9)  # codes 2-9 (80 %) and one of codes 0, 1 (10 %)
    assert {matching[0], matching[1]} == {7, 1}


def test_confusion_counts_and_bad_input():
    assert confusion(np.array([0, 0, 2]), np.array([1, 1, 0]), 3).tolist() == [
        [0, 2, 0], [0, 0, 0], [1, 0, 0]]
    with pytest.raises(ValueError, match="3 codes but 2"):
        code_class_agreement(np.zeros(3, int), np.zeros(2, int))
    assert code_class_agreement(np.zeros(0, int), np.zeros(0, int))[0] == 0.0


def test_the_metric_applies_to_infogan_contexts_only_and_reports_the_matching():
    spec = metrics.METRICS.get("code_agreement")
    log_probs = np.log(np.full((20, 10), 1e-9))
    read = (np.arange(20) % 10 + 3) % 10
    log_probs[np.arange(20), read] = 0.0
    ctx = metrics.EvalContext(kind="image", fake=torch.zeros(20, 1, 28, 28),
                              codes=np.arange(20) % 10, read={"fake": (log_probs, None)})
    assert spec.applies(ctx)
    assert not spec.applies(metrics.EvalContext(kind="image", fake=None))
    out = spec.compute(ctx)
    assert out["code_agreement"] == 1.0
    assert [out[f"code_as_{k}"] for k in range(10)] == [(k + 3) % 10 for k in range(10)]
    assert metrics.per_bin("code_as_3") and not metrics.per_bin("code_agreement")
