"""Who is answered first, who hangs up, and what happens with nobody to answer."""

import numpy as np
import pandas as pd
import pytest

from simulation import QueueConfig, SimulationConfig, simulate

TZ = "Europe/London"
START = pd.Timestamp("2024-06-03 08:00", tz=TZ)


def grid(hours: float):
    return pd.date_range(START, periods=int(4 * hours), freq="15min")


def demand(per_queue: dict[str, float], hours: float, aht: float = 120.0) -> pd.DataFrame:
    """Constant calls per 15 minutes for each queue."""
    return pd.concat([pd.DataFrame({"queue": q, "interval_start": grid(hours), "calls": calls, "aht": aht})
                      for q, calls in per_queue.items()], ignore_index=True)


def agents(n: int, hours: float) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": grid(hours), "agents": n})


def answer_time(calls):
    return calls.arrival + pd.to_timedelta(calls.wait, unit="s")


def shared_pool(priority_101: int):
    config = SimulationConfig((QueueConfig("999", priority=0, answer_within_s=20, mean_patience_s=600,
                                           handle="exponential"),
                               QueueConfig("101", priority=priority_101, answer_within_s=20,
                                           mean_patience_s=600, handle="exponential")),
                              replications=4, seed=7, warmup_s=1800)
    # 7 handlers, 1.6 + 4.8 = 6.4 Erlangs offered: busy enough for callers to queue.
    return simulate(demand({"999": 12, "101": 36}, hours=6), agents(7, 7), config)


def test_999_is_answered_before_101_from_a_shared_pool():
    summary = shared_pool(priority_101=1).summary().set_index("queue")
    # Not preemptive: a 999 caller still waits for the first handler to finish a call.
    assert summary.service_level["999"] > summary.service_level["101"] + 0.15
    assert summary.asa["999"] < summary.asa["101"] / 2.5

    # Without priority the same pool serves both lines alike (first come, first served overall).
    even = shared_pool(priority_101=0).summary().set_index("queue")
    assert abs(even.service_level["999"] - even.service_level["101"]) < 0.05


def test_no_101_call_is_answered_while_a_999_caller_waits():
    calls = shared_pool(priority_101=1).calls
    for _, rep in calls.groupby("replication"):
        emergency = rep[rep.queue == "999"]
        waiting_from = np.sort(emergency.arrival.to_numpy())
        waiting_until = np.sort(answer_time(emergency).to_numpy())
        answers = answer_time(rep[(rep.queue == "101") & rep.answered]).to_numpy()
        # 999 callers who arrived strictly before the answer and left strictly after it.
        waiting = (np.searchsorted(waiting_from, answers, side="left")
                   - np.searchsorted(waiting_until, answers, side="right"))
        assert (waiting == 0).all()
        assert (rep[rep.queue == "101"].wait > 0).mean() > 0.3  # 101 callers did queue


def test_first_come_first_served_within_a_queue():
    calls = shared_pool(priority_101=1).calls
    answered = calls[calls.answered].sort_values(["replication", "queue", "arrival"])
    for _, line in answered.groupby(["replication", "queue"], observed=True):
        assert answer_time(line).is_monotonic_increasing


@pytest.mark.parametrize("patience", ["fixed", "exponential"])
def test_callers_whose_patience_runs_out_before_anyone_starts_abandon(patience):
    # The only handler starts at 09:00; callers wait 30 s at most (exactly 30 s if fixed).
    shifts = pd.DataFrame({"staff_id": ["A"], "start": [START + pd.Timedelta(hours=1)],
                           "end": [START + pd.Timedelta(hours=2)], "skills": ["101"]})
    config = SimulationConfig((QueueConfig("101", answer_within_s=60, mean_patience_s=30, patience=patience),),
                              replications=2, seed=3)
    calls = simulate(demand({"101": 5}, hours=2, aht=60), shifts, config).calls
    early = calls[calls.arrival < START + pd.Timedelta(minutes=59)]
    assert len(early) > 20
    assert early.abandoned.all() and not early.answered.any()
    np.testing.assert_allclose(early.wait, early.patience)
    if patience == "fixed":
        np.testing.assert_allclose(early.wait, 30.0)
    assert early.handle.isna().all() and (early.staff_id == "").all()
    assert calls[calls.arrival >= START + pd.Timedelta(hours=1)].answered.mean() > 0.5


def no_staff() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ["staff_id", "start", "end", "skills"]})


def test_with_no_staff_every_caller_abandons():
    config = SimulationConfig((QueueConfig("999", mean_patience_s=40),), replications=2, seed=1)
    result = simulate(demand({"999": 10}, hours=2), no_staff(), config)
    assert len(result.calls) > 100
    assert result.calls.abandoned.all() and not result.calls.answered.any()
    row = result.summary().iloc[0]
    assert row.abandon_rate == 1.0 and row.service_level == 0.0 and np.isnan(row.asa)
    assert result.occupancy.available_s.eq(0).all() and result.occupancy.occupancy.isna().all()


def test_with_no_staff_callers_who_never_hang_up_are_left_unresolved():
    config = SimulationConfig((QueueConfig("999", mean_patience_s=None),), replications=1, seed=1)
    result = simulate(demand({"999": 10}, hours=1), agents(0, 1), config)
    calls = result.calls
    assert not (calls.answered | calls.abandoned).any() and calls.wait.isna().all()
    row = result.summary().iloc[0]
    assert row.unresolved == row.offered == len(calls) and row.service_level == 0.0
    assert np.isnan(row.service_level_lo) and np.isnan(row.service_level_hi)  # one replication: no interval


def test_a_new_call_goes_to_the_longest_idle_handler_able_to_take_it():
    import simpy

    from simulation.routing import Handler, Router

    env = simpy.Environment()
    skill_groups = (frozenset({0, 1}), frozenset({0}))  # group 0 answers 999 and 101, group 1 only 999
    router = Router(env, queue=[0, 1, 0], arrival=[5.0, 5.0, 5.0], deadline=[np.inf] * 3,
                    priorities=(0, 1), skill_groups=skill_groups)
    both, only_999 = Handler(0), Handler(1)
    both.group, only_999.group = 0, 1
    woken = {}

    def scenario():
        woken["only_999"] = router.wait_idle(only_999)
        yield env.timeout(5)
        woken["both"] = router.wait_idle(both)
        for call in (0, 1, 2):
            router.offer(call)

    env.process(scenario())
    env.run()
    assert woken["only_999"].value == 0  # idle longer, so the first 999 call is theirs
    assert woken["both"].value == 1  # the 101 call can only go to the handler with both skills
    assert list(router.lines[0]) == [2]  # nobody left idle: the second 999 call waits


def fixed_delay(seconds: float):
    from simulation import EmpiricalPatience

    return EmpiricalPatience((seconds,), (0.0,), None)


def test_an_offer_delay_holds_callers_back_even_from_idle_handlers():
    # 20 idle handlers, a few calls: without the delay nobody waits; with it everyone waits it
    queue = dict(answer_within_s=20, mean_patience_s=None)
    plain = SimulationConfig((QueueConfig("101", **queue),), replications=2, seed=5)
    delayed = SimulationConfig((QueueConfig("101", offer_delay=fixed_delay(25.0), **queue),), replications=2, seed=5)
    calls = [simulate(demand({"101": 3}, hours=2, aht=60), agents(20, 3), c).calls for c in (plain, delayed)]
    assert len(calls[0]) > 20 and (calls[0].wait == 0).all()
    np.testing.assert_allclose(calls[1].wait, 25.0)
    assert (calls[1].arrival.to_numpy() == calls[0].arrival.to_numpy()).all()  # same callers drawn


def test_callers_hang_up_during_the_offer_delay_when_their_patience_is_shorter():
    config = SimulationConfig((QueueConfig("101", answer_within_s=60, mean_patience_s=10, patience="fixed",
                                           offer_delay=fixed_delay(25.0)),), replications=2, seed=5)
    calls = simulate(demand({"101": 3}, hours=2, aht=60), agents(20, 3), config).calls
    assert len(calls) > 20 and calls.abandoned.all() and not calls.answered.any()
    np.testing.assert_allclose(calls.wait, 10.0)


def test_redials_wait_their_offer_delay_too():
    # idle handlers all day, but every caller hangs up during the delay, redials, and hangs up again
    config = SimulationConfig((QueueConfig("101", answer_within_s=60, mean_patience_s=10, patience="fixed",
                                           offer_delay=fixed_delay(25.0), redial_same=1.0, redial_delay_s=60),),
                              replications=1, seed=5)
    calls = simulate(demand({"101": 3}, hours=2, aht=60), agents(20, 3), config).calls
    redials = calls[calls.kind == "redial"]
    assert len(redials) > 10 and calls.abandoned.all()
    np.testing.assert_allclose(calls.wait, 10.0)
