"""How well the pooled requirement predicts each line's service level, against the simulation.

    python benchmarks/pooled_priority.py [--replications 40] [--hours 8]

One pool answers 999 before 101 (non-preemptive priority, exponential handle times, 101
callers hang up with mean patience 180 s; 999 90% in 10 s, 101 80% in 60 s). For a grid of
loads and pool sizes it prints the service levels predicted by scheduling.pooling (999 on the
total load, thinned by 101 abandonment; 101 on Poisson-many handlers busy with 999) and by the
earlier approximations (999: C(n, total load), ignoring abandonment; 101: the plain residual
capacity, n - 999 load handlers), each as the error against the simulated level measured in
the same run, and whether the prediction lies inside the simulation's 95% interval.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.erlang import erlang_a, erlang_c  # noqa: E402
from scheduling.pooling import _Pool  # noqa: E402
from scheduling.staffing import QueueTarget  # noqa: E402
from simulation import QueueConfig, SimulationConfig, simulate  # noqa: E402

TZ = "Europe/London"
T999 = QueueTarget("999", service_level=0.9, answer_within_s=10)
T101 = QueueTarget("101", model="erlang_a", service_level=0.8, answer_within_s=60, mean_patience_s=180)
# (999 Erlangs, 101 Erlangs, pool sizes) with handle time 300 s
GRID = [(2.0, 6.0, (9, 10, 12)), (5.0, 15.0, (21, 22, 24, 26)), (10.0, 30.0, (41, 43, 46))]


def run(replications: int, hours: int) -> pd.DataFrame:
    aht = 300.0
    starts = pd.date_range(pd.Timestamp("2024-06-03", tz=TZ), periods=4 * hours, freq="15min")
    config = SimulationConfig((QueueConfig("999", priority=0, answer_within_s=10, handle="exponential"),
                               QueueConfig("101", priority=1, answer_within_s=60, mean_patience_s=180,
                                           handle="exponential")),
                              replications=replications, seed=2026, warmup_s=3600)
    rows = []
    for a999, a101, sizes in GRID:
        rates = np.array([[a999, a101]]) / aht
        table = pd.concat([pd.DataFrame({"queue": q, "interval_start": starts, "calls": r * 900, "aht": aht})
                           for q, r in (("999", rates[0, 0]), ("101", rates[0, 1]))], ignore_index=True)
        pool = _Pool(rates, np.full((1, 2), aht), [T999, T101])
        for n in sizes:
            started = time.perf_counter()
            sim = simulate(table, pd.DataFrame({"interval_start": starts, "agents": n}), config)
            s = sim.summary().set_index("queue")
            predicted = pool.service_levels(np.array([n]), np.array([0]))[0]
            earlier = (1 - float(erlang_c(n, a999 + a101)) * np.exp(-(n / aht - rates[0, 0]) * 10),
                       float(erlang_a(int(np.floor(n - a999)), a101, aht, 180.0, 60.0).service_level))
            for k, queue in enumerate(("999", "101")):
                lo, mid, hi = s.loc[queue, ["service_level_lo", "service_level", "service_level_hi"]]
                rows.append({"load": f"{a999:g}+{a101:g}", "n": n, "queue": queue, "simulated": mid,
                             "ci": f"[{lo:.3f}, {hi:.3f}]", "pooled_error": predicted[k] - mid,
                             "pooled_inside": lo <= predicted[k] <= hi, "earlier_error": earlier[k] - mid,
                             "earlier_inside": lo <= earlier[k] <= hi})
            print(f"  {a999:g}+{a101:g} Erlangs, {n} handlers: {time.perf_counter() - started:.1f}s",
                  file=sys.stderr)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--hours", type=int, default=8)
    args = parser.parse_args()
    table = run(args.replications, args.hours)
    with pd.option_context("display.width", 160, "display.float_format", "{:.4f}".format):
        print(table.to_string(index=False))
    for queue in ("999", "101"):
        mine = table[table["queue"] == queue]
        pooled, earlier = mine["pooled_error"], mine["earlier_error"]
        print(f"{queue}: mean error pooled {pooled.mean():+.4f} (mean |error| {pooled.abs().mean():.4f}), "
              f"earlier {earlier.mean():+.4f} ({earlier.abs().mean():.4f}; "
              f"{earlier.abs().mean() / pooled.abs().mean():.1f}x); inside the 95% CI: "
              f"pooled {int(mine['pooled_inside'].sum())}/{len(mine)}, earlier {int(mine['earlier_inside'].sum())}/{len(mine)}")

if __name__ == "__main__":
    main()
