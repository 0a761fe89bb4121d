"""The class views of a class-conditional generator (issue 22), on an `explorer.Explorer` whose
points are [z, label]: hold z and change only the label part.

- every class: the same z drawn as each digit 0-9 (style kept, class changed);
- between classes: the label part moved from one-hot a to one-hot b at fixed z, a mix
  (1 - t) e_a + t e_b that G never saw in training (it saw one-hot labels only);
- style transfer: the z whose drawing under a real digit's label best redraws that digit
  (gradient descent on z, G fixed), then that z under every label.

On an InfoGAN generator the same views hold z and change the categorical code (its 10 values
are whatever G made of them, not digits: `row_readings` says what each row is read as), and
`code_sweep` draws the paper's figure: one row per categorical value, one continuous code moved
along the columns (Chen et al. 2016, Fig. 2, which goes past training's [-1, 1] to [-2, 2]).
Style transfer needs a label that names a digit, so it is for class-conditional G only.

Pure numpy / torch, no Streamlit; pictures come from `Explorer.decode`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground import infogan
from playground.latent.explorer import N_CLASSES, Decoded, Explorer

CODE_RANGE = infogan.SWEEP  # a continuous code's sweep by default: the paper's Fig. 2, +-2
FIT_STEPS, FIT_STARTS, FIT_LR = 150, 8, 0.05  # Adam on z: ~1 s for the 32-wide DCGAN on a CPU
# Weight of a N(0, I) prior on z in the fit, mean(z^2) against the mean squared pixel error
# (pixels in [-1, 1]): without it z drifts off the sphere training drew from, and the other
# labels then draw blots from the same z.
PRIOR = 0.01


def need_classes(ex: Explorer) -> None:
    if not ex.classes:
        raise ValueError(f"{ex.source} is an unconditional generator: the class views need "
                         "one trained with class conditioning (e.g. the cgan_projection preset) "
                         "or InfoGAN's codes (the infogan preset)")


def need_codes(ex: Explorer) -> None:
    if not ex.cont:
        raise ValueError(f"{ex.source} has no continuous codes: sweeping them needs an InfoGAN "
                         "generator (the infogan preset)")


def every_class(ex: Explorer, points: np.ndarray) -> Decoded:
    """(10 N) digits, row k the N points' z drawn as class k (row-major: [k * N + j])."""
    need_classes(ex)
    points = np.asarray(points, np.float32).reshape(-1, ex.width)
    n = len(points)
    rows = [ex.with_labels(points, np.full(n, k)) for k in range(N_CLASSES)]
    return ex.decode(np.concatenate(rows))


def agreement(decoded: Decoded, columns: int) -> float:
    """The share of an `every_class` grid read as the class its row asked for."""
    asked = np.repeat(np.arange(N_CLASSES), columns)
    return float((decoded.labels == asked).mean())


def row_readings(decoded: Decoded, columns: int) -> list[tuple[int, float]]:
    """Per row of a grid `columns` wide: the digit the classifier reads most often in it and
    the share of the row read so (InfoGAN: what each code value came to draw)."""
    out = []
    for row in decoded.labels.reshape(-1, columns):
        counts = np.bincount(row, minlength=N_CLASSES)
        out.append((int(counts.argmax()), float(counts.max() / columns)))
    return out


def code_sweep(ex: Explorer, point: np.ndarray, code: int, values: np.ndarray) -> np.ndarray:
    """(classes * len(values), width): `point`'s z with categorical value k in row k and
    continuous code `code` at each of `values` along the row (the other codes at 0)."""
    need_classes(ex)
    need_codes(ex)
    if not 0 <= code < ex.cont:
        raise ValueError(f"continuous code must be in [0, {ex.cont - 1}], got {code}")
    values = np.asarray(values, np.float32)
    n = len(values)
    cont = np.zeros((ex.classes * n, ex.cont), np.float32)
    cont[:, code] = np.tile(values, ex.classes)
    z = np.repeat(np.asarray(point, np.float32).reshape(1, -1), ex.classes * n, 0)
    return ex.with_labels(z, np.repeat(np.arange(ex.classes), n), cont)


def between(ex: Explorer, point: np.ndarray, a: int, b: int, steps: int) -> np.ndarray:
    """(steps, width): `point`'s z with the label part going straight from one-hot a to b."""
    need_classes(ex)
    for name, k in (("from", a), ("to", b)):
        if not 0 <= k < N_CLASSES:
            raise ValueError(f"{name} class must be a digit 0-9, got {k}")
    if steps < 2:
        raise ValueError(f"a path needs at least 2 steps, got {steps}")
    z = np.asarray(point, np.float32).reshape(-1)[:ex.latent_dim]
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    eye = np.eye(N_CLASSES, dtype=np.float32)
    labels = (1 - t) * eye[a] + t * eye[b]
    return np.concatenate([np.repeat(z[None], steps, 0), labels,
                           np.zeros((steps, ex.cont), np.float32)], 1)


@dataclass(frozen=True)
class Fit:
    point: np.ndarray  # (width,) the found z with the digit's one-hot label
    error: float  # mean absolute pixel difference (0-1) between its drawing and the digit
    start_error: float  # the same for the best of the random starting z


def fit(ex: Explorer, image: np.ndarray, label: int, seed: int = 0,
        steps: int = FIT_STEPS, starts: int = FIT_STARTS) -> Fit:
    """The z that, drawn as `label`, best redraws `image` (28, 28) uint8: Adam on `starts`
    random z at once (squared pixel error plus the weak prior `PRIOR`), keeping the best.
    G's weights are untouched (gradients are taken with respect to z only)."""
    need_classes(ex)
    if ex.info:
        raise ValueError(f"{ex.source} is an InfoGAN generator: its code values are not digit "
                         "labels, so a digit cannot be redrawn 'as its label'; style transfer "
                         "needs a class-conditional generator")
    if not 0 <= label < N_CLASSES:
        raise ValueError(f"label must be a digit 0-9, got {label}")
    target = torch.as_tensor(np.asarray(image, np.float32).reshape(1, 1, 28, 28) / 127.5 - 1,
                             device=ex.device)
    y = torch.as_tensor(np.eye(N_CLASSES, dtype=np.float32)[[label] * starts], device=ex.device)
    gen = torch.Generator().manual_seed(seed)
    z0 = torch.randn(starts, ex.latent_dim, generator=gen).to(ex.device)
    z = z0.clone().requires_grad_(True)
    opt = torch.optim.Adam([z], lr=FIT_LR)

    def errors(zs: torch.Tensor) -> torch.Tensor:  # (starts,) mean squared pixel error
        return ((ex.net(torch.cat([zs, y], 1)) - target) ** 2).mean((1, 2, 3))

    for _ in range(steps):
        loss = (errors(z) + PRIOR * (z ** 2).mean(1)).sum()
        (grad,) = torch.autograd.grad(loss, z)
        z.grad = grad
        opt.step()
    with torch.no_grad():
        best = int(errors(z).argmin())
    found = z[best:best + 1].detach().cpu().numpy()
    return Fit(ex.with_labels(found, np.array([label]))[0],
               _abs_error(ex, found, label, image), _abs_error(ex, z0.cpu().numpy(), label, image))


def _abs_error(ex: Explorer, z: np.ndarray, label: int, image: np.ndarray) -> float:
    """The smallest mean absolute pixel difference (0-1) to `image` over the z drawn as
    `label`."""
    drawn = ex.decode(ex.with_labels(z, np.full(len(z), label))).images.astype(np.float32)
    return float((np.abs(drawn - image.astype(np.float32)[None]) / 255).mean((1, 2)).min())


def held_out_digit(index: int) -> tuple[np.ndarray, int]:
    """Test digit `index` (28, 28) uint8 and its label: the held-out split, which no GAN
    here trains on, so a good redraw is not a remembered training digit."""
    from playground.data import datasets
    images, labels = datasets.digits_of("mnist").split(held_out=True)
    if not 0 <= index < len(labels):
        raise ValueError(f"test digit index must be in [0, {len(labels) - 1}], got {index}")
    return images[index], int(labels[index])
