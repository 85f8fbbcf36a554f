"""Compare stress scenarios with a baseline: one row per scenario and queue, and result folders.

The first scenario is the reference (usually the baseline itself, with no changes). Scenarios
whose baselines plan the same thing (the same settings and data) share one pipeline run of it
(history, forecast, requirement, roster, simulation), so their differences come from their
changes alone; the simulation uses the baseline's seed in every scenario, so calls are drawn
from the same random streams.

Columns of comparison.csv (money in the cost model's currency; cost columns are per scenario
and repeated on each of its queues' rows):
    scenario, queue, roster ("keep" or "rebuild"), changes
    target_service_level, answer_within_s
    service_level, service_level_lo, service_level_hi    mean over replications, 95% CI
    service_level_change                                  against the reference scenario
    abandon_rate, abandon_rate_lo, abandon_rate_hi, asa_s, occupancy
    p_miss_target        share of simulated days (replication x local date) whose day-long
                         service level is below the target
    offered_per_replication, replications, absence_rate
    callbacks_per_replication   callers who accepted a callback (mean per replication; 0 when
                         the scenario offers none)
    callback_success     share of those callbacks that reached the caller (empty when none)
    heads, paid_hours    the contracted roster (leavers and caps applied)
    roster_cost          the contracted roster, priced by the cost model
    overtime_used_cost, overtime_used_hours   overtime the policy added before simulating
    cost_to_restore, restore_overtime_hours, restore_agency_hours
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simulation import simulate_batch

from .config import Scenario
from .costs import CostModel
from .pipeline import RunResult, run_pipeline
from .progress import Progress
from .stress import PAY, StressResult, plan_stress
from .stress_config import StressScenario
from .summary import _share_days_below

TABLE = "comparison.csv"


@dataclass(frozen=True, eq=False)
class Comparison:
    results: tuple[StressResult, ...]
    table: pd.DataFrame
    costs: CostModel


def compare(scenarios: list[StressScenario], costs: CostModel | None = None,
            progress: Progress | None = None, workers: int | None = None,
            scheduler: str | None = None) -> Comparison:
    """Plan every scenario, then simulate all their replications as one batch.

    workers, scheduler: where the batch runs (local processes, or a Dask scheduler address);
    unset, the first scenario's baseline [simulation] settings. Results do not depend on them.
    """
    progress = progress or Progress(quiet=True)
    costs = costs or CostModel()
    names = unique_names([s.name for s in scenarios])
    scenarios = [dataclasses.replace(s, name=n) for s, n in zip(scenarios, names)]
    runs: list[tuple[Scenario, RunResult]] = []
    plans = []
    for stress in scenarios:
        run = next((r for s, r in runs if same_plan(s, stress.baseline)), None)
        if run is None:
            progress.begin("baseline")(f"running baseline {stress.baseline.name!r} ({stress.baseline_key})")
            run = run_pipeline(stress.baseline, progress)
            runs.append((stress.baseline, run))
        plans.append(plan_stress(stress, run, costs, progress.begin("scenarios")))
    settings = scenarios[0].baseline.simulation if scenarios else None
    workers = workers if workers is not None else (settings.workers if settings else 1)
    scheduler = scheduler if scheduler is not None else (settings.scheduler if settings else None)
    jobs = [p.job for p in plans if p.job is not None]
    say = progress.begin("simulation")
    if jobs:
        where = f"the Dask scheduler at {scheduler}" if scheduler else f"{workers} local process(es)"
        say(f"simulating {len(jobs)} scenario(s), {sum(j[2].replications for j in jobs)} replications, on {where}")
    simulated = iter(simulate_batch(jobs, workers, scheduler, say))
    results = [p.result(next(simulated) if p.job is not None else None) for p in plans]
    return Comparison(tuple(results), comparison_table(results), costs)


def same_plan(a: Scenario, b: Scenario) -> bool:
    """Two baselines give the same run: same settings, and the same data file unless both use the demo.
    Where the replications run (workers, a Dask scheduler) does not change their results."""
    def settings(s: Scenario, keep_file: bool) -> Scenario:
        where = dataclasses.replace(s.simulation, workers=1, scheduler=None)
        return dataclasses.replace(s, name="", description="", simulation=where,
                                   source_file=s.source_file if keep_file else None)
    both_demo = a.data.is_demo and b.data.is_demo
    return settings(a, not both_demo) == settings(b, not both_demo)


def with_settings(scenario: Scenario, *, horizon_days: int | None = None, replications: int | None = None,
                  workers: int | None = None, scheduler: str | None = None) -> Scenario:
    """Shorter plans, fewer replications, or other workers for a quick look (checked like the
    file's own values)."""
    forecast, simulation = scenario.forecast, scenario.simulation
    if horizon_days is not None:
        forecast = dataclasses.replace(forecast, horizon_days=horizon_days)
    if replications is not None:
        simulation = dataclasses.replace(simulation, replications=replications)
    if workers is not None:
        simulation = dataclasses.replace(simulation, workers=workers)
    if scheduler is not None:
        simulation = dataclasses.replace(simulation, scheduler=scheduler)
    return dataclasses.replace(scenario, forecast=forecast, simulation=simulation)


def unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def comparison_table(results) -> pd.DataFrame:
    rows = []
    for r in results:
        summary = r.simulation.summary().set_index("queue")
        for queue, q in r.stress.baseline.queues.items():
            s = summary.loc[queue]
            rows.append({
                "scenario": r.name, "queue": queue, "roster": r.stress.roster,
                "changes": "; ".join(c.describe() for c in r.stress.changes) or "none",
                "target_service_level": q.service_level, "answer_within_s": q.answer_within_s,
                "service_level": s["service_level"], "service_level_lo": s["service_level_lo"],
                "service_level_hi": s["service_level_hi"],
                "abandon_rate": s["abandon_rate"], "abandon_rate_lo": s["abandon_rate_lo"],
                "abandon_rate_hi": s["abandon_rate_hi"], "asa_s": s["asa"], "occupancy": s["occupancy"],
                "p_miss_target": _share_days_below(r.simulation.kpi, queue, q.service_level),
                "offered_per_replication": s["offered"], "replications": int(s["replications"]),
                "callbacks_per_replication": s["callbacks"],
                "callback_success": s["callbacks_answered"] / s["callbacks"] if s["callbacks"] > 0 else float("nan"),
                "absence_rate": r.absence, "heads": r.heads, "paid_hours": r.paid_hours,
                "roster_cost": r.roster_cost.total,
                "overtime_used_cost": r.overtime_used.total,
                "overtime_used_hours": r.overtime_used.overtime_hours + r.overtime_used.agency_hours,
                "cost_to_restore": r.restore.total,
                "restore_overtime_hours": r.restore.overtime_hours,
                "restore_agency_hours": r.restore.agency_hours,
            })
    table = pd.DataFrame(rows)
    reference = table[table["scenario"] == results[0].name].set_index("queue")["service_level"]
    table.insert(table.columns.get_loc("service_level_hi") + 1, "service_level_change",
                 table["service_level"] - table["queue"].map(reference))
    return table


def write_comparison(comparison: Comparison, out: Path) -> None:
    comparison.table.to_csv(out / TABLE, index=False, float_format="%.6g")
    for r in comparison.results:
        write_result(r, out / folder_name(r.name), comparison.costs)


def folder_name(name: str) -> str:
    """A scenario's name as a folder name (letters, digits, '-', '_', '.')."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return safe or "scenario"


def write_result(r: StressResult, folder: Path, costs: CostModel) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "demand.csv": r.demand,
        "requirement.csv": r.requirement,
        "roster.csv": r.roster,
        "available.csv": r.available,
        "restore_shifts.csv": r.restore_shifts,
        "kpi_intervals.csv": r.simulation.intervals(),
    }
    for name, frame in tables.items():
        frame.to_csv(folder / name, index=False, float_format="%.6g")
    facts = {
        "scenario": r.name, "description": r.stress.description,
        "scenario_file": str(r.stress.source_file or "built-in"),
        "baseline": r.stress.baseline_key, "seed": r.stress.baseline.seed, "roster": r.stress.roster,
        "changes": [c.describe() for c in r.stress.changes],
        "absence_rate": round(r.absence, 6), "heads": r.heads, "paid_hours": round(r.paid_hours, 2),
        "overtime_shifts_used": int((r.roster[PAY] == "overtime").sum()),
        "currency": costs.currency,
        "roster_cost": r.roster_cost.as_dict(), "overtime_used": r.overtime_used.as_dict(),
        "cost_to_restore": r.restore.as_dict(),
    }
    (folder / "scenario.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
