"""Patience: lognormal, or estimated from a call log with censoring (Kaplan-Meier) and drawn from."""

import numpy as np
import pandas as pd
import pytest

from simulation import QueueConfig, SimulationConfig, SimulationError, simulate
from simulation.patience import EmpiricalPatience, estimate_patience

TZ = "Europe/London"
START = pd.Timestamp("2024-06-03 08:00", tz=TZ)
MEAN = 120.0


def synthetic_log(n: int = 20000, seed: int = 0):
    """Callers with exponential patience (mean 120 s) who would be answered after an
    exponential wait (mean 90 s): an abandoned caller's wait is their patience, an answered
    caller's wait only bounds it."""
    rng = np.random.default_rng(seed)
    patience, answer = rng.exponential(MEAN, n), rng.exponential(90.0, n)
    return np.minimum(patience, answer), patience < answer


def unstaffed(queue: QueueConfig, hours=4):
    starts = pd.date_range(START, periods=4 * hours, freq="15min")
    table = pd.DataFrame({"queue": queue.name, "interval_start": starts, "calls": 100.0, "aht": 100.0})
    nobody = pd.DataFrame({"interval_start": starts, "agents": 0})
    return simulate(table, nobody, SimulationConfig((queue,), replications=2, seed=12)).calls


def test_kaplan_meier_recovers_known_exponential_patience_from_a_censored_log():
    wait, abandoned = synthetic_log()
    fitted = estimate_patience(wait, abandoned)
    t, s = np.array(fitted.times), np.array(fitted.survival)
    for x in (30.0, 60.0, 120.0, 240.0):
        assert s[np.searchsorted(t, x, side="right") - 1] == pytest.approx(np.exp(-x / MEAN), abs=0.02)
    assert fitted.mean() == pytest.approx(MEAN, rel=0.08)
    # ignoring the censoring would make callers look less than half as patient
    assert wait[abandoned].mean() < 0.5 * MEAN


def test_the_model_draws_patience_from_the_estimate():
    wait, abandoned = synthetic_log()
    fitted = estimate_patience(wait, abandoned)
    calls = unstaffed(QueueConfig("101", patience="empirical", empirical_patience=fitted))
    assert calls.abandoned.all()
    assert calls.wait.median() == pytest.approx(MEAN * np.log(2), rel=0.06)
    assert calls.wait.mean() == pytest.approx(MEAN, rel=0.1)  # the tail past the longest wait seen counts


def test_lognormal_patience_has_the_mean_and_spread_asked_for():
    calls = unstaffed(QueueConfig("101", mean_patience_s=200, patience="lognormal", patience_cv=0.5))
    assert calls.wait.mean() == pytest.approx(200, rel=0.05)
    assert calls.wait.std() / calls.wait.mean() == pytest.approx(0.5, rel=0.1)


def test_patience_that_cannot_be_estimated_is_named():
    with pytest.raises(SimulationError, match="no caller abandoned"):
        estimate_patience([10.0, 20.0], [False, False])
    with pytest.raises(SimulationError, match="waits must be seconds of 0 or more"):
        estimate_patience([10.0, -1.0], [True, False])
    with pytest.raises(SimulationError, match="needs empirical_patience"):
        QueueConfig("101", patience="empirical")
    with pytest.raises(SimulationError, match="increasing"):
        EmpiricalPatience((5.0, 2.0), (0.5, 0.4), None)
