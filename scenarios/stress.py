"""Run a stress scenario against its baseline: change the inputs, keep or rebuild the roster,
simulate, and price it.

The order is fixed, and each step is a pure function of the one before:
demand -> absence -> requirement (heads to roster) -> roster (kept or rebuilt, then capped) ->
overtime filling gaps (if the policy says so) -> the shifts the simulation is given ->
the simulation's configuration (abstraction windows, random pull-outs, callbacks: drawn anew in
each replication by the simulation itself) -> simulation.

``plan_stress`` does everything but the simulation, so a comparison can simulate a batch of
scenarios on one executor (simulation.simulate_batch, through ``comparison.compare``).

Money:
- roster cost: the contracted roster priced by the cost model (abstracted staff are paid);
- overtime used: shifts the overtime policy added to fill gaps before simulating;
- cost to restore: the extra hours that would bring heads back up to what the scenario's
  demand, absence, abstraction and pull-outs require, laid out as a least-cost roster of overtime shifts
  (the policy's shift lengths) against the gap, paid at the overtime rate up to the policy's
  cap and at the agency rate beyond it. It is 0 when the scenario's roster already covers
  its requirement.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling.roster import build_roster
from scheduling.schema import INTERVAL_START, PAID_HOURS, REQUIRED, SHIFT_COLUMNS, STAFF_ID
from scheduling.shifts import ShiftTemplate
from scheduling.solver import SolverOptions
from simulation import SimulationResult

from . import pipeline
from .changes import Change, Context, Overtime
from .changes.cover import cover
from .changes.workforce import apply_cap, heads
from .costs import Cost, CostModel, extra_hours_cost, roster_cost
from .pipeline import RunResult
from .progress import Progress
from .stress_config import StressScenario

PAY = "pay"   # extra column of the scenario roster: "contract" or "overtime"


@dataclass(frozen=True, eq=False)
class StressResult:
    stress: StressScenario
    demand: pd.DataFrame            # forecast table after the demand changes
    requirement: pd.DataFrame       # pooled heads to roster: interval_start, required (and agents)
    absence: float
    roster: pd.DataFrame            # paid shifts (SHIFT_COLUMNS + pay)
    available: pd.DataFrame         # the shifts the simulation was given
    simulation: SimulationResult
    roster_cost: Cost
    overtime_used: Cost
    restore: Cost
    restore_shifts: pd.DataFrame

    @property
    def name(self) -> str:
        return self.stress.name

    @property
    def heads(self) -> int:
        return heads(self.roster[self.roster[PAY] == "contract"])

    @property
    def paid_hours(self) -> float:
        return float(self.roster.loc[self.roster[PAY] == "contract", PAID_HOURS].sum())


def context(base: RunResult, stress: StressScenario) -> Context:
    shifts = base.roster.shifts
    starts = pd.DatetimeIndex(sorted(base.requirement[INTERVAL_START].unique()))
    return Context(starts=starts, queues=tuple(base.scenario.queues), seed=base.scenario.seed,
                   baseline_paid_hours=float(shifts[PAID_HOURS].sum()), baseline_heads=heads(shifts),
                   rebuilt=stress.roster == "rebuild")


@dataclass(frozen=True, eq=False)
class StressPlan:
    """A scenario's inputs, roster and costs: a StressResult without its simulation.

    job: (demand, shifts, config, seed) to simulate, or None when the scenario is its baseline
    unchanged (the baseline's own simulation is the result: same inputs, same seed).
    """

    stress: StressScenario
    demand: pd.DataFrame
    requirement: pd.DataFrame
    absence: float
    roster: pd.DataFrame
    available: pd.DataFrame
    roster_cost: Cost
    overtime_used: Cost
    restore: Cost
    restore_shifts: pd.DataFrame
    job: tuple | None
    base_simulation: SimulationResult

    def result(self, simulated: SimulationResult | None = None) -> StressResult:
        simulation = self.base_simulation if self.job is None else simulated
        return StressResult(self.stress, self.demand, self.requirement, self.absence, self.roster, self.available,
                            simulation, self.roster_cost, self.overtime_used, self.restore, self.restore_shifts)


def plan_stress(stress: StressScenario, base: RunResult, costs: CostModel,
                progress: Progress | None = None) -> StressPlan:
    """``stress``'s changes applied to ``base`` (the run of its baseline), everything but the
    simulation: the changed inputs, the roster, the costs, and the simulation job (None: no change)."""
    say = progress or Progress(quiet=True)
    scenario, changes = base.scenario, stress.changes
    ctx = context(base, stress)
    say(f"{stress.name}: " + ("; ".join(c.describe() for c in changes) or "no changes"))

    demand = _fold(changes, "demand", base.forecast.forecast, ctx)
    base_absence = pipeline.absence_rate(scenario, base.requirement)
    absence = _fold(changes, "absence", base_absence, ctx)
    pooled = _fold(changes, "required", _pooled(scenario, base, demand, absence, base_absence), ctx)

    if stress.roster == "rebuild":
        say(f"{stress.name}: rebuilding the roster (peak {int(pooled[REQUIRED].max())} heads)")
        shifts = _roster(scenario, pooled, "H").shifts
    else:
        shifts = base.roster.shifts
    shifts = _fold_roster(changes, shifts, pooled, ctx).assign(**{PAY: "contract"})

    policy = overtime_policy(changes)
    cap_hours = policy.max_share * ctx.baseline_paid_hours
    multiplier = policy.rate_multiplier or costs.overtime_multiplier
    filled = _empty_like(shifts)
    if policy.fill:
        filled = gap_shifts(scenario, pooled, shifts, ctx, policy, prefix="OT", max_hours=cap_hours)
        say(f"{stress.name}: overtime fills gaps with {len(filled)} shifts, "
            f"{filled[PAID_HOURS].sum():,.0f} hours")
    paid = pd.concat([shifts, filled.assign(**{PAY: "overtime"})], ignore_index=True)

    available = _fold(changes, "available", paid, ctx)
    job = None
    if changes:
        config = _fold(changes, "simulation", pipeline.simulation_config(
            scenario, absence, pipeline.on_shift_rate(scenario, base.requirement)), ctx)
        job = (pipeline.simulation_demand(scenario, base.forecast.forecast, demand), available, config, scenario.seed)

    used = extra_hours_cost(filled, costs, overtime_hours_cap=cap_hours, overtime_multiplier=multiplier)
    restore_shifts = gap_shifts(scenario, pooled, paid, ctx, policy, prefix="RS")
    left = max(cap_hours - used.overtime_hours, 0.0)
    restore = extra_hours_cost(restore_shifts, costs, overtime_hours_cap=left, overtime_multiplier=multiplier)
    return StressPlan(stress, demand, pooled, absence, paid, available, roster_cost(shifts, costs), used,
                      restore, restore_shifts, job, base.simulation)


def _fold(changes: tuple[Change, ...], point: str, value, ctx: Context):
    for change in changes:
        value = getattr(change, point)(value, ctx)
    return value


def _fold_roster(changes, shifts, pooled, ctx):
    for change in changes:
        shifts = change.roster(shifts, pooled, ctx)
    return shifts.reset_index(drop=True)


def _pooled(scenario, base: RunResult, demand: pd.DataFrame, absence: float, base_absence: float) -> pd.DataFrame:
    """Heads to roster per interval for the scenario's demand and absence."""
    if demand is base.forecast.forecast and absence == base_absence:
        return base.roster.cover[[INTERVAL_START, REQUIRED]]   # what the baseline roster was built to
    planned = dataclasses.replace(scenario, simulation=dataclasses.replace(scenario.simulation,
                                                                            absence_rate=absence))
    requirement = base.requirement
    if demand is not base.forecast.forecast:
        forecast = dataclasses.replace(base.forecast, forecast=demand)
        requirement = pipeline.staffing_requirement(planned, forecast, Progress(quiet=True))
    return pipeline.pool_requirement(planned, requirement)


def _options(scenario) -> SolverOptions:
    r = scenario.roster
    return SolverOptions(solver=r.solver, time_limit_s=r.time_limit_s, gap_rel=r.gap, threads=r.threads)


def _roster(scenario, pooled: pd.DataFrame, prefix: str, templates=None):
    # a rebuilt roster is chosen by the pay rules like the baseline's; overtime gap shifts by hours
    price = None
    if templates is None:
        costs = pipeline.cost_model(scenario)
        templates, price = pipeline.shift_templates(scenario, costs), pipeline.shift_price(costs)
    result = build_roster(pooled[[INTERVAL_START, REQUIRED]], templates,
                          solver_options=_options(scenario), skills=tuple(scenario.queues), price=price)
    if prefix != "H":
        result.shifts[STAFF_ID] = result.shifts[STAFF_ID].str.replace("H", prefix, n=1)
    return result


def overtime_policy(changes: tuple[Change, ...]) -> Overtime:
    """The last overtime change wins; without one, overtime is priced at the cost model's rate with
    the default cap (10% of the baseline's paid hours) and not used to fill gaps."""
    chosen = [c for c in changes if isinstance(c, Overtime)]
    return chosen[-1] if chosen else Overtime()


def gap_shifts(scenario, pooled: pd.DataFrame, shifts: pd.DataFrame, ctx: Context, policy: Overtime,
               *, prefix: str, max_hours: float | None = None) -> pd.DataFrame:
    """Least-cost extra shifts (the policy's lengths, no break) covering heads missing from ``shifts``."""
    need = pooled.set_index(INTERVAL_START)[REQUIRED].reindex(ctx.starts).fillna(0).to_numpy()
    gap = np.maximum(need - cover(shifts, ctx.starts), 0).astype(np.int64)
    if gap.sum() == 0:
        return _empty_like(shifts)
    templates = [ShiftTemplate(name=f"overtime {h:g}h", length_h=h, hourly_cost=1.0) for h in policy.shift_hours]
    missing = pd.DataFrame({INTERVAL_START: ctx.starts, REQUIRED: gap})
    extra = _roster(scenario, missing, prefix, templates).shifts
    if max_hours is not None and extra[PAID_HOURS].sum() > max_hours:
        extra = apply_cap(extra, missing, ctx.starts, max_paid_hours=max_hours)
    return extra


def _empty_like(shifts: pd.DataFrame) -> pd.DataFrame:
    return shifts.iloc[0:0][list(SHIFT_COLUMNS)]
