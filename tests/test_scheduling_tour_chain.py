"""Tours over several weeks: one staff id per person, judged by the same checker as `roster check`."""

import numpy as np
import pandas as pd
import pytest

from scenarios.roster_check import check_run_files
from scheduling import schema as s
from scheduling.errors import SchedulingError
from scheduling.shifts import ShiftTemplate
from scheduling.solver import SolverOptions
from scheduling.tour_chain import ChainRules, chain_violations, chain_weeks
from scheduling import tour_roster
from scheduling.tour_roster import build_tour_roster
from scheduling.tours import TourSettings
from test_scheduling_roster import rostered_from_shifts as rostered

TZ = "Europe/London"
NEAR = SolverOptions(time_limit_s=60, gap_rel=0.01, threads=1)


def judged(tmp_path, shifts: pd.DataFrame, cover: pd.DataFrame | None = None):
    """The rules `controlroom roster check` finds broken in ``shifts`` (written as a run's roster.csv)."""
    shifts.to_csv(tmp_path / "roster.csv", index=False)
    if cover is None:
        return check_run_files(tmp_path / "roster.csv").before.violations
    cover.to_csv(tmp_path / "cover.csv", index=False)
    return check_run_files(tmp_path / "roster.csv", tmp_path / "cover.csv").before.violations


def shifts_of(staff: str, day0: str, days, start_h: int, length_h: int = 8) -> pd.DataFrame:
    first = pd.Timestamp(day0, tz=TZ)
    starts = pd.DatetimeIndex([first + pd.Timedelta(days=d, hours=start_h) for d in days])
    return pd.DataFrame({s.STAFF_ID: staff, s.SHIFT: f"{length_h}h", s.START: starts,
                         s.END: starts + pd.Timedelta(hours=length_h), s.BREAK_START: pd.NaT, s.BREAK_END: pd.NaT,
                         s.PAID_HOURS: float(length_h), s.COST: float(length_h), s.SKILLS: "999|101"})


def naive(weeks) -> pd.DataFrame:
    """The old hand-out: each week's ids used again as they come (id 7 of week 1 = id 7 of week 2)."""
    return pd.concat(weeks, ignore_index=True)


def test_naive_reuse_breaks_the_rest_across_sunday_night_and_chaining_fixes_it(tmp_path):
    # week 1 (Mon 8 Jan): H0001 works nights Wed-Sun, the last ending Monday 06:00; H0002 Mon-Fri days
    week1 = pd.concat([shifts_of("H0001", "2024-01-08", range(2, 7), 22), shifts_of("H0002", "2024-01-08", range(5), 9)])
    # week 2: H0001 starts Monday 07:00, one hour after week 1's H0001 went home
    week2 = pd.concat([shifts_of("H0001", "2024-01-15", range(5), 7), shifts_of("H0002", "2024-01-15", range(2, 7), 22)])
    broken = judged(tmp_path, naive([week1, week2]))
    assert ("H0001", 6, "rest") in set(zip(broken["person"], broken["day"], broken["rule"]))
    chained, notes = chain_weeks([week1, week2], pd.Timestamp("2024-01-08"), [7, 7], 14)
    assert judged(tmp_path, chained).empty and chain_violations(chained, pd.Timestamp("2024-01-08"), 14) == []
    # the night worker keeps nights; the day worker takes Monday's early
    nights = chained[chained[s.START].dt.hour == 22].groupby(s.STAFF_ID).size()
    assert list(nights.index) == ["H0001"] and nights.iloc[0] == 10
    assert "2 people" in " ".join(notes)


def test_the_run_workbook_has_one_row_per_person_over_the_weeks(tmp_path):
    from openpyxl import load_workbook

    from scenarios.outputs import write_workbook

    week1 = pd.concat([shifts_of("H0001", "2024-01-08", range(2, 7), 22), shifts_of("H0002", "2024-01-08", range(5), 9)])
    week2 = pd.concat([shifts_of("H0001", "2024-01-15", range(5), 7), shifts_of("H0002", "2024-01-15", range(2, 7), 22)])
    chained, _ = chain_weeks([week1, week2], pd.Timestamp("2024-01-08"), [7, 7], 14)
    chained.to_csv(tmp_path / "roster.csv", index=False)
    pd.DataFrame({s.INTERVAL_START: pd.date_range("2024-01-08", periods=14 * 96, freq="15min", tz=TZ),
                  s.REQUIRED: 1}).to_csv(tmp_path / "cover.csv", index=False)
    write_workbook(tmp_path)
    rows = list(load_workbook(tmp_path / "roster.xlsx")["Roster"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["H0001", "H0002"] and len(rows[0]) == 1 + 14
    assert [sum(bool(c) for c in r[1:]) for r in rows[1:]] == [10, 10]  # each works both weeks


def test_a_tour_that_would_work_ten_days_running_goes_to_someone_rested(tmp_path):
    # week 1: H0001 off Mon-Tue, works Wed-Sun; H0002 off Sat-Sun. Week 2: H0001 works Mon-Fri (so
    # naive reuse works H0001 ten days running: no day off in a 7-day window), H0002 works Wed-Sun.
    week1 = pd.concat([shifts_of("H0001", "2024-01-08", range(2, 7), 9), shifts_of("H0002", "2024-01-08", range(5), 9)])
    week2 = pd.concat([shifts_of("H0001", "2024-01-15", range(5), 9), shifts_of("H0002", "2024-01-15", range(2, 7), 9)])
    assert "weekly_rest" in set(judged(tmp_path, naive([week1, week2]))["rule"])
    chained, _ = chain_weeks([week1, week2], pd.Timestamp("2024-01-08"), [7, 7], 14)
    assert judged(tmp_path, chained).empty


def test_when_no_pairing_keeps_the_rules_a_person_is_added_and_the_boundary_is_named(tmp_path):
    week1 = shifts_of("H0001", "2024-01-08", range(2, 7), 22)  # last night ends Monday 06:00
    week2 = shifts_of("H0001", "2024-01-15", range(5), 7)  # the only tour starts Monday 07:00
    chained, notes = chain_weeks([week1, week2], pd.Timestamp("2024-01-08"), [7, 7], 14)
    assert judged(tmp_path, chained).empty
    assert chained.groupby(s.STAFF_ID).size().to_dict() == {"H0001": 5, "H0002": 5}
    text = " ".join(notes)
    assert "Weeks 1 to 2" in text and "H0001" in text and "1 person(s) added" in text
    assert "Week 2: 1 of 2 people have the week off (H0001)" in text


def test_hours_are_balanced_so_nobody_passes_the_48_hour_average():
    # 4 weeks, 2 tours a week: one of 5 x 12 h = 60 h, one of 5 x 6 h = 30 h. Giving the long tour
    # to the same person every week is 240 h > 192 h (48 a week); alternating is legal.
    weeks = [pd.concat([shifts_of("H0001", f"2024-01-{8 + 7 * w:02d}", range(5), 8, 12),
                        shifts_of("H0002", f"2024-01-{8 + 7 * w:02d}", range(5), 8, 6)]) for w in range(4)]
    day0 = pd.Timestamp("2024-01-08")
    assert any("more than 192 h" in v for v in chain_violations(naive(weeks), day0, 28))
    chained, _ = chain_weeks(weeks, day0, [7] * 4, 28)
    assert chained.groupby(s.STAFF_ID)[s.PAID_HOURS].sum().to_dict() == {"H0001": 180.0, "H0002": 180.0}
    assert chain_violations(chained, day0, 28) == []


def demo_like_month():
    """Four weeks from a Wednesday, hourly: day and evening peaks, busier weekend nights, and a
    third week busier than the rest (so the weeks need different head counts)."""
    starts = pd.date_range("2024-01-03", "2024-01-30 23:00", freq="1h", tz=TZ)
    hour, weekday = np.asarray(starts.hour), np.asarray(starts.day_of_week)
    week = (np.asarray((starts.tz_localize(None).normalize() - pd.Timestamp("2024-01-03")).days)) // 7
    need = (3 + 3 * ((hour >= 8) & (hour < 20)) + 2 * ((hour >= 17) & (hour < 23))
            + 2 * ((weekday >= 4) & ((hour >= 21) | (hour < 3))) + 2 * (week == 2) * ((hour >= 10) & (hour < 18)))
    return pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need})


def test_a_month_of_tours_has_one_legal_id_per_person_under_the_roster_checker(tmp_path, monkeypatch):
    required = demo_like_month()
    seen = []  # the weeks as the tour model handed them out, each with its own ids

    def keep(weeks, *args, **kwargs):
        seen.extend(weeks)
        return chain_weeks(weeks, *args, **kwargs)

    monkeypatch.setattr(tour_roster, "chain_weeks", keep)
    templates = tuple(ShiftTemplate(f"{h}h", h, 0, hourly_cost=1.0) for h in (8, 10, 12))
    roster = build_tour_roster(required, templates, under_penalty=5.0, solver_options=NEAR,
                               settings=TourSettings(break_window_h=0))
    shifts = roster.shifts
    cover = roster.cover[[s.INTERVAL_START, s.REQUIRED]]
    assert judged(tmp_path, shifts, cover).empty
    # cover counts every shift, also the nights that run on from one week into the next
    np.testing.assert_array_equal(roster.cover[s.ROSTERED], rostered(shifts, pd.DatetimeIndex(cover[s.INTERVAL_START])))
    short_days = {f"{d:%a %Y-%m-%d}" for d in roster.shortfall[s.INTERVAL_START].dt.tz_localize(None).dt.normalize()}
    said = {n.split(":")[0].removeprefix("Short on ") for n in roster.notes if n.startswith("Short on ")}
    assert said == short_days  # one line per short day, from the joined cover
    boundary = shifts[s.END].dt.tz_localize(None).dt.normalize() > shifts[s.START].dt.tz_localize(None).dt.normalize()
    assert (boundary & (shifts[s.START].dt.day_of_week == 1)).any()  # Tuesday nights end in the next week
    # reusing each week's ids as they come breaks all three rules on this month
    assert {"rest", "weekly_rest", "max_minutes"} <= set(judged(tmp_path, naive(seen), cover)["rule"])
    day = (shifts[s.START].dt.tz_localize(None).dt.normalize() - pd.Timestamp("2024-01-03")).dt.days
    per_week = shifts.assign(week=day // 7).groupby("week")[s.STAFF_ID].nunique()
    assert per_week.nunique() > 1  # the weeks do need different head counts
    # one id per person: the head count is the busiest week's, and ids run across the weeks
    assert shifts[s.STAFF_ID].nunique() == per_week.max()
    weeks_worked = shifts.assign(week=day // 7).groupby(s.STAFF_ID)["week"].nunique()
    assert (weeks_worked >= 2).all() and (weeks_worked == 4).sum() >= per_week.min() - 2
    assert any("week off" in n for n in roster.notes)
    hours = shifts.groupby(s.STAFF_ID)[s.PAID_HOURS].sum()
    assert hours.max() <= 48 * 4 and not any(tour_roster.HOURS_NOTE in n for n in roster.notes)


def test_chain_rules_are_checked():
    with pytest.raises(SchedulingError, match="weekly_rest_days must be an integer in 0..7"):
        ChainRules(weekly_rest_days=8)
    with pytest.raises(SchedulingError, match="2 week tables but 1 week lengths"):
        chain_weeks([pd.DataFrame(), pd.DataFrame()], pd.Timestamp("2024-01-01"), [7], 7)


def test_roster_check_counts_a_moved_break_where_it_fell(tmp_path):
    # the tour model moves breaks; the checker used to put every break mid-shift
    shift = shifts_of("H0001", "2024-01-08", [0], 6).assign(
        **{s.BREAK_START: pd.Timestamp("2024-01-08 07:00", tz=TZ), s.BREAK_END: pd.Timestamp("2024-01-08 07:30", tz=TZ),
           s.PAID_HOURS: 7.5})
    shift.to_csv(tmp_path / "roster.csv", index=False)
    starts = pd.date_range("2024-01-08 06:00", "2024-01-08 13:45", freq="15min", tz=TZ)
    pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: 1}).to_csv(tmp_path / "cover.csv", index=False)
    report = check_run_files(tmp_path / "roster.csv", tmp_path / "cover.csv")
    cover = report.before.interval_cover.query("skill == '999'")
    on = dict(zip(cover["interval"], cover["rostered"]))
    assert [on[t] for t in range(24, 32)] == [1, 1, 1, 1, 0, 0, 1, 1]  # 06:00-08:00, break 07:00-07:30
    assert report.before.parts["under_cover"] == 2 and report.inputs.roster[0].break_offset_min == 60
