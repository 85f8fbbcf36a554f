"""From demand (calls and handle time per interval) to agents and rostered heads per interval.

Each interval is staffed in isolation with a steady-state formula (Erlang C, or Erlang A for
lines where callers hang up). That is the standard first answer; where load changes fast
within a few handle times it under-states need and simulation-based staffing should refine it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling import schema as s
from scheduling.erlang import agents_needed, queue_measures
from scheduling.errors import InfeasibleTargetError, SchedulingError
from scheduling.intervals import interval_length, require_columns, require_tz_aware

MODELS = ("erlang_c", "erlang_a")
# Divisions like 14 / (1 - 0.3) land a hair above the whole number; do not round that up.
_CEIL_SLACK = 1e-9


@dataclass(frozen=True)
class QueueTarget:
    """What "good enough" means for one queue, and how to turn agents into rostered heads.

    service_level of calls answered within answer_within_s seconds (under Erlang A the share
    of ALL offered calls, abandoned ones counting as failures); optional caps on abandonment
    (Erlang A only), on ASA of answered calls and on occupancy; shrinkage is the share of
    rostered time not available for calls; min_agents applies even when no calls are expected.
    """

    queue: str
    model: str = "erlang_c"
    service_level: float = 0.9
    answer_within_s: float = 10.0
    mean_patience_s: float | None = None
    shrinkage: float = 0.3
    min_agents: int = 1
    max_occupancy: float | None = None
    max_abandon: float | None = None
    max_asa_s: float | None = None

    def __post_init__(self) -> None:
        where = f"QueueTarget({self.queue!r})"
        if not isinstance(self.queue, str) or not self.queue:
            raise SchedulingError(f"QueueTarget.queue must be a non-empty string, got {self.queue!r}")
        if self.model not in MODELS:
            raise SchedulingError(f"{where}.model must be one of {MODELS}, got {self.model!r}")
        _check_range(where, "service_level", self.service_level, 0.0, 1.0, "strictly between 0 and 1")
        if not _finite(self.answer_within_s) or self.answer_within_s < 0:
            raise SchedulingError(
                f"{where}.answer_within_s must be >= 0 seconds, got {self.answer_within_s!r}"
            )
        self._check_patience(where)
        if not _finite(self.shrinkage) or not 0.0 <= self.shrinkage < 1.0:
            raise SchedulingError(
                f"{where}.shrinkage must satisfy 0 <= shrinkage < 1, got {self.shrinkage!r}"
            )
        whole = isinstance(self.min_agents, (int, np.integer)) and not isinstance(self.min_agents, bool)
        if not whole or self.min_agents < 0:
            raise SchedulingError(f"{where}.min_agents must be an integer >= 0, got {self.min_agents!r}")
        occ = self.max_occupancy
        if occ is not None and (not _finite(occ) or not 0.0 < occ <= 1.0):
            raise SchedulingError(f"{where}.max_occupancy must be in (0, 1] or None, got {occ!r}")
        if self.max_asa_s is not None and (not _finite(self.max_asa_s) or self.max_asa_s <= 0):
            raise SchedulingError(f"{where}.max_asa_s must be > 0 seconds or None, got {self.max_asa_s!r}")

    def _check_patience(self, where: str) -> None:
        if self.model == "erlang_a":
            p = self.mean_patience_s
            if p is None or not _finite(p) or p <= 0:
                raise SchedulingError(
                    f"{where}.mean_patience_s must be > 0 seconds for model='erlang_a', got {p!r}"
                )
            if self.max_abandon is not None:
                _check_range(where, "max_abandon", self.max_abandon, 0.0, 1.0, "strictly between 0 and 1")
        else:
            for name in ("mean_patience_s", "max_abandon"):
                if getattr(self, name) is not None:
                    raise SchedulingError(
                        f"{where}.{name} applies only to model='erlang_a' (Erlang C assumes no abandonment); "
                        f"got model={self.model!r}"
                    )

    @property
    def patience(self) -> float | None:
        return self.mean_patience_s if self.model == "erlang_a" else None


def _finite(x) -> bool:
    is_real = isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
    return is_real and math.isfinite(x)


def _check_range(where: str, name: str, value, low: float, high: float, allowed: str) -> None:
    if not _finite(value) or not low < value < high:
        raise SchedulingError(f"{where}.{name} must be {allowed}, got {value!r}")


def requirement(
    demand: pd.DataFrame,
    targets: Mapping[str, QueueTarget],
    *,
    interval: pd.Timedelta | None = None,
) -> pd.DataFrame:
    """Agents and rostered heads needed per queue per interval (REQUIREMENT_COLUMNS).

    ``interval`` is inferred from the timestamps (it must be uniform within each queue and
    the same across queues); pass it only when a queue has a single interval.
    """
    frame = _validated_demand(demand, targets)
    length = _common_interval(frame, interval)
    seconds = length.total_seconds()
    parts = [
        _queue_requirement(rows, targets[queue], seconds)
        for queue, rows in frame.groupby(s.QUEUE, sort=True)
    ]
    out = pd.concat(parts, ignore_index=True)
    return out[list(s.REQUIREMENT_COLUMNS)]


def _validated_demand(demand: pd.DataFrame, targets: Mapping[str, QueueTarget]) -> pd.DataFrame:
    require_columns(demand, s.DEMAND_COLUMNS, "demand")
    if demand.empty:
        raise SchedulingError("demand has no rows")
    frame = demand[list(s.DEMAND_COLUMNS)].copy()
    frame[s.QUEUE] = frame[s.QUEUE].astype(str)
    require_tz_aware(frame[s.INTERVAL_START], "demand")
    missing = sorted(set(frame[s.QUEUE]) - set(targets))
    if missing:
        raise SchedulingError(
            f"demand has queue(s) {missing} with no QueueTarget; targets cover {sorted(targets)}"
        )
    for key, target in targets.items():
        if not isinstance(target, QueueTarget) or target.queue != key:
            raise SchedulingError(f"targets[{key!r}] must be a QueueTarget for queue {key!r}, got {target!r}")
    calls = pd.to_numeric(frame[s.CALLS], errors="coerce").to_numpy(dtype=float)
    aht = pd.to_numeric(frame[s.AHT], errors="coerce").to_numpy(dtype=float)
    _check_values(frame, ~np.isfinite(calls) | (calls < 0), "calls must be finite and >= 0")
    # Handle time only matters where calls are expected; forecasting leaves it NaN elsewhere.
    bad_aht = (calls > 0) & ~(np.isfinite(aht) & (aht > 0))
    _check_values(frame, bad_aht, "aht must be > 0 seconds where calls > 0")
    frame[s.CALLS] = calls
    frame[s.AHT] = aht
    return frame.sort_values([s.QUEUE, s.INTERVAL_START], kind="stable").reset_index(drop=True)


def _check_values(frame: pd.DataFrame, bad: np.ndarray, rule: str) -> None:
    if bad.any():
        row = frame.iloc[int(np.argmax(bad))]
        raise SchedulingError(
            f"demand: {rule}; {int(bad.sum())} row(s) break it, first queue {row[s.QUEUE]!r} at "
            f"{row[s.INTERVAL_START]} (calls={row[s.CALLS]!r}, aht={row[s.AHT]!r})"
        )


def _common_interval(frame: pd.DataFrame, interval: pd.Timedelta | None) -> pd.Timedelta:
    lengths = {
        queue: interval_length(rows[s.INTERVAL_START], f"demand for queue {queue!r}")
        for queue, rows in frame.groupby(s.QUEUE, sort=True)
        if interval is None or len(rows) > 1
    }
    if interval is not None:
        lengths["(given)"] = pd.Timedelta(interval)
    if len(set(lengths.values())) > 1:
        raise SchedulingError(f"demand queues have different interval lengths: {lengths}")
    return next(iter(lengths.values()))


def _queue_requirement(rows: pd.DataFrame, target: QueueTarget, seconds: float) -> pd.DataFrame:
    calls = rows[s.CALLS].to_numpy()
    aht = np.where(calls > 0, rows[s.AHT].to_numpy(), 1.0)  # any positive aht when load is 0
    load = calls * aht / seconds
    try:
        agents = agents_needed(
            load,
            aht,
            service_level=target.service_level,
            answer_within_s=target.answer_within_s,
            patience=target.patience,
            max_abandon=target.max_abandon,
            max_asa_s=target.max_asa_s,
            max_occupancy=target.max_occupancy,
            min_agents=target.min_agents,
        )
    except InfeasibleTargetError as err:
        starts = rows[s.INTERVAL_START].iloc[list(err.positions[:3])].tolist()
        raise SchedulingError(f"queue {target.queue!r}: {err} (intervals {starts})") from err
    m = queue_measures(agents, load, aht, target.answer_within_s, target.patience)
    out = rows.reset_index(drop=True).copy()
    out[s.AGENTS] = agents
    out[s.HEADS] = np.ceil(agents / (1.0 - target.shrinkage) - _CEIL_SLACK).astype(np.int64)
    out[s.SERVICE_LEVEL] = m.service_level
    out[s.ASA] = m.asa
    out[s.ABANDON] = m.abandon
    out[s.OCCUPANCY] = m.occupancy
    return out


def pooled_heads(requirement: pd.DataFrame) -> pd.DataFrame:
    """Heads summed across queues per interval: [interval_start, required].

    For one pool of handlers taking every line. Summing per-queue heads ignores the pooling
    gain (one pool needs fewer agents than separate ones) and how priority shares the wait, so
    it is only a rough bound; scheduling.pooling.pooled_requirement is the queueing answer.
    """
    require_columns(requirement, (s.INTERVAL_START, s.HEADS), "requirement")
    require_tz_aware(requirement[s.INTERVAL_START], "requirement")
    heads = pd.to_numeric(requirement[s.HEADS], errors="coerce")
    if heads.isna().any() or (heads < 0).any():
        raise SchedulingError("requirement.heads must be non-negative numbers")
    pooled = (
        requirement.assign(**{s.HEADS: heads})
        .groupby(s.INTERVAL_START, sort=True)[s.HEADS]
        .sum()
        .astype(np.int64)
        .rename(s.REQUIRED)
        .reset_index()
    )
    return pooled[[s.INTERVAL_START, s.REQUIRED]]
