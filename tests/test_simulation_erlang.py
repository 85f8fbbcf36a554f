"""The simulation against queueing theory where the theory is exact.

Stationary M/M/n (Erlang C) and M/M/n+M (Erlang A): constant arrival rate, constant staff,
exponential handle times (and patience). The exact values are computed here, independently of
the package, and the 95% t confidence interval over 30 replications must cover them.

The seed is fixed, so each check is deterministic; a priori a 95% interval misses 5% of the
time. If a change to the order of random draws makes one of these fail, try a few seeds (or more
replications: 300 give intervals a tenth as wide) before suspecting a bias.
"""

import numpy as np
import pytest
import pandas as pd
from scipy import stats

from simulation import QueueConfig, SimulationConfig, simulate

TZ = "Europe/London"
AHT = 60.0
HOURS = 8
WARMUP_S = 3600.0
REPLICATIONS = 30
SEED = 2024


def stationary(queue: str, calls_per_s: float, agents: int):
    start = pd.Timestamp("2024-06-03", tz=TZ)
    demand = pd.DataFrame({"queue": queue, "calls": calls_per_s * 900, "aht": AHT,
                           "interval_start": pd.date_range(start, periods=4 * HOURS, freq="15min")})
    # Staff stay an hour past the last arrival so every caller is answered or hangs up.
    staff = pd.DataFrame({"interval_start": pd.date_range(start, periods=4 * (HOURS + 1), freq="15min"),
                          "agents": agents})
    return demand, staff


def t_interval(values):
    values = np.asarray(values, float)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean() - half, values.mean() + half


def erlang_c(n: int, load: float) -> float:
    """Probability that a caller waits in M/M/n with offered load ``load`` Erlangs."""
    top = stats.poisson.pmf(n, load) * n / (n - load)
    return top / (stats.poisson.cdf(n - 1, load) + top)


def erlang_c_service_level(n, load, threshold):
    return 1 - erlang_c(n, load) * np.exp(-(n - load) * threshold / AHT)


def per_replication(calls, f):
    return calls.groupby("replication").apply(f, include_groups=False).to_numpy()


def test_mmn_matches_erlang_c_service_level_wait_probability_and_asa():
    n, load, threshold = 10, 8.0, 10.0
    demand, agents = stationary("999", load / AHT, n)
    config = SimulationConfig((QueueConfig("999", answer_within_s=threshold, handle="exponential"),),
                              replications=REPLICATIONS, seed=SEED, warmup_s=WARMUP_S)
    result = simulate(demand, agents, config)
    calls = result.calls

    assert calls.answered.all()  # infinite patience, staff stay on: nobody left behind
    row = result.summary().iloc[0]
    exact_sl = erlang_c_service_level(n, load, threshold)
    assert row.service_level_lo <= exact_sl <= row.service_level_hi
    assert row.service_level_hi - row.service_level_lo < 0.05  # precise enough to mean something
    # The interval is sharp enough to tell n from n +/- 1 agents.
    assert not row.service_level_lo <= erlang_c_service_level(n - 1, load, threshold) <= row.service_level_hi
    assert not row.service_level_lo <= erlang_c_service_level(n + 1, load, threshold) <= row.service_level_hi

    low, high = t_interval(per_replication(calls, lambda c: (c.wait > 0).mean()))
    assert low <= erlang_c(n, load) <= high
    exact_asa = erlang_c(n, load) * AHT / (n - load)
    assert row.asa_lo <= exact_asa <= row.asa_hi
    assert abs(row.occupancy - load / n) < 0.01


def erlang_a(n: int, arrival: float, service: float, abandon: float, states: int = 500):
    """Stationary distribution of the M/M/n+M birth-death chain: (P(abandon), P(wait > 0))."""
    k = np.arange(1, states)
    death = np.minimum(k, n) * service + np.maximum(k - n, 0) * abandon
    p = np.concatenate([[1.0], np.cumprod(arrival / death)])
    p /= p.sum()
    queue_length = np.maximum(np.arange(states) - n, 0)
    return abandon * (queue_length * p).sum() / arrival, p[n:].sum()


def test_exponential_patience_matches_erlang_a_abandonment():
    n, load, patience = 10, 10.0, 120.0  # fully loaded: abandonment is what keeps it stable
    demand, agents = stationary("101", load / AHT, n)
    config = SimulationConfig((QueueConfig("101", answer_within_s=20, mean_patience_s=patience,
                                           handle="exponential"),),
                              replications=REPLICATIONS, seed=SEED, warmup_s=WARMUP_S)
    result = simulate(demand, agents, config)
    exact_abandon, exact_wait = erlang_a(n, load / AHT, 1 / AHT, 1 / patience)

    row = result.summary().iloc[0]
    assert 0.05 < exact_abandon < 0.2
    assert row.abandon_rate_lo <= exact_abandon <= row.abandon_rate_hi
    assert row.abandon_rate_hi - row.abandon_rate_lo < 0.02
    low, high = t_interval(per_replication(result.calls, lambda c: (c.wait > 0).mean()))
    assert low <= exact_wait <= high
    # Everyone is answered or hangs up; those who hang up waited exactly their patience.
    abandoned = result.calls[result.calls.abandoned]
    assert (result.calls.answered ^ result.calls.abandoned).all()
    np.testing.assert_allclose(abandoned.wait, abandoned.patience)


def erlang_a_service_level(n, arrival, service, abandon, threshold, states: int = 300):
    """P(answered within ``threshold``) for an arriving caller in M/M/n+M, computed exactly.

    A caller who finds j others queued ahead reaches a handler after j + 1 steps: with i ahead
    the next step comes at rate n*service + i*abandon (a handler frees or someone ahead hangs up),
    and their own patience runs out at rate ``abandon`` meanwhile. That is a small absorbing
    Markov chain, solved with a matrix exponential; arrivals see the stationary distribution.
    """
    from scipy.linalg import expm

    k = np.arange(1, states)
    death = np.minimum(k, n) * service + np.maximum(k - n, 0) * abandon
    p = np.concatenate([[1.0], np.cumprod(arrival / death)])
    p /= p.sum()
    ahead = states - n  # transient states: i = 0 .. ahead-1 callers ahead; then served, gone
    q = np.zeros((ahead + 2, ahead + 2))
    served, gone = ahead, ahead + 1
    for i in range(ahead):
        q[i, served if i == 0 else i - 1] += n * service + (i * abandon if i else 0.0)
        q[i, gone] += abandon
        q[i, i] = -q[i].sum()
    within = expm(q * threshold)[:ahead, served]
    return p[:n].sum() + (p[n:] * within[: states - n]).sum()


def test_exponential_patience_matches_erlang_a_service_level():
    n, load, patience, threshold = 10, 10.0, 120.0, 20.0
    demand, agents = stationary("101", load / AHT, n)
    config = SimulationConfig((QueueConfig("101", answer_within_s=threshold, mean_patience_s=patience,
                                           handle="exponential"),),
                              replications=REPLICATIONS, seed=SEED, warmup_s=WARMUP_S)
    row = simulate(demand, agents, config).summary().iloc[0]
    exact = erlang_a_service_level(n, load / AHT, 1 / AHT, 1 / patience, threshold)
    assert 0.3 < exact < 0.8
    assert row.service_level_lo <= exact <= row.service_level_hi
    assert row.service_level_hi - row.service_level_lo < 0.05
    # and the formula is not a tautology: one handler more or less is outside the interval
    for other in (n - 1, n + 1):
        wrong = erlang_a_service_level(other, load / AHT, 1 / AHT, 1 / patience, threshold)
        assert not row.service_level_lo <= wrong <= row.service_level_hi


def test_erlang_a_service_level_formula_reduces_to_erlang_c_without_abandonment():
    # an independent check of the test's own formula: with (almost) no abandonment it is Erlang C
    n, load, threshold = 10, 8.0, 10.0
    sl = erlang_a_service_level(n, load / AHT, 1 / AHT, 1e-12, threshold)
    assert sl == pytest.approx(erlang_c_service_level(n, load, threshold), abs=1e-6)


def test_a_fixed_offer_delay_shifts_every_wait_as_erlang_c_says():
    # A constant delay before callers can be answered shifts a Poisson stream without changing
    # it: the queue is the plain M/M/n, and each wait is the delay plus the M/M/n wait, so the
    # service level within 20 s is Erlang C's within 20 - 8 s and the ASA grows by 8 s.
    from simulation import EmpiricalPatience

    n, load, threshold, delay = 10, 8.0, 20.0, 8.0
    demand, agents = stationary("999", load / AHT, n)
    config = SimulationConfig((QueueConfig("999", answer_within_s=threshold, handle="exponential",
                                           offer_delay=EmpiricalPatience((delay,), (0.0,), None)),),
                              replications=REPLICATIONS, seed=SEED, warmup_s=WARMUP_S)
    row = simulate(demand, agents, config).summary().iloc[0]
    exact_sl = erlang_c_service_level(n, load, threshold - delay)
    assert row.service_level_lo <= exact_sl <= row.service_level_hi
    assert not row.service_level_lo <= erlang_c_service_level(n, load, threshold) <= row.service_level_hi
    exact_asa = delay + erlang_c(n, load) * AHT / (n - load)
    assert row.asa_lo <= exact_asa <= row.asa_hi
