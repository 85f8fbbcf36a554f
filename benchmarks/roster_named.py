"""A 4-week roster for 120 named handlers covering 999 and 101 at 15-minute resolution:
``python benchmarks/roster_named.py [time_limit_s] [threads] [handlers] [days]``.

Goal: within 1% of the proven bound in under 5 minutes. The problem is synthetic but shaped like
a mid-size force: 999 and 101 requirements with a daily and weekly profile (heads per interval),
30 handlers on 999 only, 40 on 101 only, 50 on both; full- and part-time contracts; the Working
Time Regulations (11 h rest, 48-hour average week, a day off in every 7); at most 6 shifts in a
row, days off in pairs, at most 2 weekends in 4; a week of leave for some; on/off requests and
preferred start times; fairness in nights and weekends. Printed: model size, seconds to build and
solve, the incumbent and bound after each stage (LP relaxation, rounding, fix-and-optimise, final
MIP: where the gap comes from), objective in parts, proven bound, gap, and the checker's penalty
(it must agree); then the same for the earlier method (named_roster.EARLIER) at the same limit
in the same run, as the baseline, and the ratio of the gaps.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

# the checkout this file is in, before any installed copy: a worktree measures its own code
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduling.named_roster import EARLIER, Heuristic, solve_roster  # noqa: E402
from scheduling.people import (Fairness, Person, Request, RosterProblem, Rules, ShiftType,  # noqa: E402
                               StartPreference)
from scheduling.rules import check  # noqa: E402
from scheduling.solver import SolverOptions  # noqa: E402

SHIFTS = (
    ShiftType("E6", 480, start_min=6 * 60, break_min=30),
    ShiftType("E7", 480, start_min=7 * 60, break_min=30),
    ShiftType("D9", 480, start_min=9 * 60, break_min=30),
    ShiftType("D11", 600, start_min=11 * 60, break_min=45),
    ShiftType("L14", 480, start_min=14 * 60, break_min=30),
    ShiftType("L16", 480, start_min=16 * 60, break_min=30),
    ShiftType("T18", 600, start_min=18 * 60, break_min=45),
    ShiftType("N22", 600, start_min=22 * 60, break_min=45, night=True),
)


def requirement(days: int, rng: np.random.Generator) -> pd.DataFrame:
    """Heads per 15-minute interval: quiet at 04:00, busy mid-afternoon, busier on Fridays/Saturdays."""
    t = np.arange(days * 96)
    hour = (t % 96) / 4
    weekday = (t // 96) % 7
    busy = 1 + 0.15 * np.isin(weekday, (4, 5))
    shape = 1 + 0.65 * np.sin(2 * np.pi * (hour - 10) / 24)
    r999 = np.maximum(2, np.round(5.5 * shape * busy + rng.normal(0, 0.4, t.size)))
    r101 = np.where((hour >= 7) & (hour < 22), np.round(9 * shape * busy + rng.normal(0, 0.6, t.size)), 1)
    rows = [pd.DataFrame({"skill": "999", "interval": t, "required": r999.astype(int), "under_weight": 40.0,
                          "floor": 0}),
            pd.DataFrame({"skill": "101", "interval": t, "required": np.maximum(r101, 0).astype(int),
                          "under_weight": 10.0, "floor": 0})]
    return pd.concat(rows, ignore_index=True)


def build_problem(handlers: int = 120, days: int = 28, seed: int = 1) -> RosterProblem:
    rng = np.random.default_rng(seed)
    people, requests, prefs = [], [], []
    weeks = days / 7
    for i in range(handlers):
        pid = f"H{i + 1:03d}"
        skills = frozenset({"999"}) if i % 12 < 3 else frozenset({"101"}) if i % 12 < 7 else frozenset({"999", "101"})
        part_time = i % 6 == 5
        weekly = 18.75 if part_time else 37.5
        leave = frozenset()
        if i % 10 == 3:  # a week of leave, spread over the horizon
            first = int(rng.integers(0, max(1, days - 7)))
            leave = frozenset(range(first, first + 7))
        contracted = int(weekly * 60 * (weeks - len(leave) / 7))
        people.append(Person(
            id=pid, skills=skills, min_minutes=int(contracted * 0.9), max_minutes=int(contracted * 1.1),
            max_consecutive=6, min_consecutive=2, min_days_off=2, max_weekends=2 * days // 28 or 1,
            days_off=leave, hourly_cost=round(float(rng.uniform(16, 22)), 2)))
        for _ in range(int(rng.integers(0, 4))):
            day = int(rng.integers(0, days))
            if day in leave:
                continue
            if rng.random() < 0.7:
                requests.append(Request(pid, day, None, float(rng.integers(5, 30)), on=False))
            else:
                shift = SHIFTS[int(rng.integers(0, len(SHIFTS)))].id
                requests.append(Request(pid, day, shift, float(rng.integers(5, 20)), on=True))
        if i % 8 == 0:
            prefs.append(StartPreference(pid, 6 * 60, 10 * 60, 4.0))
    return RosterProblem(horizon=days, shifts=SHIFTS, people=tuple(people), rules=Rules(hours_short_weight=60.0),
                         requests=tuple(requests), start_preferences=tuple(prefs),
                         interval_cover=requirement(days, rng), interval_min=15,
                         fairness=Fairness(night_weight=20.0, weekend_weight=20.0))


def run(problem: RosterProblem, limit: float, threads: int, heuristic: Heuristic, label: str) -> float | None:
    """Solve once and print the trace, the objective in its parts, the bound and the gap; return the gap."""
    started = time.perf_counter()
    result = solve_roster(problem, SolverOptions(time_limit_s=limit, gap_rel=0.005, threads=threads),
                          lp_guided_start=True, explain=False, heuristic=heuristic)
    total = time.perf_counter() - started
    o = result.outcome
    print(f"{label}: {heuristic}")
    for seconds, stage, objective, bound in result.trace:
        obj = "-" if objective is None else f"{objective:,.1f}"
        bnd = "-" if bound is None else f"{bound:,.1f}"
        print(f"  {seconds:6.1f} s  {stage:<17} objective {obj:>11}  bound {bnd:>11}")
    if not o.has_solution:
        print(f"  status {o.status}: no roster in {o.seconds:.1f} s")
        return None
    print(f"  status {o.status}: objective {o.objective:,.1f}, proven bound {o.best_bound:,.1f}, "
          f"gap {100 * (o.gap or 0):.2f}%, build+solve {total:.1f} s")
    print("  parts: " + ", ".join(f"{k} {v:,.1f}" for k, v in result.parts.items()))
    checked = check(problem, result.roster)
    print(f"  checker: penalty {checked.penalty:,.1f} (model {o.objective:,.1f}), "
          f"{len(checked.violations)} hard rule(s) broken; {len(result.roster)} shifts")
    return o.gap


def main(argv: list[str]) -> None:
    limit = float(argv[0]) if argv else 300.0
    threads = int(argv[1]) if len(argv) > 1 else 2
    handlers = int(argv[2]) if len(argv) > 2 else 120
    days = int(argv[3]) if len(argv) > 3 else 28
    problem = build_problem(handlers, days)
    print(f"{handlers} handlers, {days} days, {len(SHIFTS)} shift types, "
          f"{len(problem.interval_cover)} skill-intervals; limit {limit:g} s, {threads} thread(s), "
          f"load average {os.getloadavg()[0]:.2f} at start (other jobs share the machine)")
    gap = run(problem, limit, threads, Heuristic(), "this method")
    print(f"load average {os.getloadavg()[0]:.2f}")
    baseline = run(problem, limit, threads, EARLIER, "baseline (the earlier method, same limit)")
    if gap is not None and baseline:
        print(f"gap ratio this / baseline = {gap / baseline:.3f}")
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
