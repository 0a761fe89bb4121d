"""Latent-space operations of a generator, as pure functions on numpy arrays of z (N, D).

Paths (lerp, slerp), a grid between four corners, a walk through several points, a sweep of one
coordinate or direction, vector arithmetic mean(A) - mean(B) + mean(C) with small-noise
neighbours (Radford et al. 2016, Sec. 6.3), per-class mean latents and attribute directions, and
the image statistics that find attributes (stroke mass, slant by image moments). Nothing here
runs a network; `explorer.py` decodes and classifies.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(T, D) points (1 - t) a + t b for each t in [0, 1]."""
    t = np.asarray(t, dtype=np.float64)[:, None]
    return ((1 - t) * a[None] + t * b[None]).astype(np.float32)


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(T, D) spherical interpolation: sin((1-t) w)/sin w a + sin(t w)/sin w b, w the angle
    between a and b (White 2016). For endpoints of equal norm r every point has norm r exactly
    (|p|^2 = r^2 (s1^2 + s2^2 + 2 s1 s2 cos w) / sin^2 w = r^2). For unequal norms it can leave
    them far behind as w nears 180 degrees (norms 1 and 2 at 170 degrees: 6.1 at the peak); for
    independent Gaussian endpoints in 64-D, w is near 90 degrees and the norm stays within about
    1% of the endpoints' range (`norm_stats`). Falls back to lerp for (anti)parallel endpoints."""
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    t = np.asarray(t, dtype=np.float64)
    cos = np.dot(a64, b64) / max(np.linalg.norm(a64) * np.linalg.norm(b64), 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(a, b, t)
    s = np.sin(omega)
    out = (np.sin((1 - t) * omega)[:, None] * a64 + np.sin(t * omega)[:, None] * b64) / s
    return out.astype(np.float32)


PATHS = {"lerp": lerp, "slerp": slerp}


@dataclass(frozen=True)
class NormStats:
    """How |z| behaves along each path between independent N(0, I) endpoints a and b."""
    dim: int
    pairs: int
    lerp_mid: float  # mean of |(a + b) / 2| / sqrt((|a|^2 + |b|^2) / 2): 1/sqrt(2) in theory
    lerp_mid_range: tuple[float, float]  # its smallest and largest over the pairs
    slerp_low: float  # smallest min_t |p(t)| / min(|a|, |b|) over the pairs
    slerp_high: float  # largest max_t |p(t)| / max(|a|, |b|) over the pairs
    below_mid: float  # P(|z| < lerp_mid sqrt(D)) for z ~ N(0, I): |z|^2 is chi^2 with D dof


@functools.lru_cache(maxsize=8)
def norm_stats(dim: int, pairs: int = 2000, seed: int = 0) -> NormStats:
    """|z| along lerp and slerp for `pairs` independent Gaussian pairs in `dim` dimensions.
    E[a.b] = 0 and E|a|^2 = E|b|^2 = D, so |(a + b) / 2|^2 ~ D / 2: lerp's midpoint sits at
    about 1/sqrt(2) of the endpoints' norm. Slerp's peaks measure how far `slerp` strays from
    the range between the endpoints' norms (it cannot stay inside it exactly: see `slerp`)."""
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, pairs, dim))  # (P, D) each
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    mid = np.linalg.norm((a + b) / 2, axis=1) / np.sqrt((na**2 + nb**2) / 2)
    # slerp's norm in closed form, all pairs at once (tests check it against `slerp`):
    # |p|^2 = (s1^2 |a|^2 + s2^2 |b|^2 + 2 s1 s2 a.b) / sin^2 w, s1 = sin((1-t) w), s2 = sin(t w)
    dot = (a * b).sum(1)
    w = np.arccos(np.clip(dot / (na * nb), -1.0, 1.0))[:, None]  # (P, 1)
    t = np.linspace(0.0, 1.0, 21)[None]  # (1, T)
    s1, s2 = np.sin((1 - t) * w), np.sin(t * w)
    n = np.sqrt((s1**2 * na[:, None]**2 + s2**2 * nb[:, None]**2
                 + 2 * s1 * s2 * dot[:, None]) / np.sin(w)**2)  # (P, T)
    low = (n.min(1) / np.minimum(na, nb)).min()
    high = (n.max(1) / np.maximum(na, nb)).max()
    from scipy.stats import chi2
    below = chi2.cdf(mid.mean() ** 2 * dim, dim)
    return NormStats(dim, pairs, float(mid.mean()), (float(mid.min()), float(mid.max())),
                     float(low), float(high), float(below))


def path(a: np.ndarray, b: np.ndarray, steps: int, kind: str = "slerp", tail: int = 0
         ) -> np.ndarray:
    """`steps` points from a to b inclusive by `kind` ("lerp" | "slerp"). The last `tail`
    coordinates (a conditional G's label part, explorer.py) always go straight: a mix
    (1 - t) e_a + t e_b of two one-hot labels still sums to one, where slerp's weights
    sin((1-t) w)/sin w + sin(t w)/sin w reach sqrt(2) at w = 90 degrees."""
    if kind not in PATHS:
        raise ValueError(f"unknown path {kind!r}; valid: {', '.join(PATHS)}")
    if steps < 2:
        raise ValueError(f"a path needs at least 2 steps, got {steps}")
    t = np.linspace(0.0, 1.0, steps)
    if not tail:
        return PATHS[kind](a, b, t)
    head = PATHS[kind](a[:-tail], b[:-tail], t)
    return np.concatenate([head, lerp(a[-tail:], b[-tail:], t)], 1)


def grid(corners: np.ndarray, n: int, kind: str = "slerp", tail: int = 0) -> np.ndarray:
    """(n, n, D) between four corners (top-left, top-right, bottom-left, bottom-right): the
    left and right edges by `kind`, then each row between its two edge points."""
    tl, tr, bl, br = corners
    left, right = path(tl, bl, n, kind, tail), path(tr, br, n, kind, tail)
    return np.stack([path(left[i], right[i], n, kind, tail) for i in range(n)])


def walk(points: np.ndarray, steps_between: int, kind: str = "slerp", tail: int = 0
         ) -> np.ndarray:
    """A path through several points in order: (K - 1) * (steps_between - 1) + 1 points."""
    legs = [path(points[i], points[i + 1], steps_between, kind, tail)
            for i in range(len(points) - 1)]
    return np.concatenate([legs[0]] + [leg[1:] for leg in legs[1:]])


def sweep(z: np.ndarray, direction: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(S, D) z + v * direction for each v: one coordinate (a unit basis vector) or any
    direction moved through `values` (seed 002: hold z, change one number)."""
    return (z[None] + np.asarray(values, np.float32)[:, None] * direction[None]).astype(
        np.float32)


def unit(index: int, dim: int) -> np.ndarray:
    e = np.zeros(dim, np.float32)
    e[index] = 1.0
    return e


def arithmetic(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """mean(A) - mean(B) + mean(C): DCGAN averaged three exemplars per concept, since single
    vectors carry their own quirks (Radford et al. 2016, Fig. 7)."""
    return (np.mean(a, 0) - np.mean(b, 0) + np.mean(c, 0)).astype(np.float32)


def neighbours(z: np.ndarray, n: int, sigma: float, seed: int) -> np.ndarray:
    """(n, D): z itself, then n - 1 points z + sigma * noise (the paper shows a few such
    samples around each arithmetic result)."""
    noise = np.random.default_rng(seed).standard_normal((n - 1, len(z))).astype(np.float32)
    return np.concatenate([z[None], z[None] + sigma * noise]).astype(np.float32)


def class_means(z: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """(n_classes, D) mean latent of the samples the classifier gave each label (NaN rows for
    labels that never occur)."""
    out = np.full((n_classes, z.shape[1]), np.nan, np.float32)
    for k in range(n_classes):
        if (labels == k).any():
            out[k] = z[labels == k].mean(0)
    return out


def direction(z: np.ndarray, score: np.ndarray, frac: float = 0.1) -> np.ndarray:
    """Mean z of the top `frac` by `score` minus mean z of the bottom `frac`, pooled over every
    sample: mostly a class direction when the score differs by class (the thickest decile of
    the shipped DCGAN's digits is 55% 0s and 8s). `attribute_direction` takes the class out."""
    order = np.argsort(score)
    k = max(1, int(round(frac * len(score))))
    return (z[order[-k:]].mean(0) - z[order[:k]].mean(0)).astype(np.float32)


ATTRIBUTE_STEP = 1.0  # the page's default "how far" along an attribute direction, in std of z


def attribute_direction(z: np.ndarray, score: np.ndarray, labels: np.ndarray,
                        n_classes: int = 10) -> np.ndarray:
    """(D,) unit direction in which `score` grows within each class, not across classes:
    z and score centred on their class means, then d = sum_i (z_i - zbar_c)(s_i - sbar_c)
    (the within-class regression of the score on z, for z ~ N(0, I)), with its component in
    the span of the class means (where labels change) projected out. A step of t along it
    moves z by t standard deviations of z (any unit direction has N(0, 1) projections).
    Measured on the shipped DCGAN at t = 1: 164 of 192 labels kept for stroke mass and 154 for
    slant (a random unit direction: ~162), where the pooled decile direction at |d| = 2.8 kept
    3 of 32."""
    z64, s64 = np.asarray(z, np.float64), np.asarray(score, np.float64)
    zc, sc = z64.copy(), s64.copy()
    present = [k for k in range(n_classes) if (labels == k).any()]
    for k in present:
        m = labels == k
        zc[m] -= z64[m].mean(0)
        sc[m] -= s64[m].mean()
    d = zc.T @ sc  # (D,)
    means = np.stack([z64[labels == k].mean(0) for k in present])
    if len(present) > 1:  # an orthonormal basis of the class means' differences
        q, r = np.linalg.qr((means - means.mean(0)).T)
        q = q[:, np.abs(np.diag(r)) > 1e-9]
        d = d - q @ (q.T @ d)
    norm = np.linalg.norm(d)
    if norm < 1e-12:
        raise ValueError("the score does not vary with z within the classes")
    return (d / norm).astype(np.float32)


# ---- image statistics (images: (N, 28, 28), uint8 or floats in [-1, 1]) ------------------------
def ink(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) float64 ink in [0, 1]: 0 background, 1 full stroke."""
    x = np.asarray(images)
    return x / 255.0 if x.dtype == np.uint8 else (np.clip(x, -1, 1) + 1) / 2


def stroke_mass(images: np.ndarray) -> np.ndarray:
    """(N,) mean ink per pixel: thick strokes score high, thin ones low."""
    return ink(images).reshape(len(images), -1).mean(1)


def slant(images: np.ndarray) -> np.ndarray:
    """(N,) the shear of the ink by second image moments, mu11 / mu02 (x rightward, y
    downward): how far x moves per row, positive when the top leans right (a /-slanted 1)."""
    w = ink(images)
    n, h, wd = w.shape
    ys, xs = np.mgrid[0:h, 0:wd]
    m = w.reshape(n, -1).sum(1) + 1e-12
    cx = (w * xs).reshape(n, -1).sum(1) / m
    cy = (w * ys).reshape(n, -1).sum(1) / m
    dx, dy = xs[None] - cx[:, None, None], ys[None] - cy[:, None, None]
    mu11 = (w * dx * dy).reshape(n, -1).sum(1) / m
    mu02 = (w * dy * dy).reshape(n, -1).sum(1) / m
    return -mu11 / (mu02 + 1e-12)  # y grows downward: a top leaning right has mu11 < 0
