"""The demo month rostered as tours against single shifts: ``python -m benchmarks.roster_chain [time_limit_s]``.

The instance is the demo scenario's own (scenarios/demo.toml: 28 days of 15-minute intervals,
pooled requirement, 8/10/12-hour shifts, its pay rules, time limit, gap and threads), built once;
then the roster stage (scenarios.pipeline.build_plan, what `controlroom demo` runs) with
``[roster] model = "shifts"`` (the demo's) and with ``model = "tours"`` (weekly tours, each week's
tours handed on to people by scheduling.tour_chain). For each: wall and CPU seconds, cost under the
pay rules, proven gap, people (staff ids), head-intervals short, and the rule breaks that the
independent checker of `controlroom roster check` (scheduling.rules) finds over the whole month
(rest, weekly rest, 48-hour average). The shift model is the baseline measured in the same run.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from scenarios import pipeline
from scenarios.config import load_scenario
from scenarios.progress import Progress
from scenarios.roster_check import check_run_files
from scheduling import schema as s

DEMO = Path(__file__).resolve().parent.parent / "scenarios" / "demo.toml"


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def broken_rules(roster) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        roster.shifts.to_csv(Path(tmp) / "roster.csv", index=False)
        roster.cover.to_csv(Path(tmp) / "cover.csv", index=False)
        violations = check_run_files(Path(tmp) / "roster.csv", Path(tmp) / "cover.csv").before.violations
    people = violations[violations["person"] != "*"]
    return {rule: int(n) for rule, n in people.groupby("rule")["person"].nunique().items()}


def spread(shifts) -> str:
    """Per person: paid hours, night shifts (on duty at 02:00) and weekend shifts, lowest-highest."""
    start, end = shifts[s.START].dt.tz_localize(None), shifts[s.END].dt.tz_localize(None)
    mark = start.dt.normalize() + pd.Timedelta(hours=2)
    mark = mark.where(mark >= start, mark + pd.Timedelta(days=1))
    per = shifts.assign(night=mark < end, weekend=start.dt.day_of_week >= 5).groupby(s.STAFF_ID)
    parts = {"hours": per[s.PAID_HOURS].sum(), "nights": per["night"].sum(), "weekend shifts": per["weekend"].sum()}
    return ", ".join(f"{k} {v.min():g}-{v.max():g}" for k, v in parts.items())


def run(label: str, scenario, req) -> float:
    wall, cpu = time.perf_counter(), cpu_seconds()
    roster = pipeline.build_plan(scenario, req, Progress(quiet=True))
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    gap = float("nan") if roster.gap is None else 100 * roster.gap
    short = int((roster.cover[s.REQUIRED] - roster.cover[s.ROSTERED]).clip(lower=0).sum())
    rules = broken_rules(roster)
    shown = ", ".join(f"{k} {v}" for k, v in sorted(rules.items())) or "none"
    print(f"{label:<7} {roster.total_cost:>11,.0f} {gap:>6.2f}% {wall:>7.1f} {cpu:>7.1f} {len(roster.shifts):>6} "
          f"{roster.shifts[s.STAFF_ID].nunique():>6} {short:>6}  people breaking: {shown}; per person: "
          f"{spread(roster.shifts)}", flush=True)
    return roster.total_cost


def main(argv: list[str]) -> None:
    scenario = load_scenario(DEMO)
    if argv:
        scenario = dataclasses.replace(scenario, roster=dataclasses.replace(scenario.roster, time_limit_s=float(argv[0])))
    quiet = Progress(quiet=True)
    history = pipeline.load_history(scenario, quiet)
    fc = pipeline.forecast_demand(scenario, history, quiet)
    req = pipeline.staffing_requirement(scenario, fc, quiet)
    r = scenario.roster
    print(f"demo month: {scenario.forecast.horizon_days} days; time limit {r.time_limit_s:g} s, gap {r.gap:.1%}, "
          f"{r.threads} thread(s); load average {open('/proc/loadavg').read().split()[0]} at start")
    print(f"{'model':<7} {'cost':>11} {'gap':>7} {'wall s':>7} {'cpu s':>7} {'shifts':>6} {'people':>6} {'short':>6}")
    base = run("shifts", dataclasses.replace(scenario, roster=dataclasses.replace(r, model="shifts")), req)
    tours = run("tours", dataclasses.replace(scenario, roster=dataclasses.replace(r, model="tours", polish=True)), req)
    print(f"tours cost / shifts cost = {tours / base:.4f}; load average {open('/proc/loadavg').read().split()[0]} "
          f"at end ('short': head-intervals below the requirement; 'people breaking': staff ids the "
          f"roster checker finds breaking each rule over the month)")


if __name__ == "__main__":
    main(sys.argv[1:])
