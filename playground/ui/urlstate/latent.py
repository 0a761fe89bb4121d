"""The latent explorer's link codec: `present=1` (presenter mode), `seed=N` (the picker's batch
seed), `shipped=ID` (a shipped digit generator), `picks=3,9,1` (the picked samples, oldest
first; `none`: all cleared), `tab=sweep` (the open tab) and `path=lerp` (the interpolation's
path). Reading never raises: each bad or unknown parameter is dropped with a warning and its
default kept; writing leaves out what is at its default, so the plain page has a bare link.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from playground.data.datasets import kind_of
from playground.store import pretrained
from playground.ui.urlstate.common import is_on, last_values, one_of, whole
from playground.ui.urlstate.lab import KIND_NAMES, PAGE_OF_KIND

PARAMS = ("present", "seed", "shipped", "picks", "tab", "path")
SEED_MAX = 2**31 - 1  # numpy's default_rng takes any non-negative int; links stay readable
BATCH = 32  # samples in the picker's batch: a pick is an index into it
# The tabs' link ids, in the page's order (latent_tabs.TABS: a test holds the two in step).
TABS = ("interpolate", "grid", "sweep", "arithmetic", "directions", "nearest", "classes",
        "codes")
PATHS = ("slerp", "lerp")  # the interpolation's path, its default first
NO_PICKS = "none"  # every pick cleared (an empty value would read as a missing one)


@dataclass(frozen=True)
class Link:
    present: bool = False
    seed: int = 0
    shipped: str | None = None  # id of a shipped image run (None: the default shipped DCGAN)
    picks: tuple[int, ...] | None = None  # indices into the batch (None: its opening pair)
    tab: str = TABS[0]
    path: str = PATHS[0]
    warnings: tuple[str, ...] = ()


def encode(link: Link) -> dict[str, str]:
    """Query parameters that `decode` reads back into `link` (its warnings aside)."""
    out = {"present": "1" if link.present else None,
           "seed": str(link.seed) if link.seed else None, "shipped": link.shipped,
           "picks": None if link.picks is None else ",".join(map(str, link.picks)) or NO_PICKS,
           "tab": link.tab if link.tab != TABS[0] else None,
           "path": link.path if link.path != PATHS[0] else None}
    return {k: v for k, v in out.items() if v is not None}


def decode(params: Mapping[str, str | list[str]]) -> Link:
    """The link's state; a repeated parameter counts once, by its last value (as on the labs)."""
    q, warnings = last_values(params)
    seed = 0
    if "seed" in q:
        seed = whole(q["seed"], SEED_MAX)
        if seed is None:
            warnings.append(f"Ignored link parameter seed={q['seed'][:40]!r}: the batch seed "
                            f"is an integer from 0 to {SEED_MAX}.")
            seed = 0
    shipped = _shipped(q.get("shipped"), warnings)
    picks = _picks(q["picks"], warnings) if "picks" in q else None
    tab = one_of(q, "tab", TABS, "tabs", warnings)
    path = one_of(q, "path", PATHS, "paths", warnings)
    unknown = sorted(k for k in q if k not in PARAMS)
    if unknown:
        warnings.append(f"Ignored link parameter(s) {', '.join(map(repr, unknown))}: this page "
                        f"reads {', '.join(PARAMS)}.")
    return Link(is_on(q.get("present")), seed, shipped, picks, tab, path, tuple(warnings))


def _picks(text: str, warnings: list[str]) -> tuple[int, ...] | None:
    """`3,9,1` -> (3, 9, 1), each once; any bad index drops them all (a partial set of picks
    would interpolate between other digits than the link's)."""
    if text == NO_PICKS:
        return ()
    parts = [p for p in text.split(",") if p.strip()]
    picks = [whole(p, BATCH - 1) for p in parts]
    if not parts or None in picks:
        warnings.append(f"Ignored link parameter picks={text[:40]!r}: picks are sample numbers "
                        f"from 0 to {BATCH - 1}, separated by commas.")
        return None
    return tuple(dict.fromkeys(picks))


def _shipped(shipped: str | None, warnings: list[str]) -> str | None:
    """A shipped run's id if it is one, of digits; otherwise None and a warning."""
    if shipped is None:
        return None
    try:
        entry = pretrained.read_manifest().get(shipped)
    except ValueError as e:
        warnings.append(f"Ignored link parameter shipped={shipped[:40]!r}: {e}.")
        return None
    kind = kind_of(entry.config().dataset)
    if kind != "image":
        warnings.append(f"Ignored link parameter shipped={shipped!r}: it is a run on "
                        f"{KIND_NAMES[kind]}; open it in the {PAGE_OF_KIND[kind]}.")
        return None
    return shipped
