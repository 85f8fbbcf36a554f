"""The named-person rostering problem: who, which shifts, which rules, what is wanted.

One problem description serves both control-room rosters and the Curtois-Qu benchmark
(scheduling.curtois builds one from an instance file). Days are counted from 0; a shift
belongs to the day it starts on. Everything is validated on construction so that the model
(scheduling.named_roster) and the checker (scheduling.rules) can trust it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from scheduling.errors import SchedulingError

SKILLS = ("999", "101")
DAY_MINUTES = 1440


def _int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_skills(skills, where: str) -> None:
    if not isinstance(skills, frozenset) or not skills or not skills <= set(SKILLS):
        raise SchedulingError(f"{where}.skills must be a non-empty frozenset of {SKILLS}, got {skills!r}")


@dataclass(frozen=True)
class ShiftType:
    """A kind of shift. ``start_min`` (minutes after midnight) is None when only the day matters
    (the benchmark); then rest between shifts is given by ``forbidden_next`` alone.

    forbidden_next  shift ids that may not be worked on the day after this one (explicit);
                    RosterProblem adds those the minimum-rest rule forbids when starts are known.
    break_min, break_offset_min  unpaid break, not counted as cover (offset from the start;
                    default: centred, on the 15-minute grid).
    night           counts as a night for the fairness measure.
    """

    id: str
    length_min: int
    start_min: int | None = None
    skills: frozenset = frozenset(SKILLS)
    forbidden_next: frozenset = frozenset()
    break_min: int = 0
    break_offset_min: int | None = None
    night: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise SchedulingError(f"ShiftType.id must be a non-empty string, got {self.id!r}")
        where = f"ShiftType({self.id!r})"
        if not _int(self.length_min) or not 0 < self.length_min <= DAY_MINUTES:
            raise SchedulingError(f"{where}.length_min must be an integer in 1..1440, got {self.length_min!r}")
        if self.start_min is not None and (not _int(self.start_min) or not 0 <= self.start_min < DAY_MINUTES):
            raise SchedulingError(f"{where}.start_min must be an integer in 0..1439 or None, got {self.start_min!r}")
        _check_skills(self.skills, where)
        if not isinstance(self.forbidden_next, frozenset):
            raise SchedulingError(f"{where}.forbidden_next must be a frozenset of shift ids")
        if not _int(self.break_min) or not 0 <= self.break_min < self.length_min:
            raise SchedulingError(f"{where}.break_min must be an integer >= 0 and shorter than the shift")
        if self.break_offset_min is not None and (
            not _int(self.break_offset_min)
            or not 0 <= self.break_offset_min <= self.length_min - self.break_min
        ):
            raise SchedulingError(f"{where}.break_offset_min must put the break inside the shift")

    @property
    def paid_min(self) -> int:
        return self.length_min - self.break_min

    def break_window(self, grid_min: int = 15) -> tuple[int, int]:
        """Break as (offset, length) in minutes from the shift start."""
        if self.break_min == 0:
            return 0, 0
        if self.break_offset_min is not None:
            return self.break_offset_min, self.break_min
        centred = (self.length_min - self.break_min) // 2
        return centred - centred % grid_min, self.break_min


@dataclass(frozen=True)
class Person:
    """A named person and their contract.

    max_shifts          per shift id, the most of that shift they may work (0: never); missing = no limit
    min_minutes, max_minutes   total paid minutes over the horizon (contracted hours)
    max_consecutive, min_consecutive   length of runs of working days
    min_days_off        shortest run of days off
    max_weekends        weekends (Saturday or Sunday or both) worked; None = no limit
    days_off            days they cannot work (leave, fixed days off)
    hourly_cost         cost of an hour paid
    """

    id: str
    skills: frozenset = frozenset(SKILLS)
    max_shifts: Mapping[str, int] = field(default_factory=dict)
    min_minutes: int = 0
    max_minutes: int | None = None
    max_consecutive: int | None = None
    min_consecutive: int = 1
    min_days_off: int = 1
    max_weekends: int | None = None
    days_off: frozenset = frozenset()
    hourly_cost: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise SchedulingError(f"Person.id must be a non-empty string, got {self.id!r}")
        where = f"Person({self.id!r})"
        _check_skills(self.skills, where)
        for shift, n in dict(self.max_shifts).items():
            if not _int(n) or n < 0:
                raise SchedulingError(f"{where}.max_shifts[{shift!r}] must be an integer >= 0, got {n!r}")
        if not _int(self.min_minutes) or self.min_minutes < 0:
            raise SchedulingError(f"{where}.min_minutes must be an integer >= 0, got {self.min_minutes!r}")
        if self.max_minutes is not None and (not _int(self.max_minutes) or self.max_minutes < self.min_minutes):
            raise SchedulingError(
                f"{where}.max_minutes must be an integer >= min_minutes ({self.min_minutes}), got {self.max_minutes!r}"
            )
        if self.max_consecutive is not None and (not _int(self.max_consecutive) or self.max_consecutive < 1):
            raise SchedulingError(f"{where}.max_consecutive must be an integer >= 1 or None")
        for name in ("min_consecutive", "min_days_off"):
            if not _int(getattr(self, name)) or getattr(self, name) < 1:
                raise SchedulingError(f"{where}.{name} must be an integer >= 1, got {getattr(self, name)!r}")
        if self.max_weekends is not None and (not _int(self.max_weekends) or self.max_weekends < 0):
            raise SchedulingError(f"{where}.max_weekends must be an integer >= 0 or None")
        if not isinstance(self.days_off, frozenset) or not all(_int(d) and d >= 0 for d in self.days_off):
            raise SchedulingError(f"{where}.days_off must be a frozenset of day indexes >= 0")
        if not _number(self.hourly_cost) or self.hourly_cost < 0:
            raise SchedulingError(f"{where}.hourly_cost must be a number >= 0, got {self.hourly_cost!r}")

    def may_work(self, shift: ShiftType) -> bool:
        return self.max_shifts.get(shift.id, 1) > 0 and bool(self.skills & shift.skills)


@dataclass(frozen=True)
class Rules:
    """Working-time rules common to everyone (UK Working Time Regulations by default).

    min_rest_min        rest between the end of a shift and the next start (11 h); applied where
                        shift starts are known, by forbidding successions in the model
    max_avg_week_min    average paid minutes a week over the horizon (48 h); None = no limit
    weekly_rest_days    days off in any 7 consecutive days (1 ~ 24 h uninterrupted a week);
                        0 = no rule
    min_runs_open_ends  the benchmark's convention: minimum-run rules do not apply to runs that
                        touch the first or last day (the days beyond are unknown)
    hours_short_weight  None: contracted minimum hours are a hard rule (the benchmark); a number:
                        each hour short of a person's minimum costs this much instead (the
                        "contract" part of the objective), so a roster always exists
    """

    min_rest_min: int | None = 660
    max_avg_week_min: int | None = 48 * 60
    weekly_rest_days: int = 1
    min_runs_open_ends: bool = True
    hours_short_weight: float | None = None

    def __post_init__(self) -> None:
        if self.min_rest_min is not None and (not _int(self.min_rest_min) or self.min_rest_min < 0):
            raise SchedulingError(f"Rules.min_rest_min must be an integer >= 0 or None, got {self.min_rest_min!r}")
        if self.max_avg_week_min is not None and (not _int(self.max_avg_week_min) or self.max_avg_week_min <= 0):
            raise SchedulingError(f"Rules.max_avg_week_min must be an integer > 0 or None")
        if self.hours_short_weight is not None and (not _number(self.hours_short_weight) or self.hours_short_weight < 0):
            raise SchedulingError(f"Rules.hours_short_weight must be a number >= 0 or None, got {self.hours_short_weight!r}")
        if not _int(self.weekly_rest_days) or not 0 <= self.weekly_rest_days <= 7:
            raise SchedulingError(f"Rules.weekly_rest_days must be an integer in 0..7, got {self.weekly_rest_days!r}")


@dataclass(frozen=True)
class Request:
    """A wish: ``on`` = wants ``shift`` on ``day`` (None: any shift); otherwise wants not to work it
    (None: the day off). ``weight`` is paid when the wish is not met."""

    person: str
    day: int
    shift: str | None
    weight: float
    on: bool

    def __post_init__(self) -> None:
        if not _int(self.day) or self.day < 0:
            raise SchedulingError(f"Request({self.person!r}).day must be an integer >= 0, got {self.day!r}")
        if not _number(self.weight) or self.weight < 0:
            raise SchedulingError(f"Request({self.person!r}, day {self.day}).weight must be >= 0")


@dataclass(frozen=True)
class StartPreference:
    """A person would rather start between ``earliest`` and ``latest`` (minutes after midnight,
    inclusive); each shift starting outside costs ``weight``."""

    person: str
    earliest: int
    latest: int
    weight: float

    def __post_init__(self) -> None:
        for name in ("earliest", "latest"):
            if not _int(getattr(self, name)) or not 0 <= getattr(self, name) < DAY_MINUTES:
                raise SchedulingError(f"StartPreference({self.person!r}).{name} must be minutes in 0..1439")
        if not _number(self.weight) or self.weight < 0:
            raise SchedulingError(f"StartPreference({self.person!r}).weight must be >= 0")

    def allows(self, start_min: int) -> bool:
        if self.earliest <= self.latest:
            return self.earliest <= start_min <= self.latest
        return start_min >= self.earliest or start_min <= self.latest


@dataclass(frozen=True)
class DayCover:
    """Heads wanted on ``shift`` on ``day``; under/over weights per person; ``floor`` is a hard minimum."""

    day: int
    shift: str
    required: int
    under_weight: float
    over_weight: float = 0.0
    floor: int = 0

    def __post_init__(self) -> None:
        where = f"DayCover(day {self.day}, shift {self.shift!r})"
        if not _int(self.day) or self.day < 0:
            raise SchedulingError(f"{where}.day must be an integer >= 0")
        if not _int(self.required) or self.required < 0:
            raise SchedulingError(f"{where}.required must be an integer >= 0, got {self.required!r}")
        if not _int(self.floor) or not 0 <= self.floor <= self.required:
            raise SchedulingError(f"{where}.floor must be an integer in 0..required, got {self.floor!r}")
        for name in ("under_weight", "over_weight"):
            if not _number(getattr(self, name)) or getattr(self, name) < 0:
                raise SchedulingError(f"{where}.{name} must be a number >= 0")


INTERVAL_COVER_COLUMNS = ("skill", "interval", "required", "under_weight", "floor")


@dataclass(frozen=True)
class Fairness:
    """Weights on the most nights and the most weekends any one person works."""

    night_weight: float = 0.0
    weekend_weight: float = 0.0

    def __post_init__(self) -> None:
        for name in ("night_weight", "weekend_weight"):
            if not _number(getattr(self, name)) or getattr(self, name) < 0:
                raise SchedulingError(f"Fairness.{name} must be a number >= 0")


@dataclass(frozen=True, eq=False)  # holds a DataFrame
class RosterProblem:
    """Everything the named-roster model and the checker need.

    interval_cover: optional DataFrame with INTERVAL_COVER_COLUMNS: ``interval`` counts
    ``interval_min``-minute intervals from the start of day 0, ``skill`` is "999" or "101".
    first_weekday: weekday of day 0 (0 = Monday) for weekends.
    """

    horizon: int
    shifts: tuple[ShiftType, ...]
    people: tuple[Person, ...]
    rules: Rules = Rules()
    requests: tuple[Request, ...] = ()
    start_preferences: tuple[StartPreference, ...] = ()
    day_cover: tuple[DayCover, ...] = ()
    interval_cover: pd.DataFrame | None = None
    interval_min: int = 15
    fairness: Fairness = Fairness()
    first_weekday: int = 0

    def __post_init__(self) -> None:
        if not _int(self.horizon) or self.horizon < 1:
            raise SchedulingError(f"RosterProblem.horizon must be an integer >= 1 day, got {self.horizon!r}")
        if not self.shifts or not self.people:
            raise SchedulingError("RosterProblem needs at least one shift type and one person")
        shift_ids = [s.id for s in self.shifts]
        _unique(shift_ids, "shift id")
        _unique([p.id for p in self.people], "person id")
        known = set(shift_ids)
        for s in self.shifts:
            if not s.forbidden_next <= known:
                raise SchedulingError(f"ShiftType({s.id!r}).forbidden_next names unknown shift(s) "
                                      f"{sorted(s.forbidden_next - known)}; known: {sorted(known)}")
        people = {p.id for p in self.people}
        for p in self.people:
            if not set(p.max_shifts) <= known:
                raise SchedulingError(f"Person({p.id!r}).max_shifts names unknown shift(s) "
                                      f"{sorted(set(p.max_shifts) - known)}")
            late = [d for d in p.days_off if d >= self.horizon]
            if late:
                raise SchedulingError(f"Person({p.id!r}).days_off {sorted(late)} are beyond the {self.horizon}-day horizon")
        for r in self.requests:
            self._check_ref(r.person, r.day, r.shift, people, known, "Request")
        for pref in self.start_preferences:
            if pref.person not in people:
                raise SchedulingError(f"StartPreference names unknown person {pref.person!r}")
        for c in self.day_cover:
            if c.shift not in known or c.day >= self.horizon:
                raise SchedulingError(f"DayCover(day {c.day}, shift {c.shift!r}) is off the horizon or names an unknown shift")
        if not _int(self.interval_min) or DAY_MINUTES % self.interval_min:
            raise SchedulingError(f"RosterProblem.interval_min must divide a day, got {self.interval_min!r}")
        if self.interval_cover is not None:
            self._check_interval_cover()
        if not _int(self.first_weekday) or not 0 <= self.first_weekday <= 6:
            raise SchedulingError("RosterProblem.first_weekday must be 0 (Monday) .. 6 (Sunday)")

    def _check_ref(self, person, day, shift, people, known, what) -> None:
        if person not in people:
            raise SchedulingError(f"{what} names unknown person {person!r}")
        if day >= self.horizon:
            raise SchedulingError(f"{what}({person!r}) day {day} is beyond the {self.horizon}-day horizon")
        if shift is not None and shift not in known:
            raise SchedulingError(f"{what}({person!r}, day {day}) names unknown shift {shift!r}; known: {sorted(known)}")

    def _check_interval_cover(self) -> None:
        frame = self.interval_cover
        if not isinstance(frame, pd.DataFrame):
            raise SchedulingError("RosterProblem.interval_cover must be a DataFrame")
        missing = [c for c in INTERVAL_COVER_COLUMNS if c not in frame.columns]
        if missing:
            raise SchedulingError(f"interval_cover is missing column(s) {missing}; needs {list(INTERVAL_COVER_COLUMNS)}")
        bad = ~frame["skill"].isin(SKILLS)
        if bad.any():
            raise SchedulingError(f"interval_cover row {int(bad.to_numpy().argmax())}: skill must be one of {SKILLS}")
        n = self.horizon * DAY_MINUTES // self.interval_min
        bad = (frame["interval"] < 0) | (frame["interval"] >= n)
        if bad.any():
            raise SchedulingError(f"interval_cover row {int(bad.to_numpy().argmax())}: interval must be in 0..{n - 1}")
        if frame.duplicated(["skill", "interval"]).any():
            raise SchedulingError("interval_cover has more than one row for a (skill, interval)")
        bad = (frame["required"] < 0) | (frame["floor"] < 0) | (frame["floor"] > frame["required"]) | (frame["under_weight"] < 0)
        if bad.any():
            raise SchedulingError(f"interval_cover row {int(bad.to_numpy().argmax())}: need 0 <= floor <= required and under_weight >= 0")

    # --- derived facts shared by the model and the checker ---

    def shift(self, shift_id: str) -> ShiftType:
        return self._shift_map[shift_id]

    @cached_property
    def _shift_map(self) -> dict[str, ShiftType]:
        return {s.id: s for s in self.shifts}

    def is_weekend(self, day: int) -> bool:
        return (self.first_weekday + day) % 7 in (5, 6)

    def weekends(self) -> list[tuple[int, ...]]:
        """Days of each weekend touching the horizon (a weekend cut by the horizon keeps its part)."""
        groups: dict[int, list[int]] = {}
        for d in range(self.horizon):
            if self.is_weekend(d):
                groups.setdefault((self.first_weekday + d) // 7, []).append(d)
        return [tuple(days) for _, days in sorted(groups.items())]

    def max_total_minutes(self, person: Person) -> int | None:
        """The tighter of the contract's maximum and the 48-hour average week over the horizon.

        A horizon shorter than a week still allows a whole week's hours: the average is taken over
        17 weeks, so two 10-hour shifts in a 2-day plan are lawful although 20 h > 2/7 of 48 h.
        """
        caps = [person.max_minutes] if person.max_minutes is not None else []
        if self.rules.max_avg_week_min is not None:
            caps.append(self.rules.max_avg_week_min * max(self.horizon, 7) // 7)
        return min(caps) if caps else None

    def forbidden_successions(self) -> set[tuple[str, str, int]]:
        """(first, second, lag): ``second`` may not start ``lag`` days after ``first``.

        Explicit ``forbidden_next`` (lag 1) plus, where both starts are known, every pair whose
        rest is shorter than ``rules.min_rest_min``.
        """
        pairs = {(s.id, t, 1) for s in self.shifts for t in s.forbidden_next}
        rest = self.rules.min_rest_min
        if rest:
            for a in self.shifts:
                for b in self.shifts:
                    if a.start_min is None or b.start_min is None:
                        continue
                    for lag in (1, 2):
                        gap = lag * DAY_MINUTES + b.start_min - (a.start_min + a.length_min)
                        if gap < rest:
                            pairs.add((a.id, b.id, lag))
        return pairs


def _unique(ids: list[str], what: str) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            raise SchedulingError(f"{what} {i!r} appears more than once")
        seen.add(i)


def worked_intervals(shift: ShiftType, day: int, interval_min: int, horizon: int) -> range | list[int]:
    """Indexes of the ``interval_min`` intervals that ``shift`` on ``day`` covers (its break
    excluded, clipped at the horizon end). Needs a known start."""
    if shift.start_min is None:
        raise SchedulingError(f"ShiftType({shift.id!r}) has no start time, so it cannot cover intervals")
    first = (day * DAY_MINUTES + shift.start_min) // interval_min
    length = -(-shift.length_min // interval_min)
    end = min(first + length, horizon * DAY_MINUTES // interval_min)
    offset, brk = shift.break_window(interval_min)
    b0, b1 = first + offset // interval_min, first + -(-(offset + brk) // interval_min)
    return [t for t in range(first, end) if not (brk and b0 <= t < b1)]
