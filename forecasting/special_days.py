"""Special days: public holidays and user-supplied events, as regressors.

``SpecialDays`` holds the country (and optional subdivision) whose public
holidays come from the ``holidays`` package, plus a tuple of ``Event`` s: a
named wall-clock window (e.g. New Year's Eve 20:00 to 04:00, a football match)
with an optional expected uplift.

Models that take regressors are given a ``SpecialDays`` in ``__init__`` and call
``regressors(index)`` on the timestamps they fit and forecast, so the
``fit(y)`` / ``predict(horizon)`` contract stays the same. Columns:

    holiday           1 on every slot of a public holiday (a bank holiday is
                      treated as one kind of day: it behaves like a Sunday)
    event:<name>      1 inside each window of events called <name>; events that
                      share a name share a column, so a yearly event learns its
                      effect from earlier years

An event with ``uplift`` set is not estimated: ``multiplier(index)`` gives the
factor ``1 + uplift`` inside its window, which the models apply to the mean (a
GLM uses it as a log offset). Use it for one-off events with no history. An
estimated column that has no observed slot in a model's fit window carries no
information; models drop it and forecast that window without an effect.

Timestamps are wall-clock slots (tz-naive), as everywhere in ``forecasting``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import holidays
import numpy as np
import pandas as pd

from .errors import ForecastError

HOLIDAY = "holiday"
EVENT_PREFIX = "event:"


@dataclass(frozen=True)
class Event:
    """A named wall-clock window ``[start, end)``; ``uplift`` is an expected relative rise (0.3 = +30%)."""

    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    uplift: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ForecastError(f"event name must be a non-empty string, got {self.name!r}")
        try:
            start, end = pd.Timestamp(self.start), pd.Timestamp(self.end)
        except (ValueError, TypeError) as exc:
            raise ForecastError(f"event {self.name!r}: start/end are not timestamps: {exc}") from None
        if start.tz is not None or end.tz is not None:
            raise ForecastError(f"event {self.name!r}: give wall-clock (tz-naive) start and end times")
        if end <= start:
            raise ForecastError(f"event {self.name!r}: end {end} is not after start {start}")
        if self.uplift is not None and (not np.isfinite(self.uplift) or self.uplift <= -1):
            raise ForecastError(f"event {self.name!r}: uplift must be a number > -1 (0.3 = +30%), got {self.uplift}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @classmethod
    def on(cls, day, start: str, end: str, name: str, uplift: float | None = None) -> "Event":
        """Event on ``day`` from ``start`` to ``end`` ("HH:MM"); an end at or before the start is the next day."""
        try:
            base = pd.Timestamp(day).normalize()
            t0, t1 = base + pd.Timedelta(f"{start}:00"), base + pd.Timedelta(f"{end}:00")
        except (ValueError, TypeError) as exc:
            raise ForecastError(f"event {name!r}: bad day or time ({day!r}, {start!r}-{end!r}): {exc}") from None
        if t1 <= t0:
            t1 += pd.Timedelta(days=1)
        return cls(name, t0, t1, uplift)

    @property
    def column(self) -> str:
        return EVENT_PREFIX + self.name


def new_years_eves(years: Iterable[int], start: str = "20:00", end: str = "04:00") -> tuple[Event, ...]:
    """The night of 31 December in each year, as events sharing the name "New Year's Eve"."""
    return tuple(Event.on(f"{y}-12-31", start, end, "New Year's Eve") for y in years)


@dataclass(frozen=True)
class SpecialDays:
    """Public holidays of ``country`` (``subdiv`` e.g. "ENG") plus ``events``; ``country=None`` for none."""

    country: str | None = "GB"
    subdiv: str | None = None
    events: tuple[Event, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "events", tuple(self.events))
        for event in self.events:
            if not isinstance(event, Event):
                raise ForecastError(f"SpecialDays events must be Event objects, got {event!r}")
        if self.country is not None:
            self._calendar([2020])  # fail now, in one line, on an unknown country or subdivision
        uplifts: dict[str, float | None] = {}
        for event in self.events:
            if uplifts.setdefault(event.name, event.uplift) != event.uplift:
                raise ForecastError(f"events named {event.name!r} have different uplifts; give each its own name")

    def _calendar(self, years) -> holidays.HolidayBase:
        try:
            return holidays.country_holidays(self.country, subdiv=self.subdiv, years=list(years))
        except NotImplementedError as exc:
            raise ForecastError(f"special days: {exc} (see holidays.list_supported_countries())") from None

    def holiday_dates(self, start, end) -> pd.DatetimeIndex:
        """Public holidays between ``start`` and ``end`` (dates, inclusive)."""
        if self.country is None:
            return pd.DatetimeIndex([])
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        calendar = self._calendar(range(start.year, end.year + 1))
        days = pd.DatetimeIndex(sorted(pd.Timestamp(d) for d in calendar))
        return days[(days >= start.normalize()) & (days <= end.normalize())]

    def windows(self, start, end) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
        """Wall-clock ``(start, end, name)`` of every holiday (a whole day) and event that touches
        ``[start, end]``, in time order: what a chart of the forecast marks."""
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        found = []
        if self.country is not None:
            calendar = self._calendar(range(start.year, end.year + 1))
            found += [(day, day + pd.Timedelta(days=1), calendar.get(day.date())) for day in self.holiday_dates(start, end)]
        found += [(e.start, e.end, e.name) for e in self.events if e.end > start and e.start <= end]
        return sorted(found, key=lambda w: (w[0], w[2]))

    @property
    def estimated_columns(self) -> tuple[str, ...]:
        """Columns ``regressors`` returns, in order."""
        names = dict.fromkeys(e.column for e in self.events if e.uplift is None)
        return ((HOLIDAY,) if self.country is not None else ()) + tuple(names)

    def regressors(self, index: pd.DatetimeIndex) -> pd.DataFrame:
        """0/1 columns (``estimated_columns``) for each wall-clock slot in ``index``."""
        index = _wall_index(index)
        out = pd.DataFrame(index=index)
        if self.country is not None:
            days = self.holiday_dates(index.min(), index.max()) if len(index) else pd.DatetimeIndex([])
            out[HOLIDAY] = index.normalize().isin(days).astype(float)
        for event in self.events:
            if event.uplift is None:
                column = out[event.column] if event.column in out else 0.0
                out[event.column] = np.maximum(column, _inside(index, event))
        return out[list(self.estimated_columns)]

    def multiplier(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Factor on the mean from events with a given uplift (1 outside them)."""
        index = _wall_index(index)
        factor = np.ones(len(index))
        for event in self.events:
            if event.uplift is not None:
                factor = np.where(_inside(index, event) > 0, factor * (1.0 + event.uplift), factor)
        return factor


def _inside(index: pd.DatetimeIndex, event: Event) -> np.ndarray:
    return ((index >= event.start) & (index < event.end)).astype(float)


def _wall_index(index) -> pd.DatetimeIndex:
    if not isinstance(index, pd.DatetimeIndex) or index.tz is not None:
        raise ForecastError("special days need a tz-naive wall-clock DatetimeIndex (see forecasting.clock)")
    return index


_EVENT_KEYS = ("name", "start", "end", "uplift")


def special_days_from_settings(country: str, events: Iterable, nye_years: Iterable[int] = ()) -> SpecialDays:
    """``SpecialDays`` from scenario-file values: ``country`` "CC", "CC-SUBDIV" or "none";
    ``events`` mappings with name, start, end and optional uplift; New Year's Eve of ``nye_years``."""
    if not isinstance(country, str) or not country.strip():
        raise ForecastError(f"holidays_country must be text such as 'GB-ENG' or 'none', got {country!r}")
    code, _, subdiv = country.strip().partition("-")
    parsed = [_event(raw, k) for k, raw in enumerate(events)]
    parsed += list(new_years_eves(sorted(set(nye_years))))
    if code.lower() == "none":
        return SpecialDays(country=None, events=tuple(parsed))
    return SpecialDays(country=code.upper(), subdiv=subdiv.upper() or None, events=tuple(parsed))


def _event(raw, k: int) -> Event:
    where = f"events[{k}]"
    if not hasattr(raw, "keys"):
        raise ForecastError(f"{where} must be a table {{name, start, end, uplift (optional)}}, got {raw!r}")
    unknown = [key for key in raw if key not in _EVENT_KEYS]
    missing = [key for key in _EVENT_KEYS[:3] if key not in raw]
    if unknown or missing:
        problem = f"unknown key {unknown[0]!r}" if unknown else f"missing key {missing[0]!r}"
        raise ForecastError(f"{where}: {problem}; keys: name, start, end, uplift (optional)")
    uplift = raw.get("uplift")
    if uplift is not None and (isinstance(uplift, bool) or not isinstance(uplift, (int, float))):
        raise ForecastError(f"{where}: uplift must be a number (0.3 = +30%), got {uplift!r}")
    try:
        return Event(raw["name"], raw["start"], raw["end"], None if uplift is None else float(uplift))
    except ForecastError as exc:
        raise ForecastError(f"{where}: {exc}") from None
