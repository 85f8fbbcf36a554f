"""Synthetic staff ids for an anonymous roster: who could work which shift.

This is a placeholder for named staff: it only guarantees that a person never overlaps
themselves and has at least ``min_rest`` between shifts. Weekly rest, the 48-hour average
and contracts are not considered yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_DAY = pd.Timedelta(hours=24).value


def assign_staff_ids(
    starts: pd.Series, ends: pd.Series, *, min_rest: pd.Timedelta = pd.Timedelta(hours=11)
) -> list[str]:
    """Greedy ids "H0001", ... for shifts given in start order.

    Each shift goes to an existing person who has rested at least ``min_rest`` since their
    last shift, preferring the one whose last shift started closest to 24 hours earlier (so
    people keep similar start times day to day), ties to the lowest id; otherwise to a new
    person.
    """
    start_ns = _ns(starts)
    end_ns = _ns(ends)
    if np.any(np.diff(start_ns) < 0):
        raise ValueError("assign_staff_ids needs shifts sorted by start")
    rest = pd.Timedelta(min_rest).value
    last_start = np.empty(0, dtype=np.int64)
    last_end = np.empty(0, dtype=np.int64)
    ids = np.empty(len(start_ns), dtype=np.int64)
    for i, (begin, finish) in enumerate(zip(start_ns, end_ns)):
        eligible = np.flatnonzero(last_end + rest <= begin)
        if eligible.size:
            score = np.abs(begin - last_start[eligible] - _DAY)
            person = int(eligible[np.argmin(score)])  # argmin takes the first (lowest id) tie
            last_start[person], last_end[person] = begin, finish
        else:
            person = last_start.size
            last_start = np.append(last_start, begin)
            last_end = np.append(last_end, finish)
        ids[i] = person
    return [f"H{p + 1:04d}" for p in ids]


def _ns(values: pd.Series) -> np.ndarray:
    return pd.DatetimeIndex(values).as_unit("ns").asi8
