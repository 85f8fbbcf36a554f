"""What callers do besides wait: redial after hanging up (101 callers trying 999), call again
after an unresolved answer, take a callback; and after-call work that keeps handlers busy."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from simulation import QueueConfig, SimulationConfig, SimulationError, simulate

TZ = "Europe/London"
START = pd.Timestamp("2024-06-03 08:00", tz=TZ)


def grid(hours: float):
    return pd.date_range(START, periods=int(4 * hours), freq="15min")


def demand(per_queue: dict[str, float], hours: float, aht: float = 120.0) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"queue": q, "interval_start": grid(hours), "calls": calls, "aht": aht})
                      for q, calls in per_queue.items()], ignore_index=True)


def agents(n: int, hours: float) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": grid(hours), "agents": n})


def test_abandoned_101_callers_call_again_on_101_or_try_999():
    # Nobody answers, so every caller hangs up after 30 s; 30% call 101 again and 20% try 999
    # a minute later (on average). Each 101 call, first or not, is a new chance to redial, so
    # per first call there are 0.3 / 0.7 redials on 101 and 0.2 / 0.7 calls to 999.
    config = SimulationConfig((QueueConfig("999", mean_patience_s=30, patience="fixed"),
                               QueueConfig("101", priority=1, mean_patience_s=30, patience="fixed",
                                           redial_same=0.3, redial_other=0.2, redial_other_queue="999",
                                           redial_delay_s=60)),
                              replications=3, seed=11)
    calls = simulate(demand({"999": 0.0, "101": 40.0}, hours=8), agents(0, 8), config).calls
    first = ((calls.kind == "first") & (calls.queue == "101")).sum()
    again_101 = ((calls.kind == "redial") & (calls.queue == "101")).sum()
    tried_999 = ((calls.kind == "redial") & (calls.queue == "999")).sum()
    assert first > 3000
    assert again_101 / first == pytest.approx(0.3 / 0.7, rel=0.06)
    assert tried_999 / first == pytest.approx(0.2 / 0.7, rel=0.08)
    assert (calls[calls.queue == "999"].kind == "redial").all()  # 999 got only the 101 callers


def test_answered_callers_do_not_redial_and_kpis_count_failure_demand():
    config = SimulationConfig((QueueConfig("101", mean_patience_s=600, redial_same=1.0, redial_delay_s=60),),
                              replications=2, seed=3)
    result = simulate(demand({"101": 10.0}, hours=4), agents(20, 5), config)
    assert result.calls.answered.all() and (result.calls.kind == "first").all()
    assert result.kpi.repeat_calls.sum() == 0


def test_a_share_of_answered_callers_call_again_later():
    share = 0.2
    config = SimulationConfig((QueueConfig("101", mean_patience_s=None, repeat_share=share, repeat_delay_s=600),),
                              replications=3, seed=5)
    result = simulate(demand({"101": 30.0}, hours=12), agents(30, 13), config)
    calls = result.calls
    first, repeats = (calls.kind == "first").sum(), (calls.kind == "repeat").sum()
    # repeats repeat too: share / (1 - share) per first call, less those falling after the horizon
    assert repeats / first == pytest.approx(share / (1 - share), rel=0.08)
    assert result.kpi.repeat_calls.sum() == repeats
    assert result.summary().repeat_calls.iloc[0] == pytest.approx(repeats / 3)


def test_after_call_work_keeps_handlers_busy_but_not_callers():
    base = SimulationConfig((QueueConfig("101", handle="exponential"),), replications=2, seed=9)
    with_acw = dataclasses.replace(base, queues=(QueueConfig("101", handle="exponential", after_call_s=60.0),))
    table = demand({"101": 20.0}, hours=6)
    table.loc[table.interval_start >= START + pd.Timedelta(hours=5), "calls"] = 0.0  # everyone done in time
    plain, busy = simulate(table, agents(30, 6), base), simulate(table, agents(30, 6), with_acw)
    # same callers, same talk: handler time grows by exactly 60 s per answered call
    pd.testing.assert_series_equal(plain.calls.handle, busy.calls.handle)
    extra = busy.occupancy.busy_s.sum() - plain.occupancy.busy_s.sum()
    assert extra == pytest.approx(60.0 * busy.calls.answered.sum(), rel=1e-9)
    assert (busy.calls.handle < 60.0 + busy.calls.handle).all()


def callback_config(**changes):
    settings = dict(callback_over_s=60, callback_accept=0.5, callback_success=0.9) | changes
    queue = QueueConfig("101", priority=1, answer_within_s=60, mean_patience_s=300, handle="exponential",
                        **settings)
    return SimulationConfig((QueueConfig("999", answer_within_s=10, mean_patience_s=60, handle="exponential"),
                             queue), replications=4, seed=21)


def test_callbacks_are_offered_at_busy_times_and_made_after_live_calls():
    # a morning rush the staff cannot keep up with, then a quiet afternoon to make the callbacks
    table = demand({"999": 5.0, "101": 80.0}, hours=8)
    table.loc[table.interval_start >= START + pd.Timedelta(hours=3), "calls"] = 2.0
    result = simulate(table, agents(8, 10), callback_config())
    calls = result.calls
    callbacks = calls[calls.callback]
    assert len(callbacks) > 200
    assert (callbacks.queue == "101").all()
    # offered only when the expected wait was long: in the rush, never in the quiet afternoon
    assert (callbacks.arrival < START + pd.Timedelta(hours=4)).all()
    assert (callbacks.staff_id != "").all()  # every one was made by the end of the day
    assert callbacks.answered.mean() == pytest.approx(0.9, abs=0.04)  # and 90% reached the caller
    assert not callbacks.abandoned.any()
    # a callback is made only when no live caller waits
    for _, rep in calls.groupby("replication"):
        live = rep[~rep.callback]
        came = np.sort(live.arrival.to_numpy())
        left = np.sort((live.arrival + pd.to_timedelta(live.wait.fillna(0), unit="s")).to_numpy())
        done = rep[rep.callback & rep.answered]
        made_at = (done.arrival + pd.to_timedelta(done.wait, unit="s")).to_numpy()
        waiting = np.searchsorted(came, made_at, side="left") - np.searchsorted(left, made_at, side="right")
        assert (waiting == 0).all()
    kpi = result.kpi
    assert kpi.callbacks.sum() == len(callbacks)
    assert kpi.callbacks_answered.sum() == callbacks.answered.sum()

    # without callbacks the same callers hang up more often
    without = simulate(table, agents(8, 10), callback_config(callback_accept=0.0)).summary().set_index("queue")
    with_cb = result.summary().set_index("queue")
    assert with_cb.abandon_rate["101"] < without.abandon_rate["101"] - 0.05
    assert with_cb.callbacks["101"] > 0 and without.callbacks["101"] == 0


def test_no_callback_is_offered_when_the_wait_is_short():
    result = simulate(demand({"999": 5.0, "101": 10.0}, hours=4), agents(20, 5), callback_config())
    assert not result.calls.callback.any()


@pytest.mark.parametrize("changes, match", [
    (dict(redial_same=0.7, redial_other=0.5, redial_other_queue="999"), "at most 1"),
    (dict(redial_other=0.2), "needs redial_other_queue"),
    (dict(repeat_share=1.5), "repeat_share must be a share"),
    (dict(callback_accept=-0.1), "callback_accept must be a share"),
    (dict(callback_over_s=-5), "callback_over_s must be 0 or more"),
    (dict(after_call_s=float("nan")), "after_call_s must be 0 or more"),
])
def test_impossible_behaviour_settings_are_named(changes, match):
    with pytest.raises(SimulationError, match=match):
        QueueConfig("101", **changes)


def test_redialling_to_an_unknown_queue_is_named():
    with pytest.raises(SimulationError, match="redial_other_queue '998'"):
        SimulationConfig((QueueConfig("101", redial_other=0.1, redial_other_queue="998"),))
