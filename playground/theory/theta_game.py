"""Training theta itself on the parallel lines: a one-parameter generator G(z) = (theta, z).

Each loss of the LOSSES registry can drive it; D (or the critic) takes n_critic updates per
theta update and is first trained at theta0, so the game starts against a well-trained D.
theta moves by plain SGD, theta <- theta - lr * dtheta, so its path shows the gradient itself
(Adam would rescale a vanishing gradient back to full-size steps and hide the effect).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.losses import LOSSES
from playground.theory import fit
from playground.theory.parallel_lines import check_theta, line_sampler

THETA_LOSSES = ("minimax", "ns", "wgan_gp")  # GAN (JS) saturating, non-saturating, WGAN-GP
RANGES = {"lr_theta": (1e-4, 1.0), "n_critic": (1, 20), "pretrain": (0, 5000),
          "steps": (1, 20_000)}


@dataclass(frozen=True)
class GameSettings:
    theta0: float = 1.0  # where the fake line starts (P0 sits at 0)
    lr_theta: float = 0.01  # SGD step on theta; WGAN's dtheta is ~1, so ~0.01 per step
    n_critic: int = 5  # D updates per theta update (Arjovsky et al. 2017, Alg. 1)
    pretrain: int = 500  # D updates at theta0 before theta moves: "a well-trained D"
    fit: fit.FitSettings = field(default_factory=fit.FitSettings)

    def __post_init__(self) -> None:
        check_theta(self.theta0)
        for name, (lo, hi) in RANGES.items():
            if name == "steps":
                continue
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and lo <= value <= hi):
                raise ValueError(f"{name}={value!r} is out of range [{lo:g}, {hi:g}]")


@dataclass(frozen=True)
class ThetaTrace:
    loss: str
    step: np.ndarray  # (S + 1,) theta updates so far, starting at 0
    theta: np.ndarray  # (S + 1,) theta after each update
    grad: np.ndarray  # (S + 1,) dtheta of the G loss used for that update (NaN at step 0)
    d_real: np.ndarray  # (S + 1,) D's mean score on real points when theta was updated
    d_fake: np.ndarray  # (S + 1,) ... and on the fake line (NaN at step 0)


class ThetaGame:
    """One loss driving theta; `advance(k)` does k theta updates (the app's time slice)."""

    def __init__(self, loss_id: str, settings: GameSettings = GameSettings(), seed: int = 0):
        self.loss_id = loss_id
        self.spec = LOSSES.get(loss_id)
        self.settings = s = settings
        self.gen = torch.Generator().manual_seed(seed)
        self.D = fit.build_d(2, s.fit, seed)
        self.opt = fit.build_opt(self.D, s.fit)
        self.theta = torch.tensor(float(s.theta0))
        self.real_law = line_sampler(0.0)
        self._log = {"step": [0], "theta": [s.theta0], "grad": [math.nan],
                     "d_real": [math.nan], "d_fake": [math.nan]}
        for _ in range(s.pretrain):
            self._d_update()

    @property
    def steps(self) -> int:
        return len(self._log["step"]) - 1

    def _fake(self, n: int, theta: torch.Tensor) -> torch.Tensor:
        z = torch.rand(n, 1, generator=self.gen)
        return torch.cat([theta.expand(n, 1), z], 1)  # (n, 2): the line x = theta

    def _d_update(self) -> None:
        b = self.settings.fit.batch
        fit.d_step(self.D, self.opt, self.spec, self.real_law(b, self.gen),
                   self._fake(b, self.theta.detach()), self.gen)

    def advance(self, steps: int) -> None:
        lo, hi = RANGES["steps"]
        if not (isinstance(steps, int) and lo <= steps <= hi):
            raise ValueError(f"steps={steps!r} is out of range [{lo}, {hi}]")
        s, b = self.settings, self.settings.fit.batch
        for _ in range(steps):
            for _ in range(s.n_critic):
                self._d_update()
            theta = self.theta.clone().requires_grad_(True)
            fake_scores = self.D(self._fake(b, theta))  # (b,)
            g_loss = self.spec.g_loss(fake=fake_scores)
            (grad,) = torch.autograd.grad(g_loss, theta)  # D's weights get no gradient here
            with torch.no_grad():
                self.theta = self.theta - s.lr_theta * grad
                real_scores = self.D(self.real_law(b, self.gen))
            log = self._log
            log["step"].append(log["step"][-1] + 1)
            log["theta"].append(float(self.theta))
            log["grad"].append(float(grad))
            log["d_real"].append(float(real_scores.mean()))
            log["d_fake"].append(float(fake_scores.detach().mean()))

    def trace(self) -> ThetaTrace:
        arr = {k: np.asarray(v, dtype=np.float64) for k, v in self._log.items()}
        return ThetaTrace(loss=self.loss_id, **arr)


def play(losses: tuple[str, ...] = THETA_LOSSES, steps: int = 300,
         settings: GameSettings = GameSettings(), seed: int = 0) -> dict[str, ThetaTrace]:
    """Each loss from the same theta0, D initialisation and seed; loss id -> its trace."""
    out = {}
    for loss_id in losses:
        game = ThetaGame(loss_id, settings, seed)
        game.advance(steps)
        out[loss_id] = game.trace()
    return out


@dataclass(frozen=True)
class ThetaSummary:
    loss: str
    steps: int
    final_theta: float
    moved: float  # |theta_final - theta0|
    first_below_01: int | None  # first update with |theta| < 0.1 (None: never)
    grad_first: float  # |dtheta| at the first update
    grad_median: float
    grad_max: float


def summarise(trace: ThetaTrace) -> ThetaSummary:
    g = np.abs(trace.grad[1:])
    below = np.flatnonzero(np.abs(trace.theta) < 0.1)
    empty = len(g) == 0
    return ThetaSummary(
        loss=trace.loss, steps=int(trace.step[-1]), final_theta=float(trace.theta[-1]),
        moved=float(abs(trace.theta[-1] - trace.theta[0])),
        first_below_01=int(trace.step[below[0]]) if len(below) else None,
        grad_first=math.nan if empty else float(g[0]),
        grad_median=math.nan if empty else float(np.median(g)),
        grad_max=math.nan if empty else float(g.max()))
