"""Staff on shift but not answering calls: abstraction for a window, a major incident, and
random pull-outs. All three are the simulation's own (SimulationConfig abstractions and
pull_outs), drawn anew in each replication; the paid roster is untouched (abstracted staff are
still paid) and so is the roster the simulation is given (available.csv).

Abstraction: over each stretch of the window, the simulation takes round(share x handlers
logged in at its start) away until it ends; a handler in a call finishes it first. Shifts come
and go during a long window, so a stretch is re-drawn every hour (REDRAW): those who start
their shift in the window are taken too, in proportion. Handlers on a break at a stretch's
start are not counted (their break is already time off calls).

Random pull-outs: each handler on shift is pulled out as a Poisson process (rate per hour
logged in) for a random duration, independently of any pull-outs the baseline already draws
(its on-shift shrinkage: breaks, training). For a rebuilt roster, and for the cost of restoring the
targets, the heads required are grossed up by the share of time they take: with pull-outs at
rate r lasting d on average, overlapping ones merge and a handler is away a share
1 - exp(-r d) of the time (the M/G/infinity busy probability).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scheduling.schema import REQUIRED
from simulation import Abstraction as SimAbstraction
from simulation import PullOuts, SimulationConfig

from .base import Change, Context, number, per_queue, share, text_choice, window_rows
from .demand import Surge
from .window import Window

REDRAW = pd.Timedelta(hours=1)
DURATIONS = ("exponential", "lognormal", "fixed")


def stretches(starts: pd.DatetimeIndex, inside: np.ndarray, step: pd.Timedelta,
              redraw: pd.Timedelta = REDRAW) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """[start, end) times of the runs of ``inside``, each cut into pieces of at most ``redraw``."""
    edges = np.diff(np.r_[0, inside.astype(np.int8), 0])
    out = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        begin, end = starts[a], starts[b - 1] + step
        while begin < end:
            out.append((begin, min(begin + redraw, end)))
            begin = begin + redraw
    return out


def with_abstractions(config: SimulationConfig, windows, away_share: float) -> SimulationConfig:
    """``config`` with away_share of the handlers on shift away over each (start, end) window."""
    added = tuple(SimAbstraction(start=a, end=b, share=away_share) for a, b in windows)
    return dataclasses.replace(config, abstractions=config.abstractions + added)


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

    def simulation(self, config: SimulationConfig, ctx: Context) -> SimulationConfig:
        if self.share == 0:
            return config
        return with_abstractions(config, stretches(ctx.starts, self._inside(ctx.starts), ctx.interval), self.share)

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

    def simulation(self, config, ctx):
        return self._away.simulation(config, ctx)

    def describe(self) -> str:
        return (f"{self.KIND}: {self._spike.describe().split(': ', 1)[1]}; "
                f"{self.abstracted_share:.0%} of handlers on shift pulled to it")


@dataclass(frozen=True)
class RandomPullouts(Change):
    """Handlers pulled out at random moments (an urgent job, a welfare call) for a while.

    rate_per_hour: pull-outs per handler per hour on shift (0.05: one every 20 hours);
    mean_minutes: their mean length; duration: 'exponential', 'lognormal' (with duration_cv)
    or 'fixed'.
    """

    KIND = "random_pullouts"
    SUMMARY = "handlers pulled out at random moments for a while (drawn per replication)"
    rate_per_hour: float = 0.0
    mean_minutes: float = 30.0
    duration: str = "exponential"
    duration_cv: float = 1.0

    def __post_init__(self):
        number("rate_per_hour", self.rate_per_hour, low=0, high=6)
        number("mean_minutes", self.mean_minutes, low=0, high=24 * 60, low_open=True)
        text_choice("duration", self.duration, DURATIONS)
        number("duration_cv", self.duration_cv, low=0, low_open=True)
        if self.away_share() >= 0.95:
            raise ValueError(f"rate_per_hour {self.rate_per_hour:g} x mean_minutes {self.mean_minutes:g} would keep "
                             f"handlers away {self.away_share():.0%} of the time; it must be below 95%")

    def away_share(self) -> float:
        """Share of on-shift time a handler is away (overlapping pull-outs merge)."""
        return 1 - math.exp(-self.rate_per_hour * self.mean_minutes / 60)

    def required(self, pooled: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        return gross_up(pooled, np.ones(len(pooled), dtype=bool), self.away_share())

    def simulation(self, config: SimulationConfig, ctx: Context) -> SimulationConfig:
        # on top of any the baseline has (its on-shift shrinkage, another change): independent kinds
        pull_outs = PullOuts(rate_per_hour=float(self.rate_per_hour), mean_duration_s=60.0 * self.mean_minutes,
                             duration=self.duration, duration_cv=float(self.duration_cv))
        return dataclasses.replace(config, pull_outs=config.pull_out_kinds + (pull_outs,))

    def describe(self) -> str:
        return (f"{self.KIND}: {self.rate_per_hour:g} per handler per hour on shift, "
                f"{self.mean_minutes:g} minutes on average ({self.duration}), "
                f"{self.away_share():.1%} of on-shift time away")
