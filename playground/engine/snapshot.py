"""The frozen, numpy-only pictures of a run that every figure and export is drawn from.

`Snapshot` is the part every run has (step, status, metrics, histories, live-change events);
`Snapshot2D` adds what a 2D run shows (D's surface, the points, G's push, overlays) and
`ImageSnapshot` what an image run shows (a grid of digits from fixed z, real digits, D's scores,
the classifier's labels). No tensors and no modules: a snapshot can cross processes, be
pickled, and be rebuilt by hand in a test. Arrays are float32 or uint8 (plotly base64-encodes
typed arrays; lists would be 3-4x larger).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    step: int  # update calls so far (step(), step_d(), step_g() each count one)
    status: str  # "ok" | "diverged"
    reason: str  # why the run stopped ("" when ok)
    dataset: str
    loss: str
    metrics: dict[str, float] = field(default_factory=dict)  # latest evaluated scalars
    history: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T,), "step" key
    metric_history: dict[str, np.ndarray] = field(default_factory=dict)  # same, per evaluation
    device: str = "cpu"
    events: tuple[tuple[int, str], ...] = ()  # (step, what changed) for every live change


@dataclass(frozen=True, kw_only=True)
class Snapshot2D(Snapshot):
    bounds: tuple[float, float, float, float]  # (xmin, xmax, ymin, ymax): fixed axes
    real: np.ndarray  # (n_fixed, 2) a fixed real sample
    fake: np.ndarray  # (n_fixed, 2) G(z_fixed): the same z every frame, so points can be followed
    push: np.ndarray  # (n_fixed, 2) -grad_x of G's objective at each fake: where G moves it
    grid_x: np.ndarray  # (R,) surface grid columns
    grid_y: np.ndarray  # (R,) surface grid rows
    surface: np.ndarray  # (R, R) D over the grid in display units, surface[i, j] at (x_j, y_i)
    surface_kind: str  # "prob" (sigmoid of the score, 0..1) or "score" (raw critic value)
    surface_centre: float  # the undecided value: 0.5 for probabilities, a boundary score else
    field_xy: np.ndarray  # (M, 2) coarse grid points for the gradient field
    field_push: np.ndarray  # (M, 2) -grad_x of G's objective at those points
    manifold: np.ndarray  # (L, L, 2) G over a regular latent grid (first two z dims)
    trail: np.ndarray  # (T, n_trail, 2) recent positions of the first n_trail fakes, oldest first
    centres: np.ndarray | None = None  # (K, 2) ground-truth modes, if the dataset has them
    mode_counts: np.ndarray | None = None  # (K,) high-quality fakes per mode at the last eval
    mode_nearest: np.ndarray | None = None  # (K,) all fakes per nearest mode at the last eval
    n_modes: int = 0  # K of the ground truth (0 when none)

    @property
    def outside(self) -> float:
        """Share of the tracked fakes beyond the fixed axes: a generator running away (an
        f-GAN with an unbounded conjugate can do this for thousands of steps without a NaN)."""
        if not len(self.fake):
            return 0.0
        xmin, xmax, ymin, ymax = self.bounds
        x, y = self.fake[:, 0], self.fake[:, 1]
        return float(((x < xmin) | (x > xmax) | (y < ymin) | (y > ymax)).mean())


@dataclass(frozen=True, kw_only=True)
class ImageSnapshot(Snapshot):
    fake: np.ndarray  # (n, 28, 28) uint8: G(z_fixed), the same z every frame
    real: np.ndarray  # (m, 28, 28) uint8: fixed real digits for comparison
    d_fake: np.ndarray  # (n,) D's raw score of each shown fake
    d_real: np.ndarray  # (m,) D's raw score of each shown real digit
    labels: np.ndarray  # (n,) the frozen classifier's label of each shown fake
    confidence: np.ndarray  # (n,) its softmax probability of that label
    real_labels: np.ndarray  # (m,) the true labels of the shown real digits
    histogram: np.ndarray | None = None  # (10,) share of each class at the last evaluation
    reference: dict[str, float] = field(default_factory=dict)  # the real digits' own metrics
    # a conditional run's grid: the class asked for in each shown fake (ten rows, one per
    # class, the same z down each column); None for an unconditional run
    requested: np.ndarray | None = None
    # an InfoGAN run's figure: the categorical code value of each shown fake (ten rows, one
    # per value), the continuous code values its columns sweep (`sweep_code` 0 or 1, the
    # other code at 0, one z), and the digit each code value reads as (code_digit[k], from
    # the last evaluation's best matching; -1 before one). None for other runs
    codes: np.ndarray | None = None
    sweep: np.ndarray | None = None
    sweep_code: int = 0
    code_digit: np.ndarray | None = None
