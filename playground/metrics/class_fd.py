"""The Frechet distance of each class of a class-conditional generator (issue 22's shipping
bar: every class within 3x its real reference).

For digit k: the fakes asked for as k against a Gaussian fitted to the class-k digits of
held-out half A (the overall Frechet reference's half, images.held_out_reference), and its real
reference: as many class-k digits of half B against the same Gaussian. The distance is biased
upward at small N, so the two are compared at the same N (200 a class at the protocol's 2,000
samples; half B holds 436-574 test digits of each class). No network runs here: features come
from images.read.
"""
from __future__ import annotations

import numpy as np

from playground.metrics.images import feature_stats, frechet_distance, halves

N_CLASSES = 10


def per_class(fake_feats: np.ndarray, fake_labels: np.ndarray, held_feats: np.ndarray,
              held_labels: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """((10,) FD of each class's first `n` fakes, (10,) FD of n real digits of that class)
    against class k of held-out half A. `fake_labels`: the class each fake was asked for;
    `held_feats` / `held_labels`: every held-out digit, split as the overall reference is."""
    fake_labels, held_labels = np.asarray(fake_labels), np.asarray(held_labels)
    a, b = halves(len(held_feats), seed)
    fake, real = np.full(N_CLASSES, np.nan), np.full(N_CLASSES, np.nan)
    for k in range(N_CLASSES):
        ref = feature_stats(held_feats[a][held_labels[a] == k])
        asked, truth = fake_feats[fake_labels == k][:n], held_feats[b][held_labels[b] == k][:n]
        if len(asked) < n or len(truth) < n:
            raise ValueError(f"class {k}: {len(asked)} fakes and {len(truth)} real digits; "
                             f"the per-class distance compares {n} of each")
        fake[k] = frechet_distance(feature_stats(asked), ref)
        real[k] = frechet_distance(feature_stats(truth), ref)
    return fake, real
