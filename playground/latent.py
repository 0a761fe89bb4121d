"""Latent-space operations of a generator, as pure functions on numpy arrays of z (N, D).

Paths (lerp, slerp), a grid between four corners, a walk through several points, a sweep of one
coordinate or direction, vector arithmetic mean(A) - mean(B) + mean(C) with small-noise
neighbours (Radford et al. 2016, Sec. 6.3), per-class mean latents and attribute directions, and
the image statistics that find attributes (stroke mass, slant by image moments). Nothing here
runs a network; `explorer.py` decodes and classifies.
"""
from __future__ import annotations

import numpy as np


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(T, D) points (1 - t) a + t b for each t in [0, 1]."""
    t = np.asarray(t, dtype=np.float64)[:, None]
    return ((1 - t) * a[None] + t * b[None]).astype(np.float32)


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(T, D) spherical interpolation: sin((1-t) w)/sin w a + sin(t w)/sin w b, w the angle
    between a and b. For Gaussian z, |z| concentrates near sqrt(D), and a straight line cuts
    through the low-norm interior where G never saw a z during training; slerp keeps the norm
    between |a| and |b| (White 2016). Falls back to lerp for (anti)parallel endpoints."""
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


def path(a: np.ndarray, b: np.ndarray, steps: int, kind: str = "slerp") -> np.ndarray:
    """`steps` points from a to b inclusive by `kind` ("lerp" | "slerp")."""
    if kind not in PATHS:
        raise ValueError(f"unknown path {kind!r}; valid: {', '.join(PATHS)}")
    if steps < 2:
        raise ValueError(f"a path needs at least 2 steps, got {steps}")
    return PATHS[kind](a, b, np.linspace(0.0, 1.0, steps))


def grid(corners: np.ndarray, n: int, kind: str = "slerp") -> np.ndarray:
    """(n, n, D) between four corners (top-left, top-right, bottom-left, bottom-right): the
    left and right edges by `kind`, then each row between its two edge points."""
    tl, tr, bl, br = corners
    left, right = path(tl, bl, n, kind), path(tr, br, n, kind)
    return np.stack([path(left[i], right[i], n, kind) for i in range(n)])


def walk(points: np.ndarray, steps_between: int, kind: str = "slerp") -> np.ndarray:
    """A path through several points in order: (K - 1) * (steps_between - 1) + 1 points."""
    legs = [path(points[i], points[i + 1], steps_between, kind)
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
    """Mean z of the top `frac` by `score` minus mean z of the bottom `frac`: the direction in
    which the attribute grows (e.g. stroke mass: thicker)."""
    order = np.argsort(score)
    k = max(1, int(round(frac * len(score))))
    return (z[order[-k:]].mean(0) - z[order[:k]].mean(0)).astype(np.float32)


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
