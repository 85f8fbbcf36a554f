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

# The relaxation is solved by interior point (with crossover, so RENS rounds a vertex): on the
# demo week it took 3.4 s against 20.9 s by HiGHS's default simplex (33,900 iterations), on 2
# shared cores; that is a third of a 60 s budget handed back to the search.
LP_SOLVER = "ipm"
# Default share of the time limit the LP and the restricted MIP may use (scheduling.tour_roster
# passes its own, smaller, share: the day-by-day search does better with the time).
RENS_SHARE = 0.9
# HiGHS spends this share of its effort on primal heuristics (default 0.05). On the demo week
# the restricted MIP reached 1.05% / 0.73% / 0.60% above the LP bound in 60 s with 0.05 / 0.3
# / 0.8 (2 shared cores, about 20 s of CPU each).
HEURISTIC_EFFORT = 0.8


@dataclass(frozen=True, eq=False)
class Start:
    """The LP relaxation's outcome and the restricted MIP's solution (None if it found none)."""

    relaxation: ArrayOutcome
    values: np.ndarray | None
    seconds: float


def rens_start(cost, lower, upper, integer, matrix, row_lower, row_upper, options: SolverOptions,
               share: float = RENS_SHARE) -> Start:
    """LP relaxation, then the MIP within floor/ceil of the LP's integer values.

    The restricted MIP aims at half of ``options.gap_rel`` against its own bound (which lies above
    the full model's) and stops at ``share`` of the time limit, counted from the LP's start."""
    integer = np.asarray(integer, dtype=bool)
    lp = solve_arrays(cost, lower, upper, np.zeros_like(integer), matrix, row_lower, row_upper,
                      replace(options, gap_rel=0.0, gap_abs=None, lp_solver=LP_SOLVER))
    if lp.values is None:
        return Start(lp, None, lp.seconds)
    lo, hi = np.array(lower, dtype=float), np.array(upper, dtype=float)
    lo[integer] = np.maximum(lo[integer], np.floor(lp.values[integer] + 1e-6))
    hi[integer] = np.minimum(hi[integer], np.ceil(lp.values[integer] - 1e-6))
    limit = None if options.time_limit_s is None else max(1.0, share * options.time_limit_s - lp.seconds)
    sub = solve_arrays(cost, lo, hi, integer, matrix, row_lower, row_upper,
                       replace(options, time_limit_s=limit, lp_solver="choose", gap_rel=options.gap_rel / 2),
                       highs_options={"mip_heuristic_effort": HEURISTIC_EFFORT})
    return Start(lp, sub.values, lp.seconds + sub.seconds)

