"""One replication: build the SimPy environment from the drawn calls and the staff, run it, collect.

The event loop does little per call (an arrival timeout, a handling timeout, a list write): all
randomness was drawn beforehand (arrivals, behaviour flags) and all tables are built afterwards
(records, kpi). Calls made during the run (redials, repeats) are appended to the Book.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from .arrivals import CallDraws
from .behaviour import Behaviour, Book
from .handler import handler_day
from .routing import Handler, Router
from .staffing import Staff


@dataclass(frozen=True)
class Outcome:
    """What happened to each call (same order as ``calls``) and when handlers were logged in.

    answered_at is NaN and server -1 for calls not answered: those with finite patience hung
    up at arrival + patience; those with infinite patience were still waiting when the last
    handler went home (unresolved). calls holds every call of the run, those made during it
    (redials, repeats) after the drawn ones; busy is how long each answered call kept its
    handler; callback is the callback state (behaviour.NO_CALLBACK, CALLBACK_OK, CALLBACK_FAILS).
    A failed callback has a server (who tried) but was not answered.
    """

    answered_at: np.ndarray
    server: np.ndarray
    logged: np.ndarray  # (segments, 3): handler index, from_s, to_s
    calls: CallDraws | None = None
    busy: np.ndarray | None = None
    callback: np.ndarray | None = None


def callers(env, arrival, arrive):
    """Calls arrive at their drawn times and are offered to the router."""
    timeout = env.timeout
    clock = env.now  # our own copy: reading env.now per call is a noticeable share of the loop
    for i, t in enumerate(arrival):
        if t > clock:
            yield timeout(t - clock)
            clock = t
        arrive(i)


def delayed_callers(env, arrival, delay, deadline, arrive, hang_up):
    """Calls offered ``delay`` after arriving, in the order they become ready; a caller whose
    patience ran out during a delay hung up before any handler could take them (a call without
    a delay is offered just as ``callers`` offers it)."""
    delay = np.asarray(delay)
    ready = np.asarray(arrival) + delay
    timeout = env.timeout
    clock = env.now
    for i in np.argsort(ready, kind="stable").tolist():
        t = ready[i]
        if t > clock:
            yield timeout(t - clock)
            clock = t
        if delay[i] > 0 and deadline[i] <= t:
            hang_up(i)
        else:
            arrive(i)


def run_replication(calls: CallDraws, staff: Staff, priorities: tuple[int, ...],
                    behaviour: Behaviour | None = None) -> Outcome:
    env = simpy.Environment()
    n = len(calls)
    busy = (calls.handle if behaviour is None else behaviour.busy(calls)).tolist()
    book = Book(calls, busy, None if behaviour is None else behaviour.mean_busy(calls).tolist())
    active = behaviour is not None and behaviour.active
    if active:
        behaviour.flag(book, 0, calls.queue, calls.patience, behaviour.rng.random((n, 4)))
    callback_priorities = None
    if active:
        last = max(priorities) + 1
        callback_priorities = [last if q.callback_priority is None else q.callback_priority
                               for q in behaviour.config.queues]
    router = Router(env, book.queue, book.arrival, book.deadline, priorities, staff.skill_groups,
                    book=book, behaviour=behaviour if active else None, callback_priorities=callback_priorities)
    logged = []
    repeat = book.repeat if active and behaviour.repeat_share.any() else None
    for index, windows in enumerate(staff.windows):
        env.process(handler_day(env, Handler(index), windows, router, book.busy, book.answered_at,
                                book.server, logged, repeat))
    if calls.delay is None:
        env.process(callers(env, calls.arrival.tolist(), router.arrive))
    else:
        env.process(delayed_callers(env, calls.arrival, calls.delay, book.deadline, router.arrive, router.hang_up))
    env.run()
    return Outcome(np.array(book.answered_at, dtype=float), np.array(book.server, dtype=np.int64),
                   np.array(logged, dtype=float).reshape(-1, 3), book.draws(),
                   np.array(book.busy, dtype=float), np.array(book.state, dtype=np.int8))
