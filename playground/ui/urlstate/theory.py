"""The theory page's link codec: `present=1` (presenter mode) and `tab=saturation` (the open
section: lines, saturation or em). Reading never raises: a bad tab is dropped with a warning and
the first section kept; other pages' parameters are no concern of this page and pass unread.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from playground.ui.urlstate.common import is_on, last_values, one_of

# The sections' link ids, in the page's order (theory_tabs.TABS: a test holds the two in step).
TABS = ("lines", "saturation", "em")


@dataclass(frozen=True)
class Link:
    present: bool = False
    tab: str = TABS[0]
    warnings: tuple[str, ...] = ()


def encode(link: Link) -> dict[str, str]:
    """Query parameters that `decode` reads back into `link` (its warnings aside)."""
    out = {"present": "1" if link.present else None,
           "tab": link.tab if link.tab != TABS[0] else None}
    return {k: v for k, v in out.items() if v is not None}


def decode(params: Mapping[str, str | list[str]]) -> Link:
    q, warnings = last_values({k: v for k, v in params.items() if k in ("present", "tab")})
    tab = one_of(q, "tab", TABS, "sections", warnings)
    return Link(is_on(q.get("present")), tab, tuple(warnings))
