"""The built-in demo call history: two years of 999 and 101 demand for a mid-size force.

Rates follow the local wall clock (daily, weekly and annual patterns, English bank holidays,
New Year's Eve, a mild trend, a few unannounced surges). Counts are Poisson around them times a
day-level gamma multiplier, because real daily totals vary more than Poisson alone allows
(Brown et al. 2005). The output is the canonical history table of `forecasting.schema`.
"""

from __future__ import annotations

from typing import Callable, Mapping

import holidays
import numpy as np
import pandas as pd

from forecasting.schema import AHT, CALLS, HISTORY_COLUMNS, INTERVAL_START, QUEUE

CALLS_PER_DAY = {"999": 600.0, "101": 1700.0}   # one mid-size force's published figures
MEAN_HANDLE_S = {"999": 300.0, "101": 420.0}
HANDLE_CV = {"999": 0.7, "101": 0.75}           # per-call lognormal handle times
DAY_CV = 0.06                                   # day-to-day overdispersion of the rate

# Relative call rate in each hour of the local day (value at the middle of the hour).
# 999 peaks in the evening; 101 follows office hours.
_HOURLY = {
    "999": np.array([0.90, 0.72, 0.56, 0.45, 0.38, 0.37, 0.45, 0.60, 0.80, 0.95, 1.00, 1.05,
                     1.10, 1.10, 1.15, 1.25, 1.35, 1.45, 1.52, 1.55, 1.50, 1.42, 1.30, 1.12]),
    "101": np.array([0.35, 0.25, 0.18, 0.14, 0.13, 0.15, 0.30, 0.60, 1.10, 1.45, 1.55, 1.55,
                     1.50, 1.50, 1.50, 1.50, 1.45, 1.35, 1.20, 1.10, 0.95, 0.80, 0.65, 0.50]),
}
# Day-of-week factors, Monday first.
_WEEKDAY = {
    "999": np.array([0.97, 0.95, 0.96, 0.98, 1.03, 1.08, 1.04]),
    "101": np.array([1.12, 1.06, 1.04, 1.02, 1.00, 0.86, 0.80]),
}
_SUNDAY = 6


def demo_history(seed: int = 0, days: int = 730, end: str = "2026-11-02",
                 timezone: str = "Europe/London", interval_minutes: int = 15,
                 progress: Callable[[str], None] | None = None, *,
                 calls_per_day: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Demo history of queues "999" and "101": ``days`` local days ending just before ``end``.

    ``end`` is the first local day not in the history (the day a plan would start).
    ``calls_per_day`` overrides the average daily calls per queue (default 600 and 1,700).
    The same seed always gives the same table.
    """
    if interval_minutes <= 0 or 60 % interval_minutes:
        raise ValueError(f"interval_minutes must divide an hour, got {interval_minutes}")
    if set(calls_per_day or {}) - set(CALLS_PER_DAY):
        raise ValueError(f"calls_per_day has queues {sorted(calls_per_day)}; "
                         f"the demo has {sorted(CALLS_PER_DAY)}")
    say = progress or (lambda message: None)
    rng = np.random.default_rng(seed)
    targets = {**CALLS_PER_DAY, **(calls_per_day or {})}
    index = _local_index(end, days, timezone, interval_minutes)
    clock = _Clock(index, interval_minutes)
    say(f"demo history: {days} days, {len(index)} intervals per queue")
    surge_999, surge_101 = _surges(rng, clock, 60 // interval_minutes)
    rates = {"999": _rate_999(clock) * surge_999, "101": _rate_101(clock) * surge_101}
    frames = []
    for queue, rate in rates.items():
        rate = rate * targets[queue] * days / rate.sum()
        calls = _counts(rng, rate, clock.day_id)
        aht = _mean_handle_times(rng, calls, _handle_means(clock, rate, MEAN_HANDLE_S[queue]),
                                 HANDLE_CV[queue])
        frames.append(pd.DataFrame({QUEUE: queue, INTERVAL_START: index, CALLS: calls, AHT: aht}))
        say(f"demo history: queue {queue}, {calls.sum() / days:.0f} calls a day")
    history = pd.concat(frames, ignore_index=True)
    return history.sort_values([QUEUE, INTERVAL_START], ignore_index=True)[list(HISTORY_COLUMNS)]


def _local_index(end: str, days: int, timezone: str, minutes: int) -> pd.DatetimeIndex:
    """Real uniform intervals between two local midnights: built in UTC so clock changes give
    92- and 100-interval days rather than missing or doubled wall-clock times."""
    last = pd.Timestamp(end).normalize()
    first = last - pd.Timedelta(days=days)
    start, stop = (pd.Timestamp(day, tz=timezone).tz_convert("UTC") for day in (first, last))
    return pd.date_range(start, stop, freq=f"{minutes}min", inclusive="left",
                         unit="ns").tz_convert(timezone)


class _Clock:
    """Wall-clock features of each interval, which is what drives human demand."""

    def __init__(self, index: pd.DatetimeIndex, minutes: int):
        midpoint = index + pd.Timedelta(minutes=minutes) / 2
        self.hour = (midpoint.hour + midpoint.minute / 60).to_numpy(float)
        self.dow = index.day_of_week.to_numpy()
        dates = index.tz_localize(None).normalize()
        self.day_id = pd.factorize(dates)[0]
        # A night belongs to the evening it started on: shift the clock back 12 hours.
        night = (index.tz_localize(None) - pd.Timedelta(hours=12)).normalize()
        self.night_dow = night.day_of_week.to_numpy()
        self.night_hour = (self.hour - 12) % 24          # 0 at noon, 12 at midnight
        self.night_is_nye = (night.month == 12) & (night.day == 31)
        bank = holidays.country_holidays("GB", subdiv="ENG",
                                         years=range(dates.year.min(), dates.year.max() + 2))
        bank_days = pd.DatetimeIndex(sorted(pd.Timestamp(day) for day in bank))
        self.bank_holiday = dates.isin(bank_days)
        self.night_before_bank_holiday = (night + pd.Timedelta(days=1)).isin(bank_days)
        # +1 in mid-July, -1 in mid-January
        self.season = np.cos(2 * np.pi * (index.day_of_year.to_numpy() - 196) / 365.25)
        self.years = ((index - index[0]) / pd.Timedelta(days=365.25)).to_numpy(float)


def _hourly(table: np.ndarray, hour: np.ndarray) -> np.ndarray:
    return np.interp(hour, np.arange(24) + 0.5, table, period=24)


def _window(x: np.ndarray, points: list[float], values: list[float]) -> np.ndarray:
    return np.interp(x, points, values, left=values[0], right=values[-1])


def _rate_999(clock: _Clock) -> np.ndarray:
    weekend_day = (clock.dow >= 5) | clock.bank_holiday
    dow = np.where(clock.bank_holiday, _SUNDAY, clock.dow)     # a bank holiday is like a Sunday
    rate = _hourly(_HOURLY["999"], clock.hour) * _WEEKDAY["999"][dow]
    rate *= 1 - 0.15 * weekend_day * _window(clock.hour, [6, 7, 10, 12], [0, 1, 1, 0])
    night_out = np.isin(clock.night_dow, [4, 5]) | clock.night_before_bank_holiday  # Fri, Sat
    late = _window(clock.night_hour, [7, 10, 11, 14, 17], [0, 0.7, 1, 1, 0])   # 19:00-05:00
    rate *= 1 + 0.45 * night_out * late
    nye = _window(clock.night_hour, [10, 11, 15, 16], [0, 1, 1, 0])            # 22:00-04:00
    rate *= 1 + 1.5 * clock.night_is_nye * nye
    # Long light summer evenings bring more incidents than winter ones.
    evening = _window(clock.night_hour, [4, 6, 12, 14], [0, 1, 1, 0])          # 16:00-02:00
    rate *= (1 + 0.07 * clock.season) * (1 + 0.10 * clock.season * evening)
    return rate * (1 + 0.03 * clock.years)


def _rate_101(clock: _Clock) -> np.ndarray:
    rate = _hourly(_HOURLY["101"], clock.hour) * _WEEKDAY["101"][clock.dow]
    office = _window(clock.hour, [7, 9, 17, 19], [0, 1, 1, 0])
    rate *= 1 - 0.15 * (clock.dow >= 5) * office
    rate *= 1 - 0.5 * clock.bank_holiday * office
    rate *= 1 + 0.04 * clock.season
    return rate * (1 + 0.015 * clock.years)


def _surges(rng: np.random.Generator, clock: _Clock,
            per_hour: int) -> tuple[np.ndarray, np.ndarray]:
    """Unannounced surges (a major incident, a heatwave afternoon): about one a month, 2-6 hours,
    999 times 1.5-2.5; some 999 callers' neighbours ring 101 too, so it rises a third as much."""
    n = len(clock.hour)
    surge_999, surge_101 = np.ones(n), np.ones(n)
    days = clock.day_id.max() + 1
    for _ in range(rng.poisson(days / 30)):
        start = rng.integers(n)
        length = rng.integers(2 * per_hour, 6 * per_hour + 1)
        factor = rng.uniform(1.5, 2.5)
        surge_999[start:start + length] *= factor
        surge_101[start:start + length] *= 1 + (factor - 1) / 3
    return surge_999, surge_101


def _counts(rng: np.random.Generator, rate: np.ndarray, day_id: np.ndarray) -> np.ndarray:
    shape = 1 / DAY_CV**2
    day_factor = rng.gamma(shape, 1 / shape, size=day_id.max() + 1)
    return rng.poisson(rate * day_factor[day_id]).astype(np.int64)


def _handle_means(clock: _Clock, rate: np.ndarray, mean_s: float) -> np.ndarray:
    """Mean handle time by interval: about 10% longer at 03:00 than the day's average (fewer,
    more complex calls at night), scaled so the call-weighted mean is ``mean_s``."""
    shape = 1 + 0.1 * np.cos(2 * np.pi * (clock.hour - 3) / 24)
    return mean_s * shape / np.average(shape, weights=rate)


def _mean_handle_times(rng: np.random.Generator, calls: np.ndarray, means: np.ndarray,
                       cv: float) -> np.ndarray:
    """Exact mean of each interval's lognormal handle times: one vectorised draw per call
    (about 1.7 million for the default history), summed per interval with bincount."""
    sigma2 = np.log1p(cv**2)
    interval = np.repeat(np.arange(len(calls)), calls)
    draws = rng.lognormal(np.log(means[interval]) - sigma2 / 2, np.sqrt(sigma2))
    totals = np.bincount(interval, weights=draws, minlength=len(calls))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(calls > 0, totals / calls, np.nan)
