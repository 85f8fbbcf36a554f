"""Which intervals of the plan each shift works: the one place shifts meet the interval grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from scheduling.intervals import on_duty
from scheduling.schema import BREAK_END, BREAK_START, END, START


def grid_positions(times: pd.Series, starts: pd.DatetimeIndex) -> np.ndarray:
    """Index of the first interval starting at or after each time (len(starts) past the end)."""
    values = pd.DatetimeIndex(times).as_unit("ns").asi8
    return np.searchsorted(starts.as_unit("ns").asi8, values, side="left")


def on_shift(shifts: pd.DataFrame, starts: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """[first, stop) interval positions of each shift, break included."""
    return grid_positions(shifts[START], starts), grid_positions(shifts[END], starts)


def work_matrix(shifts: pd.DataFrame, starts: pd.DatetimeIndex) -> sparse.csr_matrix:
    """shifts x intervals, 1 where the shift is on duty and not on break."""
    first, stop = on_shift(shifts, starts)
    rows, cols = [], []
    has_break = shifts[BREAK_START].notna().to_numpy() if BREAK_START in shifts else np.zeros(len(shifts), bool)
    b0 = np.zeros(len(shifts), dtype=np.int64)
    b1 = np.zeros(len(shifts), dtype=np.int64)
    if has_break.any():
        b0[has_break] = grid_positions(shifts.loc[has_break, BREAK_START], starts)
        b1[has_break] = grid_positions(shifts.loc[has_break, BREAK_END], starts)
    for i in range(len(shifts)):
        span = np.arange(first[i], stop[i])
        if has_break[i]:
            span = span[(span < b0[i]) | (span >= b1[i])]
        rows.append(np.full(span.size, i))
        cols.append(span)
    r = np.concatenate(rows) if rows else np.empty(0, np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, np.int64)
    return sparse.csr_matrix((np.ones(r.size), (r, c)), shape=(len(shifts), len(starts)))


def cover(shifts: pd.DataFrame, starts: pd.DatetimeIndex) -> np.ndarray:
    """Heads on duty and not on break in each interval (the roster models' own count)."""
    return on_duty(shifts, starts)


def heads_on_shift(shifts: pd.DataFrame, starts: pd.DatetimeIndex) -> np.ndarray:
    """Heads on shift (breaks included) in each interval."""
    first, stop = on_shift(shifts, starts)
    delta = np.zeros(len(starts) + 1, dtype=np.int64)
    np.add.at(delta, np.minimum(first, len(starts)), 1)
    np.add.at(delta, np.minimum(stop, len(starts)), -1)
    return np.cumsum(delta)[:-1]
