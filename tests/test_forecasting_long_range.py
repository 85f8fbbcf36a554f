"""Long-range forecasts a finance team relies on: trend and annual cycle recovered, intervals add up."""

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.long_range import DailyModel, LongRangeSettings, long_range_forecast

NO_HOLIDAYS = LongRangeSettings(holiday_country=None)


def true_daily_mean(dates: pd.DatetimeIndex, start: pd.Timestamp) -> np.ndarray:
    years = (dates - start) / pd.Timedelta(days=365.25)
    annual = 0.15 * np.cos(2 * np.pi * (dates.day_of_year - 200) / 365.25)
    weekend = np.where(dates.day_of_week >= 5, 0.1, 0.0)
    return 500 * np.exp(np.log(1.08) * years + annual + weekend)


def test_recovers_growth_and_the_annual_cycle_a_year_ahead():
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2021-01-01")
    past = pd.date_range(start, periods=3 * 365, freq="D")
    daily = pd.Series(rng.poisson(true_daily_mean(past, start)).astype(float), index=past)
    model = DailyModel(NO_HOLIDAYS).fit(daily)
    assert model.annual_growth == pytest.approx(0.08, abs=0.01)
    future = pd.date_range(past[-1] + pd.Timedelta(days=1), periods=365, freq="D")
    forecast = model.predict(future)
    truth = true_daily_mean(future, start)
    assert np.abs(forecast["calls"].to_numpy() / truth - 1).max() < 0.04
    # The 80% interval covers about 80% of a fresh year of days.
    fresh = rng.poisson(truth)
    inside = (forecast["calls_p10"].to_numpy() <= fresh) & (fresh <= forecast["calls_p90"].to_numpy())
    assert inside.mean() == pytest.approx(0.8, abs=0.06)


def interval_history(days: int, start: str = "2024-06-03", tz: str = "Europe/London") -> pd.DataFrame:
    rng = np.random.default_rng(9)
    index = pd.date_range(pd.Timestamp(start, tz=tz), pd.Timestamp(start, tz=tz) + pd.Timedelta(days=days),
                          freq="15min", inclusive="left")
    hour = index.hour + index.minute / 60
    rate = 2 + 1.5 * np.sin(2 * np.pi * (hour - 9) / 24)
    return pd.DataFrame({"queue": "999", "interval_start": index, "calls": rng.poisson(rate), "aht": np.nan})


def test_intervals_add_up_to_the_daily_totals_across_clock_changes():
    history = interval_history(400)
    result = long_range_forecast(history, horizon_days=270, settings=NO_HOLIDAYS)
    daily = result.daily.set_index("date")["calls"]
    intervals = result.intervals
    local_day = intervals["interval_start"].dt.tz_localize(None).dt.normalize()
    sums = intervals.groupby(local_day)["calls"].sum()
    assert len(daily) == 270
    pd.testing.assert_series_equal(sums, daily, check_names=False, check_freq=False, rtol=1e-9)
    per_day = intervals.groupby(local_day).size()
    assert per_day[pd.Timestamp("2025-10-26")] == 100 and per_day[pd.Timestamp("2026-03-29")] == 92
    # The intraday shape is learned: the 15:00 interval is busier than 03:00.
    first = intervals[local_day == daily.index[0]].set_index("interval_start")["calls"]
    assert first.iloc[60] > 2 * first.iloc[12]
    q = intervals[["calls_p2.5", "calls_p10", "calls_p50", "calls_p90", "calls_p97.5"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all() and (q >= 0).all()


def test_too_short_for_an_annual_cycle_says_how_long_it_must_be():
    with pytest.raises(ForecastError, match="needs at least 365"):
        long_range_forecast(interval_history(100), horizon_days=30, settings=NO_HOLIDAYS)
