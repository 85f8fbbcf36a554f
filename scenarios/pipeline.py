"""The whole pipeline: history -> forecast -> staffing requirement -> roster -> simulation.

Each stage is a separate package that knows nothing of the others; this module is the only
place that turns one stage's long table into the next stage's input.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecasting.driver import ForecastResult, forecast
from forecasting.schema import quantile_column
from scheduling.roster import RosterResult, build_roster
from scheduling.shifts import ShiftTemplate
from scheduling.solver import SolverOptions
from scheduling.tour_roster import build_tour_roster
from scheduling.tours import TourSettings
from scheduling.pooling import pooled_requirement
from scheduling.staffing import QueueTarget, requirement
from simulation import QueueConfig, SimulationConfig, SimulationResult, simulate

from .config import Scenario
from .demo_data import demo_history
from .errors import InputError
from .ingest import read_history
from .progress import Progress


@dataclass(frozen=True)
class RunResult:
    scenario: Scenario
    history: pd.DataFrame
    forecast: ForecastResult
    requirement: pd.DataFrame
    roster: RosterResult
    simulation: SimulationResult


def run_pipeline(scenario: Scenario, progress: Progress | None = None) -> RunResult:
    progress = progress or Progress(quiet=True)
    history = load_history(scenario, progress.begin("history"))
    fc = forecast_demand(scenario, history, progress.begin("forecast"))
    req = staffing_requirement(scenario, fc, progress.begin("staffing"))
    roster = build_plan(scenario, req, progress.begin("roster"))
    sim = simulate_plan(scenario, fc, req, roster, progress.begin("simulation"))
    return RunResult(scenario, history, fc, req, roster, sim)


def load_history(scenario: Scenario, progress: Progress) -> pd.DataFrame:
    data = scenario.data
    if data.is_demo:
        progress(f"building {data.history_days} days of demo history (seed {scenario.seed})")
        history = demo_history(seed=scenario.seed, days=data.history_days, timezone=data.timezone,
                               interval_minutes=data.interval_minutes)
    else:
        path = scenario.data_path()
        progress(f"reading {path}")
        history = read_history(path, timezone=data.timezone, interval_minutes=data.interval_minutes)
    _check_queues(scenario, history)
    history = history[history["queue"].isin(list(scenario.queues))].reset_index(drop=True)
    progress(f"{len(history):,} intervals, {int(history['calls'].sum()):,} calls, "
             f"{history['interval_start'].min():%Y-%m-%d} to {history['interval_start'].max():%Y-%m-%d}")
    return history


def _check_queues(scenario: Scenario, history: pd.DataFrame) -> None:
    in_data = sorted(history["queue"].astype(str).unique())
    missing = [q for q in scenario.queues if q not in in_data]
    if missing:
        where = scenario.source_file or "scenario"
        raise InputError(f"{where}: [queues.{missing[0]}] is not a queue in the history; "
                         f"queues in the data: {', '.join(in_data)}")


def forecast_demand(scenario: Scenario, history: pd.DataFrame, progress: Progress) -> ForecastResult:
    settings = scenario.forecast
    result = forecast(history, horizon_days=settings.horizon_days, models=list(settings.models),
                      backtest_origins=settings.backtest_origins, progress=progress)
    return dataclasses.replace(result, forecast=_fill_aht(scenario, result.forecast))


def _fill_aht(scenario: Scenario, frame: pd.DataFrame) -> pd.DataFrame:
    """Where the history has no handle times (many call logs do not), use the queue's aht_s."""
    frame = frame.copy()
    for name, q in scenario.queues.items():
        rows = (frame["queue"] == name) & frame["aht"].isna()
        if rows.any() and q.aht_s is None:
            raise InputError(f"{scenario.source_file or 'scenario'}: the history has no handle times for "
                             f"queue {name!r}; set aht_s (mean handle time in seconds) in [queues.{name}]")
        frame.loc[rows, "aht"] = q.aht_s
    return frame


def demand_to_staff(scenario: Scenario, fc: ForecastResult) -> pd.DataFrame:
    """The calls each interval is staffed for: the forecast mean, or a chosen percentile."""
    frame = fc.forecast
    q = scenario.forecast.staff_to_quantile
    calls = frame["calls"] if q is None else frame[quantile_column(q)]
    return pd.DataFrame({"queue": frame["queue"], "interval_start": frame["interval_start"],
                         "calls": calls.to_numpy(), "aht": frame["aht"].to_numpy()})


def staffing_requirement(scenario: Scenario, fc: ForecastResult, progress: Progress) -> pd.DataFrame:
    targets = {name: _queue_target(q) for name, q in scenario.queues.items()}
    progress("; ".join(f"{n}: {t.model.replace('_', ' ').title()}, {t.service_level:.0%} within "
                       f"{t.answer_within_s:g}s" for n, t in targets.items()))
    return requirement(demand_to_staff(scenario, fc), targets)


def _queue_target(q) -> QueueTarget:
    return QueueTarget(queue=q.name, model=q.model, service_level=q.service_level,
                       answer_within_s=q.answer_within_s,
                       # Erlang C staffs as if nobody hangs up; patience still drives the simulation
                       mean_patience_s=q.mean_patience_s if q.model == "erlang_a" else None,
                       shrinkage=q.shrinkage, min_agents=q.min_agents)


def shift_templates(scenario: Scenario) -> list[ShiftTemplate]:
    r = scenario.roster
    return [ShiftTemplate(name=f"{length:g}h", length_h=length, break_minutes=brk, hourly_cost=r.hourly_cost)
            for length, brk in zip(r.shift_lengths_h, r.break_minutes)]


def pool_requirement(scenario: Scenario, req: pd.DataFrame) -> pd.DataFrame:
    """Heads for the one pool of handlers that answers every line, 999 first, allowing for absence."""
    targets = {name: _queue_target(q) for name, q in scenario.queues.items()}
    priorities = {name: q.priority for name, q in scenario.queues.items()}
    return pooled_requirement(req, targets, priorities, absence_rate=absence_rate(scenario, req))


def build_plan(scenario: Scenario, req: pd.DataFrame, progress: Progress) -> RosterResult:
    r = scenario.roster
    options = SolverOptions(solver=r.solver, time_limit_s=r.time_limit_s, gap_rel=r.gap, threads=r.threads)
    required = pool_requirement(scenario, req)[["interval_start", "required"]]
    progress(f"{len(required):,} intervals, peak {int(required['required'].max())} heads "
             f"(one pool, {absence_rate(scenario, req):.0%} absence allowed for); "
             f"solving with {r.solver} (time limit {r.time_limit_s:g}s, gap {r.gap:.1%})")
    if r.model == "tours":
        roster = build_tour_roster(required, shift_templates(scenario), solver_options=options,
                                   settings=TourSettings(days_off=r.days_off, break_window_h=r.break_window_h),
                                   skills=tuple(scenario.queues))
    else:
        roster = build_roster(required, shift_templates(scenario), solver_options=options,
                              skills=tuple(scenario.queues))
    for note in roster.notes:
        progress(note)
    progress(f"{len(roster.shifts):,} shifts, cost {roster.total_cost:,.0f}, proven gap {roster.gap:.2%}")
    return roster


def absence_rate(scenario: Scenario, req: pd.DataFrame) -> float:
    """Shifts lost in simulation: as set, or the shrinkage the requirement was grossed up by.

    The roster holds heads = agents / (1 - shrinkage); simulating all of them as present would
    test a control room with nobody sick, on leave or abstracted.
    """
    if scenario.simulation.absence_rate is not None:
        return scenario.simulation.absence_rate
    shrinkage = req["queue"].map({name: q.shrinkage for name, q in scenario.queues.items()})
    return float(np.average(shrinkage, weights=req["heads"])) if req["heads"].sum() > 0 else 0.0


def simulation_config(scenario: Scenario, absence: float = 0.0) -> SimulationConfig:
    s = scenario.simulation
    queues = tuple(QueueConfig(name=q.name, priority=q.priority, answer_within_s=q.answer_within_s,
                               mean_patience_s=q.mean_patience_s, handle=s.handle, handle_cv=s.handle_cv)
                   for q in scenario.queues.values())
    return SimulationConfig(queues=queues, replications=s.replications, seed=scenario.seed,
                            day_multiplier_cv=s.demand_day_cv, absence_rate=absence)


def simulate_plan(scenario: Scenario, fc: ForecastResult, req: pd.DataFrame, roster: RosterResult,
                  progress: Progress) -> SimulationResult:
    demand = fc.forecast[["queue", "interval_start", "calls", "aht"]]
    absence = absence_rate(scenario, req)
    progress(f"{scenario.simulation.replications} replications of {scenario.forecast.horizon_days} days, "
             f"{demand['calls'].sum():,.0f} calls expected in each, {absence:.0%} of shifts absent")
    config = simulation_config(scenario, absence)
    return simulate(demand, roster.shifts, config, rng=scenario.seed, progress=progress)


def scenario_inputs(scenario: Scenario) -> dict[str, Any]:
    """What a reader needs to reproduce a run."""
    from . import __version__
    return {"scenario": scenario.name, "scenario_file": str(scenario.source_file or "built-in demo"),
            "data": scenario.data.source, "seed": scenario.seed, "version": __version__}
