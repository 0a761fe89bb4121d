"""`python -m tools.bench_live`: a lab page's speed, measured in headless Chromium.

Prints JSON with medians over several windows: display updates/s (new pictures the browser
shows, read from the main chart's `layout.meta.step`: the 2D lab's samples plot with 512
tracked fakes on a 100x100 surface, or `--page mnist`: the grid of 64 digits); training
steps/s (and images/s) while the page is open (from the same shown steps); and headless
steps/s of `Run.train` on the same config with no page (measured before and after).
Targets: 2D >= 4 updates/s, MNIST >= 3; live >= 70% of headless.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from playground.config import RunConfig
from playground.engine.run import Run
from playground.presets import config_for
from playground.serve.process import configure_torch_threads
from tools import browser


def headless_steps_per_s(cfg: RunConfig, seconds: float) -> float:
    run = Run(cfg)
    run.train(20)  # warm-up
    start, before = time.perf_counter(), run.step_count
    while time.perf_counter() - start < seconds:
        run.train(25)
    return (run.step_count - before) / (time.perf_counter() - start)


def live_windows(app: str, seconds: float, repeats: int, warmup: float,
                 path: str = "") -> dict:
    """Open the page, press Train, count the frames the browser shows in `repeats` windows of
    `seconds`, then press Pause. Training steps/s is exact: the paused page shows the run's
    exact step, divided by the time between the Train and Pause clicks (the shown step while
    training lags by up to a frame, so per-window step rates would be noisier)."""
    out: dict = {"windows": []}
    with browser.streamlit_server(app) as url, browser.chromium_page() as page:
        page.goto(url + path)
        browser.wait_for_chart(page)
        page.evaluate(browser.FRAME_PROBE)
        start_step = browser.shown_step(page) or 0
        page.get_by_role("button", name="Train", exact=True).click()
        started = time.monotonic()
        if not browser.wait_until(lambda: len(browser.frames(page)) >= 2, timeout=120):
            raise RuntimeError("the page showed no new frames within 120 s of Train")
        time.sleep(warmup)
        for _ in range(repeats):
            before = len(browser.frames(page))
            time.sleep(seconds)
            shown = browser.frames(page)[before:]
            out["windows"].append({"display_updates_per_s": round(len(shown) / seconds, 2)})
        page.get_by_role("button", name="Pause", exact=True).click()
        stopped = time.monotonic()
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=120_000)
        time.sleep(1.0)
        final = browser.shown_step(page) or 0
        out["live_steps_per_s"] = (final - start_step) / (stopped - started)
        out["trained_steps"] = final - start_step
    return out


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m tools.bench_live", description=__doc__)
    p.add_argument("--seconds", type=float, default=15.0, help="length of one window")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of training first")
    p.add_argument("--app", default="app.py", help="entry script for `streamlit run`")
    p.add_argument("--page", default="lab2d", choices=("lab2d", "mnist"))
    args = p.parse_args(argv)
    configure_torch_threads()  # the same torch threads as the server's training jobs
    # each page's default: 2D, 512 tracked fakes and a 100 x 100 surface; MNIST, the dcgan
    # preset with a grid of 64 digits
    cfg = RunConfig() if args.page == "lab2d" else config_for("dcgan")
    headless = [headless_steps_per_s(cfg, args.seconds / 2) for _ in range(args.repeats)]
    live = live_windows(args.app, args.seconds, args.repeats, args.warmup,
                        "" if args.page == "lab2d" else "/mnist")
    headless += [headless_steps_per_s(cfg, args.seconds / 2) for _ in range(args.repeats)]
    med = statistics.median
    report = {
        "display_updates_per_s": med(w["display_updates_per_s"] for w in live["windows"]),
        "live_steps_per_s": round(live["live_steps_per_s"], 1),
        "headless_steps_per_s": round(med(headless), 1),
        "live_over_headless": round(live["live_steps_per_s"] / med(headless), 3),
        "windows": live["windows"], "trained_steps": live["trained_steps"],
        "headless_runs": [round(h, 1) for h in headless],
        "images_per_s_live": round(live["live_steps_per_s"] * cfg.batch_size, 1),
        "images_per_s_headless": round(med(headless) * cfg.batch_size, 1),
        "page": args.page, "n_fixed": cfg.n_fixed, "cpus": os.cpu_count(),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
