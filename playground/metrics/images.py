"""Class-coverage metrics of generated digits, read through the frozen digit classifier.

Images are float tensors (N, 1, 28, 28) in [-1, 1] (a tanh generator's range, `mnist.to_tensor`
of real digits). The label-based metrics (classes, KL to uniform, confidence, score) can be
fooled by ten blurry class averages; the Frechet distance in the classifier's features cannot,
which is why they are reported together. Nothing here trains or changes the classifier.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.linalg import lapack

from playground.data.mnist import N_CLASSES, Digits, to_tensor
from playground.metrics.classifier import DigitClassifier

MIN_SHARE = 0.01  # a class counts as covered when it holds >= 1% of the samples


@dataclass(frozen=True)
class FeatureStats:
    """A Gaussian fitted to penultimate features: the real reference of the Frechet distance."""
    mu: np.ndarray  # (128,) float64 mean
    sigma: np.ndarray  # (128, 128) float64 covariance (unbiased, N - 1)
    n: int  # samples it was fitted to

    @functools.cached_property
    def root(self) -> np.ndarray:
        """sigma^(1/2) (`psd_sqrt`), computed once: a reference scores many samples."""
        return psd_sqrt(self.sigma)


@dataclass(frozen=True)
class ImageScores:
    """What `evaluate` returns; `as_dict()` gives the five scalars."""
    classes: int  # classes holding >= 1% of samples, 0..10
    class_kl: float  # KL(histogram || uniform) in nats, 0..ln 10
    confidence: float  # mean max softmax probability, 0.1..1
    score: float  # classifier score exp(E KL(p(y|x) || p(y))), 1..10
    fd: float  # Frechet distance to the reference in classifier features, >= 0
    histogram: np.ndarray  # (10,) fraction of samples per predicted class

    def as_dict(self) -> dict[str, float]:
        return {"classes": float(self.classes), "class_kl": self.class_kl,
                "confidence": self.confidence, "score": self.score, "fd": self.fd}


# ---- the formulas, on plain arrays ---------------------------------------------------------
def class_histogram(predicted: np.ndarray) -> np.ndarray:
    """(10,) fraction of samples per predicted label: h_k = #{i : argmax p(y|x_i) = k} / N."""
    return np.bincount(predicted, minlength=N_CLASSES) / max(len(predicted), 1)


def classes_covered(histogram: np.ndarray, min_share: float = MIN_SHARE) -> int:
    """#{k : h_k >= 1%}: a stray misread sample does not count as covering a class."""
    return int((histogram >= min_share).sum())


def class_kl(histogram: np.ndarray) -> float:
    """KL(h || U) = sum_k h_k ln(h_k / (1/K)) nats with 0 ln 0 = 0: 0 when every class is
    equally frequent, ln K when all samples are one class, ln 2 for K/2 equal classes."""
    h = histogram[histogram > 0]
    return float(np.sum(h * np.log(h * len(histogram))))


def mean_confidence(log_probs: np.ndarray) -> float:
    """E_x max_y p(y|x): near 1 when the classifier reads each sample as a clear digit."""
    return float(np.exp(log_probs.max(axis=1)).mean())


def classifier_score(log_probs: np.ndarray) -> float:
    """exp(E_x KL(p(y|x) || p(y))) with p(y) = E_x p(y|x): the Inception score's formula
    (Salimans et al. 2016) with this classifier. 1 when every sample gets the same prediction;
    10 (the maximum) for confident predictions spread evenly over the ten classes."""
    n = len(log_probs)
    log_py = np.logaddexp.reduce(log_probs, axis=0) - math.log(n)  # (10,) ln of the marginal
    p = np.exp(log_probs)
    with np.errstate(invalid="ignore"):  # -inf - -inf where p = 0: masked out just below
        terms = np.where(p > 0, p * (log_probs - log_py), 0.0)  # 0 ln 0 = 0
    kl = terms.sum(axis=1)  # (N,) KL(p(y|x_i) || p(y))
    return float(math.exp(kl.mean()))


def label_agreement(log_probs: np.ndarray, requested: np.ndarray) -> float:
    """(1/N) #{i : argmax_y p(y|x_i) = y_i}: the share of samples the classifier reads as the
    class asked for (a conditional G's y_i; a real digit's true label gives the classifier's
    accuracy, the reference a perfect conditional G would reach)."""
    requested = np.asarray(requested)
    if len(requested) != len(log_probs):
        raise ValueError(f"label agreement: {len(log_probs)} samples but {len(requested)} "
                         "labels")
    return float((log_probs.argmax(1) == requested).mean()) if len(requested) else 0.0


def feature_stats(features: np.ndarray) -> FeatureStats:
    """Mean and unbiased covariance of (N, 128) features, in float64."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise ValueError(f"features must be (N, d) with N >= 2, got shape {f.shape}")
    return FeatureStats(f.mean(0), np.cov(f, rowvar=False), len(f))


def frechet_distance(a: FeatureStats, b: FeatureStats) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)): the squared W2 distance between
    two Gaussians, i.e. the FID formula of Heusel et al. 2017, but in this classifier's 128
    features. Values are therefore NOT comparable with Inception-FID numbers in papers.
    `b` is the reference: its square root R = S_b^(1/2) is computed once and kept on it.

    Tr (S_a S_b)^(1/2) by the symmetric route, never the square root of the non-symmetric
    product (the reference FID code's scipy.linalg.sqrtm, whose imaginary part it drops):
    S_a S_b = (S_a R) R shares its nonzero eigenvalues with the symmetric PSD R S_a R, so the
    trace is sum_i sqrt(w_i) over those eigenvalues. With S_a = F^T F (`psd_factor`, a
    pivoted Cholesky factor) R S_a R = (F R)^T (F R), and the sqrt(w_i) are the singular
    values of F R: taken directly, not as square roots of `eigvalsh(R S_a R)`, whose rounding
    (eps * max w) swamps the small w_i of ill-conditioned features (an error of 9 % to 880 %
    of the distance on tests/metrics/test_image_metrics.py's near-singular sets; this route
    is within 1e-7 there). Real digits' features, 500 vs 500 (rank 95 of 128), median of 20 in
    one run on one thread of a busy 2-core machine: sqrtm 15.9 ms, the previous route (SVD of
    S_a^(1/2) S_b^(1/2), two eigendecompositions per evaluation) 18.8 ms, this one 2.0 ms
    with R cached (6.5 ms once per reference); all three agree to 1e-12 relative."""
    if not (np.isfinite(a.sigma).all() and np.isfinite(b.sigma).all()
            and np.isfinite(a.mu).all() and np.isfinite(b.mu).all()):
        raise ValueError("Frechet distance: the feature statistics are not finite; are the "
                         "features finite?")
    diff = a.mu - b.mu
    factor = psd_factor(a.sigma)  # (r, d), r = rank of S_a
    cross = np.linalg.svd(factor @ b.root, compute_uv=False).sum() if len(factor) else 0.0
    fd = diff @ diff + np.trace(a.sigma) + np.trace(b.sigma) - 2 * cross
    return max(float(fd), 0.0)  # a distance; rounding can leave -1e-12 for identical stats


def psd_factor(sigma: np.ndarray) -> np.ndarray:
    """F of shape (r, d) with F^T F = sigma, r its numerical rank: LAPACK's pivoted Cholesky
    (dpstrf, ~0.3 ms for 128 x 128; an eigendecomposition takes ~6 ms), stopping where the
    remaining pivots are within rounding of 0 (d * eps * max diagonal, LAPACK's default), as
    a singular covariance of fewer samples than features, or of dead features, has."""
    c, piv, rank, info = lapack.dpstrf(sigma, lower=0, tol=-1.0)  # U^T U = P^T sigma P
    if info < 0:
        raise ValueError(f"Frechet distance: dpstrf rejected argument {-info}")
    factor = np.empty((rank, len(sigma)))
    factor[:, piv - 1] = np.triu(c)[:rank]  # undo the pivoting: F = U P^T
    return factor


def psd_sqrt(sigma: np.ndarray) -> np.ndarray:
    """The symmetric square root V diag(sqrt(w)) V^T of a covariance. Eigenvalues within
    rounding of 0 (|w| <= d * eps * max w, numpy's matrix_rank tolerance) are its null space
    and count as 0: their square roots, ~1e-8 * sqrt(max w) each, would otherwise add up."""
    w, v = np.linalg.eigh(sigma)
    tol = max(float(w.max()), 0.0) * len(w) * np.finfo(np.float64).eps
    return (v * np.sqrt(np.where(w > tol, w, 0.0))) @ v.T


# ---- through the classifier ----------------------------------------------------------------
@torch.no_grad()
def read(images: torch.Tensor, classifier: DigitClassifier,
         batch: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """(N, 10) float64 log p(y|x) and (N, 128) float64 features, batched, in eval mode on the
    images' device (the classifier is moved there)."""
    if images.ndim != 4 or tuple(images.shape[1:]) != (1, 28, 28):
        raise ValueError(f"images must be (N, 1, 28, 28) in [-1, 1], got {tuple(images.shape)}")
    classifier = classifier.to(images.device).eval()
    log_probs, feats = [], []
    for i in range(0, len(images), batch):
        f = classifier.features(images[i:i + batch].float())  # (B, 128)
        log_probs.append(torch.log_softmax(classifier.head(f).double(), 1).cpu().numpy())
        feats.append(f.double().cpu().numpy())
    return np.concatenate(log_probs), np.concatenate(feats)


def reference_stats(images: torch.Tensor, classifier: DigitClassifier,
                    batch: int = 500) -> FeatureStats:
    """The real reference for `evaluate`: a Gaussian fitted to real images' features."""
    return feature_stats(read(images, classifier, batch)[1])


def scores(log_probs: np.ndarray, features: np.ndarray, reference: FeatureStats) -> ImageScores:
    """Every metric from `read`'s outputs: labels from `log_probs`, FD of `features`' fit."""
    hist = class_histogram(log_probs.argmax(1))
    return ImageScores(classes_covered(hist), class_kl(hist), mean_confidence(log_probs),
                       classifier_score(log_probs),
                       frechet_distance(feature_stats(features), reference), hist)


def evaluate(images: torch.Tensor, classifier: DigitClassifier, reference: FeatureStats,
             batch: int = 500) -> ImageScores:
    """Every metric of (N, 1, 28, 28) images in [-1, 1] (N >= 2). The Frechet distance is
    biased upward at small N, so compare it only at equal N (see `real_reference`)."""
    return scores(*read(images, classifier, batch), reference)


def halves(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint random halves (A, B) of range(n), each n // 2 indices."""
    order = np.random.default_rng(seed).permutation(n)
    return order[:n // 2], order[n // 2:2 * (n // 2)]


def held_out_reference(digits: Digits, classifier: DigitClassifier,
                       seed: int = 0) -> FeatureStats:
    """The reference for generated digits: a Gaussian fitted to half A of the held-out real
    digits (5,000 of the 10,000 MNIST test digits). Evaluate len(A) fakes against it and their
    Frechet distance is directly comparable with `real_reference`'s."""
    feats = read(to_tensor(digits.split(held_out=True)[0]), classifier)[1]
    return feature_stats(feats[halves(len(feats), seed)[0]])


def real_reference(digits: Digits, classifier: DigitClassifier, seed: int = 0) -> ImageScores:
    """Real digits' own values of every metric, to show next to generated ones: the label
    metrics of the whole held-out split, and the Frechet distance of held-out half B to half A
    (`held_out_reference`): the floor a perfect generator reaches with as many samples as
    half B. For the shipped set that is 5,000 vs 5,000 test digits. FD is biased upward at
    small N, so compare generated values only at this same N."""
    log_probs, feats = read(to_tensor(digits.split(held_out=True)[0]), classifier)
    a, b = halves(len(feats), seed)
    return scores(log_probs, feats[b], feature_stats(feats[a]))  # labels: all held-out
