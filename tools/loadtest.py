"""A class on one server: N real headless Chromium sessions open the 2D lab, press Train and
watch; prints JSON with what each session got and what the server's process tree held.

    python -m tools.loadtest --sessions 20 --seconds 120
    python -m tools.loadtest --sessions 5 --seconds 60 --url http://127.0.0.1:8501

Without --url it starts `streamlit run app.py` itself (PLAYGROUND_* settings pass through the
environment); with --url it drives a running app and measures the process given by --pid, or
the one `streamlit` process it finds. Per session it reads the page's readout line
("step N · … · state") about once a second: the first step it saw trained ("served"), its
last step, how long it waited between pressing Train and its first trained step, and any
exception the page shows. Memory is the sum over the server and all its descendants (the
pool's worker processes), sampled every 0.5 s: RSS (what `top` shows; pages shared after a
fork count in each process) and PSS (shared pages divided among their sharers).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools import browser

QUERY = "?width=64&n_fixed=256&grid_res=50"  # the small 2D configuration
READOUT_JS = """() => {
  const head = document.querySelector('.pg-head');
  const errors = document.querySelectorAll('[data-testid="stException"]').length;
  const text = document.body ? document.body.innerText : '';
  return [head ? head.innerText : '', errors + (text.includes('Traceback') ? 1 : 0),
          window.__lt || null];
}"""
# In each page, every 50 ms: the wall-clock time (ms since the epoch, the machine's clock, so
# comparable with time.time() here) the readout first left "paused" and first showed a
# step beyond the one it opened on. Polling each page from here instead would time how long
# this loop takes to come round to it.
PROBE_JS = """() => {
  window.__lt = {base: null, acked: null, served: null};
  setInterval(() => {
    const head = document.querySelector('.pg-head');
    if (!head) return;
    const text = head.innerText;
    const m = text.match(/step ([\\d,]+)/);
    if (!m) return;
    const step = parseInt(m[1].replace(/,/g, ''));
    const lt = window.__lt;
    if (lt.base === null) lt.base = step;
    if (lt.acked === null && /· (queued|starting|training)\\b/.test(text)) lt.acked = Date.now();
    if (lt.served === null && step > lt.base) lt.served = Date.now();
  }, 50);
}"""
STEP_RE = re.compile(r"step ([\d,]+)")
STATES = ("queued", "starting", "training", "paused", "stopped", "diverged", "done")
STATE_RE = re.compile(r"· (" + "|".join(STATES) + r")\b")  # the readout's last field


# ---- memory of a process tree (Linux /proc) ---------------------------------------------------
def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # ended meanwhile
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(stat.parent.name))
    return kids


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    kids, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _kb(path: str, field_name: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_mb(pid: int) -> tuple[float, float, int]:
    """(RSS MB, PSS MB, processes) summed over the tree of `pid`."""
    pids = tree(pid)
    rss = sum(_kb(f"/proc/{p}/status", "VmRSS") for p in pids)
    pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss") for p in pids)
    return rss / 1024, pss / 1024, len(pids)


class Sampler(threading.Thread):
    """Samples the tree's memory every `every` s; keeps the peaks of the current phase."""

    def __init__(self, pid: int | None, every: float = 0.5):
        super().__init__(daemon=True, name="loadtest-memory")
        self.pid, self.every = pid, every
        self.peak = {"rss_mb": 0.0, "pss_mb": 0.0, "processes": 0}
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set() and self.pid is not None:
            rss, pss, n = memory_mb(self.pid)
            for k, v in (("rss_mb", rss), ("pss_mb", pss), ("processes", n)):
                self.peak[k] = max(self.peak[k], v)
            self._stop.wait(self.every)

    def phase(self) -> dict:
        """The peaks so far, then start a new phase."""
        out = {k: round(v, 1) for k, v in self.peak.items()}
        self.peak = {k: 0 for k in self.peak}
        return out

    def stop(self) -> None:
        self._stop.set()


def find_streamlit() -> int | None:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"streamlit") for a in args) and b"run" in args:
            found.append(int(cmdline.parent.name))
    return found[0] if len(found) == 1 else None


# ---- one browser session ------------------------------------------------------------------
@dataclass
class Session:
    index: int
    page: object
    pressed_at: float = 0.0  # time.time() of pressing Train
    acked_at: float | None = None  # the page first showed queued/starting/training
    served_at: float | None = None  # the page first showed a trained step
    step: int = 0
    states: list[str] = field(default_factory=list)
    exceptions: int = 0
    error: str = ""

    def read(self) -> None:
        try:
            head, errors, probe = self.page.evaluate(READOUT_JS)
        except Exception as e:  # a crashed tab counts as an exception
            self.error, self.exceptions = f"{type(e).__name__}: {e}"[:200], 1
            return
        self.exceptions = max(self.exceptions, errors)
        if probe is not None:  # the page's own clock readings (see PROBE_JS)
            if probe["acked"] is not None:
                self.acked_at = probe["acked"] / 1000
            if probe["served"] is not None:
                self.served_at = probe["served"] / 1000
        match = STEP_RE.search(head)
        found = STATE_RE.search(head)  # a message (the queue's, say) may follow the readout
        if match is None or found is None:
            return
        state = found.group(1)
        step = int(match.group(1).replace(",", ""))
        self.step = step
        if not self.states or self.states[-1] != state:
            self.states.append(state)

    def summary(self) -> dict:
        return {"session": self.index, "served": self.served_at is not None,
                "steps": self.step,
                "queue_wait_s": (round(self.served_at - self.pressed_at, 1)
                                 if self.served_at is not None else None),
                "ack_s": (round(self.acked_at - self.pressed_at, 2)  # Train -> "queued" shown
                          if self.acked_at is not None else None),
                "states": self.states, "exceptions": self.exceptions,
                **({"error": self.error} if self.error else {})}


def drive(url: str, sessions: int, seconds: float, pid: int | None, query: str) -> dict:
    from playwright.sync_api import sync_playwright

    sampler = Sampler(pid)
    sampler.start()
    opened_at = time.monotonic()
    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
        try:
            people = []
            for i in range(sessions):  # one context each: separate cookies, separate sessions
                page = chrome.new_context(viewport={"width": 1280, "height": 800}).new_page()
                page.goto(url + query, timeout=180_000)
                people.append(Session(i, page))
            for s in people:
                browser.wait_for_chart(s.page, timeout=180)
                s.page.evaluate(PROBE_JS)
            open_s = time.monotonic() - opened_at
            time.sleep(2.0)  # settle: every page drawn
            opened = sampler.phase()
            for s in people:  # each press, then that page until it says it is on its way
                s.pressed_at = time.time()  # before: the page may answer before click() returns
                s.page.get_by_role("button", name="Train", exact=True).click(timeout=60_000)
                while s.acked_at is None and time.time() - s.pressed_at < 30:
                    s.read()
                    time.sleep(0.05)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                for s in people:
                    s.read()
                time.sleep(max(0.0, 1.0 - 0.02 * sessions))  # ~1 read a second each
            for s in people:
                s.read()
            trained = sampler.phase()
        finally:
            # Close each page and let its websocket's closing handshake finish before the
            # browser goes: a browser killed mid-stream left Streamlit 1.67's websocket
            # endpoint a socket that was neither open nor closed, and it logged a traceback
            # while closing it (CI, 2026-12-06).
            for s in people:
                with contextlib.suppress(Exception):
                    s.page.close()
            time.sleep(1.0)
            chrome.close()
            sampler.stop()
    rows = [s.summary() for s in people]
    waits = [r["queue_wait_s"] for r in rows if r["queue_wait_s"] is not None]
    acks = [r["ack_s"] for r in rows if r["ack_s"] is not None]
    return {
        "sessions": sessions, "seconds": seconds, "query": query,
        "served": sum(r["served"] for r in rows),
        "exceptions": sum(r["exceptions"] for r in rows),
        "steps_total": sum(r["steps"] for r in rows),
        "steps_median": statistics.median(r["steps"] for r in rows),
        "queue_wait_s": {"median": statistics.median(waits) if waits else None,
                         "max": max(waits) if waits else None},
        "ack_s": {"median": statistics.median(acks) if acks else None,
                  "max": max(acks) if acks else None},
        "open_s": round(open_s, 1),
        "memory_open": opened, "memory_training": trained,
        "per_session": rows,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.loadtest", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60.0, help="training time after Train")
    ap.add_argument("--url", help="a running app on 127.0.0.1 (default: start one)")
    ap.add_argument("--pid", type=int, help="the running app's server process (with --url)")
    ap.add_argument("--query", default=QUERY, help=f"the 2D lab's link (default {QUERY})")
    ap.add_argument("--log", type=Path, help="the started server's output goes here")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= 100 or args.seconds <= 0:
        ap.error("--sessions takes 1-100 and --seconds a positive number")
    if not Path(browser.CHROMIUM).exists():
        print(f"Chromium not found at {browser.CHROMIUM} (set PLAYGROUND_CHROMIUM)",
              file=sys.stderr)
        return 2
    if args.url:
        if not args.url.startswith(("http://127.0.0.1", "http://localhost")):
            ap.error("--url must be an app on this machine (127.0.0.1): memory is read here")
        result = drive(args.url.rstrip("/"), args.sessions, args.seconds,
                       args.pid or find_streamlit(), args.query)
    else:
        with browser.streamlit_server(log=args.log, pid_out=(started := [])) as url:
            result = drive(url, args.sessions, args.seconds, started[0], args.query)
        if args.log:  # what the server printed: an exception there counts too
            result["server_tracebacks"] = args.log.read_text().count("Traceback")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
