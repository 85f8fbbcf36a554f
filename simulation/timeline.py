"""The simulation clock: seconds since the first interval start, on real (UTC) time.

Intervals are real, uniform lengths of time read from the data, so a clock-change day has 92 or
100 fifteen-minute intervals and the repeated 01:00-02:00 of October is two different hours.
Local timestamps only appear at the edges (input tables in, result tables out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import SimulationError

_SECOND = pd.Timedelta(seconds=1)


def tz_aware_column(table: pd.DataFrame, column: str, name: str, allow_nat: bool = False) -> pd.Series:
    """The column as tz-aware timestamps; naive local times are ambiguous on clock-change days."""
    values = table[column]
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        raise SimulationError(f"{name}: column {column!r} must hold tz-aware timestamps "
                              f"(e.g. Europe/London), got dtype {values.dtype}")
    if not allow_nat and values.isna().any():
        row = values.index[values.isna()][0]
        raise SimulationError(f"{name}: column {column!r} is empty (NaT) in row {row}")
    return values


def uniform_step(starts: pd.DatetimeIndex, name: str) -> float:
    """Interval length in seconds of sorted unique starts; every gap must be the same."""
    if len(starts) < 2:
        raise SimulationError(f"{name}: needs at least two interval starts to tell the interval length, "
                              f"got {len(starts)}")
    gaps = np.diff(starts.asi8)
    step = gaps.min()
    bad = np.flatnonzero(gaps != step)
    if len(bad):
        raise SimulationError(f"{name}: interval starts are not evenly spaced: {starts[bad[0]]} is followed by "
                              f"{starts[bad[0] + 1]}, expected every {pd.Timedelta(step, unit=starts.unit)}")
    return pd.Timedelta(step, unit=starts.unit) / _SECOND


@dataclass(frozen=True)
class Timeline:
    """Uniform intervals starting at ``starts``; simulation time 0 is ``starts[0]``."""

    starts: pd.DatetimeIndex
    interval_s: float

    @property
    def n(self) -> int:
        return len(self.starts)

    @property
    def end_s(self) -> float:
        return self.n * self.interval_s

    def seconds(self, timestamps: pd.Series) -> np.ndarray:
        """Seconds since the first interval start (NaN for NaT)."""
        t0 = self.starts[0].tz_convert("UTC")
        return ((timestamps.dt.tz_convert("UTC") - t0) / _SECOND).to_numpy(dtype=float, na_value=np.nan)

    def timestamps(self, seconds: np.ndarray) -> pd.DatetimeIndex:
        """Local tz-aware timestamps of simulation times."""
        return self.starts[0] + pd.to_timedelta(np.asarray(seconds, dtype=float), unit="s")

    def interval_of(self, seconds: np.ndarray) -> np.ndarray:
        return np.minimum((np.asarray(seconds) // self.interval_s).astype(np.int64), self.n - 1)

    def local_days(self) -> np.ndarray:
        """Index of each interval's local calendar day (0, 1, ...)."""
        codes, _ = pd.factorize(self.starts.normalize())
        return codes
