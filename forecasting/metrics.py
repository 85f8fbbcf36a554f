"""Forecast scores for counts: MAE, RMSE, MASE, pinball loss and interval coverage.

All take aligned 1-d arrays and ignore positions where the actual (or, for the
point scores, the prediction) is NaN, e.g. a gap in the history; they return
NaN when nothing is left to score.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np


def _errors(actual, predicted) -> np.ndarray:
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    error = predicted - actual
    return error[np.isfinite(error)]


def mae(actual, predicted) -> float:
    error = _errors(actual, predicted)
    return float(np.mean(np.abs(error))) if error.size else np.nan


def rmse(actual, predicted) -> float:
    error = _errors(actual, predicted)
    return float(np.sqrt(np.mean(error**2))) if error.size else np.nan


def seasonal_naive_scale(train, season: int) -> float:
    """In-sample MAE of the seasonal naive with period ``season`` (the MASE denominator)."""
    train = np.asarray(train, dtype=float)
    if len(train) <= season:
        return np.nan
    return mae(train[season:], train[:-season])


def mase(actual, predicted, scale: float) -> float:
    """MAE divided by ``scale``; NaN when the scale is 0 or NaN (a perfectly periodic history)."""
    if not np.isfinite(scale) or scale <= 0:
        return np.nan
    return mae(actual, predicted) / scale


def pinball(actual, quantile_forecasts: Mapping[float, np.ndarray]) -> float:
    """Pinball (quantile) loss averaged over quantiles and positions."""
    if not quantile_forecasts:
        return np.nan
    actual = np.asarray(actual, dtype=float)
    ok = np.isfinite(actual)
    if not ok.any():
        return np.nan
    losses = []
    for q, forecast in quantile_forecasts.items():
        diff = actual[ok] - np.asarray(forecast, dtype=float)[ok]
        losses.append(np.mean(np.maximum(q * diff, (q - 1.0) * diff)))
    return float(np.mean(losses))


def coverage(actual, lower, upper) -> float:
    """Share of actuals with lower <= actual <= upper."""
    actual = np.asarray(actual, dtype=float)
    ok = np.isfinite(actual)
    if not ok.any():
        return np.nan
    inside = (np.asarray(lower, dtype=float) <= actual) & (actual <= np.asarray(upper, dtype=float))
    return float(np.mean(inside[ok]))
