"""Lead-time buckets of a rolling-origin backtest, on the local wall clock.

An origin is a local calendar day D. Forecasts are issued at two times of it:

    rest_of_day  issued at ``intraday_hour`` (e.g. 08:00) of D for the rest of D
    day_ahead    issued at midnight starting D, for the whole of D (the next 24 hours)
    week_ahead   issued at that midnight, for days D+1 to D+6 (days 2 to 7)
    weeks_2_6    issued at that midnight, for days D+7 to D+41

Buckets are defined on local calendar days, so on a clock-change day the
day_ahead bucket holds the day's real intervals: 92 fifteen-minute intervals on
a spring-forward day in Europe/London and 100 on a fall-back day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ForecastError

REST_OF_DAY = "rest_of_day"
DAY_AHEAD = "day_ahead"
WEEK_AHEAD = "week_ahead"
WEEKS_2_6 = "weeks_2_6"
BUCKETS = (REST_OF_DAY, DAY_AHEAD, WEEK_AHEAD, WEEKS_2_6)

# bucket -> (first lead day, one past the last lead day), counted from the origin day D = 0.
BUCKET_DAYS = {REST_OF_DAY: (0, 1), DAY_AHEAD: (0, 1), WEEK_AHEAD: (1, 7), WEEKS_2_6: (7, 42)}
MIDNIGHT_BUCKETS = (DAY_AHEAD, WEEK_AHEAD, WEEKS_2_6)


def buckets_within(horizon_days: int) -> dict[str, tuple[int, int]]:
    """The buckets scored with a horizon of ``horizon_days`` days, the last one cut to fit."""
    if int(horizon_days) != horizon_days or horizon_days < 1:
        raise ForecastError(f"backtest horizon must be a whole number of days >= 1, got {horizon_days}")
    return {b: (lo, min(hi, int(horizon_days))) for b, (lo, hi) in BUCKET_DAYS.items() if lo < horizon_days}


def day_numbers(local: pd.DatetimeIndex) -> np.ndarray:
    """Local calendar day of each (tz-naive, wall-clock) timestamp as a whole number of days."""
    return (local.normalize().as_unit("ns").asi8 // pd.Timedelta(days=1).value).astype(np.int64)


def assign_buckets(real_index: pd.DatetimeIndex, origin_day: pd.Timestamp, intraday_hour: float = 8.0,
                   horizon_days: int = 42) -> pd.DataFrame:
    """Which real intervals each bucket of origin ``origin_day`` scores (one row per pair).

    Returns columns ``interval_start`` (from ``real_index``, tz-aware), ``horizon``
    (bucket name) and ``lead_day`` (local days after the origin day). rest_of_day
    and day_ahead overlap: an interval after the intraday issue time is in both.
    """
    if real_index.tz is None:
        raise ForecastError("assign_buckets needs tz-aware real interval starts")
    local = real_index.tz_localize(None)
    days = day_numbers(local)
    origin = pd.Timestamp(origin_day).normalize()
    d0 = origin.value // pd.Timedelta(days=1).value
    issue = origin + pd.Timedelta(hours=intraday_hour)
    frames = []
    for bucket, (lo, hi) in buckets_within(horizon_days).items():
        mask = (days >= d0 + lo) & (days < d0 + hi)
        if bucket == REST_OF_DAY:
            mask &= local >= issue
        frames.append(pd.DataFrame({"interval_start": real_index[mask], "horizon": bucket,
                                    "lead_day": days[mask] - d0}))
    return pd.concat(frames, ignore_index=True)
