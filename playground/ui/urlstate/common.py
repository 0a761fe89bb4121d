"""What every page's link codec shares: how a repeated parameter is read, and what counts as "on".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from playground.speeds import DEFAULT_SPEED, SPEEDS

ON = ("1", "true", "yes", "on")


def last_values(params: Mapping[str, str | list[str]]) -> tuple[dict[str, str], list[str]]:
    """One value per parameter: a repeated one (`?preset=collapse&preset=r1`) counts by its last
    value, with a warning when its values differ."""
    warnings: list[str] = []
    for name, value in params.items():
        if isinstance(value, list) and len(set(value)) > 1:
            warnings.append(f"The link sets {name} {len(value)} times ({', '.join(value)}); "
                            f"using the last one, {value[-1]!r}.")
    return {k: str(v[-1] if isinstance(v, list) else v) for k, v in params.items()}, warnings


def is_on(text: str | None) -> bool:
    """A flag's value: 1, true, yes or on (any case) is on; anything else is off."""
    return (text or "0").lower() in ON


def whole(text: str, hi: int) -> int | None:
    """A whole number from 0 to `hi` in ASCII digits, or None ('¹'.isdigit() is true too)."""
    text = text.strip()
    if text.isascii() and text.isdigit() and int(text) <= hi:
        return int(text)
    return None


def speed_of(q: Mapping[str, str], warnings: list[str]) -> str:
    """`speed=` of a live page (labs, compare): a row id of `speeds.SPEEDS`, any case; absent
    or bad, the class pace (a bad one adds a warning naming the valid ids)."""
    text = q.get("speed", DEFAULT_SPEED)
    if text.strip().lower() in SPEEDS:
        return text.strip().lower()
    warnings.append(f"Ignored link parameter speed={text[:40]!r}: valid speeds are "
                    f"{', '.join(SPEEDS.ids())} (full = no cap, k = k steps per picture); "
                    f"training goes at the class pace, {SPEEDS.get(DEFAULT_SPEED).label}.")
    return DEFAULT_SPEED


def one_of(q: Mapping[str, str], name: str, valid: Sequence[str], what: str,
           warnings: list[str]) -> str:
    """`q[name]` if it is one of `valid`; otherwise (absent or bad) `valid[0]`, the default, and
    a bad value adds a warning that names the `what` there are."""
    text = q.get(name, valid[0])
    if text in valid:
        return text
    warnings.append(f"Ignored link parameter {name}={text[:40]!r}: the {what} are "
                    f"{', '.join(valid)}.")
    return valid[0]
