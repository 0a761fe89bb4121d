"""The labs' training speeds, one table: how fast a live run may train and how often it is
pictured. Rows are selected by id (the speed box, `?speed=` links); the serve layer reads only
a row's two numbers. No torch, no Streamlit.

Why a default pace: on a GPU the 2D default trains thousands of steps a second, and the ring
goes from one blob to all eight modes in about a second; a class must see the modes appear.
"""
from __future__ import annotations

from dataclasses import dataclass

from playground.registry import Registry

# The class pace: above what a CPU trains live, so a CPU run is never slowed: `bench` measured
# the 2D default at 370-520 steps/s headless on this 2-core box when it was quiet (README,
# Speed), a live lab keeps 66-74 % of that, and under a class's load it is ~30-50 steps/s. On
# a GPU (issue 19's H100 target: 3,300+ steps/s) the ring, 8/8 modes after ~3,000 steps (seeds
# 0-2, commit 9d13604), would fill in within a second; at 500 steps/s it takes ~6 s, 30
# pictures at 5 a second.
CLASS_PACE = 500.0  # steps/s


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
