"""Rolling-origin backtest of models on one wall-clock series.

At each origin (the first forecast slot) a model is fitted on everything before
it, forecasts ``horizon`` slots, and is scored against what happened. Scores
table, one row per model per origin:

    model    str, the model's name
    origin   tz-naive Timestamp, first forecast wall-clock slot
    horizon  int, slots forecast and scored
    mae, rmse, mase, pinball, coverage_80, coverage_95   float (see ``metrics``)

MASE divides by the in-sample MAE of the weekly seasonal naive on the training
part. Coverage of the central 80% (95%) interval needs the 0.1 and 0.9 (0.025 and
0.975) quantiles; it is NaN when they were not requested.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from . import metrics
from .clock import Periods
from .errors import ForecastError
from .models.base import ForecastModel, grid_periods
from .models.predictive import validate_quantiles
from .schema import CALLS, DEFAULT_QUANTILES, HORIZON, MODEL, ORIGIN, QUEUE, SCORE_COLUMNS, quantile_column

_INTERVALS = {"coverage_80": (0.1, 0.9), "coverage_95": (0.025, 0.975)}


def weekly_origins(y: pd.Series, n: int, horizon: int, min_train: int = 1) -> list[pd.Timestamp]:
    """Up to ``n`` origins one week apart, the latest leaving exactly ``horizon`` slots.

    Origins that would leave fewer than ``min_train`` slots to fit on are dropped,
    so short histories get fewer origins (possibly none). Sorted oldest first.
    """
    periods = grid_periods(y, "backtest")
    latest = len(y) - horizon
    positions = [latest - i * periods.week for i in range(max(int(n), 0))]
    return [y.index[p] for p in sorted(positions) if p >= max(min_train, 1)]


def backtest_model(
    y: pd.Series,
    model: ForecastModel,
    origins: Sequence[pd.Timestamp],
    horizon: int,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
) -> pd.DataFrame:
    """Scores of one model at each origin; ForecastError from the model propagates."""
    periods = grid_periods(y, "backtest")
    quantiles = validate_quantiles(quantiles)
    rows = []
    for origin in origins:
        train, actual = _split(y, origin, horizon)
        forecast = model.fit(train).predict(horizon, quantiles)
        scores = score(actual.to_numpy(dtype=float), forecast, train.to_numpy(dtype=float), periods, quantiles)
        rows.append({MODEL: model.name, ORIGIN: origin, HORIZON: horizon, **scores})
    return pd.DataFrame(rows, columns=[MODEL, ORIGIN, HORIZON, *SCORE_COLUMNS])


def backtest(
    y: pd.Series,
    models: Sequence[ForecastModel],
    origins: Sequence[pd.Timestamp],
    horizon: int,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
) -> pd.DataFrame:
    """Scores of several models (concatenated ``backtest_model`` tables)."""
    frames = [backtest_model(y, model, origins, horizon, quantiles) for model in models]
    return pd.concat(frames, ignore_index=True)


def score(
    actual: np.ndarray, forecast: pd.DataFrame, train: np.ndarray, periods: Periods, quantiles: Sequence[float]
) -> dict[str, float]:
    """All scores of one forecast frame (``calls`` and ``calls_pXX`` columns) against actuals."""
    mean = forecast[CALLS].to_numpy()
    by_q = {q: forecast[quantile_column(q)].to_numpy() for q in quantiles}
    scale = metrics.seasonal_naive_scale(train, periods.week)
    scores = {
        "mae": metrics.mae(actual, mean),
        "rmse": metrics.rmse(actual, mean),
        "mase": metrics.mase(actual, mean, scale),
        "pinball": metrics.pinball(actual, by_q),
    }
    for name, (lo, hi) in _INTERVALS.items():
        scores[name] = metrics.coverage(actual, by_q[lo], by_q[hi]) if lo in by_q and hi in by_q else np.nan
    return scores


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean score per model (per queue and model if there is a queue column), best RMSE first.

    Adds ``origins``, the number of origins averaged.
    """
    keys = [QUEUE, MODEL] if QUEUE in scores.columns else [MODEL]
    grouped = scores.groupby(keys, sort=False)
    summary = grouped[list(SCORE_COLUMNS)].mean()
    summary.insert(0, "origins", grouped.size())
    return summary.reset_index().sort_values([*keys[:-1], "rmse"], kind="stable", ignore_index=True)


def _split(y: pd.Series, origin: pd.Timestamp, horizon: int) -> tuple[pd.Series, pd.Series]:
    try:
        pos = y.index.get_loc(origin)
    except KeyError:
        raise ForecastError(f"backtest origin {origin} is not a slot of the series") from None
    if pos + horizon > len(y):
        raise ForecastError(f"backtest origin {origin} leaves fewer than {horizon} slots to score")
    return y.iloc[:pos], y.iloc[pos : pos + horizon]
