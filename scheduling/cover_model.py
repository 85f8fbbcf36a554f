"""The integer program behind a roster: how many of each candidate shift to buy.

    minimise   sum_i cost_i x_i + under_penalty * sum_t short_t
    subject to cover_t:  sum_{i works t} x_i + short_t >= required_t   for every t with required_t > 0
               x_i integer >= 0, 0 <= short_t <= required_t   (no short_t under hard cover)

Names say what things mean: ``shift_<template>_<YYYYmmddTHHMM>`` is the number of shifts of
that template starting then, ``short_<t>`` the heads missing at t, ``cover_<t>`` the cover
constraint of interval t (local time; a repeated fall-back hour gets the suffix ``_2``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pulp

from scheduling.errors import SchedulingError
from scheduling.shifts import Candidates


@dataclass(frozen=True, eq=False)
class CoverModel:
    """The PuLP problem and its variables; ``shifts[i]`` is None for candidate shifts left out
    because every interval they work needs no one (they could only add cost)."""

    problem: pulp.LpProblem
    shifts: tuple[pulp.LpVariable | None, ...]
    shortfall: dict[int, pulp.LpVariable]

    def set_start(self, counts: np.ndarray, rostered: np.ndarray, required: np.ndarray) -> None:
        """Give the variables the values of an existing roster, as a MIP start.

        Counts are clipped to each variable's upper bound, which keeps a feasible roster
        feasible (see ``_shift_variables``); shortfalls are what the roster leaves uncovered.
        """
        for v, n in zip(self.shifts, counts):
            if v is not None:
                v.varValue = float(min(n, v.upBound))
        for t, v in self.shortfall.items():
            v.varValue = float(max(required[t] - rostered[t], 0))

    def shift_counts(self) -> np.ndarray:
        """Shifts bought per candidate, rounded to whole shifts."""
        values = [0 if v is None else int(round(v.varValue or 0.0)) for v in self.shifts]
        return np.array(values, dtype=np.int64)


def model_names(names: Sequence[str]) -> list[str]:
    """Template names made safe for model variable names; raise if two become the same."""
    safe = [re.sub(r"[^A-Za-z0-9_.]", "_", n) for n in names]
    if len(set(safe)) != len(safe):
        raise SchedulingError(f"shift template names {list(names)} are not distinct as model names {safe}")
    return safe


def cover_model(
    required: np.ndarray,
    labels: Sequence[str],
    candidates: Candidates,
    *,
    under_penalty: float,
    hard_cover: bool,
) -> CoverModel:
    """Build the roster integer program for ``required`` heads per interval."""
    problem = pulp.LpProblem("roster", pulp.LpMinimize)
    shifts = _shift_variables(problem, required, labels, candidates)
    by_interval = candidates.cover.tocsc()
    shortfall: dict[int, pulp.LpVariable] = {}
    for t in np.flatnonzero(required > 0):
        rows = by_interval.indices[by_interval.indptr[t] : by_interval.indptr[t + 1]]
        terms = [(shifts[i], 1.0) for i in rows]
        if not hard_cover:
            shortfall[t] = problem.add_variable(f"short_{labels[t]}", lowBound=0, upBound=float(required[t]))
            terms.append((shortfall[t], 1.0))
        problem += pulp.LpAffineExpression(terms) >= float(required[t]), f"cover_{labels[t]}"
    cost = candidates.cost
    objective = [(v, float(cost[i])) for i, v in enumerate(shifts) if v is not None]
    objective += [(v, float(under_penalty)) for v in shortfall.values()]
    problem.setObjective(pulp.LpAffineExpression(objective))
    return CoverModel(problem, tuple(shifts), shortfall)


def _shift_variables(
    problem: pulp.LpProblem, required: np.ndarray, labels: Sequence[str], candidates: Candidates
) -> list:
    # No optimal roster buys more copies of a shift than the largest requirement it works:
    # dropping one copy would still cover every interval. That bound tightens the model.
    if candidates.cover.shape[0] == 0:
        return []
    most = candidates.cover.multiply(required[None, :]).max(axis=1).toarray().ravel()
    names = model_names([p.template.name for p in candidates.patterns])
    variables = []
    for i, (k, start) in enumerate(zip(candidates.template, candidates.start)):
        if most[i] <= 0:
            variables.append(None)
            continue
        name = f"shift_{names[k]}_{labels[start]}"
        variables.append(problem.add_variable(name, lowBound=0, upBound=float(most[i]), cat=pulp.LpInteger))
    return variables
