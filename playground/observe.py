"""Turns a live 2D `Run` into a numpy `Snapshot`: D's surface, G's push, manifold, metrics.

Everything here is read-only on the run's weights (D in eval mode, so spectral norm's power
iteration does not advance) and runs on fixed inputs, so consecutive frames are comparable.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import torch

from . import metrics
from .snapshot import Snapshot

TRAIL_N = 64  # the first 64 tracked fakes leave trails

if TYPE_CHECKING:
    from .run import Run

MAX_HISTORY = 2000  # points per curve sent to the browser (plotly slows beyond a few 1,000)


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().float().cpu().numpy()


def push(run: Run, x: torch.Tensor) -> torch.Tensor:
    """-grad_x of G's objective as if a fake sat at x: where the G update moves that sample.
    Every registered G loss is a mean over per-sample terms, so grad of (N * mean) gives each
    sample's own gradient."""
    x = x.detach().requires_grad_(True)
    objective = run.loss.g_loss(fake=run.D(x)) * len(x)
    (grad,) = torch.autograd.grad(objective, x)
    return -grad


def evaluate(run: Run) -> None:
    """Protocol metrics on 2,500 fakes from the fixed evaluation z; appends to the history."""
    if run._metrics_step == run.step_count:
        return
    with torch.no_grad():
        fake = run.G(run.z_eval)
        real_scores, fake_scores = run.D(run.real_eval), run.D(fake)
    fake_np = _np(fake).astype(np.float64)
    values = metrics.evaluate(fake_np, run.real_eval_np, run.data.truth, run.data.bounds,
                              cubic_n=run.live_w1_n)
    if "w1" in values:  # in the data's own units: an isotropic rescaling scales W1 with it
        values["w1"] *= run.data.display.scale
    bound = run.loss.js_bound
    values["js_bound"] = (bound(real=real_scores, fake=fake_scores) if bound else math.nan)
    if run.data.truth is not None:
        coverage = metrics.mode_coverage(fake_np, run.data.truth)
        run._mode_counts, run._mode_nearest = coverage.counts, coverage.nearest
    run.latest_metrics = values
    run._metrics_step = run.step_count
    hist = run.metric_history
    hist.setdefault("step", []).append(run.step_count)
    for k, v in values.items():
        hist.setdefault(k, []).append(v)


def _thin(series: dict[str, list[float]]) -> dict[str, np.ndarray]:
    n = len(series.get("step", []))
    idx = np.unique(np.linspace(0, n - 1, MAX_HISTORY).astype(int)) if n > MAX_HISTORY else None
    out = {}
    for k, v in series.items():
        arr = np.asarray(v, dtype=np.float32)
        out[k] = arr[idx] if idx is not None else arr
    return out


def snapshot(run: Run, with_metrics: bool = True) -> Snapshot:
    if run.status != "ok" and run.last_good_snapshot is not None:
        return _with_status(run.last_good_snapshot, run)
    run.flush()
    was_training = run.D.training
    run.D.eval()
    try:
        with torch.no_grad():
            fake = run.G(run.z_fixed)  # (n_fixed, 2)
            scores = run.D(run.grid_pts)  # (R*R,)
            manifold = run.G(run.z_manifold)
        pushes = push(run, fake)
        field_push = push(run, run.field_pts)
        if with_metrics:
            evaluate(run)
        surface, centre = _surface(run, scores)
    finally:
        run.D.train(was_training)
    show = _shown(run.data.display)  # model space -> the data's units (custom CSVs)
    fake_np = show(_np(fake))
    run._trail.append(fake_np[: min(len(fake_np), TRAIL_N)])
    truth = run.data.truth
    d = run.data.display
    xmin, xmax, ymin, ymax = run.data.bounds
    snap = Snapshot(
        step=run.step_count, status=run.status, reason=run.reason,
        dataset=run.cfg.dataset, loss=run.cfg.loss,
        bounds=(d.offset[0] + d.scale * xmin, d.offset[0] + d.scale * xmax,
                d.offset[1] + d.scale * ymin, d.offset[1] + d.scale * ymax),
        real=show(_np(run.real_fixed)), fake=fake_np, push=_np(pushes),
        grid_x=(d.offset[0] + d.scale * run.grid_x).astype(np.float32),
        grid_y=(d.offset[1] + d.scale * run.grid_y).astype(np.float32),
        surface=surface.reshape(len(run.grid_y), len(run.grid_x)),
        surface_kind=run.loss.surface, surface_centre=centre,
        field_xy=show(_np(run.field_pts)), field_push=_np(field_push),
        manifold=show(_np(manifold)).reshape(*run._manifold_shape, 2),
        trail=np.stack(list(run._trail)),
        centres=None if truth is None else show(truth.centres.astype(np.float32)),
        mode_counts=run._mode_counts, mode_nearest=run._mode_nearest,
        metrics=dict(run.latest_metrics),
        history=_thin(run.history), metric_history=_thin(run.metric_history),
        device=run.device.type, n_modes=0 if truth is None else len(truth.centres),
        events=tuple(run.events))
    run.last_good_snapshot = snap
    return snap


def _shown(display):
    """(N, 2) model-space points -> the data's own units (identity for built-in datasets)."""
    if display.identity:
        return lambda xy: xy
    offset = np.asarray(display.offset, dtype=np.float32)
    return lambda xy: (offset + np.float32(display.scale) * xy).astype(np.float32)


def _surface(run: Run, scores: torch.Tensor) -> tuple[np.ndarray, float]:
    if run.loss.surface == "prob":
        return _np(torch.sigmoid(scores)), 0.5  # D(x) = sigmoid(score)
    if run.loss.boundary is not None:
        return _np(scores), float(run.loss.boundary)
    # A WGAN critic is defined up to a constant: centre on the midpoint of its mean score on
    # real and on fake samples, the level set that separates the two on average.
    with torch.no_grad():
        mid = 0.5 * (run.D(run.real_fixed).mean() + run.D(run.G(run.z_fixed)).mean())
    return _np(scores), float(mid)


def _with_status(snap: Snapshot, run: Run) -> Snapshot:
    from dataclasses import replace
    return replace(snap, status=run.status, reason=run.reason)
