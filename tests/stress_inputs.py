"""Small synthetic plans for the scenario-change tests: a grid, demand, a roster, a requirement."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.changes import Context
from scenarios.config import Scenario
from scenarios.pipeline import simulation_config
from scheduling.schema import SHIFT_COLUMNS

TZ = "Europe/London"
QUEUES = ("999", "101")


def grid(days: int = 2, start: str = "2026-11-02") -> pd.DatetimeIndex:   # a Monday
    return pd.date_range(pd.Timestamp(start, tz=TZ), periods=96 * days, freq="15min")


def demand(starts: pd.DatetimeIndex) -> pd.DataFrame:
    rows = []
    for queue, calls in (("999", 4.0), ("101", 10.0)):
        rows.append(pd.DataFrame({"queue": queue, "interval_start": starts, "model": "test",
                                  "calls": calls + np.arange(len(starts)) % 7, "aht": 300.0,
                                  "calls_p90": calls + 3.0}))
    return pd.concat(rows, ignore_index=True)


def roster(starts: pd.DatetimeIndex, shifts: int = 90, seed: int = 5) -> pd.DataFrame:
    """8-hour shifts at random quarter hours, a 30-minute break in the middle, one person each."""
    rng = np.random.default_rng(seed)
    begin = starts[np.sort(rng.integers(0, len(starts) - 32, size=shifts))]
    table = pd.DataFrame({
        "staff_id": [f"H{i + 1:04d}" for i in range(shifts)], "shift": "8h",
        "start": begin, "end": begin + pd.Timedelta(hours=8),
        "break_start": begin + pd.Timedelta(hours=3, minutes=45),
        "break_end": begin + pd.Timedelta(hours=4, minutes=15),
        "paid_hours": 7.5, "cost": 150.0, "skills": "999|101"})
    return table[list(SHIFT_COLUMNS)]


def pooled(starts: pd.DatetimeIndex, heads: int = 12) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": starts, "agents": heads, "required": heads})


def context(starts: pd.DatetimeIndex, shifts: pd.DataFrame | None = None, rebuilt: bool = False) -> Context:
    paid = float(shifts["paid_hours"].sum()) if shifts is not None else 0.0
    heads = int(shifts["staff_id"].nunique()) if shifts is not None else 0
    return Context(starts, QUEUES, seed=7, baseline_paid_hours=paid, baseline_heads=heads, rebuilt=rebuilt)


def on_shift_count(shifts: pd.DataFrame, starts: pd.DatetimeIndex) -> np.ndarray:
    """Heads on shift (breaks included) per interval, counted directly from the rows."""
    s = shifts["start"].to_numpy()[:, None]
    e = shifts["end"].to_numpy()[:, None]
    t = starts.to_numpy()[None, :]
    return ((s <= t) & (t < e)).sum(axis=0)


def working_count(shifts: pd.DataFrame, starts: pd.DatetimeIndex) -> np.ndarray:
    """Heads on duty and not on break per interval, counted directly from the rows."""
    t = starts.to_numpy()[None, :]
    on = (shifts["start"].to_numpy()[:, None] <= t) & (t < shifts["end"].to_numpy()[:, None])
    b0, b1 = shifts["break_start"].to_numpy()[:, None], shifts["break_end"].to_numpy()[:, None]
    on_break = ~pd.isna(b0) & (b0 <= t) & (t < b1)
    return (on & ~on_break).sum(axis=0)


def sim_config(replications: int = 3, scenario: Scenario | None = None):
    """The demo's queues as the simulation sees them; forecast taken as exact, so runs compare cleanly."""
    import dataclasses
    config = simulation_config(scenario or Scenario())
    return dataclasses.replace(config, replications=replications, day_multiplier_cv=0.0)


def base_toml(history_days: int, replications: int) -> str:
    """A small demo baseline for `scenarios compare` tests: two days, the naive forecast, 30 s roster."""
    return f"""
name = "base"
seed = 11
[data]
history_days = {history_days}
[forecast]
horizon_days = 2
models = ["seasonal_naive"]
backtest_origins = 0
[roster]
time_limit_s = 30
threads = 1
[simulation]
replications = {replications}
"""


# an evening surge on that baseline, its roster kept
SURGE = """
name = "evening_surge"
baseline = "base.toml"
roster = "keep"
[[changes]]
kind = "surge"
multiplier = 1.5
start_time = "18:00"
end_time = "22:00"
"""
