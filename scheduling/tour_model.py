"""The tour-scheduling integer program, built as arrays for HiGHS.

Variables are cumulative counts, one chain per shift template k (all counts are aggregated: no
variable says who works, so the model has no symmetry between people):
    C_k(s)    integer, template-k shifts started at or before s (s runs over allowed starts);
              the shifts bought at s are x_{k,s} = C_k(s) - C_k(s-), kept >= 0 by a row
    D_k(u)    integer, template-k breaks started at or before interval u
    short_t   heads missing at interval t (soft cover; its upper bound leaves the hard floor)
    y_p       integer, people whose days off are weekdays p and p+1 (p = 0 Monday .. 6 Sunday)
Writing the model in cumulative counts (a linear change of variables of the textbook model in
x) gives the same LP bound with rows of 2-13 non-zeros instead of ~120 (a shift covers up to 48
intervals): the root LP of a week is several times faster, and branching on C_k(s) splits "how
many start by s", which fixes far more than one x.

Breaks are implicit (Bechtold & Jacobs 1990): a template-k shift started at s takes its break at
some u in [s + a_k, s + w_k]. Instead of one variable per shift and break start, break starts
are counted and linked to shift starts by the forward/backward (deadline/release) conditions
    C_k(u - w_k) <= D_k(u) <= C_k(u - a_k)        for every u.
Windows of one template all have the same width, so they are ordered like the shift starts and
these conditions are Hall's condition for handing breaks to shifts (scheduling.tour_staff does
it earliest deadline first). On duty and not on break at t: sum_k C_k(t) - C_k(t - L_k) -
(D_k(t) - D_k(t - breaklen_k)).

Days off are counted, not enumerated (the pooled days-off rows of Bailey 1985 and Jacobs &
Brusco): with W = sum_p y_p people, each works exactly one shift starting on each local calendar
day that is not one of their two days off:
    shifts starting on day d = sum_{p: weekday(d) not in {p, p+1}} y_p.
Rest between consecutive days is Hall's condition of the day-to-day matching (people off the next
day can follow any shift; a shift ending at e can be followed by a next-day shift starting at
e + rest or later; those sets are nested), for every next-day start sigma_j after the first:
    #(day-d shifts ending >= sigma_{j-1} + 1 - rest) <= #(day-(d+1) shifts starting >= sigma_j) + y_{p(d+1)}
Together these make the count model exact for one week of tours with 2 consecutive days off and
the rest rule (the tests compare it with an explicit enumeration of tours). Over several weeks a
person keeps the same days off, which the counts do not track; scheduling.tour_staff says when
that bites. Weekly hours are limited on average: paid hours <= max_week_hours x W each week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from scheduling.shifts import Candidates
from scheduling.tours import TourSettings

INF = float("inf")


@dataclass(frozen=True, eq=False)  # holds arrays
class TourModel:
    """A MIP: minimise cost @ v subject to row_lower <= matrix @ v <= row_upper, bounds, integrality.

    starts[k], shifts[k]   template k's allowed start intervals and the columns of C_k there
    breaks[k]              (u, columns of D_k(u)) for templates with a break
    break_window[k]        earliest and latest break start, offsets from the shift start
    short[t]               column of interval t's shortfall (-1: none)
    days_off[p]            column of y_p (empty without tours)
    day[i], weekday[d]     calendar day of candidate i's start; weekday of day d
    """

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    matrix: sparse.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: dict[int, np.ndarray]
    shifts: dict[int, np.ndarray]
    breaks: dict[int, tuple[np.ndarray, np.ndarray]]
    break_window: dict[int, tuple[int, int]]
    short: np.ndarray
    days_off: np.ndarray
    day: np.ndarray
    weekday: np.ndarray

    @property
    def size(self) -> str:
        return f"{self.matrix.shape[1]:,} columns, {self.matrix.shape[0]:,} rows, {self.matrix.nnz:,} non-zeros"

    def shift_counts(self, values: np.ndarray, candidates: Candidates) -> np.ndarray:
        """Shifts bought per candidate (aligned with ``candidates``), from cumulative values."""
        counts = np.zeros(candidates.start.size, dtype=np.int64)
        for k, columns in self.shifts.items():
            cum = np.round(values[columns]).astype(np.int64)
            rows = np.flatnonzero(candidates.template == k)
            counts[rows[np.argsort(candidates.start[rows], kind="stable")]] = np.diff(cum, prepend=0)
        return counts

    def break_counts(self, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Break starts u of template k and how many breaks start at each."""
        u, columns = self.breaks[k]
        return u, np.diff(np.round(values[columns]).astype(np.int64), prepend=0)


class _Builder:
    """Columns and rows collected as arrays, assembled into one sparse matrix at the end."""

    def __init__(self) -> None:
        self.cost, self.lower, self.upper, self.integer = [], [], [], []
        self.ncol = 0
        self.rows, self.cols, self.vals = [], [], []
        self.row_lower, self.row_upper = [], []
        self.nrow = 0

    def columns(self, n: int, cost=0.0, lower=0.0, upper=INF, integer=False) -> np.ndarray:
        index = np.arange(self.ncol, self.ncol + n)
        self.ncol += n
        for store, value in ((self.cost, cost), (self.lower, lower), (self.upper, upper)):
            store.append(np.broadcast_to(np.asarray(value, float), (n,)))
        self.integer.append(np.full(n, integer))
        return index

    def new_rows(self, n: int, lower, upper) -> np.ndarray:
        index = np.arange(self.nrow, self.nrow + n)
        self.nrow += n
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), (n,)))
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), (n,)))
        return index

    def entries(self, rows, cols, vals) -> None:
        """Coefficients ``vals`` at (rows, cols); a column of -1 stands for the constant 0 and is dropped."""
        rows, cols = np.broadcast_arrays(np.asarray(rows, np.int64), np.asarray(cols, np.int64))
        vals = np.broadcast_to(np.asarray(vals, float), rows.shape)
        keep = cols >= 0
        self.rows.append(rows[keep])
        self.cols.append(cols[keep])
        self.vals.append(vals[keep])

    def finish(self):
        def cat(parts, dtype=float):
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        matrix = sparse.coo_matrix(
            (cat(self.vals), (cat(self.rows, np.int64), cat(self.cols, np.int64))), shape=(self.nrow, self.ncol)
        ).tocsr()
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        return (cat(self.cost), cat(self.lower), cat(self.upper), cat(self.integer, bool), matrix,
                cat(self.row_lower), cat(self.row_upper))


class _Chain:
    """Cumulative columns at increasing positions; at(t) is the column counting up to t (-1: none)."""

    def __init__(self, positions: np.ndarray, columns: np.ndarray) -> None:
        self.positions, self.columns = positions, columns

    def at(self, t) -> np.ndarray:
        i = np.searchsorted(self.positions, np.asarray(t), side="right") - 1
        return np.where(i >= 0, self.columns[np.maximum(i, 0)], -1)


def calendar_days(starts: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Local calendar-day number (0, 1, ...) of every interval and the weekday of every day."""
    local = starts.tz_localize(None) if starts.tz is not None else starts
    codes, uniques = pd.factorize(local.normalize(), sort=True)
    return codes.astype(np.int64), np.asarray(pd.DatetimeIndex(uniques).day_of_week, dtype=np.int64)


def tour_model(
    need: np.ndarray,
    floor: np.ndarray,
    starts: pd.DatetimeIndex,
    candidates: Candidates,
    settings: TourSettings,
    *,
    under_penalty: float,
) -> TourModel:
    """Build the model for ``need`` heads per interval, at least ``floor`` of them hard."""
    interval_h = (starts[1] - starts[0]).total_seconds() / 3600 if len(starts) > 1 else 0.25
    b = _Builder()
    covered = np.flatnonzero(need > 0)
    cover = np.full(len(need), -1, dtype=np.int64)
    cover[covered] = b.new_rows(covered.size, need[covered], INF)
    short = np.full(len(need), -1, dtype=np.int64)
    short[covered] = b.columns(covered.size, cost=under_penalty, upper=(need - np.minimum(floor, need))[covered])
    b.entries(cover[covered], short[covered], 1.0)
    chains, shift_cols, shift_starts, breaks, windows = {}, {}, {}, {}, {}
    for k, pattern in enumerate(candidates.patterns):
        allowed = np.sort(candidates.start[candidates.template == k])
        if allowed.size == 0:
            continue
        chain = _cumulative(b, allowed, cost_at_end=pattern.template.cost)
        chains[k], shift_cols[k], shift_starts[k] = chain, chain.columns, allowed
        _on_cover(b, cover, covered, chain, pattern.length, +1.0)
        if pattern.break_len:
            windows[k] = _window(pattern.break_at, pattern.break_len, pattern.length,
                                 settings.break_window_h, interval_h)
            brk = _implicit_breaks(b, chain, windows[k])
            breaks[k] = (brk.positions, brk.columns)
            _on_cover(b, cover, covered, brk, pattern.break_len, -1.0)
    day_of_interval, weekday = calendar_days(starts)
    day_end = np.array([np.flatnonzero(day_of_interval == d).max() for d in range(len(weekday))])
    days_off = np.zeros(0, dtype=np.int64)
    if settings.days_off:
        days_off = b.columns(7, integer=True)
        _day_rows(b, chains, day_end, weekday, days_off)
        paid = {k: candidates.patterns[k].template.paid_hours for k in chains}
        _hours_rows(b, chains, day_end, days_off, paid, settings.max_week_hours)
        rest = int(round(settings.min_rest_h / interval_h))
        lengths = {k: candidates.patterns[k].length for k in chains}
        for d in range(len(weekday) - 1):
            _rest_rows(b, chains, lengths, day_end, d, rest, days_off[weekday[d + 1]])
    cost, lower, upper, integer, matrix, row_lower, row_upper = b.finish()
    return TourModel(cost, lower, upper, integer, matrix, row_lower, row_upper, shift_starts, shift_cols,
                     breaks, windows, short, days_off, day_of_interval[candidates.start], weekday)


def _cumulative(b: _Builder, positions: np.ndarray, cost_at_end: float = 0.0) -> _Chain:
    """Integer cumulative counts at ``positions`` with non-negative steps; the last one costs."""
    cost = np.zeros(positions.size)
    cost[-1] = cost_at_end  # every shift of a template costs the same: pay once for the total
    columns = b.columns(positions.size, cost=cost, integer=True)
    steps = b.new_rows(positions.size - 1, 0.0, INF)
    b.entries(steps, columns[1:], 1.0)
    b.entries(steps, columns[:-1], -1.0)
    return _Chain(positions, columns)


def _on_cover(b: _Builder, cover, covered, chain: _Chain, span: int, sign: float) -> None:
    """Add sign x (started by t - those started by t - span) to the cover row of every t."""
    b.entries(cover[covered], chain.at(covered), sign)
    b.entries(cover[covered], chain.at(covered - span), -sign)


def _window(break_at: int, break_len: int, length: int, width_h: float, interval_h: float) -> tuple[int, int]:
    """Earliest and latest break start (offsets from the shift start), centred on ``break_at``,
    keeping at least one interval of work before and after the break."""
    half = int(round(width_h / interval_h)) // 2
    earliest = min(break_at, max(1, break_at - half))
    latest = max(break_at, min(length - break_len - 1, break_at + half))
    return earliest, latest


def _implicit_breaks(b: _Builder, shifts: _Chain, window: tuple[int, int]) -> _Chain:
    """Cumulative break starts D(u) with C(u - w) <= D(u) <= C(u - a)."""
    earliest, latest = window
    u = np.arange(shifts.positions[0] + earliest, shifts.positions[-1] + latest + 1)
    brk = _cumulative(b, u)
    release = b.new_rows(u.size, -INF, 0.0)
    b.entries(release, brk.columns, 1.0)
    b.entries(release, shifts.at(u - earliest), -1.0)
    deadline = b.new_rows(u.size, 0.0, INF)
    b.entries(deadline, brk.columns, 1.0)
    b.entries(deadline, shifts.at(u - latest), -1.0)
    return brk


def _started_between(b: _Builder, rows, chains: dict[int, _Chain], after, upto, coef) -> None:
    """Add coef x (shifts of every template started in (after, upto]) to ``rows``.

    ``after`` may be a dict of per-template arrays; coef a dict of per-template numbers."""
    for k, chain in chains.items():
        lo = after[k] if isinstance(after, dict) else after
        c = coef[k] if isinstance(coef, dict) else coef
        hi = np.maximum(upto, lo)  # an empty range adds nothing
        b.entries(rows, chain.at(hi), c)
        b.entries(rows, chain.at(lo), -c)


def _day_rows(b: _Builder, chains, day_end, weekday, days_off) -> None:
    rows = b.new_rows(len(weekday), 0.0, 0.0)
    _started_between(b, rows, chains, np.append(-1, day_end[:-1]), day_end, 1.0)
    for d, wd in enumerate(weekday):
        working = [p for p in range(7) if wd not in (p, (p + 1) % 7)]
        b.entries(np.full(len(working), rows[d]), days_off[working], -1.0)


def _hours_rows(b: _Builder, chains, day_end, days_off, paid, max_week_hours) -> None:
    ndays = len(day_end)
    weeks = (ndays + 6) // 7
    rows = b.new_rows(weeks, -INF, 0.0)
    first = np.arange(weeks) * 7
    last = np.minimum(first + 6, ndays - 1)
    after = np.where(first > 0, day_end[np.maximum(first - 1, 0)], -1)
    _started_between(b, rows, chains, after, day_end[last], paid)
    for w in range(weeks):
        share = (last[w] - first[w] + 1) / 7
        b.entries(np.full(7, rows[w]), days_off, -max_week_hours * share)


def _rest_rows(b: _Builder, chains: dict[int, _Chain], lengths, day_end, d, rest, off_next) -> None:
    """Hall's condition for following day d's shifts with day d+1's shifts or a day off."""
    day_start = day_end[d - 1] + 1 if d > 0 else 0
    nxt = np.unique(np.concatenate([c.positions[(c.positions > day_end[d]) & (c.positions <= day_end[d + 1])]
                                    for c in chains.values()]))
    today = np.concatenate([c.positions[(c.positions >= day_start) & (c.positions <= day_end[d])]
                            for c in chains.values()])
    if nxt.size == 0 or today.size == 0:
        return
    sigma = np.append(nxt[1:], nxt[-1] + 1)  # next-day start thresholds after the first
    tau = nxt + 1 - rest  # shifts ending at tau or later can only be followed from sigma on
    rows = b.new_rows(sigma.size, -INF, 0.0)
    # ending >= tau  <=>  started after tau - L - 1, and on day d
    after = {k: np.clip(tau - lengths[k] - 1, day_start - 1, day_end[d]) for k in chains}
    _started_between(b, rows, chains, after, np.full(sigma.size, day_end[d]), 1.0)
    _started_between(b, rows, chains, sigma - 1, np.full(sigma.size, day_end[d + 1]), -1.0)
    b.entries(rows, np.full(sigma.size, off_next), -1.0)
