"""app.py's imports complete every module plotly peeks at, before any tab's thread draws
(playground/ui/preload.py says why: CI's theory page failed on a half-imported pandas)."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import _plotly_utils
import plotly

from playground.ui import preload

ROOT = Path(__file__).resolve().parents[2]
_PEEK = re.compile(r"""get_module\(\s*["']([\w.]+)["']\s*,\s*should_load\s*=\s*False""")

# One thread peeks as plotly does while the main thread imports pandas, unless app.py's
# imports ran first. Prints how many peeks found a half-imported pandas.
_RACE = """
import sys, threading
if sys.argv[1] == "app":
    exec(compile(sys.argv[2], "app.py imports", "exec"))
from _plotly_utils.basevalidators import is_homogeneous_array
errors, done = [], threading.Event()
def peek():
    while not done.is_set():
        try:
            is_homogeneous_array([1.0, 2.0])
        except AttributeError:
            errors.append(1)
thread = threading.Thread(target=peek)
thread.start()
import pandas
done.set()
thread.join()
print(len(errors))
"""


def _app_imports() -> str:
    """The import statements of app.py, in order (what every tab's thread runs first)."""
    tree = ast.parse((ROOT / "app.py").read_text())
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "\n".join(ast.unparse(n) for n in imports)


def _half_imported_peeks(first: str) -> int:
    out = subprocess.run([sys.executable, "-c", _RACE, first, _app_imports()], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    return int(out.stdout.split()[-1])


def test_every_module_plotly_peeks_at_is_preloaded():
    peeked = set()
    for package in (_plotly_utils, plotly):
        for path in Path(package.__file__).parent.rglob("*.py"):
            peeked |= set(_PEEK.findall(path.read_text(encoding="utf-8")))
    assert {"numpy", "pandas"} <= peeked  # the reading finds what we know is there
    assert peeked <= set(preload.PEEKED)


def test_app_imports_leave_no_half_imported_pandas_for_a_peeking_thread():
    assert _half_imported_peeks("bare") > 0  # the race is real without the preload
    assert _half_imported_peeks("app") == 0
