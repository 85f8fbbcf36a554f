"""Time: clock-change days, warm-up, seeds, and KPIs that add up to the call records."""

import numpy as np
import pandas as pd
import pytest

from simulation import QueueConfig, SimulationConfig, simulate

TZ = "Europe/London"
CONFIG = SimulationConfig((QueueConfig("999", priority=0, answer_within_s=10, mean_patience_s=60),
                           QueueConfig("101", priority=1, answer_within_s=60, mean_patience_s=300)),
                          replications=3, seed=5)


def day_grid(date: str) -> pd.DatetimeIndex:
    start = pd.Timestamp(date, tz=TZ)
    end = pd.Timestamp((start + pd.Timedelta(hours=36)).date(), tz=TZ)  # next local midnight
    return pd.date_range(start, end, freq="15min", inclusive="left")


def demand_on(starts, calls_999, calls_101) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"queue": q, "interval_start": starts, "calls": calls, "aht": 200.0})
                      for q, calls in (("999", calls_999), ("101", calls_101))], ignore_index=True)


def test_autumn_clock_change_day_has_100_intervals_and_kpis_land_in_the_right_one():
    starts = day_grid("2024-10-27")
    assert len(starts) == 100
    # Calls only in the second 01:15-01:30 (GMT, after the clocks went back), none in the first (BST).
    second_0115 = pd.Timestamp("2024-10-27 01:15:00+00:00").tz_convert(TZ)
    first_0115 = pd.Timestamp("2024-10-27 01:15:00+01:00").tz_convert(TZ)
    calls = np.where(starts == second_0115, 40.0, 0.0)
    demand = demand_on(starts, calls, calls)
    demand.loc[demand.calls == 0, "aht"] = np.nan  # no calls, no handle time: allowed
    agents = pd.DataFrame({"interval_start": starts, "agents": 3})
    result = simulate(demand, agents, CONFIG)

    kpi = result.kpi
    assert len(kpi) == 100 * 2 * CONFIG.replications
    assert kpi.groupby(["replication", "queue"], observed=True).size().eq(100).all()
    busy = kpi[kpi.offered > 0]
    assert (busy.interval_start == second_0115).all() and len(busy) == 2 * CONFIG.replications
    assert kpi[kpi.interval_start == first_0115].offered.eq(0).all()
    assert (result.calls.interval_start == second_0115).all()
    assert result.calls.arrival.between(second_0115, second_0115 + pd.Timedelta(minutes=15),
                                        inclusive="left").all()
    # 80 calls of 200 s on 3 handlers spill over into the next intervals' occupancy, not the BST hour.
    occupancy = result.occupancy.set_index(["replication", "interval_start"]).busy_s
    assert occupancy.xs(first_0115, level=1).eq(0).all()
    assert (occupancy.xs(second_0115 + pd.Timedelta(minutes=15), level=1) > 0).all()


def test_spring_clock_change_day_has_92_intervals():
    starts = day_grid("2024-03-31")
    assert len(starts) == 92
    result = simulate(demand_on(starts, 3.0, 8.0), pd.DataFrame({"interval_start": starts, "agents": 6}), CONFIG)
    assert result.kpi.groupby(["replication", "queue"], observed=True).size().eq(92).all()
    assert result.kpi.interval_start.isin(starts).all()
    assert not result.kpi.interval_start.dt.hour.eq(1).any()  # 01:00-02:00 does not exist that day


def week_of_demand():
    starts = pd.date_range(pd.Timestamp("2024-06-03", tz=TZ), periods=4 * 24, freq="15min")
    return demand_on(starts, 4.0, 10.0), pd.DataFrame({"interval_start": starts, "agents": 7})


def test_same_seed_same_results_different_seed_different():
    demand, agents = week_of_demand()
    first, again = simulate(demand, agents, CONFIG), simulate(demand, agents, CONFIG)
    pd.testing.assert_frame_equal(first.calls, again.calls)
    pd.testing.assert_frame_equal(first.kpi, again.kpi)
    other = simulate(demand, agents, CONFIG, rng=6)
    assert not first.calls.arrival.equals(other.calls.arrival)
    # Replications are independent streams, not copies of one another.
    arrivals = [rep.arrival.to_numpy()[:50] for _, rep in first.calls.groupby("replication")]
    assert not np.array_equal(arrivals[0], arrivals[1])
    messages = []
    simulate(demand, agents, CONFIG, progress=messages.append)
    assert len(messages) == CONFIG.replications and messages[-1].startswith("replication 3/3: ")
    # A Generator may be passed instead of a seed.
    from_generator = simulate(demand, agents, CONFIG, rng=np.random.default_rng(9))
    pd.testing.assert_frame_equal(from_generator.calls,
                                  simulate(demand, agents, CONFIG, rng=np.random.default_rng(9)).calls)


def test_common_random_numbers_the_same_callers_meet_a_different_roster():
    demand, agents = week_of_demand()
    fewer = agents.assign(agents=5)
    a, b = simulate(demand, agents, CONFIG).calls, simulate(demand, fewer, CONFIG).calls
    same = ["replication", "call_id", "queue", "arrival", "interval_start", "patience"]
    pd.testing.assert_frame_equal(a[same], b[same])
    assert b.wait.mean() > a.wait.mean()


def test_warmup_drops_whole_intervals_from_calls_and_kpis():
    demand, agents = week_of_demand()
    config = SimulationConfig(CONFIG.queues, replications=2, seed=5, warmup_s=1000)  # rounds up to 2 intervals
    result = simulate(demand, agents, config)
    first_kept = demand.interval_start.min() + pd.Timedelta(minutes=30)
    assert result.kpi.interval_start.min() == first_kept
    assert result.calls.interval_start.min() == first_kept
    assert result.occupancy.interval_start.min() == first_kept
    assert result.calls.call_id.min() > 0  # ids stay those of the whole run


def test_kpis_add_up_to_the_call_records():
    demand, agents = week_of_demand()
    result = simulate(demand, agents, CONFIG)
    calls, kpi = result.calls, result.kpi
    threshold = calls.queue.map({"999": 10.0, "101": 60.0}).astype(float)
    calls = calls.assign(within=calls.answered & (calls.wait <= threshold))
    by_cell = calls.groupby(["replication", "queue", "interval_start"], observed=True).agg(
        offered=("call_id", "size"), answered=("answered", "sum"), abandoned=("abandoned", "sum"),
        within=("within", "sum"))
    merged = kpi.set_index(["replication", "queue", "interval_start"]).join(by_cell.add_suffix("_calls"))
    merged = merged.fillna({c: 0 for c in ["offered_calls", "answered_calls", "abandoned_calls", "within_calls"]})
    for column, own in (("offered", "offered_calls"), ("answered", "answered_calls"),
                        ("abandoned", "abandoned_calls"), ("answered_within", "within_calls")):
        np.testing.assert_array_equal(merged[column].to_numpy(), merged[own].to_numpy())
    assert kpi.offered.sum() == len(calls)

    summary = result.summary().set_index("queue")
    per_rep = calls.groupby(["queue", "replication"], observed=True).within.mean()
    assert summary.service_level["101"] == pytest.approx(per_rep["101"].mean())
    assert summary.offered["999"] == pytest.approx(len(calls[calls.queue == "999"]) / CONFIG.replications)

    pooled = result.intervals()
    assert list(pooled.columns) == ["queue", "interval_start", "service_level", "asa", "abandon_rate",
                                    "occupancy", "offered", "callbacks", "repeat_calls"]
    assert (pooled.callbacks == 0).all() and (pooled.repeat_calls == 0).all()  # neither is configured
    cell = pooled[(pooled.queue == "101")].iloc[10]
    mine = calls[(calls.queue == "101") & (calls.interval_start == cell.interval_start)]
    assert cell.service_level == pytest.approx(mine.within.mean())
    assert cell.asa == pytest.approx(mine[mine.answered].wait.mean())
    assert cell.offered == pytest.approx(len(mine) / CONFIG.replications)


def test_confidence_intervals_stay_within_what_a_share_or_a_wait_can_be():
    # two replications at 99% and 100% answered: the t-interval alone would reach past 100%
    from simulation.kpi import mean_ci

    mean, low, high = mean_ci(np.array([0.99, 1.0]))
    assert high > 1.0
    mean, low, high = mean_ci(np.array([0.99, 1.0]), lower=0.0, upper=1.0)
    assert mean == pytest.approx(0.995) and high == 1.0 and 0.0 <= low < 0.99
    _, low, _ = mean_ci(np.array([0.0, 0.02]), lower=0.0, upper=1.0)
    assert low == 0.0
