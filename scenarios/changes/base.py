"""What every change is: a frozen dataclass read from one [[changes]] table, and pure
functions from the pipeline's inputs to the scenario's inputs.

A change may act at any of six points, each a function returning a new table or value and
leaving its input alone (the default passes it through):

    demand(frame, ctx)             the forecast table: calls per queue and interval
    absence(rate, ctx)             the share of rostered shifts lost, whole, in simulation
    required(pooled, ctx)          heads to roster per interval (for a rebuilt roster, and for
                                   the cost of restoring the targets)
    roster(shifts, pooled, ctx)    the paid roster (a budget cap, leavers)
    available(shifts, ctx)         the shifts the simulation is given; the paid roster is
                                   still what is paid
    simulation(config, ctx)        the simulation's configuration (simulation.SimulationConfig):
                                   what the simulation models itself and draws anew in each
                                   replication (abstraction windows, random pull-outs, callbacks)

``ctx`` carries the plan's interval grid, its queues and a seed, so a change that draws
(which handlers are abstracted, who leaves) is the same for the same scenario and seed.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

import numpy as np
import pandas as pd

from simulation import SimulationConfig

from ..errors import InputError
from .window import WINDOW_KEYS, Window, window_from


@dataclass(frozen=True)
class Context:
    """The plan a change is applied to."""

    starts: pd.DatetimeIndex      # interval starts of the plan, tz-aware, uniform
    queues: tuple[str, ...]
    seed: int
    baseline_paid_hours: float = 0.0
    baseline_heads: int = 0
    rebuilt: bool = False         # the scenario's roster is re-planned, not the baseline's

    @property
    def interval(self) -> pd.Timedelta:
        return self.starts[1] - self.starts[0] if len(self.starts) > 1 else pd.Timedelta(minutes=15)

    def rng(self, change: "Change") -> np.random.Generator:
        # one stream per change, keyed by its place in the file and kind: adding a change does
        # not reshuffle the draws of the others
        key = zlib.crc32(f"{change.where}|{change.KIND}".encode())
        return np.random.default_rng([self.seed, key])


@dataclass(frozen=True)
class Change:
    KIND: ClassVar[str] = ""
    SUMMARY: ClassVar[str] = ""
    where: str = field(default="", compare=False, repr=False, kw_only=True)

    # --- the five points a change can act at (identity unless overridden) -------------------
    def demand(self, frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        return frame

    def absence(self, rate: float, ctx: Context) -> float:
        return rate

    def required(self, pooled: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        return pooled

    def roster(self, shifts: pd.DataFrame, pooled: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        return shifts

    def available(self, shifts: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        return shifts

    def simulation(self, config: SimulationConfig, ctx: Context) -> SimulationConfig:
        return config

    def describe(self) -> str:
        return self.KIND

    # --- reading and checking ---------------------------------------------------------------
    @classmethod
    def keys(cls) -> list[str]:
        names = [f.name for f in dataclasses.fields(cls) if f.name != "where"]
        if "window" in names:
            names = [n for n in names if n != "window"] + list(WINDOW_KEYS)
        return ["kind", *names]

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], where: str) -> "Change":
        unknown = [k for k in raw if k not in cls.keys()]
        if unknown:
            raise InputError(f"{where}: unknown key {unknown[0]!r}; allowed keys for kind "
                             f"{cls.KIND!r}: {', '.join(sorted(cls.keys()))}")
        values = {k: v for k, v in raw.items() if k != "kind" and k not in WINDOW_KEYS}
        try:
            if "window" in [f.name for f in dataclasses.fields(cls)]:
                values["window"] = window_from(raw)
            return cls(**values, where=where)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{where}: {exc}") from None

    def fail(self, message: str) -> InputError:
        return InputError(f"{self.where}: {message}")


# --- value checks shared by the kinds (ValueError; from_mapping adds file and table) ---------

def number(name: str, value, *, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise ValueError(f"{name} must be {_range(low, high, low_open, high_open)}, got {value!r}")
    return float(value)


def share(name: str, value, *, below_one: bool = False) -> float:
    return number(name, value, low=0, high=1, high_open=below_one)


def _range(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        return (f"{'more than' if low_open else 'from'} {low:g} "
                f"{'up to (not including)' if high_open else 'to'} {high:g}")
    if low is not None:
        return f"{'more than' if low_open else 'at least'} {low:g}"
    return f"{'less than' if high_open else 'at most'} {high:g}"


def per_queue(name: str, value, **bounds) -> dict[str, float] | float:
    """A number for every queue, or a table of numbers by queue ({999 = 1.3, 101 = 1.1})."""
    if isinstance(value, Mapping):
        if not value:
            raise ValueError(f"{name} must name at least one queue")
        return {str(q): number(f"{name}.{q}", v, **bounds) for q, v in value.items()}
    return number(name, value, **bounds)


def text_choice(name: str, value, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, got {value!r}")
    return value


def queue_values(change: Change, values: dict[str, float] | float, queues: tuple[str, ...] | None,
                 ctx: Context) -> dict[str, float]:
    """{queue: value} for the queues a change names (all the plan's queues if none)."""
    if isinstance(values, dict):
        chosen = values
    else:
        chosen = {q: values for q in (queues or ctx.queues)}
    unknown = [q for q in chosen if q not in ctx.queues]
    if unknown:
        raise change.fail(f"queue {unknown[0]!r} is not in the plan; queues: {', '.join(ctx.queues)}")
    return chosen


def window_rows(change: Change, window: Window, starts: pd.Series) -> np.ndarray:
    """The rows inside ``window``; a window that picks nothing of the plan is an error."""
    inside = window.mask(starts)
    if not inside.any():
        first, last = pd.DatetimeIndex(starts).min(), pd.DatetimeIndex(starts).max()
        raise change.fail(f"the window ({window.describe()}) picks no interval of the plan, which runs "
                          f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}")
    return inside
