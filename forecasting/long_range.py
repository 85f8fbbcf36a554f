"""Long-range forecasts for finance: daily totals 12 to 18 months ahead, spread over intervals.

Daily totals (local calendar days) are modelled by a quasi-Poisson GLM with a log
link (statsmodels):

    log E[calls on day t] = trend(t) + annual Fourier terms (order K) + day of week + holiday

``trend`` is linear in years (a constant growth rate) or absent. Holidays come
from the ``holidays`` package for a country (and optional subdivision). The
dispersion phi (Pearson chi^2 / residual df) widens the Poisson variance, so
the day's predictive variance is phi * mu + (mu * se)^2, where se is the
standard error of the linear predictor (parameter uncertainty, which grows as
the trend is extrapolated). Daily quantiles use a normal approximation of that
variance (daily totals are large), clipped at 0.

Intervals: each local day's mean is spread over its wall-clock slots with an
intraday profile learned by day of week from the last ``profile_weeks`` weeks
(the mean share of the day's calls in each slot), then mapped to the real
intervals of that day and rescaled so they sum to the day's mean (clock-change
days have 92 or 100 fifteen-minute intervals). Interval quantiles are negative
binomial with the day's relative variance: Var = phi * m + (m * se)^2 per
interval (``models.predictive.Dispersion``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import holidays as holidays_lib
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .clock import Periods, future_intervals, infer_interval, to_wall_clock, wall_time
from .errors import ForecastError
from .history import validate_history
from .models.predictive import Dispersion, validate_quantiles
from .schema import CALLS, DEFAULT_QUANTILES, INTERVAL_START, QUEUE, quantile_column

YEAR_DAYS = 365.25
DATE = "date"


@dataclass(frozen=True)
class LongRangeSettings:
    annual_order: int = 3
    trend: str = "linear"  # "linear" (log scale: constant growth) or "none"
    holiday_country: str | None = "GB"
    holiday_subdiv: str | None = "ENG"
    profile_weeks: int = 12
    quantiles: tuple[float, ...] = field(default=DEFAULT_QUANTILES)

    def __post_init__(self) -> None:
        if int(self.annual_order) != self.annual_order or not 0 <= self.annual_order <= 10:
            raise ForecastError(f"annual_order must be a whole number from 0 to 10, got {self.annual_order}")
        if self.trend not in ("linear", "none"):
            raise ForecastError(f"trend must be 'linear' or 'none', got {self.trend!r}")
        if int(self.profile_weeks) != self.profile_weeks or self.profile_weeks < 1:
            raise ForecastError(f"profile_weeks must be a whole number >= 1, got {self.profile_weeks}")
        if self.holiday_country is not None:
            try:
                holidays_lib.country_holidays(self.holiday_country, subdiv=self.holiday_subdiv, years=2020)
            except (NotImplementedError, KeyError) as exc:
                raise ForecastError(f"holidays for country {self.holiday_country!r} subdivision "
                                    f"{self.holiday_subdiv!r} are not known: {exc}") from None
        object.__setattr__(self, "quantiles", validate_quantiles(self.quantiles))

    @property
    def min_days(self) -> int:
        # A full year to see the annual cycle once; otherwise eight weeks for the weekly one.
        return 365 if self.annual_order else 56


class DailyModel:
    """The daily-total GLM. ``fit(daily)`` with a Series indexed by dates; ``predict(dates)``."""

    def __init__(self, settings: LongRangeSettings = LongRangeSettings()) -> None:
        self.settings = settings

    def fit(self, daily: pd.Series) -> "DailyModel":
        daily = daily.astype(float)
        if len(daily) < self.settings.min_days:
            raise ForecastError(f"long range: history has {len(daily)} whole days, needs at least "
                                f"{self.settings.min_days} (annual_order={self.settings.annual_order})")
        if daily.isna().any():
            raise ForecastError(f"long range: daily total missing on {daily.index[daily.isna().argmax()].date()}")
        self._origin = daily.index[0]
        X = self._design(daily.index)
        with np.errstate(all="ignore"):
            result = sm.GLM(daily.to_numpy(), X, family=sm.families.Poisson()).fit(scale="X2")
        self._result = result
        self.phi = max(float(result.scale), 1.0)
        return self

    def predict(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        X = self._design(pd.DatetimeIndex(dates))
        linear = X @ self._result.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, self._result.cov_params(), X))
        mean = np.exp(linear + se**2 / 2)  # lognormal mean of exp(linear predictor)
        sd = np.sqrt(self.phi * mean + (mean * se) ** 2)
        frame = pd.DataFrame({CALLS: mean, "rel_se": se}, index=pd.DatetimeIndex(dates, name=DATE))
        for q in self.settings.quantiles:
            frame[quantile_column(q)] = np.clip(mean + stats.norm.ppf(q) * sd, 0.0, None)
        return frame

    @property
    def annual_growth(self) -> float:
        """Fitted growth per year of the trend (0 without a trend)."""
        if self.settings.trend == "none":
            return 0.0
        return float(np.expm1(self._result.params[1]))

    def _design(self, dates: pd.DatetimeIndex) -> np.ndarray:
        s = self.settings
        t = ((dates - self._origin) / pd.Timedelta(days=1)).to_numpy(dtype=float)
        columns = [np.ones(len(dates))]
        if s.trend == "linear":
            columns.append(t / YEAR_DAYS)
        day_of_year = dates.day_of_year.to_numpy(dtype=float)
        for k in range(1, s.annual_order + 1):
            angle = 2 * np.pi * k * day_of_year / YEAR_DAYS
            columns += [np.sin(angle), np.cos(angle)]
        for dow in range(1, 7):  # Monday is the reference
            columns.append((dates.day_of_week == dow).astype(float))
        if s.holiday_country is not None:
            years = range(dates.min().year, dates.max().year + 1)
            days = holidays_lib.country_holidays(s.holiday_country, subdiv=s.holiday_subdiv, years=years)
            columns.append(np.isin(dates.date, list(days)).astype(float))
        return np.column_stack(columns)


@dataclass(frozen=True)
class LongRangeResult:
    daily: pd.DataFrame  # queue, date, calls, calls_pXX
    intervals: pd.DataFrame  # queue, interval_start (real, tz-aware), calls, calls_pXX
    growth: dict  # queue -> fitted annual growth of the trend


def long_range_forecast(history: pd.DataFrame, horizon_days: int = 548,
                        settings: LongRangeSettings = LongRangeSettings()) -> LongRangeResult:
    """Daily and interval forecasts ``horizon_days`` ahead for every queue of ``history``."""
    if int(horizon_days) != horizon_days or horizon_days < 1:
        raise ForecastError(f"horizon_days must be a whole number >= 1, got {horizon_days}")
    history = validate_history(history)
    daily_frames, interval_frames, growth = [], [], {}
    for queue, rows in history.groupby(QUEUE, sort=True):
        real = rows.set_index(INTERVAL_START)[CALLS].astype(float)
        try:
            daily, intervals, model = _queue(real, int(horizon_days), settings)
        except ForecastError as exc:
            raise ForecastError(f"queue {queue!r}: {exc}") from None
        daily_frames.append(daily.reset_index().assign(**{QUEUE: queue}))
        interval_frames.append(intervals.assign(**{QUEUE: queue}))
        growth[queue] = model.annual_growth
    q_cols = [quantile_column(q) for q in settings.quantiles]
    return LongRangeResult(
        daily=pd.concat(daily_frames, ignore_index=True)[[QUEUE, DATE, CALLS, *q_cols]],
        intervals=pd.concat(interval_frames, ignore_index=True)[[QUEUE, INTERVAL_START, CALLS, *q_cols]],
        growth=growth,
    )


def daily_totals(real: pd.Series) -> pd.Series:
    """Calls per local calendar day; a first or last day the history covers only in part is dropped."""
    local = wall_time(real.index)
    interval = infer_interval(real.index)
    totals = real.groupby(local.normalize()).sum()
    totals.index = pd.DatetimeIndex(totals.index, name=DATE)
    if local[0] != local[0].normalize():
        totals = totals.iloc[1:]
    if (local[-1] + interval) != (local[-1] + interval).normalize():
        totals = totals.iloc[:-1]
    return totals.asfreq("D")


def intraday_profile(wall: pd.Series, weeks: int) -> np.ndarray:
    """Mean share of a day's calls in each wall-clock slot, by day of week: shape (7, slots per day)."""
    periods = Periods.of(wall.index.freq)
    first = wall.index.searchsorted(wall.index[-1].normalize() + pd.Timedelta(days=1) - pd.Timedelta(weeks=weeks))
    recent = wall.iloc[first:]
    recent = recent.iloc[recent.index.searchsorted(recent.index[0].ceil("D")):]  # whole days only
    days = len(recent) // periods.day
    values = recent.to_numpy(dtype=float)[: days * periods.day].reshape(days, periods.day)
    totals = np.nansum(values, axis=1, keepdims=True)
    shares = np.divide(values, totals, out=np.full(values.shape, np.nan), where=totals > 0)
    dow = recent.index[:: periods.day][:days].day_of_week
    profile = np.full((7, periods.day), 1.0 / periods.day)
    for d in range(7):
        rows = shares[dow == d]
        if len(rows) and np.isfinite(rows).any():
            mean = np.nanmean(rows, axis=0)
            profile[d] = np.nan_to_num(mean) / np.nansum(mean)
    return profile


def _queue(real: pd.Series, horizon: int, settings: LongRangeSettings):
    interval = infer_interval(real.index)
    daily = daily_totals(real)
    model = DailyModel(settings).fit(daily)
    days = pd.date_range(daily.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D", name=DATE)
    forecast = model.predict(days)
    profile = intraday_profile(to_wall_clock(real, interval), settings.profile_weeks)

    # Real intervals from the first forecast day's midnight to the end of the last.
    last_real = real.index[-1]
    future = future_intervals(last_real, horizon + 2, interval)
    local = wall_time(future)
    keep = (local.normalize() >= days[0]) & (local.normalize() <= days[-1])
    future, local = future[keep], local[keep]
    day = local.normalize()
    slot = ((local - day) // interval).to_numpy()
    share = profile[day.day_of_week.to_numpy(), slot]
    share = share / pd.Series(share).groupby(day).transform("sum").to_numpy()  # each real day sums to 1
    per_day = forecast.reindex(day)
    mean = per_day[CALLS].to_numpy() * share
    rel_var = per_day["rel_se"].to_numpy() ** 2
    out = pd.DataFrame({INTERVAL_START: future, CALLS: mean})
    q_cols = [quantile_column(q) for q in settings.quantiles]
    values = np.zeros((len(mean), len(q_cols)))
    for value in np.unique(rel_var):  # one distribution shape per day
        rows = rel_var == value
        values[rows] = Dispersion(linear=model.phi, quadratic=float(value)).quantiles(mean[rows], settings.quantiles)
    out[q_cols] = values
    return forecast.drop(columns="rel_se"), out, model
