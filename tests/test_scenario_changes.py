"""Scenario changes: each one does what it says on small inputs, and only there."""

import math

import numpy as np
import pandas as pd
import pytest

from scenarios.changes import change_from_mapping
from scenarios.changes.cover import cover
from scenarios.errors import InputError

from stress_inputs import context, demand, grid, pooled, roster, sim_config, working_count

WHERE = "plan.toml: [[changes]] #1"


def change(**raw):
    return change_from_mapping(raw, WHERE)


def local_hour(frame):
    return frame["interval_start"].dt.hour


def test_a_surge_multiplies_exactly_the_intervals_of_its_window():
    starts = grid(2)
    before = demand(starts)
    after = change(kind="surge", multiplier=1.5, queues=["999"], start_time="18:00",
                   end_time="22:00").demand(before, context(starts))
    inside = (before["queue"] == "999") & local_hour(before).between(18, 21)
    assert inside.sum() == 2 * 16            # two evenings of sixteen quarter hours
    for column in ("calls", "calls_p90"):    # the forecast's quantiles move with it
        np.testing.assert_allclose(after.loc[inside, column], 1.5 * before.loc[inside, column])
        pd.testing.assert_series_equal(after.loc[~inside, column], before.loc[~inside, column])
    pd.testing.assert_series_equal(before["calls"], demand(starts)["calls"])   # input untouched


def test_a_spike_adds_exactly_its_extra_calls_over_the_window():
    starts = grid(2)
    before = demand(starts)
    after = change(kind="surge", extra_calls={"999": 300, "101": 120}, start_time="15:00", end_time="18:00",
                   plan_days=[2]).demand(before, context(starts))
    added = (after["calls"] - before["calls"]).groupby(after["queue"]).sum()
    assert added["999"] == pytest.approx(300) and added["101"] == pytest.approx(120)
    changed = after["calls"] != before["calls"]
    day = after["interval_start"].dt.day
    assert set(day[changed]) == {3} and set(local_hour(after)[changed]) == {15, 16, 17}


def test_a_window_past_midnight_belongs_to_the_evening_it_starts_on():
    starts = grid(3)
    w = change(kind="surge", multiplier=2.0, dates=["2026-11-03"], start_time="20:00", end_time="04:00").window
    picked = starts[w.mask(starts)]
    assert picked.min() == pd.Timestamp("2026-11-03 20:00", tz="Europe/London")
    assert picked.max() == pd.Timestamp("2026-11-04 03:45", tz="Europe/London")
    assert len(picked) == 8 * 4


def test_weekdays_and_date_ranges_pick_those_days():
    starts = grid(7)                       # Monday 2 to Sunday 8 November 2026
    by_weekday = change(kind="surge", multiplier=2.0, weekdays=["sat", "sun"]).window.mask(starts)
    assert set(starts[by_weekday].day) == {7, 8}
    by_range = change(kind="surge", multiplier=2.0, from_date="2026-11-04", to_date="2026-11-05").window
    assert set(starts[by_range.mask(starts)].day) == {4, 5}


def test_a_window_outside_the_plan_is_an_error_not_a_free_pass():
    starts = grid(2)
    surge = change(kind="heatwave", multiplier=1.3, dates=["2027-07-14"])
    with pytest.raises(InputError, match=r"plan.toml: \[\[changes\]\] #1.*picks no interval of the plan, "
                                         r"which runs 2026-11-02"):
        surge.demand(demand(starts), context(starts))


def test_channel_shift_removes_a_share_of_101_only():
    starts = grid(1)
    before = demand(starts)
    after = change(kind="channel_shift", share=0.15).demand(before, context(starts))
    is101 = before["queue"] == "101"
    np.testing.assert_allclose(after.loc[is101, "calls"], 0.85 * before.loc[is101, "calls"])
    pd.testing.assert_series_equal(after.loc[~is101, "calls"], before.loc[~is101, "calls"])


def hours(day: str, first: int, last: int):
    start = pd.Timestamp(day, tz="Europe/London")
    return [(start + pd.Timedelta(hours=h), start + pd.Timedelta(hours=h + 1)) for h in range(first, last)]


def test_abstraction_becomes_the_simulations_own_windows_over_exactly_its_window():
    starts = grid(2)
    shifts = roster(starts)
    base = sim_config()
    rule = change(kind="abstraction", share=0.2, start_time="14:00", end_time="18:00", plan_days=[1])
    after = rule.simulation(base, context(starts, shifts))
    # drawn by the simulation in each replication, re-drawn every hour of the window
    assert [(a.start, a.end) for a in after.abstractions] == hours("2026-11-02", 14, 18)
    assert {a.share for a in after.abstractions} == {0.2}
    assert base.abstractions == () and after.queues == base.queues
    # the shifts the simulation is given are the roster itself: abstracted staff are paid
    assert rule.available(shifts, context(starts, shifts)) is shifts


def test_an_abstraction_window_past_midnight_is_cut_at_the_plan_edges_not_at_midnight():
    starts = grid(2)
    after = change(kind="abstraction", share=0.1, start_time="22:00", end_time="02:00").simulation(
        sim_config(), context(starts))
    expected = hours("2026-11-02", 0, 2) + hours("2026-11-02", 22, 26) + hours("2026-11-03", 22, 24)
    assert [(a.start, a.end) for a in after.abstractions] == expected


def test_a_rebuilt_roster_allows_for_abstraction_in_the_window():
    starts = grid(1)
    need = pooled(starts, heads=10)
    grossed = change(kind="abstraction", share=0.2, start_time="09:00", end_time="12:00").required(
        need, context(starts))
    inside = (starts.hour >= 9) & (starts.hour < 12)
    assert (grossed.loc[inside, "required"] == math.ceil(10 / 0.8)).all()
    assert (grossed.loc[~inside, "required"] == 10).all()


def test_a_major_incident_is_a_999_spike_plus_abstraction_in_one_window():
    starts = grid(1)
    shifts = roster(starts, shifts=60)
    incident = change(kind="major_incident", extra_calls=200, abstracted_share=0.25,
                      start_time="15:00", end_time="18:00")
    before = demand(starts)
    after = incident.demand(before, context(starts))
    added = (after["calls"] - before["calls"]).groupby(after["queue"]).sum()
    assert added["999"] == pytest.approx(200) and added["101"] == 0
    away = incident.simulation(sim_config(), context(starts, shifts)).abstractions
    assert [(a.start, a.end) for a in away] == hours("2026-11-02", 15, 18)
    assert {a.share for a in away} == {0.25}


def test_sickness_adds_to_or_replaces_the_absence_rate():
    ctx = context(grid(1))
    assert change(kind="sickness", extra_absence=0.05).absence(0.30, ctx) == pytest.approx(0.35)
    assert change(kind="sickness", absence_rate=0.4).absence(0.30, ctx) == pytest.approx(0.4)
    with pytest.raises(InputError, match="absence would be 105%"):
        change(kind="sickness", extra_absence=0.75).absence(0.30, ctx)


def test_a_budget_cap_drops_the_shift_that_covers_least_unmet_need():
    starts = grid(1)
    day = pd.Timestamp("2026-11-02", tz="Europe/London")
    shift = lambda sid, h: {"staff_id": sid, "shift": "8h", "start": day + pd.Timedelta(hours=h),
                            "end": day + pd.Timedelta(hours=h + 8), "break_start": pd.NaT, "break_end": pd.NaT,
                            "paid_hours": 8.0, "cost": 160.0, "skills": "999|101"}
    shifts = pd.DataFrame([shift("A", 8), shift("B", 8), shift("C", 12)])
    shifts[["break_start", "break_end"]] = shifts[["break_start", "break_end"]].apply(
        lambda c: pd.to_datetime(c).dt.tz_localize("Europe/London"))
    need = pooled(starts, heads=0)
    need.loc[(starts.hour >= 8) & (starts.hour < 16), "required"] = 2   # C only adds surplus
    capped = change(kind="budget", max_paid_hours=16).roster(shifts, need, context(starts, shifts))
    assert sorted(capped["staff_id"]) == ["A", "B"]
    assert (cover(capped, starts) >= need["required"].to_numpy()).all()


def test_a_budget_cap_leaves_the_roster_within_the_cap():
    starts = grid(2)
    shifts = roster(starts)
    ctx = context(starts, shifts)
    need = pooled(starts, heads=10)
    by_hours = change(kind="budget", paid_hours_share=0.8).roster(shifts, need, ctx)
    assert by_hours["paid_hours"].sum() <= 0.8 * shifts["paid_hours"].sum()
    assert by_hours["paid_hours"].sum() > 0.8 * shifts["paid_hours"].sum() - 7.5   # no more than needed
    by_heads = change(kind="budget", max_heads=50).roster(shifts, need, ctx)
    assert by_heads["staff_id"].nunique() == 50


def test_workforce_heads_follow_attrition_and_recruitment_month_by_month():
    # closed form of h' = h (1 - a) + r, h0 = 1
    a, r, m = 0.012, 0.006, 12
    expected = (1 - a) ** m + r * (1 - (1 - a) ** m) / a
    rule = change(kind="workforce", months=m, attrition_per_month=a, recruitment_per_month=r)
    assert rule.heads_factor() == pytest.approx(expected)
    starts = grid(2)
    shifts = roster(starts, shifts=100)
    kept = rule.roster(shifts, pooled(starts), context(starts, shifts))
    assert kept["staff_id"].nunique() == 100 - round((1 - expected) * 100)
    rebuilt = rule.roster(shifts, pooled(starts), context(starts, shifts, rebuilt=True))
    assert rebuilt["staff_id"].nunique() == math.floor(expected * 100)


@pytest.mark.parametrize("raw, fragments", [
    ({"kind": "surge", "multiplier": -1.0}, ["multiplier must be at least 0", "-1.0"]),
    ({"kind": "channel_shift", "share": 1.2}, ["share must be from 0 to 1", "1.2"]),
    ({"kind": "abstraction", "share": 0.2, "strat_time": "09:00"}, ["unknown key 'strat_time'", "start_time"]),
    ({"kind": "surge", "multiplier": 2, "start_time": "25:00"}, ["start_time must be a local time 'HH:MM'"]),
    ({"kind": "surge", "multiplier": 2, "extra_calls": 5}, ["give one of multiplier"]),
    ({"kind": "budget"}, ["give a cap: max_paid_hours, paid_hours_share"]),
    ({"kind": "workforce", "attrition_per_month": -0.1}, ["attrition_per_month must be from 0"]),
    ({"kind": "tsunami"}, ["kind must be one of surge, seasonal_peak"]),
    ({"kind": "random_pullouts", "rate_per_hour": -0.1}, ["rate_per_hour must be from 0 to 6", "-0.1"]),
    ({"kind": "random_pullouts", "rate_per_hour": 0.1, "mean_minutes": 0}, ["mean_minutes must be more than 0"]),
    ({"kind": "random_pullouts", "duration": "gamma"}, ["duration must be one of exponential, lognormal, fixed"]),
    ({"kind": "random_pullouts", "rate_per_hour": 5, "mean_minutes": 60}, ["away 99% of the time"]),
    ({"kind": "random_pullouts", "rate": 0.1}, ["unknown key 'rate'", "rate_per_hour", "mean_minutes"]),
    ({"kind": "callbacks", "accept_share": 1.5}, ["accept_share must be from 0 to 1", "1.5"]),
    ({"kind": "callbacks", "enabled": "yes"}, ["enabled must be true or false"]),
    ({"kind": "callbacks", "offer_above_wait_s": -5}, ["offer_above_wait_s must be at least 0"]),
    ({"kind": "callbacks", "threshold": 60}, ["unknown key 'threshold'", "offer_above_wait_s", "success_share"]),
])
def test_bad_changes_are_named_with_what_is_allowed(raw, fragments):
    with pytest.raises(InputError) as err:
        change_from_mapping(raw, WHERE)
    message = str(err.value)
    assert message.startswith(WHERE)
    for fragment in fragments:
        assert fragment in message


def test_the_working_count_helper_agrees_with_cover():
    # cover() is what budgets and overtime use: check it against a direct count
    starts = grid(2)
    shifts = roster(starts)
    np.testing.assert_array_equal(cover(shifts, starts), working_count(shifts, starts))
