"""Seasonal naive: each slot repeats the same slot one season (week or day) ago.

The weekly version is the yardstick every other model must beat. Dispersion is
fitted to its in-sample seasonal residuals ``y[t] - y[t - season]``, which is
exactly the error it makes out of sample (about twice the Poisson variance when
counts are Poisson, since the forecast copies last season's noise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..clock import Periods
from ..errors import ForecastError
from .base import ForecastModel, require_observed

_SEASONS = ("week", "day")


class SeasonalNaive(ForecastModel):
    """Repeat the last ``season`` ("week" or "day") of observations."""

    refit_days = 0  # fast: refitted at every backtest issue time, whatever the machine's load

    def __init__(self, season: str = "week") -> None:
        super().__init__()
        if season not in _SEASONS:
            raise ForecastError(f"SeasonalNaive season must be one of {_SEASONS}, got {season!r}")
        self.season = season
        self.name = "seasonal_naive" if season == "week" else "seasonal_naive_daily"

    def _period(self, periods: Periods) -> int:
        return periods.week if self.season == "week" else periods.day

    def min_length(self, periods: Periods) -> int:
        # One season to copy and one more to measure its errors for the quantiles.
        return 2 * self._period(periods)

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        m = self._period(periods)
        require_observed(y.iloc[-m:], self.name, f"the last {self.season}")
        self._last_season = y.to_numpy(dtype=float)[-m:]
        return y.shift(m).to_numpy(dtype=float)

    def _predict_mean(self, horizon: int) -> np.ndarray:
        return np.resize(self._last_season, horizon)
