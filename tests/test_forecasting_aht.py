"""AHT forecast: call-weighted slot means with fallbacks, worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from forecasting.aht import forecast_aht, wall_clock_workload

TZ = "Europe/London"
WEEK_H = 168


def hourly_history(weeks=3, start="2024-01-01"):
    index = pd.date_range(pd.Timestamp(start, tz=TZ), periods=weeks * WEEK_H, freq="h")
    calls = pd.Series(1.0, index=index)
    aht = pd.Series(300.0, index=index)
    return calls, aht


def set_slot(calls, aht, week, slot, n, seconds):
    calls.iloc[week * WEEK_H + slot] = n
    aht.iloc[week * WEEK_H + slot] = seconds


def test_recent_weeks_are_call_weighted_and_fallbacks_apply_in_order():
    calls, aht = hourly_history()
    # Slot 10: only the last 2 weeks count: (2*100 + 1*400) / 3 = 200.
    set_slot(calls, aht, 0, 10, 5, 1000.0)
    set_slot(calls, aht, 1, 10, 2, 100.0)
    set_slot(calls, aht, 2, 10, 1, 400.0)
    # Slot 20: no calls in the last 2 weeks -> this slot's all-history mean, 250.
    set_slot(calls, aht, 0, 20, 3, 250.0)
    set_slot(calls, aht, 1, 20, 0, np.nan)
    set_slot(calls, aht, 2, 20, 0, np.nan)
    # Slot 30: no calls ever -> overall call-weighted mean.
    for week in range(3):
        set_slot(calls, aht, week, 30, 0, np.nan)
    # Slot 40: calls without a handle time are left out: week 2's 1 call at 50 s.
    set_slot(calls, aht, 1, 40, 1, 50.0)
    set_slot(calls, aht, 2, 40, 4, np.nan)
    workload = wall_clock_workload(calls, aht)
    out = forecast_aht(workload, WEEK_H + 11, weeks=2)
    known = aht.notna()
    overall = (calls * aht)[known].sum() / calls[known].sum()
    assert out.iloc[10] == pytest.approx(200.0)
    assert out.iloc[20] == pytest.approx(250.0)
    assert out.iloc[30] == pytest.approx(overall)
    assert out.iloc[40] == pytest.approx(50.0)
    assert out.iloc[WEEK_H + 10] == pytest.approx(200.0)  # second week ahead: same slot of the week
    assert out.index[0] == workload.index[-1] + pd.Timedelta("1h")
    assert out.name == "aht"


def test_repeated_hour_is_call_weighted():
    index = pd.date_range(pd.Timestamp("2024-10-01", tz=TZ), pd.Timestamp("2024-10-28", tz=TZ), freq="h", inclusive="left")
    calls = pd.Series(1.0, index=index)
    aht = pd.Series(300.0, index=index)
    first, second = pd.Timestamp("2024-10-27 00:00", tz="UTC"), pd.Timestamp("2024-10-27 01:00", tz="UTC")  # both 01:00 local
    calls[first], aht[first] = 3, 100.0
    calls[second], aht[second] = 1, 500.0
    workload = wall_clock_workload(calls, aht)
    slot = workload.loc[pd.Timestamp("2024-10-27 01:00")]
    assert slot["handle"] / slot["calls"] == pytest.approx((3 * 100 + 500) / 4)


def test_no_handle_times_at_all_gives_nan():
    calls, aht = hourly_history(weeks=1)
    out = forecast_aht(wall_clock_workload(calls, aht * np.nan), 24)
    assert out.isna().all()
