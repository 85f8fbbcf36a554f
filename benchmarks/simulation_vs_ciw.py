"""Throughput of the full model against Ciw on the same Erlang A case:
``python benchmarks/simulation_vs_ciw.py [days] [repeats]`` (needs the 'bench' extra: ciw).

M/M/n+M: 20 handlers, mean handle time 300 s, 20 Erlangs offered (about 5,760 calls a day),
exponential patience with mean 180 s; both simulators run the same number of days, and both
report service level (answered within 20 s) and abandonment next to the exact Erlang A values,
so the comparison is between two correct answers. Ours is measured end to end through
``simulate()`` (inputs checked, calls drawn, event loop, call records and KPI tables built);
Ciw through building the network, simulating and collecting its records. Best of ``repeats``
runs each (the machine is shared). Goal: ours at least 1.5 times Ciw's calls per second.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages first

from simulation import PullOuts, QueueConfig, SimulationConfig, simulate  # noqa: E402

N, AHT, LOAD, PATIENCE, THRESHOLD = 20, 300.0, 20.0, 180.0, 20.0


def ours(days: int, seed: int, features: bool = False):
    """Our model end to end; ``features`` switches on what Ciw's case has no counterpart for
    (redials, repeat calls, callbacks, random pull-outs): the same event loop with its extras."""
    start = pd.Timestamp("2025-03-03", tz="UTC")
    starts = pd.date_range(start, periods=96 * days, freq="15min")
    demand = pd.DataFrame({"queue": "line", "interval_start": starts, "calls": LOAD / AHT * 900, "aht": AHT})
    agents = pd.DataFrame({"interval_start": pd.date_range(start, periods=96 * days + 8, freq="15min"),
                           "agents": N})
    extras = dict(redial_same=0.3, repeat_share=0.05, callback_over_s=120.0, callback_accept=0.125) if features else {}
    config = SimulationConfig((QueueConfig("line", answer_within_s=THRESHOLD, mean_patience_s=PATIENCE,
                                           handle="exponential", **extras),), replications=1, seed=seed,
                              pull_outs=PullOuts(0.2, 300.0) if features else None)
    began = time.perf_counter()
    result = simulate(demand, agents, config)
    seconds = time.perf_counter() - began
    calls = result.calls
    return len(calls), seconds, (calls.answered & (calls.wait <= THRESHOLD)).mean(), calls.abandoned.mean()


def ciw_run(days: int, seed: int):
    import ciw

    began = time.perf_counter()
    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=LOAD / AHT)],
                                 service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
                                 number_of_servers=[N],
                                 reneging_time_distributions=[ciw.dists.Exponential(rate=1 / PATIENCE)])
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(days * 86400.0)
    records = sim.get_all_records(only=["service", "renege"])
    seconds = time.perf_counter() - began
    served = [r for r in records if r.record_type == "service"]
    reneged = sum(1 for r in records if r.record_type == "renege")
    within = sum(1 for r in served if r.waiting_time <= THRESHOLD)
    n = len(served) + reneged
    return n, seconds, within / n, reneged / n


def erlang_a(n, arrival, service, abandon, threshold, states=400):
    """Exact abandonment and service level of M/M/n+M (birth-death chain; an absorbing chain for
    the wait of a caller who finds i callers ahead)."""
    from scipy.linalg import expm

    k = np.arange(1, states)
    death = np.minimum(k, n) * service + np.maximum(k - n, 0) * abandon
    p = np.concatenate([[1.0], np.cumprod(arrival / death)])
    p /= p.sum()
    abandonment = abandon * (np.maximum(np.arange(states) - n, 0) * p).sum() / arrival
    ahead = states - n
    q = np.zeros((ahead + 2, ahead + 2))
    for i in range(ahead):
        q[i, ahead if i == 0 else i - 1] += n * service + i * abandon
        q[i, ahead + 1] += abandon
        q[i, i] = -q[i].sum()
    within = expm(q * threshold)[:ahead, ahead]
    return p[:n].sum() + (p[n:] * within).sum(), abandonment


def main(argv: list[str]) -> None:
    days = int(argv[0]) if argv else 7
    repeats = int(argv[1]) if len(argv) > 1 else 2
    runs = {"ours": [ours(days, 100 + r) for r in range(repeats)],
            "ciw": [ciw_run(days, 100 + r) for r in range(repeats)],
            "ours+": [ours(days, 100 + r, features=True) for r in range(repeats)]}
    sl, ab = erlang_a(N, LOAD / AHT, 1 / AHT, 1 / PATIENCE, THRESHOLD)
    print(f"Erlang A case: {N} handlers, {LOAD:g} Erlangs, AHT {AHT:g} s, patience {PATIENCE:g} s, {days} days; "
          f"exact service level {sl:.3f}, abandonment {ab:.3f}")
    rate = {}
    for name, results in runs.items():
        n, seconds, s, a = min(results, key=lambda r: r[1])
        rate[name] = n / seconds
        print(f"  {name:5s} {n:,} calls in {seconds:.2f} s: {rate[name]:,.0f} calls/s; "
              f"service level {s:.3f}, abandonment {a:.3f}")
    print(f"ours / Ciw = {rate['ours'] / rate['ciw']:.1f}x (goal: 1.5x or more); with redials, repeats, "
          f"callbacks and pull-outs on ('ours+', a different case, so its figures differ from Erlang A): "
          f"{rate['ours+'] / rate['ciw']:.1f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
