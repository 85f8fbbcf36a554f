"""Improve a roster by re-optimising one day of shift starts at a time (fix-and-optimise).

Why: the full roster model has a tight LP bound (breaks make it not quite an interval
matrix), but on a 4-week horizon HiGHS is slow to find integer solutions better than ~1%
above that bound. Re-solving the shifts that start in a 24-hour window, with every other
shift fixed and the current roster as a MIP start, is a small model HiGHS solves in about a
second, and sliding the window through the horizon removes most of that last 1%. Each
window result is kept only if it is cheaper, so the roster never gets worse.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from scheduling.cover_model import cover_model
from scheduling.shifts import Candidates
from scheduling.solver import SolverOptions, solve

WINDOW = pd.Timedelta(hours=24)
STRIDE = pd.Timedelta(hours=24)
# Windows are small, so they can be solved tighter than the full model, but each has a
# time limit so that one hard window cannot stall the roster.
WINDOW_GAP_REL = 0.002
WINDOW_TIME_LIMIT_S = 20.0


def polish(
    counts: np.ndarray,
    required: np.ndarray,
    labels: list[str],
    candidates: Candidates,
    interval: pd.Timedelta,
    *,
    under_penalty: float,
    hard_cover: bool,
    options: SolverOptions,
) -> np.ndarray:
    """Shift counts per candidate at least as good as ``counts`` (one pass of windows)."""
    counts = counts.copy()
    window_options = replace(
        options,
        gap_rel=min(options.gap_rel, WINDOW_GAP_REL),
        time_limit_s=min(options.time_limit_s or WINDOW_TIME_LIMIT_S, WINDOW_TIME_LIMIT_S),
        write_mps=None,
        warm_start=True,
    )
    width, step = int(WINDOW / interval), max(1, int(STRIDE / interval))
    for first in range(0, len(required), step):
        rows = np.flatnonzero((candidates.start >= first) & (candidates.start < first + width))
        if rows.size:
            counts[rows] = _window(counts, rows, required, labels, candidates, under_penalty, hard_cover, window_options)
    return counts


def _window(counts, rows, required, labels, candidates, under_penalty, hard_cover, options) -> np.ndarray:
    """Best counts for candidates ``rows`` given all the others; the current ones if no better."""
    sub = candidates.subset(rows)
    others = counts.copy()
    others[rows] = 0
    reach = np.asarray(sub.cover.sum(axis=0)).ravel() > 0
    # What the window's shifts must still cover; intervals they cannot reach are not their concern.
    residual = np.where(reach, np.maximum(required - candidates.cover.T @ others, 0), 0)
    model = cover_model(residual, labels, sub, under_penalty=under_penalty, hard_cover=hard_cover)
    if not model.problem.variables():
        return counts[rows]
    current = counts[rows]
    model.set_start(current, sub.cover.T @ current, residual)
    outcome = solve(model.problem, options)
    if not outcome.has_solution:
        return current
    proposal = model.shift_counts()
    better = _window_cost(proposal, sub, residual, under_penalty) < _window_cost(current, sub, residual, under_penalty) - 1e-9
    return proposal if better else current


def _window_cost(x: np.ndarray, sub: Candidates, residual: np.ndarray, under_penalty: float) -> float:
    short = np.maximum(residual - sub.cover.T @ x, 0).sum()
    return float(sub.cost @ x + under_penalty * short)
