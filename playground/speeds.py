"""The labs' training speeds, one table: how fast a live run may train and how often it is
pictured. Rows are selected by id (the speed box, `?speed=` links); the serve layer reads only
a row's two numbers. No torch, no Streamlit.

Why a default pace: on a GPU the 2D default trains thousands of steps a second, and the ring
goes from one blob to all eight modes in about a second; a class must see the modes appear.
"""
from __future__ import annotations

from dataclasses import dataclass

from playground.registry import Registry

# The class pace: 4x what the 2D default trains on this 2-core box (~50 steps/s,
# tools/gpu_check.py --quick), so a CPU run is not slowed, while a GPU's ring takes seconds, not
# a fraction of one, to fill in: 8/8 modes come after 15-30 s at ~50 steps/s (README), i.e.
# ~750-1,500 steps, which at 200 steps/s is 4-8 s.
CLASS_PACE = 200.0  # steps/s


@dataclass(frozen=True)
class Speed:
    label: str  # the speed box's text
    steps_per_frame: int = 0  # k > 0: k steps, then a picture (slow motion); 0: by time
    steps_per_s: float = 0.0  # with steps_per_frame 0: at most this many steps a second (0: none)


SPEEDS: Registry[Speed] = Registry("speed")
SPEEDS.add("paced", Speed(f"≤{CLASS_PACE:.0f} steps/s", steps_per_s=CLASS_PACE))
SPEEDS.add("full", Speed("full speed"))
for _k in (1, 2, 5, 10, 50):  # ids are the numbers that links have carried since slow motion
    SPEEDS.add(str(_k), Speed(f"{_k} step{'s' if _k > 1 else ''}/frame", steps_per_frame=_k))
DEFAULT_SPEED = "paced"  # a lab opens at the class pace; "full speed" is one pick away
FULL = SPEEDS.get("full")
