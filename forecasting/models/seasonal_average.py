"""Seasonal average: mean of the same wall-clock slot over the last k weeks.

Taylor (2008) found this hard to beat beyond two or three days ahead. Missing
weeks are skipped slot by slot. Dispersion is fitted to in-sample residuals
against the same rule applied to the k weeks before each observation (only rows
with the most weeks available, so with short history, k-1 weeks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..clock import Periods
from ..errors import ForecastError
from .base import ForecastModel


class SeasonalAverage(ForecastModel):
    """Average of the same slot of the week over the last ``weeks`` weeks."""

    name = "seasonal_average"

    def __init__(self, weeks: int = 8) -> None:
        super().__init__()
        if int(weeks) != weeks or weeks < 1:
            raise ForecastError(f"SeasonalAverage weeks must be a positive whole number, got {weeks}")
        self.weeks = int(weeks)

    def min_length(self, periods: Periods) -> int:
        # One week to average and one more to measure its errors for the quantiles.
        return 2 * periods.week

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        m = periods.week
        values = y.to_numpy(dtype=float)
        n_weeks = min(self.weeks, len(values) // m)
        recent = values[len(values) - n_weeks * m :].reshape(n_weeks, m)
        pattern = _nanmean(recent, axis=0)
        if np.isnan(pattern).any():
            slot = y.index[len(values) - m + int(np.argmax(np.isnan(pattern)))]
            raise ForecastError(f"{self.name}: slot of {slot} has no observation in the last {n_weeks} weeks; needs one")
        self._pattern = pattern
        lags = np.column_stack([y.shift(j * m).to_numpy(dtype=float) for j in range(1, self.weeks + 1)])
        fitted = _nanmean(lags, axis=1)
        # Score only rows averaged over as many weeks as the forecast will be:
        # shorter averages are noisier and would overstate the spread.
        count = np.isfinite(lags).sum(axis=1)
        return np.where(count == count.max(), fitted, np.nan)

    def _predict_mean(self, horizon: int) -> np.ndarray:
        return np.resize(self._pattern, horizon)


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """Mean ignoring NaN; NaN (without numpy's warning) where all are NaN."""
    count = np.isfinite(values).sum(axis=axis)
    total = np.nansum(values, axis=axis)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)
