"""The contract every forecasting model follows (statsforecast-like).

Settings go in ``__init__``; ``fit(y)`` learns from one queue's counts on the
regular, tz-naive wall-clock grid (see ``forecasting.clock``) and returns the
model; ``predict(horizon, quantiles)`` returns a frame indexed by the next
``horizon`` wall-clock slots with columns

    calls        float >= 0, mean forecast
    calls_pXX    float >= 0, one per quantile (``schema.quantile_column``)

The spread comes from ``predictive.Dispersion`` fitted to the in-sample
residuals the subclass returns from ``_fit``, so every model's quantiles are
count-shaped the same way. Calling ``fit`` again replaces all fitted state, so
one instance can be refitted at each backtest origin.

A subclass sets ``name``, implements ``min_length`` (observations it needs),
``_fit`` (returns in-sample fitted means aligned with ``y``, NaN where it has
none) and ``_predict_mean``. It raises ``ForecastError`` with one line naming
what it needs when it cannot fit.

Optional: a model that can carry its fitted state forward over newly observed
slots without re-estimating anything sets ``updates = True`` and implements
``_update(seen)``; ``update(seen)`` then re-anchors it so that ``predict``
forecasts from the slot after ``seen`` (parameters and dispersion stay those
of the fit). The backtest harness uses it between refits. ``refit_days`` is the
model's backtest cadence when the harness's refit policy is automatic (0:
refit at every issue time; the slow, updatable models: 7); without one, the
harness times the first fit, which depends on the machine's load.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np
import pandas as pd

from ..clock import Periods
from ..errors import ForecastError
from ..schema import DEFAULT_QUANTILES
from ..threads import one_blas_thread
from .predictive import Dispersion, predictive_frame


class ForecastModel(ABC):
    """Base class: validation, the predictive distribution and the forecast index."""

    name: str = "model"
    updates: bool = False  # implements _update (see the module docstring)
    refit_days: int | None = None  # automatic backtest refit cadence in days (0: every issue); None: timed

    def __init__(self) -> None:
        self._state: tuple[pd.Timestamp, Periods, Dispersion] | None = None

    @abstractmethod
    def min_length(self, periods: Periods) -> int:
        """Fewest observations ``fit`` accepts at this interval length."""

    @abstractmethod
    def _fit(self, y: pd.Series, periods: Periods) -> np.ndarray:
        """Learn from ``y``; return in-sample fitted means (NaN where none)."""

    @abstractmethod
    def _predict_mean(self, horizon: int) -> np.ndarray:
        """Mean forecast for the next ``horizon`` slots (may be negative; clipped later)."""

    def fit(self, y: pd.Series) -> "ForecastModel":
        periods = check_series(y, self.name)
        need = self.min_length(periods)
        if len(y) < need:
            raise ForecastError(
                f"{self.name}: series has {len(y)} intervals, needs at least {need} ({_as_days(need, periods)})"
            )
        self._state = None
        with one_blas_thread():
            fitted = self._fit(y, periods)
        self._fit_values = fitted  # in-sample fitted means, for combinations
        dispersion = Dispersion.from_residuals(y.to_numpy(dtype=float), fitted)
        self._state = (y.index[-1], periods, dispersion)
        return self

    def predict(self, horizon: int, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pd.DataFrame:
        if self._state is None:
            raise ForecastError(f"{self.name}: predict called before a successful fit")
        if int(horizon) != horizon or horizon < 1:
            raise ForecastError(f"{self.name}: horizon must be a positive whole number of slots, got {horizon}")
        last, periods, dispersion = self._state
        index = pd.date_range(last + periods.interval, periods=int(horizon), freq=periods.interval)
        with one_blas_thread():
            mean = self._predict_mean(int(horizon))
        return predictive_frame(index, mean, dispersion, quantiles)

    def update(self, seen: pd.Series) -> "ForecastModel":
        """Carry the fitted state over ``seen``, the slots right after the last one seen; returns the model."""
        if not self.updates:
            raise ForecastError(f"{self.name}: cannot be updated with new data; refit it")
        if self._state is None:
            raise ForecastError(f"{self.name}: update called before a successful fit")
        last, periods, dispersion = self._state
        if len(seen) == 0:
            return self
        expected = pd.date_range(last + periods.interval, periods=len(seen), freq=periods.interval)
        if not isinstance(seen.index, pd.DatetimeIndex) or not seen.index.equals(expected):
            raise ForecastError(f"{self.name}: update needs slots continuing from {expected[0]} every {periods.interval}")
        if (seen.to_numpy(dtype=float) < 0).any():
            raise ForecastError(f"{self.name}: negative count at {seen.index[np.argmax(seen.to_numpy() < 0)]}")
        with one_blas_thread():
            self._update(seen)
        self._state = (seen.index[-1], periods, dispersion)
        return self

    def _update(self, seen: pd.Series) -> None:
        raise ForecastError(f"{self.name}: cannot be updated with new data; refit it")

    @property
    def dispersion(self) -> Dispersion:
        """The fitted predictive dispersion (after ``fit``)."""
        if self._state is None:
            raise ForecastError(f"{self.name}: not fitted")
        return self._state[2]

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({settings})"


def grid_periods(y: pd.Series, who: str) -> Periods:
    """Periods of a series on the regular tz-naive wall-clock grid; ForecastError if it is not one."""
    if not isinstance(y, pd.Series) or not isinstance(y.index, pd.DatetimeIndex):
        raise ForecastError(f"{who}: y must be a pandas Series with a DatetimeIndex")
    if y.index.tz is not None:
        raise ForecastError(f"{who}: y must be on the tz-naive wall-clock grid (see forecasting.clock.to_wall_clock)")
    freq = y.index.freq or _regular_step(y.index)
    if freq is None:
        raise ForecastError(f"{who}: y's index has no regular frequency")
    return Periods.of(freq)


def _regular_step(index: pd.DatetimeIndex) -> pd.Timedelta | None:
    """The one step between all timestamps (three at least, as pandas' infer_freq asks), else None."""
    if len(index) < 3:
        return None
    steps = index[1:] - index[:-1]
    return steps[0] if steps[0] > pd.Timedelta(0) and (steps == steps[0]).all() else None


def check_series(y: pd.Series, who: str) -> Periods:
    """``grid_periods`` plus the values a model needs: >= 0 and at least one call."""
    periods = grid_periods(y, who)
    values = y.to_numpy(dtype=float)
    if (values < 0).any():
        raise ForecastError(f"{who}: negative count at {y.index[np.argmax(values < 0)]}")
    if np.nansum(values) == 0:
        raise ForecastError(f"{who}: series has no calls (all zero or missing): needs at least one call")
    return periods


def require_observed(y: pd.Series, who: str, what: str) -> None:
    """Raise if ``y`` (the part a model uses) has NaN, naming the first gap."""
    gaps = y.isna().to_numpy()
    if gaps.any():
        raise ForecastError(f"{who}: missing value at {y.index[np.argmax(gaps)]} in {what}; needs gap-free data there")


def _as_days(n: int, periods: Periods) -> str:
    return f"{n / periods.day:g} days at {periods.interval}"
