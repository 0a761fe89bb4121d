"""`python -m playground presets`: every preset id with what to look for in it."""
from __future__ import annotations

import argparse

from playground.cli import command


def _presets(args: argparse.Namespace) -> None:
    from playground.presets import PRESETS
    width = max(len(i) for i in PRESETS.ids())
    for id_, p in PRESETS.items():
        tag = " [demo]" if p.demo else ""
        print(f"{id_:<{width}}  {p.caption}{tag}")


command("presets", "list preset ids with what to look for", lambda p: None, _presets)
