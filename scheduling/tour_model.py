"""The tour-scheduling integer program, built as arrays for HiGHS.

Variables (all counts are aggregated: no variable says who works, so the model has no symmetry
between people):
    x_i       integer, shifts of candidate i (a template and a start interval) bought
    b_{k,u}   integer, breaks of template-k shifts that start at interval u
    p_{k,u}   template-k shifts started by u whose break has not started by u
    short_t   heads missing at interval t (soft cover; its upper bound is the hard floor)
    y_p       integer, people whose days off are weekdays p and p+1 (p = 0 Monday .. 6 Sunday)
    z_{d,j}   rest bookkeeping between day d and day d+1 (see below)

Breaks are implicit (Bechtold & Jacobs 1990): a template-k shift started at s takes its break at
some u in [s + a_k, s + b_k]. Instead of one variable per shift and break start, breaks are
counted per start u and linked to shifts by the forward/backward (deadline/release) conditions
    X_k(u - b_k) <= B_k(u) <= X_k(u - a_k)        for every u
(X, B cumulative counts of shift and break starts). Windows of one template all have the same
width, so they are ordered like the shift starts and these prefix conditions are exactly Hall's
condition: given them, breaks can be handed to shifts earliest deadline first
(scheduling.tour_staff does so). With p_u = X(u) - B(u) they become sparse rows:
    sum_{s=u-a+1..u} x_s <= p_u <= sum_{s=u-b+1..u} x_s,    p_u = p_{u-1} + x_u - b_u.

Days off are counted, not enumerated (the pooled days-off idea of Bailey 1985 / Jacobs & Brusco):
with W = sum_p y_p people, day d has W - (y_{p(d)-1} + y_{p(d)}) people at work, and each works
exactly one shift that starts on that local calendar day:
    sum_{i starts on d} x_i = sum_{p: weekday(d) not in {p, p+1}} y_p.
Rest between consecutive days is Hall's condition of the day-to-day matching (people off the next
day can follow any shift; a shift ending at e can be followed by a shift starting at e + rest or
later; those sets are nested), so for every next-day start threshold sigma:
    #(day-d shifts ending >= sigma_{j-1} + 1 - rest) <= #(day-(d+1) shifts starting >= sigma_j) + y_{p(d+1)}
(sigma_j the distinct next-day starts). z_{d,j} is the first count less the second, kept as a
chain of sparse rows.
Together these make the count model exact for one week of tours with 2 consecutive days off and
the rest rule (tests compare it with an explicit enumeration of tours). Over several weeks a
person keeps the same days off, which the counts do not track; scheduling.tour_staff says when
that bites. Weekly hours are limited on average: sum of paid hours <= max_week_hours x W per week.

Why shift counts x rather than cumulative counts C(s) = x_1 + ... + x_s (which make every row
2-13 non-zeros instead of ~120 in the cover rows): the cumulative model's LP is badly degenerate
for dual simplex, which branch-and-bound uses at every node. Measured on the demo week (2 cores,
shared): root LP 1.7 s CPU / 6,900 iterations here against 27.6 s / 73,000 cumulatively.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import sparse

from scheduling.shifts import Candidates
from scheduling.tours import TourSettings

INF = float("inf")


@dataclass(frozen=True, eq=False)  # holds arrays
class TourModel:
    """A MIP: minimise cost @ v subject to row_lower <= matrix @ v <= row_upper, bounds, integrality.

    x[i] is the column of candidate i; short[t] the column of interval t's shortfall (-1: none);
    breaks[k] = (u, columns) of template k's break starts; days_off[p] the column of y_p.
    day[i] is the calendar-day number of candidate i's start, weekday[d] the weekday of day d,
    start[i] its start interval; longest is the longest shift in intervals.
    """

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    matrix: sparse.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    x: np.ndarray
    short: np.ndarray
    breaks: dict[int, tuple[np.ndarray, np.ndarray]]
    days_off: np.ndarray
    day: np.ndarray
    weekday: np.ndarray
    break_window: dict[int, tuple[int, int]]
    start: np.ndarray
    longest: int

    def shift_counts(self, values: np.ndarray, candidates=None) -> np.ndarray:
        """Shifts bought per candidate."""
        return np.round(values[self.x]).astype(np.int64)

    def break_counts(self, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Break starts u of template k and how many breaks start at each."""
        u, columns = self.breaks[k]
        return u, np.round(values[columns]).astype(np.int64)

    def rounded_bound(self, bound: float | None) -> float | None:
        """``bound`` raised to the next multiple of the objective's step (see objective_step).

        Valid because every column with a cost takes whole values at an optimum: shift counts are
        integer, and a shortfall is need (whole heads) less integer cover, down to the whole floor."""
        step = objective_step(self.cost)
        if bound is None or step is None:
            return bound
        return math.ceil(bound / step - 1e-6) * step

    @property
    def size(self) -> str:
        return f"{self.matrix.shape[1]:,} columns, {self.matrix.shape[0]:,} rows, {self.matrix.nnz:,} non-zeros"


def objective_step(cost: np.ndarray, most_denominator: int = 10**4) -> float | None:
    """Largest q with every cost a whole multiple of q, or None if the costs have no such common
    unit with a denominator up to ``most_denominator`` (e.g. pay in pennies, 5 a quarter hour)."""
    values = np.unique(np.abs(np.asarray(cost, dtype=float)))
    values = values[values > 0]
    if values.size == 0:
        return None
    fractions = [Fraction(float(v)).limit_denominator(most_denominator) for v in values]
    if any(abs(float(f) - v) > 1e-9 * v for f, v in zip(fractions, values)):
        return None
    denominator = math.lcm(*(f.denominator for f in fractions))
    return math.gcd(*(int(f * denominator) for f in fractions)) / denominator


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
        self.cost.append(np.broadcast_to(np.asarray(cost, float), (n,)))
        self.lower.append(np.broadcast_to(np.asarray(lower, float), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, float), (n,)))
        self.integer.append(np.full(n, integer))
        return index

    def new_rows(self, n: int, lower, upper) -> np.ndarray:
        index = np.arange(self.nrow, self.nrow + n)
        self.nrow += n
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), (n,)))
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), (n,)))
        return index

    def entries(self, rows, cols, vals) -> None:
        rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
        self.rows.append(rows)
        self.cols.append(cols)
        self.vals.append(np.broadcast_to(np.asarray(vals, float), rows.shape))

    def finish(self):
        cat = lambda parts, dtype=float: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
        matrix = sparse.coo_matrix(
            (cat(self.vals), (cat(self.rows, np.int64), cat(self.cols, np.int64))), shape=(self.nrow, self.ncol)
        ).tocsr()
        matrix.sum_duplicates()
        return (cat(self.cost), cat(self.lower), cat(self.upper), cat(self.integer, bool), matrix,
                cat(self.row_lower), cat(self.row_upper))


def calendar_days(starts: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Local calendar-day number (0, 1, ...) of every interval and the weekday of every day."""
    local = starts.tz_localize(None) if starts.tz is not None else starts
    dates = local.normalize()
    codes, uniques = pd.factorize(dates, sort=True)
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
    horizon = len(need)
    b = _Builder()
    x = b.columns(len(candidates.start), cost=candidates.cost, integer=True)
    lengths = np.array([p.length for p in candidates.patterns])[candidates.template]
    covered = need > 0
    short = np.full(horizon, -1, dtype=np.int64)
    short[covered] = b.columns(int(covered.sum()), cost=under_penalty,
                               upper=(need - np.minimum(floor, need))[covered])
    cover_rows = np.full(horizon, -1, dtype=np.int64)
    cover_rows[covered] = b.new_rows(int(covered.sum()), need[covered], INF)
    b.entries(cover_rows[covered], short[covered], 1.0)
    _duty_entries(b, cover_rows, x, candidates.start, lengths)
    breaks, windows = {}, {}
    for k, pattern in enumerate(candidates.patterns):
        if pattern.break_len == 0:
            continue
        rows = np.flatnonzero(candidates.template == k)
        if rows.size == 0:
            continue
        windows[k] = _window(pattern.break_at, pattern.break_len, pattern.length, settings.break_window_h, interval_h)
        breaks[k] = _implicit_breaks(b, cover_rows, x[rows], candidates.start[rows], windows[k], pattern.break_len)
    day_of_interval, weekday = calendar_days(starts)
    day = day_of_interval[candidates.start]
    days_off = np.zeros(0, dtype=np.int64)
    if settings.days_off:
        days_off = b.columns(7, integer=True)
        _day_rows(b, x, day, weekday, days_off)
        paid = np.array([p.template.paid_hours for p in candidates.patterns])[candidates.template]
        _hours_rows(b, x, day, weekday, days_off, paid, settings.max_week_hours)
        rest = int(round(settings.min_rest_h / interval_h))
        for d in range(len(weekday) - 1):
            _rest_rows(b, x, day, candidates.start, lengths, d, rest, days_off[weekday[d + 1]])
    cost, lower, upper, integer, matrix, row_lower, row_upper = b.finish()
    return TourModel(cost, lower, upper, integer, matrix, row_lower, row_upper, x, short, breaks,
                     days_off, day, weekday, windows, candidates.start,
                     int(lengths.max()) if lengths.size else 0)


def _duty_entries(b: _Builder, cover_rows, x, start, lengths) -> None:
    """+1 for every candidate on every interval of its shift (breaks are subtracted separately)."""
    offsets = np.arange(lengths.max()) if lengths.size else np.zeros(0, np.int64)
    t = start[:, None] + offsets[None, :]
    keep = (offsets[None, :] < lengths[:, None]) & (t < len(cover_rows))
    t = np.where(keep, t, 0)
    keep &= cover_rows[t] >= 0
    b.entries(cover_rows[t[keep]], np.broadcast_to(x[:, None], t.shape)[keep], 1.0)


def _window(break_at: int, break_len: int, length: int, width_h: float, interval_h: float) -> tuple[int, int]:
    """Earliest and latest break start (offsets from the shift start), centred on ``break_at``,
    keeping at least one interval of work before and after the break."""
    half = int(round(width_h / interval_h)) // 2
    earliest = min(break_at, max(1, break_at - half))
    latest = max(break_at, min(length - break_len - 1, break_at + half))
    return earliest, latest


def _implicit_breaks(b: _Builder, cover_rows, xcols, starts, window, break_len):
    """Break-start counts linked to template-k shift counts; subtract breaks from cover."""
    a, w = window
    first, last = int(starts.min()) + a, int(starts.max()) + w
    u = np.arange(first, last + 1)
    shift_at = np.full(last + 1, -1, dtype=np.int64)
    shift_at[starts] = xcols
    brk = b.columns(u.size, integer=True)
    pend = b.columns(u.size)
    # flow: p_u - p_{u-1} - x_u + b_u = 0, the first row taking every shift started by then
    flow = b.new_rows(u.size, 0.0, 0.0)
    b.entries(flow, pend, 1.0)
    b.entries(flow[1:], pend[:-1], -1.0)
    b.entries(flow, brk, 1.0)
    early = np.flatnonzero((starts <= first))
    b.entries(np.full(early.size, flow[0]), xcols[early], -1.0)
    later = (u > first) & (shift_at[u] >= 0)
    b.entries(flow[later], shift_at[u[later]], -1.0)
    # deadline p_u <= x_{u-w+1} + ... + x_u and release x_{u-a+1} + ... + x_u <= p_u
    deadline = b.new_rows(u.size, -INF, 0.0)
    b.entries(deadline, pend, 1.0)
    _lagged_shifts(b, deadline, u, shift_at, w, -1.0)
    if a > 0:
        release = b.new_rows(u.size, -INF, 0.0)
        b.entries(release, pend, -1.0)
        _lagged_shifts(b, release, u, shift_at, a, 1.0)
    # a break at u takes its shift off cover for u .. u + break_len - 1
    for off in range(break_len):
        t = u + off
        ok = t < len(cover_rows)
        ok[ok] &= cover_rows[t[ok]] >= 0
        b.entries(cover_rows[t[ok]], brk[ok], -1.0)
    return u, brk


def _lagged_shifts(b: _Builder, rows, u, shift_at, span: int, sign: float) -> None:
    """Add ``sign`` x_s to row u for the shifts started at s = u - span + 1 .. u."""
    for lag in range(span):
        s = u - lag
        ok = (s >= 0) & (s < shift_at.size)
        ok[ok] &= shift_at[s[ok]] >= 0
        b.entries(rows[ok], shift_at[s[ok]], sign)


def _day_rows(b: _Builder, x, day, weekday, days_off) -> None:
    rows = b.new_rows(len(weekday), 0.0, 0.0)
    b.entries(rows[day], x, 1.0)
    for d, wd in enumerate(weekday):
        working = [p for p in range(7) if wd not in (p, (p + 1) % 7)]
        b.entries(np.full(len(working), rows[d]), days_off[working], -1.0)


def _hours_rows(b: _Builder, x, day, weekday, days_off, paid, max_week_hours) -> None:
    weeks = (len(weekday) + 6) // 7
    rows = b.new_rows(weeks, -INF, 0.0)
    b.entries(rows[day // 7], x, paid)
    for w in range(weeks):
        share = min(7, len(weekday) - 7 * w) / 7
        b.entries(np.full(7, rows[w]), days_off, -max_week_hours * share)


def _rest_rows(b: _Builder, x, day, start, lengths, d, rest, off_next) -> None:
    """Hall's condition for matching day d's shifts to day d+1's shifts or to a day off."""
    left, right = np.flatnonzero(day == d), np.flatnonzero(day == d + 1)
    if left.size == 0 or right.size == 0:
        return
    next_starts = np.unique(start[right])
    sigma = np.append(next_starts[1:], next_starts[-1] + 1)  # thresholds above the first start
    tau = next_starts + 1 - rest  # a shift ending at tau or later cannot precede next_starts[j]
    ends = start[left] + lengths[left]
    left_bin = np.searchsorted(tau, ends, side="right") - 1
    right_bin = np.searchsorted(sigma, start[right], side="right") - 1
    z = b.columns(sigma.size, lower=-INF)
    define = b.new_rows(sigma.size, 0.0, 0.0)  # z_j - z_{j+1} - left_j + right_j = 0
    b.entries(define, z, 1.0)
    b.entries(define[:-1], z[1:], -1.0)
    lk, rk = left_bin >= 0, right_bin >= 0
    b.entries(define[left_bin[lk]], x[left[lk]], -1.0)
    b.entries(define[right_bin[rk]], x[right[rk]], 1.0)
    hall = b.new_rows(sigma.size, -INF, 0.0)  # z_j <= y_{p(d+1)}
    b.entries(hall, z, 1.0)
    b.entries(hall, np.full(sigma.size, off_next), -1.0)
