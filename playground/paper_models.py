"""The mode-collapse papers' own 2D networks, so their tables can be rerun on their setup.

PacGAN (Lin et al. 2018; their code, fjxmlzn/PacGAN, synthetic_data_experiments): G maps z in
R^2 through 4 hidden layers of 400 ReLU units with batch norm to R^2; D is 3 maxout layers of
200 units x 5 pieces and a linear score, its input the 2 m coordinates of a pack of m; every
weight from N(0, 0.02), biases 0. Unrolled GAN (Metz et al. 2017; their toy notebook,
poolio/unrolled_gan, which VEEGAN's 2D runs follow): G and D of 2 hidden layers of 128 tanh
units, orthogonal init with gain 1.4. `models.py` registers them as architectures; what
varies between runs (packing, the loss, the optimiser) stays in the config.
"""
from __future__ import annotations

import torch
from torch import nn

from playground.packing import score

PACGAN_G_WIDTH, PACGAN_G_DEPTH = 400, 4  # "gen_hidden_size": 400, four BN + ReLU layers
PACGAN_D_WIDTH, PACGAN_D_DEPTH, PACGAN_PIECES = 200, 3, 5  # "disc_hidden_size", maxout pieces
PACGAN_INIT_STD = 0.02  # "weights_init_std"; "biases_init": Constant(0)
# Their population statistics move as p <- 0.95 p + 0.05 batch mean (pacgan_task.bn_updates)
PACGAN_BN_MOMENTUM = 0.05
METZ_WIDTH, METZ_DEPTH = 128, 2  # n_hidden=128, n_layer=2 in G and D, tanh
METZ_GAIN = 1.4  # tf.orthogonal_initializer(gain=1.4) on every fully connected layer


class Maxout(nn.Module):
    """A linear map to `width x pieces` units, the max over each unit's pieces (Goodfellow et
    al. 2013): (N, n_in) -> (N, width). Per sample: no statistic crosses the batch."""

    def __init__(self, n_in: int, width: int, pieces: int):
        super().__init__()
        self.width, self.pieces = width, pieces
        self.linear = nn.Linear(n_in, width * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.linear(x).view(len(x), self.width, self.pieces)  # (N, width, pieces)
        return h.amax(-1)

    def extra_repr(self) -> str:
        return f"width={self.width}, pieces={self.pieces}"


class PacGANGenerator(nn.Module):
    """z -> [Linear (no bias: batch norm's shift replaces it) -> BN -> ReLU] x 4 -> 2. Each
    sample's point depends on its batch in training mode (batch norm); in eval mode, where
    the lab draws and scores, on the population statistics only."""

    def __init__(self, latent_dim: int, out_dim: int = 2):
        super().__init__()
        self.latent_dim = latent_dim
        layers: list[nn.Module] = []
        n_in = latent_dim
        for _ in range(PACGAN_G_DEPTH):
            layers += [nn.Linear(n_in, PACGAN_G_WIDTH, bias=False),
                       nn.BatchNorm1d(PACGAN_G_WIDTH, momentum=PACGAN_BN_MOMENTUM), nn.ReLU()]
            n_in = PACGAN_G_WIDTH
        layers.append(nn.Linear(n_in, out_dim))
        self.net = nn.Sequential(*layers)
        pacgan_init(self.net)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)  # (N, latent_dim) -> (N, 2)


class PacGANDiscriminator(nn.Module):
    """A pack of m points (2 m coordinates, member 0's first) -> 3 maxout layers -> one score
    per pack, each member getting its pack's score (packing.score)."""

    def __init__(self, in_dim: int = 2, pack: int = 1):
        super().__init__()
        self.pack = pack
        layers: list[nn.Module] = []
        n_in = in_dim * pack
        for _ in range(PACGAN_D_DEPTH):
            layers.append(Maxout(n_in, PACGAN_D_WIDTH, PACGAN_PIECES))
            n_in = PACGAN_D_WIDTH
        layers.append(nn.Linear(n_in, 1))
        self.net = nn.Sequential(*layers)
        pacgan_init(self.net)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (N, 2) -> (N,) raw score; packs (N/m, 2m) inside
        return score(lambda h: self.net(h).squeeze(-1), x, self.pack, self.training)


def pacgan_init(net: nn.Module) -> None:
    """PacGAN's init: linear weights from N(0, 0.02), biases 0 (batch norm: scale 1, shift 0,
    torch's own)."""
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, PACGAN_INIT_STD)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def metz_init(net: nn.Module) -> None:
    """Unrolled GAN's init: orthogonal weights with gain 1.4, biases 0 (slim's default)."""
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.orthogonal_(m.weight, gain=METZ_GAIN)
            nn.init.zeros_(m.bias)
