"""End to end in real headless Chromium: `streamlit run app.py`, press Train, watch the
picture update, press Pause, and check the step counter advanced and then stopped."""
import os
import time
from pathlib import Path

import pytest

from tools import browser

ROOT = Path(__file__).resolve().parents[2]
# CI runs app.py; a checkout may point this at another entry script that renders the page.
APP = os.environ.get("PLAYGROUND_E2E_APP", "app.py")
SHOT = ROOT / "out" / "e2e-lab2d.png"


@pytest.mark.browser
@pytest.mark.slow
def test_train_updates_the_picture_and_pause_stops_it(tmp_path, chromium):
    query = "?width=32&depth=2&batch_size=64"  # small: quick steps on a shared CI box
    with browser.streamlit_server(APP, log=tmp_path / "server.log") as url, \
            browser.chromium_page() as page:
        page.goto(url + query)
        browser.wait_for_chart(page)
        assert page.get_by_text("2D GAN lab").count() > 0
        page.evaluate(browser.FRAME_PROBE)
        assert page.evaluate(browser.TAG_CHART_JS)
        top = page.evaluate(PICTURE_TOP_JS)
        page.get_by_role("button", name="Train", exact=True).click()
        updated = browser.wait_until(lambda: len(browser.frames(page)) >= 3, timeout=120)
        assert updated, (tmp_path / "server.log").read_text()[-2000:]
        steps = [s for _, s in browser.frames(page)]
        assert steps[-1] > steps[0] and steps == sorted(steps)  # advancing, in order
        page.get_by_role("button", name="Pause", exact=True).click()
        clicked = browser.shown_step(page)
        try:  # past the server's 120 s wait on the training process: a slow pause ends
            page.get_by_role("button", name="Train", exact=True).wait_for(timeout=150_000)
        except Exception:  # the click was lost if the picture still advances
            page.screenshot(path=str(tmp_path / "pause.png"), full_page=True)
            raise AssertionError(
                f"Pause did not take effect; the picture went from step {clicked} at the "
                f"click to {browser.shown_step(page)}; see {tmp_path}/pause.png\n"
                + (tmp_path / "server.log").read_text()[-3000:]) from None
        assert browser.wait_until(lambda: page.get_by_text("paused").count() > 0, 60)
        # the timeline slider appears in its own fixed slot: Pause moved the picture 133 px down
        assert browser.wait_until(lambda: page.get_by_text("Timeline: drag back").count() > 0, 60)
        assert page.evaluate(PICTURE_TOP_JS) == top
        # the same chart element throughout: never remounted (blank) by Train or Pause
        assert page.evaluate(browser.KEPT_JS)
        time.sleep(1.0)  # let plotly finish drawing the last frame on a busy box
        paused = browser.shown_step(page)
        time.sleep(3.0)
        assert browser.shown_step(page) == paused >= steps[-1]  # stopped, not rolled back
        assert page.get_by_text(f"step {paused}").count() > 0  # the readout agrees
        SHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOT), full_page=True)
    assert SHOT.stat().st_size > 10_000


# The picture's top (page px) and every tile text that does not fit its box (text, scroll
# width, box width): a caption under the tiles wraps, a tile's label or value fits.
PICTURE_TOP_JS = """() => { for (const f of document.querySelectorAll('iframe')) {
  let gd = null;
  try { gd = f.contentDocument && f.contentDocument.querySelector('.js-plotly-plot'); }
  catch (e) { continue; }
  if (gd && gd.layout && gd.layout.meta && gd.layout.meta.step !== undefined)
    return f.getBoundingClientRect().top + window.scrollY; } return null; }"""
CUT_JS = """() => Array.from(document.querySelectorAll(
    '.pg-note, .pg-tile .l, .pg-tile .v, .pg-tile .r'))
  .filter(e => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight + 1)
  .map(e => [e.textContent, e.scrollWidth, e.clientWidth])"""


@pytest.mark.browser
@pytest.mark.slow
def test_at_1280_a_cure_moves_nothing_and_no_caption_is_cut(tmp_path, chromium):
    """Seen at 1280x800: a preset's cure button pushed 'Overlays' to a second row and the
    picture 56 px down; the note under the tiles was cut ('HQ says how tig…')."""
    with browser.streamlit_server(APP, log=tmp_path / "server.log") as url, \
            browser.chromium_page(1280, 800) as page:
        tops = {}
        for preset in ("ns", "collapse"):  # collapse has "Cure: R1 penalty"
            page.goto(f"{url}/?preset={preset}")
            browser.wait_for_chart(page)
            assert browser.wait_until(lambda: page.get_by_text("Overlays").count() > 0, 30)
            tops[preset] = page.evaluate(PICTURE_TOP_JS)
        assert page.get_by_role("button", name="Cure", exact=False).count() == 1
        assert tops["ns"] == tops["collapse"], tops
        page.goto(f"{url}/?shipped=collapse_ring")  # paused, evaluated: tiles and their note
        browser.wait_for_chart(page)
        assert browser.wait_until(lambda: page.locator(".pg-note").count() > 0
                                  and page.locator(".pg-note").inner_text().strip(), 60)
        time.sleep(1.0)  # fonts and the grid settle
        assert page.evaluate(CUT_JS) == []
