"""Replaying a real call log, and running replications anywhere with the same results."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from simulation import QueueConfig, SimulationConfig, SimulationError, simulate

TZ = "Europe/London"
START = pd.Timestamp("2024-06-03 08:00", tz=TZ)
CONFIG = SimulationConfig((QueueConfig("999", mean_patience_s=60), QueueConfig("101", priority=1, mean_patience_s=200)),
                          replications=3, seed=17)


def call_log(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arrival = START + pd.to_timedelta(np.sort(rng.uniform(0, 4 * 3600, n)), unit="s")
    handle = rng.lognormal(np.log(150), 0.6, n)
    handle[rng.random(n) < 0.1] = np.nan  # abandoned in reality: no handle time
    return pd.DataFrame({"arrival": arrival, "queue": rng.choice(["999", "101"], n, p=[0.3, 0.7]),
                         "handle_time": handle})


def agents(n: int, hours: float = 5) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": pd.date_range(START, periods=int(4 * hours), freq="15min"), "agents": n})


def test_a_replay_offers_the_logged_calls_with_their_handle_times_in_every_replication():
    log = call_log()
    calls = simulate(log, agents(60), CONFIG).calls
    for _, rep in calls.groupby("replication"):
        assert len(rep) == len(log)
        np.testing.assert_array_equal(rep.arrival.to_numpy(), log.arrival.to_numpy())
        assert (rep.queue.astype(str).to_numpy() == log.queue.to_numpy()).all()
        given = log.handle_time.notna().to_numpy()
        np.testing.assert_allclose(rep.handle.to_numpy()[given], log.handle_time.to_numpy()[given])
    assert (calls.wait == 0).all()  # plenty of staff: nobody waits
    # calls without a logged handle time get one drawn around their neighbours' mean
    drawn = calls.handle.to_numpy()[np.tile(log.handle_time.isna().to_numpy(), 3)]
    assert np.isfinite(drawn).all() and 60 < drawn.mean() < 400
    assert calls.groupby("replication").handle.sum().nunique() == 3  # drawn anew per replication


def test_a_replay_reports_kpis_on_the_logs_own_intervals():
    result = simulate(call_log(), agents(3), CONFIG)
    kpi = result.intervals()
    assert kpi.interval_start.min() == START and kpi.interval_start.dt.tz is not None
    assert (kpi.groupby("queue").size() == 16).all()  # four hours of 15-minute intervals
    assert result.summary().set_index("queue").abandon_rate["101"] > 0.05  # 3 handlers are too few


def test_a_replay_with_an_unknown_queue_is_named():
    log = call_log().assign(queue="112")
    with pytest.raises(SimulationError, match=r"call log: unknown queue\(s\) '112'"):
        simulate(log, agents(3), CONFIG)


def test_replications_in_parallel_processes_give_the_same_results():
    log = call_log()
    one = simulate(log, agents(4), CONFIG)
    two = simulate(log, agents(4), dataclasses.replace(CONFIG, workers=2))
    pd.testing.assert_frame_equal(one.calls, two.calls)
    pd.testing.assert_frame_equal(one.kpi, two.kpi)


def test_replications_on_a_dask_cluster_give_the_same_results():
    distributed = pytest.importorskip("distributed", reason="the 'dask' extra is not installed")
    log = call_log()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        on_dask = simulate(log, agents(4), dataclasses.replace(CONFIG, scheduler=cluster.scheduler_address))
    here = simulate(log, agents(4), CONFIG)
    pd.testing.assert_frame_equal(here.calls, on_dask.calls)


def test_a_batch_of_runs_on_one_executor_gives_each_run_its_own_results():
    # several scenarios' replications share the workers; each result is the one simulate() gives
    from simulation import simulate_batch

    log, other = call_log(), call_log(300, seed=1)
    patient = dataclasses.replace(CONFIG, replications=2, seed=5)
    jobs = [(log, agents(4), CONFIG, None), (other, agents(3), patient, 9)]
    batch = simulate_batch(jobs, workers=2)
    for job, result in zip(jobs, batch):
        alone = simulate(*job)
        pd.testing.assert_frame_equal(result.calls, alone.calls)
        pd.testing.assert_frame_equal(result.kpi, alone.kpi)
        assert result.config is job[2]
    assert simulate_batch([]) == []
