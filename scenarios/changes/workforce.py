"""Budget caps, leavers and joiners: changes to the paid roster.

Until scheduling's roster takes a cap on heads or paid hours itself (being added in
scheduling/), a cap is applied to a roster already built by dropping its least valuable shifts
(or people) one at a time: the one whose working intervals are most over-covered, per paid
hour. A shift is "critical" in an interval when the cover there is at or below the heads
required, so dropping it would open or deepen a shortfall; the shift with the fewest critical
intervals per paid hour goes first. The result is a feasible roster within the cap, though
a solver given the cap up front may cover better.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling.schema import PAID_HOURS, REQUIRED, STAFF_ID

from .base import Change, Context, number, share
from .cover import work_matrix


def apply_cap(shifts: pd.DataFrame, pooled: pd.DataFrame, starts: pd.DatetimeIndex, *,
              max_paid_hours: float | None = None, max_heads: int | None = None) -> pd.DataFrame:
    """The roster trimmed to at most ``max_paid_hours`` and ``max_heads`` people.

    Wiring point for scheduling's native cap: rebuild with the cap as a constraint instead.
    """
    need = _need(pooled, starts)
    if max_heads is not None:
        shifts = _drop_people(shifts, need, starts, max_heads)
    if max_paid_hours is not None:
        shifts = _drop_shifts(shifts, need, starts, max_paid_hours)
    return shifts.reset_index(drop=True)


def _need(pooled: pd.DataFrame, starts: pd.DatetimeIndex) -> np.ndarray:
    return pooled.set_index("interval_start")[REQUIRED].reindex(starts).fillna(0).to_numpy()


def _critical(work, need) -> np.ndarray:
    have = np.asarray(work.sum(axis=0)).ravel()
    return work @ (have <= need).astype(float)


def _drop_shifts(shifts, need, starts, max_paid_hours) -> pd.DataFrame:
    work = work_matrix(shifts, starts).tolil()
    paid = shifts[PAID_HOURS].to_numpy(float)
    alive = np.ones(len(shifts), dtype=bool)
    while paid[alive].sum() > max_paid_hours + 1e-9:
        value = _critical(work.tocsr(), need) / np.maximum(paid, 1e-9)
        value[~alive] = np.inf
        # least value per paid hour first; among equals the longest (it frees the most hours)
        i = int(np.lexsort((-paid, value))[0])
        alive[i] = False
        work[i, :] = 0
    return shifts[alive]


def _drop_people(shifts, need, starts, max_heads) -> pd.DataFrame:
    codes, people = pd.factorize(shifts[STAFF_ID], sort=True)
    work = work_matrix(shifts, starts).tolil()
    paid = np.bincount(codes, weights=shifts[PAID_HOURS].to_numpy(float), minlength=len(people))
    alive = np.ones(len(people), dtype=bool)
    while alive.sum() > max_heads:
        per_shift = _critical(work.tocsr(), need)
        value = np.bincount(codes, weights=per_shift, minlength=len(people)) / np.maximum(paid, 1e-9)
        value[~alive] = np.inf
        p = int(np.lexsort((-paid, value))[0])
        alive[p] = False
        for i in np.flatnonzero(codes == p):
            work[i, :] = 0
    return shifts[alive[codes]]


def heads(shifts: pd.DataFrame) -> int:
    return int(shifts[STAFF_ID].nunique())


@dataclass(frozen=True)
class Budget(Change):
    """A cap on paid hours and/or heads, absolute or as a share of the baseline roster's."""

    KIND = "budget"
    SUMMARY = "a cap on paid hours or heads (roster trimmed to it)"
    max_paid_hours: float | None = None
    paid_hours_share: float | None = None
    max_heads: int | None = None
    heads_share: float | None = None

    def __post_init__(self):
        given = [k for k in ("max_paid_hours", "paid_hours_share", "max_heads", "heads_share")
                 if getattr(self, k) is not None]
        if not given:
            raise ValueError("give a cap: max_paid_hours, paid_hours_share, max_heads or heads_share")
        if self.max_paid_hours is not None and self.paid_hours_share is not None:
            raise ValueError("give one of max_paid_hours or paid_hours_share, not both")
        if self.max_heads is not None and self.heads_share is not None:
            raise ValueError("give one of max_heads or heads_share, not both")
        if self.max_paid_hours is not None:
            number("max_paid_hours", self.max_paid_hours, low=0)
        if self.max_heads is not None:
            number("max_heads", self.max_heads, low=0)
            if not float(self.max_heads).is_integer():
                raise ValueError(f"max_heads must be a whole number, got {self.max_heads!r}")
        for key in ("paid_hours_share", "heads_share"):
            if getattr(self, key) is not None:
                number(key, getattr(self, key), low=0, high=1, low_open=True)

    def caps(self, ctx: "Context") -> tuple[float | None, int | None]:
        hours = self.max_paid_hours
        if self.paid_hours_share is not None:
            hours = self.paid_hours_share * ctx.baseline_paid_hours
        people = self.max_heads
        if self.heads_share is not None:
            people = math.floor(self.heads_share * ctx.baseline_heads + 1e-9)
        return hours, (None if people is None else int(people))

    def roster(self, shifts, pooled, ctx):
        hours, people = self.caps(ctx)
        return apply_cap(shifts, pooled, ctx.starts, max_paid_hours=hours, max_heads=people)

    def describe(self) -> str:
        parts = []
        if self.max_paid_hours is not None:
            parts.append(f"at most {self.max_paid_hours:,.0f} paid hours")
        if self.paid_hours_share is not None:
            parts.append(f"paid hours cut to {self.paid_hours_share:.0%} of the baseline's")
        if self.max_heads is not None:
            parts.append(f"at most {self.max_heads} heads")
        if self.heads_share is not None:
            parts.append(f"heads cut to {self.heads_share:.0%} of the baseline's")
        return f"{self.KIND}: {', '.join(parts)}"


@dataclass(frozen=True)
class Workforce(Change):
    """Leavers and joiners over months: heads available after ``months``.

    Each month a share ``attrition_per_month`` of the handlers then in post leave and
    ``recruitment_per_month`` (a share of today's heads) join, trained and on the roster.
    Kept roster: the leavers' shifts go unfilled (leavers drawn at random with the seed).
    Rebuilt roster: it is planned within the heads left (least valuable people dropped).
    More heads than today change nothing: the roster already covers the requirement.
    """

    KIND = "workforce"
    SUMMARY = "attrition and recruitment over months (heads available change)"
    months: int = 12
    attrition_per_month: float = 0.0
    recruitment_per_month: float = 0.0

    def __post_init__(self):
        number("months", self.months, low=0, high=120)
        if not float(self.months).is_integer():
            raise ValueError(f"months must be a whole number, got {self.months!r}")
        share("attrition_per_month", self.attrition_per_month, below_one=True)
        share("recruitment_per_month", self.recruitment_per_month)

    def heads_factor(self) -> float:
        heads_now = 1.0
        for _ in range(int(self.months)):
            heads_now = heads_now * (1 - self.attrition_per_month) + self.recruitment_per_month
        return heads_now

    def roster(self, shifts, pooled, ctx):
        factor = self.heads_factor()
        if factor >= 1:
            return shifts
        people = sorted(shifts[STAFF_ID].unique())
        if ctx.rebuilt:
            cap = math.floor(factor * ctx.baseline_heads + 1e-9)
            return apply_cap(shifts, pooled, ctx.starts, max_heads=cap)
        leavers = round((1 - factor) * len(people))
        gone = set(ctx.rng(self).choice(people, size=leavers, replace=False).tolist()) if leavers else set()
        return shifts[~shifts[STAFF_ID].isin(gone)].reset_index(drop=True)

    def describe(self) -> str:
        return (f"{self.KIND}: after {self.months} months at {self.attrition_per_month:.1%} leaving and "
                f"{self.recruitment_per_month:.1%} joining a month, {self.heads_factor():.0%} of today's heads")


@dataclass(frozen=True)
class Overtime(Change):
    """How gaps are filled: overtime up to a share of the baseline's paid hours, then agency.

    max_share: overtime hours available, as a share of the baseline roster's paid hours.
    rate_multiplier: overtime pay as a multiple of the base rate (unset: the cost model's).
    shift_hours: lengths of the overtime shifts that may be offered.
    fill: true to fill this scenario's gaps with overtime before simulating it (within
        max_share); false to only price restoring the targets.
    """

    KIND = "overtime"
    SUMMARY = "an overtime policy: cap, rate, shift lengths, fill gaps or not"
    max_share: float = 0.1
    rate_multiplier: float | None = None
    shift_hours: tuple = (4.0, 6.0, 8.0)
    fill: bool = False

    def __post_init__(self):
        share("max_share", self.max_share)
        if self.rate_multiplier is not None:
            number("rate_multiplier", self.rate_multiplier, low=1)
        if not isinstance(self.shift_hours, (list, tuple)) or not self.shift_hours:
            raise ValueError(f"shift_hours must be a list of hours, e.g. [4, 6, 8], got {self.shift_hours!r}")
        hours = tuple(number("shift_hours", h, low=1, high=14) for h in self.shift_hours)
        if any(not (h * 4).is_integer() for h in hours):
            raise ValueError(f"shift_hours must be whole quarter hours, got {list(self.shift_hours)}")
        object.__setattr__(self, "shift_hours", hours)
        if not isinstance(self.fill, bool):
            raise ValueError(f"fill must be true or false, got {self.fill!r}")

    def describe(self) -> str:
        rate = "" if self.rate_multiplier is None else f" at x{self.rate_multiplier:g}"
        return (f"{self.KIND}: up to {self.max_share:.0%} of paid hours{rate}"
                f"{', used to fill gaps' if self.fill else ''}")
