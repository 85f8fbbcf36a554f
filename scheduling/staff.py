"""Staff ids for an anonymous roster: who could work which shift.

Until a roster is built for named people (with contracts, leave and preferences), the shifts
the cover model chooses are handed out greedily so that every id is a working pattern a person
could legally hold under the Working Time Regulations as a control room applies them: never two
shifts at once, at most one shift starting on a calendar day, at least ``min_rest`` between shifts, at most ``max_shifts`` shifts and
``max_hours`` hours in any 7 days (a strict form of the 48-hour average), and two consecutive
weekdays off every week (weekly rest). Each person's days off are fixed when they are first
needed, staggered across the week; without that, a greedy hand-out works everyone Monday to
Friday and needs a second workforce for the weekend. The ids are a realistic head count, though
not the fewest: a roster for named people (an integer program) does better.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_DAY = pd.Timedelta(hours=24).value
_WEEK = 7 * _DAY
_HOUR = pd.Timedelta(hours=1).value


@dataclass
class _Person:
    days_off: tuple[int, int]
    last_start: int = 0
    last_end: int = 0
    last_day: int = -1
    starts: list[int] = field(default_factory=list)
    hours: list[float] = field(default_factory=list)

    def week_before(self, begin: int) -> tuple[int, float]:
        """Shifts and hours that started in the 7 days up to ``begin``."""
        recent = [h for s, h in zip(self.starts, self.hours) if s > begin - _WEEK]
        return len(recent), float(sum(recent))


@dataclass(frozen=True)
class _Rules:
    rest: int
    max_shifts: int
    max_hours: float


def assign_staff_ids(
    starts: pd.Series, ends: pd.Series, *, min_rest: pd.Timedelta = pd.Timedelta(hours=11),
    max_shifts: int = 5, max_hours: float = 48.0, hours: pd.Series | None = None,
) -> list[str]:
    """Greedy ids "H0001", ... for shifts given in start order.

    Each shift goes to an existing person who may legally take it, preferring the one whose last
    shift started closest to 24 hours earlier (people keep similar start times day to day), ties
    to the lowest id; otherwise to a new person. ``hours`` are the hours counted against
    ``max_hours`` (default: the shift's length). Days off are the local weekday of a shift's start.
    """
    start_ns, end_ns = _ns(starts), _ns(ends)
    if np.any(np.diff(start_ns) < 0):
        raise ValueError("assign_staff_ids needs shifts sorted by start")
    local = pd.DatetimeIndex(starts)
    weekdays = local.day_of_week.to_numpy()
    # local calendar day numbers: a person starts at most one shift a day (rosters are day by day)
    days = ((local.tz_localize(None) if local.tz is not None else local).normalize().as_unit("ns").asi8 // _DAY)
    counted = ((end_ns - start_ns) / _HOUR) if hours is None else np.asarray(hours, dtype=float)
    rules = _Rules(pd.Timedelta(min_rest).value, max_shifts, max_hours)
    people: list[_Person] = []
    ids = np.empty(len(start_ns), dtype=np.int64)
    for i, (begin, finish, length, weekday, day) in enumerate(zip(start_ns, end_ns, counted, weekdays, days)):
        person = _choose(people, begin, length, int(weekday), int(day), rules)
        if person is None:
            person = len(people)
            people.append(_Person(_days_off_for_new(people, int(weekday))))
        chosen = people[person]
        chosen.last_start, chosen.last_end, chosen.last_day = begin, finish, int(day)
        chosen.starts.append(begin)
        chosen.hours.append(length)
        ids[i] = person
    return [f"H{p + 1:04d}" for p in ids]


def _choose(people: list[_Person], begin: int, length: float, weekday: int, day: int,
            rules: _Rules) -> int | None:
    best, best_score = None, None
    for index, p in enumerate(people):
        if weekday in p.days_off or p.last_day == day or (p.starts and p.last_end + rules.rest > begin):
            continue
        shifts, worked = p.week_before(begin)
        if shifts + 1 > rules.max_shifts or worked + length > rules.max_hours + 1e-9:
            continue
        score = abs(begin - p.last_start - _DAY)
        if best_score is None or score < best_score:
            best, best_score = index, score
    return best


def _days_off_for_new(people: list[_Person], working_on: int) -> tuple[int, int]:
    """The pair of consecutive weekdays off held by fewest people, leaving ``working_on`` free."""
    held = Counter(p.days_off for p in people)
    pairs = [(d, (d + 1) % 7) for d in range(7) if working_on not in (d, (d + 1) % 7)]
    return min(pairs, key=lambda pair: (held[pair], pairs.index(pair)))


def _ns(values: pd.Series) -> np.ndarray:
    return pd.DatetimeIndex(values).as_unit("ns").asi8
