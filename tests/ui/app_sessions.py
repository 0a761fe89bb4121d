"""The AppTest sessions a test opens, each closed at the end so no worker job outlives its test.

`opener(source, close_key, defaults)` is what the app fixtures yield: call it (optionally with
query params, or another page function) and get the page run once; at teardown every session's
live handle stored under `close_key` (a trainer or a comparer) is closed.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from streamlit.testing.v1 import AppTest


@contextmanager
def opener(source: Callable | str, close_key: str, defaults: dict | None = None,
           timeout: float = 120) -> Iterator[Callable[..., AppTest]]:
    made: list[AppTest] = []

    def make(params: dict | None = None, app: Callable | str | None = None) -> AppTest:
        page = app or source
        at = (AppTest.from_file(page, default_timeout=timeout) if isinstance(page, str)
              else AppTest.from_function(page, default_timeout=timeout))
        at.query_params.update(params if params is not None else (defaults or {}))
        made.append(at)
        return at.run()

    yield make
    for at in made:
        handle = at.session_state[close_key] if close_key in at.session_state else None
        if handle is not None:
            handle.close()


def host_info(live, key: str):
    """What the host training `live` (a lab trainer or a comparer) reports under `key`, once it
    has a host and that host has reported: started for the look, paused after."""
    live.start()  # the host it trains on gets the speed
    try:
        end = time.monotonic() + 60
        while (live._host is None or key not in live._host.link.info) and time.monotonic() < end:
            time.sleep(0.02)
        return live._host.link.info[key]
    finally:
        live.pause()
