"""The driver: validation, model choice, skipping failures, output contract, reproducibility."""

import warnings

import numpy as np
import pandas as pd
import pytest

from forecasting.driver import ForecastResult, forecast
from forecasting.errors import ForecastError
from forecasting.schema import BACKTEST_COLUMNS, DEFAULT_QUANTILES, FORECAST_COLUMNS, quantile_column

TZ = "Europe/London"
WEEK_H = 168


def history(queue="999", weeks=5, seed=0, start="2024-01-01", calls=None, aht=300.0):
    """Hourly history in winter (no clock change): Poisson with a daily + weekly shape."""
    index = pd.date_range(pd.Timestamp(start, tz=TZ), periods=int(weeks * WEEK_H), freq="h")
    if calls is None:
        local = index.tz_localize(None)
        rate = 4 + 3 * np.sin(2 * np.pi * (local.hour.to_numpy() - 8) / 24) + (local.day_of_week.to_numpy() < 5)
        calls = np.random.default_rng(seed).poisson(rate)
    return pd.DataFrame({"queue": queue, "interval_start": index, "calls": calls, "aht": aht})


def weekly_periodic(queue="101", weeks=5):
    week = np.random.default_rng(7).poisson(5, WEEK_H)
    return history(queue, weeks, calls=np.tile(week, weeks))


def quiet(_message):
    pass


def test_output_follows_the_forecast_contract():
    hist = pd.concat([history("999"), history("101", seed=1)], ignore_index=True)
    result = forecast(hist, 3, ["seasonal_naive", "seasonal_average"], backtest_origins=2, progress=quiet)
    assert isinstance(result, ForecastResult)
    out = result.forecast
    assert list(out.columns) == [*FORECAST_COLUMNS, *(quantile_column(q) for q in DEFAULT_QUANTILES)]
    last = hist["interval_start"].max()
    for queue, rows in out.groupby("queue"):
        real = pd.DatetimeIndex(rows["interval_start"])
        assert str(real.tz) == TZ
        assert real[0] == last + pd.Timedelta("1h")
        assert len(rows) == 3 * 24
        assert (rows["model"] == result.chosen[queue]).all()
    quantiles = out[[quantile_column(q) for q in DEFAULT_QUANTILES]].to_numpy()
    assert (quantiles >= 0).all() and (np.diff(quantiles, axis=1) >= 0).all()
    assert (out["aht"] == 300.0).all()
    assert list(result.backtest.columns) == list(BACKTEST_COLUMNS)
    assert len(result.backtest) == 2 * 2 * 2  # queues x models x origins
    assert set(result.summary()["queue"]) == {"999", "101"}


@pytest.mark.parametrize("order", [["seasonal_naive_daily", "seasonal_naive"], ["seasonal_naive", "seasonal_naive_daily"]])
def test_picks_the_clearly_better_model_whatever_the_order(order):
    result = forecast(weekly_periodic(), 2, order, backtest_origins=2, progress=quiet)
    assert result.chosen == {"101": "seasonal_naive"}
    scores = result.summary().set_index("model")["rmse"]
    assert scores["seasonal_naive"] == 0.0 < scores["seasonal_naive_daily"]


def test_same_inputs_give_identical_output():
    hist = pd.concat([history("999", weeks=5), history("101", weeks=5, seed=3)], ignore_index=True)
    models = ["seasonal_naive", "seasonal_average", "mstl"]
    a = forecast(hist, 2, models, backtest_origins=2, progress=quiet)
    b = forecast(hist.sample(frac=1.0, random_state=0), 2, models, backtest_origins=2, progress=quiet)
    pd.testing.assert_frame_equal(a.forecast, b.forecast)
    pd.testing.assert_frame_equal(a.backtest, b.backtest)
    assert a.chosen == b.chosen


def test_a_failing_model_is_skipped_with_a_message_and_the_driver_carries_on():
    hist = history(weeks=2.5)  # MSTL needs 3 weeks
    messages = []
    result = forecast(hist, 2, ["mstl", "seasonal_naive"], backtest_origins=2, progress=messages.append)
    assert result.chosen == {"999": "seasonal_naive"}
    assert any("skipping mstl" in m and "needs at least" in m for m in messages)
    assert set(result.backtest["model"]) == {"seasonal_naive"}
    with pytest.warns(UserWarning, match="skipping mstl"):
        forecast(hist, 2, ["mstl", "seasonal_naive"], backtest_origins=2)


def test_too_short_to_backtest_uses_the_first_model_that_fits():
    hist = history(weeks=15 / 7)  # 15 days: a 7-day backtest would leave 8 days to fit on
    messages = []
    result = forecast(hist, 7, ["mstl", "seasonal_naive"], backtest_origins=2, progress=messages.append)
    assert result.chosen == {"999": "seasonal_naive"}
    assert result.backtest.empty
    assert any("too short to backtest" in m for m in messages)


def test_all_models_failing_names_the_queue():
    hist = pd.concat([history("999"), history("101", calls=0)], ignore_index=True)
    with pytest.raises(ForecastError, match="queue '101'"):
        forecast(hist, 1, ["seasonal_naive", "seasonal_average"], progress=quiet)


def test_no_warnings_in_a_normal_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast(history(weeks=4), 1, ["seasonal_naive", "mstl"], backtest_origins=1)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda h: h.drop(columns="calls"), r"lacks column\(s\) \['calls'\]"),
        (lambda h: h.assign(interval_start=h["interval_start"].dt.tz_localize(None)), "tz-aware"),
        (lambda h: pd.concat([h, h.iloc[[5]]]), "duplicate rows for queue '999' at 2024-01-01 05:00"),
        (lambda h: h.assign(calls=h["calls"].where(h.index != 7, -1)), "negative"),
        (lambda h: h.assign(calls=h["calls"].where(h.index != 7, np.nan)), "calls is missing at row 7"),
        (lambda h: h.iloc[0:0], "no rows"),
    ],
)
def test_bad_history_is_refused_with_a_clear_message(mutate, message):
    with pytest.raises(ForecastError, match=message):
        forecast(mutate(history(weeks=3)), 1, ["seasonal_naive"], progress=quiet)


def test_bad_arguments_are_refused():
    hist = history(weeks=3)
    with pytest.raises(ForecastError, match="unknown model 'prophet'"):
        forecast(hist, 1, ["prophet"])
    with pytest.raises(ForecastError, match="horizon_days"):
        forecast(hist, 0, ["seasonal_naive"])
    with pytest.raises(ForecastError, match="quantiles"):
        forecast(hist, 1, ["seasonal_naive"], quantiles=(0.5, 1.5))


def test_scores_stay_numeric_when_one_queue_cannot_be_backtested():
    hist = pd.concat([history("a", weeks=15 / 7), history("b", weeks=5)], ignore_index=True)
    result = forecast(hist, 7, ["seasonal_naive", "seasonal_average"], progress=quiet)
    assert set(result.backtest["queue"]) == {"b"}
    assert result.backtest["rmse"].dtype == np.float64
    assert set(result.chosen) == {"a", "b"}


def test_missing_intervals_are_gaps_not_zeros():
    hist = history(weeks=5)
    last_week = hist["interval_start"] >= hist["interval_start"].max() - pd.Timedelta(days=3)
    gap = last_week & (hist["interval_start"] < hist["interval_start"].max() - pd.Timedelta(days=2))
    messages = []
    result = forecast(hist[~gap], 1, ["seasonal_naive", "seasonal_average"], backtest_origins=2, progress=messages.append)
    # The naive copies last week, which has the hole; the average uses the other weeks.
    assert result.chosen == {"999": "seasonal_average"}
    assert any("skipping seasonal_naive" in m and "missing value" in m for m in messages)
    assert result.forecast["calls"].notna().all()
    assert result.backtest["rmse"].notna().all()


def test_no_backtest_requested_uses_the_first_model_that_fits():
    messages = []
    result = forecast(history(weeks=3), 1, ["seasonal_average", "seasonal_naive"], backtest_origins=0, progress=messages.append)
    assert result.chosen == {"999": "seasonal_average"}
    assert result.backtest.empty
    assert not any("too short" in m for m in messages)


def test_calibrated_driver_widens_quantiles_when_recent_errors_outgrow_the_fit():
    """The last weeks are far noisier than the history the model's spread was fitted on; the
    calibrated forecast's 80% band widens to match its backtest errors, and the mean stays put."""
    rng = np.random.default_rng(21)
    index = pd.date_range("2026-01-05", periods=12 * 168, freq="h", tz="UTC")
    rate = np.full(len(index), 20.0)
    calls = rng.poisson(rate)
    calls[-3 * 168:] = rng.poisson(rng.gamma(2.0, 10.0, 3 * 168))  # same mean, much larger spread
    hist = pd.DataFrame({"queue": "999", "interval_start": index, "calls": calls, "aht": np.nan})
    plain = forecast(hist, 7, ["seasonal_average"], backtest_origins=2, progress=lambda m: None)
    tuned = forecast(hist, 7, ["seasonal_average"], backtest_origins=2, progress=lambda m: None, calibrate=True)
    np.testing.assert_allclose(tuned.forecast["calls"], plain.forecast["calls"])
    width = lambda f: (f["calls_p90"] - f["calls_p10"]).mean()  # noqa: E731
    assert width(tuned.forecast) > 1.2 * width(plain.forecast)
    q = tuned.forecast[["calls_p2.5", "calls_p10", "calls_p50", "calls_p90", "calls_p97.5"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
