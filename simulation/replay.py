"""Arrivals replayed from a real call log: the same callers at the same times with the same
handle times in every replication; only patience (and what callers do next) is drawn.

A log row is a call: queue, arrival (tz-aware) and handle_time in seconds (NaN for calls that
were not answered: their handle time is drawn, lognormal around the mean of the answered calls
in the same interval and queue, so a caller who hung up in reality but is answered in simulation
keeps a handler busy as long as the callers around them did). Other columns are ignored.

Intervals for the KPIs are ``config.replay_interval_s`` long, on the log's local clock, from the
interval of the first call to that of the last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from . import schema as S
from .arrivals import CallDraws, _patience, offer_delays
from .config import SimulationConfig
from .errors import SimulationError
from .tables import first_row, numeric_column, require_columns
from .timeline import Timeline, tz_aware_column

LOG_COLUMNS = (S.QUEUE, S.ARRIVAL)
HANDLE_TIME = "handle_time"


def is_call_log(table) -> bool:
    return isinstance(table, pd.DataFrame) and S.ARRIVAL in table.columns and S.CALLS not in table.columns


@dataclass(frozen=True)
class Replay:
    """A call log laid out for the model: fixed arrivals and handle times, aht per interval."""

    timeline: Timeline
    queues: tuple[str, ...]
    arrival: np.ndarray
    queue: np.ndarray
    interval: np.ndarray
    handle: np.ndarray  # NaN where the log has none
    aht: np.ndarray  # (queues, intervals) mean handle time of the interval's calls, 0 if none


def read_call_log_table(table: pd.DataFrame, config: SimulationConfig) -> Replay:
    name = "call log"
    require_columns(table, LOG_COLUMNS, name)
    if len(table) == 0:
        raise SimulationError("call log: the table has no rows")
    arrival = tz_aware_column(table, S.ARRIVAL, name)
    queues = table[S.QUEUE].astype(str).to_numpy()
    unknown = sorted(set(queues) - set(config.queue_names))
    if unknown:
        raise SimulationError(f"call log: unknown queue(s) {', '.join(map(repr, unknown))} in column 'queue'; "
                              f"configured queues are {', '.join(config.queue_names)}")
    handle = (numeric_column(table, HANDLE_TIME, name, allow_nan=True) if HANDLE_TIME in table.columns
              else np.full(len(table), np.nan))
    if (handle < 0).any():
        row = first_row(table, handle < 0)
        raise SimulationError(f"call log: negative handle_time ({table.at[row, HANDLE_TIME]}) in row {row}")
    timeline = _timeline(arrival, config.replay_interval_s)
    seconds = timeline.seconds(arrival)
    order = np.argsort(seconds, kind="stable")
    q = np.array([config.queue_names.index(x) for x in queues], dtype=np.int64)[order]
    seconds, handle = seconds[order], handle[order]
    interval = timeline.interval_of(seconds)
    return Replay(timeline, config.queue_names, seconds, q, interval, handle,
                  _aht(q, interval, handle, len(config.queues), timeline.n))


def _timeline(arrival: pd.Series, step_s: float) -> Timeline:
    tz = arrival.dt.tz
    utc = arrival.dt.tz_convert("UTC")
    step = pd.Timedelta(seconds=step_s)
    # whole-hour UTC offsets: a grid that divides the hour is the same on the UTC and local clock
    first, last = utc.min().floor(step), utc.max().floor(step)
    return Timeline(pd.date_range(first, last, freq=step).tz_convert(tz), float(step_s))


def _aht(queue, interval, handle, n_queues, n_intervals) -> np.ndarray:
    known = np.isfinite(handle)
    cell = queue[known] * n_intervals + interval[known]
    total = np.bincount(cell, weights=handle[known], minlength=n_queues * n_intervals)
    count = np.bincount(cell, minlength=n_queues * n_intervals)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, 0.0).reshape(n_queues, n_intervals)


def draw_replayed_calls(replay: Replay, config: SimulationConfig, rng: np.random.Generator) -> CallDraws:
    """The log's calls with patience drawn (and handle times where the log has none)."""
    n = len(replay.arrival)
    u_handle, u_patience = rng.random(n), rng.random(n)
    handle = replay.handle.copy()
    missing = ~np.isfinite(handle)
    if missing.any():
        handle[missing] = _fill_handle(replay, config, missing, u_handle[missing])
    patience = _patience(replay.queue, config, u_patience)
    return CallDraws(replay.arrival, replay.queue, replay.interval, handle, patience,
                     delay=offer_delays(replay.queue, config, rng))


def _fill_handle(replay: Replay, config: SimulationConfig, missing, u) -> np.ndarray:
    q, t = replay.queue[missing], replay.interval[missing]
    overall = np.array([row[row > 0].mean() if (row > 0).any() else np.nan for row in replay.aht])
    mean = np.where(replay.aht[q, t] > 0, replay.aht[q, t], overall[q])
    if np.isnan(mean).any():
        name = replay.queues[int(q[np.isnan(mean)][0])]
        raise SimulationError(f"call log: queue {name!r} has no call with a handle_time to draw the handle "
                              "times of its unanswered calls from")
    cv = np.array([c.handle_cv for c in config.queues])[q]
    sigma = np.sqrt(np.log1p(cv**2))
    return mean * np.exp(sigma * ndtri(u) - sigma**2 / 2)
