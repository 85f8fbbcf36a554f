"""Check any roster against a RosterProblem, from scratch: which rules it breaks and what it costs.

This is deliberately independent of the integer program (scheduling.named_roster): it walks
the roster day by day with plain loops, so tests can hold the model's objective against it,
and `controlroom roster check` can judge rosters nobody optimised.

A roster is a table with columns person, day, shift (one row per shift worked).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling.errors import SchedulingError
from scheduling.people import DAY_MINUTES, SKILLS, RosterProblem, worked_intervals

ROSTER_COLUMNS = ("person", "day", "shift")
VIOLATION_COLUMNS = ("person", "day", "rule", "detail")
PARTS = ("under_cover", "over_cover", "cost", "contract", "preferences", "fairness")


@dataclass(frozen=True, eq=False)
class CheckResult:
    """violations: VIOLATION_COLUMNS (day is the first day concerned, -1 for the whole horizon).
    parts: the objective in its parts (PARTS); penalty: their sum.
    interval_cover: skill, interval, required, rostered (heads answering that skill) or None."""

    violations: pd.DataFrame
    parts: dict[str, float]
    interval_cover: pd.DataFrame | None

    @property
    def penalty(self) -> float:
        return float(sum(self.parts.values()))

    @property
    def feasible(self) -> bool:
        return self.violations.empty


def check(problem: RosterProblem, roster: pd.DataFrame) -> CheckResult:
    """Every hard rule ``roster`` breaks and its objective, computed without the model."""
    grid = _grid(problem, roster)
    found: list[tuple[str, int, str, str]] = []
    for person in problem.people:
        found += _person_violations(problem, person, grid[person.id])
    parts = {
        "under_cover": 0.0,
        "over_cover": 0.0,
        "cost": _cost(problem, grid),
        "contract": _contract(problem, grid),
        "preferences": _preferences(problem, grid),
        "fairness": _fairness(problem, grid),
    }
    under, over = _day_cover(problem, grid)
    parts["under_cover"] += under
    parts["over_cover"] += over
    table = None
    if problem.interval_cover is not None:
        table, short_cost, floor_breaks = _interval_cover(problem, grid)
        parts["under_cover"] += short_cost
        found += floor_breaks
    for c in problem.day_cover:
        have = sum(1 for p in problem.people if grid[p.id][c.day] == c.shift)
        if have < c.floor:
            found.append(("*", c.day, "cover_floor", f"{c.shift}: {have} rostered, floor {c.floor}"))
    violations = pd.DataFrame(found, columns=list(VIOLATION_COLUMNS))
    return CheckResult(violations.sort_values(["person", "day", "rule"], kind="stable").reset_index(drop=True),
                       parts, table)


def _grid(problem: RosterProblem, roster: pd.DataFrame) -> dict[str, list[str | None]]:
    """person -> shift id per day (None: off). Raises on rows the checker cannot place."""
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise SchedulingError(f"roster is missing column(s) {missing}; needs {list(ROSTER_COLUMNS)}")
    grid = {p.id: [None] * problem.horizon for p in problem.people}
    shift_ids = {s.id for s in problem.shifts}
    seen: dict[tuple[str, int], int] = {}
    for row, (person, day, shift) in enumerate(roster[list(ROSTER_COLUMNS)].itertuples(index=False)):
        person = str(person)
        if person not in grid:
            raise SchedulingError(f"roster row {row}: unknown person {person!r}")
        if not 0 <= int(day) < problem.horizon:
            raise SchedulingError(f"roster row {row}: day {day} is outside 0..{problem.horizon - 1}")
        if shift not in shift_ids:
            raise SchedulingError(f"roster row {row}: unknown shift {shift!r}; known: {sorted(shift_ids)}")
        if (person, int(day)) in seen:
            raise SchedulingError(f"roster row {row}: {person} already has a shift on day {day} "
                                  f"(row {seen[(person, int(day))]}); at most one shift a day")
        seen[(person, int(day))] = row
        grid[person][int(day)] = shift
    return grid


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of True."""
    runs, start = [], None
    for d, f in enumerate(flags + [False]):
        if f and start is None:
            start = d
        elif not f and start is not None:
            runs.append((start, d - start))
            start = None
    return runs


def _person_violations(problem: RosterProblem, person, days: list[str | None]) -> list[tuple]:
    out = []
    pid, horizon, rules = person.id, problem.horizon, problem.rules
    shifts = {s.id: s for s in problem.shifts}

    def add(day, rule, detail):
        out.append((pid, day, rule, detail))

    for d, sid in enumerate(days):
        if sid is None:
            continue
        s = shifts[sid]
        if d in person.days_off:
            add(d, "day_off", f"works {sid} on a day off")
        if not person.skills & s.skills:
            add(d, "skill", f"{sid} serves {sorted(s.skills)}, person has {sorted(person.skills)}")
        for lag in (1, 2):
            if d + lag < horizon and days[d + lag] is not None:
                nxt = shifts[days[d + lag]]
                if lag == 1 and nxt.id in s.forbidden_next:
                    add(d, "forbidden_succession", f"{nxt.id} may not follow {sid}")
                elif rules.min_rest_min and s.start_min is not None and nxt.start_min is not None:
                    rest = lag * DAY_MINUTES + nxt.start_min - s.start_min - s.length_min
                    if rest < rules.min_rest_min:
                        add(d, "rest", f"{rest / 60:g} h between {sid} (day {d}) and {nxt.id} (day {d + lag}), "
                                       f"minimum {rules.min_rest_min / 60:g} h")
    for sid, cap in person.max_shifts.items():
        n = sum(1 for x in days if x == sid)
        if n > cap:
            add(-1, "max_shifts", f"{n} x {sid}, maximum {cap}")
    minutes = sum(shifts[x].paid_min for x in days if x is not None)
    if minutes < person.min_minutes and rules.hours_short_weight is None:
        add(-1, "min_minutes", f"{minutes} min worked, minimum {person.min_minutes}")
    cap = problem.max_total_minutes(person)
    if cap is not None and minutes > cap:
        add(-1, "max_minutes", f"{minutes} min worked, maximum {cap} (contract or average week)")
    working = [x is not None for x in days]
    open_ends = rules.min_runs_open_ends
    for start, length in _runs(working):
        if person.max_consecutive is not None and length > person.max_consecutive:
            add(start, "max_consecutive", f"{length} shifts in a row from day {start}, maximum {person.max_consecutive}")
        touches = start == 0 or start + length == horizon
        if length < person.min_consecutive and not (open_ends and touches):
            add(start, "min_consecutive", f"{length} shift(s) in a row from day {start}, minimum {person.min_consecutive}")
    for start, length in _runs([not w for w in working]):
        touches = start == 0 or start + length == horizon
        if length < person.min_days_off and not (open_ends and touches):
            add(start, "min_days_off", f"{length} day(s) off from day {start}, minimum {person.min_days_off}")
    if rules.weekly_rest_days:
        for d in range(0, horizon - 6):
            off = sum(1 for w in working[d:d + 7] if not w)
            if off < rules.weekly_rest_days:
                add(d, "weekly_rest", f"{off} day(s) off in days {d}-{d + 6}, minimum {rules.weekly_rest_days}")
    if person.max_weekends is not None:
        worked = sum(1 for wk in problem.weekends() if any(working[d] for d in wk))
        if worked > person.max_weekends:
            add(-1, "max_weekends", f"{worked} weekends worked, maximum {person.max_weekends}")
    return out


def _day_cover(problem: RosterProblem, grid) -> tuple[float, float]:
    under = over = 0.0
    for c in problem.day_cover:
        have = sum(1 for p in problem.people if grid[p.id][c.day] == c.shift)
        under += c.under_weight * max(0, c.required - have)
        over += c.over_weight * max(0, have - c.required)
    return under, over


def _cost(problem: RosterProblem, grid) -> float:
    shifts = {s.id: s for s in problem.shifts}
    return float(sum(p.hourly_cost * shifts[x].paid_min / 60 for p in problem.people
                     for x in grid[p.id] if x is not None))


def _contract(problem: RosterProblem, grid) -> float:
    weight = problem.rules.hours_short_weight
    if not weight:
        return 0.0
    shifts = {s.id: s for s in problem.shifts}
    total = 0.0
    for p in problem.people:
        minutes = sum(shifts[x].paid_min for x in grid[p.id] if x is not None)
        total += weight * max(0, p.min_minutes - minutes) / 60
    return total


def _preferences(problem: RosterProblem, grid) -> float:
    total = 0.0
    for r in problem.requests:
        worked = grid[r.person][r.day]
        hit = worked is not None and (r.shift is None or worked == r.shift)
        if r.on != hit:
            total += r.weight
    shifts = {s.id: s for s in problem.shifts}
    for pref in problem.start_preferences:
        for x in grid[pref.person]:
            if x is not None and shifts[x].start_min is not None and not pref.allows(shifts[x].start_min):
                total += pref.weight
    return total


def _fairness(problem: RosterProblem, grid) -> float:
    f = problem.fairness
    total = 0.0
    if f.night_weight:
        nights = {s.id for s in problem.shifts if s.night}
        total += f.night_weight * max(sum(1 for x in grid[p.id] if x in nights) for p in problem.people)
    if f.weekend_weight:
        total += f.weekend_weight * max(
            sum(1 for wk in problem.weekends() if any(grid[p.id][d] is not None for d in wk))
            for p in problem.people)
    return total


def _interval_cover(problem: RosterProblem, grid):
    """Heads per skill per interval; people with both skills go where an uncovered head costs most."""
    n = problem.horizon * DAY_MINUTES // problem.interval_min
    shifts = {s.id: s for s in problem.shifts}
    only = {k: np.zeros(n) for k in SKILLS}
    both = np.zeros(n)
    for p in problem.people:
        for d, x in enumerate(grid[p.id]):
            if x is None:
                continue
            serves = p.skills & shifts[x].skills
            target = both if len(serves) == 2 else only[next(iter(serves))] if serves else None
            if target is None:
                continue
            for t in worked_intervals(shifts[x], d, problem.interval_min, problem.horizon):
                target[t] += 1
    req = {k: np.zeros(n) for k in SKILLS}
    weight = {k: np.zeros(n) for k in SKILLS}
    floor = {k: np.zeros(n) for k in SKILLS}
    for row in problem.interval_cover.itertuples(index=False):
        req[row.skill][row.interval] = row.required
        weight[row.skill][row.interval] = row.under_weight
        floor[row.skill][row.interval] = row.floor
    rostered = {k: only[k].copy() for k in SKILLS}
    short_cost, breaks = 0.0, []
    for t in range(n):
        spare = both[t]
        for k in sorted(SKILLS, key=lambda k: -weight[k][t]):
            give = min(spare, max(0.0, req[k][t] - only[k][t]))
            rostered[k][t] += give
            spare -= give
        for k in SKILLS:
            short_cost += weight[k][t] * max(0.0, req[k][t] - rostered[k][t])
            if rostered[k][t] < floor[k][t]:
                breaks.append(("*", t * problem.interval_min // DAY_MINUTES, "cover_floor",
                               f"skill {k} interval {t}: {rostered[k][t]:g} rostered, floor {floor[k][t]:g}"))
        # Spare flexible heads still answer calls: count them on the first skill for the table.
        rostered[SKILLS[0]][t] += spare
    rows = [(k, t, req[k][t], rostered[k][t]) for k in SKILLS for t in range(n)]
    table = pd.DataFrame(rows, columns=["skill", "interval", "required", "rostered"])
    return table, short_cost, breaks
