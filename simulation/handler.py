"""A call handler's day as a SimPy process: for each availability window, take calls until it ends."""

from __future__ import annotations

from .routing import Handler, Router


def handler_day(env, handler: Handler, windows, router: Router, busy, answered_at, server, logged, repeat=None):
    """Work through ``windows`` (start_s, end_s, skill group), answering calls.

    busy[i] is how long call i keeps the handler (talk plus after-call work, or a failed callback
    attempt). The window's end stops new calls, not the call in hand (see staffing). The time
    actually logged in, overruns included, is appended to ``logged`` for occupancy. repeat[i]
    says whether an answered caller will call again (None: nobody does).
    """
    timeout, index = env.timeout, handler.index
    next_call, wait_idle = router.next_call, router.wait_idle
    for start, end, group in windows:
        if start > env.now:
            yield timeout(start - env.now)
        now = env.now
        if now >= end:
            continue  # the whole window went on finishing an earlier call
        handler.group = group
        handler.window += 1
        window = handler.window
        timeout(end - now).callbacks.append(lambda _, w=window: router.end_window(handler, w))
        router.log_in(group)
        began = now
        while now < end:
            i = next_call(handler, now)
            if i is None:
                i = yield wait_idle(handler)
                if i is None:
                    break
                now = env.now
            answered_at[i] = now
            server[i] = index
            if repeat is not None and repeat[i]:
                router.repeat(i, now)
            yield timeout(busy[i])
            now = env.now
        router.log_out(group)
        logged.append((index, began, env.now))
