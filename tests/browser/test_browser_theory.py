"""End to end in real headless Chromium on the "Why Wasserstein" page at 1280x800 (a projector):
in presenter mode (`?present=1`) the W / JS / KL / TV numbers stay large and the closed-form
chart is on the first screen, and no button label is cut ("Compare ns vs wga…") in either
mode on any tab."""
import os
from pathlib import Path

import pytest

from tools import browser

ROOT = Path(__file__).resolve().parents[2]
APP = os.environ.get("PLAYGROUND_E2E_APP", "app.py")
SHOT = ROOT / "out" / "e2e-theory-present-1280.png"
MS = 1000
TABS = ("1 · Parallel lines", "2 · Saturating D", "3 · EM vs JS")
# px font size of the text itself (the innermost element) in each metric value
NUMBERS_JS = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(v => {
  let e = v; while (e.firstElementChild) e = e.firstElementChild;
  return [v.innerText, parseFloat(getComputedStyle(e).fontSize)]; })"""
# [top, bottom] of the closed-form chart in the window
CHART_JS = """() => { const g = [...document.querySelectorAll('.js-plotly-plot')].find(
  g => g.layout && g.layout.title && g.layout.title.text.startsWith('Closed forms'));
  if (!g) return null; const r = g.getBoundingClientRect(); return [r.top, r.bottom]; }"""
# Labels of shown buttons whose text box is cut (Streamlit ends a too-long label with "…")
CUT_JS = """() => [...document.querySelectorAll('button [data-testid="stMarkdownContainer"]')]
  .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 0.5)
  .map(e => e.innerText)"""


def _ready(page) -> None:
    page.get_by_text("Closed forms").first.wait_for(timeout=120 * MS)
    browser.wait_idle(page, grace_ms=0)
    page.wait_for_timeout(1000)  # the charts settle to their final sizes


def _cut_labels(page) -> list[str]:
    cut = []
    for tab in TABS:
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(500)
        cut += page.evaluate(CUT_JS)
    page.get_by_role("tab", name=TABS[0]).click()
    return cut


@pytest.mark.browser
@pytest.mark.slow
def test_presenter_mode_shows_large_numbers_and_the_chart_first(tmp_path, chromium):
    with browser.streamlit_server(APP, log=tmp_path / "server.log") as url, \
            browser.chromium_page(1280, 800) as page:
        page.goto(url + "/theory?present=1")
        _ready(page)
        numbers = page.evaluate(NUMBERS_JS)
        chart = page.evaluate(CHART_JS)
        page.mouse.move(1279, 799)  # no tooltip over the chart
        SHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOT))
        cut = _cut_labels(page)
        page.goto(url + "/theory")
        _ready(page)
        cut_normal = _cut_labels(page)
    assert [n for n, _ in numbers] == ["0.5000", "0.6931", "+∞", "1.0000"], numbers
    assert min(px for _, px in numbers) >= 32, numbers  # 18-21 px before
    assert chart is not None and 0 <= chart[0] < chart[1] <= 800, chart  # top at 716 before
    assert cut == [] and cut_normal == [], (cut, cut_normal)
