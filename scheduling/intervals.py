"""Checks on the interval tables the scheduling stage reads.

Intervals are real, uniform lengths of time stamped in local time: a spring-forward day in
Europe/London has 92 fifteen-minute intervals and a fall-back day 100. Nothing here assumes
96 intervals a day; the length is inferred from the timestamps themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from scheduling import schema as s
from scheduling.errors import SchedulingError


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise if ``frame`` lacks any of ``columns``; ``what`` names the table in the message."""
    if not isinstance(frame, pd.DataFrame):
        raise SchedulingError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchedulingError(
            f"{what} is missing column(s) {missing}; it has {list(frame.columns)}"
        )


def require_tz_aware(starts: pd.Series, what: str) -> None:
    """Raise unless ``starts`` holds tz-aware timestamps (local time with its UTC offset)."""
    if not isinstance(starts.dtype, pd.DatetimeTZDtype):
        raise SchedulingError(
            f"{what}.interval_start must be tz-aware local timestamps, got dtype {starts.dtype}"
        )
    if starts.isna().any():
        first = int(starts.isna().to_numpy().argmax())
        raise SchedulingError(f"{what}.interval_start has a missing timestamp at row {first}")


def interval_length(starts: pd.Series | pd.DatetimeIndex, what: str) -> pd.Timedelta:
    """The common spacing of sorted, unique ``starts``; raise if it is not uniform.

    A gap (a missing interval) counts as non-uniform: it would silently stretch the
    interval before it.
    """
    index = pd.DatetimeIndex(starts)
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise SchedulingError(f"{what} has more than one row for interval {dup}")
    index = index.sort_values()
    if len(index) < 2:
        raise SchedulingError(
            f"{what} has {len(index)} interval(s); at least 2 are needed to infer the interval length"
        )
    steps = index[1:] - index[:-1]
    length = steps[0]
    bad = steps != length
    if bad.any():
        at = int(bad.argmax())
        raise SchedulingError(
            f"{what} has non-uniform intervals: {index[at]} -> {index[at + 1]} is "
            f"{steps[at]}, the first step is {length}"
        )
    if length <= pd.Timedelta(0):
        raise SchedulingError(f"{what} intervals must have a positive length, got {length}")
    return pd.Timedelta(length)


def interval_labels(starts: pd.DatetimeIndex) -> list[str]:
    """Local-time labels ``YYYYmmddTHHMM``, one per start, unique within ``starts``.

    On a fall-back day the repeated local hour would give the same label twice; the second
    occurrence gets the suffix ``_2`` so that model names stay unique and readable.
    """
    seen: dict[str, int] = {}
    labels = []
    for ts in starts:
        label = ts.strftime("%Y%m%dT%H%M")
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label}_{seen[label]}")
    return labels


def on_duty(shifts: pd.DataFrame, starts: pd.DatetimeIndex) -> np.ndarray:
    """Heads on duty and not on break in each interval starting at ``starts`` (shift rows with
    start, end and optional break times on the interval grid)."""
    change = np.zeros(len(starts) + 1, dtype=np.int64)
    for begin, end, sign in ((s.START, s.END, 1), (s.BREAK_START, s.BREAK_END, -1)):
        if begin not in shifts:
            continue
        spans = shifts[shifts[begin].notna()]
        np.add.at(change, starts.searchsorted(pd.DatetimeIndex(spans[begin])), sign)
        np.add.at(change, starts.searchsorted(pd.DatetimeIndex(spans[end])), -sign)
    return np.cumsum(change)[:-1]
