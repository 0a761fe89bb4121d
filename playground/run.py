"""The 2D training engine: one `Run` object built from a `RunConfig`.

`step()` does n_critic D updates and one G update; `step_d()` / `step_g()` do one of each (the
app's step buttons). `snapshot()` returns numpy-only data for figures. The engine knows nothing
about Streamlit or the CLI: it talks outward through return values and the `on_snapshot` /
`should_stop` callbacks of `train()`. A run that produces NaN/inf rolls back to its last
finite weights, stops with a reason, and keeps its last good snapshot.
"""
from __future__ import annotations

import dataclasses
import math
import os
import time
from collections import deque
from collections.abc import Callable

import numpy as np
import torch

from . import datasets, metrics, optim
from .config import RunConfig, needs_reset, validate
from .losses import LOSSES
from .models import Discriminator, Generator, set_spectral_norm
from .remedies import PENALTIES, add_instance_noise, clip_weights, instance_noise_sigma
from .snapshot import Snapshot
from .unrolled import unrolled_scores

FLUSH_EVERY = 32  # steps between host syncs: loss history, NaN check, rollback point
FIELD_RES = 21  # the gradient field is drawn on FIELD_RES x FIELD_RES arrows
MANIFOLD_RES = 25  # G's manifold is the image of a MANIFOLD_RES^2 latent grid on [-2.5, 2.5]^2
# trails: the last TRAIL_LEN pictures' positions of the first 64 fakes (~2 s at 5 frames/s;
# 24 drew a web of long purple lines over the whole ring while a collapsed G hopped)
TRAIL_LEN = 10
LIVE_W1_N = 512  # exact W1 on 512 points takes ~20 ms; 2,500 takes ~1.3 s (metrics.evaluate)


class Diverged(RuntimeError):
    """Raised by update methods on a run that has stopped because a loss became NaN/inf."""


def pick_device() -> torch.device:
    forced = os.environ.get("PLAYGROUND_DEVICE")  # e.g. "cpu" to keep a GPU free
    if forced:
        return torch.device(forced)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Run:
    def __init__(self, cfg: RunConfig, points: np.ndarray | None = None,
                 device: torch.device | None = None):
        self.cfg = cfg = validate(cfg)
        self.device = dev = device or pick_device()
        self.points = points
        self.data = datasets.build(cfg, dev, points)
        with torch.random.fork_rng(devices=[]):  # seeded init without touching global state
            torch.manual_seed(cfg.seed)
            self.G = Generator(cfg.latent_dim, cfg.width, cfg.depth, cfg.activation).to(dev)
            self.D = Discriminator(cfg.width, cfg.depth, cfg.activation).to(dev)
            set_spectral_norm(self.D, cfg.spectral_norm)
        self.gen = torch.Generator(dev).manual_seed(cfg.seed)  # the training stream
        self.loss = LOSSES.get(cfg.loss)
        self.opt_d = self._build_opt("d")
        self.opt_g = self._build_opt("g")
        self._fixed_inputs(cfg)
        self.step_count = 0
        self.status, self.reason = "ok", ""
        self._pending: list[tuple[int, torch.Tensor, torch.Tensor]] = []
        self.history: dict[str, list[float]] = {"step": [], "d_loss": [], "g_loss": []}
        self.metric_history: dict[str, list[float]] = {"step": []}
        self.latest_metrics: dict[str, float] = {}
        self._mode_counts: np.ndarray | None = None
        self._mode_nearest: np.ndarray | None = None
        self.events: list[tuple[int, str]] = []  # (step, what changed) per live change
        self._metrics_step = -1
        self._trail: deque[np.ndarray] = deque(maxlen=TRAIL_LEN)
        self._good = self._state_copy()
        self.last_good_snapshot: Snapshot | None = None
        self.live_w1_n = LIVE_W1_N  # exact W1 sample size for live metrics

    # ---- set-up -------------------------------------------------------------------------
    def _build_opt(self, net: str) -> torch.optim.Optimizer:
        c = self.cfg
        module = self.D if net == "d" else self.G
        return optim.build(getattr(c, f"opt_{net}"), module.parameters(), getattr(c, f"lr_{net}"),
                           (getattr(c, f"beta1_{net}"), getattr(c, f"beta2_{net}")))

    def _fixed_inputs(self, cfg: RunConfig) -> None:
        """Fixed z, fixed real points and fixed grids, from a stream separate from training."""
        g = torch.Generator(self.device).manual_seed(cfg.seed + 1_000_003)
        dev = self.device
        self.z_fixed = torch.randn(cfg.n_fixed, cfg.latent_dim, generator=g, device=dev)
        self.real_fixed = self.data.sample(cfg.n_fixed, g)
        self.z_eval = torch.randn(metrics.N_PROTOCOL, cfg.latent_dim, generator=g, device=dev)
        self.real_eval = self.data.sample(metrics.N_PROTOCOL, g)
        self.real_eval_np = self.real_eval.cpu().numpy().astype(np.float64)
        xmin, xmax, ymin, ymax = self.data.bounds
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
        self._manifold_shape = (rows, MANIFOLD_RES)

    # ---- updates ------------------------------------------------------------------------
    def _sample_z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.latent_dim, generator=self.gen, device=self.device)

    def _sigma(self) -> float:
        return instance_noise_sigma(self.step_count, self.cfg.noise_std, self.cfg.noise_anneal)

    def _d_update(self, fake: torch.Tensor | None = None) -> torch.Tensor:
        c, B = self.cfg, self.cfg.batch_size
        real = self.data.sample(B, self.gen)  # (B, 2)
        if fake is None:
            with torch.no_grad():
                fake = self.G(self._sample_z(B))
        sigma = self._sigma()
        real = add_instance_noise(real, sigma, self.gen)
        fake = add_instance_noise(fake.detach(), sigma, self.gen)
        scores = self.D(torch.cat([real, fake]))  # one forward for both halves: (2B,)
        d_loss = self.loss.d_loss(real=scores[:B], fake=scores[B:])
        total = d_loss
        for weight_field, penalty in PENALTIES.items():
            weight = getattr(c, weight_field)
            if weight > 0:
                total = total + weight * penalty(self.D, real, fake, self.gen)
        self.opt_d.zero_grad(set_to_none=True)
        total.backward()
        self.opt_d.step()
        if c.clip_c > 0:
            clip_weights(self.D, c.clip_c)
        return d_loss.detach()

    def _g_update(self, fake: torch.Tensor | None = None) -> torch.Tensor:
        c, B = self.cfg, self.cfg.batch_size
        if fake is None:
            fake = self.G(self._sample_z(B))
        fake_in = add_instance_noise(fake, self._sigma(), self.gen)
        if c.unroll_steps > 0:
            batches = [(self.data.sample(B, self.gen), self.G(self._sample_z(B)))
                       for _ in range(c.unroll_steps)]
            scores = unrolled_scores(self.D, self.opt_d, self.loss.d_loss, c.unroll_steps,
                                     batches, fake_in)
        else:
            scores = self.D(fake_in)
        g_loss = self.loss.g_loss(fake=scores)
        params = list(self.G.parameters())
        # Gradients for G only: D's weight gradients are never formed in a G step.
        for p, grad in zip(params, torch.autograd.grad(g_loss, params), strict=True):
            p.grad = grad
        self.opt_g.step()
        return g_loss.detach()

    def _check_alive(self) -> None:
        if self.status == "diverged":
            raise Diverged(self.reason)

    def _advance(self) -> None:
        """One iteration without a host sync: n_critic D updates, then one G update. The last
        D update and the G update share one G forward pass (as pytorch/examples' DCGAN)."""
        for _ in range(self.cfg.n_critic - 1):
            d_loss = self._d_update()
        fake = self.G(self._sample_z(self.cfg.batch_size))
        d_loss = self._d_update(fake)
        g_loss = self._g_update(fake)
        self._log(d_loss, g_loss)

    def _log(self, d_loss: torch.Tensor | None, g_loss: torch.Tensor | None) -> None:
        """Queue this update's losses (None = that network was not updated)."""
        self.step_count += 1
        self._pending.append((self.step_count, d_loss, g_loss))
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()

    def step(self) -> dict[str, float]:
        """n_critic D updates and one G update; returns this iteration's named scalars."""
        self._check_alive()
        self._advance()
        return self._flush_and_report()

    def step_d(self) -> dict[str, float]:
        """A single D update (no G update), for stepping through the dynamics by hand."""
        self._check_alive()
        self._log(self._d_update(), None)
        return self._flush_and_report()

    def step_g(self) -> dict[str, float]:
        """A single G update against the current D."""
        self._check_alive()
        self._log(None, self._g_update())
        return self._flush_and_report()

    def _flush_and_report(self) -> dict[str, float]:
        self.flush()
        self._check_alive()
        return {"step": self.step_count, "d_loss": self.history["d_loss"][-1],
                "g_loss": self.history["g_loss"][-1], "noise_sigma": self._sigma()}

    def flush(self) -> None:
        """Move pending losses to the host (one sync); stop at the first non-finite one."""
        if not self._pending:
            return
        nan = torch.tensor(math.nan)
        host = torch.stack([torch.stack([(d if d is not None else nan).float().cpu(),
                                         (g if g is not None else nan).float().cpu()])
                            for _, d, g in self._pending]).tolist()  # (P, 2)
        entries = [(s, d is not None, g is not None) for s, d, g in self._pending]
        self._pending.clear()
        for (step, has_d, has_g), (d_val, g_val) in zip(entries, host, strict=True):
            for name, present, value in (("D", has_d, d_val), ("G", has_g, g_val)):
                if present and not math.isfinite(value):
                    self._diverge(step, name, value)
                    return
            self.history["step"].append(step)
            self.history["d_loss"].append(d_val)
            self.history["g_loss"].append(g_val)
        self._good = self._state_copy()

    def _diverge(self, step: int, name: str, value: float) -> None:
        what = "NaN" if math.isnan(value) else "infinite"
        lr = self.cfg.lr_d if name == "D" else self.cfg.lr_g
        self.reason = (f"{name} loss became {what} at step {step}; lower lr_{name.lower()} "
                       f"(now {lr:g}) or add a remedy. Weights were rolled back to step "
                       f"{self._good['step']}.")
        self.status = "diverged"
        self._load_state(self._good)

    def train(self, steps: int, on_snapshot: Callable[[Snapshot], None] | None = None,
              should_stop: Callable[[], bool] | None = None, snapshot_every: int = 0) -> None:
        """Run `steps` iterations (fewer if should_stop() or divergence intervenes)."""
        for i in range(steps):
            if self.status != "ok" or (should_stop is not None and should_stop()):
                break
            self._advance()
            if on_snapshot is not None and snapshot_every and (i + 1) % snapshot_every == 0:
                on_snapshot(self.snapshot())
        self.flush()

    def train_for(self, seconds: float, max_steps: int = 1_000_000) -> int:
        """Train for about `seconds` of wall time (the app's slice); returns steps taken."""
        start, before = time.perf_counter(), self.step_count
        while (self.status == "ok" and time.perf_counter() - start < seconds
               and self.step_count - before < max_steps):
            self._advance()
        self.flush()
        return self.step_count - before

    # ---- observation ----------------------------------------------------------------------
    def snapshot(self, with_metrics: bool = True) -> Snapshot:
        """Numpy-only picture of the run; after divergence, the last good one with the reason."""
        from . import observe
        return observe.snapshot(self, with_metrics)

    def evaluate(self, w1_n: int = LIVE_W1_N) -> dict[str, float]:
        """Protocol metrics now (W1 on w1_n points); also recorded in metric_history."""
        from . import observe
        self.flush()
        self.live_w1_n, before = w1_n, self.live_w1_n
        try:
            self._metrics_step = -1 if w1_n != before else self._metrics_step
            observe.evaluate(self)
        finally:
            self.live_w1_n = before
        return dict(self.latest_metrics)

    # ---- live changes ---------------------------------------------------------------------
    def update_config(self, new: RunConfig) -> None:
        """Apply a config that differs only in non-architectural fields, keeping the weights.
        A diverged run is resumed (the change is presumably the cure)."""
        reset = needs_reset(self.cfg, new)
        if reset:
            raise ValueError(f"changing {', '.join(reset)} needs a new run")
        new, old = validate(new), self.cfg
        self.flush()
        label = change_label(old, new)
        if label:
            self.events.append((self.step_count, label))
        self.cfg, self.loss = new, LOSSES.get(new.loss)
        if new.spectral_norm != old.spectral_norm:
            set_spectral_norm(self.D, new.spectral_norm)  # D's parameters change names
            self.opt_d = self._build_opt("d")
        for net in ("d", "g"):
            opt = getattr(self, f"opt_{net}")
            if getattr(new, f"opt_{net}") != getattr(old, f"opt_{net}"):
                setattr(self, f"opt_{net}", self._build_opt(net))
            else:
                optim.retune(opt, getattr(new, f"lr_{net}"),
                             (getattr(new, f"beta1_{net}"), getattr(new, f"beta2_{net}")))
        self.status, self.reason = "ok", ""
        self._good = self._state_copy()

    # ---- state ----------------------------------------------------------------------------
    def _state_copy(self) -> dict:
        # Taken at every flush (the rollback point): cloning the tensors of the state dicts
        # takes ~40 us here, copy.deepcopy of the same dicts ~900 us.
        return {"step": self.step_count, "G": _clone(self.G.state_dict()),
                "D": _clone(self.D.state_dict()), "opt_d": _clone(self.opt_d.state_dict()),
                "opt_g": _clone(self.opt_g.state_dict()), "gen": self.gen.get_state()}

    def _load_state(self, state: dict) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.gen.set_state(state["gen"])
        self.step_count = state["step"]


def change_label(old: RunConfig, new: RunConfig) -> str:
    """A short note of what a live change did, for the markers on the curves:
    'loss ns→wgan_gp, gp_lambda 0→10'."""
    parts = []
    for f in dataclasses.fields(RunConfig):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a != b:
            parts.append(f"{f.name} {_short(a)}→{_short(b)}")
    return ", ".join(parts)


def _short(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _clone(tree):
    """A copy of a state dict: tensors cloned, containers rebuilt, other leaves shared (they
    are immutable numbers and strings in module and optimiser state dicts)."""
    if isinstance(tree, torch.Tensor):
        return tree.detach().clone()
    if isinstance(tree, dict):
        return {k: _clone(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_clone(v) for v in tree)
    return tree
