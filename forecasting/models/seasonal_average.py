"""Seasonal average: mean of the same wall-clock slot over the last k weeks.

Taylor (2008) found this hard to beat beyond two or three days ahead. Missing
weeks are skipped slot by slot. ``smooth`` (an odd number of slots) then
averages each slot with its neighbours in the week, with triangular weights
(``smooth=3``: 1/4, 1/2, 1/4), wrapping around the end of the week: less noise
at the cost of blurring sharp changes within the hour. Dispersion is fitted to in-sample residuals
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

    refit_days = 0  # fast: refitted at every backtest issue time, whatever the machine's load

    name = "seasonal_average"

    def __init__(self, weeks: int = 8, smooth: int = 1, name: str = "seasonal_average") -> None:
        super().__init__()
        if int(weeks) != weeks or weeks < 1:
            raise ForecastError(f"SeasonalAverage weeks must be a positive whole number, got {weeks}")
        if int(smooth) != smooth or smooth < 1 or smooth % 2 == 0:
            raise ForecastError(f"SeasonalAverage smooth must be an odd whole number of slots >= 1, got {smooth}")
        self.weeks = int(weeks)
        self.smooth = int(smooth)
        self.name = name

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
        self._pattern = _smooth(pattern, self.smooth, circular=True)
        lags = np.column_stack([y.shift(j * m).to_numpy(dtype=float) for j in range(1, self.weeks + 1)])
        fitted = _smooth(_nanmean(lags, axis=1), self.smooth, circular=False)
        # Score only rows averaged over as many weeks as the forecast will be:
        # shorter averages are noisier and would overstate the spread.
        count = np.isfinite(lags).sum(axis=1)
        return np.where(count == count.max(), fitted, np.nan)

    def _predict_mean(self, horizon: int) -> np.ndarray:
        return np.resize(self._pattern, horizon)


def _smooth(values: np.ndarray, width: int, circular: bool) -> np.ndarray:
    """Triangular moving average of odd ``width`` (identity for 1); NaN-aware, renormalised."""
    if width == 1:
        return values
    half = width // 2
    kernel = 1.0 - np.abs(np.arange(-half, half + 1)) / (half + 1)
    ok = np.isfinite(values)
    data = np.where(ok, values, 0.0)
    if circular:
        data, ok = np.concatenate([data[-half:], data, data[:half]]), np.concatenate([ok[-half:], ok, ok[:half]])
    total = np.convolve(data, kernel, mode="same" if not circular else "valid")
    weight = np.convolve(ok.astype(float), kernel, mode="same" if not circular else "valid")
    return np.divide(total, weight, out=np.full(total.shape, np.nan), where=weight > 0)


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """Mean ignoring NaN; NaN (without numpy's warning) where all are NaN."""
    count = np.isfinite(values).sum(axis=axis)
    total = np.nansum(values, axis=axis)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)
