"""One staff id per person over a horizon rostered a week at a time: chain each week's tours to people.

The tour model rosters a long horizon one week at a time (scheduling.tour_roster), so each week
comes back with its own ids, each a legal week. Here those weeks are joined into people: week 1's
tours are people 1..n, and each later week's tours go to the people so far by an assignment
problem (scipy.optimize.linear_sum_assignment, exact for this square cost matrix) that

- forbids a pairing that breaks a rule across the boundary: less than ``min_rest_h`` between the
  person's last shift and the tour's first (counted both in real and in wall-clock hours, so a
  clock change cannot hide a short rest from either reading), fewer than ``weekly_rest_days`` days
  off in any 7 consecutive days (the rule `roster check` applies), or more paid hours over the
  horizon than ``max_week_hours`` a week on average;
- otherwise balances the people: the cost of giving tour t to person p is the product of what p
  has worked so far and what t adds (hours, nights, weekend days), so by the rearrangement
  inequality the busiest so far get the lightest tours, plus a penalty for running ahead of the
  48-hour average week pro rata.

Weeks with fewer tours than people give the rest a week off ("rest tours" with no shifts); weeks
with more add people, so the head count is the most any week needs. When no pairing keeps every
rule, a person is added (who can take any tour) and the notes name the boundary and the people
who could not follow on; the finished roster is checked again from scratch and anything still
broken is named in the notes, never returned silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from scheduling import schema as s
from scheduling.errors import SchedulingError

FORBIDDEN = 1e9  # a pairing that breaks a rule; far above any balancing cost
AHEAD_WEIGHT = 10.0  # per hour a person runs ahead of the average week, against ~1 for balancing
WINDOW = 7
NIGHT_HOUR = 2  # a shift that is on duty at 02:00 local is a night shift


@dataclass(frozen=True)
class ChainRules:
    """The rules checked across week boundaries (the defaults of `controlroom roster check`)."""

    min_rest_h: float = 11.0
    weekly_rest_days: int = 1
    max_week_hours: float = 48.0

    def __post_init__(self) -> None:
        if not 0 <= self.min_rest_h <= 24:
            raise SchedulingError(f"ChainRules.min_rest_h must be in 0..24, got {self.min_rest_h!r}")
        if not (isinstance(self.weekly_rest_days, int) and 0 <= self.weekly_rest_days <= WINDOW):
            raise SchedulingError(f"ChainRules.weekly_rest_days must be an integer in 0..7, "
                                  f"got {self.weekly_rest_days!r}")
        if not self.max_week_hours > 0:
            raise SchedulingError(f"ChainRules.max_week_hours must be > 0, got {self.max_week_hours!r}")


@dataclass(frozen=True)
class _Tour:
    """One week's id: which horizon days it works and what it adds to a person."""

    rows: np.ndarray  # rows of the week's table
    days: np.ndarray  # bool per day of its week
    first_start: pd.Timestamp | None
    last_end: pd.Timestamp | None
    hours: float
    nights: int
    weekends: int


@dataclass
class _Person:
    number: int
    worked: list[bool] = field(default_factory=list)  # per horizon day so far
    last_end: pd.Timestamp | None = None
    hours: float = 0.0
    nights: int = 0
    weekends: int = 0


def chain_weeks(weeks: Sequence[pd.DataFrame], day0: pd.Timestamp, week_days: Sequence[int],
                horizon_days: int, rules: ChainRules = ChainRules()) -> tuple[pd.DataFrame, list[str]]:
    """The weeks' shift tables (each with its own staff ids) as one table with an id per person.

    ``day0`` is the horizon's first local date (naive), ``week_days`` the number of days of each
    week (7, the last maybe fewer), ``horizon_days`` their sum. Returns the table, in the weeks'
    order, and notes for a planner.
    """
    if len(weeks) != len(week_days):
        raise SchedulingError(f"chain_weeks: {len(weeks)} week tables but {len(week_days)} week lengths")
    cap = rules.max_week_hours * max(horizon_days, WINDOW) / WINDOW
    people: list[_Person] = []
    ids: list[np.ndarray] = []
    notes: list[str] = []
    first_day = 0
    for w, (table, days) in enumerate(zip(weeks, week_days)):
        tours = _tours(table, day0, first_day, days)
        before = len(people)
        owner, stuck = _link(people, tours, first_day, days, cap, rules)
        if stuck:
            notes.append(_added_note(w, stuck, len(people) - max(before, len(tours))))
        ids.append(_take(people, tours, owner, table, days))
        first_day += days
    out = pd.concat([t.assign(**{s.STAFF_ID: i}) for t, i in zip(weeks, ids)], ignore_index=True)
    notes += _week_off_notes(people, week_days)
    broken = chain_violations(out, day0, horizon_days, rules)
    if broken:
        notes.append(f"{len(broken)} rule break(s) remain after chaining the weeks: " + "; ".join(broken[:5])
                     + (" ..." if len(broken) > 5 else ""))
    return out, notes


def _tours(table: pd.DataFrame, day0: pd.Timestamp, first_day: int, days: int) -> list[_Tour]:
    local_start = _local(table[s.START])
    day = ((local_start.dt.normalize() - day0).dt.days - first_day).to_numpy()
    if len(day) and (day.min() < 0 or day.max() >= days):
        raise SchedulingError(f"chain_weeks: a shift of the week starting on day {first_day} starts outside it")
    tours = []
    for _, rows in table.groupby(s.STAFF_ID, sort=True).indices.items():
        rows = rows[np.argsort(table[s.START].to_numpy()[rows], kind="stable")]
        worked = np.zeros(days, dtype=bool)
        worked[day[rows]] = True
        starts = local_start.iloc[rows]
        tours.append(_Tour(rows, worked, table[s.START].iloc[rows[0]], table[s.END].iloc[rows[-1]],
                           float(table[s.PAID_HOURS].iloc[rows].sum()),
                           int(sum(_is_night(a, b) for a, b in zip(starts, _local(table[s.END].iloc[rows])))),
                           int((starts.dt.day_of_week >= 5).sum())))
    return tours


def _local(stamps: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(stamps)
    return stamps.dt.tz_localize(None) if stamps.dt.tz is not None else stamps


def _is_night(start: pd.Timestamp, end: pd.Timestamp) -> bool:
    mark = start.normalize() + pd.Timedelta(hours=NIGHT_HOUR)
    if mark < start:
        mark += pd.Timedelta(days=1)
    return bool(mark < end)


def _link(people: list[_Person], tours: list[_Tour], first_day: int, days: int, cap: float,
          rules: ChainRules) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Person index for each tour (people grow as needed) and the (person, tour) pairs that broke a rule."""
    while len(people) < len(tours):
        people.append(_Person(len(people), worked=[False] * first_day))
    stuck: list[tuple[int, int]] = []
    while True:
        cost, forbidden = _costs(people, tours, first_day, days, cap, rules)
        rows, cols = linear_sum_assignment(cost)
        bad = [(int(p), int(t)) for p, t in zip(rows, cols) if t < len(tours) and forbidden[p, t]]
        if not bad:
            owner = np.full(len(tours), -1, dtype=np.int64)
            owner[cols[cols < len(tours)]] = rows[cols < len(tours)]
            return owner, stuck
        # no legal pairing for these: one more person, who can take any tour, and solve again
        stuck = stuck or bad
        people.append(_Person(len(people), worked=[False] * first_day))


def _costs(people: list[_Person], tours: list[_Tour], first_day: int, days: int, cap: float,
           rules: ChainRules) -> tuple[np.ndarray, np.ndarray]:
    """Square cost matrix (people x tours padded with rest tours) and which real pairings break a rule."""
    n_p, n_t = len(people), len(tours)
    hours = np.array([p.hours for p in people])
    th = np.array([t.hours for t in tours])
    forbidden = _rest_breaks(people, tours, rules) | _weekly_rest_breaks(people, tours, first_day, days, rules)
    forbidden |= hours[:, None] + th[None, :] > cap + 1e-9
    balance = np.zeros((n_p, n_t))
    for mine, theirs in ((hours, th), (np.array([p.nights for p in people], float), [t.nights for t in tours]),
                         (np.array([p.weekends for p in people], float), [t.weekends for t in tours])):
        theirs = np.asarray(theirs, dtype=float)
        scale = max(float(theirs.mean()) if n_t else 0.0, 1.0)
        balance += np.outer(mine, theirs) / scale ** 2
    pro_rata = rules.max_week_hours * (first_day + days) / WINDOW
    balance += AHEAD_WEIGHT * np.maximum(hours[:, None] + th[None, :] - pro_rata, 0.0)
    cost = np.zeros((n_p, n_p))  # columns beyond the tours: a week off, free
    cost[:, :n_t] = np.where(forbidden, FORBIDDEN, balance)
    return cost, forbidden


def _rest_breaks(people: list[_Person], tours: list[_Tour], rules: ChainRules) -> np.ndarray:
    rest = pd.Timedelta(hours=rules.min_rest_h)
    out = np.zeros((len(people), len(tours)), dtype=bool)
    for i, p in enumerate(people):
        if p.last_end is None:
            continue
        for j, t in enumerate(tours):
            if t.first_start is not None:
                out[i, j] = _rest(p.last_end, t.first_start) < rest
    return out


def _rest(end: pd.Timestamp, start: pd.Timestamp) -> pd.Timedelta:
    """The shorter of the real and the wall-clock rest (they differ across a clock change)."""
    wall = start.tz_localize(None) - end.tz_localize(None) if start.tz is not None else start - end
    return min(start - end, wall)


def _weekly_rest_breaks(people: list[_Person], tours: list[_Tour], first_day: int, days: int,
                        rules: ChainRules) -> np.ndarray:
    """Windows of 7 days that straddle the boundary with fewer days off than the rule asks."""
    need = rules.weekly_rest_days
    out = np.zeros((len(people), len(tours)), dtype=bool)
    if not need or not tours or first_day == 0:
        return out
    back = min(WINDOW - 1, first_day)
    before = np.array([p.worked[first_day - back:first_day] for p in people], dtype=int)  # people x back
    ahead = min(WINDOW - 1, days)
    after = np.array([t.days[:ahead] for t in tours], dtype=int)  # tours x ahead
    for lead in range(1, back + 1):  # window = the last `lead` days before + the first 7 - lead after
        tail = WINDOW - lead
        if tail > ahead:
            continue
        worked = before[:, back - lead:].sum(axis=1)[:, None] + after[:, :tail].sum(axis=1)[None, :]
        out |= WINDOW - worked < need
    return out


def _take(people: list[_Person], tours: list[_Tour], owner: np.ndarray, table: pd.DataFrame,
          days: int) -> np.ndarray:
    """Record each tour on its person; the staff id of every row of the week's table."""
    ids = np.empty(len(table), dtype=object)
    has = set()
    for t, p in zip(tours, owner):
        person = people[int(p)]
        has.add(int(p))
        person.worked += list(map(bool, t.days))
        if t.last_end is not None:
            person.last_end = t.last_end
        person.hours += t.hours
        person.nights += t.nights
        person.weekends += t.weekends
        ids[t.rows] = _id(person.number)
    for p in people:
        if p.number not in has:
            p.worked += [False] * days
    return ids


def _id(number: int) -> str:
    return f"H{number + 1:04d}"


def _added_note(week: int, stuck: list[tuple[int, int]], added: int) -> str:
    who = ", ".join(_id(p) for p, _ in stuck[:8]) + (" ..." if len(stuck) > 8 else "")
    return (f"Weeks {week} to {week + 1}: {len(stuck)} tour(s) of week {week + 1} could not follow on from "
            f"{who} without breaking the rest, weekly-rest or hours rules, and no other pairing kept them all; "
            f"{added} person(s) added.")


def _week_off_notes(people: list[_Person], week_days: Sequence[int]) -> list[str]:
    """Who has a whole week off (a quieter week than the busiest, or joined later to keep the rules)."""
    n_weeks = len(week_days)
    lines = [f"One staff id per person over the {n_weeks} weeks: {_people(len(people))}, each week's tours "
             f"handed on by an assignment that keeps the rest and weekly-rest rules across weeks and "
             f"balances hours, nights and weekends."]
    edges = np.cumsum([0, *week_days])
    for w in range(n_weeks):
        off = [_id(p.number) for p in people if not any(p.worked[edges[w]:edges[w + 1]])]
        if off:
            lines.append(f"Week {w + 1}: {len(off)} of {len(people)} people have the week off "
                         f"({', '.join(off[:10])}{' ...' if len(off) > 10 else ''}).")
    return lines


def chain_violations(table: pd.DataFrame, day0: pd.Timestamp, horizon_days: int,
                     rules: ChainRules = ChainRules()) -> list[str]:
    """What a whole-horizon roster breaks, per staff id: two shifts a day, rest, weekly rest, hours."""
    out = []
    cap = rules.max_week_hours * max(horizon_days, WINDOW) / WINDOW
    for sid, mine in table.sort_values(s.START, kind="stable").groupby(s.STAFF_ID, sort=True):
        day = (_local(mine[s.START]).dt.normalize() - day0).dt.days.to_numpy()
        if len(set(day)) < len(day):
            out.append(f"{sid} has two shifts on one day")
        for end, start in zip(mine[s.END].iloc[:-1], mine[s.START].iloc[1:]):
            if _rest(end, start) < pd.Timedelta(hours=rules.min_rest_h):
                out.append(f"{sid} rests {_rest(end, start) / pd.Timedelta(hours=1):g} h before {start}")
        worked = np.zeros(horizon_days, dtype=int)
        worked[day[(day >= 0) & (day < horizon_days)]] = 1
        for d in range(horizon_days - WINDOW + 1):
            if WINDOW - worked[d:d + WINDOW].sum() < rules.weekly_rest_days:
                out.append(f"{sid} has no weekly rest in days {d}-{d + WINDOW - 1}")
                break
        if mine[s.PAID_HOURS].sum() > cap + 1e-9:
            out.append(f"{sid} is paid {mine[s.PAID_HOURS].sum():g} h, more than {cap:g} h")
    return out


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"
