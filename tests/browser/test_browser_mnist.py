"""End to end in real headless Chromium on the MNIST lab: Train advances the step counter and
the grid of digits changes; Pause stops it; at 1280 px no tile is cut off."""
import os
import time
from pathlib import Path

import pytest

from tools import browser

ROOT = Path(__file__).resolve().parents[2]
APP = os.environ.get("PLAYGROUND_E2E_APP", "app.py")
SHOT = ROOT / "out" / "e2e-mnist.png"
# The grid's PNG (the image trace's source) in the chart that shows a training step.
GRID_JS = """() => {
  for (const f of document.querySelectorAll('iframe')) {
    let gd = null;
    try { gd = f.contentDocument && f.contentDocument.querySelector('.js-plotly-plot'); }
    catch (e) { continue; }
    if (gd && gd.layout && gd.layout.meta && gd.layout.meta.step !== undefined && gd.data
        && gd.data[0] && gd.data[0].source) return gd.data[0].source;
  }
  return null;
}"""
# Tiles whose label or value does not fit its box (text-overflow cuts it to "Confide…").
CUT_TILES_JS = """() => [...document.querySelectorAll('.pg-tile .l, .pg-tile .v')]
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => [e.textContent, e.scrollWidth, e.clientWidth])"""


@pytest.mark.browser
@pytest.mark.slow
def test_train_changes_the_digits_and_pause_stops_them(tmp_path, chromium):
    query = "?width=16&latent_dim=16&batch_size=32&n_fixed=36"  # quick steps on a busy box
    with browser.streamlit_server(APP, log=tmp_path / "server.log") as url, \
            browser.chromium_page() as page:
        page.goto(url + "/mnist" + query)
        browser.wait_for_chart(page)
        assert page.get_by_text("MNIST lab").count() > 0
        first = page.evaluate(GRID_JS)
        assert first and first.startswith("data:image/png;base64,")
        page.evaluate(browser.FRAME_PROBE)
        page.get_by_role("button", name="Train", exact=True).click()
        updated = browser.wait_until(lambda: len(browser.frames(page)) >= 3, timeout=120)
        assert updated, (tmp_path / "server.log").read_text()[-2000:]
        steps = [s for _, s in browser.frames(page)]
        assert steps[-1] > steps[0] and steps == sorted(steps)
        assert page.evaluate(GRID_JS) != first  # the digits changed
        page.get_by_role("button", name="Pause", exact=True).click()
        # past the server's 120 s wait on a training process
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=150_000)
        time.sleep(1.0)
        paused = browser.shown_step(page)
        time.sleep(3.0)
        assert browser.shown_step(page) == paused >= steps[-1]
        SHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOT), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})  # a lecture projector
        time.sleep(1.0)
        assert page.locator(".pg-tile").count() >= 5
        assert page.evaluate(CUT_TILES_JS) == []
