"""Turn the tour model's counts into people: a break for every shift, then a person for every shift.

Both follow the Hall conditions in scheduling.tour_model:
- breaks: each template's break starts go, earliest first, to the waiting shift with the
  earliest deadline (earliest-deadline-first is exact for windows ordered like their shifts);
- people (the fallback for horizons other than one week, see scheduling.tour_assign for the
  exact week): the first day's people are given the days off in the order they come, those
  leaving soonest on the latest-ending shifts; from one day to the next the people due off leave,
  the next day's shifts are taken earliest start first (those can follow fewest of today's
  shifts) by people back from their days off, then by people staying on, those due off soonest
  kept for the later shifts. A person keeps the same two weekdays off every week.
Over several weeks who is off when is fixed by earlier weeks, which the counts do not track, so
a day can fail to match; the caller then falls back to scheduling.staff's greedy ids.
"""

from __future__ import annotations

import heapq

import numpy as np


def assign_breaks(starts: np.ndarray, break_starts: np.ndarray, break_counts: np.ndarray,
                  window: tuple[int, int]) -> np.ndarray:
    """Break start for each shift (``starts`` one entry per shift, one template); -1 if impossible."""
    earliest, latest = window
    order = np.argsort(starts, kind="stable")
    result = np.full(starts.size, -1, dtype=np.int64)
    waiting: list[tuple[int, int]] = []  # (deadline, shift)
    nxt = 0
    for u, n in zip(break_starts, break_counts):
        while nxt < order.size and starts[order[nxt]] + earliest <= u:
            heapq.heappush(waiting, (int(starts[order[nxt]]) + latest, int(order[nxt])))
            nxt += 1
        for _ in range(int(n)):
            if not waiting:
                break
            deadline, shift = heapq.heappop(waiting)
            if deadline < u:
                return np.full(starts.size, -1, dtype=np.int64)
            result[shift] = u
    return result


def assign_people(start: np.ndarray, end: np.ndarray, day: np.ndarray, weekday: np.ndarray,
                  days_off: np.ndarray, rest: int, day_length: int) -> tuple[np.ndarray, int] | None:
    """Person number per shift and the day index where matching failed (None: it did not fail).

    ``start``/``end`` in intervals, ``day`` the calendar day of each start, ``days_off[p]`` the
    people off on weekdays p and p+1, ``rest`` and ``day_length`` in intervals.
    """
    person = np.full(start.size, -1, dtype=np.int64)
    pattern: list[int] = []
    last_start: dict[int, int] = {}
    # the first day's people leave for their days off in the order the days come; those leaving
    # soonest take the latest-ending shifts, which only a day off can follow
    first = np.flatnonzero(day == 0)
    first = first[np.argsort(-end[first], kind="stable")]
    leaving = [int(weekday[d]) for d in range(1, min(len(weekday), 6)) for _ in range(int(days_off[weekday[d]]))]
    for n, i in enumerate(first):
        person[i] = len(pattern)
        pattern.append(leaving[n] if n < len(leaving) else -1)
    wd0 = int(weekday[0]) if weekday.size else 0
    for p in ((wd0 - 1) % 7, wd0):
        for _ in range(int(days_off[p])):
            pattern.append(p)
    for i in first:
        last_start[int(person[i])] = int(start[i])
    for d in range(len(weekday) - 1):
        if not _next_day(d, start, end, day, weekday, days_off, rest, day_length, person, pattern, last_start):
            return person, d
    return person, -1


def _next_day(d, start, end, day, weekday, days_off, rest, day_length, person, pattern, last_start) -> bool:
    today, tomorrow = np.flatnonzero(day == d), np.flatnonzero(day == d + 1)
    going_off = int(weekday[d + 1])
    coming_back = (going_off - 2) % 7
    by_end = today[np.argsort(-end[today], kind="stable")]
    due = [i for i in by_end if pattern[person[i]] == going_off]
    free = [i for i in by_end if pattern[person[i]] == -1]
    extra = int(days_off[going_off]) - len(due)
    if extra < 0 or extra > len(free):
        return False
    for i in free[:extra]:
        pattern[person[i]] = going_off
    leaving = set(due) | set(free[:extra])
    staying = [i for i in by_end if i not in leaving]
    back = [p for p, pat in enumerate(pattern) if pat == coming_back and not _worked(person, today, p)]
    # tomorrow's shifts by start: the earliest can follow fewest of today's, so they go first,
    # to the people back from days off (who can take anything), then to those staying on
    order = tomorrow[np.argsort(start[tomorrow], kind="stable")]
    if len(back) + len(staying) != order.size:
        return False
    for p, j in zip(back, order[: len(back)]):
        person[j], last_start[p] = p, int(start[j])
    for j in order[len(back):]:
        fits = [i for i in staying if end[i] + rest <= start[j]]
        if not fits:
            return False
        # any compatible person keeps the rest feasible (the sets are nested); keep those due off
        # soonest for the later shifts, which only a day off can follow
        i = max(fits, key=lambda i: (_days_to_off(pattern[person[i]], d + 1, weekday),
                                     -abs(start[j] - last_start[int(person[i])] - day_length), -i))
        staying.remove(i)
        p = int(person[i])
        person[j], last_start[p] = p, int(start[j])
    return True


def _days_to_off(pat: int, d: int, weekday: np.ndarray) -> int:
    """Working days left before this pattern's next day off, counted from day ``d``."""
    if pat < 0:
        return 7
    ahead = 0
    while ahead < 7 and int(weekday[d] + ahead) % 7 != pat:
        ahead += 1
    return ahead


def _worked(person: np.ndarray, shifts: np.ndarray, p: int) -> bool:
    return bool(np.any(person[shifts] == p))
