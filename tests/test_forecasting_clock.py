"""Real intervals <-> wall-clock grid across the 2024 Europe/London clock changes."""

import numpy as np
import pandas as pd
import pytest

from forecasting.clock import Periods, from_wall_clock, future_intervals, infer_interval, to_wall_clock
from forecasting.driver import forecast
from forecasting.errors import ForecastError

TZ = "Europe/London"
SPRING = pd.Timestamp("2024-03-31").date()
AUTUMN = pd.Timestamp("2024-10-27").date()


def real_index(start, end, minutes=15, tz=TZ):
    return pd.date_range(pd.Timestamp(start, tz=tz), pd.Timestamp(end, tz=tz), freq=f"{minutes}min", inclusive="left")


def wall_rate(local: pd.DatetimeIndex) -> np.ndarray:
    """A rate that depends only on the wall clock: distinct for every slot of the week."""
    return (1 + 4 * local.hour + local.minute // 15 + 100 * local.day_of_week).to_numpy(dtype=float)


def per_local_day(index: pd.DatetimeIndex) -> pd.Series:
    return pd.Series(1, index=index).groupby(index.tz_localize(None).date).size()


def test_real_days_have_92_and_100_intervals():
    counts = per_local_day(real_index("2024-01-01", "2025-01-01"))
    assert counts[SPRING] == 92
    assert counts[AUTUMN] == 100
    assert set(counts.drop([SPRING, AUTUMN])) == {96}


def test_wall_clock_grid_is_regular_with_96_slots_a_day():
    index = real_index("2024-03-01", "2024-11-15")
    rng = np.random.default_rng(1)
    wall = to_wall_clock(pd.Series(rng.poisson(5, len(index)).astype(float), index=index))
    assert wall.index.tz is None
    assert wall.index.freq == pd.Timedelta("15min")
    assert ((wall.index[1:] - wall.index[:-1]) == pd.Timedelta("15min")).all()
    assert set(pd.Series(1, index=wall.index).groupby(wall.index.date).size()) == {96}
    assert not wall.isna().any()


def test_fall_back_averages_the_repeated_hour_and_spring_forward_interpolates():
    index = real_index("2024-03-30", "2024-11-01")
    rng = np.random.default_rng(2)
    series = pd.Series(rng.poisson(8, len(index)).astype(float), index=index)
    wall = to_wall_clock(series)
    # Fall-back: the 01:15 slot averages its BST and GMT occurrences.
    first = pd.Timestamp("2024-10-27 00:15", tz="UTC").tz_convert(TZ)  # 01:15 BST
    second = pd.Timestamp("2024-10-27 01:15", tz="UTC").tz_convert(TZ)  # 01:15 GMT
    assert wall[pd.Timestamp("2024-10-27 01:15")] == pytest.approx((series[first] + series[second]) / 2)
    # Spring-forward: 01:00..01:45 never happened; linear between 00:45 and 02:00.
    before = series[pd.Timestamp("2024-03-31 00:45", tz=TZ)]
    after = series[pd.Timestamp("2024-03-31 02:00", tz=TZ)]
    for k, slot in enumerate(pd.date_range("2024-03-31 01:00", periods=4, freq="15min"), start=1):
        assert wall[slot] == pytest.approx(before + (after - before) * k / 5)
    # Ordinary slots are the observations themselves.
    assert wall[pd.Timestamp("2024-06-01 12:00")] == series[pd.Timestamp("2024-06-01 12:00", tz=TZ)]


def test_round_trip_of_a_wall_clock_series_spanning_both_changes():
    index = real_index("2024-03-01", "2024-11-30")
    series = pd.Series(wall_rate(index.tz_localize(None)), index=index)
    back = from_wall_clock(to_wall_clock(series), index)
    pd.testing.assert_series_equal(back, series, check_freq=False)


def test_round_trip_of_a_frame_keeps_columns():
    index = real_index("2024-10-20", "2024-11-03")
    frame = pd.DataFrame({"a": np.arange(len(index), dtype=float), "b": 2.0}, index=index)
    back = from_wall_clock(to_wall_clock(frame), index)
    ordinary = index.tz_localize(None).date != AUTUMN
    pd.testing.assert_frame_equal(back[ordinary], frame[ordinary], check_freq=False)
    assert list(back.columns) == ["a", "b"]


@pytest.mark.parametrize("minutes, per_day, spring, autumn", [(30, 48, 46, 50), (60, 24, 23, 25)])
def test_periods_follow_the_interval_length(minutes, per_day, spring, autumn):
    index = real_index("2024-03-25", "2024-11-04", minutes)
    counts = per_local_day(index)
    assert (counts[SPRING], counts[AUTUMN]) == (spring, autumn)
    assert infer_interval(index) == pd.Timedelta(minutes=minutes)
    wall = to_wall_clock(pd.Series(wall_rate(index.tz_localize(None)), index=index))
    assert Periods.of(wall.index.freq).day == per_day
    assert Periods.of(wall.index.freq).week == 7 * per_day
    assert set(pd.Series(1, index=wall.index).groupby(wall.index.date).size()) == {per_day}


def test_intervals_that_do_not_align_with_the_clock_change_are_rejected():
    index = real_index("2024-10-20", "2024-11-03", 120)
    with pytest.raises(ForecastError, match="not on the"):
        to_wall_clock(pd.Series(1.0, index=index))


def test_naive_or_irregular_input_is_rejected():
    with pytest.raises(ForecastError, match="tz-aware"):
        to_wall_clock(pd.Series(1.0, index=pd.date_range("2024-01-01", periods=10, freq="15min")))
    index = real_index("2024-01-01", "2024-01-02")
    with pytest.raises(ForecastError, match="irregular"):
        infer_interval(index[[0, 1, 3, 4, 6]].append(pd.DatetimeIndex([index[6] + pd.Timedelta("20min")])))


def test_future_intervals_start_right_after_history_and_cover_the_days():
    last = pd.Timestamp("2024-10-20 23:45", tz=TZ)
    future = future_intervals(last, 14, pd.Timedelta("15min"))
    assert future[0] == last + pd.Timedelta("15min")
    assert len(future) == 14 * 96 + 4  # one fall-back day inside
    assert ((future[1:] - future[:-1]) == pd.Timedelta("15min")).all()


@pytest.mark.parametrize("end, days, change", [("2024-03-25", 14, SPRING), ("2024-10-21", 14, AUTUMN)])
def test_wall_clock_rate_is_forecast_onto_real_intervals_over_a_clock_change(end, days, change):
    index = real_index("2024-01-01", end)
    history = pd.DataFrame({"queue": "999", "interval_start": index, "calls": wall_rate(index.tz_localize(None)), "aht": 300.0})
    result = forecast(history, days, ["seasonal_naive"], backtest_origins=1, progress=lambda _: None)
    out = result.forecast
    real = pd.DatetimeIndex(out["interval_start"])
    assert str(real.tz) == TZ
    assert real[0] == index[-1] + pd.Timedelta("15min")
    np.testing.assert_array_equal(out["calls"].to_numpy(), wall_rate(real.tz_localize(None)))
    counts = per_local_day(real)
    assert counts[change] == (92 if change == SPRING else 100)
    local = real.tz_localize(None)
    on_day = local.date == change
    one_am = on_day & (local.hour == 1)
    if change == AUTUMN:
        # The 01:00-02:00 rate appears twice: once in BST, once in GMT.
        assert one_am.sum() == 8
        assert list(out["calls"][one_am]) == 2 * list(out["calls"][one_am][:4])
    else:
        assert one_am.sum() == 0


def test_history_ending_inside_the_first_pass_of_the_repeated_hour():
    end = pd.Timestamp("2024-10-27 00:45", tz="UTC").tz_convert(TZ)  # 01:45 BST
    index = pd.date_range(pd.Timestamp("2024-09-01", tz=TZ), end, freq="15min")
    history = pd.DataFrame({"queue": "101", "interval_start": index, "calls": wall_rate(index.tz_localize(None)), "aht": 300.0})
    out = forecast(history, 2, ["seasonal_naive"], backtest_origins=1, progress=lambda _: None).forecast
    real = pd.DatetimeIndex(out["interval_start"])
    assert real[0] == end + pd.Timedelta("15min")  # 01:00 GMT, the second pass
    assert len(out) == 2 * 96 + 4
    np.testing.assert_array_equal(out["calls"].to_numpy(), wall_rate(real.tz_localize(None)))
