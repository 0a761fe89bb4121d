"""The 2D observer: D's surface over a fixed grid, the fixed fakes and reals, G's push, the
gradient field, G's manifold, trails, and the 2D metrics (mode coverage, exact W1, JSD).

Everything here is read-only on the run's weights (inside `run.observing()`) and runs on fixed
inputs, so consecutive frames are comparable and observing never changes training. The display
probes (fixed z, fixed reals) come from the run's "probe" stream and are rebuilt when a view
field changes; the evaluation set (z and real points) comes from its own "eval" stream, drawn
once, so no view change moves it. Trails grow by one position per snapshot.
"""
from __future__ import annotations

import math
from collections import deque

import numpy as np
import torch

from playground.engine import streams
from playground.engine.observers.view import RunView
from playground.engine.snapshot import Snapshot2D
from playground.metrics import points2d as metrics

MAX_HISTORY = 2000  # points per curve sent to the browser (plotly slows beyond a few 1,000)
FIELD_RES = 21  # the gradient field is drawn on FIELD_RES x FIELD_RES arrows
MANIFOLD_RES = 25  # G's manifold is the image of a MANIFOLD_RES^2 latent grid on [-2.5, 2.5]^2
# trails: the last TRAIL_LEN pictures' positions of the first TRAIL_N fakes (~2 s at 5 frames/s;
# 24 drew a web of long purple lines over the whole ring while a collapsed G hopped)
TRAIL_LEN, TRAIL_N = 10, 64
LIVE_W1_N = 512  # exact W1 on 512 points takes ~20 ms; 2,500 takes ~1.3 s (metrics.evaluate)
# An evaluation records its per-mode counts as mode_hq_<k> (fakes within 3 std of mode k) and
# mode_near_<k> (all fakes nearest mode k), so a parked and restored run keeps its bars.
HQ_KEY, NEAR_KEY = "mode_hq_", "mode_near_"


def np32(t: torch.Tensor) -> np.ndarray:
    return t.detach().float().cpu().numpy()


def thin(series: dict[str, list[float]], limit: int = MAX_HISTORY) -> dict[str, np.ndarray]:
    """At most `limit` evenly spaced rows of a history (the newest always kept), float32.
    Per-mode counts stay behind: a snapshot carries the latest ones as arrays."""
    n = len(series.get("step", []))
    idx = np.unique(np.linspace(0, n - 1, limit).astype(int)) if n > limit else np.arange(n)
    return {k: np.asarray(v, dtype=np.float32)[idx] for k, v in series.items()
            if len(v) == n and not k.startswith((HQ_KEY, NEAR_KEY))}


def mode_counts_of(values: dict[str, float], prefix: str) -> np.ndarray | None:
    """(K,) per-mode counts from an evaluation's <prefix>0 ... (None before any)."""
    counts = []
    while f"{prefix}{len(counts)}" in values:
        counts.append(values[f"{prefix}{len(counts)}"])
    return np.asarray(counts, dtype=np.int64) if counts else None


def scalars(values: dict[str, float]) -> dict[str, float]:
    """An evaluation without its per-mode counts (what the tiles read)."""
    return {k: v for k, v in values.items() if not k.startswith((HQ_KEY, NEAR_KEY))}


class PointsObserver:
    def __init__(self, run: RunView):
        self.run = run
        self.trail: deque[np.ndarray] = deque(maxlen=TRAIL_LEN)
        # The evaluation set: N_PROTOCOL z and real points from the "eval" stream. Seed, data
        # and latent size are reset fields, so it is fixed for the run's life.
        cfg, dev = run.cfg, run.device
        g = streams.generator(cfg.seed, "eval", dev)
        self.z_eval = torch.randn(metrics.N_PROTOCOL, cfg.latent_dim, generator=g, device=dev)
        self.real_eval = run.data.sample(metrics.N_PROTOCOL, g)
        self.real_eval_np = self.real_eval.cpu().numpy().astype(np.float64)
        self.reprobe()

    def reprobe(self) -> None:
        """Fixed z, fixed real points and fixed grids for the picture, from the "probe"
        stream; rebuilt when a view field (n_fixed, grid_res) changes, weights and the
        evaluation set untouched."""
        run, cfg = self.run, self.run.cfg
        dev, data = run.device, run.data
        g = streams.generator(cfg.seed, "probe", dev)
        self.z_fixed = torch.randn(cfg.n_fixed, cfg.latent_dim, generator=g, device=dev)
        self.real_fixed = data.sample(cfg.n_fixed, g)
        xmin, xmax, ymin, ymax = data.bounds
        self.grid_x = np.linspace(xmin, xmax, cfg.grid_res, dtype=np.float32)
        self.grid_y = np.linspace(ymin, ymax, cfg.grid_res, dtype=np.float32)
        xx, yy = np.meshgrid(self.grid_x, self.grid_y)  # (R, R), row i = y_i
        self.grid_pts = torch.as_tensor(np.stack([xx.ravel(), yy.ravel()], 1), device=dev)
        fx = np.linspace(xmin, xmax, FIELD_RES, dtype=np.float32)
        fy = np.linspace(ymin, ymax, FIELD_RES, dtype=np.float32)
        fxx, fyy = np.meshgrid(fx, fy)
        self.field_pts = torch.as_tensor(np.stack([fxx.ravel(), fyy.ravel()], 1), device=dev)
        side = np.linspace(-2.5, 2.5, MANIFOLD_RES, dtype=np.float32)
        rows = MANIFOLD_RES if cfg.latent_dim >= 2 else 1
        lat = np.zeros((rows, MANIFOLD_RES, cfg.latent_dim), np.float32)
        lat[..., 0] = side[None, :]
        if cfg.latent_dim >= 2:
            lat[..., 1] = side[:, None]
        self.z_manifold = torch.as_tensor(lat.reshape(-1, cfg.latent_dim), device=dev)
        self.manifold_shape = (rows, MANIFOLD_RES)
        self.trail.clear()

    # ---- metrics ------------------------------------------------------------------------
    def scored_samples(self, protocol: bool) -> dict[str, np.ndarray]:
        """What `evaluate` scores, in the data's own units: "samples" (N_PROTOCOL, 2), G of the
        evaluation z, and "real" (N_PROTOCOL, 2), the real points W1 and JSD compare with."""
        with self.run.observing(), torch.no_grad():
            fake = np32(self.run.G_shown(self.z_eval))
        return {"samples": self._shown(fake), "real": self._shown(np32(self.real_eval))}

    def evaluate(self, protocol: bool) -> dict[str, float]:
        """Protocol metrics on 2,500 fakes from the fixed evaluation z; exact W1 on 512 of them
        live, on all 2,500 for the protocol; the per-mode counts as mode_hq_<k> and
        mode_near_<k>."""
        run = self.run
        with run.observing(), torch.no_grad():
            fake = run.G_shown(self.z_eval)
            real_scores, fake_scores = run.D(self.real_eval), run.D(fake)
        fake_np = np32(fake).astype(np.float64)
        values = metrics.evaluate(metrics.EvalContext(
            kind="points2d", fake=fake_np, real=self.real_eval_np, truth=run.data.truth,
            bounds=run.data.bounds, cubic_n=metrics.N_PROTOCOL if protocol else LIVE_W1_N))
        if "w1" in values:  # in the data's own units: an isotropic rescaling scales W1 with it
            values["w1"] *= run.data.display.scale
        bound = run.loss.js_bound
        values["js_bound"] = (bound(real=real_scores, fake=fake_scores) if bound else math.nan)
        if run.data.truth is not None:
            coverage = metrics.mode_coverage(fake_np, run.data.truth)
            for prefix, counts in ((HQ_KEY, coverage.counts), (NEAR_KEY, coverage.nearest)):
                values.update({f"{prefix}{k}": float(c) for k, c in enumerate(counts)})
        return values

    def reference(self, protocol: bool) -> dict[str, float]:
        return {}

    def samples(self, n: int, seed: int) -> np.ndarray:
        run = self.run
        z = run.sample_z(n, torch.Generator(run.device).manual_seed(seed))
        with run.observing(), torch.no_grad():
            return self._shown(np32(run.G_shown(z)))  # (n, 2) in the data's own units

    # ---- the picture ----------------------------------------------------------------------
    def push(self, x: torch.Tensor) -> torch.Tensor:
        """-grad_x of G's objective as if a fake sat at x: where the G update moves that
        sample. Every registered G loss is a mean over per-sample terms, so grad of
        (N * mean) gives each sample's own gradient."""
        run = self.run
        x = x.detach().requires_grad_(True)
        objective = run.loss.g_loss(fake=run.D(x)) * len(x)
        (grad,) = torch.autograd.grad(objective, x)
        return -grad

    def snapshot(self, values: dict[str, float]) -> Snapshot2D:
        """The picture of the run now, with `values`, the run's latest evaluation (per-mode
        counts included: a restored run draws its bars from the record alone)."""
        run = self.run
        with run.observing():
            with torch.no_grad():
                fake = run.G_shown(self.z_fixed)  # (n_fixed, 2)
                scores = run.D(self.grid_pts)  # (R*R,)
                manifold = run.G_shown(self.z_manifold)
            pushes = self.push(fake)
            field_push = self.push(self.field_pts)
            surface, centre = self._surface(scores)
        show = self._shown  # model space -> the data's units (custom CSVs)
        fake_np = show(np32(fake))
        self.trail.append(fake_np[: min(len(fake_np), TRAIL_N)])
        truth, d = run.data.truth, run.data.display
        xmin, xmax, ymin, ymax = run.data.bounds
        return Snapshot2D(
            step=run.step_count, status=run.status, reason=run.reason,
            dataset=run.cfg.dataset, loss=run.cfg.loss,
            bounds=(d.offset[0] + d.scale * xmin, d.offset[0] + d.scale * xmax,
                    d.offset[1] + d.scale * ymin, d.offset[1] + d.scale * ymax),
            real=show(np32(self.real_fixed)), fake=fake_np, push=np32(pushes),
            grid_x=(d.offset[0] + d.scale * self.grid_x).astype(np.float32),
            grid_y=(d.offset[1] + d.scale * self.grid_y).astype(np.float32),
            surface=surface.reshape(len(self.grid_y), len(self.grid_x)),
            surface_kind=run.loss.surface, surface_centre=centre,
            field_xy=show(np32(self.field_pts)), field_push=np32(field_push),
            manifold=show(np32(manifold)).reshape(*self.manifold_shape, 2),
            trail=np.stack(list(self.trail)),
            centres=None if truth is None else show(truth.centres.astype(np.float32)),
            mode_counts=mode_counts_of(values, HQ_KEY),
            mode_nearest=mode_counts_of(values, NEAR_KEY), metrics=scalars(values),
            history=thin(run.history), metric_history=thin(run.metric_history),
            device=run.device.type, n_modes=0 if truth is None else len(truth.centres),
            events=tuple(run.events))

    def _shown(self, xy: np.ndarray) -> np.ndarray:
        """(N, 2) model-space points -> the data's own units (identity for built-in data)."""
        d = self.run.data.display
        if d.identity:
            return xy
        offset = np.asarray(d.offset, dtype=np.float32)
        return (offset + np.float32(d.scale) * xy).astype(np.float32)

    def _surface(self, scores: torch.Tensor) -> tuple[np.ndarray, float]:
        run = self.run
        if run.loss.surface == "prob":
            return np32(torch.sigmoid(scores)), 0.5  # D(x) = sigmoid(score)
        if run.loss.boundary is not None:
            return np32(scores), float(run.loss.boundary)
        # A WGAN critic is defined up to a constant: centre on the midpoint of its mean score
        # on real and on fake samples, the level set that separates the two on average.
        with torch.no_grad():
            mid = 0.5 * (run.D(self.real_fixed).mean() + run.D(run.G_shown(self.z_fixed)).mean())
        return np32(scores), float(mid)
