"""The tables page's link codec: `table=veegan-table1` (which stored table; the registry's ids)
and `present=1` (presenter mode). Reading never raises: a bad table is dropped with a warning and
the first kept; other pages' parameters pass unread.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from playground.paper_tables import TABLES
from playground.ui.urlstate.common import is_on, last_values, one_of

IDS = tuple(TABLES.ids())


@dataclass(frozen=True)
class Link:
    present: bool = False
    table: str = IDS[0]
    warnings: tuple[str, ...] = ()


def encode(link: Link) -> dict[str, str]:
    """Query parameters that `decode` reads back into `link` (its warnings aside)."""
    out = {"present": "1" if link.present else None,
           "table": link.table if link.table != IDS[0] else None}
    return {k: v for k, v in out.items() if v is not None}


def decode(params: Mapping[str, str | list[str]]) -> Link:
    q, warnings = last_values({k: v for k, v in params.items() if k in ("present", "table")})
    table = one_of(q, "table", IDS, "tables", warnings)
    return Link(is_on(q.get("present")), table, tuple(warnings))
