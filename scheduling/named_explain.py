"""Say where a named roster falls short and which rules make it so.

A roster always exists for the elastic model (scheduling.named_roster.build_model(elastic=True)),
so the answer to conflicting rules is a roster plus these notes, never a bare "infeasible":

- shortfalls(): every place the roster is below what was asked, read from the roster itself
  (cover below a floor or below the requirement, a person below their contracted minutes), each
  with the model constraint that states it (cover_<d>_<s>, icover_<k>_<t>, minminutes_<p>, ...);
- binding rules: a rule family binds a shortfall when relaxing that family alone lets a solver
  shrink it. For a person short of hours this is a small model of that person alone (their own
  rules, nobody else's cover), solved once per family; the constraints of a binding family that
  are tight (zero slack) in that person's best pattern are named. For cover below a hard floor
  the whole elastic model is re-solved once per family, which is affordable only for small
  problems (BIG_MODEL_VARS), so larger ones are told the count of people free that day instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import pulp

from scheduling.people import DAY_MINUTES, RosterProblem
from scheduling.solver import SolverOptions, solve

SHORTFALL_COLUMNS = ("kind", "constraint", "day", "where", "wanted", "floor", "got", "hard")
BIG_MODEL_VARS = 5000  # whole-model re-solves per rule family only below this many shift variables
MAX_PEOPLE_EXPLAINED = 10
PERSON_LIMIT_S = 2.0  # per solve of one person alone (a 28-day pattern can take 10 s to prove)


def _people(problem: RosterProblem, **changes) -> RosterProblem:
    return replace(problem, people=tuple(replace(p, **changes) for p in problem.people))


# rule family -> (the problem without it, prefixes of its constraint names)
FAMILIES: dict[str, tuple[Callable[[RosterProblem], RosterProblem], tuple[str, ...]]] = {
    "days_off": (lambda pr: _people(pr, days_off=frozenset()), ()),
    "max_minutes": (lambda pr: replace(_people(pr, max_minutes=None), rules=replace(pr.rules, max_avg_week_min=None)),
                    ("maxminutes_",)),
    "max_consecutive": (lambda pr: _people(pr, max_consecutive=None), ("maxcons_",)),
    "weekly_rest": (lambda pr: replace(pr, rules=replace(pr.rules, weekly_rest_days=0)), ("weeklyrest_",)),
    "rest": (lambda pr: replace(pr, rules=replace(pr.rules, min_rest_min=None),
                                shifts=tuple(replace(s, forbidden_next=frozenset()) for s in pr.shifts)), ("rest_",)),
    "max_weekends": (lambda pr: _people(pr, max_weekends=None), ("maxweekends_", "weekend_")),
    "max_shifts": (lambda pr: _people(pr, max_shifts={}), ("maxshift_",)),
    "min_runs": (lambda pr: _people(pr, min_consecutive=1, min_days_off=1), ("mincons_", "minoff_")),
}


def clock(problem: RosterProblem, t: int) -> str:
    minute = t * problem.interval_min % DAY_MINUTES
    return f"{minute // 60:02d}:{minute % 60:02d}"


def shortfalls(problem: RosterProblem, roster: pd.DataFrame) -> pd.DataFrame:
    """Every cover and contract shortfall of ``roster`` (SHORTFALL_COLUMNS); ``hard`` marks a
    broken floor or hard contracted minimum."""
    from scheduling.rules import check  # the checker counts cover independently of the model

    rows = []
    worked = roster.groupby(["day", "shift"]).size().to_dict() if len(roster) else {}
    for c in problem.day_cover:
        have = worked.get((c.day, c.shift), 0)
        if have < c.required:
            rows.append(("cover", f"cover_{c.day}_{c.shift}", c.day, f"shift {c.shift}", c.required, c.floor, have,
                         have < c.floor))
    if problem.interval_cover is not None:
        table = check(problem, roster).interval_cover
        floors = problem.interval_cover.set_index(["skill", "interval"])["floor"]
        for r in table[table.rostered < table.required].itertuples(index=False):
            floor = floors.get((r.skill, r.interval), 0)
            rows.append(("interval_cover", f"icover_{r.skill}_{r.interval}", r.interval * problem.interval_min // DAY_MINUTES,
                         f"{r.skill} {clock(problem, r.interval)}", r.required, floor, r.rostered, r.rostered < floor))
    paid = {s.id: s.paid_min for s in problem.shifts}
    minutes = roster.assign(paid=roster["shift"].map(paid)).groupby("person")["paid"].sum().to_dict() if len(roster) else {}
    for p in problem.people:
        got = int(minutes.get(p.id, 0))
        if got < p.min_minutes:
            rows.append(("contract", f"minminutes_{p.id}", -1, p.id, p.min_minutes, p.min_minutes, got,
                         problem.rules.hours_short_weight is None))
    return pd.DataFrame(rows, columns=list(SHORTFALL_COLUMNS))


def notes(problem: RosterProblem, roster: pd.DataFrame, options: SolverOptions, *, n_vars: int) -> tuple[str, ...]:
    """One line per shortfall group, then what binds it."""
    short = shortfalls(problem, roster)
    out = [_cover_line(problem, group) for _, group in
           short[short.kind != "contract"].groupby(["day", "kind"], sort=True)]
    hard_cover = short[(short.kind != "contract") & short.hard]
    if not hard_cover.empty:
        out.append(_floor_binding(problem, hard_cover, options, n_vars))
    for r in short[short.kind == "contract"].head(MAX_PEOPLE_EXPLAINED).itertuples(index=False):
        out.append(_person_line(problem, r, options))
    return tuple(out)


def _cover_line(problem: RosterProblem, group: pd.DataFrame) -> str:
    day, kind = int(group["day"].iloc[0]), group["kind"].iloc[0]
    missing = float((group.wanted - group.got).sum())
    hard = " (below a hard floor)" if group.hard.any() else ""
    names = list(group.constraint)
    shown = ", ".join(names[:3]) + (f" ... {names[-1]}" if len(names) > 3 else "")
    what = "interval" if kind == "interval_cover" else "shift"
    where = ", ".join(group["where"].head(6)) + (" ..." if len(group) > 6 else "")
    return f"day {day}: {len(group)} {what}(s) short by {missing:g} head(s) in all{hard}: {where} [{shown}]"


def _person_line(problem: RosterProblem, r, options: SolverOptions) -> str:
    hardness = "hard minimum" if r.hard else "contracted minimum"
    head = f"{r.where} works {r.got} of {r.wanted} min ({hardness}, {r.constraint})"
    person = next(p for p in problem.people if p.id == r.where)
    alone = replace(problem, people=(person,), requests=(), start_preferences=(), day_cover=(),
                    interval_cover=None, fairness=type(problem.fairness)())
    best, tight = _most_minutes(alone, options)
    if best is None:
        return head + "; not diagnosed (the person's own model did not solve)"
    if best >= person.min_minutes:
        return head + f"; their own rules allow {best} min, so cover and cost chose the shortfall"
    binding = []
    for family, (relax, prefixes) in FAMILIES.items():
        more, _ = _most_minutes(relax(alone), options)
        if more is not None and more > best:
            names = [n for n in tight if n.startswith(prefixes)] if prefixes else []
            detail = _days_off_text(person) if family == "days_off" else ", ".join(names[:4]) or "no single tight row"
            binding.append(f"{family} (+{more - best} min without it: {detail})")
    why = "; ".join(binding) if binding else "no single rule family (several together)"
    return head + f"; at most {best} min fit their rules; binding: {why}"


def _days_off_text(person) -> str:
    days = sorted(person.days_off)
    return "days off " + ",".join(map(str, days[:10])) + (" ..." if len(days) > 10 else "")


def _most_minutes(problem: RosterProblem, options: SolverOptions) -> tuple[int | None, list[str]]:
    """Most paid minutes ``problem``'s only person can work, and the constraints tight then."""
    from scheduling.named_roster import build_model

    model = build_model(replace(problem, people=tuple(replace(p, min_minutes=0) for p in problem.people)))
    lp = model.problem
    minutes = pulp.lpSum(problem.shift(s).paid_min * v for (_, _, s), v in model.x.items())
    lp.setObjective(-minutes)
    # proven to within one step of paid minutes (their gcd), and never long: a diagnosis, not a plan
    grain = math.gcd(*(s.paid_min for s in problem.shifts))
    outcome = solve(lp, replace(options, gap_rel=0.0, gap_abs=grain - 0.5, time_limit_s=PERSON_LIMIT_S,
                                warm_start=False, write_mps=None))
    if not outcome.has_solution:
        return None, []
    tight = [c.name for c in lp.constraints() if abs(c.value() or 0) < 1e-6 and c.sense != 0]
    return int(round(pulp.value(minutes) or 0)), tight


def _floor_binding(problem: RosterProblem, hard: pd.DataFrame, options: SolverOptions, n_vars: int) -> str:
    below = float((hard["floor"] - hard.got).sum())
    if n_vars > BIG_MODEL_VARS:
        return f"hard floors short by {below:g} head(s): model too large to re-solve per rule family"
    base = _floor_slack(problem, options)
    found = []
    for family, (relax, _) in FAMILIES.items():
        slack = _floor_slack(relax(problem), options)
        if base is not None and slack is not None and slack < base - 1e-6:
            found.append(f"{family} (short {slack:g} without it)")
    why = "; ".join(found) if found else "no single rule family: too few people have the skill"
    return f"hard floors short by {below:g} head(s) in all (heads below floor); binding: {why}"


def _floor_slack(problem: RosterProblem, options: SolverOptions) -> float | None:
    """Heads below the floors in the best elastic roster of ``problem``."""
    from scheduling.named_roster import build_model

    model = build_model(problem, elastic=True)
    floors = [v for name, v in model.slack.items() if "floor" in name]
    outcome = solve(model.problem, replace(options, warm_start=False, write_mps=None))
    if not outcome.has_solution:
        return None
    return float(sum(v.varValue or 0 for v in floors))
