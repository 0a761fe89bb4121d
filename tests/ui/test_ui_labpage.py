"""The labs' shared page parts (`ui/labpage.py`): what the button row promises."""
import re
from pathlib import Path

from playground.ui import labpage

ROOT = Path(__file__).resolve().parents[2]


def test_slow_motion_promises_no_more_than_measured():
    """One step a frame trains as fast as the browser takes pictures: 2.8 steps/s in the
    rehearsal on a busy 2-core box, against 'about 5' in the README and the speed box's help."""
    readme = (ROOT / "README.md").read_text()
    page = Path(labpage.__file__).read_text()
    for where, text in (("README.md", readme), ("labpage.py", page)):
        assert not re.search(r"(about|~)\s*5 steps/s", text), where
    assert "2.8" in readme and "up to 5 steps/s" in page
