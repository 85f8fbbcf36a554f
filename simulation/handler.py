"""A call handler's day as a SimPy process: for each availability window, take calls until it ends."""

from __future__ import annotations

from .routing import Handler, Router


def handler_day(env, handler: Handler, windows, router: Router, handle, answered_at, server, logged):
    """Work through ``windows`` (start_s, end_s, skill group), answering calls.

    The window's end stops new calls, not the call in hand (see staffing). The time actually
    logged in, overruns included, is appended to ``logged`` for occupancy.
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
            yield timeout(handle[i])
            now = env.now
        logged.append((index, began, env.now))
