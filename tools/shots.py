"""`python -m tools.shots`: screenshots of the live page for the README.

Opens the app in headless Chromium at a link (a preset and settings) in a window of the given
size, trains until the page shows a given step, optionally presses the preset's cure and trains
on, pauses, and saves what the window shows (a projector shows no more). Steps rather than
seconds, so the picture is the same however busy the machine is.

`python -m tools.shots presenter [FOLDER]`: every page's first screen in presenter
mode at 1280 x 800, saved as FOLDER/present-1280-<page>.png (default docs/), with what
`firstscreen.problems` finds on them.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tools import browser


def _train_to(page, steps: int, timeout: float) -> None:
    if not browser.wait_until(lambda: (browser.shown_step(page) or 0) >= steps, timeout):
        raise RuntimeError(f"the page did not reach step {steps} within {timeout:.0f} s")


def screenshot(url_query: str, steps: int, out: Path, app: str = "app.py",
               size: tuple[int, int] = (1280, 800), cure_steps: int = 0,
               timeout: float = 900, path: str = "") -> int:
    """Train to at least `steps` (then `cure_steps` more after the preset's cure) on the page
    at `path` opened with `?url_query`; save the window; return the shown step."""
    with browser.streamlit_server(app) as url, browser.chromium_page(*size) as page:
        page.goto(f"{url}/{path}?{url_query}")
        browser.wait_for_chart(page)
        page.get_by_role("button", name="Train", exact=True).click()
        _train_to(page, steps, timeout)
        if cure_steps:
            page.get_by_role("button", name="Cure", exact=False).click()
            _train_to(page, steps + cure_steps, timeout)
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
        page.mouse.move(0, size[1] - 1)  # no tooltip over the picture
        time.sleep(2.5)  # the last frame and the metrics of the paused state
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        return browser.shown_step(page) or 0


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["presenter"]:  # every page's first screen in presenter mode, for docs/
        from tools import firstscreen
        out = argv[1] if len(argv) > 1 else "docs"
        for line in firstscreen.shoot_all(out) or ["no key figure off screen, no cut label"]:
            print(line)
        print(f"wrote {out}/present-1280-<page>.png for {len(firstscreen.SCREENS)} pages")
        return
    p = argparse.ArgumentParser(prog="python -m tools.shots", description=__doc__)
    p.add_argument("--query", default="preset=collapse&present=1",
                   help="the link's query string")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--cure-steps", type=int, default=0,
                   help="press the preset's cure at --steps and train this many more")
    p.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    p.add_argument("--out", default="docs/present-1280-collapse.png")
    p.add_argument("--app", default="app.py")
    p.add_argument("--page", default="", help="the page's path, e.g. mnist (default: 2D lab)")
    args = p.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    step = screenshot(args.query, args.steps, Path(args.out), args.app, (w, h),
                      args.cure_steps, path=args.page)
    print(f"wrote {args.out} at step {step}")


if __name__ == "__main__":
    main()
