"""Staff ids for an anonymous roster: every id is a pattern a person could legally work."""

import numpy as np
import pandas as pd

from scheduling.staff import assign_staff_ids

TZ = "Europe/London"


def four_weeks_of_shifts(seed=3):
    """A busy control room's shifts: 8-, 10- and 12-hour shifts starting at any quarter hour."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-03-02", periods=28, freq="D", tz=TZ)
    rows = []
    for day in days:
        for _ in range(rng.integers(40, 60)):
            start = day + pd.Timedelta(minutes=15 * int(rng.integers(0, 96)))
            rows.append((start, start + pd.Timedelta(hours=int(rng.choice([8, 10, 12])))))
    return pd.DataFrame(rows, columns=["start", "end"]).sort_values("start", kind="stable").reset_index(drop=True)


def test_each_person_rests_and_works_within_the_weekly_limits():
    shifts = four_weeks_of_shifts()
    shifts["staff_id"] = assign_staff_ids(shifts["start"], shifts["end"])
    for _, mine in shifts.groupby("staff_id"):
        mine = mine.sort_values("start")
        gaps = mine["start"].iloc[1:].to_numpy() - mine["end"].iloc[:-1].to_numpy()
        assert (gaps >= pd.Timedelta(hours=11)).all()
        assert not mine["start"].dt.date.duplicated().any()  # one shift a day
        for begin in mine["start"]:
            week = mine[(mine["start"] > begin - pd.Timedelta(days=7)) & (mine["start"] <= begin)]
            assert len(week) <= 5
            hours = ((week["end"] - week["start"]).dt.total_seconds() / 3600).sum()
            assert hours <= 48
        # weekly rest: the same two consecutive weekdays are off every week
        worked = set(mine["start"].dt.day_of_week)
        assert any(d not in worked and (d + 1) % 7 not in worked for d in range(7))


def test_the_head_count_is_close_to_what_the_hours_need():
    # A lower bound independent of the greedy: paid hours over 4 weeks / (48 h x 4 weeks), and no
    # one works more than 5 shifts in 7 days. The greedy should not need many more people.
    shifts = four_weeks_of_shifts()
    ids = assign_staff_ids(shifts["start"], shifts["end"])
    hours = ((shifts["end"] - shifts["start"]).dt.total_seconds() / 3600).sum()
    bound = max(hours / (48 * 4), len(shifts) / (5 * 4))
    assert bound <= len(set(ids)) <= 1.4 * bound


def test_limits_are_settings():
    shifts = four_weeks_of_shifts()
    four = assign_staff_ids(shifts["start"], shifts["end"], max_shifts=4)
    five = assign_staff_ids(shifts["start"], shifts["end"], max_shifts=5)
    assert len(set(four)) > len(set(five))
