"""Who is there to answer: skills (999 only, 101 only, both), abstraction windows and random
pull-outs of handlers on shift."""

import numpy as np
import pandas as pd
import pytest

from simulation import QueueConfig, SimulationConfig, SimulationError, simulate
from simulation.config import Abstraction, PullOuts

TZ = "Europe/London"
START = pd.Timestamp("2024-06-03 08:00", tz=TZ)
QUEUES = (QueueConfig("999", priority=0, answer_within_s=10, mean_patience_s=120, handle="exponential"),
          QueueConfig("101", priority=1, answer_within_s=60, mean_patience_s=300, handle="exponential"))


def grid(hours: float):
    return pd.date_range(START, periods=int(4 * hours), freq="15min")


def demand(per_queue: dict[str, float], hours: float, aht: float = 120.0) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"queue": q, "interval_start": grid(hours), "calls": calls, "aht": aht})
                      for q, calls in per_queue.items()], ignore_index=True)


def pools(sizes: dict[str, int], hours: float) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"interval_start": grid(hours), "agents": n, "skills": skills})
                      for skills, n in sizes.items()], ignore_index=True)


def test_handlers_answer_only_the_lines_they_are_skilled_for():
    config = SimulationConfig(QUEUES, replications=2, seed=4)
    result = simulate(demand({"999": 10, "101": 20}, 4), pools({"999": 3, "101": 4, "999|101": 2}, 5), config)
    calls = result.calls[result.calls.answered]
    by = calls.groupby(calls.staff_id.astype(str).str.split("-agent").str[0]).queue.agg(set)
    assert by["999"] == {"999"} and by["101"] == {"101"} and by["999|101"] == {"999", "101"}


def test_separate_pools_serve_worse_than_one_pool_of_the_same_size():
    config = SimulationConfig(QUEUES, replications=4, seed=8)
    table = demand({"999": 20, "101": 30}, 6)
    split = simulate(table, pools({"999": 4, "101": 5}, 7), config).summary().set_index("queue")
    shared = simulate(table, pools({"999|101": 9}, 7), config).summary().set_index("queue")
    # pooling: 999 keeps its priority and 101 gains the 999 handlers' idle time
    assert shared.service_level["101"] > split.service_level["101"] + 0.05
    assert shared.service_level["999"] > split.service_level["999"] - 0.02


def test_agents_table_with_unknown_skills_is_named():
    config = SimulationConfig(QUEUES, replications=1, seed=1)
    with pytest.raises(SimulationError, match=r"unknown queue\(s\) '112' in column 'skills'"):
        simulate(demand({"999": 5}, 2), pools({"999|112": 2}, 2), config)


def shifts(n: int, hours: float = 8) -> pd.DataFrame:
    return pd.DataFrame({"staff_id": [f"H{i:03d}" for i in range(n)], "start": START,
                         "end": START + pd.Timedelta(hours=hours), "skills": "999|101"})


def logged_in_per_interval(result) -> pd.Series:
    return result.occupancy.groupby("interval_start").available_s.mean() / 900


def test_an_abstraction_window_takes_its_share_of_the_staff_on_shift_away():
    window = Abstraction(START + pd.Timedelta(hours=2), START + pd.Timedelta(hours=3), share=0.25)
    config = SimulationConfig(QUEUES, replications=3, seed=2, abstractions=(window,))
    quiet = demand({"999": 0.5, "101": 0.5}, 8)  # so nobody is kept past the window's start by a call
    on = logged_in_per_interval(simulate(quiet, shifts(40), config))
    inside = (on.index >= window.start) & (on.index < window.end)
    assert on[inside].max() <= 30.05 and on[inside].min() >= 29.0  # 10 of 40 pulled away
    assert on[~inside].min() >= 39.0


def test_an_abstraction_of_a_count_is_capped_at_those_on_shift():
    window = Abstraction(START + pd.Timedelta(hours=1), START + pd.Timedelta(hours=2), count=50)
    config = SimulationConfig(QUEUES, replications=1, seed=2, abstractions=(window,))
    on = logged_in_per_interval(simulate(demand({"999": 0.5}, 4), shifts(12, 4), config))
    inside = (on.index >= window.start) & (on.index < window.end)
    assert on[inside].max() < 0.2  # everyone on shift is away (bar a call being finished)


def test_random_pull_outs_take_the_share_an_infinite_server_queue_predicts():
    # Pull-outs arrive as a Poisson process (rate r per hour) and last exponential times
    # (mean m): the chance a handler is away at a given moment is 1 - exp(-r m), as in M/G/inf.
    rate, mean = 1.5, 600.0
    config = SimulationConfig(QUEUES, replications=2, seed=6, pull_outs=PullOuts(rate, mean))
    result = simulate(demand({"999": 0.2}, 8), shifts(150), config)
    away = 1 - result.occupancy.available_s.sum() / (2 * 150 * 8 * 3600)
    assert away == pytest.approx(1 - np.exp(-rate * mean / 3600), abs=0.015)


@pytest.mark.parametrize("kwargs, match", [
    (dict(share=0.5, count=2), "exactly one of share and count"),
    (dict(share=1.5), "share must be a share"),
    (dict(count=-1), "count must be a whole number"),
])
def test_impossible_abstractions_are_named(kwargs, match):
    with pytest.raises(SimulationError, match=match):
        Abstraction(START, START + pd.Timedelta(hours=1), **kwargs)


def test_abstraction_times_must_be_tz_aware_and_in_order():
    with pytest.raises(SimulationError, match="tz-aware"):
        Abstraction(pd.Timestamp("2024-06-03 08:00"), pd.Timestamp("2024-06-03 09:00"), share=0.1)
    with pytest.raises(SimulationError, match="must be after start"):
        Abstraction(START, START, share=0.1)
    with pytest.raises(SimulationError, match="duration must be one of"):
        PullOuts(1.0, 60.0, duration="weibull")


def test_an_abstraction_for_one_queue_takes_only_handlers_who_answer_it():
    # a major incident pulls 999-skilled handlers; the 101-only pool is untouched
    window = Abstraction(START + pd.Timedelta(hours=1), START + pd.Timedelta(hours=2), share=1.0, queue="999")
    config = SimulationConfig(QUEUES, replications=1, seed=3, abstractions=(window,))
    result = simulate(demand({"999": 0.5, "101": 0.5}, 3), pools({"999": 4, "101": 6}, 3), config)
    on = logged_in_per_interval(result)
    inside = (on.index >= window.start) & (on.index < window.end)
    assert on[inside].max() <= 6.05 and on[inside].min() >= 5.5  # only the six 101 handlers left
    assert on[~inside].min() >= 9.5
