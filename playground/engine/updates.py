"""The one D update and the engine's G update, with every remedy at its fixed point.

`d_objective` is D's loss plus every weighted penalty (gradient penalty, R1) on one batch;
`d_step` adds DiffAugment and instance noise before and weight clipping after the optimiser
step, and `g_step` puts G's fakes through the same DiffAugment and noise before D. The engine
(`run.py`) and the theory page's fitter (`theory/fit.py`) call `d_step`; the batched lockstep
(`batched.py`) stacks K members' weights and steps them with its own optimiser, so it calls
`d_objective` per member. `g_step` is the engine's alone: the theory game moves a number theta,
the batched path a stacked leaf, and neither has noise or an unrolled D.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
from torch import nn

from playground.conditioning import critic
from playground.config import RunConfig
from playground.diffaug import augment
from playground.infogan import info_loss
from playground.losses import LossSpec
from playground.remedies import PENALTIES, add_instance_noise, clip_weights
from playground.unrolled import unrolled_scores

Critic = Callable[[torch.Tensor], torch.Tensor]  # x (N, ...) -> raw scores (N,)


@dataclass(frozen=True)
class Info:
    """InfoGAN's term on one batch of fakes: the codes they were drawn from (B, n_cat +
    n_cont), the categorical code's size, and the weight lambda of L_I (infogan.info_loss)."""
    codes: torch.Tensor
    n_cat: int
    weight: float

    def loss(self, q_out: torch.Tensor) -> torch.Tensor:
        return self.weight * info_loss(q_out, self.codes, self.n_cat)


def d_objective(loss: LossSpec, D: Critic | None, real: torch.Tensor, fake: torch.Tensor,
                weights: Mapping[str, float], gen: torch.Generator | None,
                scores: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(d_loss, total) for B real and B fake inputs (fake detached): d_loss is the loss's D
    objective, total = d_loss + sum of weight * penalty over PENALTIES whose weight (a RunConfig
    field name in `weights`, e.g. gp_lambda) is > 0. `scores`: D's (2B,) scores of
    cat([real, fake]) when the caller has them (the batched path); else one forward here."""
    if scores is None:
        scores = D(torch.cat([real, fake]))  # one forward for both halves: (2B,)
    B = len(real)
    d_loss = loss.d_loss(real=scores[:B], fake=scores[B:])
    total = d_loss
    for weight_field, penalty in PENALTIES.items():
        weight = weights.get(weight_field, 0.0)
        if weight > 0:
            total = total + weight * penalty(D, real, fake, gen)
    return d_loss, total


def d_step(D: nn.Module, opt: torch.optim.Optimizer, loss: LossSpec, real: torch.Tensor,
           fake: torch.Tensor, *, weights: Mapping[str, float], gen: torch.Generator,
           sigma: float = 0.0, clip_c: float = 0.0, diffaug: str = "",
           y_real: torch.Tensor | None = None,
           y_fake: torch.Tensor | None = None, info: Info | None = None) -> torch.Tensor:
    """One D update: DiffAugment policy `diffaug` on both halves, each image its own draw,
    then instance noise of std `sigma` (all from `gen`, real before fake), `d_objective` (its
    penalties on the augmented inputs, as R1 in Karras et al. 2020), the optimiser step, then
    weight clipping to [-clip_c, clip_c] when > 0 (Arjovsky et al. 2017, Alg. 1). Returns
    d_loss (detached, without the penalties).

    A conditional D (`y_real`, `y_fake` given) scores each half with its own labels; its
    penalties see the real labels: R1's samples are the reals, and the gradient penalty's
    interpolates eps real + (1 - eps) fake take the labels of their real end (a fake's label
    is drawn apart from it, so no interpolate has one label at both ends).

    `info` (an InfoGAN run): Q reads the fake half through D's body in the same pass, and
    info.weight * L_I joins D's total, so D's optimiser trains Q's head and the shared body
    (openai/InfoGAN subtracts the MI estimate from discriminator_loss, Q's variables among
    D's). The returned d_loss leaves it out, as it leaves out the penalties."""
    real = add_instance_noise(augment(real, diffaug, gen), sigma, gen)
    fake = add_instance_noise(augment(fake.detach(), diffaug, gen), sigma, gen)
    if info is not None:
        scores, q_out = D.with_q(torch.cat([real, fake]))  # (2B,), (2B, n_cat + n_cont)
        d_loss, total = d_objective(loss, D, real, fake, weights, gen, scores=scores)
        total = total + info.loss(q_out[len(real):])
    elif y_real is None:
        d_loss, total = d_objective(loss, D, real, fake, weights, gen)
    else:
        scores = D(torch.cat([real, fake]), torch.cat([y_real, y_fake]))  # (2B,)
        d_loss, total = d_objective(loss, critic(D, y_real), real, fake, weights, gen,
                                    scores=scores)
    opt.zero_grad(set_to_none=True)
    total.backward()
    opt.step()
    if clip_c > 0:
        clip_weights(D, clip_c)
    return d_loss.detach()


def g_step(G: nn.Module, D: nn.Module, opt_g: torch.optim.Optimizer, loss: LossSpec,
           fake: torch.Tensor, *, gen: torch.Generator, sigma: float = 0.0,
           opt_d: torch.optim.Optimizer | None = None,
           unroll: list[tuple[torch.Tensor, torch.Tensor]] = (),
           diffaug: str = "", y_fake: torch.Tensor | None = None,
           info: Info | None = None) -> torch.Tensor:
    """One G update on `fake` = G(z) (with its graph; G(z, y_fake), scored by D(., y_fake), in
    a conditional run): DiffAugment policy `diffaug` (the gradient flows back through it to
    G), instance noise of std `sigma`, D's scores (after
    len(unroll) look-ahead D steps on those (real, fake) batches, augmented alike, when given,
    Metz et al. 2017), the loss's G objective, G's optimiser step. Returns g_loss (detached).
    `info` (an InfoGAN run): info.weight * L_I of Q's reading of these fakes joins G's
    objective (the paper's min over G and Q of V - lambda L_I, Sec. 5); only G steps here,
    and the returned g_loss leaves it out."""
    fake_in = add_instance_noise(augment(fake, diffaug, gen), sigma, gen)
    if diffaug:  # D's look-ahead trains on what D trains on: augmented reals and fakes
        unroll = [(augment(r, diffaug, gen), augment(f, diffaug, gen)) for r, f in unroll]
    if unroll:
        scores = unrolled_scores(D, opt_d, loss.d_loss, len(unroll), unroll, fake_in)
    elif info is not None:
        scores, q_out = D.with_q(fake_in)
    else:
        scores = critic(D, y_fake)(fake_in)
    g_loss = loss.g_loss(fake=scores)
    total = g_loss if info is None else g_loss + info.loss(q_out)
    params = list(G.parameters())
    # Gradients for G only: D's weight gradients are never formed in a G step.
    for p, grad in zip(params, torch.autograd.grad(total, params), strict=True):
        p.grad = grad
    opt_g.step()
    return g_loss.detach()


def penalty_weights(cfg: RunConfig) -> dict[str, float]:
    """A config's PENALTIES weights, by field name (what `d_objective` reads)."""
    return {field: getattr(cfg, field) for field in PENALTIES}
