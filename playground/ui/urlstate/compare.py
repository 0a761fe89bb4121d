"""The compare page's link codec: `compare=ns_vs_r1` (a comparison preset) or `runs=ns,r1` (2 to
4 presets side by side), with `dataset=grid` (2D comparisons), `seed=3`, `present=1` and
`speed=full` (the labs' speeds, `playground.speeds`; the class pace by default). Reading
never raises: each bad parameter is dropped with a warning and its default kept.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from playground.comparisons import COMPARISONS
from playground.data import datasets
from playground.presets import PRESETS
from playground.speeds import DEFAULT_SPEED
from playground.ui.urlstate.common import is_on, last_values, speed_of, whole

CUSTOM = "custom"  # the comparison id of a link's own runs
DEFAULT = "ns_vs_r1"
SEED_MAX = 2**31 - 1  # the seed control's range
RUNS = (2, 4)  # how many presets a custom comparison puts side by side


@dataclass(frozen=True)
class Link:
    comparison: str = DEFAULT  # a comparison id, or CUSTOM
    runs: tuple[str, ...] = ()  # CUSTOM's presets
    dataset: str = ""  # "" : the comparison's own dataset
    seed: int = 0
    present: bool = False
    warnings: tuple[str, ...] = ()
    speed: str = DEFAULT_SPEED  # a row id of speeds.SPEEDS


def encode(link: Link) -> dict[str, str]:
    """Query parameters that `decode` reads back into `link` (its warnings aside). The
    comparison is always named (`compare=ns_vs_r1` too), as the page always wrote it."""
    out = ({"runs": ",".join(link.runs)} if link.comparison == CUSTOM
           else {"compare": link.comparison})
    out.update({k: str(v) for k, v in (("dataset", link.dataset), ("seed", link.seed),
                                       ("present", 1 if link.present else None),
                                       ("speed", link.speed if link.speed != DEFAULT_SPEED
                                        else None)) if v})
    return out


def decode(params: Mapping[str, str | list[str]]) -> Link:
    """The link's state; a repeated parameter counts once, by its last value (as on the labs)."""
    q, warnings = last_values(params)
    comparison, runs = DEFAULT, ()
    if "runs" in q:
        named = [r for r in q["runs"].split(",") if r]
        bad = [r for r in named if r not in PRESETS]
        if bad or not RUNS[0] <= len(named) <= RUNS[1]:
            warnings.append(f"Ignored runs={q['runs']!r}: name 2 to 4 presets "
                            f"(unknown: {', '.join(bad) or 'none'}).")
        else:
            comparison, runs = CUSTOM, tuple(named)
    elif "compare" in q:
        if q["compare"] in COMPARISONS:
            comparison = q["compare"]
        else:
            warnings.append(f"Unknown comparison {q['compare']!r}; valid: "
                            f"{', '.join(COMPARISONS.ids())}.")
    dataset = q.get("dataset", "")
    if dataset and dataset not in datasets.DATASETS:
        warnings.append(f"Unknown dataset {dataset!r}.")
        dataset = ""
    seed = whole(q["seed"], SEED_MAX) if "seed" in q else 0
    if seed is None:
        warnings.append(f"Ignored seed={q['seed'][:40]!r}: not an integer from 0 to {SEED_MAX}.")
        seed = 0
    speed = speed_of(q, warnings)
    return Link(comparison, runs, dataset, seed, is_on(q.get("present")), tuple(warnings), speed)
