"""Lockstep runs trained as one computation: K runs' 2D MLP weights stacked, batched matmuls.

Owns the batchability rule (`reason_not_batchable`) and `BatchedRuns`, which trains K `Run`s of
one architecture together and writes their weights, optimiser moments, step counts and loss
histories back into them on `sync()`. It reproduces `Run._advance` to float tolerance, drawing
each run's batches and z from that run's own streams; it does not evaluate, snapshot or
handle divergence (the runs do, after a sync).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from playground import optim
from playground.config import RunConfig, arch_of
from playground.data.datasets import kind_of
from playground.engine import updates
from playground.engine.run import Run
from playground.models import ACTIVATIONS

# Fields every member must share: one stacked shape, one schedule, one optimiser update rule.
SHARED = {"width": "different widths", "depth": "different depths",
          "activation": "different activations", "latent_dim": "different latent sizes",
          "batch_size": "different batch sizes", "n_critic": "different n_critic",
          "opt_d": "different D optimisers", "opt_g": "different G optimisers",
          "beta1_d": "different D betas", "beta2_d": "different D betas",
          "beta1_g": "different G betas", "beta2_g": "different G betas"}
# Per-run tricks the batched step does not reproduce: (field is on, reason).
UNSUPPORTED = (
    (lambda c: c.gp_lambda > 0, "gradient penalty needs per-run double backward"),
    (lambda c: c.r1_gamma > 0, "r1 penalty needs per-run double backward"),
    (lambda c: c.unroll_steps > 0, "unrolled G steps need per-run copies of D"),
    (lambda c: c.spectral_norm, "spectral norm needs per-run power iteration"),
    (lambda c: c.noise_std > 0, "instance noise draws from per-run aux streams"),
    (lambda c: c.pack > 1 or c.mbstd, "packing and minibatch std change D's forward"),
    (lambda c: c.ema_g > 0, "the moving average of G is a per-run copy"),
    (lambda c: c.lr_halflife > 0, "decaying learning rates are set per run each step"),
)


def reason_not_batchable(cfgs: list[RunConfig]) -> str | None:
    """None if these runs can train as one computation; else a short reason for the readout."""
    if len(cfgs) < 2:
        return "a single run"
    if any(c.cond != "none" for c in cfgs):
        return "conditional runs train one at a time (their G and D take labels)"
    if any(c.info_codes != "none" for c in cfgs):
        return "InfoGAN runs train one at a time (their G takes codes, their D has a Q head)"
    if any(kind_of(c.dataset) != "points2d" or arch_of(c) != "mlp" for c in cfgs):
        return "batching covers the 2D MLPs only"
    for name, reason in SHARED.items():
        if len({getattr(c, name) for c in cfgs}) > 1:
            return reason
    for on, reason in UNSUPPORTED:
        if any(on(c) for c in cfgs):
            return reason
    return None


class _StackedMLP:
    """K copies of one `models.mlp` as a single flat leaf of shape (K, P). Layer i is a view:
    W_i (K, out, in) as torch stores it, b_i (K, 1, out); x W^T + b per member is one baddbmm,
    which on CPU rounds exactly as nn.Linear does. A layer with one output (D's score) runs
    per member: nn.Linear takes a matrix-vector path there that bmm does not reproduce. One
    leaf keeps each member's optimiser to one tensor, and `split` returns the layers'
    gradients as one concatenation."""

    def __init__(self, nets: list[nn.Sequential], activation: str):
        self.nets = nets
        first = [m for m in nets[0] if isinstance(m, nn.Linear)]
        self.shapes = [s for lin in first for s in ((lin.out_features, lin.in_features),
                                                      (1, lin.out_features))]
        self.sizes = [a * b for a, b in self.shapes]
        with torch.no_grad():
            rows = [torch.cat([p.detach().reshape(-1) for p in net.parameters()])
                    for net in nets]
        self.flat = torch.stack(rows).requires_grad_(True)  # (K, P)
        self.act = ACTIVATIONS.get(activation)()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        K = x.shape[0]
        parts = [p.view(K, *s) for p, s in zip(self.flat.split(self.sizes, dim=1), self.shapes,
                                                strict=True)]
        n = len(parts) // 2
        for i in range(n):
            W, b = parts[2 * i], parts[2 * i + 1]
            if W.shape[1] == 1:  # (K, N, in) -> (K, N, 1), one matrix-vector product each
                # unbind, not x[k]: its backward stacks the K gradients, where K selects each
                # filled a zero (K, N, in) tensor (bench --compare 4, 2 threads: 5.0x -> 3.65x)
                x = torch.stack([F.linear(xk, Wk, bk[0]) for xk, Wk, bk
                                 in zip(x.unbind(0), W.unbind(0), b.unbind(0), strict=True)])
            else:
                x = torch.baddbmm(b, x, W.mT)  # (K, N, in) -> (K, N, out)
            if i < n - 1:
                x = self.act(x)
        return x

    def member_views(self, row: torch.Tensor) -> list[torch.Tensor]:
        """One member's (P,) row as tensors shaped like net.parameters()."""
        return [piece.view(a, b) if i % 2 == 0 else piece.view(b)
                for i, (piece, (a, b)) in enumerate(zip(row.split(self.sizes), self.shapes,
                                                        strict=True))]

    @torch.no_grad()
    def write_back(self) -> None:
        for k, net in enumerate(self.nets):
            for p, v in zip(net.parameters(), self.member_views(self.flat[k]), strict=True):
                p.copy_(v)


class _StackedOpt:
    """Each member's optimiser, built by optim.py as the run's was and tuned like it, acting on
    that member's row of the (K, P) leaf: the same kernels (fused Adam, foreach RMSprop, fused
    SGD) and so the same arithmetic as the run's own per-parameter step, element for element.
    Its state is the run's state, flattened the same way."""

    def __init__(self, net: _StackedMLP, opts: list[torch.optim.Optimizer], kind: str):
        self.net, self.opts = net, opts
        self.rows = [net.flat.detach()[k] for k in range(len(opts))]  # (P,) leaves, shared
        self.mine = []
        for row, opt in zip(self.rows, opts, strict=True):
            group = opt.param_groups[0]
            mine = optim.build(kind, [row], group["lr"], group.get("betas", (0.9, 0.999)))
            mine.param_groups[0].update({k: v for k, v in group.items() if k != "params"})
            states = [opt.state.get(p, {}) for p in group["params"]]
            if states[0]:
                mine.state[row] = {
                    key: (value.clone() if key == "step" else
                          torch.cat([s[key].reshape(-1) for s in states]))
                    for key, value in states[0].items()}
            self.mine.append(mine)

    @torch.no_grad()
    def step(self, grad: torch.Tensor) -> None:
        for row, g, mine in zip(self.rows, grad, self.mine, strict=True):
            row.grad = g
            mine.step()
            row.grad = None

    @torch.no_grad()
    def write_back(self) -> None:
        """Each run's optimiser state as its own steps would have left it."""
        for opt, row, mine in zip(self.opts, self.rows, self.mine, strict=True):
            flat_state = mine.state.get(row, {})
            params = opt.param_groups[0]["params"]
            for key, value in flat_state.items():
                if key == "step":
                    for p in params:
                        opt.state[p]["step"] = value.clone()
                    continue
                for p, v in zip(params, self.net.member_views(value), strict=True):
                    opt.state[p][key] = v.clone()


class BatchedRuns:
    """K live runs of one shape trained as one computation. Between `train` and `sync` the
    runs' own modules, optimisers and histories are stale: sync before reading them."""

    def __init__(self, runs: list[Run]):
        reason = reason_not_batchable([r.cfg for r in runs])
        if reason is not None:
            raise ValueError(f"these runs cannot be batched: {reason}")
        if len({r.step_count for r in runs}) > 1 or any(r.status != "ok" for r in runs):
            raise ValueError("batched runs must be live and at one step")
        for r in runs:
            r.flush()
        self.runs, cfg = runs, runs[0].cfg
        self.B, self.n_critic = cfg.batch_size, cfg.n_critic
        self.G = _StackedMLP([r.G.net for r in runs], cfg.activation)
        self.D = _StackedMLP([r.D.net for r in runs], cfg.activation)
        self.opt_g = _StackedOpt(self.G, [r.opt_g for r in runs], cfg.opt_g)
        self.opt_d = _StackedOpt(self.D, [r.opt_d for r in runs], cfg.opt_d)
        self.clip = [r.cfg.clip_c for r in runs]  # 0 = off
        self.losses = [r.loss for r in runs]
        self._pending: list[tuple[torch.Tensor, torch.Tensor]] = []  # (K,) d and g per step

    # ---- the step: Run._advance for K runs at once ----------------------------------------
    def _real(self) -> torch.Tensor:
        return torch.stack([r.data.sample(self.B, r.gens["data"]) for r in self.runs])  # (K,B,2)

    def _z(self) -> torch.Tensor:
        return torch.stack([r.sample_z(self.B) for r in self.runs])  # (K, B, latent)

    def _d_update(self, fake: torch.Tensor | None = None) -> torch.Tensor:
        real = self._real()  # drawn before z, as Run._d_update
        if fake is None:
            with torch.no_grad():
                fake = self.G(self._z())
        fake = fake.detach()
        scores = self.D(torch.cat([real, fake], dim=1)).squeeze(-1)  # (K, 2B)
        # each member's own objective (updates.d_objective; no penalties: reason_not_batchable)
        # on its own slice; members are independent, so the gradient of the sum on member k's
        # weights is member k's own gradient
        d_loss, total = [], []
        for loss, r, f, s in zip(self.losses, real, fake, scores.unbind(0), strict=True):
            member_loss, member_total = updates.d_objective(loss, None, r, f, {}, None, scores=s)
            d_loss.append(member_loss)
            total.append(member_total)
        (grad,) = torch.autograd.grad(torch.stack(total).sum(), self.D.flat)
        self.opt_d.step(grad)
        for row, c in zip(self.opt_d.rows, self.clip, strict=True):
            if c > 0:  # Arjovsky et al. 2017, Alg. 1: clamp to [-c, c] after the step
                row.clamp_(-c, c)
        return torch.stack(d_loss).detach()

    def _g_update(self, fake: torch.Tensor) -> torch.Tensor:
        scores = self.D(fake).squeeze(-1)  # (K, B), D already updated (as Run._g_update)
        g_loss = torch.stack([loss.g_loss(fake=s)
                              for loss, s in zip(self.losses, scores.unbind(0), strict=True)])
        (grad,) = torch.autograd.grad(g_loss.sum(), self.G.flat)  # G only: no D gradients
        self.opt_g.step(grad)
        return g_loss.detach()

    def train(self, n: int) -> None:
        """n iterations for every member (n_critic D updates, one G update each)."""
        for _ in range(n):
            for _ in range(self.n_critic - 1):
                self._d_update()
            fake = self.G(self._z())  # (K, B, 2), shared by the last D and the G update
            d_loss = self._d_update(fake)
            self._pending.append((d_loss, self._g_update(fake)))

    def sync(self) -> None:
        """Write weights and optimiser state back, log each step as Run._log would, and flush
        each run (its history, NaN check and rollback point, as Run.train ends with). Nothing
        to do when no step was taken since the last sync (the lockstep syncs after every
        chunk; a picture or a park asking again copies nothing)."""
        if not self._pending:
            return
        self.G.write_back()
        self.D.write_back()
        self.opt_g.write_back()
        self.opt_d.write_back()
        pending, self._pending = self._pending, []
        for k, run in enumerate(self.runs):
            for d_loss, g_loss in pending:
                run.step_count += 1
                run._pending.append((run.step_count, d_loss[k], g_loss[k]))
            run.flush()
