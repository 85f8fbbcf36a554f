"""Progress lines for long work: elapsed time, the stage, what it is doing."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """A callable that prints '[  12.3s] stage: message' to stderr (nothing when quiet)."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.stage = ""

    def begin(self, stage: str) -> "Progress":
        self.stage = stage
        return self

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.started
        prefix = f"{self.stage}: " if self.stage else ""
        print(f"[{elapsed:7.1f}s] {prefix}{message}", file=self.stream, flush=True)


def bar(share: float, width: int = 20) -> str:
    """A text progress bar, e.g. [#####---------------] for a quarter done."""
    done = int(round(min(max(share, 0.0), 1.0) * width))
    return "[" + "#" * done + "-" * (width - done) + "]"


@contextmanager
def heartbeat(say: Callable[[str], None], what: str, limit_s: float | None = None, every_s: float = 15.0):
    """While the block runs, say every ``every_s`` seconds how long ``what`` has taken (with a bar
    against ``limit_s`` when given): a solver gives no word of its own for minutes at a time, and
    a planner at 3 a.m. must see it has not hung."""
    stop, started = threading.Event(), time.perf_counter()

    def beat() -> None:
        while not stop.wait(every_s):
            elapsed = time.perf_counter() - started
            within = limit_s is not None and elapsed <= limit_s
            say(f"{what}: {elapsed:.0f}s" + (f" {bar(elapsed / limit_s)} of the {limit_s:g}s limit" if within
                                             else (" (past the limit: finishing)" if limit_s else "")))

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
