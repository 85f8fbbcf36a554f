"""Build a least-cost roster of shifts that covers required heads per interval.

Decisions worth knowing:
- Shifts start at any interval of the horizon their template's local start window allows
  and are clipped at the horizon end; a clipped shift is paid in full (its cost is what it
  will really cost). Intervals at the start of the horizon can only be covered by shifts
  starting inside the horizon: earlier shifts are not modelled.
- Under soft cover (default) an uncovered head costs ``under_penalty`` per interval; a
  penalty above a shift's cost means "cover whenever any shift can".
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from scheduling import schema as s
from scheduling.cover_model import CoverModel, cover_model
from scheduling.errors import SchedulingError
from scheduling.intervals import interval_labels, interval_length, require_columns, require_tz_aware
from scheduling.polish import polish as polish_roster
from scheduling.shifts import Candidates, ShiftTemplate, candidate_shifts
from scheduling.solver import SolveOutcome, SolverOptions, relative_gap, solve
from scheduling.staff import assign_staff_ids

# With polish, the whole-horizon solve has this share of the time limit less; the day-by-day
# polish has what is left, so the time limit is the whole roster's (on the demo month the polish
# had taken 70 s beyond a 120 s limit).
POLISH_SHARE = 1 / 3


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare their contents, not results
class RosterResult:
    """A roster and how good it is.

    shifts      SHIFT_COLUMNS, one row per person per shift
    cover       COVER_COLUMNS, one row per interval of the horizon
    status      status of the whole-horizon solve ("optimal": within SolverOptions.gap_rel;
                "time_limit": stopped by the time limit, see gap)
    objective   shift cost plus under_penalty x uncovered head-intervals, for this roster
                (after polishing)
    best_bound  proven lower bound on the optimal objective; gap = (objective - bound) / objective
    total_cost  cost of the shifts alone
    shortfall   intervals with required > rostered: interval_start, required, rostered
    solve_seconds  time spent building, solving and polishing the model
    interval    the interval length inferred from ``required``
    notes       lines for a planner: where cover falls short, a solve stopped by its time limit,
                rules the staff ids could not keep (the tour model fills these)
    """

    shifts: pd.DataFrame
    cover: pd.DataFrame
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    total_cost: float
    shortfall: pd.DataFrame
    solve_seconds: float = 0.0
    interval: pd.Timedelta = field(default=pd.Timedelta(minutes=15))
    notes: tuple[str, ...] = ()

    def explain(self) -> str:
        """A few lines a planner can read: horizon, solver result, shifts, cover and shortfall."""
        cover, shifts = self.cover, self.shifts
        hours = self.interval.total_seconds() / 3600
        lines = [
            f"Horizon {cover[s.INTERVAL_START].iloc[0]} .. {cover[s.INTERVAL_START].iloc[-1]}: "
            f"{len(cover)} intervals of {self.interval}.",
            f"Solver status {self.status}: objective {_num(self.objective)}, best bound "
            f"{_num(self.best_bound)}, gap {_pct(self.gap)}, {self.solve_seconds:.1f} s.",
        ]
        if shifts.empty:
            lines.append("No shifts rostered.")
        else:
            counts = shifts[s.SHIFT].value_counts().sort_index()
            mix = ", ".join(f"{name} x {n}" for name, n in counts.items())
            lines.append(
                f"{len(shifts)} shifts ({mix}) for {shifts[s.STAFF_ID].nunique()} staff ids; "
                f"{shifts[s.PAID_HOURS].sum():g} paid hours costing {self.total_cost:,.2f}."
            )
        need = int(cover[s.REQUIRED].sum())
        have = int(np.minimum(cover[s.ROSTERED], cover[s.REQUIRED]).sum())
        extra = int((cover[s.ROSTERED] - cover[s.REQUIRED]).clip(lower=0).sum())
        lines.append(
            f"Cover: {have} of {need} required head-intervals met ({have * hours:g} of {need * hours:g} "
            f"head-hours); {extra * hours:g} head-hours rostered above requirement."
        )
        if self.shortfall.empty:
            lines.append("No shortfall.")
        else:
            first = self.shortfall[s.INTERVAL_START].iloc[0]
            lines.append(f"Shortfall in {len(self.shortfall)} intervals, the first at {first}.")
        lines.extend(self.notes)
        return "\n".join(lines)


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.2f}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.3f}%"


def build_roster(
    required: pd.DataFrame,
    templates: Sequence[ShiftTemplate],
    *,
    under_penalty: float = 1000.0,
    hard_cover: bool = False,
    solver_options: SolverOptions = SolverOptions(),
    polish: bool = True,
    skills: Sequence[str] = (),
    price: Callable[[pd.DataFrame], np.ndarray] | None = None,
) -> RosterResult:
    """Least-cost shifts covering ``required`` ([interval_start, required] heads per interval).

    With ``hard_cover`` every interval must be covered and an interval no template can reach
    raises SchedulingError; otherwise such intervals are left short and listed in
    ``shortfall``. The whole horizon is solved as one model to ``solver_options.gap_rel``
    (within ``time_limit_s``, less POLISH_SHARE of it when polishing); ``polish`` then
    re-optimises one day at a time in the time left (see scheduling.polish; each day within 20 s),
    which never makes the roster worse, so the whole takes about ``time_limit_s``. ``skills``
    are the queues the rostered people answer. ``price`` costs each candidate shift under pay
    rules (see Candidates.priced: nights, weekends and bank holidays cost more, so the model
    chooses with what shifts really cost); without it a shift costs hourly_cost x paid hours.
    """
    starts, need, interval = _validated_required(required)
    templates = _validated_templates(templates)
    _validated_penalty(under_penalty)
    candidates = candidate_shifts(templates, starts, interval)
    if price is not None:
        candidates = candidates.priced(price, starts)
    _check_coverable(starts, need, candidates, hard_cover)
    labels = interval_labels(starts)
    started = time.perf_counter()
    model = cover_model(need, labels, candidates, under_penalty=under_penalty, hard_cover=hard_cover)
    limit = solver_options.time_limit_s
    deadline = None if limit is None else started + limit
    whole = replace(solver_options, time_limit_s=limit * (1 - POLISH_SHARE)) if polish and limit else solver_options
    outcome = _solve(model, whole)
    counts, unpolished = model.shift_counts(), 0
    if polish:
        counts, unpolished = polish_roster(
            counts, need, labels, candidates, interval,
            under_penalty=under_penalty, hard_cover=hard_cover, options=solver_options, deadline=deadline,
        )
    rostered = np.asarray(candidates.cover.T @ counts, dtype=np.int64)
    shifts = _shift_table(candidates, counts, starts, interval, "|".join(skills))
    days = -(-len(need) // max(1, int(pd.Timedelta(hours=24) / interval)))
    notes = (lambda gap: [f"The time limit ({limit:g} s) ended the day-by-day polish with {unpolished} of "
                          f"{days} day(s) not re-optimised; a longer limit may find a cheaper roster."]
             ) if unpolished else (lambda gap: ())
    return roster_result(shifts, starts, need, rostered, under_penalty, outcome.status, outcome.best_bound,
                         started, interval, notes)


def _validated_penalty(under_penalty) -> None:
    """The price of one uncovered head-interval, shared by every roster model."""
    if not (isinstance(under_penalty, (int, float)) and math.isfinite(under_penalty) and under_penalty > 0):
        raise SchedulingError(f"under_penalty must be a finite number > 0, got {under_penalty!r}")


def roster_result(shifts: pd.DataFrame, starts: pd.DatetimeIndex, need: np.ndarray, rostered: np.ndarray,
                  under_penalty: float, status: str, bound: float | None, started: float,
                  interval: pd.Timedelta, notes: Callable[[float | None], Sequence[str]] = lambda gap: ()
                  ) -> RosterResult:
    """A RosterResult priced from its shift rows: cost plus the penalty on uncovered heads, its gap
    to ``bound``, the short intervals; ``notes`` are made from the gap (any roster model uses this)."""
    objective = float(shifts[s.COST].sum() + under_penalty * np.maximum(need - rostered, 0).sum())
    cover = pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need, s.ROSTERED: rostered})
    gap = relative_gap(objective, bound)
    return RosterResult(
        shifts=shifts,
        cover=cover,
        status=status,
        objective=objective,
        best_bound=bound,
        gap=gap,
        total_cost=float(shifts[s.COST].sum()),
        shortfall=cover[cover[s.REQUIRED] > cover[s.ROSTERED]].reset_index(drop=True),
        solve_seconds=time.perf_counter() - started,
        interval=interval,
        notes=tuple(notes(gap)),
    )


def _validated_required(required: pd.DataFrame) -> tuple[pd.DatetimeIndex, np.ndarray, pd.Timedelta]:
    require_columns(required, (s.INTERVAL_START, s.REQUIRED), "required")
    require_tz_aware(required[s.INTERVAL_START], "required")
    interval = interval_length(required[s.INTERVAL_START], "required")
    frame = required.sort_values(s.INTERVAL_START, kind="stable")
    values = pd.to_numeric(frame[s.REQUIRED], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (np.abs(values - np.round(values)) > 1e-9)
    if bad.any():
        at = int(np.argmax(bad))
        raise SchedulingError(
            f"required heads must be whole numbers >= 0; {int(bad.sum())} row(s) are not, first at "
            f"{frame[s.INTERVAL_START].iloc[at]} ({frame[s.REQUIRED].iloc[at]!r})"
        )
    return pd.DatetimeIndex(frame[s.INTERVAL_START]), np.round(values).astype(np.int64), interval


def _validated_templates(templates: Sequence[ShiftTemplate]) -> tuple[ShiftTemplate, ...]:
    templates = tuple(templates)
    if not templates:
        raise SchedulingError("build_roster needs at least one ShiftTemplate")
    for t in templates:
        if not isinstance(t, ShiftTemplate):
            raise SchedulingError(f"templates must be ShiftTemplate objects, got {t!r}")
    names = [t.name for t in templates]
    if len(set(names)) != len(names):
        raise SchedulingError(f"shift template names must be unique, got {names}")
    return templates


def _check_coverable(
    starts: pd.DatetimeIndex, need: np.ndarray, candidates: Candidates, hard_cover: bool
) -> None:
    reachable = np.asarray(candidates.cover.sum(axis=0)).ravel() > 0
    lost = np.flatnonzero((need > 0) & ~reachable)
    if lost.size and hard_cover:
        first = [str(ts) for ts in starts[lost[:3]]]
        raise SchedulingError(
            f"no shift template covers {lost.size} interval(s) that need heads, first {first}; "
            f"widen the templates' start windows or use soft cover (hard_cover=False)"
        )


def _solve(model: CoverModel, options: SolverOptions) -> SolveOutcome:
    if not model.problem.variables():
        # Nothing is required anywhere: the empty roster is optimal, no solver needed.
        return SolveOutcome(options.solver, "optimal", True, 0.0, 0.0, 0.0, 0.0)
    outcome = solve(model.problem, options)
    if not outcome.has_solution:
        raise SchedulingError(
            f"the solver found no roster (status {outcome.status!r}); "
            f"raise SolverOptions.time_limit_s (now {options.time_limit_s}) or simplify the templates"
        )
    return outcome


def _shift_table(
    candidates: Candidates, counts: np.ndarray, starts: pd.DatetimeIndex, interval: pd.Timedelta, skills: str
) -> pd.DataFrame:
    used = np.repeat(np.arange(counts.size), counts)
    table = candidates.times(starts, used).assign(**{s.COST: candidates.cost[used], s.SKILLS: skills})
    table = table.sort_values([s.START, s.END, s.SHIFT], kind="stable").reset_index(drop=True)
    table.insert(0, s.STAFF_ID, assign_staff_ids(table[s.START], table[s.END]))
    return table[list(s.SHIFT_COLUMNS)]
