"""Diebold-Mariano test of equal forecast accuracy, with the Harvey-Leybourne-Newbold correction.

References:
    Diebold, F. X. and Mariano, R. S. (1995). Comparing predictive accuracy.
        Journal of Business & Economic Statistics 13(3), 253-263.
    Harvey, D., Leybourne, S. and Newbold, P. (1997). Testing the equality of prediction
        mean squared errors. International Journal of Forecasting 13(2), 281-291.

Given a loss differential series d_t = L(e1_t) - L(e2_t) of ``n`` forecasts made
``h`` steps ahead, DM = mean(d) / sqrt(V / n), where V is the long-run variance of d
with autocovariances up to lag h - 1 (rectangular weights, as in the original
paper: h-step errors are at most MA(h-1)). HLN multiply DM by
sqrt((n + 1 - 2h + h(h - 1) / n) / n) and compare with Student's t on n - 1
degrees of freedom. This is what R's ``forecast::dm.test`` computes.

A negative statistic means the first forecast had the smaller loss. When the
rectangular long-run variance is not positive (it can be for large h relative
to n), the Bartlett (Newey-West) weights are used instead, which always give a
non-negative variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .errors import ForecastError


@dataclass(frozen=True)
class DMResult:
    statistic: float
    pvalue: float  # two-sided
    n: int
    h: int


def dm_test(loss_differential, h: int = 1) -> DMResult:
    """HLN-corrected DM test on a loss differential series (NaN entries dropped)."""
    if int(h) != h or h < 1:
        raise ForecastError(f"DM test horizon h must be a whole number >= 1, got {h}")
    d = np.asarray(loss_differential, dtype=float)
    d = d[np.isfinite(d)]
    n = d.size
    if n < 2 or n <= h:
        return DMResult(np.nan, np.nan, n, int(h))
    centred = d - d.mean()
    gamma = np.array([centred[k:] @ centred[: n - k] / n for k in range(int(h))])
    variance = gamma[0] + 2 * gamma[1:].sum()
    if variance <= 0:
        weights = 1 - np.arange(1, h) / h
        variance = gamma[0] + 2 * (weights * gamma[1:]).sum()
    if variance <= 0:  # a constant differential: no sampling variation to test against
        return DMResult(np.nan, np.nan, n, int(h))
    statistic = d.mean() / np.sqrt(variance / n)
    correction = np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    statistic *= correction
    pvalue = 2 * stats.t.sf(abs(statistic), df=n - 1)
    return DMResult(float(statistic), float(pvalue), n, int(h))
