"""Bad input is a SimulationError that says what is wrong and where, never a quiet wrong answer."""

import numpy as np
import pandas as pd
import pytest

from simulation import QueueConfig, SimulationConfig, SimulationError, simulate

TZ = "Europe/London"
START = pd.Timestamp("2024-06-03 08:00", tz=TZ)
CONFIG = SimulationConfig((QueueConfig("999", priority=0, mean_patience_s=60),
                           QueueConfig("101", priority=1, answer_within_s=60, mean_patience_s=300)),
                          replications=1, seed=1)


def demand() -> pd.DataFrame:
    starts = pd.date_range(START, periods=8, freq="15min")
    return pd.concat([pd.DataFrame({"queue": q, "interval_start": starts, "calls": 5.0, "aht": 200.0})
                      for q in ("999", "101")], ignore_index=True)


def shifts() -> pd.DataFrame:
    return pd.DataFrame({"staff_id": ["A", "B"], "start": [START, START],
                         "end": [START + pd.Timedelta(hours=2)] * 2,
                         "break_start": [START + pd.Timedelta(hours=1), pd.NaT],
                         "break_end": [START + pd.Timedelta(hours=1, minutes=15), pd.NaT],
                         "skills": ["999|101", "101"]})


def raises(match, demand_table=None, shift_table=None, config=CONFIG, **kwargs):
    with pytest.raises(SimulationError, match=match):
        simulate(demand() if demand_table is None else demand_table,
                 shifts() if shift_table is None else shift_table, config, **kwargs)


def test_the_valid_inputs_run():
    assert len(simulate(demand(), shifts(), CONFIG).calls) > 0


def test_bad_demand_tables():
    raises(r"demand: missing column\(s\) 'aht'", demand().drop(columns="aht"))
    bad = demand()
    bad.loc[3, "calls"] = -2.0
    raises(r"demand: negative calls \(-2.0\) in row 3", bad)
    raises(r"demand: unknown queue\(s\) '112'.*configured queues are 999, 101",
           demand().replace({"queue": {"101": "112"}}))
    raises(r"column 'interval_start' must hold tz-aware timestamps",
           demand().assign(interval_start=demand().interval_start.dt.tz_localize(None)))
    bad = demand()
    bad.loc[2, "aht"] = np.nan
    raises(r"aht must be more than 0 seconds where calls are expected; row 2", bad)
    raises(r"queue '999' has interval .* twice", pd.concat([demand(), demand().iloc[[0]]], ignore_index=True))
    raises(r"queue '101' has no row for interval 2024-06-03 08:30:00\+01:00",
           demand().drop(index=10))
    raises(r"not evenly spaced", demand()[demand().interval_start != START + pd.Timedelta(minutes=30)])
    raises(r"column 'calls' is not a finite number in row 0", demand().assign(calls=[np.inf] + [1.0] * 15))
    raises(r"demand: the table has no rows", demand().iloc[:0])


def test_bad_shift_tables():
    bad = shifts()
    bad.loc[1, "end"] = START - pd.Timedelta(hours=1)
    raises(r"shifts: row 1 \(staff_id 'B'\) ends .* at or before it starts", shift_table=bad)
    raises(r"shifts: missing column\(s\) 'skills'", shift_table=shifts().drop(columns="skills"))
    raises(r"row 0 \(staff_id 'A'\) has skills '999\|111'; skills must be '\|'-separated queue names",
           shift_table=shifts().assign(skills=["999|111", "101"]))
    bad = shifts()
    bad.loc[0, "break_end"] = START + pd.Timedelta(hours=3)
    raises(r"row 0 \(staff_id 'A'\) has a break that is empty or not within the shift", shift_table=bad)
    bad = shifts()
    bad.loc[0, "break_end"] = pd.NaT
    raises(r"row 0 \(staff_id 'A'\) has only one of break_start and break_end", shift_table=bad)
    raises(r"staff_id 'A' has overlapping shifts \(rows 0 and 1\)", shift_table=shifts().assign(staff_id="A"))
    raises(r"column 'start' must hold tz-aware", shift_table=shifts().assign(start=shifts().start.dt.tz_localize(None)))
    raises(r"staffing: expected shifts \(staff_id, start, end, skills.* or agents per interval .*; got columns who",
           shift_table=pd.DataFrame({"who": ["A"]}))


def test_bad_agent_tables():
    starts = demand().interval_start.unique()
    raises(r"agents: row 1 has agents 2.5; agents must be whole numbers",
           shift_table=pd.DataFrame({"interval_start": starts, "agents": [3, 2.5] + [3] * 6}))
    raises(r"agents: unknown queue\(s\) '112'",
           shift_table=pd.DataFrame({"queue": "112", "interval_start": starts, "agents": 3}))
    raises(r"agents: interval .* appears twice for queue '999'",
           shift_table=pd.DataFrame({"queue": "999", "interval_start": [starts[0], *starts], "agents": 3}))


def test_bad_configuration():
    with pytest.raises(SimulationError, match=r"QueueConfig '999': handle must be one of exponential, lognormal, got 'gamma'"):
        QueueConfig("999", handle="gamma")
    with pytest.raises(SimulationError, match=r"patience must be one of exponential, fixed"):
        QueueConfig("101", patience="uniform")
    with pytest.raises(SimulationError, match=r"answer_within_s must be 0 or more seconds, got -1"):
        QueueConfig("999", answer_within_s=-1)
    with pytest.raises(SimulationError, match=r"mean_patience_s must be more than 0 seconds or None"):
        QueueConfig("999", mean_patience_s=0)
    with pytest.raises(SimulationError, match=r"queue names must be unique"):
        SimulationConfig((QueueConfig("999"), QueueConfig("999")))
    with pytest.raises(SimulationError, match=r"replications must be an integer of 1 or more, got 0"):
        SimulationConfig((QueueConfig("999"),), replications=0)
    with pytest.raises(SimulationError, match=r"queues must be a non-empty tuple of QueueConfig"):
        SimulationConfig(())
    long_warmup = SimulationConfig(CONFIG.queues, warmup_s=3 * 3600)
    raises(r"warmup_s 10800 covers the whole demand horizon \(8 intervals of 900 s\)", config=long_warmup)
    raises(r"rng must be a seed", rng=-3)
    with pytest.raises(SimulationError, match=r"config must be a SimulationConfig"):
        simulate(demand(), shifts(), {"replications": 3})
