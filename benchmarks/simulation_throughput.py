"""Throughput on one core: ``python benchmarks/simulation_throughput.py [days] [replications]``.

The reference case is a mid-size force for four weeks: 999 600 calls a day (AHT 300 s) and 101
1,700 a day (AHT 420 s) with a daily profile, answered by one pool from a roster of 8-hour shifts
with a staggered 30-minute break, about 40 handlers on duty at the peak.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from simulation.arrivals import draw_calls, read_demand
from simulation.config import QueueConfig, SimulationConfig
from simulation.model import run_replication
from simulation.runner import simulate
from simulation.staffing import read_staffing

TZ = "Europe/London"
LINES = {"999": (600, 300.0), "101": (1700, 420.0)}  # calls a day, AHT in seconds


def reference_config(replications: int = 1) -> SimulationConfig:
    return SimulationConfig((QueueConfig("999", priority=0, answer_within_s=10, mean_patience_s=60),
                             QueueConfig("101", priority=1, answer_within_s=60, mean_patience_s=180)),
                            replications=replications, seed=1)


def reference_demand(days: int = 28, start: str = "2025-03-03") -> pd.DataFrame:
    starts = pd.date_range(pd.Timestamp(start, tz=TZ), pd.Timestamp(start, tz=TZ) + pd.Timedelta(days=days),
                           freq="15min", inclusive="left")
    hour = np.asarray(starts.hour + starts.minute / 60, dtype=float)
    profile = 1 + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24)  # quiet at 03:00, busy at 15:00
    profile = profile / profile.mean() / 96
    return pd.concat([pd.DataFrame({"queue": q, "interval_start": starts, "calls": per_day * profile, "aht": aht})
                      for q, (per_day, aht) in LINES.items()], ignore_index=True)


def reference_shifts(demand: pd.DataFrame) -> pd.DataFrame:
    """8-hour shifts on the hour with a staggered 30-minute break, enough heads each hour."""
    load = (demand.calls * demand.aht / 900).groupby(demand.interval_start).sum()
    hourly = load.groupby(load.index.tz_convert("UTC").floor("h").tz_convert(TZ)).max()  # UTC: no ambiguous hour
    need = np.ceil((hourly + 2 * np.sqrt(hourly) + 2) / 0.7).astype(int)
    rows, on_duty = [], pd.Series(0, index=hourly.index)
    for hour, heads in need.items():
        extra = max(0, heads - on_duty[hour])
        on_duty[(on_duty.index >= hour) & (on_duty.index < hour + pd.Timedelta(hours=8))] += extra
        rows += [{"staff_id": f"H{len(rows) + k:05d}", "start": hour, "end": hour + pd.Timedelta(hours=8),
                  "break_start": hour + pd.Timedelta(minutes=180 + 30 * (k % 4)),
                  "break_end": hour + pd.Timedelta(minutes=210 + 30 * (k % 4)), "skills": "999|101"}
                 for k in range(extra)]
    return pd.DataFrame(rows)


def measure(days: int = 28, replications: int = 3) -> dict:
    demand, config = reference_demand(days), reference_config(replications)
    shifts = reference_shifts(demand)
    began = time.perf_counter()
    result = simulate(demand, shifts, config)
    total = time.perf_counter() - began
    model = read_demand(demand, config)
    staff = read_staffing(shifts, config, model.timeline)
    draws = draw_calls(model, config, np.random.default_rng(0))
    loop = min(_timed(run_replication, draws, staff, (0, 1)) for _ in range(3))  # best of 3: shared machines
    calls = len(result.calls)
    return {"calls": calls, "seconds": total, "calls_per_s": calls / total,
            "event_loop_calls_per_s": len(draws) / loop, "staff": len(staff.names),
            "summary": result.summary()}


def _timed(f, *args) -> float:
    began = time.perf_counter()
    f(*args)
    return time.perf_counter() - began


def main(argv: list[str]) -> None:
    days = int(argv[0]) if argv else 28
    replications = int(argv[1]) if len(argv) > 1 else 3
    out = measure(days, replications)
    print(f"{out['calls']:,} calls ({replications} replications of {days} days, {out['staff']} staff) "
          f"in {out['seconds']:.1f} s: {out['calls_per_s']:,.0f} calls/s end to end, "
          f"{out['event_loop_calls_per_s']:,.0f} calls/s in the event loop")
    print(out["summary"].round(3).to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1:])
