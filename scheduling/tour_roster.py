"""A roster of weekly tours: shift starts, lengths, breaks and days off chosen by one integer program.

``build_tour_roster`` is the tour counterpart of scheduling.roster.build_roster and returns the
same RosterResult, with ``notes`` saying where cover falls short and how far from optimal a
time-limited solve may be. The model is in scheduling.tour_model, its settings in
scheduling.tours, the hand-out of breaks and staff ids in scheduling.tour_staff.

Decisions worth knowing:
- Cover is soft (``under_penalty`` per missing head-interval) above an optional hard floor
  (``floor`` column of ``required``, or ``hard_cover`` for all of it). A floor no shift can
  reach is dropped for that interval, with a note, instead of making the model infeasible.
- The solve is LP relaxation (interior point) -> RENS (scheduling.tour_start: the MIP restricted
  to the floor and ceiling of the LP's values, which finds good rosters far sooner than HiGHS
  alone: on the demo week HiGHS alone had no roster better than "all short" after 340 s) ->
  one-day pieces re-solved around the best roster (scheduling.tour_search: 1.5% -> 0.3% above
  the LP bound in one pass over the week) -> the full MIP from that roster, only if the gap is
  not reached and at least MIN_FULL_S seconds are left. Without a RENS roster and with nothing
  hard, the empty roster is the full MIP's first incumbent, so a solve that runs out of time
  still returns a roster and its proven gap. The bound is raised to the next multiple of the
  prices' common unit (TourModel.rounded_bound).
- Every HiGHS call has a watchdog (scheduling.solver.solve_arrays): HiGHS overran a 300 s limit
  by 43 s on the week in one measurement.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from scheduling import schema as s
from scheduling.errors import SchedulingError
from scheduling.intervals import on_duty
from scheduling.roster import (RosterResult, _validated_penalty, _validated_required, _validated_templates,
                               roster_result)
from scheduling.shifts import Candidates, candidate_shifts
from scheduling.solver import ArrayOutcome, SolverOptions, relative_gap, solve_arrays
from scheduling.staff import assign_staff_ids
from scheduling.tour_chain import ChainRules, chain_weeks
from scheduling.tour_model import TourModel, calendar_days, tour_model
from scheduling.tour_assign import assign_week
from scheduling.tour_staff import assign_breaks, assign_people
from scheduling.tour_search import improve_by_days
from scheduling.tour_start import HEURISTIC_EFFORT, rens_start
from scheduling.tours import TourSettings

FLOOR = "floor"
HOURS_NOTE = "paid hours a week over the horizon"
SHORT_NOTE = "Short on "
# Share of the time limit for the LP and RENS; the day-by-day search and then the full model
# have the rest. The full model is not started with less than MIN_FULL_S seconds left: on the
# demo week its root LP alone takes about 14 s.
RENS_SHARE = 0.3
# ... but at least this many seconds (up to 90% of a short limit, e.g. a week's share of a
# 4-week run): RENS needs some 10-15 s for its first roster on a week on the shared machine.
RENS_MIN_S = 15.0
MIN_FULL_S = 10.0
WEEK_DAYS = 7


def build_tour_roster(
    required: pd.DataFrame,
    templates: Sequence,
    *,
    settings: TourSettings = TourSettings(),
    under_penalty: float = 1000.0,
    hard_cover: bool = False,
    solver_options: SolverOptions = SolverOptions(),
    skills: Sequence[str] = (),
    price: Callable[[pd.DataFrame], np.ndarray] | None = None,
) -> RosterResult:
    """Least-cost tours covering ``required`` ([interval_start, required], optional floor) heads;
    ``price`` costs each shift under pay rules as in scheduling.roster.build_roster."""
    starts, need, interval = _validated_required(required)
    templates = _validated_templates(templates)
    _validated_penalty(under_penalty)
    if not isinstance(settings, TourSettings):
        raise SchedulingError(f"settings must be a TourSettings, got {settings!r}")
    if settings.days_off and len(calendar_days(starts)[1]) > WEEK_DAYS:
        return _week_by_week(required, templates, settings, under_penalty, hard_cover, solver_options, skills,
                             price)
    floor = need.copy() if hard_cover else _floor(required)
    started = time.perf_counter()
    candidates = candidate_shifts(templates, starts, interval)
    if price is not None:
        candidates = candidates.priced(price, starts)
    notes = _unreachable(starts, need, floor, candidates)
    model = tour_model(need, floor, starts, candidates, settings, under_penalty=under_penalty)
    outcome = _solve(model, need, floor, solver_options)
    counts = model.shift_counts(outcome.values, candidates)
    table, rostered = _shifts(model, candidates, counts, outcome.values, starts, interval)
    days_off = np.round(outcome.values[model.days_off]).astype(np.int64)
    table, staff_notes = _with_staff(table, model, days_off, settings, interval, "|".join(skills))
    shortfall_heads = np.maximum(need - rostered, 0)
    return roster_result(table, starts, need, rostered, under_penalty, outcome.status, outcome.best_bound, started,
                         interval, lambda gap: notes + _status_notes(outcome, gap) + staff_notes
                         + shortfall_notes(starts, shortfall_heads))


def _week_by_week(required, templates, settings, under_penalty, hard_cover, options, skills, price) -> RosterResult:
    """Roster a horizon of several weeks one week (7 local days) at a time, sharing the time limit.

    Why: one model over 4 weeks is 4 times larger and its LP alone outran a 120 s limit on a shared
    machine (no roster at all); and the counts cannot keep a person's days off from one week to the
    next anyway. So each week is its own set of tours and staff ids are numbered on across weeks.
    """
    frame = required.sort_values(s.INTERVAL_START, kind="stable").reset_index(drop=True)
    day, _ = calendar_days(pd.DatetimeIndex(frame[s.INTERVAL_START]))
    weeks = [frame[day // WEEK_DAYS == w] for w in range(int(day.max()) // WEEK_DAYS + 1)]
    limit = None if options.time_limit_s is None else options.time_limit_s / len(weeks)
    parts = [build_tour_roster(week, templates, settings=settings, under_penalty=under_penalty,
                               hard_cover=hard_cover, solver_options=replace(options, time_limit_s=limit),
                               skills=skills, price=price) for week in weeks]
    local = pd.DatetimeIndex(frame[s.INTERVAL_START])
    local = local.tz_localize(None) if local.tz is not None else local
    week_days = [int(np.unique(day[day // WEEK_DAYS == w]).size) for w in range(len(weeks))]
    shifts, chain_notes = chain_weeks([p.shifts for p in parts], local[0].normalize(), week_days, sum(week_days),
                                      ChainRules(min_rest_h=settings.min_rest_h,
                                                 max_week_hours=settings.max_week_hours))
    cover = pd.concat([p.cover for p in parts], ignore_index=True)
    # a week's last nights run on into the next week, which each week's own cover does not count
    short = lambda c: float((c[s.REQUIRED] - c[s.ROSTERED]).clip(lower=0).sum())
    joined = cover.assign(**{s.ROSTERED: on_duty(shifts, pd.DatetimeIndex(cover[s.INTERVAL_START]))})
    objective = sum(p.objective for p in parts) - under_penalty * (short(cover) - short(joined))
    cover = joined
    bound = None if any(p.best_bound is None for p in parts) else sum(p.best_bound for p in parts)
    statuses = [p.status for p in parts]
    notes = [f"Rostered week by week ({len(parts)} weeks), each week's tours with 2 consecutive days off."]
    notes += chain_notes
    # a week's own hours note judges one week against the 48-hour average; the chain keeps the average
    # over the whole horizon, which is what the joined roster's note judges
    # (and a week's shortfall lines miss the nights run on from the week before: they are recounted)
    notes += [f"Week {w + 1}: {n}" for w, p in enumerate(parts) for n in p.notes
              if HOURS_NOTE not in n and not n.startswith(SHORT_NOTE)]
    notes += _hours_notes(shifts, settings.max_week_hours)
    starts = pd.DatetimeIndex(cover[s.INTERVAL_START])
    notes += shortfall_notes(starts, np.maximum(cover[s.REQUIRED] - cover[s.ROSTERED], 0).to_numpy())
    return RosterResult(
        shifts=shifts, cover=cover,
        status="optimal" if all(x == "optimal" for x in statuses) else next(x for x in statuses if x != "optimal"),
        objective=objective, best_bound=bound, gap=relative_gap(objective, bound),
        total_cost=float(shifts[s.COST].sum()),
        shortfall=cover[cover[s.REQUIRED] > cover[s.ROSTERED]].reset_index(drop=True),
        solve_seconds=sum(p.solve_seconds for p in parts), interval=parts[0].interval, notes=tuple(notes),
    )


def _floor(required: pd.DataFrame) -> np.ndarray:
    if FLOOR not in required.columns:
        return np.zeros(len(required), dtype=np.int64)
    frame = required.sort_values(s.INTERVAL_START, kind="stable")
    values = pd.to_numeric(frame[FLOOR], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (np.abs(values - np.round(values)) > 1e-9)
    if bad.any():
        at = int(np.argmax(bad))
        raise SchedulingError(f"required: column 'floor' must hold whole numbers >= 0; row at "
                              f"{frame[s.INTERVAL_START].iloc[at]} has {frame[FLOOR].iloc[at]!r}")
    return np.round(values).astype(np.int64)


def _unreachable(starts, need, floor, candidates: Candidates) -> list[str]:
    reach = np.zeros(len(need), dtype=bool)
    lengths = np.array([p.length for p in candidates.patterns])[candidates.template]
    for first, length in zip(candidates.start, lengths):
        reach[first:first + length] = True
    lost = np.flatnonzero((floor > 0) & ~reach)
    floor[lost] = 0
    if lost.size == 0:
        return []
    return [f"Hard floor dropped at {lost.size} interval(s) no shift can reach, first {starts[lost[0]]}."]


def _solve(model: TourModel, need, floor, options: SolverOptions) -> ArrayOutcome:
    """RENS first roster, improved a day at a time (scheduling.tour_search); if the LP bound does
    not prove it within ``gap_rel`` by then and time is left, the full model from it.

    The bound is the better of the LP relaxation's and the full solve's (both valid for the model),
    raised to the objective's step."""
    arrays = (model.cost, model.lower, model.upper, model.integer, model.matrix, model.row_lower, model.row_upper)
    began = time.perf_counter()
    deadline = None if options.time_limit_s is None else began + options.time_limit_s
    share = RENS_SHARE
    if options.time_limit_s is not None:
        share = max(RENS_SHARE, min(0.9, RENS_MIN_S / options.time_limit_s))
    first = rens_start(*arrays, options, share=share)
    start = first.values
    lp_bound = model.rounded_bound(first.relaxation.objective)
    target = -math.inf if lp_bound is None else lp_bound / (1 - options.gap_rel)  # gap = (obj - bound) / obj
    search = None
    if start is not None:
        search = improve_by_days(model, start, options, target=target, deadline=deadline)
        start = search.values
    if start is not None and lp_bound is not None:
        found = float(np.dot(model.cost, start))
        timed_out = deadline is not None and time.perf_counter() > deadline - MIN_FULL_S
        if (relative_gap(found, lp_bound) or 0.0) <= options.gap_rel or timed_out:
            status = "optimal" if (relative_gap(found, lp_bound) or 0.0) <= options.gap_rel else "time_limit"
            return ArrayOutcome(status, start, found, lp_bound, relative_gap(found, lp_bound),
                                time.perf_counter() - began)
    if start is None and not floor.any():
        start = np.zeros(model.cost.size)
        start[model.short[need > 0]] = need[need > 0]  # the empty roster: everything short
    spent = time.perf_counter() - began
    remaining = None if options.time_limit_s is None else max(1.0, options.time_limit_s - spent)
    outcome = solve_arrays(*arrays, replace(options, time_limit_s=remaining), start=start,
                           highs_options={"mip_heuristic_effort": HEURISTIC_EFFORT})
    values = outcome.values if outcome.values is not None else start if start is not None else first.values
    if values is None:
        raise SchedulingError(
            f"the solver found no roster within {options.time_limit_s} s (status {outcome.status!r}); "
            f"raise the time limit or lower the hard floor"
        )
    bounds = [b for b in (outcome.best_bound, lp_bound) if b is not None]
    bound = model.rounded_bound(max(bounds)) if bounds else None
    objective = float(np.dot(model.cost, values))
    return ArrayOutcome(outcome.status, values, objective, bound, relative_gap(objective, bound),
                        time.perf_counter() - began, outcome.watchdog)


def _shifts(model: TourModel, candidates: Candidates, counts, values, starts, interval):
    """One row per shift bought with its break placed, and heads on duty per interval."""
    used = np.repeat(np.arange(counts.size), counts)
    begin = candidates.start[used]
    template = candidates.template[used]
    patterns = candidates.patterns
    length = np.array([p.length for p in patterns])[template]
    brk = np.full(used.size, -1, dtype=np.int64)
    for k in model.breaks:
        mine = np.flatnonzero(template == k)
        u, n = model.break_counts(values, k)
        placed = assign_breaks(begin[mine], u, n, model.break_window[k])
        if (placed < 0).any():  # cannot happen on a feasible solution; keep the template's own break
            placed = begin[mine] + patterns[k].break_at
        brk[mine] = placed
    break_len = np.array([p.break_len for p in patterns])[template]
    rostered = np.zeros(len(starts), dtype=np.int64)
    for b0, n, bb, bl in zip(begin, length, brk, break_len):
        rostered[b0:b0 + n] += 1
        if bl:
            rostered[bb:bb + bl] -= 1
    horizon_end = starts[-1] + interval
    at = lambda idx: pd.DatetimeIndex([starts[i] if i < len(starts) else horizon_end + (i - len(starts)) * interval
                                       for i in idx]) if len(idx) else pd.DatetimeIndex([], tz=starts.tz)
    has_break = break_len > 0
    table = pd.DataFrame({
        s.SHIFT: pd.Series([patterns[k].template.name for k in template], dtype=object),
        s.START: at(begin),
        s.END: at(begin) + pd.to_timedelta(length * interval),
        s.BREAK_START: at(np.where(has_break, brk, begin)).where(has_break),
        s.BREAK_END: (at(np.where(has_break, brk, begin)) + pd.to_timedelta(break_len * interval)).where(has_break),
        s.PAID_HOURS: np.array([patterns[k].template.paid_hours for k in template], dtype=float),
        s.COST: candidates.cost[used],
        "_start": begin, "_end": begin + length, "_day": model.day[used],
    })
    return table, rostered


def _with_staff(table: pd.DataFrame, model: TourModel, days_off, settings: TourSettings, interval, skills):
    table = table.sort_values([s.START, s.END, s.SHIFT], kind="stable").reset_index(drop=True)
    notes: list[str] = []
    per_interval = interval / pd.Timedelta(hours=1)
    rest = int(round(settings.min_rest_h / per_interval))
    ids = None
    if settings.days_off and len(table):
        shifts = (table["_start"].to_numpy(), table["_end"].to_numpy(), table["_day"].to_numpy(), model.weekday,
                  days_off, rest, int(round(24 / per_interval)))
        person = assign_week(*shifts, hours=table[s.PAID_HOURS].to_numpy(),  # exact for one week
                             max_hours=settings.max_week_hours)
        if person is None:
            person, failed = assign_people(*shifts)
            person = person if failed < 0 and (person >= 0).all() else None
        if person is not None:
            ids = _ids(person)
        else:
            notes.append("Tours could not be handed out keeping every person's weekdays off (over several "
                         "weeks the counts do not track who is off when); staff ids are from the greedy "
                         "hand-out instead.")
    if ids is None:
        ids = assign_staff_ids(table[s.START], table[s.END], min_rest=pd.Timedelta(hours=settings.min_rest_h),
                               max_hours=settings.max_week_hours, hours=table[s.PAID_HOURS])
    table.insert(0, s.STAFF_ID, ids)
    table[s.SKILLS] = skills
    notes += _hours_notes(table, settings.max_week_hours)
    return table[list(s.SHIFT_COLUMNS)], notes


def _ids(person: np.ndarray) -> list[str]:
    order = {}
    for p in person:
        order.setdefault(int(p), len(order))
    return [f"H{order[int(p)] + 1:04d}" for p in person]


def _hours_notes(table: pd.DataFrame, max_hours: float) -> list[str]:
    if table.empty:
        return []
    worked = table.groupby(s.STAFF_ID)[s.PAID_HOURS].sum()
    weeks = max(1.0, (table[s.END].max() - table[s.START].min()) / pd.Timedelta(days=7))
    over = worked[worked / weeks > max_hours + 1e-9]
    if over.empty:
        return []
    return [f"{len(over)} of {len(worked)} people average more than {max_hours:g} {HOURS_NOTE} "
            f"(the limit is an average over 17 weeks; the model keeps the workforce's average)."]


def _status_notes(outcome: ArrayOutcome, gap: float | None) -> list[str]:
    if outcome.status == "optimal":
        return []
    why = "the watchdog" if outcome.watchdog else f"status {outcome.status}"
    shown = "unknown" if gap is None else f"{100 * gap:.2f}%"
    return [f"The solver stopped ({why}) after {outcome.seconds:.0f} s; this roster is within {shown} of optimal."]


def shortfall_notes(starts: pd.DatetimeIndex, short: np.ndarray, most: int = 7) -> list[str]:
    """One line per local day with missing heads: how many head-intervals and which times."""
    if not short.any():
        return []
    local = starts.tz_localize(None) if starts.tz is not None else starts
    lines = []
    for date in pd.unique(local.normalize()[short > 0]):
        on = np.flatnonzero((local.normalize() == date) & (short > 0))
        runs = np.split(on, np.flatnonzero(np.diff(on) > 1) + 1)
        spans = [f"{local[r[0]]:%H:%M}-{local[r[-1]] + (starts[1] - starts[0] if len(starts) > 1 else pd.Timedelta(0)):%H:%M}"
                 for r in runs[:most]]
        more = f" and {len(runs) - most} more" if len(runs) > most else ""
        lines.append(f"{SHORT_NOTE}{pd.Timestamp(date):%a %Y-%m-%d}: {int(short[on].sum())} head-interval(s) at "
                     f"{', '.join(spans)}{more}.")
    return lines
