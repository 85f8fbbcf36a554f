"""How uncertain a forecast day's level is, from the forecast's own quantiles.

A forecast's interval quantiles describe each interval's calls: Poisson noise around a rate, plus
the uncertainty of the rate itself. A simulation that draws calls as Poisson around the mean
already has the first; what it needs on top is the second, and mostly at the level of a whole
day (a busy day is busy all day). Interval quantiles are not additive, so the day's uncertainty is
not read off summed quantiles. Instead, each interval's predictive variance is taken from its
quantile spread (sd = (q_hi - q_lo) / (z_hi - z_lo), averaged over the symmetric pairs of
quantiles the forecast has), the Poisson part (the mean) is taken off, and what is left is fitted
as a day-level factor with coefficient of variation c: extra variance_i = c^2 mean_i^2, so
c^2 = sum(extra_i) / sum(mean_i^2) over the day's intervals (least squares weighted towards the
busy intervals, where the quantiles are least rounded).

The quantiles do not say whether intervals' errors move together; reading all the extra spread
as a day-level factor is the cautious choice (it varies the day's total the most).

Output columns (one row per forecast row): queue, interval_start, day_cv (the same for every
interval of a queue's local day), as ``simulation``'s demand table takes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from . import schema as S
from .errors import ForecastError

DAY_CV = "day_cv"


def quantile_pairs(columns) -> list[tuple[float, str, str]]:
    """(p, low column, high column) for every symmetric pair of quantile columns, p < 0.5."""
    levels = {}
    for column in columns:
        if str(column).startswith(f"{S.CALLS}_p"):
            try:
                levels[round(float(str(column)[len(S.CALLS) + 2:]) / 100, 8)] = column
            except ValueError:
                continue
    return [(p, levels[p], levels[round(1 - p, 8)]) for p in sorted(levels)
            if p < 0.5 and round(1 - p, 8) in levels]


def day_level_cv(forecast: pd.DataFrame) -> pd.DataFrame:
    """queue, interval_start, day_cv: each local day's level uncertainty beyond Poisson."""
    missing = [c for c in (S.QUEUE, S.INTERVAL_START, S.CALLS) if c not in forecast.columns]
    if missing:
        raise ForecastError(f"forecast: day_level_cv needs column(s) {', '.join(missing)}")
    pairs = quantile_pairs(forecast.columns)
    if not pairs:
        raise ForecastError("forecast: day_level_cv needs a symmetric pair of quantile columns "
                            f"(e.g. calls_p10 and calls_p90); the table has {', '.join(map(str, forecast.columns))}")
    mean = forecast[S.CALLS].to_numpy(float)
    sd = np.mean([(forecast[hi].to_numpy(float) - forecast[lo].to_numpy(float)) / (2 * norm.ppf(1 - p))
                  for p, lo, hi in pairs], axis=0)
    extra = np.clip(sd ** 2 - np.clip(mean, 0, None), 0, None)
    day = forecast[S.INTERVAL_START].dt.normalize()
    parts = pd.DataFrame({"queue": forecast[S.QUEUE], "day": day,
                          "extra": np.nan_to_num(extra), "square": np.nan_to_num(mean) ** 2}, index=forecast.index)
    sums = parts.groupby(["queue", "day"], sort=False)[["extra", "square"]].transform("sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.sqrt(np.where(sums["square"] > 0, sums["extra"] / sums["square"], 0.0))
    return pd.DataFrame({S.QUEUE: forecast[S.QUEUE], S.INTERVAL_START: forecast[S.INTERVAL_START],
                         DAY_CV: cv}, index=forecast.index)
