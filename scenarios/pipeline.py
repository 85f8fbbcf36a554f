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

from forecasting.day_level import day_level_cv
from forecasting.driver import ForecastResult, forecast
from forecasting.schema import DEFAULT_QUANTILES, quantile_column
from scheduling.roster import RosterResult, build_roster
from scheduling.rotations import build_rotation_roster
from scheduling.shifts import ShiftTemplate
from scheduling.solver import SolverOptions
from scheduling.tour_roster import build_tour_roster
from scheduling.tours import TourSettings
from scheduling.pooling import pooled_requirement
from scheduling.staffing import QueueTarget, requirement
from simulation import PullOuts, QueueConfig, SimulationConfig, SimulationResult, simulate

from .config import BEHAVIOUR_KEYS, Scenario, rotation_from_table
from .costs import CostModel, load_costs, shift_costs
from .demo_data import demo_history
from .errors import InputError
from .ingest import read_history
from .progress import Progress, heartbeat


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
    cost_model(scenario)   # a bad costs file fails now, not after the forecast
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
    # The quantile staffed to must be among those forecast, or demand_to_staff has no column for it.
    wanted = [*DEFAULT_QUANTILES, *filter(None, [settings.staff_to_quantile])]
    quantiles = tuple(sorted({quantile_column(q): q for q in wanted}.values()))   # one per column name
    result = forecast(history, horizon_days=settings.horizon_days, models=list(settings.models),
                      backtest_origins=settings.backtest_origins, quantiles=quantiles, progress=progress,
                      special_days=settings.special_days(_years(history, settings.horizon_days)))
    return dataclasses.replace(result, forecast=_fill_aht(scenario, result.forecast))


def special_day_marks(result: "RunResult") -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """The holidays and events the forecast knew of, over the history shown and the horizon, as
    wall-clock (start, end, name) for the report's charts."""
    settings = result.scenario.forecast
    times = result.forecast.forecast["interval_start"]
    start = times.min().tz_localize(None) - pd.Timedelta(days=15)
    special = settings.special_days(_years(result.history, settings.horizon_days))
    return special.windows(start, times.max().tz_localize(None))


def _years(history: pd.DataFrame, horizon_days: int) -> range:
    """Calendar years from the first history day to the end of the horizon (for yearly events)."""
    times = history["interval_start"]
    return range(times.min().year - 1, (times.max() + pd.Timedelta(days=horizon_days)).year + 1)


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
    """The calls each interval is staffed for (the forecast mean, or a chosen percentile), and how
    long each keeps a handler busy (the forecast's handle time plus the queue's after-call work)."""
    frame = fc.forecast
    q = scenario.forecast.staff_to_quantile
    calls = frame["calls"] if q is None else frame[quantile_column(q)]
    # a handler is busy for talk plus after-call work: staff for both (the simulation adds the
    # after-call work to the forecast's talk time, so a roster built on talk alone would be short)
    after_call = frame["queue"].map({name: s.after_call_s for name, s in scenario.queues.items()})
    return pd.DataFrame({"queue": frame["queue"], "interval_start": frame["interval_start"],
                         "calls": calls.to_numpy(), "aht": (frame["aht"] + after_call.fillna(0.0)).to_numpy()})


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
                       shrinkage=q.shrinkage_total, min_agents=q.min_agents, max_occupancy=q.max_occupancy)


def shift_templates(scenario: Scenario, costs: CostModel | None = None) -> list[ShiftTemplate]:
    """The scenario's shifts, at the pay rules' plain hourly rate (``shift_price`` adds premiums)."""
    r, costs = scenario.roster, costs or cost_model(scenario)
    rate = costs.base_rate * (1 + costs.on_cost_rate)
    return [ShiftTemplate(name=f"{length:g}h", length_h=length, break_minutes=brk, hourly_cost=rate)
            for length, brk in zip(r.shift_lengths_h, r.break_minutes)]


def shift_price(costs: CostModel):
    """Each candidate shift's cost under the pay rules, for the roster models to choose by (a night
    or a bank holiday costs more than a weekday afternoon)."""
    return lambda shifts: shift_costs(shifts, costs)


def pool_requirement(scenario: Scenario, req: pd.DataFrame) -> pd.DataFrame:
    """Heads for the one pool of handlers that answers every line, 999 first, allowing for absence."""
    targets = {name: _queue_target(q) for name, q in scenario.queues.items()}
    priorities = {name: q.priority for name, q in scenario.queues.items()}
    return pooled_requirement(req, targets, priorities, absence_rate=absence_rate(scenario, req),
                              on_shift=on_shift_rate(scenario, req))


def build_plan(scenario: Scenario, req: pd.DataFrame, progress: Progress) -> RosterResult:
    r = scenario.roster
    options = SolverOptions(solver=r.solver, time_limit_s=r.time_limit_s, gap_rel=r.gap, threads=r.threads)
    required = pool_requirement(scenario, req)[["interval_start", "required"]]
    on_shift = on_shift_rate(scenario, req)
    progress(f"{len(required):,} intervals, peak {int(required['required'].max())} heads "
             f"(one pool, {absence_rate(scenario, req):.0%} absence"
             + (f" and {on_shift:.0%} of time on shift" if on_shift else "") + " allowed for); "
             f"solving with {r.solver} (time limit {r.time_limit_s:g}s, gap {r.gap:.1%})")
    costs = cost_model(scenario)  # read once: it prices the candidates, the templates and the result
    common = dict(solver_options=options, skills=tuple(scenario.queues), price=shift_price(costs))
    templates = shift_templates(scenario, costs)
    with heartbeat(progress, "solving", r.time_limit_s):
        if r.model == "tours":
            roster = build_tour_roster(required, templates, **common,
                                       settings=TourSettings(days_off=r.days_off, break_window_h=r.break_window_h))
        elif r.model == "rotations":
            rate = templates[0].hourly_cost
            rotations = [rotation_from_table(t, f"[[roster.rotations]] {i + 1}", rate)
                         for i, t in enumerate(r.rotations)]
            roster = build_rotation_roster(required, rotations, **common)
        else:
            roster = build_roster(required, templates, **common, polish=r.polish)
    if roster.shifts.empty and required["required"].max() > 0 and roster.gap > r.gap:
        # Time ran out before the solver had anything better than leaving every interval short.
        raise InputError(f"roster: no roster found within [roster] time_limit_s = {r.time_limit_s:g} "
                         f"(the best was to roster nobody, proven gap {roster.gap:.0%}); raise time_limit_s")
    roster = priced(roster, costs)
    for note in roster.notes:
        progress(note)
    people = roster.shifts["staff_id"].nunique() if "staff_id" in roster.shifts else 0
    progress(f"{len(roster.shifts):,} shifts, {people:,} people, cost {roster.total_cost:,.0f}, "
             f"proven gap {roster.gap:.2%}")
    return roster


def cost_model(scenario: Scenario) -> CostModel:
    """The pay rules of [roster] costs (a costs file), or the built-in ones (scenarios/costs.toml)."""
    path = scenario.costs_path()
    if path is None:
        return CostModel()
    try:
        return load_costs(path)
    except InputError as exc:
        raise InputError(f"{scenario.source_file or 'scenario'}: [roster] costs: {exc}") from None


def priced(roster: RosterResult, costs: CostModel) -> RosterResult:
    """The roster with each shift's cost under the pay rules (premiums, on-costs), and their total.

    The solver chose the shifts by the same prices; pricing the finished roster again places each
    tour's breaks where they fell, the same way the stress comparison prices a roster (scenarios.costs).
    """
    shifts = roster.shifts.assign(cost=shift_costs(roster.shifts, costs))
    return dataclasses.replace(roster, shifts=shifts, total_cost=float(shifts["cost"].sum()))


def absence_rate(scenario: Scenario, req: pd.DataFrame) -> float:
    """Shifts lost whole, in the pooled requirement and in simulation: as set, or the queues' absence.

    A queue's absence is its whole-shift shrinkage (sickness and leave; one undivided shrinkage
    figure counts whole), averaged over queues weighted by their heads. Simulating every
    rostered head as present would test a control room with nobody sick or on leave.
    """
    if scenario.simulation.absence_rate is not None:
        return scenario.simulation.absence_rate
    return _heads_weighted(scenario, req, lambda q: q.shrinkage_parts.absence)


def on_shift_rate(scenario: Scenario, req: pd.DataFrame) -> float:
    """Share of a present head's time lost on shift (breaks, training, abstraction), weighted by heads."""
    return _heads_weighted(scenario, req, lambda q: q.shrinkage_parts.on_shift)


def _heads_weighted(scenario: Scenario, req: pd.DataFrame, part) -> float:
    values = req["queue"].map({name: part(q) for name, q in scenario.queues.items()})
    return float(np.average(values, weights=req["heads"])) if req["heads"].sum() > 0 else 0.0


# On-shift shrinkage is simulated as pull-outs of this fixed length, starting as a Poisson
# process over each handler's logged-in time; the time covered is then 1 - exp(-rate x length).
PULL_OUT_S = 900.0


def on_shift_pull_outs(on_shift: float) -> PullOuts | None:
    """Random pull-outs that take ``on_shift`` of each handler's logged-in time away (None for 0)."""
    if on_shift <= 0:
        return None
    return PullOuts(rate_per_hour=-np.log1p(-on_shift) * 3600.0 / PULL_OUT_S, mean_duration_s=PULL_OUT_S,
                    duration="fixed")


def simulation_config(scenario: Scenario, absence: float = 0.0, on_shift: float = 0.0) -> SimulationConfig:
    s = scenario.simulation
    queues = tuple(QueueConfig(name=q.name, priority=q.priority, answer_within_s=q.answer_within_s,
                               mean_patience_s=q.mean_patience_s, handle=s.handle, handle_cv=s.handle_cv,
                               **{key: getattr(q, key) for key in BEHAVIOUR_KEYS})
                   for q in scenario.queues.values())
    return SimulationConfig(queues=queues, replications=s.replications, seed=scenario.seed,
                            day_multiplier_cv=s.demand_day_cv or 0.0, absence_rate=absence,
                            workers=s.workers, scheduler=s.scheduler,
                            pull_outs=on_shift_pull_outs(on_shift))


def simulation_demand(scenario: Scenario, forecast: pd.DataFrame, demand: pd.DataFrame | None = None
                      ) -> pd.DataFrame:
    """The demand table the simulation draws calls from: ``demand`` (default: the forecast) with,
    unless [simulation] demand_day_cv overrides it, each day's level uncertainty implied by the
    forecast's own quantiles (forecasting.day_level; matched on queue and interval)."""
    demand = forecast if demand is None else demand
    table = demand[["queue", "interval_start", "calls", "aht"]]
    if scenario.simulation.demand_day_cv is not None:
        return table
    cv = day_level_cv(forecast).set_index(["queue", "interval_start"])["day_cv"]
    keys = pd.MultiIndex.from_frame(table[["queue", "interval_start"]])
    return table.assign(day_cv=cv.reindex(keys).fillna(0.0).to_numpy())


def simulate_plan(scenario: Scenario, fc: ForecastResult, req: pd.DataFrame, roster: RosterResult,
                  progress: Progress) -> SimulationResult:
    demand = simulation_demand(scenario, fc.forecast)
    absence, on_shift = absence_rate(scenario, req), on_shift_rate(scenario, req)
    progress(f"{scenario.simulation.replications} replications of {scenario.forecast.horizon_days} days, "
             f"{demand['calls'].sum():,.0f} calls expected in each, {absence:.0%} of shifts absent"
             + (f", {on_shift:.0%} of time on shift away from calls" if on_shift else ""))
    config = simulation_config(scenario, absence, on_shift)
    return simulate(demand, roster.shifts, config, rng=scenario.seed, progress=progress)


def scenario_inputs(scenario: Scenario) -> dict[str, Any]:
    """What a reader needs to reproduce a run."""
    from . import __version__
    return {"scenario": scenario.name, "scenario_file": str(scenario.source_file or "built-in demo"),
            "data": scenario.data.source, "seed": scenario.seed, "version": __version__}
