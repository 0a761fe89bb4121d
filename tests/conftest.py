"""Shared test set-up: the CPU, one torch thread.

One thread because tests share two cores with each other's subprocesses (the app server,
Chromium): with two OpenMP threads per process, oversubscribed cores made the engine tests
~40x slower here (287 s vs 7 s for test_run.py), while one thread costs ~1.6x at worst.
"""
import os

os.environ.setdefault("PLAYGROUND_DEVICE", "cpu")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _main_module_restored():
    """Put back the `__main__` a test replaced. Streamlit's AppTest runs its script as
    `__main__` and leaves it there; a spawned child re-runs the parent's `__main__` before its
    work, so every later spawn (tests/cli_fixtures.py's pool) ran a leftover AppTest script and
    died at start (`NameError: __args`): CI failed every documented command after
    test_diffaug.py's AppTest test."""
    saved = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = saved


@pytest.fixture
def chromium() -> None:
    """For the real-browser tests: skip where Debian's Chromium is missing, fail instead where
    CI requires it (PLAYGROUND_REQUIRE_BROWSER)."""
    from tools import browser
    if not Path(browser.CHROMIUM).exists():
        message = f"Chromium not found at {browser.CHROMIUM}"
        if os.environ.get("PLAYGROUND_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def stored_tables(tmp_path_factory):
    """A folder of real reproduce records, as docs/tables holds them: VEEGAN's table at 5 G
    updates, 2 trials, ring only, and PacGAN's at 4, 2 trials, both datasets (~25 s)."""
    from playground.cli import main
    root = tmp_path_factory.mktemp("tables")
    assert main(["reproduce", "veegan-table1", "--trials", "2", "--budget", "0.0002",
                 "--datasets", "ring", "--threads", "1",
                 "--json", str(root / "veegan-table1.json")]) == 0
    assert main(["reproduce", "pacgan-table1", "--trials", "2", "--budget", "0.00001",
                 "--threads", "1", "--json", str(root / "pacgan-table1.json")]) == 0
    return root
