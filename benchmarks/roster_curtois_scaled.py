"""A larger benchmark-style roster, with and without the person-by-person bound:
``python benchmarks/roster_curtois_scaled.py [copies] [time_limit_s] [threads]``.

Instances 5-24 of the Curtois-Qu benchmark are not in shared/data/rostering, so this builds a
larger one from Instance 4: its staff (with their requests and days off) copied ``copies`` times
under new ids and every cover requirement multiplied by ``copies`` (default 3: 30 staff, 28
days). There is no published optimum; the baseline in the same run is the plain model
(decompose=False) at the same time limit, so the table shows what the decomposition changes in
the roster found and in the bound proven.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from scheduling.curtois import read_instance
from scheduling.named_roster import solve_roster
from scheduling.people import RosterProblem
from scheduling.rules import check
from scheduling.solver import SolverOptions

DATA = next((up / "shared" / "data" / "rostering" for up in Path(__file__).resolve().parents
             if (up / "shared" / "data" / "rostering").is_dir()), Path("shared/data/rostering"))


def scaled(copies: int) -> RosterProblem:
    base = read_instance(DATA / "Instance4.txt")
    people = tuple(replace(p, id=f"{p.id}{i}") for i in range(copies) for p in base.people)
    requests = tuple(replace(r, person=f"{r.person}{i}") for i in range(copies) for r in base.requests)
    cover = tuple(replace(c, required=c.required * copies) for c in base.day_cover)
    return replace(base, people=people, requests=requests, day_cover=cover)


def main(argv: list[str]) -> None:
    copies = int(argv[0]) if argv else 3
    limit = float(argv[1]) if len(argv) > 1 else 60.0
    threads = int(argv[2]) if len(argv) > 2 else 2
    problem = scaled(copies)
    print(f"Instance4 x {copies}: {len(problem.people)} staff, {problem.horizon} days; time limit {limit:g} s, "
          f"{threads} thread(s), load average {os.getloadavg()[0]:.2f} at start")
    print(f"{'model':<11} {'objective':>9} {'bound':>7} {'gap':>7} {'seconds':>8} {'person bd':>9} {'at s':>6} {'rules ok':>8}")
    for label, decompose in (("plain", False), ("decomposed", True)):
        started = time.perf_counter()
        result = solve_roster(problem, SolverOptions(time_limit_s=limit, gap_rel=0.0, gap_abs=0.999, threads=threads),
                              decompose=decompose, explain=False)
        seconds = time.perf_counter() - started
        checked = check(problem, result.roster)
        bound = math.ceil(result.best_bound - 1e-6) if result.best_bound is not None else float("nan")
        stage = next((t for t in result.trace if t[1].startswith("person bound")), None)
        person = f"{stage[3]:>9.1f} {stage[0]:>6.1f}" if stage and stage[3] is not None else f"{'-':>9} {'-':>6}"
        print(f"{label:<11} {checked.penalty:>9g} {bound:>7g} {100 * (checked.penalty - bound) / checked.penalty:>6.2f}% "
              f"{seconds:>8.1f} {person} {str(checked.feasible):>8}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
