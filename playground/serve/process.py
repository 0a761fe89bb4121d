"""Child-process plumbing for live work: the start method, hiding Streamlit's `__main__` while
a child starts, the receiving end of the pipe, and shutdown. Knows nothing about runs or pages.

Why processes at all: a training step is mostly Python dispatch, so a training thread in the
server holds the GIL nearly all the time and starves Streamlit's event loop (see worker.py).
"""
from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import multiprocessing.util  # noqa: F401  its exit hook is registered now, so ours runs first
import os
import sys
import threading
import types
import weakref
from collections.abc import Callable
from typing import Any

import torch

DEFAULT_THREADS = 1

# Set when the interpreter begins to exit. atexit runs hooks last-registered first, so this is
# set before multiprocessing's own hook terminates the daemonic children; a thread that then
# finds its child dead must not start a new one: the fork server would be handed a connection
# that closes half-way (it printed an EOFError traceback into the server's log on Ctrl-C).
_exiting = threading.Event()
atexit.register(_exiting.set)


def exiting() -> bool:
    """True once this process has begun to exit: no new children may start."""
    return _exiting.is_set()


def torch_threads() -> int:
    """Intra-op torch threads per live process (PLAYGROUND_TORCH_THREADS, default 1). The page,
    the browser and other sessions share the cores: on a busy 2-core box two OpenMP threads per
    process made the theory page's work 5-40x slower (121 s instead of ~20 s for 7 estimates)."""
    text = os.environ.get("PLAYGROUND_TORCH_THREADS", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else DEFAULT_THREADS


def configure_torch_threads() -> int:
    """Apply `torch_threads()` to this process (children at start; the app's server too)."""
    n = torch_threads()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def context() -> mp.context.BaseContext:
    # forkserver: children fork from a clean process that has imported the engine once, so a
    # new session's process starts in well under a second and never inherits server threads.
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["playground.serve.worker"])
        return ctx
    return mp.get_context("spawn")


@contextlib.contextmanager
def bare_main():
    """Hide the running script from multiprocessing while a child starts. Streamlit runs each
    page as `__main__`, and multiprocessing would re-import `__main__` in the child (and in
    the fork server), i.e. run the app there. The child needs only `worker.serve`."""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


class Link:
    """What the receiver thread and the caller share: the newest published view, the child's
    info, command replies and whether the child lives. No reference back to the owner, so an
    abandoned owner can be collected and its process closed. `sink`, set by whoever loaded a
    job here, is handed every view published for that job (its `tag`) and every rollback, in
    the order the child sent them (reel.Reel: a session's timeline)."""

    def __init__(self, conn):
        self.conn = conn
        self.lock = threading.Condition()
        self.view: Any = None
        self.info: dict = {"working": False, "rate": float("nan"), "status": "ok",
                           "reason": "", "progress": 0}
        self.published = 0  # views received so far
        self.replies: dict[int, tuple[bool, object]] = {}
        self.fatal = ""
        self.alive = True
        self.sink: Any = None  # an object with tag, published(view) and rolled_back(step)


def receive(link: Link) -> None:
    """The receiver thread: keep the newest view and info, file replies by sequence number."""
    try:
        while True:
            msg = link.conn.recv()
            with link.lock:
                sink = link.sink
                if msg[0] == "pub":
                    link.view, link.info = msg[1], msg[2]
                    link.published += 1
                    if sink is not None and msg[2].get("tag") == sink.tag:
                        sink.published(msg[1])
                elif msg[0] == "rollback":  # ("rollback", tag, step): the job went back
                    if sink is not None and msg[1] == sink.tag:
                        sink.rolled_back(msg[2])
                elif msg[0] == "info":  # the child's state, without a new view
                    link.info = msg[1]
                elif msg[0] == "reply":
                    link.replies[msg[1]] = (msg[2], msg[3])
                elif msg[0] == "fatal":
                    link.fatal = msg[1]
                link.lock.notify_all()
    except (EOFError, OSError):
        pass
    finally:
        with link.lock:
            link.alive = False
            link.lock.notify_all()


def shutdown(conn, process) -> None:
    try:
        conn.send(("close", 0))
    except (OSError, ValueError):
        pass
    process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)


def start(target: Callable, args: tuple, owner: object, name: str
          ) -> tuple[Any, Link, Callable[[], None]]:
    """Start `target(conn, *args)` in a child; returns (process, link, close). `close` runs
    once, when called or when `owner` is collected. Refused (RuntimeError) while exiting."""
    if exiting():
        raise RuntimeError("the server is stopping")
    ours, theirs = mp.Pipe()
    process = context().Process(target=target, args=(theirs, *args), daemon=True, name=name)
    with bare_main():
        process.start()
    theirs.close()
    link = Link(ours)
    threading.Thread(target=receive, args=(link,), daemon=True, name=f"{name}-receive").start()
    return process, link, weakref.finalize(owner, shutdown, ours, process)
