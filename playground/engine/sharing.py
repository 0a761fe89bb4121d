"""What the runs of a comparison share, worked out from their configs: the data and seed
(required by `Lockstep`), G's and D's starting weights, and the real and z batches they train on.

The rules follow how `Run` builds and trains (tests/engine/test_sharing.py checks them against built
runs, weight for weight and batch for batch):
- G, then D, are initialised from one generator seeded with `seed`. G's weights depend on its
  shape (arch, latent_dim, width, depth); D's on its own shape and on how many numbers G's
  initialisation took first, so a different G also shifts D's starting weights.
- Each step draws n_critic + unroll_steps batches of batch_size from the data stream and as many
  z of shape (batch_size, latent_dim) from the z stream. Runs with one batch_size therefore draw
  one sequence of real batches (and, with one latent_dim, of z); equal n_critic and
  unroll_steps draw it at the same rate, so every step trains on the same batches. At
  different rates the runs walk the same sequence apart: step 1 starts on the same batch, later
  steps start on different ones.
Remedies that draw noise (GP, instance noise) use a third stream, so they never shift these.
"""
from __future__ import annotations

from dataclasses import dataclass

from playground import models
from playground.config import RunConfig, arch_of

# How far the runs' batches agree, from most to least shared.
EVERY_STEP = "every step"  # the same batches at every step
SEQUENCE = "one sequence"  # one sequence of batches, drawn at different rates
NONE = "none"  # different batches from the first


@dataclass(frozen=True)
class Shared:
    start_g: bool  # G's starting weights are equal in every run
    start_d: bool  # D's starting weights are equal in every run
    real: str  # how far the real batches agree: EVERY_STEP | SEQUENCE | NONE
    z: str  # the same for the z batches (which also need one latent_dim)
    draws: tuple[int, ...]  # batches each run draws per step: n_critic + unroll_steps
    g_differs: tuple[str, ...]  # what makes G start differently, e.g. ("latent_dim 2 vs 256",)
    batches_differ: tuple[str, ...]  # what parts the batches, e.g. ("n_critic 1 vs 5",)
    sentence: str  # all of it in one line, for the page and the README


def _differs(name: str, values: list) -> str | None:
    """'n_critic 1 vs 5' (distinct values in run order) if the runs disagree, else None."""
    distinct = list(dict.fromkeys(values))
    return f"{name} {' vs '.join(map(str, distinct))}" if len(distinct) > 1 else None


def _field(cfgs: list[RunConfig], name: str) -> str | None:
    return _differs(name, [getattr(c, name) for c in cfgs])


def _present(*parts: str | None) -> tuple[str, ...]:
    return tuple(p for p in parts if p)


def shared(cfgs: list[RunConfig]) -> Shared:
    """What runs built from `cfgs` (one dataset and seed) have in common."""
    archs = [arch_of(c) for c in cfgs]
    # depth sizes the MLPs only (the DCGAN ignores it); the papers' networks fix their width
    depths = [c.depth if models.MODELS.get(a).uses_depth else None
              for c, a in zip(cfgs, archs, strict=True)]
    widths = [c.width if models.MODELS.get(a).uses_width else None
              for c, a in zip(cfgs, archs, strict=True)]
    g_differs = _present(_differs("arch", archs), _field(cfgs, "latent_dim"),
                         _differs("width", widths), _differs("depth", depths))
    start_g = not g_differs
    start_d = start_g  # D's shape fields are among G's, and D is drawn after G

    draws = tuple(c.n_critic + c.unroll_steps for c in cfgs)
    size, latent = _field(cfgs, "batch_size"), _field(cfgs, "latent_dim")
    rates = _present(_field(cfgs, "n_critic"), _field(cfgs, "unroll_steps"))
    real = NONE if size else SEQUENCE if len(set(draws)) > 1 else EVERY_STEP
    z = NONE if latent else real
    batches_differ = _present(size, *(rates if real == SEQUENCE else ()), latent)
    return Shared(start_g, start_d, real, z, draws, g_differs, batches_differ,
                  _sentence(g_differs, real, z, draws, size, rates, latent))


def _sentence(g_differs: tuple[str, ...], real: str, z: str, draws: tuple[int, ...],
              size: str | None, rates: tuple[str, ...], latent: str | None) -> str:
    """'same data and seed; G and D start differently (latent_dim 2 vs 256; ...); one
    sequence of real batches, drawn 1 vs 5 a step (n_critic 1 vs 5) ...'."""
    # a latent size alone leaves D's shape alone; D starts differently all the same
    after = "; D's initial draws come after G's" if latent and len(g_differs) == 1 else ""
    head = ("same data, seed and starting weights" if not g_differs else
            f"same data and seed; G and D start differently ({', '.join(g_differs)}{after})")
    if real == z == EVERY_STEP:
        return f"{head}; the same batches at every step."
    if real == NONE:
        return f"{head}; different batches from the first ({', '.join(_present(size, latent))})."
    what = "batches" if z == real else "real batches"
    other_z = f", different z ({latent})" if z != real else ""
    if real == EVERY_STEP:
        return f"{head}; the same {what} at every step{other_z}."
    rate, one = " vs ".join(map(str, dict.fromkeys(draws))), what.removesuffix("es")
    return (f"{head}; one sequence of {what}, drawn {rate} a step ({', '.join(rates)})"
            f"{other_z}: step 1 starts on the same {one}, later steps on different ones.")
