"""Shift templates and the candidate shifts they allow on a horizon of intervals.

A shift lasts its real length (a whole number of intervals), whatever the wall clock does:
an 8-hour shift over the spring-forward night still ends 8 hours after it started. Start
windows are in local wall-clock time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from scheduling import schema as s
from scheduling.errors import SchedulingError

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: its length, unpaid break, hourly cost and local start window.

    break_offset_h is the break's start measured from the shift start; by default the break
    is centred in the shift and snapped to the interval grid (rounding towards the start).
    The start window [earliest_start, latest_start] ("HH:MM", inclusive) wraps past
    midnight when latest_start < earliest_start, e.g. nights starting 22:00-01:00.
    """

    name: str
    length_h: float
    break_minutes: float = 0.0
    break_offset_h: float | None = None
    hourly_cost: float = 1.0
    earliest_start: str = "00:00"
    latest_start: str = "23:45"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SchedulingError(f"ShiftTemplate.name must be a non-empty string, got {self.name!r}")
        where = f"ShiftTemplate({self.name!r})"
        if not _number(self.length_h) or self.length_h <= 0:
            raise SchedulingError(f"{where}.length_h must be > 0 hours, got {self.length_h!r}")
        if not _number(self.break_minutes) or not 0 <= self.break_minutes < 60 * self.length_h:
            raise SchedulingError(
                f"{where}.break_minutes must be >= 0 and shorter than the shift, got {self.break_minutes!r}"
            )
        if self.break_offset_h is not None:
            off = self.break_offset_h
            if not _number(off) or off < 0 or off + self.break_minutes / 60 > self.length_h:
                raise SchedulingError(
                    f"{where}.break_offset_h must put the break inside the shift "
                    f"(0 <= offset <= {self.length_h - self.break_minutes / 60:g} h), got {off!r}"
                )
        if not _number(self.hourly_cost) or self.hourly_cost <= 0:
            raise SchedulingError(f"{where}.hourly_cost must be > 0, got {self.hourly_cost!r}")
        for field in ("earliest_start", "latest_start"):
            value = getattr(self, field)
            if not isinstance(value, str) or not _CLOCK.match(value):
                raise SchedulingError(
                    f"{where}.{field} must be a local time 'HH:MM' (00:00-23:59), got {value!r}"
                )

    @property
    def paid_hours(self) -> float:
        """Hours paid per shift: the length less the unpaid break."""
        return self.length_h - self.break_minutes / 60.0

    @property
    def cost(self) -> float:
        """Cost of one shift; a shift clipped by the horizon end is still paid in full."""
        return self.hourly_cost * self.paid_hours

    def allows_start(self, starts: pd.DatetimeIndex) -> np.ndarray:
        """Which of ``starts`` fall inside the local start window."""
        minute = starts.hour * 60 + starts.minute
        lo, hi = _minutes(self.earliest_start), _minutes(self.latest_start)
        if lo <= hi:
            return np.asarray((minute >= lo) & (minute <= hi))
        return np.asarray((minute >= lo) | (minute <= hi))


def _number(x) -> bool:
    is_real = isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
    return is_real and math.isfinite(x)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class ShiftPattern:
    """A template laid on an interval grid: lengths and offsets in whole intervals."""

    template: ShiftTemplate
    interval: pd.Timedelta
    length: int
    break_at: int
    break_len: int

    @property
    def work_offsets(self) -> np.ndarray:
        """Offsets from the start of the intervals worked (the break excluded)."""
        offsets = np.arange(self.length)
        return offsets[(offsets < self.break_at) | (offsets >= self.break_at + self.break_len)]


def lay_on_grid(template: ShiftTemplate, interval: pd.Timedelta) -> ShiftPattern:
    """Express ``template`` in intervals; raise if its length, break or offset is off the grid."""
    minutes = interval.total_seconds() / 60.0
    length = _whole(template, "length_h", template.length_h * 60 / minutes, interval)
    break_len = _whole(template, "break_minutes", template.break_minutes / minutes, interval)
    if template.break_offset_h is None:
        break_at = (length - break_len) // 2
    else:
        break_at = _whole(template, "break_offset_h", template.break_offset_h * 60 / minutes, interval)
    return ShiftPattern(template, interval, length, break_at, break_len)


def _whole(template: ShiftTemplate, field: str, count: float, interval: pd.Timedelta) -> int:
    """``count`` intervals as an int; raise naming the template field if it is fractional."""
    nearest = round(count)
    if abs(count - nearest) > 1e-9:
        raise SchedulingError(
            f"ShiftTemplate({template.name!r}).{field}={getattr(template, field)!r} is not a whole "
            f"number of {interval} intervals"
        )
    return int(nearest)


@dataclass(frozen=True, eq=False)  # holds arrays
class Candidates:
    """Every shift the roster may use: one per (template, allowed start interval).

    template[i], start[i]  template position and start interval index of candidate i
    cover                  sparse 0/1 matrix, candidates x intervals: 1 where candidate i
                           works interval t (on duty and not on break, inside the horizon)
    prices                 cost of each candidate under pay rules (see ``priced``); None: the
                           template's hourly cost x paid hours
    """

    patterns: tuple[ShiftPattern, ...]
    template: np.ndarray
    start: np.ndarray
    cover: sparse.csr_matrix
    prices: np.ndarray | None = None

    @property
    def cost(self) -> np.ndarray:
        """Cost of each candidate shift."""
        if self.prices is not None:
            return self.prices
        return np.array([p.template.cost for p in self.patterns])[self.template]

    def subset(self, rows: np.ndarray) -> Candidates:
        """The candidates at positions ``rows``, on the same horizon."""
        prices = None if self.prices is None else self.prices[rows]
        return Candidates(self.patterns, self.template[rows], self.start[rows], self.cover[rows], prices)

    def times(self, starts: pd.DatetimeIndex, rows: np.ndarray | None = None) -> pd.DataFrame:
        """Start, end, break and paid hours of candidates ``rows`` (all by default), one row each."""
        rows = np.arange(self.template.size) if rows is None else rows
        patterns = [self.patterns[k] for k in self.template[rows]]
        interval = self.patterns[0].interval if self.patterns else pd.Timedelta(minutes=15)
        begin = starts[self.start[rows]]
        at = pd.to_timedelta([p.break_at * interval for p in patterns])
        span = pd.to_timedelta([p.break_len * interval for p in patterns])
        has_break = np.array([p.break_len > 0 for p in patterns], dtype=bool)
        return pd.DataFrame({
            s.SHIFT: pd.Series([p.template.name for p in patterns], dtype=object),
            s.START: begin,
            s.END: begin + pd.to_timedelta([p.length * interval for p in patterns]),
            s.BREAK_START: (begin + at).where(has_break),
            s.BREAK_END: (begin + at + span).where(has_break),
            s.PAID_HOURS: np.array([p.template.paid_hours for p in patterns], dtype=float),
        })

    def priced(self, price: Callable[[pd.DataFrame], np.ndarray], starts: pd.DatetimeIndex) -> Candidates:
        """The same candidates costed by ``price`` (pay rules: premiums for nights, weekends, bank
        holidays), which gets ``times(starts)`` and returns one cost per row."""
        prices = np.asarray(price(self.times(starts)), dtype=float)
        if prices.shape != self.template.shape or not np.isfinite(prices).all() or (prices < 0).any():
            raise SchedulingError(f"price must give one finite cost >= 0 per candidate shift "
                                  f"({self.template.size}), got shape {prices.shape}")
        return Candidates(self.patterns, self.template, self.start, self.cover, prices)


def candidate_shifts(
    templates: Sequence[ShiftTemplate], starts: pd.DatetimeIndex, interval: pd.Timedelta
) -> Candidates:
    """All (template, start) pairs allowed on the horizon ``starts``; shifts are clipped at its end."""
    patterns = tuple(lay_on_grid(t, interval) for t in templates)
    horizon = len(starts)
    blocks = []
    for k, pattern in enumerate(patterns):
        first = np.flatnonzero(pattern.template.allows_start(starts))
        offsets = pattern.work_offsets
        cols = first[:, None] + offsets[None, :]
        rows = np.broadcast_to(np.arange(first.size)[:, None], cols.shape)
        keep = cols < horizon
        matrix = sparse.csr_matrix(
            (np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(first.size, horizon)
        )
        blocks.append((np.full(first.size, k), first, matrix))
    return Candidates(
        patterns=patterns,
        template=np.concatenate([b[0] for b in blocks]).astype(np.int64),
        start=np.concatenate([b[1] for b in blocks]).astype(np.int64),
        cover=sparse.vstack([b[2] for b in blocks], format="csr"),
    )
