"""What callers are offered: 101 callbacks (a virtual queue), the simulation's own.

A caller who arrives when the expected wait is over offer_above_wait_s is offered a callback;
accept_share of them take it and leave the live line for the callback line, which handlers
serve after every live line; success_share of callbacks reach the caller (a failed attempt
takes a handler attempt_s and leaves the call unresolved). Callbacks appear in kpi_intervals.csv
(callbacks per interval) and the callers who take one no longer abandon.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from simulation import SimulationConfig

from .base import Change, Context, number, share


@dataclass(frozen=True)
class Callbacks(Change):
    """Callbacks on (or off, with enabled = false) for one queue, 101 by default."""

    KIND = "callbacks"
    SUMMARY = "callbacks on or off for a queue (101 by default): a virtual queue"
    enabled: bool = True
    queue: str = "101"
    offer_above_wait_s: float = 120.0
    accept_share: float = 0.125
    success_share: float = 0.965
    attempt_s: float = 60.0

    def __post_init__(self):
        if not isinstance(self.enabled, bool):
            raise ValueError(f"enabled must be true or false, got {self.enabled!r}")
        if not isinstance(self.queue, str) or not self.queue:
            raise ValueError(f"queue must be a queue name such as \"101\", got {self.queue!r}")
        number("offer_above_wait_s", self.offer_above_wait_s, low=0)
        share("accept_share", self.accept_share)
        share("success_share", self.success_share)
        number("attempt_s", self.attempt_s, low=0)

    def simulation(self, config: SimulationConfig, ctx: Context) -> SimulationConfig:
        if self.queue not in config.queue_names:
            raise self.fail(f"queue {self.queue!r} is not in the plan; queues: {', '.join(config.queue_names)}")
        queues = tuple(self._set(q) if q.name == self.queue else q for q in config.queues)
        return dataclasses.replace(config, queues=queues)

    def _set(self, q):
        if not self.enabled:
            return dataclasses.replace(q, callback_over_s=None)
        return dataclasses.replace(q, callback_over_s=float(self.offer_above_wait_s),
                                   callback_accept=float(self.accept_share),
                                   callback_success=float(self.success_share),
                                   callback_attempt_s=float(self.attempt_s))

    def describe(self) -> str:
        if not self.enabled:
            return f"{self.KIND}: off for {self.queue}"
        return (f"{self.KIND}: {self.queue} callers offered a callback when the wait is over "
                f"{self.offer_above_wait_s:g}s, {self.accept_share:.0%} accept, {self.success_share:.0%} reached")
