"""Real intervals <-> a regular wall-clock grid.

History arrives on *real* intervals: tz-aware, uniform lengths of time, so a
spring-forward day in Europe/London has 92 fifteen-minute intervals and a
fall-back day 100. Call demand follows the local wall clock (people wake at 07:00
whatever the offset), so models fit on a regular, tz-naive wall-clock grid with
a fixed number of slots per day:

* fall-back: the two real intervals sharing a wall-clock slot are averaged, so
  the slot holds a rate per interval like every other slot;
* spring-forward: the wall-clock slots that never happened are interpolated
  from their neighbours (they are not observations, only placeholders that keep
  the seasonal periods exact).

``from_wall_clock`` goes the other way for forecasts: each real future interval
takes the forecast of its wall-clock slot, so nonexistent slots are skipped and
a repeated slot's forecast serves both real intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ForecastError

DAY = pd.Timedelta(days=1)
WEEK = pd.Timedelta(weeks=1)


@dataclass(frozen=True)
class Periods:
    """Interval length and the seasonal periods it implies, in slots."""

    interval: pd.Timedelta

    def __post_init__(self) -> None:
        interval = pd.Timedelta(self.interval)
        object.__setattr__(self, "interval", interval)
        if interval <= pd.Timedelta(0) or DAY % interval != pd.Timedelta(0):
            raise ForecastError(f"interval length {interval} does not divide a day into whole slots")

    @classmethod
    def of(cls, freq) -> "Periods":
        """Periods of a DatetimeIndex freq (offset, string or Timedelta)."""
        try:
            return cls(pd.to_timedelta(pd.tseries.frequencies.to_offset(freq)))
        except (ValueError, TypeError) as exc:
            raise ForecastError(f"frequency {freq!r} is not a fixed interval length: {exc}") from None

    @property
    def day(self) -> int:
        return DAY // self.interval

    @property
    def week(self) -> int:
        return WEEK // self.interval


def infer_interval(index: pd.DatetimeIndex) -> pd.Timedelta:
    """The real interval length of a sorted tz-aware index: its shortest step.

    Every step must be a whole number of intervals (gaps are allowed: missing rows
    become NaN on the grid), and the interval must divide a day.
    """
    if len(index) < 2:
        raise ForecastError("need at least 2 intervals to infer the interval length")
    steps = pd.Series(index[1:] - index[:-1])
    interval = steps.min()
    if interval <= pd.Timedelta(0):
        raise ForecastError("interval_start is not strictly increasing (duplicates or unsorted)")
    bad = steps[steps % interval != pd.Timedelta(0)]
    if len(bad):
        where = index[bad.index[0]]
        raise ForecastError(f"irregular intervals: step of {bad.iloc[0]} before {where} is not a multiple of {interval}")
    Periods(interval)
    return interval


def wall_time(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Local wall-clock time (tz-naive) of a tz-aware index."""
    return index.tz_localize(None)


def to_wall_clock(data: pd.Series | pd.DataFrame, interval: pd.Timedelta | None = None):
    """Put a real-interval series or frame onto the regular wall-clock grid.

    ``data`` is indexed by sorted, unique, tz-aware interval starts. Returns the
    same type indexed by a tz-naive DatetimeIndex with ``freq=interval`` from the
    first to the last wall-clock slot. Real intervals missing from ``data`` are
    NaN, except that repeated slots average whatever occurrences exist.
    """
    index = _require_tz_index(data.index)
    interval = infer_interval(index) if interval is None else pd.Timedelta(interval)
    real = pd.date_range(index[0], index[-1], freq=interval)
    if not index.isin(real).all():
        raise ForecastError(f"interval_start values are not on a regular {interval} grid starting at {index[0]}")
    local = wall_time(real)
    _require_on_grid(local, interval)
    # Fall-back: average the occurrences of a repeated slot (rate per interval).
    by_slot = data.reindex(real).groupby(local).mean()
    grid = pd.date_range(local.min(), local.max(), freq=interval)
    wall = by_slot.reindex(grid)
    return _fill_nonexistent(wall, index.tz)


def from_wall_clock(wall: pd.Series | pd.DataFrame, real_index: pd.DatetimeIndex):
    """Map values on wall-clock slots to the real intervals ``real_index``.

    Each real interval takes the row of its local wall-clock slot. Raises
    ForecastError naming the first real interval whose slot ``wall`` lacks.
    """
    real_index = _require_tz_index(real_index)
    keys = wall_time(real_index)
    missing = ~keys.isin(wall.index)
    if missing.any():
        raise ForecastError(f"no wall-clock value for real interval {real_index[missing][0]} (slot {keys[missing][0]})")
    out = wall.reindex(keys)
    out.index = real_index
    return out


def future_intervals(last: pd.Timestamp, days: int, interval: pd.Timedelta) -> pd.DatetimeIndex:
    """Real intervals after ``last`` up to the same wall-clock time ``days`` later.

    The result starts right after ``last`` and has ``days`` x slots-per-day
    intervals, fewer or more when the range crosses a clock change.
    """
    if last.tz is None:
        raise ForecastError(f"last interval {last} is not tz-aware")
    periods = Periods(interval)
    candidates = pd.date_range(last + interval, periods=(days + 1) * periods.day, freq=interval)
    wall_end = wall_time(pd.DatetimeIndex([last]))[0] + days * DAY
    # Contiguous prefix: a repeated hour straddling wall_end must not reappear.
    keep = np.logical_and.accumulate(wall_time(candidates) <= wall_end)
    return candidates[keep]


def _require_tz_index(index) -> pd.DatetimeIndex:
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ForecastError("index must be a tz-aware DatetimeIndex of interval starts")
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise ForecastError("interval starts must be sorted and unique")
    return index


def _require_on_grid(local: pd.DatetimeIndex, interval: pd.Timedelta) -> None:
    offset = (local - local.normalize()) % interval
    off = offset != pd.Timedelta(0)
    if off.any():
        raise ForecastError(
            f"local time {local[off][0]} is not on the {interval} wall-clock grid "
            "(interval length and clock change do not align)"
        )


def _fill_nonexistent(wall, tz):
    """Interpolate the slots a spring-forward skipped; leave real gaps as NaN."""
    grid = wall.index
    never = grid.tz_localize(tz, ambiguous=np.zeros(len(grid), dtype=bool), nonexistent="NaT").isna()
    if never.any():
        filled = wall.interpolate(method="linear", limit_area="inside")
        wall = wall.copy()
        wall.loc[never] = filled.loc[never]
    return wall
