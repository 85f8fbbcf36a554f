"""Every model in REGISTRY keeps the contract (a researcher's registered model is tested too).

Hourly synthetic data keeps this fast; every model must work at any interval
that divides a day, so hourly is as valid a check as 15-minute.
"""

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.models import REGISTRY, make_model
from forecasting.schema import CALLS, DEFAULT_QUANTILES, quantile_column

DAY, WEEK = 24, 168
TRAIN_WEEKS, TEST_WEEKS = 8, 1
NAIVE = {"seasonal_naive", "seasonal_naive_daily"}  # the yardsticks, not expected to beat themselves
MODELS = list(REGISTRY)


def rate(n):
    """Daily cycle whose shape differs at weekends, ~1 to ~15 calls an hour."""
    t = np.arange(n)
    weekend = (t // DAY) % 7 >= 5
    daily = np.sin(2 * np.pi * t / DAY - 2.0) + np.where(weekend, 0.3 * np.sin(4 * np.pi * t / DAY), 0.0)
    return 7.0 * (1 + 0.6 * daily) * np.where(weekend, 0.7, 1.0) + 1.0


def series(weeks, seed):
    r = rate(weeks * WEEK)
    values = np.random.default_rng(seed).poisson(r).astype(float)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(r), freq="1h"))


@pytest.fixture(scope="module")
def data():
    full = series(TRAIN_WEEKS + TEST_WEEKS, seed=11)
    other = series(TRAIN_WEEKS, seed=12) * 2
    return full.iloc[: TRAIN_WEEKS * WEEK], full.iloc[TRAIN_WEEKS * WEEK :], other


@pytest.fixture(scope="module")
def forecasts(data):
    """Per model: (model fitted on train, its forecast, forecast after fitting `other` then train)."""
    train, test, other = data
    out = {}
    for name in MODELS:
        model = make_model(name)
        first = model.fit(train)
        frame = first.predict(len(test))
        refitted = make_model(name).fit(other).fit(train).predict(len(test))
        out[name] = (model, first, frame, refitted)
    return out


@pytest.mark.parametrize("name", MODELS)
def test_fit_returns_the_model_and_the_forecast_frame_has_the_contracted_shape(forecasts, data, name):
    model, first, frame, _ = forecasts[name]
    train, test, _ = data
    assert first is model
    assert model.name == name
    pd.testing.assert_index_equal(frame.index, test.index, check_names=False)
    assert frame.index.freq == pd.Timedelta("1h")
    assert list(frame.columns) == [CALLS, *(quantile_column(q) for q in DEFAULT_QUANTILES)]
    values = frame.to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    quantiles = frame.drop(columns=CALLS).to_numpy()
    assert (np.diff(quantiles, axis=1) >= 0).all(), "quantiles must rise with the level"
    assert (quantiles[:, -1] > quantiles[:, 0]).mean() > 0.9, "intervals must have width"


@pytest.mark.parametrize("name", MODELS)
def test_same_input_gives_the_same_forecast_and_refitting_replaces_the_state(forecasts, name):
    _, _, frame, refitted = forecasts[name]
    pd.testing.assert_frame_equal(refitted, frame)


@pytest.mark.parametrize("name", MODELS)
def test_a_known_daily_and_weekly_signal_is_forecast_better_than_the_weekly_seasonal_naive(forecasts, data, name):
    if name in NAIVE:
        pytest.skip("the yardstick itself")
    _, test, _ = data
    actual = test.to_numpy()

    def rmse(model_name):
        return np.sqrt(np.mean((forecasts[model_name][2][CALLS].to_numpy() - actual) ** 2))

    assert rmse(name) < 0.9 * rmse("seasonal_naive")


@pytest.mark.parametrize("name", MODELS)
def test_too_short_a_series_is_refused_in_one_line_naming_the_minimum(name):
    y = pd.Series(3.0, index=pd.date_range("2024-01-01", periods=DAY, freq="1h"))
    with pytest.raises(ForecastError, match=rf"^{name}: series has {DAY} intervals, needs at least \d+") as info:
        make_model(name).fit(y)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", MODELS)
def test_an_all_zero_series_is_refused_in_one_line(name):
    y = pd.Series(0.0, index=pd.date_range("2024-01-01", periods=TRAIN_WEEKS * WEEK, freq="1h"))
    with pytest.raises(ForecastError, match="no calls") as info:
        make_model(name).fit(y)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", MODELS)
def test_a_gap_is_either_worked_around_or_named_in_one_line(data, name):
    train = data[0].copy()
    train.iloc[-30] = np.nan
    try:
        frame = make_model(name).fit(train).predict(DAY)
    except ForecastError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(f"{name}: ")
        assert "missing value" in str(exc) or "needs" in str(exc)
    else:
        assert np.isfinite(frame.to_numpy()).all() and (frame.to_numpy() >= 0).all()
