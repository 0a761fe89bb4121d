"""The architectures (a registry), the activation registry, and spectral norm.

Every discriminator returns raw scores of shape (N,), higher = more real; no sigmoid is applied
here (losses own that, in stable softplus form); a D that scores groups (packing, minibatch
std: packing.py) still gives one score per sample. An architecture names the data kinds it
serves (2D points or 28 x 28 images) and builds its (G, D) pair from the config. Spectral norm
can be switched on and off on a live D without losing its weights, on linear and convolution
layers alike.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

from playground import conditioning, infogan, paper_models
from playground.packing import MinibatchStd, score
from playground.registry import Registry

ACTIVATIONS: Registry[type[nn.Module]] = Registry("activation")
ACTIVATIONS.add("relu", nn.ReLU)
ACTIVATIONS.add("leaky_relu", lambda: nn.LeakyReLU(0.2))  # slope 0.2 as in DCGAN's D
ACTIVATIONS.add("elu", nn.ELU)
ACTIVATIONS.add("tanh", nn.Tanh)
ACTIVATIONS.add("silu", nn.SiLU)

NORMALISED = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)  # layers spectral norm acts on


def mlp(n_in: int, n_out: int, width: int, depth: int, activation: str) -> nn.Sequential:
    act = ACTIVATIONS.get(activation)
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(n_in if i == 0 else width, width), act()]
    layers.append(nn.Linear(width if depth else n_in, n_out))
    return nn.Sequential(*layers)


def with_mbstd(net: nn.Sequential, at: int, extra: int = 1) -> nn.Sequential:
    """`net` with a minibatch-std layer inserted before layer `at` (Karras et al. 2018) and its
    last (linear) layer widened by the `extra` inputs that layer's one feature becomes (1; a
    channel of H x W pixels once flattened)."""
    layers = list(net)
    last = layers[-1]
    layers[-1] = nn.Linear(last.in_features + extra, last.out_features)
    return nn.Sequential(*layers[:at], MinibatchStd(), *layers[at:])


# ---- 2D points: the lab's MLPs ------------------------------------------------------------
class Generator(nn.Module):
    def __init__(self, latent_dim: int, width: int, depth: int, activation: str, out_dim: int = 2):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = mlp(latent_dim, out_dim, width, depth, activation)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)  # (N, latent_dim) -> (N, 2)


class Discriminator(nn.Module):
    """`pack` samples per input (their 2 pack coordinates concatenated, Lin et al. 2018) and
    optionally a minibatch-std feature before the last layer (packing.py)."""

    def __init__(self, width: int, depth: int, activation: str, in_dim: int = 2,
                 pack: int = 1, mbstd: bool = False):
        super().__init__()
        self.pack = pack
        self.net = mlp(in_dim * pack, 1, width, depth, activation)
        if mbstd:
            self.net = with_mbstd(self.net, len(self.net) - 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (N, 2) -> (N,) raw score; packs (N/m, 2m) inside
        return score(lambda h: self.net(h).squeeze(-1), x, self.pack, self.training)


# ---- images: the seeds' fully connected GAN ---------------------------------------------------
class ImageMLPGenerator(nn.Module):
    """z -> width -> 2 width -> 4 width ... -> 784 pixels, ReLU, tanh output (the seeds' vanilla
    GAN: 100 -> 256 -> 512 -> 1024 -> 784 at width 256, depth 3)."""

    def __init__(self, latent_dim: int, width: int, depth: int, shape: tuple[int, ...]):
        super().__init__()
        self.shape = shape
        dims = [latent_dim] + [width * 2**i for i in range(depth)]
        layers: list[nn.Module] = []
        for a, b in zip(dims, dims[1:], strict=False):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers += [nn.Linear(dims[-1], math.prod(shape)), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(len(z), *self.shape)  # (N, latent) -> (N, 1, 28, 28)


class ImageMLPDiscriminator(nn.Module):
    """784 -> 4 width -> 2 width -> width -> 1 with LeakyReLU 0.2 (the seeds' D, without its
    final sigmoid: the losses take raw scores)."""

    def __init__(self, width: int, depth: int, shape: tuple[int, ...], pack: int = 1,
                 mbstd: bool = False):
        super().__init__()
        self.pack = pack
        dims = [pack * math.prod(shape)] + [width * 2**i for i in reversed(range(depth))]
        layers: list[nn.Module] = []
        for a, b in zip(dims, dims[1:], strict=False):
            layers += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
        layers.append(nn.Linear(dims[-1], 1))
        self.net = nn.Sequential(*layers)
        if mbstd:
            self.net = with_mbstd(self.net, len(self.net) - 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (N, 1, 28, 28) -> (N,); packs (N/m, m, 28, 28) flattened inside
        return score(lambda h: self.net(h.flatten(1)).squeeze(-1), x, self.pack, self.training)


# ---- images: DCGAN (Radford, Metz & Chintala 2016) for 28 x 28 ---------------------------------
class DCGANGenerator(nn.Module):
    """z -> (2w, 7, 7) -> (w, 14, 14) -> (1, 28, 28): transposed convolutions with batch norm
    and ReLU, tanh output (Radford et al. 2016, Sec. 3), sized for MNIST's 28 x 28. `hidden`
    > 0 puts a fully connected layer of that many units (batch norm, ReLU) before the
    projection to 7 x 7 maps, as InfoGAN's MNIST G (Chen et al. 2016, Table 1)."""

    def __init__(self, latent_dim: int, width: int, shape: tuple[int, ...], hidden: int = 0):
        super().__init__()
        c = shape[0]
        self.width = width
        dims = [latent_dim] + ([hidden] if hidden else []) + [2 * width * 7 * 7]
        self.project = nn.Sequential(*[layer for a, b in zip(dims, dims[1:], strict=False)
                                       for layer in (nn.Linear(a, b, bias=False),
                                                     nn.BatchNorm1d(b), nn.ReLU())])
        self.net = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False),  # 7 -> 14
            nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, c, 4, 2, 1), nn.Tanh())  # 14 -> 28

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.project(z).view(len(z), 2 * self.width, 7, 7)
        return self.net(h)  # (N, latent) -> (N, 1, 28, 28)


class DCGANDiscriminator(nn.Module):
    """(1, 28, 28) -> (w, 14, 14) -> (2w, 7, 7) -> score: strided convolutions with LeakyReLU
    0.2 (Radford et al. 2016). No batch norm in D: the gradient penalty and R1 need each score
    to depend on its own sample only (a batch-normed D couples them), and a D step sees real and
    fake in one batch. `hidden` > 0 puts a fully connected layer of that many units
    (LeakyReLU) before the score, as InfoGAN's MNIST D (Chen et al. 2016, Table 1; theirs
    also batch-normalises, this one does not, for the reason above)."""

    def __init__(self, width: int, shape: tuple[int, ...], pack: int = 1, mbstd: bool = False,
                 hidden: int = 0):
        super().__init__()
        c = shape[0] * pack  # a pack of m images is m C channels (Lin et al. 2018)
        self.pack = pack
        flat = 2 * width * 7 * 7
        head = ([nn.Linear(flat, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1)] if hidden
                else [nn.Linear(flat, 1)])
        self.net = nn.Sequential(
            nn.Conv2d(c, width, 4, 2, 1), nn.LeakyReLU(0.2),  # 28 -> 14
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),  # 14 -> 7
            nn.Flatten(), *head)
        if mbstd and hidden:  # one std feature beside the hidden layer's units
            self.net = with_mbstd(self.net, len(self.net) - 1)
        elif mbstd:  # a std channel on the 7 x 7 maps, as ProGAN adds it before its last block
            self.net = with_mbstd(self.net, len(self.net) - 2, extra=7 * 7)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (N, 1, 28, 28) -> (N,); packs (N/m, m, 28, 28) inside
        return score(lambda h: self.net(h).squeeze(-1), x, self.pack, self.training)


def dcgan_init(module: nn.Module) -> None:
    """Radford et al. 2016: every weight from N(0, 0.02); batch-norm scales from N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, NORMALISED):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, _BatchNorm):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


# ---- the registry -------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelSpec:
    label: str
    caption: str
    kinds: frozenset[str]  # data kinds it serves: "points2d" and/or "image"
    build: Callable[..., tuple[nn.Module, nn.Module]]  # (cfg, shape) -> (G, D)
    width_range: tuple[int, int]  # what `width` may be for this architecture
    uses_depth: bool = True
    uses_activation: bool = True
    uses_width: bool = True  # False: a paper's fixed sizes (width unused)
    # how D takes a label (conditioning.wrap): "channels" (extra image channels), "flat"
    # (extra inputs after the pixels), "" (it cannot: the 2D MLP)
    cond_input: str = ""
    # cfg -> multiply-adds per sample of (G, D), for engine/cost.py's price; None: the lab's
    # 2D MLP at cfg's width and depth
    macs: Callable[..., tuple[int, int]] | None = None


MODELS: Registry[ModelSpec] = Registry("architecture")


def _mlp(cfg, shape) -> tuple[nn.Module, nn.Module]:
    return (Generator(cfg.latent_dim, cfg.width, cfg.depth, cfg.activation, shape[0]),
            Discriminator(cfg.width, cfg.depth, cfg.activation, shape[0], cfg.pack, cfg.mbstd))


def _pacgan(cfg, shape) -> tuple[nn.Module, nn.Module]:
    G = paper_models.PacGANGenerator(cfg.latent_dim, shape[0])
    D = paper_models.PacGANDiscriminator(shape[0], cfg.pack)
    if cfg.mbstd:  # not in their code: the lab's remedy on their D, initialised as theirs
        D.net = with_mbstd(D.net, len(D.net) - 1)
        paper_models.pacgan_init(D.net[-1])
    return G, D


def _metz(cfg, shape) -> tuple[nn.Module, nn.Module]:
    w, depth = paper_models.METZ_WIDTH, paper_models.METZ_DEPTH
    G = Generator(cfg.latent_dim, w, depth, "tanh", shape[0])
    D = Discriminator(w, depth, "tanh", shape[0], cfg.pack, cfg.mbstd)
    paper_models.metz_init(G)
    paper_models.metz_init(D)
    return G, D


def _mlp_image(cfg, shape) -> tuple[nn.Module, nn.Module]:
    return (ImageMLPGenerator(cfg.latent_dim, cfg.width, cfg.depth, shape),
            ImageMLPDiscriminator(cfg.width, cfg.depth, shape, cfg.pack, cfg.mbstd))


# Units of dcgan_fc's fully connected layers. InfoGAN's MNIST nets have 1,024 (Chen et al.
# 2016, Table 1); 256 did better here at a quarter of the weights (width 32, batch 64, one
# thread, 4,000 steps: FD 31.6 vs 37.1, 60 vs 107 s per 1,000 steps; dcgan itself: FD 153).
FC_HIDDEN = 256


def _dcgan(cfg, shape, hidden: int = 0) -> tuple[nn.Module, nn.Module]:
    G = DCGANGenerator(cfg.latent_dim, cfg.width, shape, hidden)
    D = DCGANDiscriminator(cfg.width, shape, cfg.pack, cfg.mbstd, hidden)
    dcgan_init(G)
    dcgan_init(D)
    return G, D


def _dcgan_fc(cfg, shape) -> tuple[nn.Module, nn.Module]:
    return _dcgan(cfg, shape, FC_HIDDEN)


def _dcgan_macs(cfg, hidden: int = 0) -> tuple[int, int]:
    """(G, D) multiply-adds per sample, 4 x 4 kernels: a strided convolution's output pixel
    reads 16 x C_in weights, a transposed one's input pixel writes 16 x C_out."""
    w, flat = cfg.width, 2 * cfg.width * 49
    fc = (cfg.latent_dim * hidden + hidden * flat) if hidden else cfg.latent_dim * flat
    g = fc + 49 * 16 * 2 * w * w + 196 * 16 * w
    d = 196 * 16 * w + 49 * 16 * w * 2 * w + ((flat * hidden + hidden) if hidden else flat)
    return g, d


def _mlp_image_macs(cfg) -> tuple[int, int]:
    """z -> w -> 2w -> ... -> 784 and back."""
    dims = [cfg.width * 2**i for i in range(cfg.depth)]
    hidden = sum(a * b for a, b in zip(dims, dims[1:], strict=False))
    return cfg.latent_dim * cfg.width + hidden + dims[-1] * 784, 784 * dims[-1] + hidden + dims[0]


MODELS.add("mlp", ModelSpec(
    "MLP", "fully connected G and D of `depth` hidden layers of `width` units",
    frozenset({"points2d"}), _mlp, (4, 1024)))
MODELS.add("pacgan", ModelSpec(
    "PacGAN's MLPs (Lin et al. 2018)", "their code's 2D networks: G z -> 4 x 400 ReLU with "
    "batch norm -> 2; D 3 maxout layers of 200 units x 5 pieces -> 1, reading a pack of m "
    "points as 2m inputs; N(0, 0.02) init. Fixed sizes: width, depth and activation unused",
    frozenset({"points2d"}), _pacgan, (4, 1024), uses_depth=False, uses_activation=False,
    uses_width=False))
MODELS.add("metz", ModelSpec(
    "Unrolled GAN's MLPs (Metz et al. 2017)", "their toy notebook's networks, which VEEGAN's 2D "
    "runs share: G and D of 2 hidden layers of 128 tanh units, orthogonal init with gain 1.4. "
    "Fixed sizes: width, depth and activation unused", frozenset({"points2d"}), _metz,
    (4, 1024), uses_depth=False, uses_activation=False, uses_width=False))
MODELS.add("mlp_image", ModelSpec(
    "MLP on pixels (the seeds' GAN)", "G: z -> width -> 2 width -> 4 width -> 784, tanh; "
    "D mirrored with LeakyReLU 0.2", frozenset({"image"}), _mlp_image, (16, 512),
    uses_activation=False, cond_input="flat", macs=_mlp_image_macs))
MODELS.add("dcgan", ModelSpec(
    "DCGAN", "transposed convolutions with batch norm in G, strided convolutions with "
    "LeakyReLU in D, N(0, 0.02) init (Radford et al. 2016); width = base channels",
    frozenset({"image"}), _dcgan, (8, 128), uses_depth=False, uses_activation=False,
    cond_input="channels", macs=_dcgan_macs))
MODELS.add("dcgan_fc", ModelSpec(
    "DCGAN + a dense layer (InfoGAN's MNIST layout)", "the DCGAN with a fully connected layer "
    "of 256 units after z in G and before the score in D, as InfoGAN's MNIST networks (Chen "
    "et al. 2016, Table 1: 1,024 units, batch norm in D too); G gets a nonlinear map from z "
    "before any pixel is laid out",
    frozenset({"image"}), _dcgan_fc, (8, 128), uses_depth=False, uses_activation=False,
    cond_input="channels", macs=lambda cfg: _dcgan_macs(cfg, FC_HIDDEN)))


def build(cfg, shape: tuple[int, ...]) -> tuple[nn.Module, nn.Module]:
    """(G, D) for `cfg.arch` on data of `shape` per sample ((2,) or (1, 28, 28)); G(z, y) and
    D(x, y) when `cfg.cond` conditions on labels (conditioning.py); G(z, c) and a D with a Q
    head when `cfg.info_codes` asks for InfoGAN's codes (infogan.py)."""
    spec = MODELS.get(cfg.arch)
    if getattr(cfg, "info_codes", "none") != "none":  # G(z, c) and D with a Q head
        return infogan.wrap(cfg, shape, spec.build, spec.cond_input)
    if getattr(cfg, "cond", "none") == "none":
        return spec.build(cfg, shape)
    return conditioning.wrap(cfg, shape, spec.build, spec.cond_input)


# ---- spectral norm and the no-coupling rule -----------------------------------------------------
def normalised_layers(module: nn.Module) -> list[nn.Module]:
    return [m for m in module.modules() if isinstance(m, NORMALISED)]


def set_spectral_norm(D: nn.Module, on: bool, seed: int | None = None) -> None:
    """Add or remove spectral normalisation on every linear and convolution layer of D, in
    place (Miyato et al. 2018 normalise convolutions through their reshaped weight, as torch's
    parametrization does). Removing keeps the current normalised weight W / sigma(W), so D's
    function is unchanged at the moment of the switch either way, and gives back the order
    (weight, bias) a built D has: a checkpoint's D is built, and its optimiser state must
    land on the same tensors. `seed`: draw the power iteration's starting u and v from it
    (a live switch), not from whatever state the process's global RNG is in."""
    layers = normalised_layers(D)
    adding = [m for m in layers if on and not parametrize.is_parametrized(m, "weight")]
    if adding:
        with _seeded(seed, D):
            for layer in adding:
                spectral_norm(layer)
    for layer in layers:
        if not on and parametrize.is_parametrized(layer, "weight"):
            parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)
            # removal re-registers weight after bias: move the others back behind it
            for name in [n for n in layer._parameters if n != "weight"]:
                layer._parameters[name] = layer._parameters.pop(name)


@contextlib.contextmanager
def _seeded(seed: int | None, module: nn.Module) -> Iterator[None]:
    """The global RNG seeded with `seed` for the duration, then put back (None: untouched)."""
    if seed is None:
        yield
        return
    devices = sorted({p.device.index or 0 for p in module.parameters() if p.is_cuda})
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def has_spectral_norm(D: nn.Module) -> bool:
    return any(parametrize.is_parametrized(m, "weight") for m in normalised_layers(D))


def check_per_sample(D: nn.Module, cfg) -> None:
    """GP and R1 take per-sample input gradients from grad(sum of scores): exact only if each
    score depends on its own sample. Batch norm in D couples the batch, so refuse the pair."""
    coupled = any(isinstance(m, _BatchNorm) for m in D.modules())
    on = [name for name in ("gp_lambda", "r1_gamma") if getattr(cfg, name) > 0]
    if coupled and on:
        raise ValueError(f"{' and '.join(on)} need a discriminator without batch norm "
                         "(its per-sample gradients would mix the batch); switch them off or "
                         "use an architecture whose D has no batch norm")
