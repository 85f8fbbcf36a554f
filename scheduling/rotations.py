"""Rosters built from rotating shift patterns, e.g. "D D N N - - - -" (two 12-hour days, two
12-hour nights, four rest days) or 4 on / 4 off.

The integer program chooses how many people follow each (rotation, phase): a person at phase k
works, on day d of the horizon (local calendar days from the first interval's date), the shift
of cycle day (d + k) mod len(cycle), and keeps that phase for the whole horizon. Each
(rotation, phase) is one column of the cover model (scheduling.cover_model): it covers every
interval its people work, breaks excepted, and costs the sum of its shifts' prices.

Decisions worth knowing:
- Shifts have a fixed local start (a ShiftTemplate whose start window is one time); a night
  runs into the next day and is clipped at the horizon end but paid in full, as in build_roster.
  With ``carry_in``, a night that began the day before the horizon (cycle day k - 1 at phase k)
  is on duty in its first hours: it appears cut to start at the horizon start, paid for the
  hours inside it. Off by default, because the rest of the project (staff ids, the rule checker,
  the workbook) holds a person to one shift starting per calendar day and that cut night can
  share its day with the person's next night; without it the horizon's first hours are covered
  only by shifts starting in the horizon.
- Every shift of a code has its break at the same time (ShiftTemplate's placement, or
  break_offset_h), so everyone on that shift breaks together; cover through the breaks comes
  from another rotation, e.g. the same pattern with a later break_offset_h.
- Phases are counted from the horizon's first day: to continue one horizon's pattern into the
  next, shift each phase by the number of days between their first days.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from scheduling import schema as s
from scheduling.cover_model import cover_model, model_names
from scheduling.errors import SchedulingError
from scheduling.intervals import interval_labels
from scheduling.roster import RosterResult, _solve, _validated_penalty, _validated_required, roster_result
from scheduling.shifts import ShiftTemplate, candidate_shifts
from scheduling.solver import SolverOptions

REST = "-"
# Working Time Regulations 1998: 11 consecutive hours of daily rest.
MIN_REST_H = 11.0


def fixed_shift(code: str, start: str, hours: float, break_min: float = 0.0, hourly_cost: float = 1.0,
                break_offset_h: float | None = None) -> ShiftTemplate:
    """A shift that always starts at local time ``start`` ("HH:MM"); its break starts
    ``break_offset_h`` after the start (None: centred, as ShiftTemplate places it)."""
    return ShiftTemplate(code, length_h=hours, break_minutes=break_min, hourly_cost=hourly_cost,
                         earliest_start=start, latest_start=start, break_offset_h=break_offset_h)


@dataclass(frozen=True)
class Rotation:
    """A rotating pattern: ``cycle`` holds one code per day ("-" a rest day), ``shifts`` maps each
    working code to a fixed-start ShiftTemplate; ``hourly_cost``, if set, prices all its shifts."""

    name: str
    cycle: tuple[str, ...]
    shifts: Mapping[str, ShiftTemplate]
    hourly_cost: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SchedulingError(f"Rotation.name must be a non-empty string, got {self.name!r}")
        where = f"Rotation({self.name!r})"
        if isinstance(self.cycle, str) or not isinstance(self.cycle, Sequence) or not self.cycle:
            raise SchedulingError(f"{where}.cycle must be a non-empty list of day codes, got {self.cycle!r}")
        object.__setattr__(self, "cycle", tuple(self.cycle))
        if not isinstance(self.shifts, Mapping):
            raise SchedulingError(f"{where}.shifts must map day codes to shifts, got {self.shifts!r}")
        object.__setattr__(self, "shifts", dict(self.shifts))
        codes = sorted(self.shifts)
        for day, code in enumerate(self.cycle):
            if code != REST and code not in self.shifts:
                raise SchedulingError(f"{where}.cycle day {day + 1} has code {code!r}; allowed: "
                                      f"{[REST] + codes}")
        if all(code == REST for code in self.cycle):
            raise SchedulingError(f"{where}.cycle has no working day, got {list(self.cycle)}")
        for code, shift in self.shifts.items():
            if code == REST or not isinstance(code, str) or not code.strip():
                raise SchedulingError(f"{where}.shifts code {code!r} must be a non-empty string other than {REST!r}")
            if not isinstance(shift, ShiftTemplate) or shift.earliest_start != shift.latest_start:
                raise SchedulingError(f"{where}.shifts[{code!r}] must be a fixed-start shift "
                                      f"(fixed_shift(code, 'HH:MM', hours)), got {shift!r}")
        if self.hourly_cost is not None and not (
                isinstance(self.hourly_cost, (int, float)) and math.isfinite(self.hourly_cost)
                and self.hourly_cost > 0):
            raise SchedulingError(f"{where}.hourly_cost must be a number > 0 or None, got {self.hourly_cost!r}")
        if self.min_rest_hours() < 0:
            raise SchedulingError(f"{where}.cycle {list(self.cycle)} has a shift starting before the one "
                                  f"before it ends")

    def templates(self) -> dict[str, ShiftTemplate]:
        """Working codes -> templates named "<rotation>:<code>", priced at ``hourly_cost`` if set."""
        cost = {} if self.hourly_cost is None else {"hourly_cost": float(self.hourly_cost)}
        return {code: replace(t, name=f"{self.name}:{code}", **cost) for code, t in self.shifts.items()}

    def min_rest_hours(self) -> float:
        """The shortest rest between two consecutive shifts of the pattern, repeated forever
        (wall-clock hours on a day without a clock change)."""
        spans = []
        for day, code in enumerate(self.cycle):
            if code != REST:
                t = self.shifts[code]
                begin = 24 * day + _hours(t.earliest_start)
                spans.append((begin, begin + t.length_h))
        spans.append((spans[0][0] + 24 * len(self.cycle), 0.0))  # the next cycle's first shift
        return min(b[0] - a[1] for a, b in zip(spans, spans[1:]))


def _hours(clock: str) -> float:
    hh, mm = clock.split(":")
    return int(hh) + int(mm) / 60


@dataclass(frozen=True, eq=False)  # holds arrays
class _Columns:
    """The (rotation, phase) columns in the shape cover_model reads from Candidates: ``cover``
    columns x intervals, ``cost`` per column, ``patterns[template[i]].template.name`` and
    ``start[i]`` (always 0) naming column i's variable. ``shifts[i]`` lists column i's
    shifts (rows of the _Laid of rotation ``rotation[i]``)."""

    patterns: tuple
    template: np.ndarray
    start: np.ndarray
    cover: sparse.csr_matrix
    cost: np.ndarray
    rotation: np.ndarray
    shifts: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class _Name:
    name: str


@dataclass(frozen=True)
class _Named:
    template: _Name


def build_rotation_roster(
    required: pd.DataFrame,
    rotations: Sequence[Rotation],
    *,
    under_penalty: float = 1000.0,
    hard_cover: bool = False,
    solver_options: SolverOptions = SolverOptions(),
    price: Callable[[pd.DataFrame], np.ndarray] | None = None,
    skills: Sequence[str] = (),
    carry_in: bool = False,
) -> RosterResult:
    """Least-cost numbers of people per (rotation, phase) covering ``required``
    ([interval_start, required] heads per interval); one shift row per person-day worked and
    one staff id per person. ``price`` costs shifts under pay rules as in build_roster;
    ``carry_in`` also rosters the night each phase began the day before (see the module notes)."""
    starts, need, interval = _validated_required(required)
    rotations = _validated_rotations(rotations)
    _validated_penalty(under_penalty)
    if not isinstance(carry_in, bool):
        raise SchedulingError(f"carry_in must be True or False, got {carry_in!r}")
    started = time.perf_counter()
    laid = [_lay(r, starts, interval, price, carry_in) for r in rotations]
    columns = _columns(rotations, laid)
    _check_coverable(starts, need, columns, hard_cover)
    model = cover_model(need, interval_labels(starts), columns, under_penalty=under_penalty, hard_cover=hard_cover)
    outcome = _solve(model, solver_options)
    counts = model.shift_counts()
    rostered = np.asarray(columns.cover.T @ counts, dtype=np.int64)
    shifts = _shift_table(columns, laid, counts, "|".join(skills))
    notes = [f"Rotation {r.name!r} leaves only {r.min_rest_hours():g} h between two shifts "
             f"(the Working Time Regulations ask for {MIN_REST_H:g} h)."
             for r in rotations if r.min_rest_hours() < MIN_REST_H]
    return roster_result(shifts, starts, need, rostered, under_penalty, outcome.status, outcome.best_bound,
                         started, interval, lambda gap: notes)


def _validated_rotations(rotations: Sequence[Rotation]) -> tuple[Rotation, ...]:
    rotations = tuple(rotations)
    if not rotations:
        raise SchedulingError("build_rotation_roster needs at least one Rotation")
    for r in rotations:
        if not isinstance(r, Rotation):
            raise SchedulingError(f"rotations must be Rotation objects, got {r!r}")
    model_names([r.name for r in rotations])  # raises if two names clash in the model
    return rotations


@dataclass(frozen=True, eq=False)  # holds arrays
class _Laid:
    """One rotation's shifts on the horizon, one row per (working code, day): ``rows`` in
    SHIFT_COLUMNS order less staff_id and skills (a shift carried in from the day before starts
    at the horizon start), ``cover`` rows x intervals, ``cost`` per row, ``code`` and ``day``
    (days from the horizon's first local date; -1 for a carried-in shift)."""

    rows: pd.DataFrame
    cover: sparse.csr_matrix
    cost: np.ndarray
    code: np.ndarray
    day: np.ndarray


def _lay(rotation: Rotation, starts: pd.DatetimeIndex, interval: pd.Timedelta, price, carry_in: bool) -> _Laid:
    # The day before the horizon is laid too: its night is still on duty in the horizon's first
    # hours, which otherwise no fixed-start shift could cover.
    pad = int(pd.Timedelta(days=1) / interval)
    grid = pd.date_range(end=starts[0] - interval, periods=pad, freq=interval).append(starts)
    cand = candidate_shifts(list(rotation.templates().values()), grid, interval)
    cover = cand.cover[:, pad:]
    keep = np.flatnonzero((cand.start >= pad) | (carry_in & (np.asarray(cover.sum(axis=1)).ravel() > 0)))
    rows = _clipped(cand.times(grid, keep), starts[0])
    hourly = np.array([p.template.hourly_cost for p in cand.patterns])[cand.template[keep]]
    cost = hourly * rows[s.PAID_HOURS].to_numpy() if price is None else np.asarray(price(rows), dtype=float)
    if cost.shape != keep.shape or not np.isfinite(cost).all() or (cost < 0).any():
        raise SchedulingError(f"price must give one finite cost >= 0 per shift ({keep.size}), got shape {cost.shape}")
    # Local calendar dates: a clock change makes a day 23 or 25 hours, so count dates, not hours.
    dates = grid[cand.start[keep]].tz_localize(None).normalize()
    day = np.asarray((dates - starts[0].tz_localize(None).normalize()).days, dtype=np.int64)
    code = np.array(list(rotation.shifts))[cand.template[keep]]
    return _Laid(rows, cover[keep], cost, code, day)


def _clipped(rows: pd.DataFrame, begin: pd.Timestamp) -> pd.DataFrame:
    """Shifts that began before ``begin`` cut to start there, paid for the hours after it (the
    previous horizon's roster paid for the rest)."""
    early = rows[s.START] < begin
    if not early.any():
        return rows.reset_index(drop=True)
    rows = rows.copy()
    gone = early & (rows[s.BREAK_END] <= begin)
    rows.loc[gone, [s.BREAK_START, s.BREAK_END]] = pd.NaT
    rows.loc[early & (rows[s.BREAK_START] < begin), s.BREAK_START] = begin
    rows.loc[early, s.START] = begin
    hours = lambda a, b: ((rows[b] - rows[a]) / pd.Timedelta(hours=1)).fillna(0.0)  # noqa: E731
    rows.loc[early, s.PAID_HOURS] = (hours(s.START, s.END) - hours(s.BREAK_START, s.BREAK_END))[early]
    return rows.reset_index(drop=True)


def _columns(rotations: Sequence[Rotation], laid: Sequence[_Laid]) -> _Columns:
    names = model_names([r.name for r in rotations])
    covers, costs, rows, named, which = [], [], [], [], []
    for r, (rotation, shifts) in enumerate(zip(rotations, laid)):
        cycle = np.array(rotation.cycle)
        for phase in range(len(cycle)):
            mine = np.flatnonzero(cycle[(shifts.day + phase) % len(cycle)] == shifts.code)
            rows.append(mine)
            # minimum(1): a person is one head even where the spring-forward night runs into the next shift
            covers.append(sparse.csr_matrix(shifts.cover[mine].sum(axis=0)).minimum(1))
            costs.append(float(shifts.cost[mine].sum()))
            named.append(_Named(_Name(f"{names[r]}_phase{phase}")))
            which.append(r)
    n = len(rows)
    return _Columns(tuple(named), np.arange(n), np.zeros(n, dtype=np.int64), sparse.vstack(covers, format="csr"),
                    np.array(costs), np.array(which), tuple(rows))


def _check_coverable(starts: pd.DatetimeIndex, need: np.ndarray, columns: _Columns, hard_cover: bool) -> None:
    reachable = np.asarray(columns.cover.sum(axis=0)).ravel() > 0
    lost = np.flatnonzero((need > 0) & ~reachable)
    if lost.size and hard_cover:
        raise SchedulingError(f"no rotation works {lost.size} interval(s) that need heads, first "
                              f"{[str(ts) for ts in starts[lost[:3]]]}; add a rotation or use soft cover")


def _shift_table(columns: _Columns, laid: Sequence[_Laid], counts: np.ndarray, skills: str) -> pd.DataFrame:
    parts, person = [], 0
    for i in np.flatnonzero(counts):
        shifts, rows = laid[columns.rotation[i]], columns.shifts[i]
        block = shifts.rows.iloc[rows].assign(**{s.COST: shifts.cost[rows], s.SKILLS: skills})
        for _ in range(int(counts[i])):
            person += 1
            parts.append(block.assign(**{s.STAFF_ID: f"H{person:04d}"}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in s.SHIFT_COLUMNS})
    table = pd.concat(parts, ignore_index=True).sort_values([s.STAFF_ID, s.START], kind="stable")
    return table[list(s.SHIFT_COLUMNS)].reset_index(drop=True)
