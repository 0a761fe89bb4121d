"""Every page opened in real Chromium with every shipped id and with garbage links: each shows
its page or a notice, never a traceback, and the server goes quiet.

The rehearsal's P2: `/?shipped=dcgan_mnist` reran the 2D lab forever (the sidebar drawn ~950
times, Chromium at 4.2 GB and 100 % CPU, the server busy for as long as the tab was open).
The signal that a page has settled: Streamlit sends a `new_session` message at the start of
every full script run (fragment timer runs send none), so a page that reruns forever never
has a quiet spell. Counted from the websocket frames the browser receives, decoded with
Streamlit's own protobuf, it does not depend on how busy the machine is.
"""
import os
import time
from urllib.parse import urlencode

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from playground.store import pretrained
from playground.ui.pages import PAGES
from tools import browser

APP = os.environ.get("PLAYGROUND_E2E_APP", "app.py")
QUIET_S = 2.0  # a settled page starts no full run for this long (a loop starts ~3.5 a second)
SETTLE_S = 30.0  # ... within this long after it appeared (the theory page reruns as tasks end)
MAX_RUNS = 8  # full runs one link may take: its first, the link's rewrite, tasks ending
SMALL = {"width": "16", "depth": "1", "batch_size": "32", "n_fixed": "64", "grid_res": "20"}
GARBAGE = [
    {"shipped": "nope", "preset": "\u2603", "seed": "nan", "lr_d": "1e400", "width": "9" * 30,
     "speed": "\u00b9", "compare": "\u2603", "runs": "ns,\u2603", "hide": "\u2603"},
    [("shipped", "r1_ring"), ("shipped", "dcgan_mnist"), ("seed", "1"), ("seed", "-1"),
     ("arch", "dcgan"), ("loss", ""), ("compare", "nope")],
]
MAIN = "h1, [data-testid='stAlert']"  # the page's title or a notice


class Runs:
    """Full script runs the server started for the open page (from its websocket)."""

    def __init__(self, page):
        self.times: list[float] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:  # not a ForwardMsg (never seen); not a run either
            return
        if msg.WhichOneof("type") == "new_session":
            self.times.append(time.monotonic())

    def quiet_for(self, seconds: float) -> bool:
        last = self.times[-1] if self.times else 0.0
        return time.monotonic() - last >= seconds


def shows(page, runs: Runs, start: int, timeout: float = 60.0) -> bool:
    """Whether the page shows its title or a notice within `timeout` s (given up early when
    the server has started a dozen runs for it: a loop, which the blank 2D lab was)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and len(runs.times) - start < 12:
        page.wait_for_timeout(100)
        if page.locator(MAIN).count():
            return True
    return False


def settles(page, runs: Runs) -> bool:
    """Whether the open page has a quiet spell within SETTLE_S (Playwright delivers the
    websocket events while it waits, so the wait is Playwright's)."""
    end = time.monotonic() + SETTLE_S
    while time.monotonic() < end:
        page.wait_for_timeout(100)
        if runs.quiet_for(QUIET_S):
            return True
    return False


def links() -> list[tuple[str, str]]:
    """(page path, query string): every page with every shipped id, then garbage."""
    out = []
    for name, _, _ in PAGES:
        for id_ in pretrained.read_manifest().ids():
            out.append((name, urlencode({"shipped": id_, **SMALL})))
    for params in GARBAGE:
        for name in ("lab2d", "mnist", "compare"):  # the pages that read links
            out.append((name, urlencode(params)))
    return out


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_and_link_settles_without_a_traceback(tmp_path, chromium):
    log = tmp_path / "server.log"
    problems = []
    began = time.monotonic()
    with browser.streamlit_server(APP, log=log) as url, browser.chromium_page(1280, 800) as page:
        runs = Runs(page)
        for name, query in links():
            start, t0 = len(runs.times), time.monotonic()
            page.goto(f"{url}/{'' if name == PAGES[0][0] else name}?{query}")  # first: "/"
            if not shows(page, runs, start):
                problems.append(f"/{name}?{query}: neither the page nor a notice "
                                f"({len(runs.times) - start} full runs)")
                continue
            if not settles(page, runs) or len(runs.times) - start > MAX_RUNS:
                problems.append(f"/{name}?{query}: {len(runs.times) - start} full runs "
                                f"(a quiet spell of {QUIET_S} s within {SETTLE_S:.0f} s?)")
            if page.locator("[data-testid='stException']").count():
                problems.append(f"/{name}?{query}: an exception element")
            body = page.locator("body").inner_text()
            if "Traceback" in body or "site-packages" in body:
                problems.append(f"/{name}?{query}: a traceback on the page")
            print(f"{time.monotonic() - t0:5.1f} s {len(runs.times) - start} runs /{name}?{query}")
        if problems:
            page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    elapsed = time.monotonic() - began
    assert not problems, "\n".join(problems) + "\n" + log.read_text()[-3000:]
    print(f"{len(links())} links in {elapsed:.0f} s")
