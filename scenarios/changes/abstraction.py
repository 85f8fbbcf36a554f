"""Staff on shift but not answering calls: abstraction for a window, and a major incident.

Until the simulation models abstraction windows itself (SimulationConfig abstraction, being
added in simulation/), a window is applied to the shifts the simulation is given: in each
interval of the window, round(share x heads on shift) handlers are taken off, their shifts cut
around the time they are away. A handler taken off stays off while the window lasts and they
are on shift (a person sent to an incident does not bounce back every 15 minutes); who is taken
is drawn with the scenario's seed. The paid roster is untouched: abstracted staff are still paid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scheduling.schema import BREAK_END, BREAK_START, END, REQUIRED, START, STAFF_ID

from .base import Change, Context, per_queue, share, window_rows
from .cover import on_shift
from .demand import Surge
from .window import Window


def remove_for_window(shifts: pd.DataFrame, starts: pd.DatetimeIndex, inside: np.ndarray,
                      away_share: float, rng: np.random.Generator) -> pd.DataFrame:
    """The shifts with round(away_share x on shift) handlers cut out of each interval of ``inside``.

    Wiring point for simulation's native abstraction windows: replace the cut with a window
    passed to the SimulationConfig once simulation/ supports it.
    """
    first, stop = on_shift(shifts, starts)
    away: dict[int, list[int]] = {}
    current: list[int] = []
    for t in np.flatnonzero(inside):
        on = np.flatnonzero((first <= t) & (t < stop))
        target = math.floor(away_share * on.size + 0.5)
        keep = [i for i in current if first[i] <= t < stop[i]]
        if len(keep) > target:
            keep = sorted(rng.choice(keep, size=target, replace=False).tolist())
        elif len(keep) < target:
            pool = np.setdiff1d(on, keep)
            keep = sorted(keep + rng.choice(pool, size=target - len(keep), replace=False).tolist())
        current = keep
        for i in keep:
            away.setdefault(i, []).append(int(t))
    return cut_shifts(shifts, starts, away)


def cut_shifts(shifts: pd.DataFrame, starts: pd.DatetimeIndex, away: dict[int, list[int]]) -> pd.DataFrame:
    """Each shift i of ``away`` split around the intervals it is away (breaks clipped to the pieces)."""
    if not away:
        return shifts
    first, stop = on_shift(shifts, starts)
    pieces = []
    for i, positions in away.items():
        row = shifts.iloc[i]
        gone = np.zeros(stop[i] - first[i], dtype=bool)
        gone[np.asarray(positions) - first[i]] = True
        for a, b in _runs(~gone):
            begin = row[START] if a == 0 else starts[first[i] + a]
            end = row[END] if first[i] + b >= stop[i] else starts[first[i] + b]
            piece = _piece(row, begin, end)
            if piece is not None:
                pieces.append(piece)
    kept = shifts.drop(index=shifts.index[list(away)])
    out = pd.concat([kept, pd.DataFrame(pieces, columns=shifts.columns)], ignore_index=True)
    out = out.astype(shifts.dtypes.to_dict())
    return out.sort_values([START, STAFF_ID], kind="stable").reset_index(drop=True)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[a, b) runs where mask is True."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def _piece(row: pd.Series, begin, end):
    piece = row.copy()
    piece[START], piece[END] = begin, end
    if pd.notna(row[BREAK_START]):
        b0, b1 = max(row[BREAK_START], begin), min(row[BREAK_END], end)
        if b0 <= begin and b1 >= end:
            return None  # nothing left but the break
        if b1 <= b0:
            piece[BREAK_START] = piece[BREAK_END] = pd.NaT
        else:
            piece[BREAK_START], piece[BREAK_END] = b0, b1
    return piece


def gross_up(pooled: pd.DataFrame, inside: np.ndarray, away_share: float) -> pd.DataFrame:
    """Heads to roster so that, with away_share of them abstracted, the requirement is still on duty."""
    out = pooled.copy()
    need = out[REQUIRED].to_numpy()
    out[REQUIRED] = np.where(inside, np.ceil(need / (1 - away_share) - 1e-9), need).astype(np.int64)
    return out


@dataclass(frozen=True)
class Abstraction(Change):
    """A share of the handlers on shift taken away for a window (training, another team's gap)."""

    KIND = "abstraction"
    SUMMARY = "a share of on-shift handlers away for a window"
    share: float = 0.0
    window: Window = field(default_factory=Window)

    def __post_init__(self):
        share("share", self.share, below_one=True)

    def _inside(self, starts) -> np.ndarray:
        return window_rows(self, self.window, starts)

    def required(self, pooled: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        return gross_up(pooled, self._inside(pooled["interval_start"]), self.share)

    def available(self, shifts: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        return remove_for_window(shifts, ctx.starts, self._inside(ctx.starts), self.share, ctx.rng(self))

    def describe(self) -> str:
        return f"{self.KIND}: {self.share:.0%} of handlers on shift away, {self.window.describe()}"


@dataclass(frozen=True)
class MajorIncident(Change):
    """A major incident: a spike of 999 calls and handlers pulled to it, over the same window."""

    KIND = "major_incident"
    SUMMARY = "a spike of extra calls (999 by default) plus abstraction over a window"
    extra_calls: object = 0.0
    queues: tuple = ()                  # the queues a plain number of extra_calls goes to; 999 if none
    abstracted_share: float = 0.0
    window: Window = field(default_factory=Window)

    def __post_init__(self):
        object.__setattr__(self, "extra_calls", per_queue("extra_calls", self.extra_calls, low=0))
        share("abstracted_share", self.abstracted_share, below_one=True)
        # the same checks and behaviour as its two halves
        queues = () if isinstance(self.extra_calls, dict) else (tuple(self.queues) or ("999",))
        object.__setattr__(self, "_spike", Surge(extra_calls=self.extra_calls, queues=queues,
                                                 window=self.window, where=self.where))
        object.__setattr__(self, "_away", Abstraction(share=self.abstracted_share, window=self.window,
                                                      where=self.where))

    def demand(self, frame, ctx):
        return self._spike.demand(frame, ctx)

    def required(self, pooled, ctx):
        return self._away.required(pooled, ctx)

    def available(self, shifts, ctx):
        return self._away.available(shifts, ctx)

    def describe(self) -> str:
        return (f"{self.KIND}: {self._spike.describe().split(': ', 1)[1]}; "
                f"{self.abstracted_share:.0%} of handlers on shift pulled to it")


@dataclass(frozen=True)
class RandomPullouts(Change):
    """Handlers pulled out at random moments (an urgent job, a welfare call) for a while."""

    KIND = "random_pullouts"
    SUMMARY = "handlers pulled out at random (NOT AVAILABLE YET)"
    per_handler_per_day: float = 0.0
    mean_minutes: float = 30.0

    def __post_init__(self):
        random_pullouts_not_available()


def random_pullouts_not_available() -> None:
    """Wiring point for simulation's native random pull-outs (drawn per replication)."""
    raise ValueError("kind 'random_pullouts' is not available yet: pull-outs must be drawn anew in "
                     "each replication, which needs the simulation's own pull-outs (being added to "
                     "simulation/); use kind 'abstraction' for a known window, or 'sickness' for "
                     "whole shifts lost at random")
