"""Many trials of one setup summarised as the papers do: mean ± standard error.

PacGAN's Table 1 (Lin et al. 2018) reports over 10 trials, VEEGAN's (Srivastava et al. 2017)
over 5, "mean ± standard error": s / sqrt(n) with s the sample standard deviation (n - 1 in
its denominator). A trial's value may be NaN (reverse KL with no high-quality sample): it is
left out of the mean and counted, so a table can say how many trials the number covers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Summary:
    mean: float  # over the finite values; NaN when there is none
    se: float  # s / sqrt(n) over the finite values; NaN with fewer than 2
    n: int  # finite values the mean covers
    missing: int = 0  # NaN values left out

    def text(self, digits: int = 2) -> str:
        """'6.30 ± 0.50', '98.2' (one trial), '—' (none), with '(k/n)' when values were
        missing."""
        if self.n == 0:
            return "—"
        out = f"{self.mean:.{digits}f}"
        if not math.isnan(self.se):
            out += f" ± {self.se:.{digits}f}"
        if self.missing:
            out += f" ({self.n}/{self.n + self.missing})"
        return out

    def as_dict(self) -> dict[str, float | int | None]:
        return {"mean": _none(self.mean), "se": _none(self.se), "n": self.n,
                "missing": self.missing}


def summarise(values) -> Summary:
    """Mean and standard error (sample std, ddof 1, over sqrt(n)) of the finite values."""
    x = np.asarray(list(values), dtype=np.float64)
    finite = x[np.isfinite(x)]
    n, missing = len(finite), len(x) - len(finite)
    if n == 0:
        return Summary(math.nan, math.nan, 0, missing)
    se = float(finite.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return Summary(float(finite.mean()), se, n, missing)


def _none(v: float) -> float | None:
    return None if math.isnan(v) else v  # JSON has no NaN
