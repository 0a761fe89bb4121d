"""The page boundary: what a user sees when something fails on the server.

Users see messages, never internals. Every page's render is wrapped once (`page`, in app.py)
and the button callbacks of a page module once (`callbacks`, at its end): an error there is
logged on the server with its traceback and the page shows one short message instead of a red
traceback that names server files. A `ValueError` is this codebase's refusal with a reason
(a bad file, a setting that needs a new run, a worker that stopped), so its text is shown,
minus server paths and exception names; anything else is a bug and gets a general message.
A callback runs before the page, so its message is kept and shown at the top of the page.
A fragment's timer run never passes through the page's wrapper, so each fragment body is
wrapped too (`fragment`): its message stands in the fragment's place and the next tick tries
again. Whatever still gets past meets `client.showErrorDetails = "none"` in
.streamlit/config.toml: Streamlit's own redacted notice, no details.
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

import streamlit as st
from streamlit.errors import FragmentHandledException

log = logging.getLogger("playground.ui")
PENDING = "guard.errors"  # session-state key: messages of failed callbacks, for the next render
GENERAL = ("Something went wrong on the server, so this was not done; the details are in "
           "the server's log. The page and your run are as they were: try again, or reload "
           "the page.")
# An absolute path of two or more parts ("/tmp/tmpab12/upload.pt", "C:\\srv\\app.py"): not a
# ratio like "W1/JSD" (one part, no leading slash).
_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[/\\][\w.~+-]+){2,}[/\\]?")
# "(UnpicklingError)", "RuntimeError: ", "torch.OutOfMemoryError: "
_EXCEPTION = re.compile(r"\s*\((?:\w+\.)*[A-Z]\w*(?:Error|Exception)\)"
                        r"|(?:\w+\.)*[A-Z]\w*(?:Error|Exception|Warning): ?")


def public(text: str, names: dict[str, str] | None = None) -> str:
    """`text` fit for a page: each key of `names` (e.g. a temp file's path) replaced by its
    value (the name the user knows), then other server paths and exception names removed."""
    for secret, shown in (names or {}).items():
        text = text.replace(secret, shown)
    text = _PATH.sub("the file", text)
    return re.sub(r"\s{2,}", " ", _EXCEPTION.sub("", text)).strip()


def message(error: Exception, where: str) -> str:
    """Log `error` (with its traceback) and return what the page says about it."""
    if isinstance(error, ValueError):
        log.warning("%s refused: %s", where, error, exc_info=error)
        return public(str(error)) or GENERAL
    log.error("%s failed", where, exc_info=error)
    return GENERAL


def page(render: Callable[[], None]) -> Callable[[], None]:
    """`render` with its errors shown as a short message (and pending callback messages
    first). Streamlit's own control flow (st.rerun, st.stop) passes through."""

    @functools.wraps(render)
    def guarded() -> None:
        for text in st.session_state.pop(PENDING, []):
            st.error(text, icon=":material/error:")
        try:
            render()
        except FragmentHandledException:
            raise  # a fragment's error: Streamlit has logged and shown it (redacted)
        except Exception as e:
            st.error(message(e, f"page {render.__module__}"), icon=":material/error:")

    return guarded


def fragment(body: Callable[[], None]) -> Callable[[], None]:
    """A fragment's `body` with its errors shown as a short message in its place. Use under
    `@st.fragment(...)`: Streamlit's own control flow (st.rerun) passes through."""

    @functools.wraps(body)
    def guarded() -> None:
        try:
            body()
        except Exception as e:
            st.error(message(e, f"view {body.__qualname__}"), icon=":material/error:")

    return guarded


def callback(fn: Callable) -> Callable:
    """`fn` (a widget callback) with its errors logged and kept for the page to show."""

    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            st.session_state[PENDING] = [*st.session_state.get(PENDING, []),
                                         message(e, f"callback {fn.__name__}")]
            return None

    return guarded


def callbacks(namespace: dict) -> None:
    """Guard every callback (`on_*` function) defined in a module: call at its end with
    `globals()`, so widgets that name `module.on_x` get the guarded one."""
    for name, fn in list(namespace.items()):
        if (name.startswith("on_") and callable(fn) and not hasattr(fn, "__wrapped__")
                and getattr(fn, "__module__", None) == namespace.get("__name__")):
            namespace[name] = callback(fn)
