"""Digit pictures as files: a tiled grid of (N, 28, 28) images, PNG bytes, and an animated GIF
of grids over training. Pure functions on uint8 arrays (Pillow writes the files), shared by the
CLI's `sample` and `latent` commands and the app's exports.
"""
from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Floats in [-1, 1] (a tanh generator's range) -> uint8 grey levels; uint8 passes through."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    return np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def tile(images: np.ndarray, cols: int | None = None, pad: int = 2,
         background: int = 40) -> np.ndarray:
    """(N, h, w) images -> one (rows * (h + pad) + pad, cols * (w + pad) + pad) uint8 picture,
    row-major, on a dark background so white strokes on black read as digits."""
    images = to_uint8(images)
    n, h, w = images.shape
    cols = cols or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), background, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h,
            pad + c * (w + pad): pad + c * (w + pad) + w] = img
    return out


def png(picture: np.ndarray, scale: int = 1) -> bytes:
    """PNG bytes of a (H, W) uint8 picture, each pixel enlarged `scale` times (no smoothing)."""
    img = Image.fromarray(to_uint8(picture), mode="L")
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def gif(pictures: list[np.ndarray], ms_per_frame: int = 200, scale: int = 1) -> bytes:
    """An animated GIF (looping) of (H, W) uint8 pictures of one size."""
    if not pictures:
        raise ValueError("a GIF needs at least one picture")
    frames = [Image.fromarray(to_uint8(p), mode="L") for p in pictures]
    if scale > 1:
        frames = [f.resize((f.width * scale, f.height * scale), Image.NEAREST) for f in frames]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:],
                   duration=ms_per_frame, loop=0)
    return buf.getvalue()
