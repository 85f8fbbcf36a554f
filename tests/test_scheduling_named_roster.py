"""Named-person rosters: the Curtois-Qu benchmark's published optima, the independent checker,
and the model's objective agreeing with the checker on a control-room problem."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pulp
import pytest

from scheduling.curtois import read_instance
from scheduling.errors import SchedulingError
from scheduling.named_roster import build_model, solve_roster
from scheduling.named_search import fix_and_optimize, neighbourhoods, skill_groups
from scheduling.people import (DayCover, Fairness, Person, Request, RosterProblem, Rules, ShiftType,
                               StartPreference)
from scheduling.rules import check
from scheduling.solver import SolverOptions, solve

# The benchmark instances live beside the repository in ../shared/data/rostering (README there).
DATA = next((up / "shared" / "data" / "rostering" for up in Path(__file__).resolve().parents
             if (up / "shared" / "data" / "rostering").is_dir()), Path("shared/data/rostering"))
needs_instances = pytest.mark.skipif(not DATA.is_dir(), reason=f"benchmark instances not available: {DATA} is absent")
EXACT = SolverOptions(time_limit_s=120, gap_rel=0.0, threads=1)


@needs_instances
@pytest.mark.parametrize("instance, optimum", [("Instance1", 607), ("Instance2", 828)])
def test_benchmark_instances_reach_their_published_optima_and_the_checker_agrees(instance, optimum):
    problem = read_instance(DATA / f"{instance}.txt")
    result = solve_roster(problem, EXACT)
    checked = check(problem, result.roster)
    assert result.outcome.status == "optimal"
    assert checked.feasible, checked.violations
    assert checked.penalty == pytest.approx(optimum)
    assert result.objective == pytest.approx(optimum, abs=1e-6)
    assert result.best_bound == pytest.approx(optimum, abs=1e-6)
    for name, value in checked.parts.items():
        assert result.parts[name] == pytest.approx(value, abs=1e-6), name


# --- the checker on small hand-made cases -------------------------------------------------

def _problem(horizon=14, people=None, shifts=None, rules=Rules(min_rest_min=None, max_avg_week_min=None,
                                                               weekly_rest_days=0), **kw):
    shifts = shifts or (ShiftType("E", 480, forbidden_next=frozenset()), ShiftType("L", 480, forbidden_next=frozenset({"E"})))
    people = people or (Person("A"),)
    return RosterProblem(horizon=horizon, shifts=shifts, people=people, rules=rules, **kw)


def _roster(pattern: str, person="A") -> pd.DataFrame:
    """'EE.L' -> rows for A: day 0 E, day 1 E, day 3 L."""
    return pd.DataFrame([(person, d, c) for d, c in enumerate(pattern) if c != "."], columns=["person", "day", "shift"])


def _rules_broken(problem, pattern) -> list[tuple[int, str]]:
    v = check(problem, _roster(pattern)).violations
    return list(zip(v["day"], v["rule"]))


def test_a_clean_pattern_breaks_nothing():
    problem = _problem(people=(Person("A", max_consecutive=5, min_consecutive=2, min_days_off=2, max_weekends=1),))
    assert _rules_broken(problem, "EEEEE..EE..EE.") == []


def test_checker_names_a_late_shift_followed_by_an_early():
    assert _rules_broken(_problem(), "LE............") == [(0, "forbidden_succession")]


def test_checker_names_a_short_rest_from_clock_times():
    shifts = (ShiftType("E", 480, start_min=7 * 60), ShiftType("L", 480, start_min=14 * 60))
    problem = _problem(shifts=shifts, rules=Rules(max_avg_week_min=None, weekly_rest_days=0))
    broken = check(problem, _roster("LE")).violations  # 22:00 -> 07:00 is 9 h
    assert list(broken["rule"]) == ["rest"] and "9 h" in broken["detail"].iloc[0]
    assert _rules_broken(problem, "EL") == []


def test_checker_names_work_on_a_day_off():
    problem = _problem(people=(Person("A", days_off=frozenset({3})),))
    assert _rules_broken(problem, "...E") == [(3, "day_off")]


def test_checker_names_too_many_of_one_shift_type():
    problem = _problem(people=(Person("A", max_shifts={"L": 1}),))
    assert _rules_broken(problem, "L.L") == [(-1, "max_shifts")]


def test_checker_names_too_few_and_too_many_minutes():
    problem = _problem(people=(Person("A", min_minutes=960, max_minutes=1440),))
    assert _rules_broken(problem, "E") == [(-1, "min_minutes")]
    assert _rules_broken(problem, "EE.EE") == [(-1, "max_minutes")]


def test_the_48_hour_average_week_caps_total_minutes():
    problem = _problem(horizon=7, rules=Rules(min_rest_min=None, weekly_rest_days=0),
                       shifts=(ShiftType("D", 600),))
    pattern = "DDDDD"  # 50 h in a week
    assert _rules_broken(problem, pattern) == [(-1, "max_minutes")]


def test_checker_names_runs_too_long_and_too_short_but_spares_the_horizon_edges():
    problem = _problem(people=(Person("A", max_consecutive=3, min_consecutive=2, min_days_off=2),))
    assert _rules_broken(problem, "EEEE..........") == [(0, "max_consecutive")]
    assert _rules_broken(problem, "E..E...EE....E") == [(3, "min_consecutive")]  # days 0 and 13 touch the edges
    assert _rules_broken(problem, "EE.EE.........") == [(2, "min_days_off")]
    assert _rules_broken(problem, ".EE..........") == []  # the off run on day 0 touches the start


def test_without_open_ends_the_edge_runs_count():
    rules = Rules(min_rest_min=None, max_avg_week_min=None, weekly_rest_days=0, min_runs_open_ends=False)
    problem = _problem(people=(Person("A", min_consecutive=2),), rules=rules)
    assert _rules_broken(problem, "E............E") == [(0, "min_consecutive"), (13, "min_consecutive")]


def test_checker_names_too_many_weekends_and_missing_weekly_rest():
    problem = _problem(people=(Person("A", max_weekends=1),), rules=Rules(min_rest_min=None, max_avg_week_min=None))
    assert _rules_broken(problem, ".....E......E.") == [(-1, "max_weekends")]
    assert _rules_broken(problem, "EEEEEEE.......") == [(0, "weekly_rest")]


def test_checker_names_a_skill_the_person_lacks():
    shifts = (ShiftType("N", 480, skills=frozenset({"999"})),)
    problem = _problem(shifts=shifts, people=(Person("A", skills=frozenset({"101"})),))
    assert _rules_broken(problem, "N") == [(0, "skill")]


def test_two_shifts_on_one_day_are_refused_with_the_row():
    roster = pd.DataFrame([("A", 0, "E"), ("A", 0, "L")], columns=["person", "day", "shift"])
    with pytest.raises(SchedulingError, match="row 1: A already has a shift on day 0"):
        check(_problem(), roster)


# --- the model on a control-room problem ----------------------------------------------------

def _control_room(rng: np.random.Generator) -> RosterProblem:
    shifts = (
        ShiftType("E", 480, start_min=7 * 60, break_min=30),
        ShiftType("L", 480, start_min=15 * 60, break_min=30),
        ShiftType("N", 600, start_min=21 * 60, break_min=30, night=True),
    )
    people = tuple(
        Person(f"P{i}", skills=frozenset({"999", "101"}) if i % 3 else frozenset({"101"}),
               min_minutes=3 * 450, max_consecutive=4, min_days_off=1, max_weekends=1, hourly_cost=10 + i,
               days_off=frozenset(range(1, 7)) if i == 5 else frozenset())  # P5 cannot make their hours
        for i in range(6))
    horizon, step = 7, 60
    rows = []
    for t in range(horizon * 1440 // step):
        hour = t % 24
        rows.append(("999", t, 1 if 6 <= hour < 23 else 0, 50.0, 0))
        rows.append(("101", t, int(rng.integers(0, 3)) if 8 <= hour < 20 else 0, 20.0, 0))
    cover = pd.DataFrame(rows, columns=["skill", "interval", "required", "under_weight", "floor"])
    requests = (Request("P1", 2, None, 30.0, on=False), Request("P2", 4, "N", 15.0, on=True))
    prefs = (StartPreference("P4", 6 * 60, 9 * 60, 5.0),)
    return RosterProblem(horizon=horizon, shifts=shifts, people=people, requests=requests,
                         rules=Rules(hours_short_weight=12.0),
                         start_preferences=prefs, interval_cover=cover, interval_min=step,
                         fairness=Fairness(night_weight=25.0, weekend_weight=10.0))


def test_model_objective_equals_the_checkers_penalty_part_by_part():
    problem = _control_room(np.random.default_rng(7))
    result = solve_roster(problem, SolverOptions(time_limit_s=60, gap_rel=0.0))
    checked = check(problem, result.roster)
    assert checked.feasible, checked.violations
    for name, value in checked.parts.items():
        assert result.parts[name] == pytest.approx(value, abs=1e-5), name
    assert checked.penalty == pytest.approx(result.objective, abs=1e-5)
    # P5 can work day 0 at most, so falls short of their 22.5 contracted hours, at 12 an hour
    paid = {"E": 7.5, "L": 7.5, "N": 9.5}
    worked = sum(paid[x] for x in result.roster.loc[result.roster.person == "P5", "shift"])
    assert worked <= 9.5
    assert checked.parts["contract"] == pytest.approx(12.0 * (22.5 - worked))
    assert result.best_bound <= result.objective + 1e-6
    table = checked.interval_cover
    short999 = table[(table.skill == "999") & (table.rostered < table.required)]
    assert len(short999) * 50 <= checked.parts["under_cover"]


def test_constraints_are_named_after_what_they_mean():
    problem = _control_room(np.random.default_rng(7))
    lp = build_model(problem).problem
    for name in ("rest_P1_0_L_1", "maxcons_P1_0", "minminutes_P1", "icover_999_7", "weeklyrest_P1_0",
                 "weekends_P1", "nights_P1", "flex_7"):
        assert lp.get_constraint_by_name(name) is not None, name


def test_a_hard_floor_that_cannot_be_met_gives_a_roster_and_says_where_it_falls_short():
    shifts = (ShiftType("D", 480),)
    problem = RosterProblem(horizon=1, shifts=shifts, people=(Person("A"),),
                            day_cover=(DayCover(0, "D", required=2, under_weight=1.0, floor=2),))
    result = solve_roster(problem, SolverOptions(time_limit_s=10, gap_rel=0.0))
    assert result.relaxed and list(result.roster.person) == ["A"]
    assert any("day 0" in n and "cover_0_D" in n and "hard floor" in n for n in result.notes), result.notes


def test_conflicting_rules_give_the_best_roster_with_the_short_days_and_the_binding_rules():
    """A is on leave days 3-6 yet contracted for 5 shifts; B is on leave day 4, so nobody can
    meet day 4's floor; C may work 2 days in a row, so 6 shifts in 7 days cannot fit."""
    rules = Rules(min_rest_min=None, max_avg_week_min=None, weekly_rest_days=0)
    people = (Person("A", min_minutes=5 * 480, days_off=frozenset(range(3, 7))),
              Person("B", min_minutes=2 * 480, days_off=frozenset({4})),
              Person("C", min_minutes=6 * 480, max_consecutive=2, max_shifts={"D": 0}))
    shifts = (ShiftType("D", 480), ShiftType("N", 480))
    cover = tuple(DayCover(d, "D", required=2, under_weight=10.0, floor=1) for d in range(7))
    problem = RosterProblem(horizon=7, shifts=shifts, people=people, rules=rules, day_cover=cover)
    result = solve_roster(problem, SolverOptions(time_limit_s=20, gap_rel=0.0))
    assert result.relaxed and result.outcome.has_solution
    checked = check(problem, result.roster)
    # only the rules that had to break are broken, each as little as possible
    assert sorted(zip(checked.violations.person, checked.violations.rule)) == [
        ("*", "cover_floor"), ("A", "min_minutes"), ("C", "min_minutes")]
    assert (result.roster.person == "A").sum() == 3 and (result.roster.person == "C").sum() == 5
    notes = "\n".join(result.notes)
    assert "day 4: 1 shift(s) short by 2 head(s) in all (below a hard floor): shift D [cover_4_D]" in notes
    assert "binding: days_off" in next(n for n in result.notes if n.startswith("hard floors"))
    line_a = next(n for n in result.notes if n.startswith("A works 1440 of 2400 min"))
    assert "minminutes_A" in line_a and "days_off (+1920 min without it: days off 3,4,5,6)" in line_a
    line_c = next(n for n in result.notes if n.startswith("C works 2400 of 2880 min"))
    assert "binding: max_consecutive" in line_c and "maxcons_C_" in line_c and "days_off" not in line_c


@needs_instances
def test_a_bad_instance_line_is_named_with_file_and_line(tmp_path):
    text = (DATA / "Instance1.txt").read_text().replace("A,D=14,4320", "A,D=14,lots", 1)
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(SchedulingError, match=r"bad.txt:\d+: expected int, got 'lots'"):
        read_instance(path)


def test_the_lp_guided_start_returns_a_rule_abiding_roster_priced_as_the_checker_prices_it():
    problem = _control_room(np.random.default_rng(11))
    result = solve_roster(problem, SolverOptions(time_limit_s=30, gap_rel=0.0), lp_guided_start=True)
    checked = check(problem, result.roster)
    assert checked.feasible, checked.violations
    assert checked.penalty == pytest.approx(result.objective, abs=1e-5)
    assert result.best_bound <= result.objective + 1e-6


def test_cover_through_shift_counts_has_the_same_optimum_as_the_per_person_form():
    problem = _control_room(np.random.default_rng(3))
    optima = []
    for aggregate in (True, False):
        lp = build_model(problem, aggregate=aggregate).problem
        outcome = solve(lp, SolverOptions(time_limit_s=60, gap_rel=0.0))
        assert outcome.status == "optimal"
        optima.append(outcome.objective)
    assert optima[0] == pytest.approx(optima[1], abs=1e-6)


def test_fix_and_optimise_improves_an_empty_roster_and_the_checker_agrees():
    problem = _control_room(np.random.default_rng(5))
    model = build_model(problem)
    for v in model.x.values():
        v.varValue = 0.0
    empty = check(problem, pd.DataFrame(columns=["person", "day", "shift"])).penalty
    options = SolverOptions(time_limit_s=10, gap_rel=0.0)
    improved = fix_and_optimize(model, skill_groups(problem, 2), options, time.perf_counter() + 5)
    roster = pd.DataFrame([k for k, v in model.x.items() if (v.varValue or 0) > 0.5], columns=["person", "day", "shift"])
    checked = check(problem, roster)
    assert improved > 0 and checked.feasible, checked.violations
    assert checked.penalty < 0.5 * empty
    assert float(pulp.value(model.problem.objective)) == pytest.approx(checked.penalty, abs=1e-5)


def _one_person_contract(cost: float) -> RosterProblem:
    """8 h and 10 h shifts (450 and 555 paid minutes), 1,000 minutes contracted: whole shifts
    reach 1,005 at best (one of each), so an LP meeting exactly 1,000 is too optimistic."""
    shifts = (ShiftType("D", 480, start_min=8 * 60, break_min=30), ShiftType("L", 600, start_min=12 * 60, break_min=45))
    person = Person("P", min_minutes=1000, hourly_cost=cost)
    return RosterProblem(horizon=7, shifts=shifts, people=(person,), rules=Rules(hours_short_weight=60.0))


def _relaxation(lp: pulp.LpProblem) -> float:
    for v in lp.variables():
        v.cat = pulp.LpContinuous
    return solve(lp, SolverOptions(time_limit_s=30, gap_rel=0.0)).objective


@pytest.mark.parametrize("cost", [6.0, 30.0])
def test_contract_hull_rows_raise_the_lp_bound_and_keep_the_optimum(cost):
    problem = _one_person_contract(cost)
    optima = [solve(build_model(problem, contract_hull=h).problem, SolverOptions(time_limit_s=30, gap_rel=0.0)).objective
              for h in (True, False)]
    # by hand: one 8 h and one 10 h shift (1,005 min) beats two 8 h (900, 100 short at 1 a minute)
    # and two 10 h (1,110) at 6 an hour; at 30 an hour, being 100 min short costs less than 105 min paid more
    best = min(cost * 1005 / 60, cost * 900 / 60 + 100, cost * 1110 / 60)
    assert optima == pytest.approx([best, best], abs=1e-6)
    without = _relaxation(build_model(problem, contract_hull=False).problem)
    with_hull = _relaxation(build_model(problem).problem)
    assert without == pytest.approx(cost * 1000 / 60, abs=1e-6)  # exactly the contract, fractionally
    assert without + 0.1 < with_hull <= best + 1e-6


def test_a_window_of_days_frees_only_those_days_and_the_search_prices_it_as_the_checker():
    problem = _control_room(np.random.default_rng(5))
    model = build_model(problem)
    for v in model.x.values():
        v.varValue = 0.0
    everyone = [p.id for p in problem.people]
    options = SolverOptions(time_limit_s=10, gap_rel=0.0)
    improved = fix_and_optimize(model, [(everyone, frozenset({2, 3}))], options, time.perf_counter() + 5)
    roster = pd.DataFrame([k for k, v in model.x.items() if (v.varValue or 0) > 0.5], columns=["person", "day", "shift"])
    checked = check(problem, roster)
    assert improved > 0 and checked.feasible, checked.violations
    assert set(roster["day"]) == {2, 3}
    assert float(pulp.value(model.problem.objective)) == pytest.approx(checked.penalty, abs=1e-5)


def test_neighbourhoods_slide_a_two_day_window_over_everyone_then_take_the_skill_groups():
    problem = _control_room(np.random.default_rng(5))
    free = neighbourhoods(problem, 2)
    windows = [g for g in free if isinstance(g, tuple)]
    assert [sorted(days) for _, days in windows] == [[d, d + 1] for d in range(problem.horizon - 1)]
    assert all(sorted(ids) == sorted(p.id for p in problem.people) for ids, _ in windows)
    assert free[len(windows):] == skill_groups(problem, 2)
