"""What every page's link codec shares: how a repeated parameter is read, and what counts as "on".
"""
from __future__ import annotations

from collections.abc import Mapping

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
