"""The training engine: one `Run` object built from a `RunConfig`, for any kind of data.

`step()` does n_critic D updates and one G update; `step_d()` / `step_g()` do one of each (the
app's step buttons). The run knows nothing about 2D points or images: what a run shows
(`snapshot()`) and how it is scored (`evaluate()`, kept in its records by `observed.Observed`)
belong to its data kind's observer (`observers/`), which owns its fixed probes and runs G and D
in eval mode. The engine knows
nothing about Streamlit or the CLI: it talks outward through return values and the
`on_snapshot` / `should_stop` callbacks of `train()`. A run that produces NaN/inf rolls back to
its last finite weights (and history), stops with a reason, and keeps its last good snapshot.

Randomness comes from three seeded streams: data batches, z, and auxiliary noise (GP's
interpolation weights, instance noise, DiffAugment's draws). Turning a penalty, noise or
augmentation on therefore never shifts the data and z a run sees: two runs with one seed that
differ in such remedies train on the same batches. Their seeds, and the observer's, are
derived from cfg.seed in `streams`.
"""
from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable

import numpy as np
import torch

from playground import conditioning, infogan, models, optim
from playground.config import VIEW_FIELDS, RunConfig, arch_of, needs_reset, validate
from playground.data import datasets
from playground.engine import ema, losslog, streams, updates
from playground.engine.observed import Observed
from playground.engine.observers import OBSERVERS
from playground.engine.snapshot import Snapshot
from playground.losses import LOSSES
from playground.remedies import instance_noise_sigma

FLUSH_EVERY = losslog.FLUSH_EVERY


class Diverged(RuntimeError):
    """Raised by update methods on a run that has stopped because a loss became NaN/inf."""


def pick_device() -> torch.device:
    forced = os.environ.get("PLAYGROUND_DEVICE")  # e.g. "cpu" to keep a GPU free
    if forced:
        return torch.device(forced)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Run(Observed):
    def __init__(self, cfg: RunConfig, points: np.ndarray | None = None,
                 device: torch.device | None = None):
        self.cfg = cfg = validate(cfg)
        self.device = dev = device or pick_device()
        self.points = points
        self.data = datasets.build(cfg, dev, points)
        self.arch = arch_of(cfg)
        with torch.random.fork_rng(devices=[]):  # seeded init without touching global state
            torch.manual_seed(cfg.seed)
            G, D = models.build(dataclasses.replace(cfg, arch=self.arch), self.data.shape)
            self.G, self.D = G.to(dev), D.to(dev)
            models.set_spectral_norm(self.D, cfg.spectral_norm)
        models.check_per_sample(self.D, cfg)
        self.G_ema = ema.build(self.G) if cfg.ema_g > 0 else None  # the G shown (ema.py)
        self.gens = {name: streams.generator(cfg.seed, name, dev)
                     for name in streams.training(cfg.cond, cfg.info_codes)}
        self.codes = infogan.spec_of(cfg)  # InfoGAN's code layout (size 0: no codes)
        self.loss = LOSSES.get(cfg.loss)
        self.step_count = 0
        self.opt_d = self._build_opt("d")
        self.opt_g = self._build_opt("g")
        self.status, self.reason = "ok", ""
        self._pending: list[tuple[int, torch.Tensor, torch.Tensor]] = []
        self.history: dict[str, list[float]] = {"step": [], "d_loss": [], "g_loss": []}
        self.metric_history: dict[str, list[float]] = {"step": []}  # live evaluations
        self.protocol_history: dict[str, list[float]] = {"step": []}  # full-protocol ones
        self.latest_metrics: dict[str, float] = {}
        self.events: list[tuple[int, str]] = []  # (step, what changed) per live change
        self._good = self._state_copy()
        self.observer = OBSERVERS.get(self.data.kind)(self)

    # ---- set-up -------------------------------------------------------------------------
    def _rates(self, net: str) -> tuple[float, tuple[float, float]]:
        """The config's learning rate for `net` ("d" or "g") at this step (`lr_halflife`'s
        decay), and its Adam betas."""
        cfg = self.cfg
        return (getattr(cfg, f"lr_{net}") * optim.decay(self.step_count, cfg.lr_halflife),
                (getattr(cfg, f"beta1_{net}"), getattr(cfg, f"beta2_{net}")))

    def _schedule(self) -> None:
        """Before an update: the learning rates of this step, when they decay."""
        if self.cfg.lr_halflife:
            self._retune("d")
            self._retune("g")

    def _build_opt(self, net: str) -> torch.optim.Optimizer:
        module = self.D if net == "d" else self.G
        return optim.build(getattr(self.cfg, f"opt_{net}"), module.parameters(),
                           *self._rates(net))

    def _retune(self, net: str) -> None:
        """The optimiser's learning rate and betas set to the config's (they also live in its
        state, which a loaded state would otherwise bring back)."""
        optim.retune(getattr(self, f"opt_{net}"), *self._rates(net))

    @property
    def G_shown(self) -> torch.nn.Module:
        """The generator every picture, evaluation and sample uses: the moving average of G's
        weights when `ema_g` > 0, else G itself. Training always updates G."""
        return self.G if self.G_ema is None else self.G_ema

    # ---- updates ------------------------------------------------------------------------
    def sample_z(self, n: int, gen: torch.Generator | None = None) -> torch.Tensor:
        """z ~ N(0, I) of shape (n, latent_dim), from the z stream unless `gen` is given."""
        return torch.randn(n, self.cfg.latent_dim, generator=gen or self.gens["z"],
                           device=self.device)

    def sample_y(self, n: int, gen: torch.Generator | None = None) -> torch.Tensor | None:
        """Fake labels uniform over the ten classes, (n,) int64, from the label stream unless
        `gen` is given; None for an unconditional run (its G takes z alone)."""
        if self.cfg.cond == "none":
            return None
        return torch.randint(conditioning.N_CLASSES, (n,), generator=gen or self.gens["label"],
                             device=self.device)

    def sample_c(self, n: int, gen: torch.Generator | None = None) -> torch.Tensor | None:
        """InfoGAN's codes (n, n_cat + n_cont) (infogan.sample_codes) from the code stream
        unless `gen` is given; None for a run without codes (its G takes z alone)."""
        if self.codes.size == 0:
            return None
        return infogan.sample_codes(self.codes, n, gen or self.gens["code"], self.device)

    def _real(self, n: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """n training samples from the data stream and, for a conditional run, their labels
        (the same draw: the samples are those an unconditional run sees)."""
        if self.cfg.cond == "none":
            return self.data.sample(n, self.gens["data"]), None
        return self.data.sample_labelled(n, self.gens["data"])

    def _fake(self, n: int) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """G of n z from the z stream (with G's graph), their labels (None: unconditional)
        and their InfoGAN codes (None: a run without codes). A run has labels or codes, never
        both (infogan.check)."""
        z = self.sample_z(n)
        y = self.sample_y(n)
        c = self.sample_c(n)
        return conditioning.generate(self.G, z, y if c is None else c), y, c

    def _sigma(self) -> float:
        return instance_noise_sigma(self.step_count, self.cfg.noise_std, self.cfg.noise_anneal)

    def _d_update(self, fake: torch.Tensor | None = None, y_fake: torch.Tensor | None = None,
                  c_fake: torch.Tensor | None = None) -> torch.Tensor:
        """One D update on fresh reals and `fake` (labelled `y_fake` in a conditional run,
        drawn from codes `c_fake` in an InfoGAN run), or fresh fakes when None."""
        cfg, B = self.cfg, self.cfg.batch_size
        real, y_real = self._real(B)  # (B, 2) or (B, 1, 28, 28); labels (B,) or None
        if fake is None:
            with torch.no_grad():
                fake, y_fake, c_fake = self._fake(B)
        return updates.d_step(self.D, self.opt_d, self.loss, real, fake,
                              weights=updates.penalty_weights(cfg), gen=self.gens["aux"],
                              sigma=self._sigma(), clip_c=cfg.clip_c, diffaug=cfg.diffaug,
                              y_real=y_real, y_fake=y_fake, info=self._info(c_fake))

    def _info(self, codes: torch.Tensor | None) -> updates.Info | None:
        """InfoGAN's term for an update on fakes of `codes` (None: a run without codes)."""
        if codes is None:
            return None
        return updates.Info(codes, self.codes.n_cat, self.cfg.info_lambda)

    def _g_update(self, fake: torch.Tensor | None = None, y_fake: torch.Tensor | None = None,
                  c_fake: torch.Tensor | None = None) -> torch.Tensor:
        cfg, B = self.cfg, self.cfg.batch_size
        if fake is None:
            fake, y_fake, c_fake = self._fake(B)
        # the look-ahead's batches (data and z streams; the noise comes from aux: independent;
        # conditional runs do not unroll: conditioning.check)
        unroll = [(self.data.sample(B, self.gens["data"]), self.G(self.sample_z(B)))
                  for _ in range(cfg.unroll_steps)]
        g_loss = updates.g_step(self.G, self.D, self.opt_g, self.loss, fake,
                                gen=self.gens["aux"], sigma=self._sigma(), opt_d=self.opt_d,
                                unroll=unroll, diffaug=cfg.diffaug, y_fake=y_fake,
                                info=self._info(c_fake))
        if self.G_ema is not None:
            ema.update(self.G_ema, self.G, ema.beta_at(cfg.ema_g, self.step_count + 1))
        return g_loss

    def _check_alive(self) -> None:
        if self.status == "diverged":
            raise Diverged(self.reason)

    def _advance(self) -> None:
        """One iteration without a host sync: n_critic D updates, then one G update. The last
        D update and the G update share one G forward pass (as pytorch/examples' DCGAN)."""
        self._schedule()
        for _ in range(self.cfg.n_critic - 1):
            self._d_update()
        fake, y_fake, c_fake = self._fake(self.cfg.batch_size)
        d_loss = self._d_update(fake, y_fake, c_fake)
        g_loss = self._g_update(fake, y_fake, c_fake)
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
        self._schedule()
        self._log(self._d_update(), None)
        return self._flush_and_report()

    def step_g(self) -> dict[str, float]:
        """A single G update against the current D."""
        self._check_alive()
        self._schedule()
        self._log(None, self._g_update())
        return self._flush_and_report()

    def _flush_and_report(self) -> dict[str, float]:
        self.flush()
        self._check_alive()
        return {"step": self.step_count, "d_loss": self.history["d_loss"][-1],
                "g_loss": self.history["g_loss"][-1], "noise_sigma": self._sigma()}

    def flush(self) -> None:
        """Move pending losses to the host (one copy); stop at the first non-finite one."""
        if not self._pending:
            return
        bad = losslog.move_to_host(self._pending, self.history, self.device)
        # Each loss is computed before its update, so the window's last update is checked on
        # the weights themselves: the rollback point must never hold a NaN or inf.
        if bad is None and (net := self.non_finite_net()) is not None:
            bad = (self.step_count, net, "weights became non-finite")
        if bad is not None:
            self._diverge(*bad)
            return
        self._good = self._state_copy()

    def non_finite_net(self) -> str | None:
        """"G" or "D" if that network holds a NaN or inf weight, else None."""
        return losslog.non_finite_net(self.G, self.D)

    def _diverge(self, step: int, name: str, problem: str) -> None:
        lr = self.cfg.lr_d if name == "D" else self.cfg.lr_g
        good = self._good["step"]
        self.reason = (f"{name} {problem} at step {step}; lower lr_{name.lower()} "
                       f"(now {lr:g}) or add a remedy. Weights were rolled back to step "
                       f"{good}.")
        self.status = "diverged"
        self._load_state(self._good)
        # every record goes back with the weights (losslog.cut_records)
        self.events, cut = losslog.cut_records(good, self.metric_history, self.history,
                                               self.protocol_history, events=self.events)
        if cut:  # the tiles show the last evaluation that is still on record
            self.latest_metrics = {k: v[-1] for k, v in self.metric_history.items()
                                   if k != "step" and v}

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

    # ---- live changes ---------------------------------------------------------------------
    def update_config(self, new: RunConfig) -> None:
        """Apply a config that differs only in non-architectural fields, keeping the weights.
        A diverged run is resumed (the change is presumably the cure)."""
        reset = needs_reset(self.cfg, new)
        if reset:
            raise ValueError(f"changing {', '.join(reset)} needs a new run")
        new, old = validate(new), self.cfg
        models.check_per_sample(self.D, new)
        self.flush()
        label = change_label(old, new)
        if label:
            self.events.append((self.step_count, label))
        self.cfg, self.loss = new, LOSSES.get(new.loss)
        if new.spectral_norm != old.spectral_norm:  # D's parameters change names
            models.set_spectral_norm(self.D, new.spectral_norm,
                                     seed=switch_seed(new.seed, self.step_count))
            self.opt_d = self._build_opt("d")
        for net in ("d", "g"):
            if getattr(new, f"opt_{net}") != getattr(old, f"opt_{net}"):
                setattr(self, f"opt_{net}", self._build_opt(net))
            else:
                self._retune(net)
        if (new.ema_g > 0) != (self.G_ema is not None):  # averaging starts from G now
            self.G_ema = ema.build(self.G) if new.ema_g > 0 else None
        if any(getattr(new, f) != getattr(old, f) for f in VIEW_FIELDS):
            self.observer.reprobe()
        self.status, self.reason = "ok", ""
        self._good = self._state_copy()

    # ---- state ----------------------------------------------------------------------------
    def _state_copy(self) -> dict:
        state = losslog.state_copy(self.step_count, self.G, self.D, self.opt_d, self.opt_g,
                                   self.gens)
        if self.G_ema is not None:
            state["G_ema"] = losslog.clone(self.G_ema.state_dict())
        return state

    def _load_state(self, state: dict) -> None:
        self.load_state(state)

    def load_state(self, state: dict) -> None:
        """Weights, optimiser moments, random streams and step of a `_state_copy` or a
        checkpoint (the one place that puts them back)."""
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        if self.G_ema is not None:  # a state without an average (older file) restarts it at G
            self.G_ema.load_state_dict(state.get("G_ema") or state["G"])
        # copies: torch's load_state_dict keeps the given moment tensors and steps them in
        # place, which would write this run's updates into the rollback point (or into the
        # run a staged recipe carried on from)
        self.opt_d.load_state_dict(losslog.clone(state["opt_d"]))
        self.opt_g.load_state_dict(losslog.clone(state["opt_g"]))
        for net in ("d", "g"):  # a state saved under other rates (a staged recipe) takes ours
            self._retune(net)
        for name, gen_state in state["gens"].items():
            self.gens[name].set_state(gen_state)
        self.step_count = int(state["step"])
        self._good = self._state_copy() if state is not self._good else self._good


SWITCH_TAG = 0x5EC7  # marks the entropy of live-switch seeds


def switch_seed(seed: int, step: int) -> int:
    """The seed of a live switch's own draws (spectral norm's starting u and v): a function of
    the run's seed and the step only, so the same changes give the same run in any process.
    Its own SeedSequence entropy ([seed, tag, step]) keeps it apart from the run's streams."""
    return int(np.random.SeedSequence([seed, SWITCH_TAG, step]).generate_state(1, np.uint64)[0])


def change_label(old: RunConfig, new: RunConfig) -> str:
    """A short note of what a live change did, for the markers on the curves:
    'loss ns→wgan_gp, gp_lambda 0→10' (`RunConfig.diff`, the one place that compares)."""
    return old.diff(new).label
