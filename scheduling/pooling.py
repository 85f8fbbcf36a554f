"""Staffing one pool of handlers that answers several lines, higher priority first.

Summing each line's own requirement misses how priority works in a shared pool: priority is
non-preemptive, so a 999 caller who finds every handler busy (most of them on 101 calls)
waits for the next handler to come free, whichever line they were on. For an M/M/n queue
with equal handle times and non-preemptive priority that wait is exact and simple: a
top-priority caller waits only if all n are busy, which happens with the Erlang C
probability of the *total* load, and then waits behind top-priority callers only, served at
rate n*mu - lambda_top, so

    SL_top(t) = 1 - C(n, A_total) * exp(-(n*mu - lambda_top) * t).

(Davis 1966, "Waiting-time distribution of a multi-server, priority queuing system",
Operations Research 14(1); the same result is in Kella and Yechiali 1985.) That is exact when
nobody hangs up. Lower-line callers who hang up thin the queue and so make "all n busy"
rarer: C(n, A_total) then under-states the top line's service level, by 5-20 points at
20 Erlangs in simulation, which over-staffs the pool. So P(all busy) is taken from Erlang A
for the total load, waiting callers leaving at the lower lines' abandonment rates weighted by
their share of all arrivals; that under-counts abandonment (the queue holds more lower-line
callers than arrivals do) and errs towards more staff by about a point
(benchmarks/pooled_priority.py).

Lower-priority lines see the handlers the lines above leave them. Because higher-priority
calls are answered almost at once, the number of handlers busy with them is close to
Poisson(higher load) (the preemptive-priority view: M/M/infinity for the top line), and a
lower line's service level is its own model's (Erlang C or A) with n - N handlers, averaged
over N. The plain residual capacity n - higher load ignores how the top line's calls come and
go and over-states the lower line's service level (see _LowerLine). So the pool is the fewest
handlers meeting BOTH targets: 999 judged on the total load, 101 on what 999 leaves it. In a
control room shaped like the demo (999 at 90% in 10 s) the 999 target on the total load is
the binding one, which is why the 101 target barely moves the pool; the 101 target binds
when it is tight or 999's is loose. Handle times differ between lines, so mu is that of the
calls-weighted mean handle time.

Absence: rostered heads are not all present. With each head absent independently with
probability ``absence_rate`` (whole-shift absence: sickness, leave), the handlers present
are Binomial(heads, 1 - absence_rate), and the heads chosen are the fewest whose *expected*
service level over that distribution meets every target. Grossing agents up by
1 / (1 - absence) instead aims at an average day; at high absence that misses the target,
because service level falls faster below the target than it rises above it (at low absence
the rounding up of agents can make a head or two fewer enough).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from . import schema as s
from scipy import stats

from .erlang import erlang_a, erlang_c, queue_measures
from .errors import SchedulingError
from .staffing import QueueTarget
from .intervals import interval_length, require_columns

AGENTS_CAP = 2_000


def pooled_requirement(
    requirement: pd.DataFrame,
    targets: Mapping[str, QueueTarget],
    priorities: Mapping[str, int],
    absence_rate: float = 0.0,
    on_shift: float = 0.0,
) -> pd.DataFrame:
    """Agents and heads for one pool answering every queue of ``requirement``.

    ``requirement`` is the per-queue output of ``staffing.requirement`` (its calls and aht
    are used; its per-queue agents give a floor). Returns [interval_start, agents, required]
    per interval: ``agents`` present needed with nobody absent, ``required`` the heads to
    roster so that, with ``absence_rate`` of them away at random, every target is still met
    in expectation. ``on_shift`` is the share of a present head's time lost on shift (breaks,
    training, abstraction): x heads present answer as floor(x (1 - on_shift)) agents. The
    targets' own shrinkage is not applied here: ``absence_rate`` and ``on_shift`` are it.
    """
    for name, value in (("absence_rate", absence_rate), ("on_shift", on_shift)):
        if not 0.0 <= value < 1.0:
            raise SchedulingError(f"pooled requirement: {name} must be from 0 up to 1, got {value}")
    require_columns(requirement, (s.QUEUE, s.INTERVAL_START, s.CALLS, s.AHT, s.AGENTS), "requirement")
    queues = sorted(requirement[s.QUEUE].unique(), key=lambda q: _priority(priorities, q))
    missing = [q for q in queues if q not in targets]
    if missing:
        raise SchedulingError(f"pooled requirement: no target for queue {missing[0]!r}")
    wide = requirement.pivot(index=s.INTERVAL_START, columns=s.QUEUE, values=[s.CALLS, s.AHT, s.AGENTS])
    seconds = interval_length(wide.index, "requirement").total_seconds()
    calls = wide[s.CALLS][queues].to_numpy(float)
    aht = np.where(calls > 0, wide[s.AHT][queues].to_numpy(float), 1.0)
    pool = _Pool(calls / seconds, aht, [targets[q] for q in queues])
    agents = pool.fewest(floor=wide[s.AGENTS][queues].to_numpy().max(axis=1))
    heads = agents if absence_rate == on_shift == 0 else pool.fewest_heads(agents, absence_rate, on_shift)
    return pd.DataFrame({s.INTERVAL_START: wide.index, s.AGENTS: agents, s.REQUIRED: heads})


def _priority(priorities: Mapping[str, int], queue: str) -> int:
    if queue not in priorities:
        raise SchedulingError(f"pooled requirement: no priority for queue {queue!r}")
    return priorities[queue]


class _Pool:
    """Per-interval arrival rates and handle times of the queues, highest priority first."""

    def __init__(self, rate: np.ndarray, aht: np.ndarray, targets: list[QueueTarget]):
        self.rate, self.aht, self.targets = rate, aht, targets
        self.goal = np.array([t.service_level for t in targets]) - 1e-12
        self.min_agents = sum(t.min_agents for t in targets)
        # Every handler in a pool shares its occupancy, so the tightest cap of any queue applies.
        caps = [t.max_occupancy for t in targets if t.max_occupancy is not None]
        self.max_occupancy = min(caps) if caps else None
        load = rate * aht
        higher = np.cumsum(load, axis=1)[:, :-1]
        self.lower = [_LowerLine(higher[:, k - 1], load[:, k], aht[:, k], targets[k])
                      for k in range(1, len(targets))]
        # Waiting callers who hang up thin the queue the top line waits behind. Weighting each lower
        # line's abandonment rate by its share of ALL arrivals under-counts it (the queue holds
        # more lower-line callers than arrivals do, the top line being served first): it errs
        # towards more staff.
        theta = np.array([0.0] + [1.0 / t.patience if t.patience else 0.0 for t in targets[1:]])
        total_rate = rate.sum(axis=1)
        shares = np.divide(rate, total_rate[:, None], out=np.zeros_like(rate), where=total_rate[:, None] > 0)
        self.top = _TopLine(rate[:, 0], load.sum(axis=1), total_rate, shares @ theta,
                            targets[0].answer_within_s)

    def service_levels(self, n: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(len(rows), queues) service levels with n agents present; 1 where a queue has no calls."""
        rate, aht = self.rate[rows], self.aht[rows]
        load = rate * aht
        out = np.empty(load.shape)
        out[:, 0] = self.top.service_level(n, rows)
        for k, line in enumerate(self.lower, start=1):
            out[:, k] = line.service_level(n, rows)
        out = np.where(load > 0, out, 1.0)
        if self.max_occupancy is not None:
            # Offered load over agents: abandoned 101 calls make the true occupancy a little lower.
            with np.errstate(divide="ignore", invalid="ignore"):
                over = load.sum(axis=1) > self.max_occupancy * n + 1e-12
            out[over] = 0.0
        return out

    def fewest(self, floor: np.ndarray) -> np.ndarray:
        """Smallest n per interval (>= floor, >= the queues' minimum agents) meeting every target."""
        n = np.maximum(floor, self.min_agents).astype(np.int64)
        todo = np.arange(len(n))
        while todo.size:
            todo = todo[(self.service_levels(n[todo], todo) < self.goal).any(axis=1)]
            n[todo] += 1
            if (n > AGENTS_CAP).any():
                raise SchedulingError(f"pooled requirement: no pool of up to {AGENTS_CAP} agents meets the targets")
        return n

    def fewest_heads(self, agents: np.ndarray, absence: float, on_shift: float = 0.0) -> np.ndarray:
        """Smallest heads H whose expected service level over Binomial(H, 1 - absence) present meets targets.

        Found by bisection: the expectation rises with H (more heads, stochastically more present).
        """
        worth = 1.0 - on_shift   # agents a present head is worth
        top = int(np.ceil(agents.max() / ((1 - absence) * worth) * 1.5)) + 10
        present = np.arange(top + 1)
        answering = np.floor(present * worth + 1e-9).astype(np.int64)
        rows = np.arange(len(agents))
        table = np.stack([self.service_levels(np.full(len(rows), x), rows) for x in answering], axis=1)

        def meets(heads: np.ndarray, which: np.ndarray) -> np.ndarray:
            pmf = stats.binom.pmf(present[None, :], heads[:, None], 1 - absence)
            expected = np.einsum("rx,rxq->rq", pmf, table[which])
            return (expected >= self.goal).all(axis=1) & (heads * (1 - absence) * worth >= self.min_agents)

        hi = np.ceil(agents / ((1 - absence) * worth) - 1e-9).astype(np.int64)
        todo = rows
        while todo.size:
            todo = todo[~meets(hi[todo], todo)]
            hi[todo] += 1
            if (hi[todo] > top).any():
                raise SchedulingError("pooled requirement: absence is too high for any pool to meet the targets")
        lo = np.full(len(rows), -1, dtype=np.int64)   # meets nothing: bisect (lo, hi]
        while (open_ := rows[hi - lo > 1]).size:
            mid = (lo[open_] + hi[open_]) // 2
            ok = meets(mid, open_)
            hi[open_[ok]] = mid[ok]
            lo[open_[~ok]] = mid[~ok]
        return hi


class _TopLine:
    """The top line's service level by pool size, cached per interval (the searches ask for many n)."""

    def __init__(self, rate_top, total_load, total_rate, abandon_rate, t):
        self.args = (rate_top, total_load, total_rate, t)
        self.abandon_rate = abandon_rate
        self.table = np.empty((len(rate_top), 0))

    def service_level(self, n: np.ndarray, rows: np.ndarray) -> np.ndarray:
        n = np.asarray(n, dtype=np.int64)
        most = int(n.max(initial=0))
        have = self.table.shape[1]
        if most >= have:
            m = np.arange(have, max(most + 1, 2 * have))
            rate_top, total_load, total_rate, t = self.args
            size = len(rate_top)
            level = _top_service_level(np.tile(m, size), *(np.repeat(v, m.size) for v in
                                                           (rate_top, total_load, total_rate)),
                                       t, np.repeat(self.abandon_rate, m.size))
            self.table = np.concatenate([self.table, level.reshape(size, m.size)], axis=1)
        return self.table[rows, n]


class _LowerLine:
    """A lower line's service level on the handlers the lines above leave it, averaged over how many that is.

    Handlers busy with higher-priority calls are taken as Poisson(higher load): those calls are
    answered almost at once, so their number in service is close to the M/M/infinity law (the
    preemptive-priority view, in which the top line sees the pool as if the lower lines were not
    there). The line is judged by its own model (Erlang C or A) with n - N handlers, weighted by
    P(N). Using the mean n - higher load instead (residual capacity) ignores how the top line's
    calls come and go, and over-states the lower line's service level: by 2-4 points at 22-26
    handlers for 5 + 15 Erlangs in simulation (tests/test_scheduling_pooling.py).
    Service levels by handlers left are cached per interval: the searches ask for many n.
    """

    def __init__(self, higher: np.ndarray, load: np.ndarray, aht: np.ndarray, target: QueueTarget):
        self.load, self.aht, self.target = load, aht, target
        top = int(np.ceil(higher.max(initial=0) + 10 * np.sqrt(higher.max(initial=0)) + 10))
        busy = np.arange(top + 1)
        weight = stats.poisson.pmf(busy[None, :], higher[:, None])
        weight[:, -1] += 1 - weight.sum(axis=1)     # the far tail joins the last term
        keep = weight.max(axis=0) > 1e-12            # terms that matter for some interval
        self.busy, self.weight = busy[keep], weight[:, keep]
        self.table = np.empty((len(load), 0))        # service level with m handlers left, m = 0, 1, ...

    def service_level(self, n: np.ndarray, rows: np.ndarray) -> np.ndarray:
        n = np.asarray(n, dtype=np.int64)
        self._extend(int(n.max(initial=0)))
        left = np.maximum(n[:, None] - self.busy[None, :], 0)
        return np.einsum("rk,rk->r", self.weight[rows], self.table[rows[:, None], left])

    def _extend(self, most: int) -> None:
        have = self.table.shape[1]
        if most < have:
            return
        m = np.arange(have, max(most + 1, 2 * have))
        rows = len(self.load)
        level = queue_measures(np.tile(m, rows), np.repeat(self.load, m.size), np.repeat(self.aht, m.size),
                               self.target.answer_within_s, self.target.patience).service_level
        self.table = np.concatenate([self.table, level.reshape(rows, m.size)], axis=1)


def _top_service_level(n, rate_top, total_load, total_rate, t, abandon_rate=None) -> np.ndarray:
    """The top line's service level: 1 - P(all n busy) e^{-(n mu - lambda_top) t}.

    Without abandonment (``abandon_rate`` None or 0) P(all busy) is C(n, A), and the result is
    exact for M/M/n with non-preemptive priority and one handle time. Where lower lines' callers
    hang up, the queue is thinned by them: P(all busy) is then Erlang A's P(wait) for the total
    load with each waiting caller leaving at ``abandon_rate`` per second (see _Pool).
    """
    n = np.asarray(n, dtype=np.int64)
    pool_aht = np.where(total_rate > 0, total_load / np.where(total_rate > 0, total_rate, 1), 1.0)
    theta = np.zeros(n.shape) if abandon_rate is None else np.broadcast_to(abandon_rate, n.shape)
    stable = n > total_load
    wait = erlang_c(np.where(stable, n, 1), np.where(stable, total_load, 0.0))
    level = np.where(stable, 1.0 - wait, 0.0)
    thinned = theta > 0
    if thinned.any():
        level = level.copy()
        m = erlang_a(n[thinned], total_load[thinned], pool_aht[thinned], 1.0 / theta[thinned], t)
        level[thinned] = 1.0 - m.p_wait
    top_served = n / pool_aht > rate_top       # the top line's own queue is stable
    decay = np.exp(-np.maximum(n / pool_aht - rate_top, 0) * t)
    return np.where(top_served & (total_load > 0), 1.0 - (1.0 - level) * decay,
                    np.where(total_load > 0, 0.0, 1.0))
