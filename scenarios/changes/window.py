"""When a change applies: local clock times on chosen days of the plan.

A window is a daily time span (``start_time`` to ``end_time``, local wall clock) on the days
picked by any mix of ``dates``, ``from_date``/``to_date``, ``weekdays`` and ``plan_days`` (1 is
the plan's first day); no day filter means every day. A span whose end is not after its start
runs past midnight and belongs to the day it started on, so New Year's Eve 20:00-04:00 is
``dates = ["2026-12-31"]`` with ``start_time = "20:00"`` and ``end_time = "04:00"``. Equal
start and end (the default "00:00" to "00:00") mean the whole day.

A window that picks no interval of the plan is an error, not a no-op: a heatwave dated outside
the plan would otherwise "cost nothing" and look harmless.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WINDOW_KEYS = ("start_time", "end_time", "dates", "from_date", "to_date", "weekdays", "plan_days")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _minutes(name: str, value) -> int:
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f"{name} must be a local time 'HH:MM' from 00:00 to 23:59, got {value!r}")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _date(name: str, value) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError(f"{name} must be a date such as 2026-12-31 (no time), got {value!r}")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a date such as 2026-12-31, got {value!r}") from None


@dataclass(frozen=True)
class Window:
    start_time: str = "00:00"
    end_time: str = "00:00"
    dates: tuple = ()
    from_date: object = None
    to_date: object = None
    weekdays: tuple = ()
    plan_days: tuple = ()

    def __post_init__(self):
        _minutes("start_time", self.start_time)
        _minutes("end_time", self.end_time)
        for name in ("dates", "weekdays", "plan_days"):
            if not isinstance(getattr(self, name), (list, tuple)):
                raise ValueError(f"{name} must be a list, got {getattr(self, name)!r}")
        object.__setattr__(self, "dates", tuple(_date("dates", d) for d in self.dates))
        for name in ("from_date", "to_date"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _date(name, getattr(self, name)))
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise ValueError(f"to_date {self.to_date} is before from_date {self.from_date}")
        days = tuple(str(d).lower()[:3] for d in self.weekdays)
        bad = [d for d in self.weekdays if str(d).lower()[:3] not in WEEKDAYS or len(str(d)) < 3]
        if bad:
            raise ValueError(f"weekdays must be names from {', '.join(WEEKDAYS)}, got {bad[0]!r}")
        object.__setattr__(self, "weekdays", days)
        for day in self.plan_days:
            if isinstance(day, bool) or not isinstance(day, int) or day < 1:
                raise ValueError(f"plan_days must be whole numbers from 1 (the plan's first day), got {day!r}")
        object.__setattr__(self, "plan_days", tuple(self.plan_days))

    @property
    def whole_day(self) -> bool:
        return self.start_time == self.end_time

    def mask(self, starts: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """True for each interval start (tz-aware, local) inside the window."""
        local = pd.DatetimeIndex(starts)
        minute = np.asarray(local.hour * 60 + local.minute)
        lo, hi = _minutes("start_time", self.start_time), _minutes("end_time", self.end_time)
        day = local.tz_localize(None).normalize() if local.tz is not None else local.normalize()
        if self.whole_day:
            inside = np.ones(len(local), dtype=bool)
        elif lo < hi:
            inside = (minute >= lo) & (minute < hi)
        else:
            inside = (minute >= lo) | (minute < hi)
            # the small hours belong to the evening the window opened on
            day = day - pd.to_timedelta(np.where(minute < hi, 1, 0), unit="D")
        return inside & self._days(day, local)

    def _days(self, day: pd.DatetimeIndex, local: pd.DatetimeIndex) -> np.ndarray:
        keep = np.ones(len(day), dtype=bool)
        dates = np.asarray(day.date)
        if self.dates:
            keep &= np.isin(dates, np.array(self.dates, dtype=object))
        if self.from_date is not None:
            keep &= dates >= self.from_date
        if self.to_date is not None:
            keep &= dates <= self.to_date
        if self.weekdays:
            keep &= np.isin(np.asarray(day.day_of_week), [WEEKDAYS.index(d) for d in self.weekdays])
        if self.plan_days and len(local):
            first = (local.tz_localize(None) if local.tz is not None else local).normalize().min()
            number = np.asarray((day - first).days) + 1
            keep &= np.isin(number, self.plan_days)
        return keep

    def describe(self) -> str:
        days = []
        if self.dates:
            days.append("on " + ", ".join(map(str, self.dates)))
        if self.from_date or self.to_date:
            days.append(f"from {self.from_date or 'the start'} to {self.to_date or 'the end'}")
        if self.weekdays:
            days.append("on " + "/".join(self.weekdays))
        if self.plan_days:
            days.append("plan day(s) " + ", ".join(map(str, self.plan_days)))
        hours = "all day" if self.whole_day else f"{self.start_time}-{self.end_time}"
        return f"{hours} {' '.join(days) or 'every day'}"


def window_from(raw: dict) -> Window:
    return Window(**{k: raw[k] for k in WINDOW_KEYS if k in raw})
