"""Absence: a roster's shrinkage shows up in simulation as shifts that never turn up."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from simulation import QueueConfig, SimulationConfig, SimulationError, simulate

TZ = "Europe/London"
DAY = pd.Timestamp("2024-06-03 08:00", tz=TZ)


def many_shifts(n: int = 300) -> pd.DataFrame:
    # n people on the same 8-hour shift, no breaks: available time is 8 h per person present
    return pd.DataFrame({"staff_id": [f"H{i:04d}" for i in range(n)], "start": DAY,
                         "end": DAY + pd.Timedelta(hours=8), "break_start": pd.NaT, "break_end": pd.NaT,
                         "skills": "999"})


def demand() -> pd.DataFrame:
    starts = pd.date_range(DAY, DAY + pd.Timedelta(hours=8), freq="15min", inclusive="left")
    return pd.DataFrame({"queue": "999", "interval_start": starts, "calls": 20.0, "aht": 200.0})


CONFIG = SimulationConfig((QueueConfig("999", answer_within_s=10, mean_patience_s=60),), replications=8, seed=5)


def test_absent_shifts_take_away_their_share_of_logged_in_time():
    rate, n = 0.3, 300
    result = simulate(demand(), many_shifts(n), dataclasses.replace(CONFIG, absence_rate=rate))
    present = result.occupancy.groupby("replication")["available_s"].sum() / (8 * 3600)
    # each replication draws its own absences: Binomial(n, 1 - rate) people turn up
    sd = np.sqrt(n * rate * (1 - rate))
    assert (abs(present - n * (1 - rate)) < 4 * sd).all()
    assert present.nunique() > 1  # drawn anew per replication, not once for the whole run


def test_absence_changes_who_answers_but_not_who_calls():
    with_absence = simulate(demand(), many_shifts(), dataclasses.replace(CONFIG, absence_rate=0.5))
    without = simulate(demand(), many_shifts(), CONFIG)
    pd.testing.assert_series_equal(with_absence.calls["arrival"], without.calls["arrival"])
    assert with_absence.calls["staff_id"].nunique() < without.calls["staff_id"].nunique()


def test_absence_needs_a_shifts_table():
    agents = pd.DataFrame({"interval_start": demand()["interval_start"], "agents": 10})
    with pytest.raises(SimulationError, match="absence_rate needs a shifts table"):
        simulate(demand(), agents, dataclasses.replace(CONFIG, absence_rate=0.1))


@pytest.mark.parametrize("rate", [-0.1, 1.0, "a lot"])
def test_impossible_absence_rate_is_named(rate):
    with pytest.raises(SimulationError, match="absence_rate must be a share"):
        dataclasses.replace(CONFIG, absence_rate=rate)
