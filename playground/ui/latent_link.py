"""The latent explorer's opening link: `present=1` (presenter mode), `seed=N` (the picker's batch
seed) and `shipped=ID` (a shipped digit generator). Like the labs' `urlstate`, reading never
raises: each bad or unknown parameter is dropped with a warning and its default kept.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from playground.data.datasets import kind_of
from playground.store import pretrained
from playground.ui.urlstate import KIND_NAMES, PAGE_OF_KIND

PARAMS = ("present", "seed", "shipped")
SEED_MAX = 2**31 - 1  # numpy's default_rng takes any non-negative int; links stay readable


@dataclass(frozen=True)
class Link:
    present: bool = False
    seed: int = 0
    shipped: str | None = None  # id of a shipped image run (None: the default shipped DCGAN)
    warnings: tuple[str, ...] = ()


def read(params: Mapping[str, str | list[str]]) -> Link:
    """The link's state; a repeated parameter counts once, by its last value (as on the labs)."""
    warnings: list[str] = []
    for name, value in params.items():
        if isinstance(value, list) and len(set(value)) > 1:
            warnings.append(f"The link sets {name} {len(value)} times ({', '.join(value)}); "
                            f"using the last one, {value[-1]!r}.")
    q = {k: str(v[-1] if isinstance(v, list) else v) for k, v in params.items()}
    present = q.get("present", "0").lower() in ("1", "true", "yes", "on")
    seed = 0
    if "seed" in q:
        text = q["seed"].strip()
        if text.isascii() and text.isdigit() and int(text) <= SEED_MAX:
            seed = int(text)
        else:
            warnings.append(f"Ignored link parameter seed={text[:40]!r}: the batch seed is an "
                            f"integer from 0 to {SEED_MAX}.")
    shipped = q.get("shipped")
    if shipped is not None:
        try:
            entry = pretrained.read_manifest().get(shipped)
        except ValueError as e:
            warnings.append(f"Ignored link parameter shipped={shipped[:40]!r}: {e}.")
            shipped = None
        else:
            kind = kind_of(entry.config().dataset)
            if kind != "image":
                warnings.append(f"Ignored link parameter shipped={shipped!r}: it is a run on "
                                f"{KIND_NAMES[kind]}; open it in the {PAGE_OF_KIND[kind]}.")
                shipped = None
    unknown = sorted(k for k in q if k not in PARAMS)
    if unknown:
        warnings.append(f"Ignored link parameter(s) {', '.join(map(repr, unknown))}: this page "
                        f"reads {', '.join(PARAMS)}.")
    return Link(present, seed, shipped, tuple(warnings))
