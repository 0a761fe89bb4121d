"""The engine never imports streamlit (STYLE.md principle 1)."""
import pkgutil
import subprocess
import sys

import playground

ENGINE = sorted(m.name for m in pkgutil.walk_packages(playground.__path__, "playground.")
                if not m.name.startswith("playground.ui") and m.name != "playground.__main__")


def test_engine_modules_import_without_streamlit():
    assert "playground.run" in ENGINE and "playground.losses" in ENGINE
    code = ("import sys, importlib\n"
            f"for name in {ENGINE!r}:\n"
            "    importlib.import_module(name)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] == 'streamlit']\n"
            "assert not bad, bad\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
