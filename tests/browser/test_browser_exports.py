"""End to end in real headless Chromium: every download button on every page that has one
(2D lab, MNIST lab, compare, latent explorer) delivers a file, and the file opens: a PNG
decodes, a GIF has as many frames as its button says (more than one), a CSV parses with a
header row, an HTML file is a page, a .pt checkpoint loads with `playground.store.checkpoint`.

The labs and the comparison take one or two Step presses on small networks (not a training
run), so the whole test stays near a minute and a half on a busy 2-core box.
"""
import csv
import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from playground.store import checkpoint
from tools import browser

APP = os.environ.get("PLAYGROUND_E2E_APP", "app.py")
BUTTONS = '[data-testid="stDownloadButton"] button'
MS = 1000


def _step_to(page, step: int) -> None:
    """Press Step until the samples chart shows `step` (one rerun per press)."""
    while (browser.shown_step(page) or 0) < step:
        before = browser.shown_step(page) or 0
        page.get_by_role("button", name="Step", exact=True).click()
        assert browser.wait_until(lambda b=before: (browser.shown_step(page) or 0) > b, 60)


def _open_export(page) -> None:
    page.get_by_text("Export", exact=True).click()
    page.locator(BUTTONS).first.wait_for(state="visible", timeout=60 * MS)


def _visible(page) -> int:
    buttons = page.locator(BUTTONS)
    return sum(buttons.nth(i).is_visible() and not buttons.nth(i).is_disabled()
               for i in range(buttons.count()))


def _download_visible(page, tmp_path: Path, prefix: str) -> list[tuple[str, str, Path]]:
    """Click every visible download button; (label, file name, saved path) of each."""
    got = []
    buttons = page.locator(BUTTONS)
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if not button.is_visible() or button.is_disabled():
            continue
        label = button.inner_text().strip()
        for attempt in range(4):
            with page.expect_download(timeout=45 * MS) as info:
                buttons.nth(i).click()
            download = info.value
            path = tmp_path / f"{prefix}-{len(got)}-{download.suggested_filename}"
            try:
                download.save_as(path)
                break
            except PlaywrightError as e:
                # a rerun that ends meanwhile replaces the page's files and cancels the
                # download (the latent page reruns on a tab switch); a user clicks again once
                # the page settles, and so does the test
                if "canceled" not in str(e) or attempt == 3:
                    raise
                browser.wait_idle(page, grace_ms=2000)
        got.append((label, download.suggested_filename, path))
    return got


def _check(name: str, path: Path, label: str) -> None:
    """The file opens as what its name says."""
    data = path.read_bytes()
    assert data, f"{label}: empty file"
    if name.endswith(".png"):
        with Image.open(path) as im:
            im.load()
            assert im.size[0] > 20 and im.size[1] > 20, (label, im.size)
    elif name.endswith(".gif"):
        with Image.open(path) as im:
            said = re.search(r"(\d+) frames", label)
            n = int(said.group(1)) if said else None
            assert im.n_frames > 1, (label, im.n_frames)
            if n is not None:
                assert im.n_frames == n, (label, im.n_frames)
    elif name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        assert rows[0][0] == "step" and len(rows[0]) > 1, (label, rows[0])
        assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows), label
    elif name.endswith(".html"):
        assert b"<html" in data[:2000].lower() and len(data) > 1000, label
    elif name.endswith(".pt"):
        run = checkpoint.load(path)
        assert run.step_count > 0, (label, run.step_count)
    else:
        raise AssertionError(f"{label}: unexpected file {name}")


@pytest.mark.browser
@pytest.mark.slow
def test_every_export_downloads_and_opens(tmp_path, chromium):
    log = tmp_path / "server.log"
    seen: dict[str, list[str]] = {}
    with browser.streamlit_server(APP, log=log) as url, browser.chromium_page() as page:
        def check_all(prefix: str) -> None:
            files = _download_visible(page, tmp_path, prefix)
            for label, name, path in files:
                _check(name, path, label)
            seen.setdefault(prefix, []).extend(name.rsplit(".", 1)[-1] for _, name, _ in files)

        try:
            # 2D lab: figure HTML, history CSV, timeline HTML, then the rendered PNG
            page.goto(url + "/?width=16&depth=1&batch_size=32")
            browser.wait_for_chart(page)
            _step_to(page, 1)
            _open_export(page)
            page.get_by_role("button", name="Render PNG").click()
            page.get_by_role("button", name="Figure (PNG)").wait_for(timeout=90 * MS)
            check_all("lab2d")

            # MNIST lab: grid PNG, the training reel GIF (3 pictures shown), CSV, checkpoint
            page.goto(url + "/mnist?width=16&latent_dim=16&batch_size=32&n_fixed=36")
            browser.wait_for_chart(page)
            _step_to(page, 2)
            _open_export(page)
            page.get_by_role("button", name=re.compile(r"Training reel \(GIF, [3-9]")).wait_for(
                timeout=30 * MS)
            check_all("mnist")

            # compare: side-by-side HTML, histories CSV, timeline HTML
            page.goto(url + "/compare?runs=ns,r1")
            page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90 * MS)
            page.get_by_role("button", name="Step", exact=True).click()
            page.get_by_text("every run at step 1", exact=False).first.wait_for(
                timeout=90 * MS)
            _open_export(page)
            check_all("compare")

            # latent explorer: each tab's strip PNG and the interpolation GIF
            page.goto(url + "/latent")
            page.locator(BUTTONS).first.wait_for(state="visible", timeout=90 * MS)
            for tab, n in (("Interpolate", 2), ("Grid & walk", 2), ("Sweep", 1),
                           ("Directions", 1)):
                page.get_by_role("tab", name=tab).click()
                browser.wait_idle(page)  # a tab switch reruns the page (its link names the tab)
                # and only then draws the open tab: wait for its buttons, as a user would
                assert browser.wait_until(lambda n=n: _visible(page) == n, 90), (tab,
                                                                                 _visible(page))
                check_all("latent")
        except Exception as e:
            page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
            raise AssertionError(f"{type(e).__name__}: {str(e)[:1500]}\n"
                                 f"see {tmp_path}/failed.png\n"
                                 + log.read_text()[-3000:]) from None
    assert sorted(seen["lab2d"]) == ["csv", "html", "html", "png"]
    assert sorted(seen["mnist"]) == ["csv", "gif", "png", "pt"]
    assert sorted(seen["compare"]) == ["csv", "html", "html"]
    assert sorted(seen["latent"]) == ["gif", "png", "png", "png", "png", "png"]
    assert "Traceback" not in log.read_text()
