"""The person-by-person bound (scheduling.person_bound): equal to the Dantzig-Wolfe bound
computed independently by enumerating every pattern the checker allows; its rows never cut off
a roster; and with it the named model proves a benchmark optimum."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pandas as pd
import pulp
import pytest

from scheduling.curtois import read_instance
from scheduling.named_roster import build_model, solve_roster
from scheduling.people import DayCover, Fairness, Person, Request, RosterProblem, Rules, ShiftType
from scheduling.person_bound import add_cuts, applies, person_bound
from scheduling.rules import check
from scheduling.solver import SolverOptions, solve

DATA = next((up / "shared" / "data" / "rostering" for up in Path(__file__).resolve().parents
             if (up / "shared" / "data" / "rostering").is_dir()), Path("shared/data/rostering"))
needs_instances = pytest.mark.skipif(not DATA.is_dir(), reason=f"benchmark instances not available: {DATA} is absent")
OPTIONS = SolverOptions(time_limit_s=60, gap_rel=0.0, threads=1)
RULES = Rules(min_rest_min=None, max_avg_week_min=None, weekly_rest_days=0, min_runs_open_ends=True)


def _small() -> RosterProblem:
    """Two people, six days, two shifts: small enough to list every pattern."""
    shifts = (ShiftType("E", 480), ShiftType("L", 480, forbidden_next=frozenset({"E"})))
    people = (Person("A", max_consecutive=3, min_consecutive=2, min_days_off=2, min_minutes=960, max_minutes=1920),
              Person("B", max_shifts={"L": 1}, max_consecutive=2, max_weekends=1, min_minutes=480, days_off=frozenset({2})))
    requests = (Request("A", 0, "L", 3.0, on=True), Request("B", 4, "E", 2.0, on=False), Request("B", 1, None, 1.0, on=False))
    cover = tuple(DayCover(d, s, 1 + (d + len(s)) % 2, under_weight=10.0 + d, over_weight=1.0 + (d % 3))
                  for d in range(6) for s in ("E", "L"))
    return RosterProblem(horizon=6, shifts=shifts, people=people, rules=RULES, requests=requests, day_cover=cover,
                         first_weekday=2)


def _patterns(problem: RosterProblem, person) -> list[tuple[frozenset, float]]:
    """Every pattern the checker accepts for ``person`` alone, with its own cost."""
    alone = RosterProblem(horizon=problem.horizon, shifts=problem.shifts, people=(person,), rules=problem.rules,
                          requests=tuple(r for r in problem.requests if r.person == person.id),
                          first_weekday=problem.first_weekday)
    out = []
    for days in itertools.product([None] + [s.id for s in problem.shifts], repeat=problem.horizon):
        roster = pd.DataFrame([(person.id, d, s) for d, s in enumerate(days) if s], columns=["person", "day", "shift"])
        result = check(alone, roster)
        if result.feasible:
            out.append((frozenset((d, s) for d, s in enumerate(days) if s), result.penalty))
    return out


def _enumerated_bound(problem: RosterProblem) -> float:
    """The Dantzig-Wolfe bound from every pattern at once: no column generation involved."""
    lp = pulp.LpProblem("dw", pulp.LpMinimize)
    objective, use = [], {}
    for p in problem.people:
        lam = [(lp.add_variable(f"l_{p.id}_{k}", lowBound=0), pattern) for k, (pattern, cost) in enumerate(_patterns(problem, p))]
        objective += [cost * v for (v, _), (_, cost) in zip(lam, _patterns(problem, p))]
        lp += pulp.lpSum(v for v, _ in lam) == 1
        use[p.id] = lam
    for c in problem.day_cover:
        under = lp.add_variable(f"u_{c.day}_{c.shift}", lowBound=0)
        over = lp.add_variable(f"o_{c.day}_{c.shift}", lowBound=0)
        objective += [c.under_weight * under, c.over_weight * over]
        lp += pulp.lpSum(v for lam in use.values() for v, pattern in lam if (c.day, c.shift) in pattern) \
            + under - over == c.required
    lp += pulp.lpSum(objective)
    lp.solve(pulp.HiGHS(msg=False))
    return float(pulp.value(lp.objective))


def test_the_bound_is_the_dantzig_wolfe_bound_found_by_listing_every_pattern():
    problem = _small()
    found, cuts = person_bound(problem, OPTIONS, time.perf_counter() + 60)
    assert found.bound == pytest.approx(_enumerated_bound(problem), abs=1e-5)
    assert len(cuts) == 2


def test_the_rows_keep_every_roster_and_lift_the_lp_to_the_bound():
    problem = _small()
    found, cuts = person_bound(problem, OPTIONS, time.perf_counter() + 60)
    model = build_model(problem)
    add_cuts(model, cuts)
    relaxed = model.problem.deepcopy()
    for v in relaxed.variables():
        v.cat = pulp.LpContinuous
    assert solve(relaxed, OPTIONS).objective >= found.bound - 1e-5
    plain = solve_roster(problem, OPTIONS, explain=False)  # the optimum without the rows
    exact = solve(model.problem, OPTIONS)  # the same optimum with them: nothing valid was cut off
    assert exact.objective == pytest.approx(plain.objective, abs=1e-4)  # HiGHS's feasibility tolerance
    assert found.bound <= plain.objective + 1e-6


def test_it_applies_only_where_day_cover_alone_ties_people_together():
    problem = _small()
    assert applies(problem)
    fair = RosterProblem(horizon=6, shifts=problem.shifts, people=problem.people, rules=RULES,
                         day_cover=problem.day_cover, fairness=Fairness(night_weight=1.0))
    assert not applies(fair)


@needs_instances
def test_decomposed_solve_proves_instance1_and_the_bound_sits_between_lp_and_optimum():
    problem = read_instance(DATA / "Instance1.txt")
    result = solve_roster(problem, SolverOptions(time_limit_s=60, gap_rel=0.0, gap_abs=0.999, threads=1),
                          decompose=True)
    checked = check(problem, result.roster)
    assert checked.feasible and checked.penalty == pytest.approx(607)
    assert result.best_bound > 606
    stage = next(t for t in result.trace if t[1].startswith("person bound"))
    assert 407 < stage[3] <= 607  # above the LP relaxation (407.2), never above the optimum


def test_a_pricing_worker_that_dies_leaves_the_full_model_to_solve_alone(monkeypatch):
    import scheduling.person_bound as pb

    monkeypatch.setattr(pb, "_work", lambda pipe, *args: pipe.close())  # dies before a word
    problem = _small()
    two = SolverOptions(time_limit_s=60, gap_rel=0.0, threads=2)
    found, cuts = person_bound(problem, two, time.perf_counter() + 60)
    assert found.bound is None and cuts == []
    result = solve_roster(problem, two, decompose=True, explain=False)
    assert result.objective == pytest.approx(solve_roster(problem, OPTIONS, explain=False).objective, abs=1e-4)
