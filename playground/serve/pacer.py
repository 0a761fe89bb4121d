"""A cap on a live job's training rate (the labs' class pace, `playground.speeds`): a token
bucket that grants steps a slice at a time. The worker loop asks it how many steps the next
slice may take; the page only chooses the cap.

Why a bucket of one slice: steps come in chunks of `steps_per_s * slice_s` once a slice, so a
fast device takes one `advance` call per slice (not one per step), the rate over any second is
the cap, and a device slower than the cap always finds the bucket full (never slowed).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable

UNCAPPED = 1_000_000  # steps a slice may take without a cap (the worker's old bound)
EPS = 1e-6  # steps: float rounding of credit, far below one step


class Pacer:
    def __init__(self, steps_per_s: float = 0.0, slice_s: float = 0.05,
                 clock: Callable[[], float] = time.monotonic):
        self.steps_per_s = max(0.0, float(steps_per_s))  # 0: no cap
        self.clock = clock
        self.burst = max(1.0, self.steps_per_s * slice_s)  # one slice's worth of steps
        self.credit, self.t = self.burst, clock()  # starts full: the first slice goes at once

    @property
    def capped(self) -> bool:
        return self.steps_per_s > 0

    def allowed(self) -> int:
        """Steps the next slice may take now: a full bucket's worth, or 0 (wait first)."""
        if not self.capped:
            return UNCAPPED
        now = self.clock()
        self.credit = min(self.burst, self.credit + (now - self.t) * self.steps_per_s)
        self.t = now
        # full within rounding: a wait of exactly (burst - credit) / rate can land a hair short
        return math.floor(self.credit + EPS) if self.credit >= self.burst - EPS else 0

    def spend(self, steps: int) -> None:
        if self.capped:
            self.credit -= steps

    def wait_s(self) -> float:
        """Seconds until the bucket is full again (0 without a cap)."""
        if not self.capped:
            return 0.0
        return max(0.0, (self.burst - self.credit) / self.steps_per_s)
