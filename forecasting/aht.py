"""Forecast of mean handle time (AHT) per future wall-clock slot.

AHT of a slot of the week = handle seconds / calls over the same slot in the
last ``weeks`` weeks (call-weighted, so a busy week counts more than a quiet
one). Where those weeks had no calls with a known handle time it falls back to
the slot's mean over all history, then to the overall mean; NaN only when no
call in the history has a handle time.

Work is done on the wall-clock grid with two columns, so a fall-back day's
repeated slot is averaged call-weighted too:

    calls   calls with a known handle time (calls where aht is NaN are excluded)
    handle  total handle seconds of those calls
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .clock import Periods, to_wall_clock
from .errors import ForecastError
from .schema import AHT, CALLS

HANDLE = "handle"
_MONDAY = pd.Timestamp("2024-01-01")


def wall_clock_workload(calls: pd.Series, aht: pd.Series, interval: pd.Timedelta | None = None) -> pd.DataFrame:
    """Calls with a known AHT and their handle seconds, on the wall-clock grid.

    ``calls`` and ``aht`` share a tz-aware real-interval index (history contract).
    """
    known = aht.notna() & calls.notna()
    frame = pd.DataFrame(
        {CALLS: calls.where(known, 0.0), HANDLE: (calls * aht).where(known, 0.0)},
        index=calls.index,
        dtype=float,
    )
    return to_wall_clock(frame, interval)


def forecast_aht(workload: pd.DataFrame, horizon: int, weeks: int = 8) -> pd.Series:
    """AHT (seconds) for the ``horizon`` wall-clock slots after ``workload`` ends.

    ``workload`` is a ``wall_clock_workload`` frame (regular tz-naive index).
    Returns a Series named ``aht`` indexed by the future slots.
    """
    if int(weeks) != weeks or weeks < 1:
        raise ForecastError(f"AHT weeks must be a positive whole number, got {weeks}")
    index = workload.index
    if index.freq is None:
        raise ForecastError("AHT workload must be on a regular wall-clock grid (index with a freq)")
    periods = Periods.of(index.freq)
    future = pd.date_range(index[-1] + periods.interval, periods=horizon, freq=periods.interval)
    slots = _slot_of_week(index, periods)
    recent = workload.iloc[-weeks * periods.week :]
    by_slot_recent = _ratio(recent.groupby(slots[-len(recent) :]).sum())
    by_slot_all = _ratio(workload.groupby(slots).sum())
    total = workload.sum()
    overall = total[HANDLE] / total[CALLS] if total[CALLS] > 0 else np.nan
    future_slots = _slot_of_week(future, periods)
    values = by_slot_recent.reindex(future_slots).fillna(by_slot_all.reindex(future_slots)).fillna(overall)
    return pd.Series(values.to_numpy(dtype=float), index=future, name=AHT)


def _slot_of_week(index: pd.DatetimeIndex, periods: Periods) -> np.ndarray:
    """Slot of the week, 0 = Monday 00:00, for timestamps on the grid."""
    return np.asarray(((index - _MONDAY) // periods.interval) % periods.week)


def _ratio(sums: pd.DataFrame) -> pd.Series:
    calls = sums[CALLS]
    return (sums[HANDLE] / calls.where(calls > 0)).dropna()
