"""The typed run configuration, its validation, and the one rule for what resets a run.

`RunConfig` is the single description of a run (2D points or images) that the CLI, the app, the
URL and checkpoints all share. `RESET_FIELDS` is the one place that decides which changes need
fresh weights; every other field can change mid-run (the engine applies it without losing
weights; `VIEW_FIELDS` only change what is shown). `RunConfig.diff` is the one place that says
what changed between two configs: the reset rule, the page's notice and the curves' change
markers all read it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any, get_type_hints


@dataclass(frozen=True)
class RunConfig:
    # --- data -------------------------------------------------------------------------------
    dataset: str = "ring"  # id in datasets.DATASETS
    n_modes: int | None = None  # mixture size; None = the dataset's default (ring 8, grid 25)
    radius: float | None = None  # ring radius / spiral & moons scale; None = dataset default
    std: float | None = None  # per-mode std; None = default (ring 0.01, grid 0.05: PacGAN)
    # custom points: train on (x - mean) / scale, plots in the data's own units; networks
    # initialised for unit-scale inputs cannot follow points near (5000, 5000)
    standardise: bool = True
    # images: digits a GAN trains on, all 60,000 or a fixed class-balanced subset
    # (mnist.TRAIN_DIGITS: 60000, 5000, 500, 100); few digits let D memorise them
    train_digits: int = 60_000
    # --- models -----------------------------------------------------------------------------
    arch: str | None = None  # id in models.MODELS; None = the data's default (mlp / dcgan)
    latent_dim: int = 2  # z ~ N(0, I_latent_dim); 2 lets the app draw G's manifold exactly
    width: int = 128  # hidden units per layer (MLPs), base channels (dcgan)
    depth: int = 3  # hidden layers, G and D (the "3x128 MLP" of the brief); MLPs only
    activation: str = "relu"  # id in models.ACTIVATIONS
    # class conditioning, an id of conditioning.CONDITIONINGS: "none", "concat" (Mirza &
    # Osindero 2014) or "projection" (Miyato & Koyama 2018); labelled (image) data only
    cond: str = "none"
    # InfoGAN's latent codes, an id of infogan.INFO_CODES: "none" or "infogan" (a categorical
    # code of 10 and two continuous codes beside z, a Q head on D's body; Chen et al. 2016)
    info_codes: str = "none"
    # --- objective --------------------------------------------------------------------------
    loss: str = "ns"  # id in losses.LOSSES
    n_critic: int = 1  # D updates per G update
    unroll_steps: int = 0  # k: G sees D unrolled k steps ahead (Metz et al. 2017); 0 = off
    # --- remedies / regularisers on D ---------------------------------------------------------
    spectral_norm: bool = False  # spectral normalisation of D's linear layers (Miyato et al.)
    noise_std: float = 0.0  # instance noise sigma on D's inputs at step 0; 0 = off
    noise_anneal: int = 0  # steps over which sigma decays linearly to 0; 0 = constant sigma
    gp_lambda: float = 0.0  # WGAN-GP penalty weight on interpolates (Gulrajani: 10); 0 = off
    r1_gamma: float = 0.0  # R1 penalty gamma/2 E||grad D(real)||^2 (Mescheder 2018); 0 = off
    clip_c: float = 0.0  # clip D's weights to [-c, c] after each step (Arjovsky: 0.01); 0 = off
    # DiffAugment policy on real and fake alike before D (Zhao et al. 2020): an id of
    # diffaug.POLICIES, e.g. "color,translation,cutout"; "" = off. Images only.
    diffaug: str = ""
    pack: int = 1  # D scores packs of m samples (PacGAN, Lin et al. 2018: m = 2-4); 1 = off
    mbstd: bool = False  # minibatch std feature before D's last layer (Karras et al. 2018)
    # weight lambda of InfoGAN's mutual-information term L_I in G's and D/Q's losses
    # (Chen et al. 2016, Sec. 6: 1 for discrete codes); read only when info_codes is on
    info_lambda: float = 1.0
    # --- averaging G ----------------------------------------------------------------------------
    # beta of an exponential moving average of G's weights (and batch-norm statistics) that
    # every picture, evaluation, sample and shipped file uses; training is unchanged
    # (Karras et al. 2018: 0.999), warmed up early in a run (engine/ema.py: beta_at). 0 = off:
    # the last G is shown.
    ema_g: float = 0.0
    # --- optimisation -----------------------------------------------------------------------
    opt_d: str = "adam"  # id in optim.OPTIMISERS
    opt_g: str = "adam"
    # 1e-3: NS on the ring covered 8/8 modes at 90% HQ after 3,000 steps (measured here);
    # DCGAN's 2e-4 had not found one mode by then. TTUR (Heusel et al. 2017): lr_d != lr_g.
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    # both rates halve every lr_halflife steps of the run (lr * 0.5^(t / h), optim.decay); 0 =
    # constant. Small late steps let G settle on the modes: r1 at width 512 on the grid read
    # 93.96 % high quality at 5,000 steps, 94.92 % after 2,000 more at a quarter of the rates.
    lr_halflife: int = 0
    beta1_d: float = 0.5  # Adam betas (Radford et al. 2016 use 0.5, 0.999)
    beta2_d: float = 0.999
    beta1_g: float = 0.5
    beta2_g: float = 0.999
    batch_size: int = 256
    seed: int = 0
    # --- what is shown (changes rebuild the probes, never the weights) -------------------------
    n_fixed: int = 512  # tracked fakes (2D) / grid images (images) from one fixed z batch
    grid_res: int = 100  # D surface resolution (grid_res x grid_res); 2D only
    info_sweep: int = 0  # InfoGAN's picture: which continuous code its columns sweep (0 or 1)

    def replace(self, **changes: Any) -> RunConfig:
        return validate(dataclasses.replace(self, **changes))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def diff(self, other: RunConfig) -> Diff:
        """What changes from this config to `other`, field by field."""
        return Diff(tuple(f.name for f in fields(RunConfig)
                          if getattr(self, f.name) != getattr(other, f.name)), self, other)


# Changing any of these needs new weights (another data law, architecture or random stream);
# every other field is applied to a live run. Everyone asks `diff(...).reset`, never a list.
RESET_FIELDS: frozenset[str] = frozenset(
    {"dataset", "n_modes", "radius", "std", "standardise", "train_digits", "arch", "latent_dim",
     "width", "depth", "activation", "cond", "info_codes", "seed", "pack",
     "mbstd"}
)
# Changing these only rebuilds what a run shows (its fixed probes); training is untouched.
VIEW_FIELDS: frozenset[str] = frozenset({"n_fixed", "grid_res", "info_sweep"})
DEFAULT_ARCH = {"points2d": "mlp", "image": "dcgan"}  # arch None on each kind of data

# Inclusive numeric ranges: the CLI, the URL parser and the sliders all read these.
RANGES: dict[str, tuple[float, float]] = {
    "n_modes": (1, 100), "radius": (0.1, 10.0), "std": (1e-3, 2.0),
    "latent_dim": (1, 256), "width": (4, 1024), "depth": (1, 8),
    "n_critic": (1, 20), "unroll_steps": (0, 20),
    "noise_std": (0.0, 2.0), "noise_anneal": (0, 1_000_000),
    "gp_lambda": (0.0, 100.0), "r1_gamma": (0.0, 100.0), "clip_c": (0.0, 10.0), "pack": (1, 4),
    "ema_g": (0.0, 0.9999), "info_lambda": (0.0, 10.0), "info_sweep": (0, 1),
    "lr_d": (1e-6, 1.0), "lr_g": (1e-6, 1.0), "lr_halflife": (0, 1_000_000),
    "beta1_d": (0.0, 0.999), "beta2_d": (0.0, 0.9999),
    "beta1_g": (0.0, 0.999), "beta2_g": (0.0, 0.9999),
    "batch_size": (2, 8192), "seed": (0, 2**31 - 1),
    "n_fixed": (16, 4096), "grid_res": (10, 400),
}


@dataclass(frozen=True)
class Diff:
    """The fields that differ between two configs (declaration order), and what they do."""
    fields: tuple[str, ...]
    old: RunConfig
    new: RunConfig

    def __bool__(self) -> bool:
        return bool(self.fields)

    @property
    def reset(self) -> tuple[str, ...]:
        """The changed fields that need new weights (empty: the change applies live)."""
        return tuple(f for f in self.fields if f in RESET_FIELDS)

    @property
    def view(self) -> tuple[str, ...]:
        """The changed fields that only rebuild what a run shows (its probes)."""
        return tuple(f for f in self.fields if f in VIEW_FIELDS)

    @property
    def label(self) -> str:
        """A short note of the change, for the markers on the curves:
        'loss ns→wgan_gp, gp_lambda 0→10'."""
        return ", ".join(f"{f} {_short(getattr(self.old, f))}→{_short(getattr(self.new, f))}"
                         for f in self.fields)


def _short(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def arch_of(cfg: RunConfig) -> str:
    """The architecture id a config trains (its data kind's default when `arch` is None)."""
    from playground.data import datasets
    return cfg.arch or DEFAULT_ARCH[datasets.kind_of(cfg.dataset)]


def needs_reset(old: RunConfig, new: RunConfig) -> list[str]:
    """Names of the fields whose change forces a fresh run (empty list: apply live)."""
    return list(old.diff(new).reset)


def field_types() -> dict[str, type]:
    """Field name -> its base Python type (int, float, bool, str), Optional stripped."""
    hints = get_type_hints(RunConfig)
    out = {}
    for name, hint in hints.items():
        args = [a for a in getattr(hint, "__args__", ()) if a is not type(None)]
        out[name] = args[0] if args else hint
    return out


def parse_value(name: str, text: str) -> Any:
    """Parse one `key=value` string into the field's type; errors name the field."""
    types = field_types()
    if name not in types:
        raise ValueError(f"unknown config key {name!r}; valid: {', '.join(types)}")
    typ = types[name]
    if text.lower() in ("none", "default", "") and _optional(name):
        return None
    try:
        if typ is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if typ is int:
            return int(float(text)) if float(text).is_integer() else int(text)
        return typ(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a valid {typ.__name__}") from None


def _optional(name: str) -> bool:
    return next(f for f in fields(RunConfig) if f.name == name).default is None


def validate(cfg: RunConfig) -> RunConfig:
    """Check ids against their registries and numbers against RANGES; return cfg unchanged."""
    from playground import conditioning, infogan, losses, models, optim, packing  # no cycles
    from playground.data import datasets, mnist

    spec = datasets.DATASETS.get(cfg.dataset)
    if cfg.train_digits not in mnist.TRAIN_DIGITS:
        raise ValueError(f"train_digits={cfg.train_digits!r} is not offered; valid: "
                         f"{', '.join(str(n) for n in mnist.TRAIN_DIGITS)}")
    losses.LOSSES.get(cfg.loss)
    models.ACTIVATIONS.get(cfg.activation)
    arch = models.MODELS.get(arch_of(cfg))
    if spec.kind not in arch.kinds:
        fits = [i for i, m in models.MODELS.items() if spec.kind in m.kinds]
        raise ValueError(f"arch {arch_of(cfg)!r} does not train {spec.kind} data "
                         f"(dataset {cfg.dataset!r}); valid here: {', '.join(fits)}")
    optim.OPTIMISERS.get(cfg.opt_d)
    optim.OPTIMISERS.get(cfg.opt_g)
    types = field_types()
    for name, (lo, hi) in RANGES.items():
        value = getattr(cfg, name)
        if value is None:
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if types[name] is int and int(value) != value:
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if not lo <= value <= hi:
            raise ValueError(f"{name}={value} is out of range [{lo:g}, {hi:g}]")
    lo, hi = arch.width_range
    if not lo <= cfg.width <= hi:
        raise ValueError(f"width={cfg.width} is out of range [{lo}, {hi}] for arch "
                         f"{arch_of(cfg)!r}")
    spec.check(cfg)
    conditioning.check(cfg, spec.kind, arch_of(cfg), arch.cond_input)
    infogan.check(cfg, spec.kind, arch_of(cfg), arch.cond_input)
    _check_diffaug(cfg, spec.kind)
    packing.check(cfg)
    return cfg


def _check_diffaug(cfg: RunConfig, kind: str) -> None:
    from playground import diffaug
    if cfg.diffaug not in diffaug.POLICIES:
        valid = ", ".join(repr(p) for p in diffaug.POLICIES.ids())
        raise ValueError(f"diffaug={cfg.diffaug!r} is not a DiffAugment policy; valid: {valid} "
                         f"('' = off)")
    if cfg.diffaug and kind != "image":
        raise ValueError(f"diffaug augments images (shifts, cut-outs); dataset {cfg.dataset!r} "
                         f"is 2D points: set diffaug='' (off)")


def from_dict(values: dict[str, Any], base: RunConfig | None = None) -> RunConfig:
    """Build a validated config from plain values (checkpoint, JSON); unknown keys are errors."""
    base = base or RunConfig()
    valid = {f.name for f in fields(RunConfig)}
    unknown = sorted(set(values) - valid)
    if unknown:
        raise ValueError(f"unknown config key(s) {', '.join(unknown)}; valid: {', '.join(valid)}")
    return validate(dataclasses.replace(base, **values))


