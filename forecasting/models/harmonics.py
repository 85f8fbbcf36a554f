"""Fourier terms of the daily and weekly cycles, and their interaction, from timestamps.

Columns depend only on each slot's position in the wall-clock week (Monday
00:00 = 0), so the same function builds the design for fitting and for any
future horizon, and refits at different origins share one coordinate system.

    daily k        sin/cos(2 pi k s / day),   k = 1..daily
    weekly j       sin/cos(2 pi j s / week),  j = 1..weekly
    interaction    products of daily k <= interaction[0] and weekly j <= interaction[1]
                   (4 columns each): lets the shape of the day change over the week

Also the special-day regressors of the slots, and the shared settings check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..clock import Periods
from ..errors import ForecastError
from ..special_days import SpecialDays


@dataclass(frozen=True)
class Harmonics:
    """How many Fourier terms of each kind (see the module docstring)."""

    daily: int = 10
    weekly: int = 3
    interaction: tuple[int, int] = (4, 3)

    def __post_init__(self) -> None:
        object.__setattr__(self, "interaction", tuple(self.interaction))
        counts = (self.daily, self.weekly, *self.interaction)
        if len(self.interaction) != 2 or any(int(c) != c or c < 0 for c in counts):
            raise ForecastError(f"harmonics must be whole numbers >= 0 (daily, weekly, (daily, weekly) interaction), got {counts}")
        # Weekly harmonic 7k - j equals an interaction term's frequency: keep them apart.
        if self.interaction[0] and self.weekly + self.interaction[1] >= 7:
            raise ForecastError(f"harmonics: weekly ({self.weekly}) + interaction weekly ({self.interaction[1]}) must be < 7 (else columns repeat)")

    def design(self, index: pd.DatetimeIndex, periods: Periods) -> np.ndarray:
        """Fourier columns (no intercept) for the slots of ``index``."""
        # Columns depend on the slot of the week only: compute them once per distinct slot (at most
        # a week's worth) and index, rather than evaluating sines for every row of half a year.
        distinct, where = np.unique(slot_of_week(index, periods), return_inverse=True)
        return self._columns(distinct, periods)[where.ravel()]

    def _columns(self, slot: np.ndarray, periods: Periods) -> np.ndarray:
        # Above the Nyquist limit a harmonic repeats a lower one: use what the interval allows.
        nyquist = (periods.day - 1) // 2
        daily = _pairs(slot / periods.day, min(self.daily, nyquist))
        weekly = _pairs(slot / periods.week, self.weekly)
        kd, kw = min(self.interaction[0], nyquist), self.interaction[1]
        inter = [d * w for d in _pairs(slot / periods.day, kd).T for w in _pairs(slot / periods.week, kw).T]
        columns = [daily, weekly, np.column_stack(inter) if inter else np.empty((len(slot), 0))]
        return np.hstack(columns)


def slot_of_week(index: pd.DatetimeIndex, periods: Periods) -> np.ndarray:
    """Position of each wall-clock slot in its week, Monday 00:00 = 0."""
    since_midnight = (index - index.normalize()) // periods.interval
    return np.asarray(index.day_of_week * periods.day + since_midnight, dtype=float)


def _pairs(cycles: np.ndarray, k: int) -> np.ndarray:
    if k == 0:
        return np.empty((len(cycles), 0))
    angle = 2 * np.pi * np.outer(cycles, np.arange(1, k + 1))
    return np.column_stack([np.sin(angle), np.cos(angle)])


def special_design(special: SpecialDays | None, index: pd.DatetimeIndex) -> tuple[pd.DataFrame, np.ndarray]:
    """Estimated special-day columns and the fixed-uplift multiplier for ``index``."""
    if special is None:
        return pd.DataFrame(index=index), np.ones(len(index))
    return special.regressors(index), special.multiplier(index)


def informative(columns: pd.DataFrame, observed: np.ndarray) -> list[str]:
    """Special-day columns with at least one observed non-zero slot (others cannot be estimated)."""
    return [c for c in columns if (columns[c].to_numpy()[observed] != 0).any()]


def recency_weights(n: int, periods: Periods, half_life_weeks: float | None) -> np.ndarray:
    """Weight of each of ``n`` slots, halving every ``half_life_weeks`` back from the last (1 if None)."""
    if half_life_weeks is None:
        return np.ones(n)
    age_weeks = (n - 1 - np.arange(n)) / periods.week
    return 0.5 ** (age_weeks / half_life_weeks)


def check_window(fit_weeks: int, half_life_weeks: float | None, who: str) -> None:
    if int(fit_weeks) != fit_weeks or fit_weeks < 2:
        raise ForecastError(f"{who} fit_weeks must be a whole number >= 2, got {fit_weeks}")
    if half_life_weeks is not None and not (np.isfinite(half_life_weeks) and half_life_weeks > 0):
        raise ForecastError(f"{who} half_life_weeks must be > 0 or None, got {half_life_weeks}")


def special_ratios(special: SpecialDays | None, y: pd.Series, periods: Periods, weeks: int = 4) -> dict[str, float]:
    """Each estimated special-day column's ratio of calls to an ordinary day, from all of ``y``.

    A slot's ordinary level is the mean of the same wall-clock slot 1..``weeks``
    weeks before and after it (those that are observed and not special
    themselves), so a trend over the years does not bias the ratio; the ratio
    is (sum of calls + 1) / (sum of ordinary levels + 1) over the column's
    observed slots, which stays near 1 when there are few calls to judge by.
    Columns with no slot in ``y`` are left out. Slots where two columns overlap
    count for both.
    """
    if special is None or not special.estimated_columns or not len(y):
        return {}
    columns = special.regressors(y.index)
    flags = columns.to_numpy() != 0
    values = y.to_numpy(dtype=float)
    ordinary = np.where(flags.any(axis=1), np.nan, values)
    slots = np.flatnonzero(flags.any(axis=1) & np.isfinite(values))
    if not len(slots):
        return {}
    lags = np.array([k * s * periods.week for k in range(1, weeks + 1) for s in (-1, 1)])
    near = slots[:, None] + lags[None, :]
    inside = (near >= 0) & (near < len(values))
    level = np.where(inside, ordinary[np.clip(near, 0, len(values) - 1)], np.nan)
    with np.errstate(all="ignore"):
        baseline = np.nanmean(level, axis=1)
    ok = np.isfinite(baseline)
    out = {}
    for j, name in enumerate(columns.columns):
        rows = flags[slots, j] & ok
        if rows.any():
            out[name] = float((values[slots[rows]].sum() + 1.0) / (baseline[rows].sum() + 1.0))
    return out


def ratio_multiplier(ratios: dict[str, float], special: SpecialDays | None, index: pd.DatetimeIndex) -> np.ndarray:
    """Product of the ``ratios`` of the special-day columns each slot of ``index`` is in (1 elsewhere)."""
    factor = np.ones(len(index))
    if special is None or not ratios:
        return factor
    columns = special.regressors(index)
    for name, ratio in ratios.items():
        factor = np.where(columns[name].to_numpy() != 0, factor * ratio, factor)
    return factor
