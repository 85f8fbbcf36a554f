"""Scenarios compared as one batch on the simulation's executor, against one scenario at a time.

    python benchmarks/stress_batch.py [--horizon-days 7] [--replications 4] [--workers 2]
        [--scenarios callbacks_101,random_pullouts,training_abstraction,major_incident,heatwave]

Plans the demo baseline once and the library scenarios on it (plan_stress), then simulates
their replications three ways in the same run: one scenario after another, each on its own
(simulate(), the way `scenarios compare` ran before the batch); the batch on one worker; and the
batch on --workers local processes. Prints the wall time of each, the ratio against the first,
and checks that all three give the same results call for call. The ratio depends on the cores
free: on a machine shared with other work it is an upper bound on the time, not a property of
the code.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scenarios.commands.scenarios_cmd import library_files  # noqa: E402
from scenarios.comparison import with_settings  # noqa: E402
from scenarios.costs import CostModel  # noqa: E402
from scenarios.pipeline import run_pipeline  # noqa: E402
from scenarios.stress import plan_stress  # noqa: E402
from scenarios.stress_config import load_demo, load_stress, rebase  # noqa: E402
from simulation import simulate, simulate_batch  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--horizon-days", type=int, default=7)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenarios", default="callbacks_101,random_pullouts,training_abstraction,"
                                               "major_incident,heatwave")
    args = parser.parse_args()

    demo = with_settings(load_demo(), horizon_days=args.horizon_days, replications=args.replications)
    demo = dataclasses.replace(demo, forecast=dataclasses.replace(demo.forecast, models=("seasonal_naive",),
                                                                   backtest_origins=0))
    began = time.perf_counter()
    base = run_pipeline(demo)
    print(f"baseline: {args.horizon_days} days, {args.replications} replications, "
          f"{len(base.roster.shifts)} shifts ({time.perf_counter() - began:.1f} s)")
    library = library_files()
    plans = [plan_stress(rebase(load_stress(library[name]), demo), base, CostModel())
             for name in args.scenarios.split(",")]
    jobs = [p.job for p in plans]
    print(f"{len(jobs)} scenarios, {sum(j[2].replications for j in jobs)} replications in all")

    timings, results = {}, {}
    for label, run in (("one scenario at a time", lambda: [simulate(*j) for j in jobs]),
                       ("batch, 1 worker", lambda: simulate_batch(jobs, workers=1)),
                       (f"batch, {args.workers} workers", lambda: simulate_batch(jobs, workers=args.workers))):
        start = time.perf_counter()
        results[label] = run()
        timings[label] = time.perf_counter() - start
    reference = next(iter(timings))
    for label, seconds in timings.items():
        print(f"{label:28s} {seconds:7.1f} s   x{seconds / timings[reference]:.2f} of {reference!r}")
    same = all(a.calls.equals(b.calls) and a.kpi.equals(b.kpi)
               for other in results.values() for a, b in zip(results[reference], other))
    print(f"same results call for call: {same}")
    calls = sum(len(r.calls) for r in results[reference])
    print(f"{calls:,} calls simulated per run")
    return 0 if same else 1


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    raise SystemExit(main())
