"""requirement(): demand tables to agents and heads; QueueTarget validation; pooled heads."""

import numpy as np
import pandas as pd
import pytest

from scheduling import schema as s
from scheduling.erlang import erlang_a, erlang_c_measures
from scheduling.errors import SchedulingError
from scheduling.staffing import QueueTarget, pooled_heads, requirement


def demand(queue="999", calls=(100.0,), aht=180.0, freq="30min", start="2024-03-04"):
    starts = pd.date_range(start, periods=len(calls), freq=freq, tz="Europe/London")
    return pd.DataFrame({s.QUEUE: queue, s.INTERVAL_START: starts, s.CALLS: list(calls), s.AHT: aht})


def test_classic_example_in_table_form_with_interval_inferred():
    # 100 calls per 30 minutes at AHT 180 s is 10 Erlangs: 14 agents for 80% in 20 s, and
    # 20 heads at 30% shrinkage (pyworkforce: raw positions 14, positions 20).
    target = QueueTarget("999", service_level=0.8, answer_within_s=20, shrinkage=0.3, max_occupancy=0.85)
    out = requirement(demand(calls=(100.0, 100.0)), {"999": target})
    assert list(out.columns) == list(s.REQUIREMENT_COLUMNS)
    assert out[s.AGENTS].tolist() == [14, 14]
    assert out[s.HEADS].tolist() == [20, 20]
    assert out[s.SERVICE_LEVEL].iloc[0] == pytest.approx(0.8884, abs=5e-5)
    assert out[s.OCCUPANCY].iloc[0] == pytest.approx(0.7143, abs=5e-5)
    # The same calls in 15-minute intervals are twice the load.
    quarter = requirement(demand(calls=(100.0, 100.0), freq="15min"), {"999": target})
    assert quarter[s.AGENTS].iloc[0] > 14


@pytest.fixture
def mixed_demand():
    rng = np.random.default_rng(1)
    n = 96
    hour = np.arange(n) / 4
    shape = 1 + np.sin((hour - 9) / 24 * 2 * np.pi)
    d999 = demand("999", calls=np.round(30 * shape + rng.normal(0, 2, n)).clip(0), aht=240.0, freq="15min")
    d101 = demand("101", calls=np.round(60 * shape).clip(0), aht=420.0, freq="15min")
    d999.loc[::12, s.CALLS] = 0.0
    d999.loc[::12, s.AHT] = np.nan  # forecasting leaves AHT blank where no calls are expected
    return pd.concat([d999, d101], ignore_index=True)


TARGETS = {
    "999": QueueTarget("999", service_level=0.9, answer_within_s=10, shrinkage=0.35, min_agents=2),
    "101": QueueTarget("101", model="erlang_a", service_level=0.8, answer_within_s=60,
                       mean_patience_s=180, shrinkage=0.3, min_agents=1, max_abandon=0.05),
}


def test_every_interval_meets_its_target_and_one_agent_fewer_would_not(mixed_demand):
    out = requirement(mixed_demand, TARGETS)
    for queue, rows in out.groupby(s.QUEUE):
        target = TARGETS[queue]
        load = (rows[s.CALLS] * rows[s.AHT].fillna(1.0) / 900).to_numpy()
        n = rows[s.AGENTS].to_numpy()
        busy = load > 0
        assert np.all(rows[s.SERVICE_LEVEL] >= target.service_level)
        if target.model == "erlang_c":
            fewer = erlang_c_measures(n[busy] - 1, load[busy], rows[s.AHT].to_numpy()[busy], 10)
            assert np.all((fewer.service_level < target.service_level) | (n[busy] - 1 < target.min_agents))
        else:
            assert np.all(rows[s.ABANDON] <= 0.05)
            fewer = erlang_a(n[busy] - 1, load[busy], rows[s.AHT].to_numpy()[busy], 180, 60)
            missed = (fewer.service_level < 0.8) | (fewer.abandon > 0.05) | (n[busy] - 1 < target.min_agents)
            assert np.all(missed)


def test_heads_divide_agents_by_one_minus_shrinkage(mixed_demand):
    out = requirement(mixed_demand, TARGETS)
    for queue, rows in out.groupby(s.QUEUE):
        shrink = TARGETS[queue].shrinkage
        expected = [int(np.ceil(round(a / (1 - shrink), 9))) for a in rows[s.AGENTS]]
        assert rows[s.HEADS].tolist() == expected
        assert np.all(rows[s.HEADS] * (1 - shrink) >= rows[s.AGENTS] - 1e-9)


def test_zero_calls_still_need_min_agents(mixed_demand):
    out = requirement(mixed_demand, TARGETS)
    quiet = out[(out[s.QUEUE] == "999") & (out[s.CALLS] == 0)]
    assert len(quiet) >= 8
    assert (quiet[s.AGENTS] == 2).all()
    assert (quiet[s.HEADS] == 4).all()  # ceil(2 / 0.65)
    assert (quiet[s.SERVICE_LEVEL] == 1.0).all() and (quiet[s.OCCUPANCY] == 0.0).all()


def test_pooled_heads_sums_queues_per_interval(mixed_demand):
    out = requirement(mixed_demand, TARGETS)
    pooled = pooled_heads(out)
    assert list(pooled.columns) == [s.INTERVAL_START, s.REQUIRED]
    assert len(pooled) == 96
    by_queue = out.pivot(index=s.INTERVAL_START, columns=s.QUEUE, values=s.HEADS)
    summed = (by_queue["999"] + by_queue["101"]).to_numpy()
    np.testing.assert_array_equal(pooled[s.REQUIRED].to_numpy(), summed)


def test_clock_change_day_has_92_intervals_and_is_uniform():
    starts = pd.date_range("2024-03-31", "2024-04-01", freq="15min", tz="Europe/London", inclusive="left")
    assert len(starts) == 92
    d = pd.DataFrame({s.QUEUE: "999", s.INTERVAL_START: starts, s.CALLS: 10.0, s.AHT: 200.0})
    out = requirement(d, {"999": QueueTarget("999")})
    assert len(out) == 92 and (out[s.AGENTS] == out[s.AGENTS].iloc[0]).all()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.drop(columns=[s.AHT]), "missing column"),
        (lambda d: d.drop(index=[1]), "non-uniform intervals"),
        (lambda d: d.assign(**{s.INTERVAL_START: d[s.INTERVAL_START].dt.tz_localize(None)}), "tz-aware"),
        (lambda d: d.assign(**{s.CALLS: [5.0, -1.0, 5.0, 5.0]}), "calls must be finite"),
        (lambda d: d.assign(**{s.AHT: [200.0, np.nan, 200.0, 200.0]}), "aht must be > 0"),
        (lambda d: d.assign(**{s.QUEUE: "101"}), "no QueueTarget"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), "more than one row"),
    ],
)
def test_bad_demand_is_rejected_with_what_and_where(change, message):
    d = demand(calls=(5.0, 5.0, 5.0, 5.0), freq="15min")
    with pytest.raises(SchedulingError, match=message):
        requirement(change(d), {"999": QueueTarget("999")})


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(model="erlang_x"), "model"),
        (dict(service_level=1.0), "service_level"),
        (dict(answer_within_s=-1), "answer_within_s"),
        (dict(model="erlang_a"), "mean_patience_s"),
        (dict(mean_patience_s=100.0), "mean_patience_s"),
        (dict(shrinkage=1.0), "shrinkage"),
        (dict(min_agents=-1), "min_agents"),
        (dict(min_agents=1.5), "min_agents"),
        (dict(max_occupancy=0.0), "max_occupancy"),
        (dict(model="erlang_a", mean_patience_s=60.0, max_abandon=1.5), "max_abandon"),
    ],
)
def test_queue_target_validation_names_the_field(kwargs, field):
    with pytest.raises(SchedulingError, match=field):
        QueueTarget("999", **kwargs)


def test_unreachable_target_names_queue_and_interval():
    d = demand(calls=(10.0, 1.0e6), freq="15min")
    with pytest.raises(SchedulingError, match=r"queue '999'.*2024-03-04 00:15"):
        requirement(d, {"999": QueueTarget("999")})
