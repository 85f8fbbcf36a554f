"""solve(): statuses and bounds read from the solver, not from PuLP's optimistic status."""

import numpy as np
import pandas as pd
import pulp
import pytest

from scheduling.cover_model import cover_model
from scheduling.errors import SchedulingError
from scheduling.intervals import interval_labels
from scheduling.shifts import ShiftTemplate, candidate_shifts
from scheduling.solver import SolverOptions, relative_gap, solve


def hard_roster_model():
    """Two noisy days: HiGHS cannot prove optimality of this one within a second."""
    starts = pd.date_range("2024-03-04", periods=192, freq="15min", tz="Europe/London")
    hour = np.asarray(starts.hour + starts.minute / 60)
    rng = np.random.default_rng(0)
    required = np.round(10 + 35 * np.exp(-(((hour - 15) / 5) ** 2)) + 2 * rng.normal(0, 2, 192)).clip(0)
    templates = [ShiftTemplate("8h", 8, 30), ShiftTemplate("10h", 10, 45), ShiftTemplate("12h", 12, 60)]
    candidates = candidate_shifts(templates, starts, pd.Timedelta("15min"))
    labels = interval_labels(starts)
    return cover_model(required.astype(int), labels, candidates, under_penalty=1000, hard_cover=True)


def test_time_limit_is_reported_as_such_with_a_computed_gap():
    model = hard_roster_model()
    outcome = solve(model.problem, SolverOptions(gap_rel=0.0, time_limit_s=1.0))
    assert pulp.LpStatus[model.problem.status] == "Optimal"  # what PuLP says...
    assert outcome.status == "time_limit"  # ...and what HiGHS actually did
    assert outcome.has_solution
    assert outcome.best_bound < outcome.objective
    assert outcome.gap == pytest.approx((outcome.objective - outcome.best_bound) / outcome.objective)
    assert outcome.gap > 0


def test_pure_lp_bound_is_its_optimum():
    problem = pulp.LpProblem("lp", pulp.LpMinimize)
    x = problem.add_variable("x", lowBound=0)
    y = problem.add_variable("y", lowBound=0)
    problem += x + 2 * y >= 3, "need"
    problem += x <= 1, "cap"
    problem.setObjective(x + 3 * y)
    outcome = solve(problem, SolverOptions())
    assert outcome.status == "optimal"
    assert outcome.objective == pytest.approx(1 + 3 * 1.0)
    assert outcome.best_bound == pytest.approx(outcome.objective) and outcome.gap == 0.0


def test_interior_point_without_crossover_gives_the_simplex_optimum_as_bound():
    lp = hard_roster_model().problem
    for v in lp.variables():
        v.cat = pulp.LpContinuous
    simplex = solve(lp, SolverOptions(lp_solver="simplex"))
    interior = solve(lp, SolverOptions(lp_solver="ipm", crossover=False))
    assert simplex.status == interior.status == "optimal"
    assert interior.best_bound == pytest.approx(simplex.best_bound, rel=1e-7)


def test_a_later_solve_may_use_another_number_of_threads():
    # A planner's run on 2 threads followed by a check on 1 in the same process: HiGHS keeps a
    # process-wide thread pool and used to refuse the second solve outright.
    answers = []
    for threads in (2, 1, 2):
        model = hard_roster_model()
        outcome = solve(model.problem, SolverOptions(threads=threads, gap_rel=0.05, time_limit_s=30))
        assert outcome.has_solution, f"threads={threads}: {outcome.status}"
        answers.append(outcome.objective)
    assert answers[0] == pytest.approx(answers[2])


def test_infeasible_model_has_no_solution():
    problem = pulp.LpProblem("bad", pulp.LpMinimize)
    x = problem.add_variable("x", lowBound=0, upBound=1, cat=pulp.LpInteger)
    problem += x >= 2, "impossible"
    problem.setObjective(x)
    outcome = solve(problem, SolverOptions())
    assert outcome.status == "infeasible" and not outcome.has_solution and outcome.gap is None


def test_relative_gap():
    assert relative_gap(100.0, 99.0) == pytest.approx(0.01)
    assert relative_gap(100.0, 100.0 - 1e-12) == 0.0
    assert relative_gap(None, 1.0) is None
    assert relative_gap(90.0, 100.0, pulp.LpMaximize) == pytest.approx(10 / 90)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(solver="gurobi"), "solver"),
        (dict(time_limit_s=0), "time_limit_s"),
        (dict(gap_rel=1.0), "gap_rel"),
        (dict(threads=0), "threads"),
        (dict(write_mps=3), "write_mps"),
        (dict(crossover="off"), "crossover"),
    ],
)
def test_solver_options_validation(kwargs, field):
    with pytest.raises(SchedulingError, match=field):
        SolverOptions(**kwargs)


def test_a_quiet_solve_prints_nothing_not_even_the_highs_banner():
    # HiGHS prints a banner from a process's first Highs(); a planner who asked for --quiet gets none
    import subprocess
    import sys

    script = ("import pulp\nfrom scheduling.solver import SolverOptions, solve\n"
              "p = pulp.LpProblem('tiny', pulp.LpMinimize)\nx = pulp.LpVariable('x', 0, 10, cat='Integer')\n"
              "p += x\np += x >= 2.5, 'floor'\nout = solve(p, SolverOptions(time_limit_s=5))\n"
              "assert round(x.value()) == 3, x.value()\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "", run.stdout
