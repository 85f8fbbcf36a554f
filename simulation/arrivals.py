"""Calls offered: a non-homogeneous Poisson process drawn up front with numpy.

Each interval of the demand table has a constant rate (its expected ``calls``): the count is
Poisson, the arrival times uniform within the interval. Handle times and patience are drawn for
every call at once too, so the event loop only looks numbers up. Every draw is made in a fixed
order from uniforms (inverse transform), so two runs with the same seed and demand offer the same
calls whatever the staffing, and an exponential and a lognormal run share their random numbers:
common random numbers make comparisons between rosters sharper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import gamma

from . import schema as S
from .config import QueueConfig, SimulationConfig
from .errors import SimulationError
from .tables import first_row, numeric_column, require_columns
from .timeline import Timeline, tz_aware_column, uniform_step

DEMAND_COLUMNS = (S.QUEUE, S.INTERVAL_START, S.CALLS, S.AHT)


@dataclass(frozen=True)
class Demand:
    """Expected calls and mean handle time per queue (config order) and interval."""

    timeline: Timeline
    queues: tuple[str, ...]
    calls: np.ndarray  # (queues, intervals)
    aht: np.ndarray  # (queues, intervals), seconds; 0 where no calls are expected
    day_cv: np.ndarray | None = None  # (queues, intervals): the day level's CV (schema.DAY_CV), or None


@dataclass(frozen=True)
class CallDraws:
    """One replication's calls, sorted by arrival. Times in seconds; patience inf = never hangs up."""

    arrival: np.ndarray
    queue: np.ndarray
    interval: np.ndarray
    handle: np.ndarray
    patience: np.ndarray
    kind: np.ndarray | None = None  # behaviour.FIRST/REDIAL/REPEAT; None: all first calls
    delay: np.ndarray | None = None  # seconds from arrival until a handler can take it; None: 0

    def __len__(self) -> int:
        return len(self.arrival)


def read_demand(table: pd.DataFrame, config: SimulationConfig) -> Demand:
    """Check the demand table and lay it out as (queue, interval) matrices."""
    name = "demand"
    require_columns(table, DEMAND_COLUMNS, name)
    if len(table) == 0:
        raise SimulationError("demand: the table has no rows")
    starts = tz_aware_column(table, S.INTERVAL_START, name)
    queues = table[S.QUEUE].astype(str).to_numpy()
    unknown = sorted(set(queues) - set(config.queue_names))
    if unknown:
        raise SimulationError(f"demand: unknown queue(s) {', '.join(map(repr, unknown))} in column 'queue'; "
                              f"configured queues are {', '.join(config.queue_names)}")
    calls = numeric_column(table, S.CALLS, name)
    if (calls < 0).any():
        row = first_row(table, calls < 0)
        raise SimulationError(f"demand: negative calls ({table.at[row, S.CALLS]}) in row {row}")
    aht = numeric_column(table, S.AHT, name, allow_nan=True)
    bad_aht = (calls > 0) & ~(aht > 0)
    if bad_aht.any():
        row = first_row(table, bad_aht)
        raise SimulationError(f"demand: aht must be more than 0 seconds where calls are expected; "
                              f"row {row} has calls {table.at[row, S.CALLS]} and aht {table.at[row, S.AHT]}")
    day_cv = None
    if S.DAY_CV in table.columns:
        day_cv = numeric_column(table, S.DAY_CV, name)
        if (day_cv < 0).any():
            row = first_row(table, day_cv < 0)
            raise SimulationError(f"demand: negative day_cv ({table.at[row, S.DAY_CV]}) in row {row}")
        if config.day_multiplier_cv > 0:
            raise SimulationError("demand: the table has a day_cv column and SimulationConfig.day_multiplier_cv "
                                  f"is {config.day_multiplier_cv}; give the day's uncertainty one way, not both")
    return _layout(table, queues, starts, calls, aht, config, day_cv)


def _layout(table, queues, starts, calls, aht, config, day_cv=None) -> Demand:
    keys = pd.DataFrame({"q": queues, "t": starts.dt.tz_convert("UTC").to_numpy()})
    dup = keys.duplicated()
    if dup.any():
        row = first_row(table, dup.to_numpy())
        raise SimulationError(f"demand: queue {queues[np.flatnonzero(dup)[0]]!r} has interval "
                              f"{table.at[row, S.INTERVAL_START]} twice (row {row})")
    grid = pd.DatetimeIndex(starts.unique()).sort_values()
    timeline = Timeline(grid, uniform_step(grid, "demand"))
    column = grid.get_indexer(pd.DatetimeIndex(starts))
    row_of = {q: i for i, q in enumerate(config.queue_names)}
    rows = np.array([row_of[q] for q in queues])
    shape = (len(config.queues), timeline.n)
    present = np.zeros(shape, dtype=bool)
    present[rows, column] = True
    for q in sorted(set(queues)):
        missing = np.flatnonzero(~present[row_of[q]])
        if len(missing):
            raise SimulationError(f"demand: queue {q!r} has no row for interval {grid[missing[0]]} "
                                  f"({len(missing)} interval(s) missing); give calls 0 where none are expected")
    rate, mean_handle = np.zeros(shape), np.zeros(shape)
    rate[rows, column] = calls
    mean_handle[rows, column] = np.where(calls > 0, aht, 0.0)
    cv = None
    if day_cv is not None:
        cv = np.zeros(shape)
        cv[rows, column] = day_cv
    return Demand(timeline, config.queue_names, rate, mean_handle, cv)


def draw_calls(demand: Demand, config: SimulationConfig, rng: np.random.Generator) -> CallDraws:
    """Draw one replication's calls: counts, times, handle times and patience."""
    rate = demand.calls * (_day_multipliers(demand, config.day_multiplier_cv, rng) if demand.day_cv is None
                           else _forecast_day_multipliers(demand, rng))
    counts = rng.poisson(rate).ravel()
    n_intervals = demand.timeline.n
    cell = np.repeat(np.arange(counts.size), counts)
    queue, interval = np.divmod(cell, n_intervals)
    arrival = (interval + rng.random(cell.size)) * demand.timeline.interval_s
    handle = _handle_times(demand.aht.ravel()[cell], queue, config, rng.random(cell.size))
    patience = _patience(queue, config, rng.random(cell.size))
    delay = offer_delays(queue, config, rng)
    order = np.argsort(arrival, kind="stable")
    return CallDraws(arrival[order], queue[order], interval[order], handle[order], patience[order],
                     delay=None if delay is None else delay[order])


def offer_delays(queue: np.ndarray, config: SimulationConfig, rng: np.random.Generator) -> np.ndarray | None:
    """Each call's offer delay (QueueConfig.offer_delay), or None when no queue has one. The
    uniforms are drawn only then, after every other draw, so runs without delays keep their
    random numbers."""
    if all(q.offer_delay is None for q in config.queues):
        return None
    u = rng.random(len(queue))
    out = np.zeros(len(queue))
    for q, qc in enumerate(config.queues):
        mine = queue == q
        if qc.offer_delay is not None and mine.any():
            out[mine] = qc.offer_delay.sample(u[mine])
    return out


def _day_multipliers(demand: Demand, cv: float, rng: np.random.Generator) -> np.ndarray:
    if cv == 0:
        return np.ones(demand.timeline.n)
    days = demand.timeline.local_days()
    shape = 1.0 / cv**2
    return rng.gamma(shape, 1.0 / shape, size=days.max() + 1)[days]


def _forecast_day_multipliers(demand: Demand, rng: np.random.Generator) -> np.ndarray:
    """(queues, intervals) multipliers: per queue and local day a gamma with mean 1 and the day's
    CV, all queues from one uniform per day (comonotone: a busy day is busy on every line)."""
    days = demand.timeline.local_days()
    n_days = days.max() + 1
    u = rng.random(n_days)
    # the day's CV per queue (constant within a day by contract; the mean guards against rounding)
    cv = np.stack([np.bincount(days, weights=row, minlength=n_days) / np.bincount(days, minlength=n_days)
                   for row in demand.day_cv])
    out = np.ones_like(cv)
    positive = cv > 0
    shape = 1.0 / cv[positive] ** 2
    out[positive] = gamma.ppf(np.broadcast_to(u, cv.shape)[positive], shape, scale=1.0 / shape)
    return out[:, days]


def _handle_times(mean: np.ndarray, queue: np.ndarray, config: SimulationConfig, u: np.ndarray) -> np.ndarray:
    lognormal = np.array([q.handle == "lognormal" for q in config.queues])[queue]
    sigma = np.sqrt(np.log1p(np.array([q.handle_cv for q in config.queues]) ** 2))[queue]
    exponential = -np.log1p(-u)
    # Lognormal with the given mean: exp(mu + sigma z) with mu = log(mean) - sigma^2 / 2.
    factor = np.where(lognormal, np.exp(sigma * ndtri(u) - sigma**2 / 2), exponential)
    return mean * factor


def _patience(queue: np.ndarray, config: SimulationConfig, u: np.ndarray) -> np.ndarray:
    """Patience per call by inverse transform of ``u`` (inf for callers who never hang up)."""
    out = np.full(len(queue), np.inf)
    for q, qc in enumerate(config.queues):
        mine = queue == q
        if mine.any():
            out[mine] = patience_draws(qc, u[mine])
    return out


def patience_draws(qc: QueueConfig, u: np.ndarray) -> np.ndarray:
    if qc.patience == "empirical":
        return qc.empirical_patience.sample(u)
    if qc.mean_patience_s is None:
        return np.full(len(u), np.inf)
    mean = qc.mean_patience_s
    if qc.patience == "fixed":
        return np.full(len(u), float(mean))
    if qc.patience == "lognormal":
        sigma = np.sqrt(np.log1p(qc.patience_cv ** 2))
        return mean * np.exp(sigma * ndtri(u) - sigma**2 / 2)
    return -mean * np.log1p(-u)
