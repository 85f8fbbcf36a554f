"""Real 911 calls (Montgomery County, PA): MSTL must beat the weekly seasonal naive day-ahead."""

from pathlib import Path

import pandas as pd
import pytest

from forecasting.backtest import backtest, summarise, weekly_origins
from forecasting.clock import to_wall_clock
from forecasting.driver import forecast
from forecasting.models import MSTLModel, SeasonalNaive

from shared_data import SHARED_DATA  # noqa: E402

DATA = SHARED_DATA / "montco_911_calls.csv.gz"
TZ = "US/Eastern"


@pytest.fixture(scope="module")
def history():
    """Calls per real 15-minute interval per queue (a small stand-in for scenarios' ingestion)."""
    if not DATA.exists():
        pytest.skip(f"real data not available: {DATA} is absent")
    calls = pd.read_csv(DATA, parse_dates=["call_time"])
    tables = []
    for queue, rows in calls.groupby("queue"):
        # Local clock times; the data spans only the spring-forward change, where no call is stamped.
        starts = rows["call_time"].dt.floor("15min").dt.tz_localize(TZ, ambiguous="raise", nonexistent="raise")
        index = pd.date_range(starts.min().normalize(), starts.max().normalize() + pd.Timedelta(days=1), freq="15min", inclusive="left")
        counts = starts.value_counts().reindex(index, fill_value=0)
        tables.append(pd.DataFrame({"queue": queue, "interval_start": index, "calls": counts.to_numpy(), "aht": float("nan")}))
    return pd.concat(tables, ignore_index=True)


@pytest.mark.parametrize("queue", ["EMS", "Traffic"])
def test_mstl_beats_weekly_seasonal_naive_day_ahead(history, queue):
    rows = history[history["queue"] == queue].set_index("interval_start")["calls"].astype(float)
    wall = to_wall_clock(rows)
    origins = weekly_origins(wall, n=4, horizon=96, min_train=3 * 672)
    assert len(origins) == 4
    summary = summarise(backtest(wall, [SeasonalNaive(), MSTLModel()], origins, horizon=96)).set_index("model")
    assert summary.loc["mstl", "rmse"] < 0.9 * summary.loc["seasonal_naive", "rmse"]
    assert summary.loc["mstl", "mase"] < 1.0


def test_driver_on_real_data(history):
    ems = history[history["queue"] == "EMS"]
    messages = []
    result = forecast(ems, 1, ["seasonal_naive", "mstl"], backtest_origins=2, progress=messages.append)
    assert result.chosen == {"EMS": "mstl"}
    real = pd.DatetimeIndex(result.forecast["interval_start"])
    assert str(real.tz) == TZ and len(real) == 96
    assert real[0] == ems["interval_start"].max() + pd.Timedelta("15min")
    assert any("no handle times" in m for m in messages)
