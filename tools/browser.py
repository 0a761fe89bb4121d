"""Drive the real app in headless Chromium: start `streamlit run`, open a page, read frames.

Shared by the live-page benchmark and the end-to-end test, so both measure the same thing:
the samples chart's `layout.meta.step` is the training step of the picture the browser shows.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# The samples chart lives in a same-origin component iframe; it is the one chart whose layout
# carries `meta.step` (the training step of the picture shown).
_STEP = """(() => {
  for (const f of document.querySelectorAll('iframe')) {
    let gd = null;
    try { gd = f.contentDocument && f.contentDocument.querySelector('.js-plotly-plot'); }
    catch (e) { continue; }
    if (gd && gd.layout && gd.layout.meta && gd.layout.meta.step !== undefined)
      return gd.layout.meta.step;
  }
  return null;
})()"""
STEP_JS = "() => " + _STEP
# Marks the samples chart's iframe; `KEPT_JS` then says whether that same element still shows
# it. React remounts a component whose place in the page changes, and a remounted chart is
# blank until plotly.js has loaded again (0.5-4 s on a busy box).
TAG_CHART_JS = """() => {
  for (const f of document.querySelectorAll('iframe')) {
    let gd = null;
    try { gd = f.contentDocument && f.contentDocument.querySelector('.js-plotly-plot'); }
    catch (e) { continue; }
    if (gd && gd.layout && gd.layout.meta && gd.layout.meta.step !== undefined) {
      f.__pgTagged = true;
      return true;
    }
  }
  return false;
}"""
KEPT_JS = "() => Array.from(document.querySelectorAll('iframe')).some(f => f.__pgTagged)"
# Records (time, step) each time the samples chart shows a new frame, polled every animation
# frame of the page: what a viewer sees.
FRAME_PROBE = """() => {
  window.__frames = [];
  let last = null;
  const poll = () => {
    const step = """ + _STEP + """;
    if (step !== null && step !== last) {
      window.__frames.push([performance.now(), step]);
      last = step;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(app: str = "app.py", port: int | None = None,
                     env: dict[str, str] | None = None, log: Path | None = None,
                     pid_out: list[int] | None = None) -> Iterator[str]:
    """`streamlit run app` on 127.0.0.1; yields its base URL (and appends the server's PID to
    `pid_out`); stops it by its PID."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", app, "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false"]
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out,
                            stderr=subprocess.STDOUT)
    if pid_out is not None:
        pid_out.append(proc.pid)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with status {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy within 60 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


@contextlib.contextmanager
def chromium_page(width: int = 1600, height: int = 1200):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def wait_for_chart(page, timeout: float = 120) -> None:
    """Wait until the samples chart has drawn its first picture."""
    if not wait_until(lambda: shown_step(page) is not None, timeout):
        raise RuntimeError(f"no samples chart appeared within {timeout:.0f} s")


def wait_idle(page, timeout: float = 120, grace_ms: int = 500) -> None:
    """Wait until no script run is under way: Streamlit's running indicator is gone. The
    grace lets a rerun that a click just asked for begin first (its indicator appears only
    after the click reaches the server), so a button is never clicked on the page that the
    rerun is about to replace."""
    page.wait_for_timeout(grace_ms)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached",
                                                             timeout=timeout * 1000)


def shown_step(page) -> int | None:
    """The training step of the picture the samples chart shows now."""
    return page.evaluate(STEP_JS)


def frames(page) -> list[tuple[float, int]]:
    """(browser ms, step) of every new frame since `FRAME_PROBE` was installed."""
    return [(t, s) for t, s in page.evaluate("() => window.__frames || []")]


def wait_until(predicate, timeout: float, every: float = 0.25) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return False
