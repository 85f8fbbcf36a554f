"""Queueing formulas for staffing: Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M).

Conventions, for every function here:
    n        agents answering calls, non-negative integers
    load     offered load in Erlangs: calls per second x mean handle time (aht)
    aht      mean handle time in seconds; patience (Erlang A) is the mean time a caller
             waits before hanging up, in seconds; t is the answer-within threshold in seconds
All arguments broadcast like numpy arrays (typically one element per interval) and the
results are numpy arrays. Staffing at or below the load (n <= load) is allowed: under
Erlang C it gives service level 0 and an infinite ASA rather than an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betainc, digamma, logsumexp

from scheduling.errors import InfeasibleTargetError, SchedulingError

# Queue-length terms whose weight is below exp(-_LOG_TOL) of the largest are dropped.
_LOG_TOL = 50.0
# Largest number of (interval x queue-length) cells held in memory at once for Erlang A.
_CELL_BUDGET = 400_000
# Tolerance when comparing a measure with its target, so that a target met exactly in
# theory is not missed by rounding in the last bit.
_TARGET_TOL = 1e-12


@dataclass(frozen=True, eq=False)  # holds arrays
class QueueMeasures:
    """Steady-state measures of a queue, one array element per input element.

    p_wait         probability that a caller waits at all
    service_level  share of ALL offered calls answered within t (abandoned calls count as failures)
    asa            mean wait of answered calls, seconds (inf when none are answered in steady state)
    abandon        share of offered calls that abandon (0 under Erlang C)
    occupancy      share of agents' time spent on calls
    mean_queue     mean number of callers waiting
    """

    p_wait: np.ndarray
    service_level: np.ndarray
    asa: np.ndarray
    abandon: np.ndarray
    occupancy: np.ndarray
    mean_queue: np.ndarray


def _agents(n) -> np.ndarray:
    arr = np.asarray(n)
    if arr.dtype.kind not in "iu":
        as_float = arr.astype(float)
        if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
            raise SchedulingError(f"agents n must be whole numbers, got {n!r}")
    arr = arr.astype(np.int64)
    if np.any(arr < 0):
        raise SchedulingError(f"agents n must be >= 0, got {n!r}")
    return arr


def _non_negative(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise SchedulingError(f"{name} must be finite and >= 0, got {x!r}")
    return arr


def _positive(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise SchedulingError(f"{name} must be finite and > 0, got {x!r}")
    return arr


# --------------------------------------------------------------------------- Erlang B and C


def log_erlang_b(n, load) -> np.ndarray:
    """Natural log of the Erlang B blocking probability B(n, load).

    Uses the classic recurrence B(k) = a B(k-1) / (k + a B(k-1)), carried in log space: it
    never overflows (unlike sums of a^k/k!) and small B does not underflow to 0.
    """
    n, load = np.broadcast_arrays(_agents(n), _non_negative(load, "load"))
    with np.errstate(divide="ignore"):
        log_a = np.log(load)
    log_b = np.zeros(n.shape)
    for k in range(1, int(n.max(initial=0)) + 1):
        log_ab = log_a + log_b
        log_b = np.where(k <= n, log_ab - np.log(k + np.exp(log_ab)), log_b)
    return log_b


def erlang_b(n, load) -> np.ndarray:
    """Erlang B: probability that a call finds all n servers busy in M/M/n/n."""
    return np.exp(log_erlang_b(n, load))


def erlang_c(n, load) -> np.ndarray:
    """Erlang C: probability that a call waits in M/M/n (1 when n <= load, 0 when load is 0)."""
    n, load = np.broadcast_arrays(_agents(n), _non_negative(load, "load"))
    b = erlang_b(n, load)
    stable = n > load
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(stable, n * b / (n - load * (1.0 - b)), 1.0)
    return np.where(load == 0, 0.0, c)


def service_level_c(n, load, aht, t) -> np.ndarray:
    """Erlang C share of calls answered within t seconds: 1 - C exp(-(n mu - lambda) t)."""
    n, load, aht, t = np.broadcast_arrays(
        _agents(n), _non_negative(load, "load"), _positive(aht, "aht"), _non_negative(t, "t")
    )
    decay = np.exp(-np.maximum(n - load, 0.0) * t / aht)
    sl = np.where(n > load, 1.0 - erlang_c(n, load) * decay, 0.0)
    return np.where(load == 0, 1.0, sl)


def asa_c(n, load, aht) -> np.ndarray:
    """Erlang C average speed of answer in seconds: C aht / (n - load); inf when n <= load."""
    n, load, aht = np.broadcast_arrays(
        _agents(n), _non_negative(load, "load"), _positive(aht, "aht")
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(n > load, erlang_c(n, load) * aht / (n - load), np.inf)
    return np.where(load == 0, 0.0, asa)


def occupancy_c(n, load) -> np.ndarray:
    """Erlang C occupancy load / n, capped at 1 (agents are saturated when n <= load)."""
    n, load = np.broadcast_arrays(_agents(n), _non_negative(load, "load"))
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(load / n, 1.0), np.nan)
    return np.where(load == 0, 0.0, occ)


def erlang_c_measures(n, load, aht, t) -> QueueMeasures:
    """All Erlang C measures at once (abandon is 0 by assumption)."""
    n, load, aht, t = np.broadcast_arrays(_agents(n), np.asarray(load, float), aht, t)
    c = erlang_c(n, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_queue = np.where(n > load, c * load / (n - load), np.inf)
    return QueueMeasures(
        p_wait=c,
        service_level=service_level_c(n, load, aht, t),
        asa=asa_c(n, load, aht),
        abandon=np.zeros(n.shape),
        occupancy=occupancy_c(n, load),
        mean_queue=np.where(load == 0, 0.0, mean_queue),
    )


# --------------------------------------------------------------------------- Erlang A


def _queue_cap(n: np.ndarray, load: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Queue length beyond which the stationary weights are below exp(-_LOG_TOL) of the peak.

    With k waiting, the weight ratio q(k)/q(k-1) is load / (n + k r), r = theta/mu. The
    weights peak at k* = (load - n)/r and fall past it at least like a Gaussian of variance
    load/r (sum of log(1 + i r/load)) and, when n > load, at least geometrically with ratio
    load/(n + r); the cap adds to k* the fewer steps that either bound needs.
    """
    peak = np.ceil(np.maximum(load - n, 0.0) / r)
    gaussian = np.minimum(np.sqrt(4.0 * _LOG_TOL * load / r), load / r + 2.0 * _LOG_TOL)
    with np.errstate(divide="ignore"):
        geometric = np.where(n + r > load, _LOG_TOL / np.log((n + r) / load), np.inf)
    return (peak + np.ceil(np.minimum(gaussian, geometric)) + 1).astype(np.int64)


def _erlang_a_block(n, load, r, x, patience, cap) -> tuple[np.ndarray, ...]:
    """Erlang A measures for 1-D arrays with load > 0, queue lengths 0..max(cap)."""
    k = np.arange(int(cap.max()) + 1)
    with np.errstate(divide="ignore"):
        log_ratio = np.log(load)[:, None] - np.log(n[:, None] + k[None, 1:] * r[:, None])
    # log q(k): weight of state n + k relative to state n.
    log_q = np.concatenate([np.zeros((len(n), 1)), np.cumsum(log_ratio, axis=1)], axis=1)
    log_q[k[None, :] > cap[:, None]] = -np.inf
    log_b = log_erlang_b(n, load)
    # Weight of the states below n relative to state n is 1/B - 1 (Erlang B identity).
    with np.errstate(divide="ignore"):
        log_below = np.log1p(-np.exp(log_b)) - log_b
    log_z = np.logaddexp(log_below, logsumexp(log_q, axis=1))
    weight = np.exp(log_q - log_z[:, None])  # P(arrival finds k waiting ahead)
    p_free = np.exp(log_below - log_z)

    c = n / r  # n mu / theta
    served = c[:, None] / (c[:, None] + k[None, :] + 1.0)  # P(answered | k ahead)
    answered = p_free + np.sum(weight * served, axis=1)
    # P(answered within t | k ahead) = served * I_x(k+1, c+1): only where the weight matters.
    within = np.zeros_like(weight)
    live = weight > np.exp(-_LOG_TOL)
    rows, cols = np.nonzero(live)
    within[rows, cols] = betainc(cols + 1.0, c[rows] + 1.0, x[rows])
    service_level = p_free + np.sum(weight * served * within, axis=1)
    # Given k ahead and eventual answer, each of the k+1 stages lasts Exp(n mu + (i+1) theta).
    wait_if_served = patience[:, None] * (digamma(c[:, None] + k[None, :] + 2.0) - digamma(c[:, None] + 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        asa = np.sum(weight * served * wait_if_served, axis=1) / answered
        occupancy = load * answered / n
    asa = np.where(answered > 0, asa, np.inf)
    mean_queue = np.sum(weight * k[None, :], axis=1)
    p_wait = 1.0 - p_free
    return p_wait, service_level, asa, 1.0 - answered, occupancy, mean_queue


def erlang_a(n, load, aht, patience, t) -> QueueMeasures:
    """Erlang A (M/M/n+M) measures from the exact stationary distribution of the birth-death chain.

    States are the number of callers present; births at rate lambda, deaths at
    min(s, n) mu + max(s - n, 0) theta with theta = 1/patience. The chain is truncated where
    the remaining weight is negligible (see ``_queue_cap``). Service level counts
    abandoned calls as failures; an arrival with k callers ahead is answered within t with
    probability c/(c+k+1) I_{1-exp(-theta t)}(k+1, c+1), c = n mu / theta.
    """
    n, load, aht, patience, t = np.broadcast_arrays(
        _agents(n),
        _non_negative(load, "load"),
        _positive(aht, "aht"),
        _positive(patience, "patience"),
        _non_negative(t, "t"),
    )
    shape = n.shape
    n, load, aht, patience, t = (np.ravel(v) for v in (n, load, aht, patience, t))
    out = {
        "p_wait": np.zeros(n.size),
        "service_level": np.ones(n.size),
        "asa": np.zeros(n.size),
        "abandon": np.zeros(n.size),
        "occupancy": np.zeros(n.size),
        "mean_queue": np.zeros(n.size),
    }
    busy = np.flatnonzero(load > 0)
    r = aht / patience
    cap = np.zeros(n.size, dtype=np.int64)
    cap[busy] = _queue_cap(n[busy], load[busy], r[busy])
    for rows in _chunks(busy, cap):
        values = _erlang_a_block(
            n[rows], load[rows], r[rows], -np.expm1(-t[rows] / patience[rows]), patience[rows], cap[rows]
        )
        for name, value in zip(out, values):
            out[name][rows] = value
    return QueueMeasures(**{name: value.reshape(shape) for name, value in out.items()})


def _chunks(rows: np.ndarray, cap: np.ndarray):
    """Split ``rows`` (sorted by cap) into blocks of at most _CELL_BUDGET cells each."""
    rows = rows[np.argsort(cap[rows], kind="stable")]
    start = 0
    while start < rows.size:
        cells = (np.arange(1, rows.size - start + 1)) * (cap[rows[start:]] + 1)
        stop = start + max(1, int(np.searchsorted(cells, _CELL_BUDGET, side="right")))
        yield rows[start:stop]
        start = stop


def queue_measures(n, load, aht, t, patience=None) -> QueueMeasures:
    """Erlang C measures when ``patience`` is None, Erlang A measures otherwise."""
    if patience is None:
        return erlang_c_measures(n, load, aht, t)
    return erlang_a(n, load, aht, patience, t)


# --------------------------------------------------------------------------- staffing


def square_root_staffing(load, beta) -> np.ndarray:
    """Halfin-Whitt square-root staffing: ceil(R + beta sqrt(R)) agents for load R."""
    load = _non_negative(load, "load")
    return np.ceil(load + np.asarray(beta, float) * np.sqrt(load)).astype(np.int64)


@dataclass(frozen=True)
class _Targets:
    service_level: float
    answer_within_s: float
    patience: float | None
    max_abandon: float | None
    max_asa_s: float | None
    max_occupancy: float | None

    def met(self, m: QueueMeasures) -> np.ndarray:
        ok = m.service_level >= self.service_level - _TARGET_TOL
        if self.max_abandon is not None:
            ok &= m.abandon <= self.max_abandon + _TARGET_TOL
        if self.max_asa_s is not None:
            ok &= m.asa <= self.max_asa_s + _TARGET_TOL
        if self.max_occupancy is not None:
            ok &= m.occupancy <= self.max_occupancy + _TARGET_TOL
        return ok


def agents_needed(
    load,
    aht,
    *,
    service_level: float,
    answer_within_s: float,
    patience: float | None = None,
    max_abandon: float | None = None,
    max_asa_s: float | None = None,
    max_occupancy: float | None = None,
    min_agents: int = 0,
    max_agents: int = 10_000,
) -> np.ndarray:
    """Fewest agents (>= min_agents) meeting every given target, per element of ``load``.

    Erlang C when ``patience`` is None, Erlang A otherwise. Elements with zero load get
    ``min_agents``. The search brackets the answer from a count known to fail (Erlang C:
    n <= load; Erlang A: answered share <= n/load) and bisects, relying on every measure
    improving as agents are added. Raises InfeasibleTargetError naming the elements that
    no count up to ``max_agents`` satisfies.
    """
    load, aht = np.broadcast_arrays(_non_negative(load, "load"), _positive(aht, "aht"))
    shape = load.shape
    load, aht = load.ravel(), aht.ravel()
    if not 0.0 < service_level < 1.0:
        raise SchedulingError(f"service_level must lie strictly between 0 and 1, got {service_level}")
    targets = _Targets(service_level, answer_within_s, patience, max_abandon, max_asa_s, max_occupancy)

    def met(n: np.ndarray, rows: np.ndarray) -> np.ndarray:
        m = queue_measures(n, load[rows], aht[rows], answer_within_s, patience)
        return targets.met(m)

    lo = np.maximum(_known_failure(load, targets), min_agents - 1)
    rows = np.flatnonzero(load > 0)
    hi = _bracket(lo, rows, load, met, max_agents)
    while True:
        open_rows = rows[hi[rows] - lo[rows] > 1]
        if open_rows.size == 0:
            break
        mid = (lo[open_rows] + hi[open_rows]) // 2
        ok = met(mid, open_rows)
        hi[open_rows[ok]] = mid[ok]
        lo[open_rows[~ok]] = mid[~ok]
    result = np.full(load.size, int(min_agents), dtype=np.int64)
    result[rows] = hi[rows]
    return result.reshape(shape)


def _known_failure(load: np.ndarray, targets: _Targets) -> np.ndarray:
    """A count of agents that certainly misses the targets (-1 where none is known)."""
    if targets.patience is None:
        # Erlang C with n <= load is unstable: service level 0.
        return np.where(load > 0, np.floor(load), -1).astype(np.int64)
    # Erlang A: answered share <= n/load, so n < target x load misses both SL and abandonment.
    share = targets.service_level
    if targets.max_abandon is not None:
        share = max(share, 1.0 - targets.max_abandon)
    return (np.ceil(share * load) - 1).astype(np.int64)


def _bracket(lo, rows, load, met, max_agents) -> np.ndarray:
    """Counts that meet the targets, found by doubling steps up from ``lo``; updates ``lo``."""
    hi = lo.copy()
    step = np.maximum(1, np.ceil(np.sqrt(load))).astype(np.int64)
    todo = rows
    while todo.size:
        hi[todo] = np.minimum(lo[todo] + step[todo], max_agents)
        ok = met(hi[todo], todo)
        failed = todo[~ok]
        stuck = failed[hi[failed] >= max_agents]
        if stuck.size:
            raise InfeasibleTargetError(
                f"no staffing up to {max_agents} agents meets the targets "
                f"at element(s) {stuck[:5].tolist()}",
                tuple(int(p) for p in stuck),
            )
        lo[failed] = hi[failed]
        step[failed] *= 2
        todo = failed
    return hi
