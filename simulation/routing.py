"""The queueing discipline: which waiting call a free handler takes, which idle handler a new call goes to.

Calls wait in one FIFO line per queue; idle handlers wait in one line per skill group (the set of
queues they answer), longest idle first. A new call goes to the longest-idle handler able to take
it, else joins its queue's line. A handler who comes free takes the head of the highest-priority
line among its skills (the oldest head among lines of equal priority). Skills-based routing grows
here: other rules for choosing a line or a handler only change these two methods.

Callbacks: a caller who accepts one leaves the live line for their queue's callback line, which
sits at its own priority (by default after every live line) and never abandons. Redials are
checked with one timer per caller who would redial, at the time they would call again: if by then
they were neither answered nor called back, they hung up, and the new call arrives.

Abandonment is lazy, which saves a timer per call: a caller whose patience ran out before a
handler looked at them is skipped (and counted as abandoned at arrival + patience). This is exact:
the line is only ever read when a handler chooses, and at that moment the callers past their
deadline would already have hung up.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .behaviour import CALLBACK_FAILS, CALLBACK_OK, NO_CALLBACK, REDIAL, REPEAT


class Handler:
    """A call handler's state during one replication. ``wake`` is set while they are idle."""

    __slots__ = ("index", "group", "wake", "token", "idle_since", "window")

    def __init__(self, index: int):
        self.index = index
        self.group = -1
        self.wake = None
        self.token = 0
        self.idle_since = 0.0
        self.window = 0


class Router:
    def __init__(self, env, queue, arrival, deadline, priorities, skill_groups, book=None, behaviour=None,
                 callback_priorities=None):
        self.env = env
        self.queue, self.arrival, self.deadline = queue, arrival, deadline
        n_queues = len(priorities)
        self.lines = [deque() for _ in range(n_queues)]
        self.callback_lines = [deque() for _ in range(n_queues)]
        self.idle = [deque() for _ in skill_groups]
        self.groups_for_queue = [[g for g, skills in enumerate(skill_groups) if q in skills]
                                 for q in range(n_queues)]
        self.queues_of_group = [sorted(skills) for skills in skill_groups]
        self.logged_in = [0] * n_queues
        entries = [(q, priorities[q], self.lines[q]) for q in range(n_queues)]
        if behaviour is not None and callback_priorities is not None:
            entries += [(q, callback_priorities[q], self.callback_lines[q])
                        for q in range(n_queues) if behaviour.callbacks[q]]
        self.levels = [_priority_levels(skills, entries) for skills in skill_groups]
        self.book, self.behaviour = book, behaviour
        self.arrive = self.offer if behaviour is None else self._arrive_with_behaviour
        if behaviour is not None:
            self.ahead_of = [[r for r in range(n_queues) if priorities[r] <= priorities[q]] for q in range(n_queues)]
            self.callback_over = [np.inf if c.callback_over_s is None else c.callback_over_s
                                  for c in behaviour.config.queues]
            self.attempt_s = [c.callback_attempt_s for c in behaviour.config.queues]

    def log_in(self, group: int) -> None:
        for q in self.queues_of_group[group]:
            self.logged_in[q] += 1

    def log_out(self, group: int) -> None:
        for q in self.queues_of_group[group]:
            self.logged_in[q] -= 1

    def offer(self, i: int) -> None:
        """A call arrives: straight to an idle handler who can take it, else into its line."""
        q = self.queue[i]
        handler = self._longest_idle(q)
        if handler is None:
            self.lines[q].append(i)
        else:
            wake, handler.wake = handler.wake, None
            wake.succeed(i)

    def hang_up(self, i: int) -> None:
        """A caller who hung up before being offered (see QueueConfig.offer_delay): abandoned;
        one who would redial still does."""
        book = self.book
        if self.behaviour is not None and book.redial_to[i] >= 0:
            again = self.deadline[i] + self.behaviour.rng.exponential(self.behaviour.redial_delay[self.queue[i]])
            self.env.timeout(max(again - self.env.now, 0.0)).callbacks.append(lambda _, i=i: self._redial(i))

    def _arrive_with_behaviour(self, i: int) -> None:
        """A call arrives when callers may redial or take a callback."""
        book, q = self.book, self.queue[i]
        if book.redial_to[i] >= 0:
            again = self.deadline[i] + self.behaviour.rng.exponential(self.behaviour.redial_delay[q])
            self.env.timeout(again - self.env.now).callbacks.append(lambda _, i=i: self._redial(i))
        handler = self._longest_idle(q)
        if handler is not None:
            wake, handler.wake = handler.wake, None
            wake.succeed(i)
        elif book.accept[i] and self.expected_wait(i) > self.callback_over[q]:
            book.state[i] = CALLBACK_OK if book.success[i] else CALLBACK_FAILS
            if not book.success[i]:
                book.busy[i] = self.attempt_s[q]
            self.deadline[i] = np.inf
            self.callback_lines[q].append(i)
        else:
            self.lines[q].append(i)

    def expected_wait(self, i: int) -> float:
        """(Callers ahead at this or a higher priority + 1) x mean handling time / handlers on.

        Callers who already hung up but have not yet been skipped (lazy abandonment) still count
        as ahead, so at busy times the estimate runs high and callbacks are offered a little
        more readily than an exact count would.
        """
        q = self.queue[i]
        on = self.logged_in[q]
        if on <= 0:
            return np.inf
        ahead = sum(len(self.lines[r]) for r in self.ahead_of[q])
        return (ahead + 1) * self.book.mean_busy[i] / on

    def _redial(self, i: int) -> None:
        book = self.book
        if book.server[i] >= 0 or book.state[i] != NO_CALLBACK:
            return  # answered, or waiting for / given a callback: no reason to call again
        j = self.behaviour.new_call(book, book.redial_to[i], self.env.now, REDIAL)
        if j is not None:
            self._offer_new(j)

    def repeat(self, i: int, answered_at: float) -> None:
        """An answered caller whose issue was not resolved calls again later."""
        book = self.book
        if book.state[i] == CALLBACK_FAILS:
            return
        q = self.queue[i]
        at = answered_at + book.handle[i] + self.behaviour.rng.exponential(self.behaviour.repeat_delay[q])
        self.env.timeout(at - self.env.now).callbacks.append(lambda _, q=q, at=at: self._repeat_call(q, at))

    def _repeat_call(self, q: int, at: float) -> None:
        j = self.behaviour.new_call(self.book, q, at, REPEAT)
        if j is not None:
            self._offer_new(j)

    def _offer_new(self, j: int) -> None:
        """A redial or repeat: offered after its queue's offer delay, if the caller still waits."""
        delay = self.behaviour.offer_delay(self.queue[j])
        if delay <= 0:
            self.arrive(j)
        else:
            self.env.timeout(delay).callbacks.append(lambda _, j=j: self._ready(j))

    def _ready(self, j: int) -> None:
        if self.deadline[j] <= self.env.now:
            self.hang_up(j)
        else:
            self.arrive(j)

    def next_call(self, handler: Handler, now: float):
        """The call a free handler takes at time ``now``, or None."""
        deadline = self.deadline
        for level in self.levels[handler.group]:
            best = None
            for line in level:
                while line and deadline[line[0]] <= now:
                    line.popleft()  # hung up before anyone was free
                if line and (best is None or self.arrival[line[0]] < self.arrival[best[0]]):
                    best = line
            if best is not None:
                return best.popleft()
        return None

    def wait_idle(self, handler: Handler):
        """Register a free handler; the returned event's value is a call, or None at shift end."""
        handler.token += 1
        handler.idle_since = self.env.now
        handler.wake = self.env.event()
        self.idle[handler.group].append((handler, handler.token))
        return handler.wake

    def end_window(self, handler: Handler, window: int) -> None:
        """Shift or break starts: an idle handler leaves; a busy one finishes the call first."""
        if handler.window == window and handler.wake is not None:
            wake, handler.wake = handler.wake, None
            wake.succeed(None)

    def _longest_idle(self, q: int):
        best = None
        for g in self.groups_for_queue[q]:
            idle = self.idle[g]
            while idle and (idle[0][0].wake is None or idle[0][0].token != idle[0][1]):
                idle.popleft()  # left for a break or shift end, or re-queued since
            if idle and (best is None or idle[0][0].idle_since < best[0][0].idle_since):
                best = idle
        return None if best is None else best.popleft()[0]


def _priority_levels(skills, entries):
    """The lines a skill group answers, grouped by priority, most urgent first. ``entries`` are
    (queue, priority, line): the live lines in queue order, then any callback lines."""
    mine = [(rank, line) for q, rank, line in entries if q in skills]
    ranks = sorted({rank for rank, _ in mine})
    return tuple(tuple(line for rank, line in mine if rank == r) for r in ranks)
