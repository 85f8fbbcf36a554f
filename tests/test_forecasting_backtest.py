"""Backtest scores against values worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from forecasting import metrics
from forecasting.backtest import backtest, backtest_model, summarise, weekly_origins
from forecasting.errors import ForecastError
from forecasting.models import SeasonalAverage, SeasonalNaive

WEEK_H = 168  # hourly slots in a week


def test_point_metrics_by_hand():
    actual = [1.0, 2.0, 3.0, np.nan]
    predicted = [2.0, 2.0, 5.0, 9.0]  # errors 1, 0, 2; the NaN actual is ignored
    assert metrics.mae(actual, predicted) == pytest.approx(1.0)
    assert metrics.rmse(actual, predicted) == pytest.approx(math.sqrt(5 / 3))
    assert metrics.mase(actual, predicted, 0.5) == pytest.approx(2.0)
    assert math.isnan(metrics.mase(actual, predicted, 0.0))
    # |3-1|, |4-2|, |2-3|, |3-4| -> mean 1.5
    assert metrics.seasonal_naive_scale([1, 2, 3, 4, 2, 3], 2) == pytest.approx(1.5)


def test_pinball_and_coverage_by_hand():
    actual = [0.0, 10.0]
    # q=0.1 at 2: under-forecast? actual 0 < 2 -> 0.9*2 = 1.8; actual 10 > 2 -> 0.1*8 = 0.8
    # q=0.9 at 6: actual 0 -> 0.1*6 = 0.6; actual 10 -> 0.9*4 = 3.6
    loss = metrics.pinball(actual, {0.1: [2.0, 2.0], 0.9: [6.0, 6.0]})
    assert loss == pytest.approx((1.8 + 0.8 + 0.6 + 3.6) / 4)
    assert metrics.coverage([1, 5, 9, np.nan], [1, 6, 0, 0], [2, 7, 9, 9]) == pytest.approx(2 / 3)


def tiny_series():
    """Three weeks, hourly: 2 calls everywhere except a few slots set by hand."""
    y = pd.Series(2.0, index=pd.date_range("2024-01-01", periods=3 * WEEK_H, freq="h"))
    y.iloc[WEEK_H : WEEK_H + 3] = [1.0, 2.0, 5.0]  # week 2, first three hours
    y.iloc[2 * WEEK_H : 2 * WEEK_H + 3] = [2.0, 4.0, 2.0]  # week 3, first three hours
    return y


def test_backtest_scores_of_the_seasonal_naive_by_hand():
    y = tiny_series()
    origin = y.index[2 * WEEK_H]
    scores = backtest_model(y, SeasonalNaive(), [origin], horizon=3)
    row = scores.iloc[0]
    # Forecast = week 2's first hours [1, 2, 5]; actual [2, 4, 2]; errors -1, -2, 3.
    assert row["model"] == "seasonal_naive" and row["origin"] == origin and row["horizon"] == 3
    assert row["mae"] == pytest.approx(2.0)
    assert row["rmse"] == pytest.approx(math.sqrt(14 / 3))
    # In-sample weekly naive on weeks 1-2: |1-2| + |2-2| + |5-2| = 4 over 168 slots.
    assert row["mase"] == pytest.approx(2.0 / (4 / WEEK_H))
    assert 0 <= row["coverage_80"] <= 1 and row["pinball"] > 0


def test_weekly_origins_step_back_a_week_and_shrink_with_short_history():
    y = tiny_series()
    origins = weekly_origins(y, n=5, horizon=24)
    assert origins == [y.index[len(y) - 24 - k * WEEK_H] for k in (2, 1, 0)]
    assert weekly_origins(y, n=5, horizon=24, min_train=WEEK_H) == origins[1:]
    assert weekly_origins(y, n=5, horizon=24, min_train=2 * WEEK_H) == origins[2:]
    assert weekly_origins(y, n=2, horizon=24) == origins[1:]
    assert weekly_origins(y, n=3, horizon=24, min_train=3 * WEEK_H) == []


def test_backtest_table_and_summary():
    rng = np.random.default_rng(0)
    y = pd.Series(rng.poisson(4, 6 * WEEK_H).astype(float), index=pd.date_range("2024-01-01", periods=6 * WEEK_H, freq="h"))
    origins = weekly_origins(y, n=2, horizon=48, min_train=2 * WEEK_H)
    table = backtest(y, [SeasonalNaive(), SeasonalAverage(weeks=3)], origins, horizon=48)
    assert list(table.columns) == ["model", "origin", "horizon", "mae", "rmse", "mase", "pinball", "coverage_80", "coverage_95"]
    assert len(table) == 4
    summary = summarise(table)
    assert list(summary["origins"]) == [2, 2]
    naive = table[table["model"] == "seasonal_naive"]
    assert summary.set_index("model").loc["seasonal_naive", "rmse"] == pytest.approx(naive["rmse"].mean())
    assert summary["rmse"].is_monotonic_increasing


def test_origins_that_leave_too_little_to_score_are_refused():
    y = tiny_series()
    with pytest.raises(ForecastError, match="fewer than 48"):
        backtest_model(y, SeasonalNaive(), [y.index[-10]], horizon=48)
