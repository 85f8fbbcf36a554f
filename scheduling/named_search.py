"""Fix-and-optimise for the named roster, on one HiGHS model loaded once.

Re-solving a few people at a time with everyone else fixed is the improvement step of the
LP-guided start. Going through PuLP for every step rebuilds the whole model (tens of thousands
of rows) each time, which cost more than the solve itself; here PuLP loads the model once and
every later step only changes column bounds on the same highspy object and passes the current
roster as a MIP start. A step is kept only if it lowers the objective, so the roster never gets
worse, and each step is solved to a zero gap: with a relative gap the step would stop at once,
its possible gain being a small share of the whole objective.

A wrapper of our own, not a change to scheduling.solver: it reuses ``solve`` to load the model
and then talks to ``problem.solverModel`` (the highspy.Highs PuLP leaves behind).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import highspy
import numpy as np

from scheduling.solver import SolverOptions, solve

DEBUG = False
STEP_LIMIT_S = 8.0  # one hard step must not eat the budget
STEP_GAP = 1e-4  # of the whole objective: a step that can gain less is not worth proving


def fix_and_optimize(model, groups: Sequence[Sequence[str]], options: SolverOptions, stop: float) -> int:
    """Cycle through ``groups`` of person ids until the clock reaches ``stop``; leave the best
    roster in the model's variables. Returns the number of steps that improved it."""
    x = model.x
    lp = model.problem
    # load the model with everyone fixed: a quick solve that also prices the current roster
    saved = {v.name: (v.lowBound, v.upBound) for v in x.values()}
    for v in x.values():
        v.lowBound = v.upBound = 1.0 if (v.varValue or 0) > 0.5 else 0.0
    first = solve(lp, replace(options, time_limit_s=max(1.0, stop - time.perf_counter()), warm_start=True,
                              gap_rel=0.0, write_mps=None))
    for v in x.values():
        v.lowBound, v.upBound = saved[v.name]
    if not first.has_solution:
        return 0
    h = lp.solverModel
    variables = lp.variables()
    current = np.array([v.varValue or 0.0 for v in sorted(variables, key=lambda v: v.index)])
    columns = {}
    for (pid, day, _), v in x.items():
        columns.setdefault(pid, []).append((day, v.index))
    all_x = np.array(sorted(i for cols in columns.values() for _, i in cols), dtype=np.int32)
    free_sets = [_free_columns(g, columns) for g in groups]
    h.setOptionValue("mip_rel_gap", STEP_GAP)
    cost = np.array(h.getLp().col_cost_)
    best = float(cost @ current)
    improved, step, last_pass = 0, 0, -1
    while groups and time.perf_counter() < stop - 0.5:
        free = free_sets[step % len(groups)]
        step += 1
        lower = np.round(current[all_x])
        upper = lower.copy()
        where = np.searchsorted(all_x, free)
        lower[where], upper[where] = 0.0, 1.0
        h.changeColsBounds(len(all_x), all_x, lower, upper)
        h.clearSolver()  # otherwise HiGHS keeps the first MIP start it was given
        start = highspy.HighsSolution()
        start.col_value = list(current)
        start.value_valid = True
        h.setSolution(start)
        h.setOptionValue("time_limit", float(max(0.5, min(STEP_LIMIT_S, stop - time.perf_counter()))))
        t0 = time.perf_counter()
        h.run()
        info = h.getInfo()
        # the objective is recomputed from the solution: when a step is solved outright HiGHS can
        # report an objective that leaves out a presolve offset, with the start returned unchanged
        found = np.array(h.getSolution().col_value)
        value = float(cost @ found)
        if DEBUG:
            print(f"step {step}: {time.perf_counter() - t0:.1f}s {h.getModelStatus()} {value:.1f} best {best:.1f}", flush=True)
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible and value < best - 1e-6:
            best, current = value, found
            improved += 1
        if step % len(groups) == 0:
            if improved == last_pass:
                break  # a whole pass without a gain: a local optimum for these groups
            last_pass = improved
    for v in variables:
        v.varValue = float(current[v.index])
    return improved


def _free_columns(group, columns: dict) -> np.ndarray:
    """Column indexes a neighbourhood frees: a list of person ids (all their days), or a pair
    (person ids, days) for a window of days."""
    people, days = (group, None) if not isinstance(group, tuple) else group
    return np.array(sorted(i for pid in people for d, i in columns.get(pid, ()) if days is None or d in days),
                    dtype=np.int32)


def neighbourhoods(problem, size: int, width: int = 2) -> list:
    """What the search frees in turn: windows of ``width`` days with everyone free (sliding a
    day at a time), then the groups of skill_groups. The two complement each other: a window
    lets every person trade shifts on those days and reshape that stretch's cover, but holds
    each person's other days, so their hours and runs barely move; a group moves a few people's
    whole month. On benchmarks/roster_named.py a pass of windows took a roster the groups had
    left at a local optimum 0.7% lower; from the rounded start, windows first beat interleaving
    the two. Wider windows (3 days of 120 people) were too hard to improve in a step."""
    ids = [p.id for p in problem.people]
    windows = [(ids, frozenset(range(first, min(problem.horizon, first + width))))
               for first in range(max(1, problem.horizon - width + 1))]
    return windows + skill_groups(problem, size)


def skill_groups(problem, size: int) -> list[list[str]]:
    """Groups to re-optimise in turn: people with the same skills (they can trade shifts) in
    groups of ``size`` and, shifted by half a group, of the same size again; then groups of
    ``2 * size`` mixing skills in file order (a 999-only handler can swap with a dual-skilled
    one)."""
    by_skill: dict[frozenset, list[str]] = {}
    for p in problem.people:
        by_skill.setdefault(p.skills, []).append(p.id)
    out = []
    for offset in (0, size // 2):
        for ids in by_skill.values():
            ids = ids[offset:] + ids[:offset]
            out += [ids[i:i + size] for i in range(0, len(ids), size)]
    ids = [p.id for p in problem.people]
    out += [ids[i:i + 2 * size] for i in range(0, len(ids), 2 * size)]
    return out
