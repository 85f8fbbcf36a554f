"""The queueing discipline: which waiting call a free handler takes, which idle handler a new call goes to.

Calls wait in one FIFO line per queue; idle handlers wait in one line per skill group (the set of
queues they answer), longest idle first. A new call goes to the longest-idle handler able to take
it, else joins its queue's line. A handler who comes free takes the head of the highest-priority
line among its skills (the oldest head among lines of equal priority). Skills-based routing grows
here: other rules for choosing a line or a handler only change these two methods.

Abandonment is lazy, which saves a timer per call: a caller whose patience ran out before a
handler looked at them is skipped (and counted as abandoned at arrival + patience). This is exact:
the line is only ever read when a handler chooses, and at that moment the callers past their
deadline would already have hung up.
"""

from __future__ import annotations

from collections import deque


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
    def __init__(self, env, queue, arrival, deadline, priorities, skill_groups):
        self.env = env
        self.queue, self.arrival, self.deadline = queue, arrival, deadline
        n_queues = len(priorities)
        self.lines = [deque() for _ in range(n_queues)]
        self.idle = [deque() for _ in skill_groups]
        self.groups_for_queue = [[g for g, skills in enumerate(skill_groups) if q in skills]
                                 for q in range(n_queues)]
        self.levels = [_priority_levels(skills, priorities, self.lines) for skills in skill_groups]

    def offer(self, i: int) -> None:
        """A call arrives: straight to an idle handler who can take it, else into its line."""
        q = self.queue[i]
        handler = self._longest_idle(q)
        if handler is None:
            self.lines[q].append(i)
        else:
            wake, handler.wake = handler.wake, None
            wake.succeed(i)

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


def _priority_levels(skills, priorities, lines):
    """The lines a skill group answers, grouped by priority, most urgent first."""
    ranks = sorted({priorities[q] for q in skills})
    return tuple(tuple(lines[q] for q in sorted(skills) if priorities[q] == r) for r in ranks)
