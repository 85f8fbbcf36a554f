"""The built-in demo history: canonical shape, real clock changes, plausible demand patterns."""

import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
import pytest

from forecasting.schema import HISTORY_COLUMNS
from scenarios.demo_data import demo_history

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def timed_demo():
    started = time.perf_counter()
    history = demo_history(seed=3)
    return history, time.perf_counter() - started


@pytest.fixture(scope="module")
def demo(timed_demo):
    history = timed_demo[0]
    local = history["interval_start"]
    return history.assign(day=local.dt.strftime("%Y-%m-%d"), hour=local.dt.hour,
                          month=local.dt.month, dow=local.dt.day_of_week)


def _quarter_hours_in(day: date) -> int:
    """Length of a London day in real quarter hours, from zoneinfo rather than pandas."""
    start, end = (datetime(d.year, d.month, d.day, tzinfo=LONDON).astimezone(timezone.utc)
                  for d in (day, day + timedelta(days=1)))
    return int((end - start) / timedelta(minutes=15))


def test_it_is_fast(timed_demo):
    assert timed_demo[1] < 5


def test_canonical_columns_and_types(demo):
    history = demo[list(HISTORY_COLUMNS)]
    assert set(history["queue"]) == {"999", "101"}
    assert str(history["interval_start"].dt.tz) == "Europe/London"
    assert history["calls"].dtype == np.int64 and (history["calls"] >= 0).all()
    assert not history.duplicated(["queue", "interval_start"]).any()


def test_two_years_of_local_days_with_their_clock_changes(demo):
    days = [date(2024, 11, 2) + timedelta(days=k) for k in range(730)]
    expected = {day.isoformat(): _quarter_hours_in(day) for day in days}
    assert sorted(set(expected.values())) == [92, 96, 100]
    for _, queue in demo.groupby("queue"):
        assert queue.groupby("day").size().to_dict() == expected
        gaps = queue["interval_start"].dt.tz_convert("UTC").diff().dropna()
        assert (gaps == pd.Timedelta(minutes=15)).all()
    assert demo["interval_start"].max() == pd.Timestamp("2026-11-01 23:45", tz="Europe/London")


def test_daily_totals_are_near_the_mid_size_force_figures(demo):
    per_day = demo.groupby("queue")["calls"].sum() / 730
    assert per_day["999"] == pytest.approx(600, rel=0.1)
    assert per_day["101"] == pytest.approx(1700, rel=0.1)


def test_daily_totals_are_overdispersed_beyond_poisson(demo):
    # Same weekday a week apart: the rate barely moves, so the difference is mostly noise.
    # Under Poisson alone its median size is about 0.67 sd = 0.67 * sqrt(2 * mean); the median
    # shrugs off the odd bank holiday or surge, which would inflate a variance.
    daily = demo[demo["queue"] == "101"].groupby("day")["calls"].sum().to_numpy()
    diff = daily[7:] - daily[:-7]
    assert np.median(np.abs(diff)) > 1.2 * np.sqrt(2 * daily.mean())


def _mean_calls(frame, queue, mask):
    return frame.loc[(frame["queue"] == queue) & mask, "calls"].mean()


def test_999_saturday_night_is_busier_than_tuesday_night(demo):
    saturday = ((demo["dow"] == 5) & (demo["hour"] >= 22)) | ((demo["dow"] == 6) & (demo["hour"] < 3))
    tuesday = ((demo["dow"] == 1) & (demo["hour"] >= 22)) | ((demo["dow"] == 2) & (demo["hour"] < 3))
    assert _mean_calls(demo, "999", saturday) > 1.2 * _mean_calls(demo, "999", tuesday)


def test_999_summer_evenings_are_busier_than_winter_evenings(demo):
    evening = demo["hour"].between(18, 22)
    summer = evening & demo["month"].isin([6, 7, 8])
    new_year = demo["day"].str[5:].isin(["12-31", "01-01"])
    winter = evening & demo["month"].isin([12, 1, 2]) & ~new_year
    assert _mean_calls(demo, "999", summer) > 1.15 * _mean_calls(demo, "999", winter)


def test_999_peaks_in_the_evening_and_101_in_office_hours(demo):
    by_hour = demo.groupby(["queue", "hour"])["calls"].mean()
    assert 17 <= by_hour["999"].idxmax() <= 22
    assert 9 <= by_hour["101"].idxmax() <= 16
    assert by_hour["999"].loc[3:5].max() < 0.5 * by_hour["999"].max()


def test_new_years_eve_night_is_a_999_peak(demo):
    night = (demo["hour"] >= 23) | (demo["hour"] < 3)
    # The night's date is the evening it began on.
    evening = (demo["interval_start"] - pd.Timedelta(hours=12)).dt.strftime("%m-%d")
    nye = night & (evening == "12-31")
    around = night & evening.isin([f"12-{d}" for d in range(17, 31)] + [f"01-{d:02d}" for d in range(1, 15)])
    assert (nye & (demo["queue"] == "999")).sum() == 2 * 16      # two New Year nights, 4 hours each
    assert _mean_calls(demo, "999", nye) > 1.6 * _mean_calls(demo, "999", around)


def test_101_daytime_is_lower_on_bank_holidays_than_on_weekdays(demo):
    bank = holidays.country_holidays("GB", subdiv="ENG", years=[2024, 2025, 2026])
    is_bank = demo["day"].isin([d.isoformat() for d in bank])
    daytime = demo["hour"].between(10, 15) & (demo["dow"] < 5)
    assert is_bank[daytime].any()
    assert _mean_calls(demo, "101", daytime & is_bank) < 0.8 * _mean_calls(demo, "101", daytime & ~is_bank)


def test_aht_is_nan_exactly_where_there_were_no_calls(demo):
    assert (demo["aht"].isna() == (demo["calls"] == 0)).all()
    assert (demo["calls"] == 0).any()
    assert (demo["aht"].dropna() > 0).all()


def test_aht_averages_near_the_queue_means_and_is_longer_at_night(demo):
    weighted = (demo["aht"].fillna(0) * demo["calls"]).groupby(demo["queue"]).sum() \
        / demo.groupby("queue")["calls"].sum()
    assert weighted["999"] == pytest.approx(300, rel=0.1)
    assert weighted["101"] == pytest.approx(420, rel=0.1)
    night, afternoon = demo["hour"].between(1, 4), demo["hour"].between(13, 16)
    for queue in ("999", "101"):
        rows = demo["queue"] == queue
        assert demo.loc[rows & night, "aht"].mean() > demo.loc[rows & afternoon, "aht"].mean()


def test_same_seed_same_history_other_seed_different():
    first = demo_history(seed=11, days=60)
    pd.testing.assert_frame_equal(first, demo_history(seed=11, days=60))
    other = demo_history(seed=12, days=60)
    assert not first["calls"].equals(other["calls"])
    pd.testing.assert_series_equal(first["interval_start"], other["interval_start"])


def test_progress_is_reported_and_the_end_is_respected():
    messages = []
    history = demo_history(days=56, end="2025-03-31", progress=messages.append)
    assert messages and all(isinstance(m, str) for m in messages)
    local = history["interval_start"]
    assert local.min() == pd.Timestamp("2025-02-03", tz="Europe/London")
    assert local.max() == pd.Timestamp("2025-03-30 23:45", tz="Europe/London")
    assert (history.groupby("queue").size() == 56 * 96 - 4).all()    # 30 March: clocks forward
