"""Progress lines for long work: elapsed time, the stage, what it is doing."""

from __future__ import annotations

import sys
import time
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
