"""InfoGAN's code-class agreement: how well a categorical code found without labels lines up
with the digit classes the frozen classifier reads, under the best one-to-one matching.

The code's values carry no names (value 3 may well draw sevens), so the score first matches
the K code values to the K classes: the matching that maximises the agreeing samples, the
linear assignment on the confusion counts (Hungarian method; scipy's linear_sum_assignment),
the usual "unsupervised clustering accuracy" of the InfoGAN paper's Sec. 7.1 (5 % error on
MNIST). Pure numpy; the classifier's reading comes in as labels.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def confusion(codes: np.ndarray, predicted: np.ndarray, k: int = 10) -> np.ndarray:
    """(k, k) counts: [a, b] = #{i : code_i = a and the classifier reads class b}."""
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (np.asarray(codes, dtype=np.int64),
                       np.asarray(predicted, dtype=np.int64)), 1)
    return counts


def code_class_agreement(codes: np.ndarray, predicted: np.ndarray,
                         k: int = 10) -> tuple[float, np.ndarray]:
    """(agreement, matching): max over one-to-one maps m of (1/N) #{i : m(code_i) =
    predicted_i}, and that m as a (k,) array, m[a] = the class code value a reads as.
    1 for a code that is the class under any permutation; about 1/k (plus the maximum's
    small upward bias) for a code independent of the class."""
    codes, predicted = np.asarray(codes), np.asarray(predicted)
    if len(codes) != len(predicted):
        raise ValueError(f"code-class agreement: {len(codes)} codes but {len(predicted)} "
                         "readings")
    if not len(codes):
        return 0.0, np.arange(k)
    counts = confusion(codes, predicted, k)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    matching = np.empty(k, dtype=np.int64)
    matching[rows] = cols
    return float(counts[rows, cols].sum() / len(codes)), matching
