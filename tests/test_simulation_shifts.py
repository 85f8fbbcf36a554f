"""Rosters: nobody answers outside their shift or on their break; the call in hand is finished."""

import numpy as np
import pandas as pd

from simulation import QueueConfig, SimulationConfig, simulate

TZ = "Europe/London"
DAY = pd.Timestamp("2024-06-03", tz=TZ)


def at(hhmm: str) -> pd.Timestamp:
    return DAY + pd.Timedelta(hours=int(hhmm[:2]), minutes=int(hhmm[3:]))


def roster() -> pd.DataFrame:
    rows = [  # staff_id, start, end, break, skills
        ("A", "07:00", "15:00", ("10:00", "10:30"), "999|101"),
        ("B", "07:00", "15:00", ("10:15", "10:45"), "999|101"),
        ("C", "09:00", "13:00", None, "999|101"),
        ("D", "12:00", "20:00", ("15:30", "16:00"), "101"),
        ("A", "16:00", "20:00", None, "999|101"),  # A's second shift the same day
    ]
    return pd.DataFrame([{"staff_id": s, "start": at(a), "end": at(b),
                          "break_start": at(br[0]) if br else pd.NaT, "break_end": at(br[1]) if br else pd.NaT,
                          "skills": skills} for s, a, b, br, skills in rows])


def busy_day(calls_per_interval: float = 9.0) -> pd.DataFrame:
    starts = pd.date_range(at("07:00"), at("20:00"), freq="15min", inclusive="left")
    return pd.concat([pd.DataFrame({"queue": q, "interval_start": starts, "calls": calls_per_interval / 3 * k,
                                    "aht": 240.0}) for q, k in (("999", 1), ("101", 2))], ignore_index=True)


CONFIG = SimulationConfig((QueueConfig("999", priority=0, answer_within_s=10, mean_patience_s=120),
                           QueueConfig("101", priority=1, answer_within_s=60, mean_patience_s=600)),
                          replications=3, seed=11)


EPS = pd.Timedelta(microseconds=1)  # times are float seconds turned into timestamps: allow rounding


def answered_calls(result):
    calls = result.calls[result.calls.answered].copy()
    calls["answer"] = calls.arrival + pd.to_timedelta(calls.wait, unit="s")
    calls["done"] = calls.answer + pd.to_timedelta(calls.handle, unit="s")
    return calls


def test_calls_are_answered_only_on_shift_and_off_break():
    shifts = roster()
    calls = answered_calls(simulate(busy_day(), shifts, CONFIG))
    assert calls.staff_id.nunique() == 4 and len(calls) > 300

    on_duty = np.zeros(len(calls), dtype=bool)
    for shift in shifts.itertuples():
        mine = (calls.staff_id == shift.staff_id).to_numpy()
        inside = (calls.answer >= shift.start - EPS) & (calls.answer < shift.end)
        if pd.notna(shift.break_start):
            inside &= ~((calls.answer > shift.break_start) & (calls.answer < shift.break_end - EPS))
        on_duty |= mine & inside.to_numpy()
    assert on_duty.all()
    assert (calls[calls.staff_id == "D"].queue == "101").all()  # D only has the 101 skill


def test_a_handler_finishes_the_call_in_hand_and_takes_one_call_at_a_time():
    shifts = roster()
    calls = answered_calls(simulate(busy_day(), shifts, CONFIG))

    overran = np.zeros(len(calls), dtype=bool)
    for shift in shifts.itertuples():
        mine = (calls.staff_id == shift.staff_id).to_numpy()
        for edge in (shift.break_start, shift.end):
            overran |= mine & ((calls.answer < edge - EPS) & (calls.done > edge + EPS)).to_numpy()
    overran = calls[overran]
    assert len(overran) > 0  # a call ran on past a break or shift end, and was finished, not cut
    assert (overran.handle > 0).all()

    for (_, staff_id), mine in calls.groupby(["replication", "staff_id"], observed=True):
        mine = mine.sort_values("answer")
        assert (mine.answer.iloc[1:].to_numpy() >= mine.done.iloc[:-1].to_numpy() - EPS).all(), staff_id


def test_occupancy_counts_logged_in_time_including_overruns():
    result = simulate(busy_day(), roster(), CONFIG)
    occupancy = result.occupancy
    assert (occupancy.busy_s <= occupancy.available_s + 1e-6).all()
    assert occupancy.occupancy.dropna().between(0, 1).all()
    assert occupancy.occupancy.isna().eq(occupancy.available_s == 0).all()
    # 11:00-11:15: A, B and C on duty, no break or shift edge anywhere near: exactly 3 x 900 s.
    quiet = occupancy[occupancy.interval_start == at("11:00")]
    np.testing.assert_allclose(quiet.available_s, 3 * 900.0)
    # 15:45-16:00: nobody rostered but D is on break; logged time is only overrun on a call.
    gap = occupancy[occupancy.interval_start == at("15:45")]
    assert (gap.available_s == gap.busy_s).all()
    # The kpi table carries the pool's occupancy on every queue's row.
    merged = result.kpi.merge(occupancy, on=["replication", "interval_start"], suffixes=("", "_pool"))
    np.testing.assert_array_equal(merged.occupancy.to_numpy(), merged.occupancy_pool.to_numpy())


def test_agents_per_interval_with_a_queue_column_are_dedicated_pools():
    demand = busy_day(6.0)
    starts = demand.interval_start.unique()
    agents = pd.concat([pd.DataFrame({"queue": "999", "interval_start": starts, "agents": 2}),
                        pd.DataFrame({"queue": "101", "interval_start": starts,
                                      "agents": np.where(np.arange(len(starts)) < 20, 4, 3)})])
    calls = simulate(demand, agents, CONFIG).calls
    answered = calls[calls.answered]
    by_queue = answered.groupby("queue", observed=True).staff_id.agg(lambda s: set(s.astype(str)))
    assert by_queue["999"] == {"999-agent-001", "999-agent-002"}
    assert by_queue["101"] == {f"101-agent-{k:03d}" for k in (1, 2, 3, 4)}
    # The fourth 101 agent leaves after interval 20 (12:00) and takes no new call after that.
    fourth = answered[answered.staff_id == "101-agent-004"]
    assert (fourth.arrival + pd.to_timedelta(fourth.wait, unit="s") < at("12:00")).all()


def test_a_roster_without_breaks_may_leave_the_break_columns_empty():
    shifts = roster().assign(break_start=pd.NaT, break_end=pd.NaT)  # naive NaT columns
    calls = simulate(busy_day(), shifts, CONFIG).calls
    assert calls.answered.any()
    no_columns = simulate(busy_day(), shifts.drop(columns=["break_start", "break_end"]), CONFIG).calls
    pd.testing.assert_frame_equal(calls, no_columns)
