"""Presenter mode on a projector's first screen, measured in real Chromium: every page opened
with `?present=1` at 1280 x 800, where its key figure sits and which labels are cut.

Shared by tests/browser/test_browser_presenter.py (which asserts) and `python -m tools.shots
presenter` (which saves docs/present-1280-<page>.png). A page is ready when its key figures are
drawn and have stopped moving (liveplot fits a chart's height after it is placed), not after a
fixed wait.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from tools import browser

SIZE = (1280, 800)  # a lecture projector


@dataclass(frozen=True)
class Screen:
    name: str  # file name part and test id
    path: str  # the page's URL path ("" for the 2D lab)
    figures: tuple[str, ...]  # key figures (FIGURES_JS names) that must share the first screen
    min_height: float  # each key figure at least this tall (px): readable from the back
    query: str = ""  # more of the link, e.g. a preset
    present: bool = True  # opened in presenter mode (?present=1)


# The lab pictures fill a column ~650 px wide: 380 px is their smallest fitted height in
# normal mode (figures.style); the latent strip's digits are 112 px in presenter mode.
SCREENS = (
    Screen("lab2d", "", ("picture",), 380),
    # the lecture's demo: its cure button lengthens the button row
    Screen("lab2d-collapse", "", ("picture",), 380, "preset=collapse"),
    Screen("mnist", "mnist", ("picture",), 380),
    Screen("theory", "theory", ("closed_forms",), 300),
    Screen("latent", "latent", ("picker", "strip"), 100),
    Screen("compare", "compare", ("picture",), 380),
    Screen("tables", "tables", ("table_chart",), 300),
    Screen("follower", "", ("picture",), 380),  # opened from the 2D lab's viewer link
)
# The same pages out of presenter mode, checked for cut labels only (their key figures may run
# below the fold there): shipped runs, so the notes written after an evaluation show too.
NORMAL_SCREENS = (
    Screen("lab2d-normal", "", ("picture",), 0, "shipped=collapse_ring", present=False),
    Screen("mnist-normal", "mnist", ("picture",), 0, "shipped=dcgan_mnist", present=False),
    Screen("theory-normal", "theory", ("closed_forms",), 0, present=False),
    Screen("latent-normal", "latent", ("picker", "strip"), 0, present=False),
    Screen("compare-normal", "compare", ("picture",), 0, present=False),
    Screen("tables-normal", "tables", ("table_chart",), 0, present=False),
)

# Boxes (page pixels, the window scrolled to the top) of the key figures that plotly has drawn.
# The labs' and compare's picture is the liveplot iframe whose chart carries `meta.step`; the
# theory and latent pages draw with st.plotly_chart, found by their titles (the tables page's
# chart by its "ours" bars).
FIGURES_JS = """() => {
  const out = {};
  const box = (r, gd) => ({top: r.top + window.scrollY, bottom: r.bottom + window.scrollY,
                           height: r.height, width: r.width,
                           drawn: !!(gd && gd.querySelector('.main-svg'))});
  for (const f of document.querySelectorAll('iframe')) {
    let gd = null;
    try { gd = f.contentDocument && f.contentDocument.querySelector('.js-plotly-plot'); }
    catch (e) { continue; }
    if (gd && gd.layout && gd.layout.meta && gd.layout.meta.step !== undefined)
      out.picture = box(f.getBoundingClientRect(), gd);
  }
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const r = gd.getBoundingClientRect();
    if (!r.height) continue;  // in a hidden tab
    const title = (gd.layout && gd.layout.title && gd.layout.title.text) || '';
    if (gd._fullData && gd._fullData.some(d => d.name === 'pick')) out.picker = box(r, gd);
    else if (/ by (slerp|lerp)$/.test(title)) out.strip = box(r, gd);
    else if (title.startsWith('Closed forms')) out.closed_forms = box(r, gd);
    else if (!out.table_chart && gd._fullData && gd._fullData.some(d => d.name === 'ours'))
      out.table_chart = box(r, gd);  // the tables page's first chart
  }
  return out;
}"""
# Text cut by its own box: a visible element of the main area that clips (overflow hidden or
# clip, or an ellipsis) and whose content is wider than it. Innermost only (a clipping
# container of a cut label is the same finding); charts, code and inputs scroll by design.
OVERFLOW_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const skip = 'iframe, svg, canvas, img, input, textarea, pre, code, .js-plotly-plot, '
             + '[data-testid="stCode"], [data-baseweb="select"], [data-testid="stSlider"], '
             + '.katex-mathml';  // (KaTeX's copy for screen readers: hidden by a 1 px clip)
  const cut = [];
  for (const e of main.querySelectorAll('*')) {
    if (e.closest(skip) || e.querySelector(skip)) continue;
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const cs = getComputedStyle(e);
    if (cs.textOverflow !== 'ellipsis' && !['hidden', 'clip'].includes(cs.overflowX)) continue;
    const text = (e.innerText || '').trim();
    if (text && e.scrollWidth > e.clientWidth + 1) cut.push(e);
  }
  const what = e => {
    const id = e.closest('[data-testid]');
    return (id ? id.getAttribute('data-testid') : e.tagName.toLowerCase())
      + (e.className && typeof e.className === 'string' ? ' .' + e.className.split(' ')[0] : '');
  };
  return cut.filter(e => !cut.some(o => o !== e && e.contains(o)))
    .map(e => ({where: what(e), text: e.innerText.trim().slice(0, 120),
                scroll: e.scrollWidth, client: e.clientWidth}));
}"""
IDLE_JS = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
TABS = '[data-testid="stTab"]'  # st.tabs' tab buttons (their panels are hidden until chosen)
# The 2D lab's viewer link ("Show this run on a second screen"), in the DOM while collapsed.
TOKEN_JS = """() => { const m = document.body.textContent.match(/[?&]follow=([A-Za-z0-9_-]+)/);
                      return m ? m[1] : null; }"""


def url_of(base: str, screen: Screen, token: str | None = None) -> str:
    parts = ([f"follow={token}"] if screen.name == "follower" else []) \
        + (["present=1"] if screen.present else []) + ([screen.query] if screen.query else [])
    return f"{base}/{screen.path}" + ("?" + "&".join(parts) if parts else "")


def follow_token(page, timeout: float = 120) -> str:
    """The follower token the 2D lab page `page` publishes."""
    token = None

    def found() -> bool:
        nonlocal token
        token = page.evaluate(TOKEN_JS)
        return token is not None

    if not browser.wait_until(found, timeout):
        raise RuntimeError(f"no viewer link on the 2D lab within {timeout:.0f} s")
    return token


def wait_ready(page, screen: Screen, timeout: float = 240, settle: float = 1.0) -> dict:
    """Wait until every key figure is drawn and its box is the same `settle` s later, with no
    script run under way; returns the boxes. Raises with what was seen on a timeout."""
    last: dict = {}
    since = time.monotonic()

    def steady() -> bool:
        nonlocal last, since
        boxes = page.evaluate(FIGURES_JS)
        ready = all(boxes.get(f, {}).get("drawn") for f in screen.figures) \
            and page.evaluate(IDLE_JS)
        now = time.monotonic()
        if not ready or boxes != last:
            last, since = boxes, now
            return False
        return now - since >= settle

    if not browser.wait_until(steady, timeout, every=0.25):
        raise RuntimeError(f"{screen.name}: key figures {screen.figures} not drawn and steady "
                           f"within {timeout:.0f} s; last seen {last}")
    return last


def problems(boxes: dict, cut: list[dict], screen: Screen, height: int = SIZE[1]) -> list[str]:
    """What is wrong on a page: a key figure not wholly in the first screen or too small, a
    label cut by its box."""
    out = []
    for name in screen.figures:
        b = boxes.get(name)
        if b is None:
            out.append(f"{screen.name}: no {name} figure")
            continue
        if b["top"] < 0 or b["bottom"] > height + 1:
            out.append(f"{screen.name}: {name} spans {b['top']:.0f}-{b['bottom']:.0f} px, not "
                       f"inside the first {height} px")
        if b["height"] < screen.min_height:
            out.append(f"{screen.name}: {name} is {b['height']:.0f} px tall, under "
                       f"{screen.min_height:.0f}")
    out += [f"{screen.name}: cut label in {c['where']}: {c['text']!r} ({c['scroll']} px of "
            f"text in {c['client']} px)" for c in cut]
    return out


def open_all(chromium, url: str) -> dict:
    """{screen name: a new page of `chromium` opening it}, all loading at once (a page's load
    is mostly waiting on the server), but the follower: `open_follower` once the 2D lab has
    published its run."""
    pages = {}
    for screen in SCREENS:
        if screen.name != "follower":
            pages[screen.name] = chromium.new_page(viewport=_viewport())
            pages[screen.name].goto(url_of(url, screen), wait_until="commit")
    return pages


def open_follower(chromium, url: str, lab_page, timeout: float = 240):
    """A new page following the 2D lab page `lab_page`'s run."""
    follower = next(s for s in SCREENS if s.name == "follower")
    page = chromium.new_page(viewport=_viewport())
    page.goto(url_of(url, follower, follow_token(lab_page, timeout)), wait_until="commit")
    return page


def _viewport() -> dict:
    return dict(zip(("width", "height"), SIZE, strict=True))


def cut_in_tabs(page) -> list[dict]:
    """Cut labels in every tab of the page's st.tabs, each tab chosen in turn (the first
    screen shows only the first; theory's third tab cut its button to "Compare ns vs wga…").
    Leaves the first tab chosen."""
    tabs = page.locator(TABS)
    found = []
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        tab.click()
        browser.wait_until(lambda t=tab: t.get_attribute("aria-selected") == "true", 30)
        name = tab.inner_text().strip()
        found += [{**c, "where": f"tab {name!r}: {c['where']}"}
                  for c in page.evaluate(OVERFLOW_JS)]
    if tabs.count():
        tabs.first.click()
    return [dict(t) for t in {tuple(c.items()) for c in found}]


def shoot_all(out: str = "docs", app: str = "app.py") -> list[str]:
    """Save every page's first screen in presenter mode to `out`/present-1280-<page>.png;
    returns what `problems` found on them."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    found = []
    with browser.streamlit_server(app) as url, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser.CHROMIUM,
                                     args=browser.CHROMIUM_ARGS)
        try:
            pages = open_all(chromium, url)
            for screen in SCREENS:  # the follower last: the 2D lab has published its run
                if screen.name == "follower":
                    pages[screen.name] = open_follower(chromium, url, pages["lab2d"])
                page = pages[screen.name]
                boxes = wait_ready(page, screen)
                page.mouse.move(0, SIZE[1] - 1)  # no hover label over the picture
                page.screenshot(path=str(folder / f"present-1280-{screen.name}.png"))
                found += problems(boxes, page.evaluate(OVERFLOW_JS), screen)
        finally:
            chromium.close()
    return found
