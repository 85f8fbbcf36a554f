"""Does the named-roster model grow linearly? ``python benchmarks/roster_named_scaling.py``.

Builds (does not solve) the synthetic control-room problem of benchmarks/roster_named.py at
growing sizes and prints rows and nonzeros per shift variable and the seconds to build: a model
with dense all-pairs constraints (people x people, day x day) would show those ratios growing
with size; here they should stay flat, which is what lets larger instances (the Curtois-Qu
benchmark goes to 364 days and 150 staff) be stated at all. The baseline is the smallest size,
built in the same run: each line prints its ratios against it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roster_named import build_problem  # noqa: E402

from scheduling.named_roster import build_model  # noqa: E402

SIZES = ((30, 28), (60, 56), (120, 112), (150, 182))


def main(argv: list[str]) -> None:
    sizes = SIZES[: int(argv[0])] if argv else SIZES
    base = None
    print(f"{'handlers':>8} {'days':>5} {'x vars':>8} {'rows/x':>7} {'nonzeros/x':>10} {'build s':>8} {'s per 1k x':>10}")
    for handlers, days in sizes:
        problem = build_problem(handlers, days)
        started = time.perf_counter()
        model = build_model(problem)
        seconds = time.perf_counter() - started
        rows = model.problem.constraints()
        nonzeros = sum(len(c) for c in rows)
        n = len(model.x)
        figures = (len(rows) / n, nonzeros / n, 1000 * seconds / n)
        base = base or figures
        print(f"{handlers:>8} {days:>5} {n:>8} {figures[0]:>7.2f} {figures[1]:>10.2f} {seconds:>8.1f} {figures[2]:>10.3f}"
              f"   (x{figures[0] / base[0]:.2f}, x{figures[1] / base[1]:.2f}, x{figures[2] / base[2]:.2f} of the first)")


if __name__ == "__main__":
    main(sys.argv[1:])
