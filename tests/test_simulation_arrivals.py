"""The calls offered: Poisson counts, uniform times, handle times and patience as configured."""

import numpy as np
import pandas as pd
from scipy import stats

from simulation import QueueConfig, SimulationConfig
from simulation.arrivals import draw_calls, read_demand

TZ = "Europe/London"


def demand(days: int = 14) -> pd.DataFrame:
    starts = pd.date_range(pd.Timestamp("2024-06-03", tz=TZ), periods=96 * days, freq="15min")
    rate = np.where(np.arange(len(starts)) % 2 == 0, 3.0, 12.0)  # alternating quiet and busy intervals
    return pd.concat([pd.DataFrame({"queue": "999", "interval_start": starts, "calls": rate, "aht": 300.0}),
                      pd.DataFrame({"queue": "101", "interval_start": starts, "calls": 2 * rate,
                                    "aht": np.where(rate > 5, 500.0, 400.0)})], ignore_index=True)


CONFIG = SimulationConfig((QueueConfig("999", mean_patience_s=60, patience="exponential", handle="exponential"),
                           QueueConfig("101", mean_patience_s=None, handle="lognormal", handle_cv=0.7)))


def drawn(config=CONFIG, seed=1):
    model = read_demand(demand(), config)
    return model, draw_calls(model, config, np.random.default_rng(seed))


def test_counts_are_poisson_with_the_interval_rate_and_times_fall_inside_their_interval():
    model, calls = drawn()
    counts = np.bincount(calls.queue * model.timeline.n + calls.interval, minlength=model.calls.size)
    counts = counts.reshape(model.calls.shape)
    for rate in (3.0, 12.0):
        sample = counts[0][model.calls[0] == rate]
        assert abs(sample.mean() - rate) < 4 * np.sqrt(rate / len(sample))
        assert abs(sample.var() / sample.mean() - 1) < 0.15  # Poisson: variance equals mean
    assert (np.diff(calls.arrival) >= 0).all()
    np.testing.assert_array_equal(calls.interval, (calls.arrival // 900).astype(int))


def test_handle_times_and_patience_follow_their_distributions():
    model, calls = drawn()
    emergency, other = calls.queue == 0, calls.queue == 1
    assert stats.kstest(calls.handle[emergency], "expon", args=(0, 300.0)).pvalue > 0.001
    assert stats.kstest(calls.patience[emergency], "expon", args=(0, 60.0)).pvalue > 0.001
    assert np.isinf(calls.patience[other]).all()
    busy = other & (model.aht[1][calls.interval] == 500.0)
    sigma = np.sqrt(np.log1p(0.7**2))
    lognormal = stats.lognorm(s=sigma, scale=500.0 * np.exp(-sigma**2 / 2))
    assert stats.kstest(calls.handle[busy], lognormal.cdf).pvalue > 0.001
    assert abs(calls.handle[busy].mean() / 500.0 - 1) < 0.02


def test_fixed_patience_is_exact():
    config = SimulationConfig((QueueConfig("999", mean_patience_s=45, patience="fixed"), QueueConfig("101")))
    _, calls = drawn(config)
    np.testing.assert_array_equal(calls.patience[calls.queue == 0], 45.0)


def test_day_multiplier_spreads_daily_totals_by_the_given_cv():
    config = SimulationConfig(CONFIG.queues, day_multiplier_cv=0.2)
    days = [np.bincount(calls.interval // 96) for calls in (drawn(config, seed)[1] for seed in range(20))]
    totals = np.concatenate(days)
    expected = 96 / 2 * (3 + 12) * 3  # both queues, per day
    assert abs(totals.mean() / expected - 1) < 0.05
    # Poisson alone would give a CV of about 0.02; the multiplier adds 0.2.
    assert 0.15 < totals.std() / totals.mean() < 0.25
    off = np.concatenate([np.bincount(drawn(seed=s)[1].interval // 96) for s in range(5)])
    assert off.std() / off.mean() < 0.05
