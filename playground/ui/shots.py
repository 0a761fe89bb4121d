"""`python -m playground.ui.shots`: screenshots of the live page for the README.

Opens the app in headless Chromium at a link (a preset and settings), trains until the page
shows a given step, pauses, and saves a full-page PNG. Steps rather than seconds, so the
picture is the same however busy the machine is.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from . import browser


def screenshot(url_query: str, steps: int, out: Path, app: str = "app.py",
               timeout: float = 900) -> int:
    """Train to at least `steps` on the page opened at `?url_query`; returns the shown step."""
    with browser.streamlit_server(app) as url, browser.chromium_page(1600, 1250) as page:
        page.goto(f"{url}/?{url_query}")
        browser.wait_for_chart(page)
        page.get_by_role("button", name="Train", exact=True).click()
        if not browser.wait_until(lambda: (browser.shown_step(page) or 0) >= steps, timeout):
            raise RuntimeError(f"the page did not reach step {steps} within {timeout:.0f} s")
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
        time.sleep(2.0)  # the last frame and the metrics of the paused state
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        return browser.shown_step(page) or 0


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m playground.ui.shots", description=__doc__)
    p.add_argument("--query", default="preset=collapse", help="the link's query string")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--out", default="docs/lab2d-collapse.png")
    p.add_argument("--app", default="app.py")
    args = p.parse_args(argv)
    step = screenshot(args.query, args.steps, Path(args.out), args.app)
    print(f"wrote {args.out} at step {step}")


if __name__ == "__main__":
    main()
