"""Every page in presenter mode (`?present=1`) at 1280x800 in real headless Chromium, as a
projector shows it: the key figure (the labs' picture, the compare page's side-by-side, the
theory page's closed forms, the latent explorer's picker and strip, the tables page's first
chart) lies wholly inside the first screen and is large, and no caption, tile, metric, button
or tab label is cut by its box. One server for the module; seven pages load at once (a load
is mostly waiting), then the follower of the 2D lab tab's run.

Each page's screenshot goes to out/present-1280-<page>.png, or to $PLAYGROUND_SHOTS (e.g.
`PLAYGROUND_SHOTS=docs`) for the docs; `python -m tools.shots presenter` does the same.
"""
import os
from pathlib import Path

import pytest

from tools import browser, firstscreen
from tools.firstscreen import NORMAL_SCREENS, SCREENS

ROOT = Path(__file__).resolve().parents[2]
APP = os.environ.get("PLAYGROUND_E2E_APP", "app.py")
SHOTS = ROOT / os.environ.get("PLAYGROUND_SHOTS", "out")
MS = 1000


@pytest.fixture(scope="module")
def tabs(tmp_path_factory):
    """{screen name: its playwright page, "log": the server log}, all opening at once."""
    if not Path(browser.CHROMIUM).exists():
        if os.environ.get("PLAYGROUND_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {browser.CHROMIUM}")
        pytest.skip(f"Chromium not found at {browser.CHROMIUM}")
    from playwright.sync_api import sync_playwright

    log = tmp_path_factory.mktemp("presenter") / "server.log"
    with browser.streamlit_server(APP, log=log) as url, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser.CHROMIUM,
                                     args=browser.CHROMIUM_ARGS)
        try:
            yield {**firstscreen.open_all(chromium, url), "log": log, "url": url,
                   "chromium": chromium}
        finally:
            chromium.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_presenter_mode_fits_the_first_screen(tabs, screen):
    if screen.name == "follower":  # of the 2D lab tab's run, published with its page
        tabs["follower"] = firstscreen.open_follower(tabs["chromium"], tabs["url"],
                                                     tabs["lab2d"])
    page = tabs[screen.name]
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        boxes = firstscreen.wait_ready(page, screen)
    except RuntimeError as e:
        page.screenshot(path=str(SHOTS / f"present-1280-{screen.name}-timeout.png"))
        raise AssertionError(f"{e}\n{tabs['log'].read_text()[-2000:]}") from None
    page.mouse.move(0, firstscreen.SIZE[1] - 1)  # no hover label over the picture
    page.screenshot(path=str(SHOTS / f"present-1280-{screen.name}.png"))
    if screen.name == "follower":  # the run it follows is paused: where, and no rate
        head = page.locator(".pg-head").first.inner_text()
        assert "paused at step 0" in head and "/s" not in head, head
    cut = page.evaluate(firstscreen.OVERFLOW_JS) + firstscreen.cut_in_tabs(page)
    found = firstscreen.problems(boxes, cut, screen)
    assert found == [], "\n".join(found)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("screen", NORMAL_SCREENS, ids=[s.name for s in NORMAL_SCREENS])
def test_out_of_presenter_mode_no_label_is_cut(tabs, screen):
    """The same check at 1280x800 in normal mode, on shipped (evaluated) runs: the notes under
    the tiles were cut there ('HQ says how tig…', '…do not yet look r…')."""
    page = tabs["chromium"].new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(firstscreen.url_of(tabs["url"], screen), wait_until="commit")
        firstscreen.wait_ready(page, screen)
        if screen.query.startswith("shipped="):  # its evaluation's tiles and notes
            assert browser.wait_until(lambda: page.locator(".pg-note").count() > 0, 120)
        page.screenshot(path=str(SHOTS / f"normal-1280-{screen.name}.png"))
        cut = page.evaluate(firstscreen.OVERFLOW_JS) + firstscreen.cut_in_tabs(page)
        assert cut == [], "\n".join(firstscreen.problems({}, cut, screen))
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_cut_label_probe_sees_a_cut_label(tabs):
    """The probe is not vacuous: a caption squeezed into 60 px is reported, and only it."""
    page = tabs["compare"]
    firstscreen.wait_ready(page, next(s for s in SCREENS if s.name == "compare"))
    before = page.evaluate(firstscreen.OVERFLOW_JS)
    page.evaluate("""() => {
      const p = document.createElement('p');
      p.id = 'pg-probe';
      p.style.cssText = 'width:60px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis';
      p.textContent = 'a caption far wider than its box';
      document.querySelector('[data-testid="stCaptionContainer"]').appendChild(p);
    }""")
    try:
        after = page.evaluate(firstscreen.OVERFLOW_JS)
    finally:
        page.evaluate("() => document.getElementById('pg-probe').remove()")
    added = [c for c in after if c not in before]
    assert [c["text"] for c in added] == ["a caption far wider than its box"]
    assert added[0]["client"] == 60 and added[0]["scroll"] > 150
