"""Stress changes the simulation models itself, simulated: one story per test, a day of calls.

Each test runs the same demand, staff and seed with and without the change, so the difference
is the change's (the simulation draws callers from one stream and availability from another).
"""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from scenarios.changes import change_from_mapping
from scenarios.config import Scenario
from simulation import simulate

from stress_inputs import context, demand, grid, sim_config

STARTS = grid(1)
DEMAND = demand(STARTS)[["queue", "interval_start", "calls", "aht"]]   # about 6.7 Erlangs
SEED = 11


def agents(n: int) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": STARTS, "agents": n})


def run(raw: dict | None = None, heads: int = 9, config=None):
    config = config or sim_config()
    if raw is not None:
        config = change_from_mapping(raw, "test.toml: [[changes]] #1").simulation(config, context(STARTS))
    return simulate(DEMAND, agents(heads), config, rng=SEED)


def hourly_service_level(result) -> pd.Series:
    """Answered in time / offered per local hour, all queues and replications pooled."""
    kpi = result.kpi
    by_hour = kpi.groupby(kpi["interval_start"].dt.hour)[["answered_within", "offered"]].sum()
    return by_hour["answered_within"] / by_hour["offered"]


def overall(result, queue: str, column: str) -> float:
    return float(result.summary().set_index("queue").loc[queue, column])


def test_abstraction_of_30_percent_for_2_hours_lowers_service_in_those_hours_and_not_others():
    before = hourly_service_level(run())
    after = hourly_service_level(run({"kind": "abstraction", "share": 0.3, "start_time": "10:00",
                                      "end_time": "12:00"}))
    window = [10, 11]
    assert (after[window] < before[window] - 0.15).all()      # 3 of 9 away: under the load
    # before the window the day is the same call for call; an hour after it, close again
    pd.testing.assert_series_equal(after[after.index < 10], before[before.index < 10])
    assert np.abs(after[after.index >= 13] - before[before.index >= 13]).max() < 0.03


def test_random_pullouts_lower_service_against_the_same_seed_without_them():
    rate, minutes = 0.5, 20
    calm, pulled = run(), run({"kind": "random_pullouts", "rate_per_hour": rate, "mean_minutes": minutes})
    for queue in ("999", "101"):
        assert overall(pulled, queue, "service_level") < overall(calm, queue, "service_level")
    assert pulled.occupancy["available_s"].sum() < calm.occupancy["available_s"].sum()


def away_share(config, heads: int = 200, seed: int = 5) -> float:
    """Share of rostered time the simulation's own availability draws take away (one replication)."""
    from simulation.arrivals import read_demand
    from simulation.staffing import apply_availability, read_staffing

    timeline = read_demand(DEMAND, config).timeline
    staff = read_staffing(agents(heads), config, timeline)
    cut = apply_availability(staff, config, timeline, np.random.default_rng(seed))

    def on_duty(s):
        return sum(end - start for windows in s.windows for start, end, _ in windows)
    return 1 - on_duty(cut) / on_duty(staff)


def test_pullouts_take_the_share_of_on_shift_time_the_requirement_is_grossed_up_by():
    # overlapping pull-outs merge, so a handler is planned away 1 - exp(-rate x mean length) of
    # the time (the M/G/infinity busy probability): checked against the simulation's own draws
    # for 200 handlers over a day. (A handler in a call finishes it first, so the time actually
    # lost in a run is a little less: the gross-up errs on the side of cover.)
    rate, minutes = 0.5, 20
    rule = change_from_mapping({"kind": "random_pullouts", "rate_per_hour": rate, "mean_minutes": minutes}, "t")
    expected = 1 - math.exp(-rate * minutes / 60)
    assert away_share(rule.simulation(sim_config(), context(STARTS))) == pytest.approx(expected, abs=0.015)
    assert rule.away_share() == pytest.approx(expected)
    need = pd.DataFrame({"interval_start": STARTS, "required": 20})
    assert (rule.required(need, context(STARTS))["required"] == math.ceil(20 * math.exp(rate * minutes / 60))).all()


def test_pullouts_come_on_top_of_the_baselines_on_shift_shrinkage():
    # a baseline whose shrinkage has on-shift parts (breaks, training) already draws pull-outs
    # for them: the change adds an independent kind, and the shares combine as 1 - (1-a)(1-b)
    from scenarios.pipeline import on_shift_pull_outs

    baseline = dataclasses.replace(sim_config(), pull_outs=on_shift_pull_outs(0.10))
    rule = change_from_mapping({"kind": "random_pullouts", "rate_per_hour": 0.5, "mean_minutes": 20}, "t")
    both = rule.simulation(baseline, context(STARTS))
    assert both.pull_out_kinds == (baseline.pull_outs, both.pull_out_kinds[1]) and len(both.pull_out_kinds) == 2
    assert away_share(both) == pytest.approx(1 - 0.9 * (1 - rule.away_share()), abs=0.015)
    # one kind as a tuple draws exactly what it draws alone
    assert away_share(baseline) == away_share(dataclasses.replace(baseline, pull_outs=(baseline.pull_outs,)))


def test_callbacks_on_lower_101_abandonment_and_appear_in_kpi_intervals():
    strained = dict(heads=7)                          # 7 handlers for 6.7 Erlangs: long 101 waits
    without = run(**strained)
    with_callbacks = run({"kind": "callbacks", "offer_above_wait_s": 60, "accept_share": 0.5}, **strained)
    assert overall(with_callbacks, "101", "abandon_rate") < overall(without, "101", "abandon_rate") - 0.02
    intervals = with_callbacks.intervals()
    assert intervals.loc[intervals["queue"] == "101", "callbacks"].sum() > 0
    assert intervals.loc[intervals["queue"] == "999", "callbacks"].sum() == 0   # offered on 101 only
    assert without.intervals()["callbacks"].sum() == 0


def test_callbacks_off_switches_off_callbacks_a_baseline_has():
    plain = Scenario()
    queues = dict(plain.queues, **{"101": dataclasses.replace(plain.queues["101"], callback_over_s=30.0,
                                                              callback_accept=0.5)})
    config = sim_config(scenario=dataclasses.replace(plain, queues=queues))
    assert config.queue("101").has_callbacks                  # the baseline's [queues.101] keys arrive
    assert run(config=config, heads=7).intervals()["callbacks"].sum() > 0
    off = run({"kind": "callbacks", "enabled": False}, heads=7, config=config)
    assert off.intervals()["callbacks"].sum() == 0


def test_a_long_abstraction_takes_its_share_of_those_who_start_their_shift_during_it():
    # 4 handlers until noon, 20 after: 50% from 08:00 to 16:00 is 2 away in the morning and 10 in
    # the afternoon, because the simulation re-draws the abstraction every hour of the window
    from simulation.arrivals import read_demand
    from simulation.staffing import apply_availability, read_staffing

    heads = pd.DataFrame({"interval_start": STARTS, "agents": np.where(STARTS.hour < 12, 4, 20)})
    rule = change_from_mapping({"kind": "abstraction", "share": 0.5, "start_time": "08:00", "end_time": "16:00"}, "t")
    config = rule.simulation(sim_config(), context(STARTS))
    timeline = read_demand(DEMAND, config).timeline
    cut = apply_availability(read_staffing(heads, config, timeline), config, timeline, np.random.default_rng(3))
    middle = (np.arange(len(STARTS)) + 0.5) * 900.0
    on = np.array([sum(any(a <= t < b for a, b, _ in w) for w in cut.windows) for t in middle])
    hour = STARTS.hour
    assert (on[(hour >= 8) & (hour < 12)] == 2).all() and (on[(hour >= 12) & (hour < 16)] == 10).all()
    assert (on[hour < 8] == 4).all() and (on[hour >= 16] == 20).all()
