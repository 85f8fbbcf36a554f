"""Key performance indicators: per interval per replication, over the horizon with confidence
intervals, and per interval with replications pooled.

Service level counts abandoned and unresolved calls as not answered in time (answered within
the threshold / offered), the usual definition for 999 reporting and the one Erlang A uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import schema as S
from .arrivals import CallDraws
from .config import SimulationConfig
from .model import Outcome
from .behaviour import FIRST, NO_CALLBACK
from .records import call_outcomes, callback_state
from .timeline import Timeline


def seconds_per_interval(start: np.ndarray, end: np.ndarray, timeline: Timeline) -> np.ndarray:
    """Total length of the segments [start, end) falling in each interval."""
    edges = np.arange(timeline.n + 1) * timeline.interval_s
    return np.diff(_covered_before(np.asarray(start, float), np.asarray(end, float), edges))


def _covered_before(start, end, x):
    """For each x, the total length of the segments before x: sum of clip(x - start) - clip(x - end)."""
    def ramp(points):
        points = np.sort(points)
        k = np.searchsorted(points, x)
        return k * x - np.concatenate([[0.0], np.cumsum(points)])[k]
    return ramp(start) - ramp(end)


def occupancy_frame(replication: int, calls: CallDraws, outcome: Outcome, timeline: Timeline,
                    first_interval: int) -> pd.DataFrame:
    taken = outcome.server >= 0  # answered, or a callback attempted
    begun = outcome.answered_at[taken]
    held = (calls.handle if outcome.busy is None else outcome.busy)[taken]
    busy = seconds_per_interval(begun, begun + held, timeline)
    available = seconds_per_interval(outcome.logged[:, 1], outcome.logged[:, 2], timeline)
    busy = np.minimum(busy, available)  # busy time lies within logged time; only rounding exceeds it
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = np.where(available > 0, busy / available, np.nan)
    keep = slice(first_interval, None)
    return pd.DataFrame({
        S.REPLICATION: np.full(timeline.n - first_interval, replication, dtype=np.int64),
        S.INTERVAL_START: timeline.starts[keep],
        S.AVAILABLE_S: available[keep], S.BUSY_S: busy[keep], S.OCCUPANCY: occupancy[keep],
    }, columns=list(S.OCCUPANCY_COLUMNS))


def kpi_frame(replication: int, calls: CallDraws, outcome: Outcome, timeline: Timeline,
              config: SimulationConfig, occupancy: pd.DataFrame, first_interval: int) -> pd.DataFrame:
    """One row per queue and interval (after warm-up) of this replication."""
    answered, abandoned, wait = call_outcomes(calls, outcome)
    threshold = np.array([q.answer_within_s for q in config.queues])[calls.queue]
    within = answered & (wait <= threshold)
    n_q, n_t = len(config.queues), timeline.n
    cell = calls.queue * n_t + calls.interval

    def count(weights=None):
        return np.bincount(cell, weights=weights, minlength=n_q * n_t).reshape(n_q, n_t)[:, first_interval:]

    offered, n_answered = count(), count(answered.astype(float))
    wait_sum = count(np.where(answered, wait, 0.0))
    n_abandoned, n_within = count(abandoned.astype(float)), count(within.astype(float))
    state = callback_state(calls, outcome)
    n_callbacks = count((state != NO_CALLBACK).astype(float))
    n_callbacks_answered = count(((state != NO_CALLBACK) & answered).astype(float))
    n_repeats = count((calls.kind != FIRST).astype(float)) if calls.kind is not None else 0 * offered
    with np.errstate(invalid="ignore", divide="ignore"):
        columns = {
            S.OFFERED: offered, S.ANSWERED: n_answered, S.ABANDONED: n_abandoned, S.ANSWERED_WITHIN: n_within,
            S.SERVICE_LEVEL: n_within / offered, S.ASA: wait_sum / n_answered,
            S.ABANDON_RATE: n_abandoned / offered,
            S.OCCUPANCY: np.tile(occupancy[S.OCCUPANCY].to_numpy(), (n_q, 1)),
            S.CALLBACKS: n_callbacks, S.CALLBACKS_ANSWERED: n_callbacks_answered, S.REPEAT_CALLS: n_repeats,
        }
    kept = n_t - first_interval
    frame = pd.DataFrame({
        S.REPLICATION: np.full(n_q * kept, replication, dtype=np.int64),
        S.QUEUE: pd.Categorical.from_codes(np.repeat(np.arange(n_q), kept), categories=list(config.queue_names)),
        S.INTERVAL_START: timeline.starts.take(np.tile(np.arange(first_interval, n_t), n_q)),
        **{name: values.ravel() for name, values in columns.items()},
    }, columns=list(S.KPI_COLUMNS))
    counts = [S.OFFERED, S.ANSWERED, S.ABANDONED, S.ANSWERED_WITHIN, S.CALLBACKS, S.CALLBACKS_ANSWERED,
              S.REPEAT_CALLS]
    return frame.astype({c: np.int64 for c in counts})


_COUNTS = (S.OFFERED, S.ANSWERED, S.ABANDONED, S.ANSWERED_WITHIN, S.CALLBACKS, S.CALLBACKS_ANSWERED,
           S.REPEAT_CALLS)


def _wait_sum(kpi: pd.DataFrame) -> pd.Series:
    return (kpi[S.ASA] * kpi[S.ANSWERED]).fillna(0.0)


def summarize(kpi: pd.DataFrame, occupancy: pd.DataFrame, config: SimulationConfig) -> pd.DataFrame:
    """Per queue over the whole horizon: means over replications with 95% t confidence intervals."""
    per_rep = (kpi.assign(_wait=_wait_sum(kpi))
               .groupby([S.QUEUE, S.REPLICATION], observed=True, sort=True)
               [[*_COUNTS, "_wait"]].sum())
    pool = occupancy.groupby(S.REPLICATION)[[S.BUSY_S, S.AVAILABLE_S]].sum()
    pool_occupancy = (pool[S.BUSY_S] / pool[S.AVAILABLE_S].where(pool[S.AVAILABLE_S] > 0)).mean()
    rows = []
    for queue in config.queue_names:
        reps = per_rep.xs(queue, level=S.QUEUE) if queue in per_rep.index.get_level_values(0) else None
        rows.append(_summary_row(queue, reps, config.replications, pool_occupancy))
    return pd.DataFrame(rows, columns=list(S.SUMMARY_COLUMNS))


def _summary_row(queue: str, reps: pd.DataFrame | None, replications: int, occupancy: float) -> dict:
    row = {S.QUEUE: queue, S.REPLICATIONS: replications, S.OCCUPANCY: occupancy}
    if reps is None or len(reps) == 0:
        return row | {c: 0.0 for c in (S.OFFERED, S.ANSWERED, S.ABANDONED, S.UNRESOLVED, S.CALLBACKS,
                                       S.CALLBACKS_ANSWERED, S.REPEAT_CALLS)}
    offered = reps[S.OFFERED].to_numpy(float)
    row |= {S.OFFERED: offered.mean(), S.ANSWERED: reps[S.ANSWERED].mean(),
            S.ABANDONED: reps[S.ABANDONED].mean(),
            S.UNRESOLVED: (reps[S.OFFERED] - reps[S.ANSWERED] - reps[S.ABANDONED]).mean(),
            **{c: reps[c].mean() for c in (S.CALLBACKS, S.CALLBACKS_ANSWERED, S.REPEAT_CALLS)}}
    with np.errstate(invalid="ignore", divide="ignore"):
        samples = {S.SERVICE_LEVEL: reps[S.ANSWERED_WITHIN].to_numpy(float) / offered,
                   S.ABANDON_RATE: reps[S.ABANDONED].to_numpy(float) / offered,
                   S.ASA: reps["_wait"].to_numpy(float) / reps[S.ANSWERED].to_numpy(float)}
    for name, values in samples.items():
        # shares stay in [0, 1] and waits stay positive: a t-interval over few replications need not
        upper = None if name == S.ASA else 1.0
        row[name], row[S.lo(name)], row[S.hi(name)] = mean_ci(values, lower=0.0, upper=upper)
    return row


def mean_ci(values: np.ndarray, level: float = 0.95, lower: float | None = None,
            upper: float | None = None) -> tuple[float, float, float]:
    """Mean and the t-distribution confidence interval over replications (NaN where undefined),
    cut to the values the quantity can take."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return np.nan, np.nan, np.nan
    mean = values.mean()
    if len(values) < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    low, high = mean - half, mean + half
    return mean, low if lower is None else max(low, lower), high if upper is None else min(high, upper)


def pooled_intervals(kpi: pd.DataFrame, occupancy: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Per queue and interval with replications pooled (ratios of sums), e.g. for kpi_intervals.csv."""
    sums = (kpi.assign(_wait=_wait_sum(kpi))
            .groupby([S.QUEUE, S.INTERVAL_START], observed=True, sort=True)
            [[*_COUNTS, "_wait"]].sum().reset_index())
    pool = occupancy.groupby(S.INTERVAL_START)[[S.BUSY_S, S.AVAILABLE_S]].sum()
    pool_occupancy = pool[S.BUSY_S] / pool[S.AVAILABLE_S].where(pool[S.AVAILABLE_S] > 0)
    offered = sums[S.OFFERED].where(sums[S.OFFERED] > 0)
    return pd.DataFrame({
        S.QUEUE: sums[S.QUEUE],
        S.INTERVAL_START: sums[S.INTERVAL_START],
        S.SERVICE_LEVEL: sums[S.ANSWERED_WITHIN] / offered,
        S.ASA: sums["_wait"] / sums[S.ANSWERED].where(sums[S.ANSWERED] > 0),
        S.ABANDON_RATE: sums[S.ABANDONED] / offered,
        S.OCCUPANCY: pool_occupancy.reindex(pd.DatetimeIndex(sums[S.INTERVAL_START])).to_numpy(),
        S.OFFERED: sums[S.OFFERED] / replications,
        S.CALLBACKS: sums[S.CALLBACKS] / replications,
        S.REPEAT_CALLS: sums[S.REPEAT_CALLS] / replications,
    }, columns=list(S.INTERVAL_KPI_COLUMNS))
