"""The image observer: a grid of digits generated from a fixed z (the same digits evolve frame
to frame), fixed real digits beside them, D's score of each, the frozen classifier's label and
confidence of each fake, and the class-coverage metrics (image_metrics.py) with the real
digits' own values as the reference.

Read-only on the run (inside `run.observing()`: batch norm in G uses its running statistics, so
a frame does not depend on the batch it was drawn in). The classifier and the real reference
are computed once per process and dataset (`reference`), never per run.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from playground import conditioning, infogan
from playground.engine import streams
from playground.engine.observers.points2d import thin
from playground.engine.observers.view import RunView
from playground.engine.snapshot import ImageSnapshot
from playground.metrics import points2d as metrics

MAX_SHOWN = 256  # grid images at most (n_fixed asks for more on a 2D-sized config)
REAL_SHOWN = 16  # real digits beside the grid
# Fakes per evaluation: the protocol of the shipped model's record is 2,000 samples; live
# evaluations use 300 (~0.25 s through G and the classifier on one thread; 500 took 0.38 s of
# every 4 s of training). The Frechet distance is biased upward at small n, so each is
# compared with the real digits' own value at the same n (`Reference.values`).
LIVE_N, PROTOCOL_N = 300, 2000


@dataclass(frozen=True)
class Reference:
    """The frozen classifier on a device and what real digits score with it."""
    classifier: torch.nn.Module
    stats: Any  # image_metrics.FeatureStats of the real digits (the Frechet reference)
    values: dict[int, dict[str, float]]  # n -> the real digits' own metrics at that n
    # n -> the classifier's accuracy on those n real digits: label agreement's reference
    accuracy: dict[int, float]


@functools.lru_cache(maxsize=4)
def reference(dataset: str, device: str) -> Reference:
    """Loaded once per process, dataset and device (read-only: shared by every run). The
    Frechet reference is half A of the held-out (test) digits
    (image_metrics.held_out_reference); the real values at n come from n other test digits
    against it, so a generator's value at the same n is compared with a perfect generator's."""
    from playground.data import datasets, mnist
    from playground.metrics import classifier as digit_classifier
    from playground.metrics import images as image_metrics
    net = digit_classifier.load().to(device).eval()
    digits = datasets.digits_of(dataset)
    stats = image_metrics.held_out_reference(digits, net)
    values, accuracy = {}, {}
    for n in (LIVE_N, PROTOCOL_N):
        real, labels = _real_labelled(digits, n)
        log_probs, feats = image_metrics.read(mnist.to_tensor(real).to(device), net)
        values[n] = image_metrics.scores(log_probs, feats, stats).as_dict()
        accuracy[n] = image_metrics.label_agreement(log_probs, labels)
    return Reference(net, stats, values, accuracy)


def _real_labelled(digits, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n held-out digits not in the reference: the first n of held-out half B (fixed). The
    shipped set's half B is 5,000 test digits; a set with fewer is refused rather than
    topped up with training digits (the real values must come from digits no GAN saw)."""
    from playground.metrics import images as image_metrics
    held, labels = digits.split(held_out=True)
    _, b = image_metrics.halves(len(held))
    if n > len(b):
        raise ValueError(f"{digits.source}: {len(held):,} held-out digits; the image metrics "
                         f"need {2 * n:,} (a reference half and {n:,} real digits to score)")
    return held[b[:n]], np.asarray(labels)[b[:n]]


def histogram_of(values: dict[str, float]) -> np.ndarray | None:
    """(10,) class shares from an evaluation's hist_0 ... hist_9 (None before any)."""
    if "hist_0" not in values:
        return None
    return np.array([values[f"hist_{k}"] for k in range(10)], dtype=np.float32)


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, 1, 28, 28) in [-1, 1] -> (N, 28, 28) uint8 grey levels, 0 = black."""
    x = ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round()
    return x.squeeze(1).to(torch.uint8).cpu().numpy()


class ImageObserver:
    def __init__(self, run: RunView):
        self.run = run
        self.ref = reference(run.cfg.dataset, run.device.type)
        # the evaluation z: its own "eval" stream, drawn once (no view change moves it)
        self.z_eval = run.sample_z(PROTOCOL_N, streams.generator(run.cfg.seed, "eval",
                                                                 run.device))
        # a conditional run's requested classes: 0, 1, ..., 9, 0, 1, ... (every n a multiple
        # of ten asks for each class equally often: LIVE_N 30 each, PROTOCOL_N 200)
        self.y_eval = self._balanced(PROTOCOL_N)
        # an InfoGAN run's evaluation codes: categories 0..9 in turn (as y_eval), continuous
        # codes uniform in [-1, 1] from the eval stream after z
        self.info = infogan.spec_of(run.cfg)
        self.c_eval = None
        if self.info.size:
            g = streams.generator(run.cfg.seed, "eval", run.device)
            run.sample_z(PROTOCOL_N, g)  # z_eval's draw, so the codes come after it
            self.c_eval = self._coded(PROTOCOL_N, g)
        self.reprobe()

    def _coded(self, n: int, g: torch.Generator, cat: int | None = None) -> torch.Tensor:
        """(n, size) InfoGAN codes: category `cat`, or 0..9 in turn; continuous codes
        uniform in [-1, 1] from `g`."""
        dev = self.run.device
        cats = (torch.arange(n, device=dev) % self.info.n_cat if cat is None
                else torch.full((n,), cat, dtype=torch.int64, device=dev))
        cont = torch.rand(n, self.info.n_cont, generator=g, device=dev) * 2 - 1
        return infogan.codes_of(cats, cont, self.info)

    def _balanced(self, n: int) -> torch.Tensor | None:
        """(n,) labels 0..9 in turn for a conditional run; None for an unconditional one."""
        if self.run.cfg.cond == "none":
            return None
        return torch.arange(n, device=self.run.device) % conditioning.N_CLASSES

    def _generate(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """The shown G of z (and y), 500 at a time; call inside run.observing() and no_grad."""
        zs = z.split(500)
        ys = [None] * len(zs) if y is None else y.split(500)
        return torch.cat([conditioning.generate(self.run.G_shown, a, b)
                          for a, b in zip(zs, ys, strict=True)])

    def reprobe(self) -> None:
        """The picture's fixed z and real digits (training split), from the "probe" stream;
        rebuilt when a view field changes."""
        run, cfg = self.run, self.run.cfg
        g = streams.generator(cfg.seed, "probe", run.device)
        n = min(cfg.n_fixed, MAX_SHOWN)
        self.c_fixed = self.sweep = None
        if self.info.size:  # InfoGAN's figure: row k code value k, columns sweep a code
            cols = max(1, n // self.info.n_cat)
            self.z_fixed, self.y_fixed = run.sample_z(1, g).repeat(cols * self.info.n_cat, 1), None
            self.c_fixed, self.sweep = infogan.grid_codes(self.info, cols, cfg.info_sweep,
                                                          run.device)
        elif cfg.cond == "none":
            self.z_fixed, self.y_fixed = run.sample_z(n, g), None
        else:  # ten rows, one per class asked for; the same z down each column
            cols = max(1, n // conditioning.N_CLASSES)
            self.z_fixed = run.sample_z(cols, g).repeat(conditioning.N_CLASSES, 1)
            self.y_fixed = torch.arange(conditioning.N_CLASSES,
                                        device=run.device).repeat_interleave(cols)
        idx = torch.randint(len(run.data), (REAL_SHOWN,), generator=g, device=run.device)
        self.real_fixed = run.data.take(idx)
        self.real_labels = run.data.labels[idx.cpu().numpy()]
        self.real_y = None if cfg.cond == "none" else run.data.label_tensor[idx]

    def _fakes(self, protocol: bool) -> torch.Tensor:
        """(n, 1, 28, 28) G of the first n evaluation z (n = PROTOCOL_N or LIVE_N)."""
        run = self.run
        n = PROTOCOL_N if protocol else LIVE_N
        with run.observing(), torch.no_grad():
            return self._generate(self.z_eval[:n], self._inputs(n))

    def _requested(self, n: int) -> torch.Tensor | None:
        return None if self.y_eval is None else self.y_eval[:n]

    def _inputs(self, n: int) -> torch.Tensor | None:
        """What G takes beside the first n evaluation z: labels, InfoGAN codes, or None."""
        return self.c_eval[:n] if self.c_eval is not None else self._requested(n)

    def scored_samples(self, protocol: bool) -> dict[str, np.ndarray]:
        """What `evaluate` scores: "samples" (n, 28, 28) in [-1, 1]. The real side is the
        fixed held-out reference (`reference`), the same for every run."""
        return {"samples": self._fakes(protocol).squeeze(1).float().cpu().numpy()}

    def evaluate(self, protocol: bool) -> dict[str, float]:
        """The class-coverage metrics (metrics.METRICS, kind "image") of n fakes from the fixed
        evaluation z, with the class histogram as hist_0 ... hist_9."""
        n = PROTOCOL_N if protocol else LIVE_N
        requested = self._requested(n)
        ctx = metrics.EvalContext(kind="image", fake=self._fakes(protocol),
                                  classifier=self.ref.classifier, reference=self.ref.stats,
                                  labels=None if requested is None else requested.cpu().numpy(),
                                  codes=None if self.c_eval is None else
                                  infogan.category(self.c_eval[:n], self.info).cpu().numpy())
        return metrics.evaluate(ctx)

    def reference(self, protocol: bool) -> dict[str, float]:
        """The real digits' own values at the same n; a conditional run's label agreement is
        compared with the classifier's accuracy on real digits."""
        n = PROTOCOL_N if protocol else LIVE_N
        out = dict(self.ref.values[n])
        if self.y_eval is not None:
            out["label_agreement"] = self.ref.accuracy[n]
        if self.c_eval is not None:  # a code that is the class reads as well as real digits
            out["code_agreement"] = self.ref.accuracy[n]
        return out

    def samples(self, n: int, seed: int, label: int | None = None) -> np.ndarray:
        """(n, 28, 28) in [-1, 1] from z of `seed`: of class `label` when given (a conditional
        run only), else a conditional run's classes 0..9 in turn."""
        run = self.run
        if label is not None and not 0 <= label < conditioning.N_CLASSES:
            raise ValueError(f"label={label} is not a digit class; valid: 0-9")
        g = torch.Generator(run.device).manual_seed(seed)
        z = run.sample_z(n, g)
        y = self._balanced(n)
        if self.info.size:  # `label` is the categorical code's value here
            y = self._coded(n, g, label)
        elif label is not None:
            y = torch.full((n,), label, dtype=torch.int64, device=run.device)
        with run.observing(), torch.no_grad():
            x = self._generate(z, y)
        return x.squeeze(1).float().cpu().numpy()  # (n, 28, 28) in [-1, 1]

    def snapshot(self, values: dict[str, float]) -> ImageSnapshot:
        """The picture of the run now, with `values`, the run's latest evaluation (the class
        histogram included: a restored run draws it from the record alone)."""
        run = self.run
        with run.observing(), torch.no_grad():
            fake = self._generate(self.z_fixed, self.y_fixed if self.c_fixed is None
                                  else self.c_fixed)  # (n, 1, 28, 28)
            d_fake = conditioning.critic(run.D, self.y_fixed)(fake)
            d_real = conditioning.critic(run.D, self.real_y)(self.real_fixed)
            from playground.metrics import images as image_metrics
            log_probs, _ = image_metrics.read(fake, self.ref.classifier)
        labels = log_probs.argmax(1)
        confidence = np.exp(log_probs.max(1)).astype(np.float32)
        return ImageSnapshot(
            step=run.step_count, status=run.status, reason=run.reason,
            dataset=run.cfg.dataset, loss=run.cfg.loss,
            fake=to_uint8(fake), real=to_uint8(self.real_fixed),
            d_fake=d_fake.float().cpu().numpy(), d_real=d_real.float().cpu().numpy(),
            labels=labels, confidence=confidence, real_labels=np.asarray(self.real_labels),
            histogram=histogram_of(values), reference=self.reference(False),
            metrics=dict(values), history=thin(run.history),
            metric_history=thin(run.metric_history), device=run.device.type,
            events=tuple(run.events),
            requested=None if self.y_fixed is None else self.y_fixed.cpu().numpy(),
            **self._code_picture(values))

    def code_grid(self, seed: int, cols: int, sweep_code: int) -> np.ndarray:
        """InfoGAN's figure from the z of `seed`: (10 cols, 28, 28) in [-1, 1], row k the
        categorical value k, columns sweeping continuous code `sweep_code` (grid_codes)."""
        run = self.run
        if not self.info.size:
            raise ValueError("this run has no InfoGAN codes (info_codes='none')")
        z = run.sample_z(1, torch.Generator(run.device).manual_seed(seed))
        codes, _ = infogan.grid_codes(self.info, cols, sweep_code, run.device)
        with run.observing(), torch.no_grad():
            x = self._generate(z.repeat(len(codes), 1), codes)
        return x.squeeze(1).float().cpu().numpy()

    def _code_picture(self, values: dict[str, float]) -> dict:
        """An InfoGAN snapshot's extra fields: each tile's code value, the swept values, and
        the digit each code value reads as at the last evaluation (-1 before one)."""
        if self.c_fixed is None:
            return {}
        matching = np.array([values.get(f"code_as_{k}", -1) for k in range(self.info.n_cat)],
                            dtype=np.int64)
        return {"codes": infogan.category(self.c_fixed, self.info).cpu().numpy(),
                "sweep": self.sweep.cpu().numpy().astype(np.float32),
                "sweep_code": self.run.cfg.info_sweep, "code_digit": matching}
