"""One replication: build the SimPy environment from the drawn calls and the staff, run it, collect.

The event loop does little per call (an arrival timeout, a handling timeout, a list write): all
randomness was drawn beforehand (arrivals) and all tables are built afterwards (records, kpi).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from .arrivals import CallDraws
from .handler import handler_day
from .routing import Handler, Router
from .staffing import Staff


@dataclass(frozen=True)
class Outcome:
    """What happened to each call (same order as CallDraws) and when handlers were logged in.

    answered_at is NaN and server -1 for calls not answered: those with finite patience hung
    up at arrival + patience; those with infinite patience were still waiting when the last
    handler went home (unresolved).
    """

    answered_at: np.ndarray
    server: np.ndarray
    logged: np.ndarray  # (segments, 3): handler index, from_s, to_s


def callers(env, arrival, router: Router):
    """Calls arrive at their drawn times and are offered to the router."""
    timeout, offer = env.timeout, router.offer
    clock = env.now  # our own copy: reading env.now per call is a noticeable share of the loop
    for i, t in enumerate(arrival):
        if t > clock:
            yield timeout(t - clock)
            clock = t
        offer(i)


def run_replication(calls: CallDraws, staff: Staff, priorities: tuple[int, ...]) -> Outcome:
    env = simpy.Environment()
    arrival = calls.arrival.tolist()
    deadline = (calls.arrival + calls.patience).tolist()
    router = Router(env, calls.queue.tolist(), arrival, deadline, priorities, staff.skill_groups)
    answered_at, server, logged = [np.nan] * len(calls), [-1] * len(calls), []
    handle = calls.handle.tolist()
    for index, windows in enumerate(staff.windows):
        env.process(handler_day(env, Handler(index), windows, router, handle, answered_at, server, logged))
    env.process(callers(env, arrival, router))
    env.run()
    return Outcome(np.array(answered_at, dtype=float), np.array(server, dtype=np.int64),
                   np.array(logged, dtype=float).reshape(-1, 3))
