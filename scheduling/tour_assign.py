"""Staff ids for one week of tours by a small flow model, for when the greedy hand-out gets stuck.

In one week (7 local days) a person's shifts form at most two runs of consecutive days: a
"head" from the first day up to their days off, and a "tail" from after them to the last day;
people off on the first and last day work one run in the middle ("split"). Heads and tails of
the same days-off pair can be paired freely (two days off lie between them), so a week of
tours exists exactly when the day-to-day moves of three classes of runs (head, tail, split) fit
the shifts: an integer flow with one timeline per pair of days and class, where a unit leaving
a shift that ends at e may wait on the timeline and take any next-day shift starting at
e + rest or later. Heads leave on their days off, tails join after theirs, split runs join on
day 2 and leave after day 6, in the numbers the tour model chose. HiGHS solves it in well under
a second; the flows are then followed unit by unit to give each person a week.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from scheduling.solver import SolverOptions, solve_arrays

HEAD, TAIL, SPLIT = 0, 1, 2
WEEK = 7


def assign_week(start: np.ndarray, end: np.ndarray, day: np.ndarray, weekday: np.ndarray,
                days_off: np.ndarray, rest: int, day_length: int, hours: np.ndarray | None = None,
                max_hours: float = 48.0) -> np.ndarray | None:
    """Person number per shift for a horizon of exactly 7 days; None if no assignment exists.

    ``hours`` (paid hours per shift), if given, steer each next-day shift to a waiting person it
    keeps within ``max_hours`` for the week where one is waiting; the flow does not guarantee it.
    """
    if len(weekday) != WEEK:
        return None
    model = _FlowModel(start, end, day, weekday, days_off, rest)
    values = model.solve()
    if values is None:
        return None
    paid = np.zeros(start.size) if hours is None else np.asarray(hours, dtype=float)
    return model.people(values, day_length, paid, max_hours)


class _FlowModel:
    def __init__(self, start, end, day, weekday, days_off, rest) -> None:
        self.start, self.end, self.day, self.weekday = start, end, day, weekday
        self.days_off, self.rest = days_off, rest
        self.ncol = 0
        self.rows, self.cols, self.vals, self.rhs, self.upper = [], [], [], [], []
        self.groups = [self._groups(d) for d in range(WEEK)]  # per day: {(start, end): shift indices}
        self.m = {}  # (class, day, group key) -> column of people of that class on that group
        for d, groups in enumerate(self.groups):
            for key, shifts in groups.items():
                row = self._row(len(shifts))
                for c in self._classes(d):
                    self.m[c, d, key] = self._col()
                    self._add(row, self.m[c, d, key], 1.0)
        self.leave, self.join, self.wait = {}, {}, {}
        for d in range(WEEK - 1):
            for c in (HEAD, TAIL, SPLIT):
                self._transition(d, c)

    def _groups(self, d: int) -> dict:
        groups: dict = {}
        for i in np.flatnonzero(self.day == d):
            groups.setdefault((int(self.start[i]), int(self.end[i])), []).append(int(i))
        return groups

    @staticmethod
    def _classes(d: int) -> list[int]:
        return [c for c, (first, last) in ((HEAD, (0, 4)), (TAIL, (2, 6)), (SPLIT, (1, 5))) if first <= d <= last]

    def _col(self) -> int:
        self.ncol += 1
        return self.ncol - 1

    def _row(self, rhs: float, upper: float | None = None) -> int:
        """A row = rhs, or rhs <= row <= upper."""
        self.rhs.append(float(rhs))
        self.upper.append(float(rhs) if upper is None else upper)
        return len(self.rhs) - 1

    def _at_most_m(self, col: int, m: int) -> None:
        row = self._row(0.0, np.inf)  # m - col >= 0: no more leave or join than are on the group
        self._add(row, m, 1.0)
        self._add(row, col, -1.0)

    def _add(self, row: int, col: int, val: float) -> None:
        self.rows.append(row)
        self.cols.append(col)
        self.vals.append(val)

    def _transition(self, d: int, c: int) -> None:
        """Balance rows on the timeline between day d and d+1 for class c."""
        left = [k for k in self.groups[d] if (c, d, k) in self.m]
        right = [k for k in self.groups[d + 1] if (c, d + 1, k) in self.m]
        leaves = (c == HEAD and d <= 4) or (c == SPLIT and d == 5)
        joins = (c == TAIL and d + 1 >= 2) or (c == SPLIT and d + 1 == 1)
        if not left and not right:
            return
        times = sorted({k[1] + self.rest for k in left} | {k[0] for k in right})
        node = {t: self._row(0.0) for t in times}
        leave_total, join_total = self._row(0.0), self._row(0.0)
        for k in left:  # m - leave arrives at its node
            self._add(node[k[1] + self.rest], self.m[c, d, k], 1.0)
            if leaves:
                self.leave[c, d, k] = col = self._col()
                self._add(node[k[1] + self.rest], col, -1.0)
                self._add(leave_total, col, 1.0)
                self._at_most_m(col, self.m[c, d, k])
        for k in right:  # m - join departs from its node
            self._add(node[k[0]], self.m[c, d + 1, k], -1.0)
            if joins:
                self.join[c, d + 1, k] = col = self._col()
                self._add(node[k[0]], col, 1.0)
                self._add(join_total, col, 1.0)
                self._at_most_m(col, self.m[c, d + 1, k])
        for a, b in zip(times, times[1:]):  # waiting from one node to the next
            self.wait[c, d, a] = col = self._col()
            self._add(node[a], col, -1.0)
            self._add(node[b], col, 1.0)
        off_next = int(self.days_off[self.weekday[d + 1]])  # leave after d: days off d+1, d+2
        back = int(self.days_off[(self.weekday[d + 1] - 2) % 7])  # join on d+1: days off d-1, d
        self.rhs[leave_total] = self.upper[leave_total] = float(off_next if leaves else 0)
        self.rhs[join_total] = self.upper[join_total] = float(back if joins else 0)

    def solve(self) -> np.ndarray | None:
        matrix = sparse.csr_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.rhs), self.ncol))
        n = self.ncol
        out = solve_arrays(np.zeros(n), np.zeros(n), np.full(n, np.inf), np.ones(n, dtype=bool), matrix,
                           np.array(self.rhs), np.array(self.upper),
                           SolverOptions(time_limit_s=30.0, gap_rel=0.0, threads=1))
        return None if out.values is None else np.round(out.values).astype(np.int64)

    def people(self, v: np.ndarray, day_length: int, paid: np.ndarray, max_hours: float) -> np.ndarray:
        """Follow the flows day by day, handing each next-day shift to a waiting person."""
        person = np.full(self.start.size, -1, dtype=np.int64)
        pools: dict[int, list[int]] = {}  # days-off weekday -> people off, waiting to join
        count = 0
        for p in range(7):  # people whose week starts off: days off (day 6, day 0) or (day 0, day 1)
            if p in (int(self.weekday[6]), int(self.weekday[0])):
                pools[p] = list(range(count, count + int(self.days_off[p])))
                count += int(self.days_off[p])
        on = {}  # (class, day, group) -> people on that group
        for k, shifts in self.groups[0].items():
            on[HEAD, 0, k] = list(range(count, count + len(shifts)))
            count += len(shifts)
        last_start: dict[int, int] = {}
        self.worked: dict[int, float] = {}
        self.paid, self.max_hours = paid, max_hours
        for d in range(WEEK):
            for k, shifts in self.groups[d].items():
                mine = [p for c in self._classes(d) for p in on.get((c, d, k), [])]
                for i, p in zip(shifts, mine):
                    person[i], last_start[p] = p, k[0]
                    self.worked[p] = self.worked.get(p, 0.0) + float(paid[i])
            if d == WEEK - 1:
                break
            for c in (HEAD, TAIL, SPLIT):
                self._follow(c, d, v, on, pools, last_start, day_length)
        return person if (person >= 0).all() else None

    def _follow(self, c, d, v, on, pools, last_start, day_length) -> None:
        waiting: list[int] = []
        arrivals: dict[int, list[int]] = {}
        off_next = int(self.weekday[d + 1])
        for k in self.groups[d]:
            people = list(on.get((c, d, k), []))
            n_leave = int(v[self.leave[c, d, k]]) if (c, d, k) in self.leave else 0
            pools.setdefault(off_next, []).extend(people[:n_leave])
            arrivals.setdefault(k[1] + self.rest, []).extend(people[n_leave:])
        back = pools.get((self.weekday[d + 1] - 2) % 7, [])
        right = sorted((k for k in self.groups[d + 1] if (c, d + 1, k) in self.m), key=lambda k: k[0])
        times = sorted(set(arrivals) | {k[0] for k in right})
        for t in times:
            waiting.extend(arrivals.get(t, []))
            for k in (k for k in right if k[0] == t):
                n_join = int(v[self.join[c, d + 1, k]]) if (c, d + 1, k) in self.join else 0
                taken = [back.pop(0) for _ in range(n_join)]
                for _ in range(int(v[self.m[c, d + 1, k]]) - n_join):
                    # any waiting person can take it: one it keeps within the weekly hours,
                    # then the one whose start time it keeps steadiest day to day
                    h = float(self.paid[self.groups[d + 1][k][0]])
                    p = min(waiting, key=lambda p: (self.worked.get(p, 0.0) + h > self.max_hours + 1e-9,
                                                    abs(t - last_start[p] - day_length)))
                    waiting.remove(p)
                    taken.append(p)
                on[c, d + 1, k] = taken
