"""WGAN paper Figures 3-4: the EM (W1) and JS estimates along real 2D runs, against quality.

Trains one 2D run per preset (by default `ns` and `wgan_gp` on one dataset) in lockstep,
evaluating every `eval_every` steps: exact W1, the histogram JSD and D's JS bound from the
run's own metrics, the critic's score gap E f(real) - E f(G(z)) on the run's fixed evaluation
samples, and the mode-coverage quality measures. Curves are smoothed by a median filter.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.signal import medfilt

from playground.engine.lockstep import Lockstep
from playground.engine.run import Run
from playground.presets import PRESETS, config_for

COMPARE_PRESETS = ("ns", "wgan_gp")
# Losses whose D is a Wasserstein critic: its score gap estimates K * W1 (K its Lipschitz
# constant; ~1 under the gradient penalty, unknown under clipping). For a sigmoid D the gap
# of logits is not a distance estimate, so figures leave it out.
CRITIC_LOSSES = frozenset({"wgan", "wgan_gp"})
RANGES = {"steps": (10, 100_000), "eval_every": (5, 10_000), "kernel": (1, 101)}
SERIES = ("w1", "jsd", "js_bound", "critic_gap", "modes", "hq_pct")


@dataclass(frozen=True)
class Curves:
    preset: str
    loss: str
    is_critic: bool  # loss in CRITIC_LOSSES: critic_gap is a W estimate
    n_modes: int  # ground-truth modes (0 when the dataset has none)
    status: str  # the run's status: "ok" or "diverged"
    reason: str
    step: np.ndarray  # (E,) evaluation steps, from 0
    w1: np.ndarray  # (E,) exact W1 on the run's fixed evaluation points
    jsd: np.ndarray  # (E,) histogram JSD estimate, [0, log 2]
    js_bound: np.ndarray  # (E,) log 2 - L_D/2 (NaN for critics: not a JS estimator)
    critic_gap: np.ndarray  # (E,) E D(real) - E D(G(z)) on the fixed evaluation samples
    modes: np.ndarray  # (E,) modes with a high-quality sample (NaN without ground truth)
    hq_pct: np.ndarray  # (E,) % high-quality samples


def _check(name: str, value: int) -> None:
    lo, hi = RANGES[name]
    if not (isinstance(value, int) and lo <= value <= hi):
        raise ValueError(f"{name}={value!r} is out of range [{lo}, {hi}] (an integer)")


class Comparison:
    """Same dataset and seed, one run per preset, trained in lockstep (`lockstep.Lockstep`:
    equal steps and evaluations every `eval_every` steps; what the runs share beyond that is
    `self.lock.shared`: ns and wgan_gp start from the same weights but draw 1 and 5 batches
    a step, so after step 1 they see different batches); `advance(seconds)` is one time
    slice. At each evaluation the critic's score gap is read too."""

    def __init__(self, dataset: str = "ring", presets: tuple[str, ...] = COMPARE_PRESETS,
                 steps: int = 2000, eval_every: int = 100, seed: int = 0,
                 overrides: dict | None = None):
        _check("steps", steps)
        _check("eval_every", eval_every)
        if not presets:
            raise ValueError("presets must name at least one preset")
        for p in presets:
            PRESETS.get(p)
        self.steps, self.eval_every = steps, eval_every
        # label -> {evaluation step: gap}: keyed by step, so a rollback's undone readings
        # drop out with the metric history they sat beside
        self._gap: dict[str, dict[int, float]] = {p: {} for p in presets}
        self.lock = Lockstep([config_for(p, dataset=dataset, seed=seed, **(overrides or {}))
                              for p in presets], list(presets), eval_every,
                             on_evaluate=self._read_gap)
        self.runs = dict(zip(presets, self.lock.runs, strict=True))

    @property
    def done(self) -> bool:
        return all(r.step_count >= self.steps or r.status != "ok" for r in self.runs.values())

    def _read_gap(self, label: str, run: Run) -> None:
        """E D(real) - E D(G(z)) on the run's fixed evaluation samples, in eval mode."""
        probes = run.observer
        with run.observing(), torch.no_grad():
            gap = run.D(probes.real_eval).mean() - run.D(run.G(probes.z_eval)).mean()
        self._gap[label][run.step_count] = float(gap)

    def advance(self, seconds: float) -> bool:
        """Train every run by equal steps towards `steps` for at most about `seconds`;
        returns True while work remains."""
        if not self.done:
            self.lock.advance(seconds, self.steps - self.lock.progress)
        return not self.done

    def run_all(self) -> dict[str, Curves]:
        while self.advance(60.0):
            pass
        return self.curves()

    def curves(self) -> dict[str, Curves]:
        out = {}
        for preset, run in self.runs.items():
            gaps, h = self._gap[preset], run.metric_history
            # the evaluations that have a gap reading: after a rollback both the metric
            # history and these rows end at the step the run went back to
            rows = [i for i, s in enumerate(h.get("step", [])) if s in gaps]
            truth = run.data.truth

            def col(key: str, h=h, rows=rows) -> np.ndarray:
                values = h.get(key)
                return np.asarray([np.nan] * len(rows) if values is None else
                                  [values[i] for i in rows], dtype=np.float64)

            out[preset] = Curves(
                preset=preset, loss=run.cfg.loss, is_critic=run.cfg.loss in CRITIC_LOSSES,
                n_modes=0 if truth is None else len(truth.centres), status=run.status,
                reason=run.reason, step=col("step"), w1=col("w1"), jsd=col("jsd"),
                js_bound=col("js_bound"),
                critic_gap=np.asarray([gaps[h["step"][i]] for i in rows], dtype=np.float64),
                modes=col("modes"), hq_pct=col("hq_pct"))
        return out


def smoothed(curves: dict[str, Curves], kernel: int) -> dict[str, Curves]:
    """Every series of every run through `smooth`; steps, labels and status unchanged."""
    from dataclasses import replace
    return {p: replace(c, **{k: smooth(getattr(c, k), kernel) for k in SERIES})
            for p, c in curves.items()}


def smooth(y: np.ndarray, kernel: int) -> np.ndarray:
    """Median filter of odd width `kernel` (the WGAN paper smooths its curves this way).
    medfilt pads with zeros, which would drag both ends toward 0; padding with the edge
    values first keeps them honest. kernel = 1 returns the data unchanged."""
    _check("kernel", kernel)
    if kernel % 2 == 0:
        raise ValueError(f"kernel={kernel} must be odd (1, 3, 5, ...)")
    y = np.asarray(y, dtype=np.float64)
    if kernel == 1 or len(y) == 0:
        return y.copy()
    half = kernel // 2
    return medfilt(np.pad(y, half, mode="edge"), kernel)[half:-half]
