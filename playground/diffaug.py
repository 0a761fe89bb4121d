"""Differentiable augmentation (DiffAugment; Zhao et al. 2020, "Differentiable Augmentation for
Data-Efficient GAN Training"): a remedy for image runs on few digits, where D memorises the
training set and the generator degrades.

The same random transformation law T (colour, translation, cutout) is applied to the real and
the fake batch alike, independently per image, before D, in D's update and in G's. D therefore
only ever compares T(x) with T(G(z)), and G, trained through T (every op is differentiable in
its input), is pushed to make T(G(z)) ~ T(x). Where T is invertible in distribution (the law of
T(y) determines the law of y: Karras et al. 2020 call such T non-leaking), that means
G(z) ~ x. G's own samples (the grid, the metrics, the latent explorer) are never augmented.
Augmenting the reals alone would leak: G would learn to draw shifted, cut-out digits (Zhao et
al. 2020, Sec. 3, show both: that leak, and none when real and fake are augmented alike).

Images here are (N, C, H, W) in [-1, 1] (pixels p in 0..255 as p / 127.5 - 1: data/mnist.py),
which is also the range of Zhao et al.'s code (BigGAN / StyleGAN2 inputs), so their constants
stand. Every random draw takes the run's explicit generator, on the images' device.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from playground.registry import Registry

Op = Callable[[torch.Tensor, torch.Generator], torch.Tensor]
BLACK = -1.0  # pixel 0 in [-1, 1]: MNIST's background, the fill of translation and cutout


def _per_image(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """U[0, 1) of shape (N, 1, 1, 1): one draw per image, broadcast over its pixels."""
    return torch.rand((x.shape[0], 1, 1, 1), generator=gen, device=x.device, dtype=x.dtype)


def brightness(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """x + b, b ~ U[-0.5, 0.5] per image (Zhao et al.'s rand_brightness): a shift of up to a
    quarter of the [-1, 1] range, the range their constant was written for."""
    return x + (_per_image(x, gen) - 0.5)


def saturation(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """(x - m) * s + m around the per-pixel channel mean m, s ~ U[0, 2] (rand_saturation).
    With one channel m = x and the op is the identity: skipped without a draw (MNIST)."""
    if x.shape[1] == 1:
        return x
    m = x.mean(dim=1, keepdim=True)
    return (x - m) * (2 * _per_image(x, gen)) + m


def contrast(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """(x - m) * c + m around the image's mean m, c ~ U[0.5, 1.5] (rand_contrast). Scaling
    about the mean is the same in any affine pixel range, so [-1, 1] needs no change."""
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - m) * (_per_image(x, gen) + 0.5) + m


def _shift_index(n: int, size: int, shift: torch.Tensor) -> torch.Tensor:
    """(N, size) source indices into a side padded by `pad` = max shift: out[i] = in[i - t]."""
    pad = (n - size) // 2
    return torch.arange(size, device=shift.device)[None, :] + pad - shift[:, None]


def translation(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image by (ty, tx), each uniform on {-s..s}, s = int(side * 1/8 + 0.5) (Zhao et
    al.'s rounding: 4 pixels on 28), filling the uncovered border with black (pixel 0; their
    code pads 0 in [-1, 1], a grey frame that would be shared by real and fake but is no
    digit). A gather, so the gradient flows to every pixel that stays in view."""
    N, C, H, W = x.shape
    sy, sx = int(H * ratio + 0.5), int(W * ratio + 0.5)
    ty = torch.randint(-sy, sy + 1, (N,), generator=gen, device=x.device)
    tx = torch.randint(-sx, sx + 1, (N,), generator=gen, device=x.device)
    padded = torch.nn.functional.pad(x, (sx, sx, sy, sy), value=BLACK)  # (N, C, H+2sy, W+2sx)
    rows = _shift_index(H + 2 * sy, H, ty)  # (N, H)
    cols = _shift_index(W + 2 * sx, W, tx)  # (N, W)
    out = padded.gather(2, rows[:, None, :, None].expand(N, C, H, W + 2 * sx))
    return out.gather(3, cols[:, None, None, :].expand(N, C, H, W))  # (N, C, H, W)


def cutout(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.5) -> torch.Tensor:
    """Black out one square of side int(side / 2 + 0.5) per image (14 on 28: a quarter of the
    image), its centre uniform on {0..side} (rand_cutout: the square is clipped at the border,
    so the mean area is (350/29)^2 / 784 = 0.186 of a 28 x 28 image). x * mask + black * (1 -
    mask): the gradient is 1 outside the square and 0 inside."""
    N, _, H, W = x.shape
    ch, cw = int(H * ratio + 0.5), int(W * ratio + 0.5)
    cy = torch.randint(0, H + (1 - ch % 2), (N, 1), generator=gen, device=x.device)
    cx = torch.randint(0, W + (1 - cw % 2), (N, 1), generator=gen, device=x.device)
    ys = torch.arange(H, device=x.device)[None, :] - (cy - ch // 2)  # (N, H): row - top
    xs = torch.arange(W, device=x.device)[None, :] - (cx - cw // 2)
    inside = ((ys >= 0) & (ys < ch))[:, :, None] & ((xs >= 0) & (xs < cw))[:, None, :]
    keep = (~inside).to(x.dtype)[:, None]  # (N, 1, H, W)
    return x * keep + BLACK * (1 - keep)


# Zhao et al.'s policy names, each a sequence of ops applied in this order (their AUGMENT_FNS).
OPS: dict[str, tuple[Op, ...]] = {
    "color": (brightness, saturation, contrast),
    "translation": (translation,),
    "cutout": (cutout,),
}


@dataclass(frozen=True)
class Policy:
    label: str
    ops: tuple[str, ...]  # keys of OPS, applied in order


# The policies the MNIST lab offers (RunConfig.diffaug holds the id; "" = off). Zhao et al.
# recommend all three for small data (their 100-shot and 10%-data results use
# color,translation,cutout); the shorter ones show which op matters.
POLICIES: Registry[Policy] = Registry("DiffAugment policy")
POLICIES.add("", Policy("off", ()))
POLICIES.add("translation", Policy("translation", ("translation",)))
POLICIES.add("translation,cutout", Policy("translation + cutout", ("translation", "cutout")))
POLICIES.add("color,translation,cutout",
             Policy("colour + translation + cutout (Zhao et al.)", ("color", "translation",
                                                                    "cutout")))

CAPTION = ("D sees real and fake digits only through the same random shift, cut-out and "
           "brightness/contrast change, so it cannot memorise a few hundred digits, and G, "
           "trained through these differentiable changes, is pushed to make augmented fakes "
           "look like augmented reals, which these changes allow only when the fakes look like "
           "the digits themselves (Zhao et al. 2020). G's own samples are never augmented: the "
           "grid and the scores show G(z) as it is.")


def augment(x: torch.Tensor, policy: str, gen: torch.Generator) -> torch.Tensor:
    """DiffAugment(x) under `policy` (an id of POLICIES; "" returns x itself, without a draw):
    each op draws independently per image from `gen`."""
    for name in POLICIES.get(policy).ops:
        for op in OPS[name]:
            x = op(x, gen)
    return x
