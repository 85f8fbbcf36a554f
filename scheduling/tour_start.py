"""A first roster for the tour model from its LP relaxation (RENS: relaxation enforced neighbourhood search).

The tour model's LP bound is within a fraction of a percent of its optimum, but HiGHS's own
heuristics take long to find integer rosters that good on a week. Solving the LP and then the
MIP restricted to each integer variable's floor and ceiling of its LP value (Berthold 2014) is a
far smaller search: most shift counts are 0 in the LP and stay 0. The result, if any, is handed
to the full solve as its first incumbent; the full solve still proves the gap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from scheduling.solver import ArrayOutcome, SolverOptions, solve_arrays

# Share of the time limit the restricted MIP may use; the rest is the full solve's.
RENS_SHARE = 0.4


@dataclass(frozen=True, eq=False)
class Start:
    """The LP relaxation's outcome and the restricted MIP's solution (None if it found none)."""

    relaxation: ArrayOutcome
    values: np.ndarray | None
    seconds: float


def rens_start(cost, lower, upper, integer, matrix, row_lower, row_upper, options: SolverOptions) -> Start:
    """LP relaxation, then the MIP within floor/ceil of the LP's integer values."""
    integer = np.asarray(integer, dtype=bool)
    lp = solve_arrays(cost, lower, upper, np.zeros_like(integer), matrix, row_lower, row_upper,
                      replace(options, gap_rel=0.0, gap_abs=None))
    if lp.values is None:
        return Start(lp, None, lp.seconds)
    lo, hi = np.array(lower, dtype=float), np.array(upper, dtype=float)
    lo[integer] = np.maximum(lo[integer], np.floor(lp.values[integer] + 1e-6))
    hi[integer] = np.minimum(hi[integer], np.ceil(lp.values[integer] - 1e-6))
    limit = None if options.time_limit_s is None else max(1.0, RENS_SHARE * options.time_limit_s - lp.seconds)
    sub = solve_arrays(cost, lo, hi, integer, matrix, row_lower, row_upper,
                       replace(options, time_limit_s=limit, lp_solver="choose"))
    return Start(lp, sub.values, lp.seconds + sub.seconds)


def polish_windows(cost, lower, upper, integer, matrix, row_lower, row_upper, values: np.ndarray,
                   column_time: np.ndarray, width: int, options: SolverOptions, seconds: float) -> np.ndarray:
    """Re-optimise the integer columns of one time window at a time, the others fixed (fix-and-optimise).

    ``column_time`` places each integer column in time (-1: always fixed); continuous columns stay
    free. Windows of ``width`` intervals step by ``width``, then again shifted by half a window,
    while ``seconds`` last. A window's answer is kept only if cheaper, so the roster never gets
    worse; each window's solve starts from the current roster, so it always has a solution.
    """
    import time

    integer = np.asarray(integer, dtype=bool)
    current = values.copy()
    best = float(np.dot(cost, current))
    ends = column_time[integer & (column_time >= 0)]
    if ends.size == 0:
        return current
    firsts = list(range(0, int(ends.max()) + 1, width)) + list(range(width // 2, int(ends.max()) + 1, width))
    deadline = time.perf_counter() + seconds
    for n, first in enumerate(firsts):
        left = deadline - time.perf_counter()
        if left < 0.5:
            break
        free = integer & (column_time >= first) & (column_time < first + width)
        fixed = integer & ~free
        lo, hi = np.array(lower, dtype=float), np.array(upper, dtype=float)
        lo[fixed] = hi[fixed] = np.round(current[fixed])
        share = left / (len(firsts) - n)
        outcome = solve_arrays(cost, lo, hi, integer, matrix, row_lower, row_upper,
                               replace(options, time_limit_s=max(0.5, share), gap_rel=0.0), start=current)
        if outcome.values is not None and outcome.objective < best - 1e-6:
            current, best = outcome.values, outcome.objective
    return current
