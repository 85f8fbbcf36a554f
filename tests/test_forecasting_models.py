"""Models: exactness on periodic series, accuracy against a known rate, clear errors."""

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.models import REGISTRY, MSTLModel, SeasonalAverage, SeasonalNaive, make_model
from forecasting.schema import DEFAULT_QUANTILES, quantile_column

DAY, WEEK = 96, 672


def grid(n, freq="15min", start="2024-01-01"):
    return pd.date_range(start, periods=n, freq=freq)


def known_rate(n, level=8.0, start=0):
    """Daily + weekly seasonal rate per 15-minute slot, always >= 1."""
    t = np.arange(start, start + n)
    daily = np.sin(2 * np.pi * t / DAY - 2.0)
    weekend = ((t // DAY) % 7 >= 5).astype(float)
    return level * (1 + 0.6 * daily) * (1 - 0.3 * weekend) + 1.0


def poisson_series(weeks, seed, level=8.0):
    rng = np.random.default_rng(seed)
    rate = known_rate(weeks * WEEK, level)
    return pd.Series(rng.poisson(rate).astype(float), index=grid(len(rate))), rate


def test_seasonal_naive_reproduces_a_weekly_periodic_series_exactly():
    rng = np.random.default_rng(0)
    week = rng.poisson(6, WEEK).astype(float)
    y = pd.Series(np.tile(week, 3), index=grid(3 * WEEK))
    out = SeasonalNaive().fit(y).predict(2 * WEEK)
    np.testing.assert_array_equal(out["calls"].to_numpy(), np.tile(week, 2))
    assert out.index[0] == y.index[-1] + pd.Timedelta("15min")
    assert out.index.freq == pd.Timedelta("15min")
    assert list(out.columns) == ["calls", *(quantile_column(q) for q in DEFAULT_QUANTILES)]


def test_daily_seasonal_naive_on_hourly_data_uses_a_24_slot_period():
    rng = np.random.default_rng(1)
    day = rng.poisson(6, 24).astype(float)
    y = pd.Series(np.tile(day, 10), index=grid(240, "1h"))
    out = SeasonalNaive(season="day").fit(y).predict(30)
    np.testing.assert_array_equal(out["calls"].to_numpy(), np.resize(day, 30))


def test_seasonal_average_equals_the_hand_computed_mean_and_skips_gaps():
    rng = np.random.default_rng(2)
    y = pd.Series(rng.poisson(5, 5 * 168).astype(float), index=grid(5 * 168, "1h"))
    y.iloc[-2 * 168 + 7] = np.nan  # a gap in the second-last week, slot 7
    out = SeasonalAverage(weeks=3).fit(y).predict(168 + 2)["calls"]
    for stamp in (out.index[0], out.index[7], out.index[100], out.index[169]):
        same_slot = [stamp - pd.Timedelta(weeks=k) for k in range(1, 6)]
        last_three = [y[s] for s in same_slot if s <= y.index[-1]][:3]
        assert out[stamp] == pytest.approx(np.nanmean(last_three))
    assert out.iloc[7] == pytest.approx(np.mean([y.iloc[-168 + 7], y.iloc[-3 * 168 + 7]]))


def test_mstl_beats_seasonal_naive_and_is_near_the_poisson_floor():
    weeks, test_weeks = 12, 2
    rng = np.random.default_rng(3)
    rate = known_rate((weeks + test_weeks) * WEEK)
    y = pd.Series(rng.poisson(rate).astype(float), index=grid(len(rate)))
    train, actual = y.iloc[: weeks * WEEK], y.iloc[weeks * WEEK :].to_numpy()
    horizon = test_weeks * WEEK

    def rmse(model):
        return np.sqrt(np.mean((model.fit(train).predict(horizon)["calls"].to_numpy() - actual) ** 2))

    floor = np.sqrt(rate[weeks * WEEK :].mean())  # RMSE of the true rate itself
    mstl, naive = rmse(MSTLModel()), rmse(SeasonalNaive())
    assert mstl < naive
    assert mstl < 1.15 * floor
    assert naive > 1.25 * floor  # the yardstick copies last week's noise


def test_mstl_forecasts_are_never_negative_and_work_on_hourly_data():
    rng = np.random.default_rng(4)
    t = np.arange(4 * 168)
    rate = 0.3 + 3 * np.clip(np.sin(2 * np.pi * t / 24), 0, None)
    y = pd.Series(rng.poisson(rate).astype(float), index=grid(len(t), "1h"))
    out = MSTLModel(fit_weeks=4).fit(y).predict(168)
    assert (out.to_numpy() >= 0).all()
    assert out.index.freq == pd.Timedelta("1h")


@pytest.mark.parametrize("name", list(REGISTRY))
def test_registry_models_carry_their_name_and_fail_clearly_when_too_short(name):
    model = make_model(name)
    assert model.name == name
    y = pd.Series(3.0, index=grid(DAY))  # one day: too short for every model
    with pytest.raises(ForecastError, match=rf"^{name}: series has 96 intervals, needs at least \d+"):
        model.fit(y)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_all_zero_series_is_refused(name):
    y = pd.Series(0.0, index=grid(4 * WEEK))
    with pytest.raises(ForecastError, match="no calls"):
        make_model(name).fit(y)


def test_gaps_the_model_cannot_handle_are_named():
    y, _ = poisson_series(4, seed=5)
    y.iloc[-10] = np.nan
    for model in (SeasonalNaive(), MSTLModel()):
        with pytest.raises(ForecastError, match=f"missing value at {y.index[-10]}"):
            model.fit(y)
    SeasonalAverage().fit(y)  # averages the other weeks instead


def test_bad_series_and_settings_are_refused():
    with pytest.raises(ForecastError, match="tz-naive"):
        SeasonalNaive().fit(pd.Series(1.0, index=pd.date_range("2024-01-01", periods=3 * WEEK, freq="15min", tz="UTC")))
    irregular = pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 00:15", "2024-01-01 01:00"])
    with pytest.raises(ForecastError, match="no regular frequency"):
        SeasonalNaive().fit(pd.Series(1.0, index=irregular))
    with pytest.raises(ForecastError, match="negative"):
        SeasonalNaive().fit(pd.Series(-1.0, index=grid(3 * WEEK)))
    with pytest.raises(ForecastError, match="unknown model 'arima'; available: seasonal_naive"):
        make_model("arima")
    with pytest.raises(ForecastError, match="season"):
        SeasonalNaive(season="month")
    with pytest.raises(ForecastError, match="odd"):
        MSTLModel(windows=(40, 21))
    with pytest.raises(ForecastError, match="before a successful fit"):
        SeasonalNaive().predict(4)


def test_refitting_replaces_the_fitted_state():
    a, _ = poisson_series(3, seed=6)
    b = a * 3
    model = SeasonalNaive()
    first = model.fit(a).predict(10)
    second = model.fit(b).predict(10)
    np.testing.assert_allclose(second["calls"], 3 * first["calls"])
    pd.testing.assert_frame_equal(SeasonalNaive().fit(b).predict(10), second)
