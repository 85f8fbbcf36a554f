"""A year of a mid-size force, 10 replications: ``python benchmarks/simulation_year.py [workers] [replications]``.

About 850,000 calls a year (999 600 a day, 101 1,700 a day with a daily profile; the reference
case of benchmarks/simulation_throughput.py over 365 days), answered by one pool from a roster of
8-hour shifts with staggered breaks. Replications run in ``workers`` local processes (default 2)
through the simulation's executor. Baseline measured in the same run: one replication in this
process, times the number of replications. Goal: 10 replications in under 3 minutes on 2 cores.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

# this checkout's packages first (an installed controlroom may be another checkout), then benchmarks/
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from simulation import simulate  # noqa: E402
from simulation_throughput import reference_config, reference_demand, reference_shifts  # noqa: E402


def main(argv: list[str]) -> None:
    workers = int(argv[0]) if argv else 2
    replications = int(argv[1]) if len(argv) > 1 else 10
    began = time.perf_counter()
    demand = reference_demand(days=365, start="2025-01-01")
    shifts = reference_shifts(demand)
    print(f"inputs: {len(demand):,} demand rows, {len(shifts):,} shifts, "
          f"{demand.calls.sum():,.0f} calls expected, built in {time.perf_counter() - began:.1f} s "
          f"({os.cpu_count()} cores seen)")

    one = dataclasses.replace(reference_config(1), workers=1)
    began = time.perf_counter()
    single = simulate(demand, shifts, one)
    baseline = time.perf_counter() - began
    print(f"baseline: 1 replication in this process: {len(single.calls):,} calls in {baseline:.1f} s "
          f"({len(single.calls) / baseline:,.0f} calls/s); x{replications} = {baseline * replications:.0f} s")
    del single

    config = dataclasses.replace(reference_config(replications), workers=workers)
    began = time.perf_counter()
    result = simulate(demand, shifts, config,
                      progress=lambda line: print(f"  [{time.perf_counter() - began:6.1f} s] {line}", flush=True))
    total = time.perf_counter() - began
    calls = len(result.calls)
    print(f"{replications} replications on {workers} worker(s): {calls:,} calls in {total:.1f} s "
          f"({calls / total:,.0f} calls/s); {baseline * replications / total:.2f}x the serial baseline; "
          f"goal under 180 s: {'met' if total < 180 else 'NOT met'}")
    print(result.summary()[["queue", "offered", "service_level", "abandon_rate", "asa", "occupancy"]]
          .round(3).to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1:])
