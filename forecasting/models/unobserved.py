"""Unobserved components with trigonometric daily and weekly seasonals.

statsmodels ``UnobservedComponents``: a local level, trigonometric seasonals of
one day (``daily`` harmonics) and one week (``weekly`` harmonics) (the
``freq_seasonal`` terms), an irregular term, optionally an AR(1) component,
and the special-day columns (``SpecialDays``) as regressors. Events with a
given uplift divide the history and multiply the forecast.

Slow on 15-minute data: the Kalman filter carries 1 + 2*(daily + weekly) states
through every slot and the likelihood is maximised numerically, so the fit
uses only the last ``fit_weeks`` weeks (default 4, ~2.7k slots) with few
harmonics (6 daily, 3 weekly), deterministic seasonals by default (stochastic
ones about triple the time and rarely help), and no daily x weekly
interaction (the harmonic regressions have it). About 1 s per fit on
15-minute data with the defaults (6 weeks and 8 daily harmonics: ~3-6 s);
each extra harmonic adds two states. The slowest model in the registry.

In-sample fitted values for the spread are the one-step-ahead predictions,
ignoring the first week (the diffuse start).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.statespace.structural import UnobservedComponents

from ..clock import Periods
from ..errors import ForecastError
from ..special_days import SpecialDays
from .base import ForecastModel
from .harmonics import informative, special_design


class UnobservedComponentsModel(ForecastModel):
    """Local level + trigonometric daily/weekly seasonals (+ AR(1), special days)."""

    name = "unobserved_components"
    uses_special_days = True
    updates = True  # the Kalman filter runs on over new slots (statsmodels ``extend``)
    refit_days = 7  # the likelihood maximisation is the slow part

    def __init__(
        self,
        fit_weeks: int = 4,
        daily: int = 6,
        weekly: int = 3,
        stochastic_seasonals: bool = False,
        autoregressive: bool = False,
        special_days: SpecialDays | None = SpecialDays(),
        min_weeks: int = 2,
    ) -> None:
        super().__init__()
        if int(min_weeks) != min_weeks or min_weeks < 2:
            raise ForecastError(f"UnobservedComponentsModel min_weeks must be a whole number >= 2, got {min_weeks}")
        if int(fit_weeks) != fit_weeks or fit_weeks < min_weeks:
            raise ForecastError(f"UnobservedComponentsModel fit_weeks must be a whole number >= min_weeks={min_weeks}, got {fit_weeks}")
        if any(int(k) != k or k < 1 for k in (daily, weekly)) or weekly > 3:
            raise ForecastError(f"UnobservedComponentsModel needs daily >= 1 and weekly in 1..3 harmonics (weekly 7 repeats daily 1), got {daily}, {weekly}")
        self.fit_weeks = int(fit_weeks)
        self.daily = int(daily)
        self.weekly = int(weekly)
        self.stochastic_seasonals = bool(stochastic_seasonals)
        self.autoregressive = bool(autoregressive)
        self.special_days = special_days
        self.min_weeks = int(min_weeks)

    def min_length(self, periods: Periods) -> int:
        return self.min_weeks * periods.week

    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        window = y.iloc[-self.fit_weeks * periods.week :]
        values = window.to_numpy(dtype=float)
        observed = np.isfinite(values)
        if observed.sum() < periods.week:
            raise ForecastError(f"{self.name}: {observed.sum()} observed slots in the last {self.fit_weeks} weeks; needs at least a week ({periods.week})")
        special, multiplier = special_design(self.special_days, window.index)
        self._columns = informative(special, observed)
        exog = special[self._columns].to_numpy() if self._columns else None
        daily = min(self.daily, (periods.day - 1) // 2)
        model = UnobservedComponents(
            values / multiplier,
            level="local level",
            freq_seasonal=[{"period": periods.day, "harmonics": daily}, {"period": periods.week, "harmonics": self.weekly}],
            stochastic_freq_seasonal=[self.stochastic_seasonals] * 2,
            autoregressive=1 if self.autoregressive else None,
            exog=exog,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (ConvergenceWarning, UserWarning, RuntimeWarning))
            self._result = model.fit(disp=False)
        self._periods, self._last = periods, window.index[-1]
        one_step = multiplier * np.asarray(self._result.fittedvalues, dtype=float)
        one_step[: periods.week] = np.nan  # diffuse start
        fitted = np.full(len(y), np.nan)
        fitted[-len(values) :] = one_step
        return fitted

    def _update(self, seen: pd.Series) -> None:
        special, multiplier = special_design(self.special_days, seen.index)
        exog = special[self._columns].to_numpy() if self._columns else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (UserWarning, RuntimeWarning))
            self._result = self._result.extend(seen.to_numpy(dtype=float) / multiplier, exog=exog)
        self._last = seen.index[-1]

    def _predict_mean(self, horizon: int) -> np.ndarray:
        index = pd.date_range(self._last + self._periods.interval, periods=horizon, freq=self._periods.interval)
        special, multiplier = special_design(self.special_days, index)
        exog = special[self._columns].to_numpy() if self._columns else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (UserWarning, RuntimeWarning))
            mean = np.asarray(self._result.forecast(horizon, exog=exog), dtype=float)
        return multiplier * mean
