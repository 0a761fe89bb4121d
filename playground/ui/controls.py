"""The labs' controls as data: which widget edits which `RunConfig` field, in which section.
The 2D lab's table (`CONTROLS`) and the MNIST lab's (`IMAGE_CONTROLS`) share their rows where
a field means the same on both.

No Streamlit here: `widgets.py` renders these rows and `state.py` maps values both ways. Ranges
come from `config.RANGES`; choice lists are log-spaced where a quantity spans decades (sliders
move linearly). Registry-backed fields list registry ids and display their labels.
"""
from __future__ import annotations

from dataclasses import dataclass

from playground import conditioning, diffaug, infogan, losses, models, optim
from playground.config import RANGES, arch_of
from playground.data import datasets
from playground.registry import Registry


@dataclass(frozen=True)
class Control:
    field: str  # RunConfig field
    label: str
    section: str  # key of SECTIONS
    kind: str  # "select" (registry ids) | "slider" | "choices" (select_slider) | "number"
    registry: Registry | None = None  # for "select"
    options: tuple = ()  # for "choices": allowed values, ascending (the current one is added)
    step: float | None = None  # for "slider"
    help: str = ""
    # Remedies: a toggle switches the field between 0/False ("off") and a strength.
    toggle: str | None = None  # the toggle's label; None = a plain control
    on_value: float | None = None  # strength shown when first switched on
    parent: str | None = None  # shown only while this toggled remedy is switched on
    kinds: frozenset[str] | None = None  # for "select": offer only entries of these data kinds


def _decades(lo: float, hi: float, per_decade: tuple[float, ...] = (1, 2, 5)) -> tuple:
    out, base = [], 10.0 ** int(f"{lo:e}".split("e")[1])
    while base <= hi * 1.0001:
        out += [round(m * base, 12) for m in per_decade if lo <= m * base <= hi * 1.0001]
        base *= 10
    return tuple(out)


SECTIONS: dict[str, str] = {
    "data": "Data", "objective": "Loss", "remedies": "Remedies", "optim": "Optimisation",
    "model": "Architecture", "run": "Run",
}

ROWS: tuple[Control, ...] = (
    Control("dataset", "Dataset", "data", "select", registry=datasets.DATASETS,
            kinds=frozenset({"points2d"})),
    Control("n_modes", "Modes", "data", "slider", step=1, help="number of mixture components"),
    Control("radius", "Radius / scale", "data", "slider", step=0.1),
    Control("std", "Mode std", "data", "choices", options=_decades(0.001, 2.0)),
    Control("standardise", "Standardise the points", "data", "toggle",
            help="train on (x − mean) / scale, plots in your data's own units; networks "
                 "start out expecting points near the origin at unit scale"),
    Control("loss", "Loss", "objective", "select", registry=losses.LOSSES),
    Control("n_critic", "D steps per G step (n_critic)", "objective", "slider", step=1),
    Control("spectral_norm", "Spectral norm on D", "remedies", "toggle",
            help="Miyato et al. 2018: each of D's layers has spectral norm 1"),
    Control("noise_std", "σ", "remedies", "choices", options=_decades(0.01, 2.0),
            toggle="Instance noise", on_value=0.1,
            help="Gaussian noise on D's inputs (Sønderby et al. 2017)"),
    Control("noise_anneal", "anneal over steps (0 = constant)", "remedies", "choices",
            options=(0, 500, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000),
            parent="noise_std"),
    Control("gp_lambda", "λ", "remedies", "choices", options=_decades(0.01, 100.0),
            toggle="Gradient penalty (WGAN-GP)", on_value=10.0,
            help="(‖∇D(x̂)‖ − 1)² on interpolates; Gulrajani et al. 2017 use λ = 10"),
    Control("r1_gamma", "γ", "remedies", "choices", options=_decades(0.01, 100.0),
            toggle="R1 penalty", on_value=1.0,
            help="γ/2 E‖∇D(real)‖² (Mescheder et al. 2018)"),
    Control("clip_c", "c", "remedies", "choices", options=_decades(0.001, 10.0),
            toggle="Weight clipping", on_value=0.01,
            help="clip D's weights to [−c, c] (Arjovsky et al. 2017 use 0.01)"),
    Control("unroll_steps", "k", "remedies", "slider", step=1, toggle="Unrolled D",
            on_value=5, help="G looks k D-steps ahead (Metz et al. 2017 use 5)"),
    Control("pack", "Packing: samples per D input (1 = off)", "remedies", "slider", step=1,
            help="D scores m samples at once, real with real and fake with fake, so a G that "
                 "repeats itself is easy to spot (PacGAN, Lin et al. 2018, m = 2-4)"),
    Control("mbstd", "Minibatch std-dev in D", "remedies", "toggle",
            help="D's last layer also reads how spread out each group of 4 samples is, so a "
                 "collapsed batch looks fake (Karras et al. 2018, ProGAN Sec. 3)"),
    Control("opt_d", "D optimiser", "optim", "select", registry=optim.OPTIMISERS),
    Control("lr_d", "D learning rate", "optim", "choices", options=_decades(1e-6, 1.0)),
    Control("beta1_d", "D β₁", "optim", "slider", step=0.05),
    Control("beta2_d", "D β₂", "optim", "choices",
            options=(0.0, 0.5, 0.9, 0.99, 0.995, 0.999, 0.9999)),
    Control("opt_g", "G optimiser", "optim", "select", registry=optim.OPTIMISERS),
    Control("lr_g", "G learning rate", "optim", "choices", options=_decades(1e-6, 1.0)),
    Control("beta1_g", "G β₁", "optim", "slider", step=0.05),
    Control("beta2_g", "G β₂", "optim", "choices",
            options=(0.0, 0.5, 0.9, 0.99, 0.995, 0.999, 0.9999)),
    Control("lr_halflife", "Learning rates halve every (steps; 0 = never)", "optim",
            "choices", options=(0, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000),
            help="both rates decay smoothly, lr · 0.5^(step / h): small late steps let G "
                 "settle on the data instead of circling it"),
    Control("batch_size", "Batch size", "optim", "choices",
            # powers of 2, and 96-1536 (multiples of 3 and 4) for packs of 3 (with mbstd)
            options=tuple(sorted({2**i for i in range(1, 14)}
                                 | {3 * 2**i for i in range(5, 10)}))),
    Control("arch", "Architecture", "model", "select", registry=models.MODELS,
            kinds=frozenset({"points2d"}),
            help="mlp: the lab's MLPs (width, depth, activation below); pacgan and metz: the "
                 "papers' own networks at their fixed sizes (Lin et al. 2018; Metz et al. 2017)"),
    Control("latent_dim", "Latent dim", "model", "choices",
            options=(1, 2, 3, 4, 8, 16, 32, 64, 128, 256)),
    Control("width", "Width", "model", "choices", options=tuple(2**i for i in range(2, 11))),
    Control("depth", "Depth (hidden layers)", "model", "slider", step=1),
    Control("activation", "Activation", "model", "select", registry=models.ACTIVATIONS),
    Control("seed", "Seed", "run", "number", step=1),
    Control("n_fixed", "Tracked fakes", "run", "choices",
            options=(16, 64, 128, 256, 512, 1024, 2048, 4096)),
    Control("grid_res", "D surface resolution", "run", "choices",
            options=(10, 25, 50, 75, 100, 150, 200, 300, 400)),
)
CONTROLS: dict[str, Control] = {c.field: c for c in ROWS}
# The MNIST lab: the same loss, remedy and optimiser rows; its own data and architecture rows
# (a DCGAN's width is its base channel count; depth means something to the MLP only).
IMAGE = frozenset({"image"})
_IMAGE_OWN = {
    "dataset": Control("dataset", "Digits", "data", "select", registry=datasets.DATASETS,
                       kinds=IMAGE, help="the 70,000 shipped digits (GANs train on the 60,000 "
                                         "training digits; the 10,000 test digits are the "
                                         "reference), or a local folder (PLAYGROUND_MNIST_DIR)"),
    "train_digits": Control("train_digits", "Training digits", "data", "choices",
                            options=(100, 500, 5000, 60000),
                            help="all 60,000 training digits, or a fixed class-balanced subset "
                                 "(the same digits every run): with few digits D memorises "
                                 "them and the generator degrades"),
    "arch": Control("arch", "Architecture", "model", "select", registry=models.MODELS,
                    kinds=IMAGE, help="dcgan: convolutions (Radford et al. 2016); mlp_image: "
                                      "the seeds' fully connected GAN"),
    "cond": Control("cond", "Class conditioning", "model", "select",
                    registry=conditioning.CONDITIONINGS,
                    help="none: G(z). concat / projection: G(z, y) draws the digit y asked "
                         "for, and D judges (x, y) pairs; the grid becomes ten rows, one per "
                         "class (a new run)"),
    "info_codes": Control("info_codes", "InfoGAN codes", "model", "select",
                          registry=infogan.INFO_CODES,
                          help="infogan: G(z, c) with a categorical code of 10 and two "
                               "continuous codes, and a Q head on D that must read them back; "
                               "no labels. The grid becomes ten rows, one per code value (a "
                               "new run; not with class conditioning)"),
    "info_lambda": Control("info_lambda", "InfoGAN: mutual-information weight λ", "objective",
                           "slider", step=0.1,
                           help="weight of L_I, how well Q reads the codes back, in G's and "
                                "D's losses (Chen et al. 2016: 1); 0 = a plain GAN whose G "
                                "ignores its codes. Applies live"),
    "info_sweep": Control("info_sweep", "InfoGAN: columns sweep code (0 = c1, 1 = c2)", "run",
                          "choices", options=(0, 1),
                          help="which continuous code the grid's columns sweep from -2 to 2 "
                               "(training draws them in [-1, 1]), the other held at 0"),
    "latent_dim": Control("latent_dim", "Latent dim", "model", "choices",
                          options=(1, 2, 4, 8, 16, 32, 64, 100, 128, 256)),
    "width": Control("width", "Width (dcgan: base channels)", "model", "choices",
                     options=(8, 16, 24, 32, 48, 64, 96, 128, 256, 512)),
    "n_fixed": Control("n_fixed", "Digits in the grid", "run", "choices",
                       options=(16, 36, 64, 100, 144)),
    "diffaug": Control("diffaug", "DiffAugment (real and fake alike)", "remedies", "select",
                       registry=diffaug.POLICIES, help=diffaug.CAPTION),
    # Karras et al. 2018 (ProGAN) show an average of G; Yazıcı et al. 2019 measure why it helps:
    # the average sits near the centre of G's orbit around the equilibrium instead of on it.
    "ema_g": Control("ema_g", "decay β", "remedies", "choices",
                     options=(0.9, 0.99, 0.995, 0.999, 0.9995, 0.9999),
                     toggle="Show a moving average of G", on_value=0.999,
                     help="the grid, the metrics and the exports show θ̄ ← β θ̄ + (1 − β) θ, an "
                          "average of G's weights and batch-norm statistics over the last "
                          "~1/(1 − β) steps (early in a run over about its last tenth, so "
                          "the average never shows the random start); training itself is "
                          "unchanged"),
}
_SHARED = ("loss", "n_critic", "spectral_norm", "noise_std", "noise_anneal", "gp_lambda",
           "r1_gamma", "clip_c", "unroll_steps", "pack", "mbstd", "opt_d", "lr_d", "beta1_d",
           "beta2_d", "opt_g", "lr_g", "beta1_g", "beta2_g", "lr_halflife", "batch_size")
IMAGE_CONTROLS: dict[str, Control] = {
    "dataset": _IMAGE_OWN["dataset"], "train_digits": _IMAGE_OWN["train_digits"],
    **{f: CONTROLS[f] for f in _SHARED}, "diffaug": _IMAGE_OWN["diffaug"],
    "ema_g": _IMAGE_OWN["ema_g"], "info_lambda": _IMAGE_OWN["info_lambda"],
    "arch": _IMAGE_OWN["arch"], "cond": _IMAGE_OWN["cond"],
    "info_codes": _IMAGE_OWN["info_codes"],
    "latent_dim": _IMAGE_OWN["latent_dim"],
    "width": _IMAGE_OWN["width"], "depth": CONTROLS["depth"], "seed": CONTROLS["seed"],
    "n_fixed": _IMAGE_OWN["n_fixed"], "info_sweep": _IMAGE_OWN["info_sweep"],
}
INFO_FIELDS = ("info_lambda", "info_sweep")  # shown while InfoGAN's codes are on
# Network-specific rows that only apply when that network's optimiser has betas.
BETA_OF: dict[str, str] = {"beta1_d": "opt_d", "beta2_d": "opt_d", "beta1_g": "opt_g",
                           "beta2_g": "opt_g"}
DATASET_FIELDS = ("n_modes", "radius", "std")  # None = the dataset's own default
USES_FIELDS = (*DATASET_FIELDS, "standardise")  # shown when the dataset's `uses` has them


def bounds(control: Control, cfg=None) -> tuple[float, float]:
    """The control's numeric range: config.RANGES, narrowed to what the architecture takes
    (a DCGAN's width 8-128)."""
    lo, hi = RANGES.get(control.field, (float("-inf"), float("inf")))
    if control.field == "width" and cfg is not None:
        a, b = models.MODELS.get(arch_of(cfg)).width_range
        lo, hi = max(lo, a), min(hi, b)
    return lo, hi


def choices(control: Control, current, cfg=None) -> list:
    """The select_slider's options: the fixed list within range, plus the current value (a
    link or preset may hold a value between the grid points)."""
    lo, hi = bounds(control, cfg)
    values = {v for v in control.options if lo <= v <= hi}
    if current is not None:
        values.add(current)
    return sorted(values)


def options(control: Control) -> list[str]:
    """The ids a select offers: its registry's, limited to the page's data kinds (a dataset
    names its `kind`, an architecture the `kinds` it serves)."""
    entries = [(i, e) for i, e in control.registry.items()
               if getattr(e, "available", lambda: True)()]
    if control.kinds is None:
        return [i for i, _ in entries]
    return [i for i, e in entries
            if getattr(e, "kind", None) in control.kinds or getattr(e, "kinds", set())
            & control.kinds]


def label_of(control: Control, id_: str) -> str:
    entry = control.registry.get(id_)
    return getattr(entry, "label", id_.replace("_", " "))


def applies(control: Control, cfg) -> bool:
    """Whether the control means something for this config (dataset params, Adam betas, an
    architecture's width, depth and activation)."""
    if control.field in INFO_FIELDS:
        return cfg.info_codes != "none"
    if control.field in USES_FIELDS:
        return control.field in datasets.DATASETS.get(cfg.dataset).uses
    if control.field in BETA_OF:
        return optim.OPTIMISERS.get(getattr(cfg, BETA_OF[control.field])).uses_betas
    if control.field in ("width", "depth", "activation"):
        spec = models.MODELS.get(arch_of(cfg))
        return getattr(spec, f"uses_{control.field}")
    return True
