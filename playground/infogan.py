"""InfoGAN's latent codes (Chen et al. 2016): a registry of code layouts, G(z, c), D with a Q
head on its body, the mutual-information term, and the rules for what InfoGAN refuses.

G takes the code c = [one_hot(cat), cont] beside z; Q shares D's body phi (all of D's layers
but its last score layer) and reads from phi(x) the categorical code's 10 logits and the
continuous codes' means. L_I (`info_loss`) is the negative of the paper's variational lower
bound on I(c; G(z, c)) up to the constant H(c) (Sec. 5, eq. 4): minimising it maximises the
bound. The engine adds info_lambda * L_I to G's loss and to D's (Q's parameters live in D, so
D's optimiser trains them); this module knows nothing of the training loop.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from playground import conditioning
from playground.registry import Registry

Q_HIDDEN = 128  # Q's hidden layer: "FC.128-BN-lRELU" after D's shared body (paper, App. C.1)
# L_I = CE(cat) + CONT_WEIGHT * Gaussian NLL(cont): openai/InfoGAN's MNIST launcher weights
# every code by one info_reg_coeff = 1.0; the paper's lambda (Sec. 6) is `info_lambda` here.
CONT_WEIGHT = 1.0
SWEEP = (-2.0, 2.0)  # the picture's continuous code values: beyond training's [-1, 1] (Fig. 2)


@dataclass(frozen=True)
class CodeSpec:
    label: str
    caption: str
    n_cat: int  # values of the one categorical code (0: none)
    n_cont: int  # continuous codes, each uniform in [-1, 1]

    @property
    def size(self) -> int:
        """Inputs G takes beside z: the one-hot categorical code and the continuous ones."""
        return self.n_cat + self.n_cont


INFO_CODES: Registry[CodeSpec] = Registry("info codes")
INFO_CODES.add("none", CodeSpec("None", "no latent codes: G(z) alone", 0, 0))
# MNIST's codes in the paper (Sec. 7.1) and openai/InfoGAN's launchers/run_mnist_exp.py:
# Categorical(10) and two Uniform(1, fix_std=True) codes beside the noise
INFO_CODES.add("infogan", CodeSpec(
    "InfoGAN: 10 categories + 2 continuous", "G(z, c) with a categorical code of 10 values "
    "and two continuous codes in [-1, 1]; a Q head on D's body must recover them from the "
    "image, so the codes come to mean something (Chen et al. 2016)", 10, 2))


def spec_of(cfg) -> CodeSpec:
    return INFO_CODES.get(getattr(cfg, "info_codes", "none"))


def sample_codes(spec: CodeSpec, n: int, gen: torch.Generator,
                 device: torch.device) -> torch.Tensor:
    """(n, n_cat + n_cont) codes: one-hot of a uniform category, then continuous codes uniform
    in [-1, 1] (openai/InfoGAN's Uniform(1)), all from `gen` (category first)."""
    cat = torch.randint(spec.n_cat, (n,), generator=gen, device=device)
    cont = torch.rand(n, spec.n_cont, generator=gen, device=device) * 2 - 1
    return codes_of(cat, cont, spec)


def codes_of(cat: torch.Tensor, cont: torch.Tensor, spec: CodeSpec) -> torch.Tensor:
    """(n,) categories and (n, n_cont) continuous values -> (n, n_cat + n_cont) codes."""
    hot = (cat[:, None] == torch.arange(spec.n_cat, device=cat.device)).to(cont.dtype)
    return torch.cat([hot, cont], 1)


def category(codes: torch.Tensor, spec: CodeSpec) -> torch.Tensor:
    """(n,) the categorical value of each code row."""
    return codes[:, :spec.n_cat].argmax(1)


class InfoGenerator(conditioning.InputGenerator):
    """G(z, c) = inner([z, c]): `inner` built for latent_dim + n_cat + n_cont inputs."""


class InfoDiscriminator(nn.Module):
    """D(x) = psi(phi(x)) as the inner D (psi its last linear layer), and Q(x) = head(phi(x)):
    Q shares D's whole body, as the paper's Q "shares all convolutional layers with D"
    (Sec. 5), so Q costs one small MLP. Needs an inner D of one sample per score (pack 1)."""

    def __init__(self, inner: nn.Module, flat: bool, spec: CodeSpec):
        super().__init__()
        self.inner = inner
        self.flat = flat
        self.n_cat = spec.n_cat
        width = inner.net[-1].in_features
        # no batch norm (the paper's Q has one): a D without batch norm keeps each score a
        # function of its own sample, which R1 and the gradient penalty need (models.py)
        self.q = nn.Sequential(nn.Linear(width, Q_HIDDEN), nn.LeakyReLU(0.2),
                               nn.Linear(Q_HIDDEN, spec.size))
        for m in self.q:  # as the DCGAN's weights (Radford et al. 2016): N(0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)

    def _phi(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner.net[:-1](x.flatten(1) if self.flat else x)  # (N, F)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner.net[-1](self._phi(x)).squeeze(-1)  # (N,) raw score

    def with_q(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(scores (N,), Q's output (N, n_cat + n_cont)) from one pass through the body:
        the categorical code's logits, then the continuous codes' means."""
        phi = self._phi(x)
        return self.inner.net[-1](phi).squeeze(-1), self.q(phi)


def info_loss(q_out: torch.Tensor, codes: torch.Tensor, n_cat: int) -> torch.Tensor:
    """L_I = E[-log Q(cat | x)] + CONT_WEIGHT E[sum_j (c_j - mu_j)^2 / 2]: the categorical
    code's cross-entropy plus each continuous code's Gaussian negative log-likelihood with
    a fixed unit variance, the constant log sqrt(2 pi) dropped (openai/InfoGAN's MNIST
    codes are Uniform(1, fix_std=True): Q outputs means only, the paper's "factored Gaussian"
    of Sec. 5/App. C with its std fixed; a learned std can shrink towards 0 and blow the
    NLL up on a code Q cannot read yet). >= 0; 0 only when Q recovers every code exactly."""
    ce = F.cross_entropy(q_out[:, :n_cat], codes[:, :n_cat].argmax(1))
    nll = 0.5 * (codes[:, n_cat:] - q_out[:, n_cat:]).pow(2).sum(1).mean()
    return ce + CONT_WEIGHT * nll


def wrap(cfg, shape: tuple[int, ...], build, cond_input: str,
         ) -> tuple[nn.Module, nn.Module]:
    """(G(z, c), D with a Q head) around the nets `build(cfg, shape)` makes, G's for
    latent_dim + n_cat + n_cont inputs. `cond_input`: "flat" for a D on flattened pixels."""
    spec = spec_of(cfg)
    G, _ = build(dataclasses.replace(cfg, latent_dim=cfg.latent_dim + spec.size), shape)
    _, D = build(cfg, shape)
    return InfoGenerator(G, cfg.latent_dim), InfoDiscriminator(D, cond_input == "flat", spec)


def sweep_values(cols: int) -> torch.Tensor:
    """(cols,) continuous code values from SWEEP[0] to SWEEP[1] for the picture's columns."""
    return torch.linspace(*SWEEP, cols)


def check(cfg, kind: str, arch: str, cond_input: str) -> None:
    """Refuse what InfoGAN cannot do, with the reason."""
    spec = INFO_CODES.get(cfg.info_codes)
    if spec.size == 0:
        return
    what = f"info_codes={cfg.info_codes!r}"
    if kind != "image":
        raise ValueError(f"{what} learns codes of digits; dataset {cfg.dataset!r} is 2D "
                         "points: set info_codes='none'")
    if cfg.cond != "none":
        raise ValueError(f"{what} with cond={cfg.cond!r}: InfoGAN finds its codes without "
                         "labels, a conditional G is given them; set one of them to 'none'")
    if not cond_input:
        raise ValueError(f"{what}: arch {arch!r} has no body for a Q head")
    if cfg.pack > 1:
        raise ValueError(f"{what} with pack={cfg.pack}: Q reads each sample's code, a pack "
                         "mixes samples; set pack=1")
    if cfg.unroll_steps > 0:
        raise ValueError(f"{what} with unroll_steps={cfg.unroll_steps}: the unrolled "
                         "look-ahead draws no codes; set unroll_steps=0")



def grid_codes(spec: CodeSpec, cols: int, sweep_code: int,
               device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """InfoGAN's figure (Chen et al. 2016, Fig. 2): codes for n_cat rows of `cols` columns,
    row k the categorical value k, column j continuous code `sweep_code` at the j-th of
    `cols` values from SWEEP[0] to SWEEP[1], the other continuous codes at 0. Returns
    (codes (n_cat * cols, size), the swept values (cols,))."""
    if not 0 <= sweep_code < spec.n_cont:
        raise ValueError(f"sweep code {sweep_code} is not a continuous code; valid: "
                         f"0-{spec.n_cont - 1}")
    values = sweep_values(cols).to(device)
    cat = torch.arange(spec.n_cat, device=device).repeat_interleave(cols)  # (n_cat * cols,)
    cont = torch.zeros(len(cat), spec.n_cont, device=device)
    cont[:, sweep_code] = values.repeat(spec.n_cat)
    return codes_of(cat, cont, spec), values
