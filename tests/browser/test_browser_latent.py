"""End to end in real headless Chromium on the latent explorer: a click on a digit of the picker
picks it, and the last two picks become the interpolation's ends; in presenter mode
(`?present=1`) at 1280x800 the picker and the interpolation strip, with large digits, share
the first screen."""
import os
import re
from pathlib import Path

import pytest

from tools import browser

ROOT = Path(__file__).resolve().parents[2]
APP = os.environ.get("PLAYGROUND_E2E_APP", "app.py")
SHOT = ROOT / "out" / "e2e-latent-present-1280.png"
MS = 1000
# While a rerun is under way Streamlit keeps the old elements beside the new ones: find the
# charts by what they show, not by their order.
CHARTS_JS = """const charts = [...document.querySelectorAll('.js-plotly-plot')];
  const picker = charts.find(g => g._fullData && g._fullData.some(d => d.name === 'pick'));
  const strip = charts.find(g => g.layout && g.layout.title
                            && / by (slerp|lerp)$/.test(g.layout.title.text));"""
# Page coordinates of digit `k`'s pick marker in the picker.
TILE_JS = """k => { """ + CHARTS_JS + """
  const t = picker._fullData.find(d => d.name === 'pick');  // decoded arrays
  const L = picker._fullLayout, r = picker.getBoundingClientRect();
  // _offset: where the axis starts in the chart (the margin, and the centring that the
  // square pixels of scaleanchor leave)
  return [r.left + L.xaxis._offset + L.xaxis.d2p(t.x[k]),
          r.top + L.yaxis._offset + L.yaxis.d2p(t.y[k])];
}"""
# The interpolation strip's title ("#a → #b by slerp").
TITLE_JS = "() => { " + CHARTS_JS + " return strip ? strip.layout.title.text : ''; }"
# Page boxes [top, bottom, width] of the picker and the strip.
BOXES_JS = "() => { " + CHARTS_JS + """
  return [picker, strip].map(g => { const r = g.getBoundingClientRect();
                                    return [r.top, r.bottom, r.width]; }); }"""


def _strip_title(page) -> str:
    return page.evaluate(TITLE_JS)


def _idle(page) -> None:
    browser.wait_idle(page)


@pytest.mark.browser
@pytest.mark.slow
def test_a_click_picks_and_presenter_mode_fits_the_first_screen(tmp_path, chromium):
    log = tmp_path / "server.log"
    with browser.streamlit_server(APP, log=log) as url, browser.chromium_page() as page:
        try:
            page.goto(url + "/latent")
            page.get_by_text("by slerp").first.wait_for(timeout=120 * MS)
            _idle(page)
            for k in (26, 12):
                x, y = page.evaluate(TILE_JS, k)
                page.mouse.click(x, y)
                assert browser.wait_until(
                    lambda k=k: re.search(rf"→ #{k} by", _strip_title(page)), 60), \
                    _strip_title(page)
                _idle(page)
            assert "#26 → #12 by slerp" in _strip_title(page)

            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(url + "/latent?present=1")
            page.get_by_text("by slerp").first.wait_for(timeout=120 * MS)
            _idle(page)
            page.wait_for_timeout(1000)  # the charts settle to their final sizes
            (p_top, p_bottom, _), (s_top, s_bottom, s_width) = page.evaluate(BOXES_JS)
            assert 0 <= p_top < p_bottom <= s_top < s_bottom <= 800, (p_bottom, s_bottom)
            assert s_width / 10 >= 100  # 10 digits of at least 100 px (64 without)
            assert page.locator('[data-testid="stSidebar"][aria-expanded="true"]').count() == 0
            page.mouse.move(1279, 799)  # no tooltip over the digits
            page.wait_for_timeout(500)
            SHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOT))
        except Exception:
            page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
            raise
    assert "Traceback" not in log.read_text()
