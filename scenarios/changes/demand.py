"""Changes to the calls offered: surges, spikes, seasonal peaks, heatwaves, channel shift.

All act on the forecast table (calls and its quantile columns, per queue and interval) and
nothing else; handle times are left as forecast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from forecasting.schema import CALLS, INTERVAL_START, QUEUE

from .base import Change, Context, per_queue, queue_values, share, window_rows
from .window import Window


def call_columns(frame: pd.DataFrame) -> list[str]:
    """calls and its quantiles (calls_p80, ...): all are counts and move together."""
    return [c for c in frame.columns if c == CALLS or c.startswith(f"{CALLS}_p")]


def _queues(value) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"queues must be a list of queue names, e.g. [\"999\"], got {value!r}")
    return tuple(str(q) for q in value)


@dataclass(frozen=True)
class Surge(Change):
    """Demand above forecast in a window: a multiplier, or a spike of extra calls.

    multiplier: calls x this in the window (a number, or a table by queue).
    extra_calls: this many extra calls over the whole window, spread evenly over its intervals
        (a number, or a table by queue). The quantile columns are shifted by the same amount,
        which keeps the forecast's own spread rather than inventing a new one.
    """

    KIND = "surge"
    SUMMARY = "demand x multiplier, or N extra calls, over a window"
    multiplier: object = None
    extra_calls: object = None
    queues: tuple = ()
    window: Window = field(default_factory=Window)

    def __post_init__(self):
        if (self.multiplier is None) == (self.extra_calls is None):
            raise ValueError("give one of multiplier (calls x this) or extra_calls (a spike of N calls)")
        if self.multiplier is not None:
            object.__setattr__(self, "multiplier", per_queue("multiplier", self.multiplier, low=0))
        if self.extra_calls is not None:
            object.__setattr__(self, "extra_calls", per_queue("extra_calls", self.extra_calls, low=0))
        object.__setattr__(self, "queues", _queues(self.queues))
        if self.queues and isinstance(self.multiplier if self.multiplier is not None else self.extra_calls, dict):
            raise ValueError("give queues = [...] or a table by queue, not both")

    def demand(self, frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        frame = frame.copy()
        inside = window_rows(self, self.window, frame[INTERVAL_START])
        values = self.multiplier if self.multiplier is not None else self.extra_calls
        for queue, value in queue_values(self, values, self.queues or None, ctx).items():
            rows = inside & (frame[QUEUE].astype(str) == queue).to_numpy()
            for column in call_columns(frame):
                if self.multiplier is not None:
                    frame.loc[rows, column] = frame.loc[rows, column] * value
                else:
                    frame.loc[rows, column] = frame.loc[rows, column] + value / max(int(rows.sum()), 1)
        return frame

    def describe(self) -> str:
        what = (f"calls x {_fmt(self.multiplier)}" if self.multiplier is not None
                else f"{_fmt(self.extra_calls)} extra calls")
        return f"{self.KIND}: {what}, {self.window.describe()}"


@dataclass(frozen=True)
class SeasonalPeak(Surge):
    """A seasonal or known one-off peak (summer evenings, a festival): a multiplier over dates and hours."""

    KIND = "seasonal_peak"
    SUMMARY = "demand x multiplier over dates and hours"


@dataclass(frozen=True)
class Heatwave(Surge):
    """Hot spells bring more 999 calls on long evenings (and more 101): a multiplier over dates and hours."""

    KIND = "heatwave"
    SUMMARY = "demand x multiplier (by queue) over days and hours"


@dataclass(frozen=True)
class ChannelShift(Change):
    """A share of one line's calls moved to online reporting (they no longer ring)."""

    KIND = "channel_shift"
    SUMMARY = "a share of 101 calls moved online"
    share: float = 0.0
    queue: str = "101"
    window: Window = field(default_factory=Window)

    def __post_init__(self):
        share("share", self.share)
        object.__setattr__(self, "queue", str(self.queue))

    def demand(self, frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        queue_values(self, 0.0, (self.queue,), ctx)  # checks the queue exists
        frame = frame.copy()
        inside = window_rows(self, self.window, frame[INTERVAL_START])
        rows = inside & (frame[QUEUE].astype(str) == self.queue).to_numpy()
        for column in call_columns(frame):
            frame.loc[rows, column] = frame.loc[rows, column] * (1 - self.share)
        return frame

    def describe(self) -> str:
        return f"{self.KIND}: {self.share:.0%} of {self.queue} moved online, {self.window.describe()}"


def _fmt(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{q}: {v:g}" for q, v in value.items())
    return f"{value:g}"


