"""The scenario's staffing keys reach the numbers: staff_to a quantile, max_occupancy, min_agents."""

import dataclasses

import numpy as np
import pytest

from scenarios import pipeline
from scenarios.config import scenario_from_mapping
from scenarios.progress import Progress

QUIET = Progress(quiet=True)
SMALL = {"data": {"history_days": 56},
         "forecast": {"horizon_days": 1, "models": ["seasonal_naive"], "backtest_origins": 0}}


@pytest.fixture(scope="module")
def small():
    scenario = scenario_from_mapping(SMALL)
    history = pipeline.load_history(scenario, QUIET)
    return scenario, history


def with_keys(scenario, forecast=None, **queues):
    changed = dataclasses.replace(scenario, forecast=dataclasses.replace(scenario.forecast, **(forecast or {})))
    return dataclasses.replace(changed, queues={
        name: dataclasses.replace(q, **queues.get(name, {})) for name, q in changed.queues.items()})


def test_staff_to_a_percentile_staffs_to_that_forecast_quantile(small):
    scenario, history = small
    p80 = with_keys(scenario, {"staff_to": "p80"})
    fc = pipeline.forecast_demand(p80, history, QUIET)
    assert "calls_p80" in fc.forecast       # forecast even though it is not a default quantile
    demand = pipeline.demand_to_staff(p80, fc)
    assert np.array_equal(demand["calls"].to_numpy(), fc.forecast["calls_p80"].to_numpy())
    mean = pipeline.staffing_requirement(scenario, fc, QUIET)
    high = pipeline.staffing_requirement(p80, fc, QUIET)
    assert (high["agents"].to_numpy() >= mean["agents"].to_numpy()).all()
    assert high["agents"].sum() > mean["agents"].sum()


def test_max_occupancy_and_min_agents_reach_the_requirement(small):
    scenario, history = small
    fc = pipeline.forecast_demand(scenario, history, QUIET)
    capped = with_keys(scenario, **{"101": {"max_occupancy": 0.7, "min_agents": 4}})
    req = pipeline.staffing_requirement(capped, fc, QUIET)
    rows = req[req["queue"] == "101"]
    assert (rows["occupancy"] <= 0.7 + 1e-12).all()
    assert (rows["agents"] >= 4).all()
    pool = pipeline.pool_requirement(capped, req)
    assert (pool["agents"] >= 4 + 2).all()   # 101's four plus 999's two, at every hour
    load = req.assign(load=req["calls"] * req["aht"].fillna(0) / 900).groupby("interval_start")["load"].sum()
    assert (load.to_numpy() <= 0.7 * pool["agents"].to_numpy() + 1e-9).all()
