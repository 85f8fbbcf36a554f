"""What callers do beyond waiting: call again after hanging up or after an unresolved answer,
and take a callback. Decided per call from uniforms drawn up front, so the event loop only
looks flags up; calls made during the run (redials, repeats) are drawn one at a time from the
replication's behaviour stream.

The per-call lists live in a ``Book`` that grows as calls are added: the router and the
handlers hold references to its lists, so a call added mid-run is visible to both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from .arrivals import CallDraws, patience_draws
from .config import SimulationConfig

FIRST, REDIAL, REPEAT = 0, 1, 2
KINDS = ("first", "redial", "repeat")
# callback state of a call
NO_CALLBACK, CALLBACK_OK, CALLBACK_FAILS = 0, 1, 2


class Book:
    """Per-call lists (index = call id) shared by the router and the handlers."""

    def __init__(self, calls: CallDraws, busy: list, mean_busy: list | None = None):
        n = len(calls)
        self.queue = calls.queue.tolist()
        self.arrival = calls.arrival.tolist()
        self.patience = calls.patience.tolist()
        self.deadline = (calls.arrival + calls.patience).tolist()
        self.handle = calls.handle.tolist()
        self.interval = calls.interval.tolist()
        self.kind = [FIRST] * n if calls.kind is None else calls.kind.tolist()
        self.busy = busy
        self.mean_busy = mean_busy
        self.answered_at = [np.nan] * n
        self.server = [-1] * n
        self.state = [NO_CALLBACK] * n
        self.redial_to = [-1] * n
        self.repeat = [False] * n
        self.accept = [False] * n
        self.success = [True] * n

    def __len__(self) -> int:
        return len(self.arrival)

    def draws(self) -> CallDraws:
        return CallDraws(np.array(self.arrival, float), np.array(self.queue, np.int64),
                         np.array(self.interval, np.int64), np.array(self.handle, float),
                         np.array(self.patience, float), np.array(self.kind, np.int8))


@dataclass
class Behaviour:
    """Config per queue as arrays, the horizon, and the stream for calls made during the run."""

    config: SimulationConfig
    aht: np.ndarray  # (queues, intervals) mean talk time; 0 where no calls are expected
    interval_s: float
    n_intervals: int
    rng: np.random.Generator

    def __post_init__(self):
        qs = self.config.queues
        self.acw = np.array([q.after_call_s for q in qs])
        self.redial_same = np.array([q.redial_same for q in qs])
        self.redial_any = self.redial_same + np.array([q.redial_other for q in qs])
        names = self.config.queue_names
        self.redial_other = np.array([names.index(q.redial_other_queue) if q.redial_other_queue else -1 for q in qs])
        self.redial_delay = np.array([q.redial_delay_s for q in qs])
        self.repeat_share = np.array([q.repeat_share for q in qs])
        self.repeat_delay = np.array([q.repeat_delay_s for q in qs])
        self.callbacks = np.array([q.has_callbacks for q in qs])
        self.accept = np.array([q.callback_accept for q in qs])
        self.success = np.array([q.callback_success for q in qs])
        # a queue's overall mean talk time, for calls made in an interval with none expected
        with np.errstate(invalid="ignore"):
            overall = np.array([row[row > 0].mean() if (row > 0).any() else 0.0 for row in self.aht])
        self.fallback_aht = np.where(self.aht > 0, self.aht, overall[:, None])

    @property
    def active(self) -> bool:
        """Anything beyond the plain model (after-call work alone needs no extras in the loop)."""
        return bool(self.redial_any.any() or self.repeat_share.any() or self.callbacks.any())

    def busy(self, calls: CallDraws) -> np.ndarray:
        return calls.handle + self.acw[calls.queue]

    def mean_busy(self, calls: CallDraws) -> np.ndarray:
        return self.fallback_aht[calls.queue, calls.interval] + self.acw[calls.queue]

    def flag(self, book: Book, first: int, queue: np.ndarray, patience: np.ndarray, u: np.ndarray) -> None:
        """Set the behaviour flags of calls first.. from uniforms ``u`` (4 columns)."""
        redial = (u[:, 0] < self.redial_any[queue]) & np.isfinite(patience)
        to = np.where(u[:, 0] < self.redial_same[queue], queue, self.redial_other[queue])
        last = first + len(queue)
        book.redial_to[first:last] = np.where(redial, to, -1).tolist()
        book.repeat[first:last] = (u[:, 1] < self.repeat_share[queue]).tolist()
        book.accept[first:last] = (self.callbacks[queue] & (u[:, 2] < self.accept[queue])).tolist()
        book.success[first:last] = (u[:, 3] < self.success[queue]).tolist()

    def offer_delay(self, q: int) -> float:
        """A call made during the run waits its queue's offer delay too (0 without one)."""
        delay = self.config.queues[q].offer_delay
        return 0.0 if delay is None else float(delay.sample(self.rng.random(1))[0])

    def new_call(self, book: Book, q: int, t: float, kind: int) -> int | None:
        """Add a call on queue ``q`` at time ``t``; None if it would arrive after the horizon."""
        interval = int(t // self.interval_s)
        if interval >= self.n_intervals:
            return None
        u = self.rng.random(6)
        qc = self.config.queues[q]
        mean = self.fallback_aht[q, interval]
        if qc.handle == "lognormal":
            sigma = np.sqrt(np.log1p(qc.handle_cv ** 2))
            handle = float(mean * np.exp(sigma * ndtri(u[0]) - sigma**2 / 2))
        else:
            handle = float(-mean * np.log1p(-u[0]))
        patience = float(patience_draws(qc, u[1:2])[0])
        i = len(book)
        book.queue.append(q)
        book.arrival.append(t)
        book.patience.append(patience)
        book.deadline.append(t + patience)
        book.handle.append(handle)
        book.interval.append(interval)
        book.kind.append(kind)
        book.busy.append(handle + self.acw[q])
        book.mean_busy.append(mean + self.acw[q])
        book.answered_at.append(np.nan)
        book.server.append(-1)
        book.state.append(NO_CALLBACK)
        for name in ("redial_to", "repeat", "accept", "success"):
            getattr(book, name).append(None)
        self.flag(book, i, np.array([q]), np.array([patience]), u[None, 2:])
        return i
