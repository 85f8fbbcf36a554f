"""Curtois-Qu benchmark Instances 1-4 with the named-roster model:
``python benchmarks/roster_curtois.py [time_limit_s] [threads] [instances...]``.

Prints objective (the benchmark penalty, recomputed by the independent checker), proven lower
bound, gap, seconds and the published optimum. Goal: each optimum reached and proven in under
60 s on 2 cores. The baseline in the same run is the LP relaxation's bound (what the model
proves before branching); "person bd" is the person-by-person bound (scheduling.person_bound)
with the seconds it took, so the table shows where the gap closes: LP, decomposition, branching.
``--plain`` solves without the decomposition (the earlier method), for comparison.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import pulp

from scheduling.curtois import read_instance
from scheduling.named_roster import build_model, integral_objective, solve_roster
from scheduling.rules import check
from scheduling.solver import SolverOptions

# The instances live beside the repository in ../shared/data/rostering.
DATA = next((up / "shared" / "data" / "rostering" for up in Path(__file__).resolve().parents
             if (up / "shared" / "data" / "rostering").is_dir()), Path("shared/data/rostering"))
PUBLISHED = {"Instance1": 607, "Instance2": 828, "Instance3": 1001, "Instance4": 1716}


def lp_bound(problem) -> float:
    model = build_model(problem).problem
    for v in model.variables():
        v.cat = pulp.LpContinuous
    model.solve(pulp.HiGHS(msg=False))
    return float(model.objective.value())


def main(argv: list[str]) -> None:
    decompose = "--plain" not in argv
    argv = [a for a in argv if a != "--plain"]
    limit = float(argv[0]) if argv else 60.0
    threads = int(argv[1]) if len(argv) > 1 else 2
    names = argv[2:] or list(PUBLISHED)
    print(f"time limit {limit:g} s, {threads} thread(s), {'decomposed' if decompose else 'plain'} model, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    print(f"{'instance':<10} {'objective':>9} {'bound':>7} {'gap':>7} {'seconds':>8} {'optimum':>8} "
          f"{'LP bound':>9} {'person bd':>9} {'at s':>6} {'rules ok':>8}")
    for name in names:
        problem = read_instance(DATA / f"{name}.txt")
        relaxed = lp_bound(problem)
        started = time.perf_counter()
        gap_abs = 0.999 if integral_objective(problem) else None
        result = solve_roster(problem, SolverOptions(time_limit_s=limit, gap_rel=0.0, gap_abs=gap_abs,
                                                     threads=threads), decompose=decompose)
        seconds = time.perf_counter() - started
        checked = check(problem, result.roster)
        bound = math.ceil(result.best_bound - 1e-6) if result.best_bound is not None else float("nan")
        person = next((t for t in result.trace if t[1].startswith("person bound")), None)
        person_bd = f"{person[3]:>9.1f} {person[0]:>6.1f}" if person and person[3] is not None else f"{'-':>9} {'-':>6}"
        print(f"{name:<10} {checked.penalty:>9g} {bound:>7g} {100 * (checked.penalty - bound) / checked.penalty:>6.2f}% "
              f"{seconds:>8.1f} {PUBLISHED.get(name, float('nan')):>8g} {relaxed:>9.1f} {person_bd} "
              f"{str(checked.feasible):>8}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
