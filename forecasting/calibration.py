"""Quantile calibration learned from forecasts whose outcome is already known.

A model's quantiles come from its in-sample residuals (``models.predictive``),
which understate out-of-sample error, more so at longer leads. The fix here is
a spread multiplier per lead bucket and quantile: the calibrated quantile is

    mean + s_q * (quantile - mean)

with s_q chosen on a grid so that the share of past actuals at or below the
adjusted quantile is as close as possible to q (a split-conformal style
adjustment of the spread around the model's own mean). The two bounds of a
central interval (0.1 and 0.9, 0.025 and 0.975) are chosen together so the
interval's coverage comes first (``choose_multipliers``): with one or two calls
an interval, integer outcomes make each tail jump, and a lower bound of 0 can
never be missed. Only forecast/actual
pairs whose target interval had ended before the new forecast is issued are
used, so a backtest that calibrates stays honest: nothing from the scored
period's future feeds the adjustment.

The rolling version (``rolling_multipliers``) keeps counts per target day so
each origin sees only the pairs that were observed before it, over a trailing
window of days. Calibrated quantiles are made monotone in q and kept >= 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ForecastError

# Spread multipliers searched: 1/3 to 3, denser near 1.
GRID = np.exp(np.linspace(np.log(1 / 3), np.log(3.0), 89))


@dataclass(frozen=True)
class CalibrationSettings:
    window_days: int = 56  # trailing window of target days whose pairs are used
    min_pairs: int = 200  # fewer pairs than this: leave the quantiles as they are

    def __post_init__(self) -> None:
        if int(self.window_days) != self.window_days or self.window_days < 1:
            raise ForecastError(f"calibration window_days must be a whole number >= 1, got {self.window_days}")
        if int(self.min_pairs) != self.min_pairs or self.min_pairs < 1:
            raise ForecastError(f"calibration min_pairs must be a whole number >= 1, got {self.min_pairs}")


def below_counts(actual: np.ndarray, mean: np.ndarray, quantile: np.ndarray, q: float) -> np.ndarray:
    """For each grid multiplier s, how many actuals miss on the quantile's side of it.

    The adjusted quantile is Q = mean + s * (quantile - mean). Coverage counts
    lower <= actual <= upper, so a lower quantile (q < 0.5) is missed when
    actual < Q and an upper one is respected when actual <= Q: counting the same
    way keeps tied counts (an actual of 0 under a quantile clipped at 0) from
    pushing the lower quantile outwards for nothing.
    """
    ok = np.isfinite(actual)
    actual, mean, quantile = actual[ok], mean[ok], quantile[ok]
    adjusted = mean[:, None] + GRID[None, :] * (quantile - mean)[:, None]
    adjusted = np.clip(adjusted, 0.0, None)
    if q < 0.5:
        return (actual[:, None] < adjusted).sum(axis=0)
    return (actual[:, None] <= adjusted).sum(axis=0)


def choose_multiplier(below: np.ndarray, pairs: int, q: float, min_pairs: int) -> float:
    """The grid multiplier whose share of actuals below is closest to q (1 with too few pairs)."""
    if pairs < min_pairs:
        return 1.0
    gap = np.abs(below / pairs - q)
    # Ties (flat stretches) go to the multiplier nearest 1: change the model's spread no more than needed.
    best = np.flatnonzero(gap <= gap.min() + 1e-12)
    return float(GRID[best[np.argmin(np.abs(np.log(GRID[best])))]])


def choose_multipliers(below: np.ndarray, pairs: int, qs: tuple[float, ...], min_pairs: int,
                       tail_weight: float = 0.1) -> np.ndarray:
    """Multipliers for all quantiles: central intervals jointly, other quantiles one by one.

    For a pair (q, 1 - q) the misses below the lower bound and above the upper
    are disjoint, so the interval's coverage is 1 - miss_below(s_lo) -
    miss_above(s_hi). The pair minimises (coverage error)^2 + tail_weight x
    (each tail's error)^2: with continuous outcomes both tails reach nominal
    and nothing changes from calibrating them one by one; with small counts,
    where a bound cannot move past an integer without jumping (a lower bound
    at 0 can never be missed), the interval's coverage comes first and the
    other tail gives way.
    """
    qs = tuple(qs)
    out = np.array([choose_multiplier(below[j], pairs, q, min_pairs) for j, q in enumerate(qs)])
    if pairs < min_pairs:
        return out
    for j, q in enumerate(qs):
        hi = next((k for k, other in enumerate(qs) if q < 0.5 and abs(other - (1 - q)) < 1e-9), None)
        if hi is None:
            continue
        tail = q
        miss_lo = below[j] / pairs  # share below the lower bound, per s_lo
        miss_hi = 1 - below[hi] / pairs  # share above the upper bound, per s_hi
        cost = ((miss_lo[:, None] + miss_hi[None, :] - 2 * tail) ** 2
                + tail_weight * ((miss_lo[:, None] - tail) ** 2 + (miss_hi[None, :] - tail) ** 2))
        # Ties go to the pair of multipliers nearest 1 (the model's own spread).
        distance = np.abs(np.log(GRID))[:, None] + np.abs(np.log(GRID))[None, :]
        best = np.flatnonzero(cost.ravel() <= cost.min() + 1e-12)
        a, b = np.unravel_index(best[np.argmin(distance.ravel()[best])], cost.shape)
        out[j], out[hi] = GRID[a], GRID[b]
    return out


def apply_multipliers(mean: np.ndarray, quantiles: np.ndarray, multipliers: np.ndarray) -> np.ndarray:
    """Calibrated quantiles, shape like ``quantiles`` (n, k) with columns in increasing q."""
    out = mean[:, None] + multipliers[None, :] * (quantiles - mean[:, None])
    out = np.clip(out, 0.0, None)
    return np.maximum.accumulate(out, axis=1)


class RollingCalibrator:
    """Counts of actuals below adjusted quantiles, by target day, for one bucket.

    ``add(target_day, actual, mean, quantiles)`` records pairs; ``multipliers(day)``
    uses the pairs whose target day is in [day - window_days, day).
    """

    def __init__(self, quantiles: tuple[float, ...], settings: CalibrationSettings) -> None:
        self.quantiles = tuple(quantiles)
        self.settings = settings
        self._below: dict[int, np.ndarray] = {}  # day -> (k, grid) counts
        self._pairs: dict[int, int] = {}

    def add(self, target_day: np.ndarray, actual: np.ndarray, mean: np.ndarray, quantiles: np.ndarray) -> None:
        for day in np.unique(target_day):
            rows = target_day == day
            counts = np.stack([below_counts(actual[rows], mean[rows], quantiles[rows, j], q)
                               for j, q in enumerate(self.quantiles)])
            key = int(day)
            self._below[key] = self._below.get(key, 0) + counts
            self._pairs[key] = self._pairs.get(key, 0) + int(np.isfinite(actual[rows]).sum())

    def multipliers(self, day: int) -> np.ndarray:
        days = [d for d in self._pairs if day - self.settings.window_days <= d < day]
        pairs = sum(self._pairs[d] for d in days)
        if not days:
            return np.ones(len(self.quantiles))
        below = sum(self._below[d] for d in days)
        return choose_multipliers(below, pairs, self.quantiles, self.settings.min_pairs)


def fit_multipliers(actual: np.ndarray, mean: np.ndarray, quantiles: np.ndarray, qs: tuple[float, ...],
                    min_pairs: int = 200) -> np.ndarray:
    """Multipliers from one set of pairs (all observed before the forecast they will adjust)."""
    pairs = int(np.isfinite(actual).sum())
    below = np.stack([below_counts(actual, mean, quantiles[:, j], q) for j, q in enumerate(qs)])
    return choose_multipliers(below, pairs, qs, min_pairs)


def lead_bucket_of_days(lead_day: np.ndarray) -> np.ndarray:
    """Midnight-issued lead bucket of each lead day: 0 day_ahead, 1-6 week_ahead, 7+ weeks_2_6."""
    return np.select([lead_day < 1, lead_day < 7], ["day_ahead", "week_ahead"], "weeks_2_6")
