"""Tour roster model: implicit breaks and counted days off against explicit models, notes, gaps."""

import itertools

import numpy as np
import pandas as pd
import pulp
import pytest

from scheduling import schema as s
from scheduling.shifts import ShiftTemplate
from scheduling.solver import SolverOptions
from scheduling.tour_roster import build_tour_roster
from scheduling.tours import TourSettings
from test_scheduling_roster import rostered_from_shifts as rostered

TZ = "Europe/London"
EXACT = SolverOptions(time_limit_s=60, gap_rel=0.0, threads=1)




def explicit_break_optimum(need, templates, windows, penalty) -> float:
    """One variable per (template, start, break start): the model implicit breaks avoid."""
    problem = pulp.LpProblem("explicit", pulp.LpMinimize)
    terms = [[] for _ in need]
    cost = []
    for k, t in enumerate(templates):
        length, brk = int(t.length_h * 4), int(t.break_minutes / 15)
        for start in range(len(need)):
            for offset in range(windows[k][0], windows[k][1] + 1):
                v = problem.add_variable(f"x_{k}_{start}_{offset}", lowBound=0, cat=pulp.LpInteger)
                cost.append(t.cost * v)
                for j in range(length):
                    if start + j < len(need) and not offset <= j < offset + brk:
                        terms[start + j].append(v)
    short = [problem.add_variable(f"short_{i}", lowBound=0) for i in range(len(need))]
    problem += pulp.lpSum(cost) + penalty * pulp.lpSum(short)
    for i, n in enumerate(need):
        problem += pulp.lpSum(terms[i]) + short[i] >= int(n)
    problem.solve(pulp.HiGHS(msg=False, gapRel=0.0))
    return pulp.value(problem.objective)


def test_implicit_breaks_match_the_explicit_model_and_land_in_their_windows():
    starts = pd.date_range("2024-03-05", periods=40, freq="15min", tz=TZ)
    need = np.random.default_rng(4).integers(0, 6, len(starts))
    need[10:20] += 3  # a peak the breaks must dodge
    templates = (ShiftTemplate("4h", 4, 30, hourly_cost=1.0), ShiftTemplate("5h", 5, 45, hourly_cost=0.9))
    settings = TourSettings(days_off=0, break_window_h=1.0)
    required = pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need})
    roster = build_tour_roster(required, templates, settings=settings, under_penalty=0.4, solver_options=EXACT)
    # windows: break centred ((length - break) // 2 intervals in), +-2 intervals (half of 1 h)
    windows = {0: (5, 9), 1: (6, 10)}
    assert roster.objective == pytest.approx(explicit_break_optimum(need, templates, windows, 0.4), abs=1e-6)
    assert roster.gap == 0.0
    np.testing.assert_array_equal(roster.cover[s.ROSTERED], rostered(roster.shifts, starts))
    offset = (roster.shifts[s.BREAK_START] - roster.shifts[s.START]) / pd.Timedelta(minutes=15)
    k = roster.shifts[s.SHIFT].map({"4h": 0, "5h": 1})
    assert ((offset >= k.map(lambda i: windows[i][0])) & (offset <= k.map(lambda i: windows[i][1]))).all()
    assert offset.nunique() > 2  # the model moved breaks, not just kept them centred


# One week of hourly intervals; early, late and night shifts; nights spill into the next day.
SHIFTS = {"E": 6, "L": 14, "N": 22}
WEEK = pd.date_range("2024-03-04", periods=7 * 24, freq="1h", tz="UTC")  # a Monday, no clock change


def week_templates():
    cost = {"E": 1.0, "L": 1.1, "N": 1.4}
    return tuple(ShiftTemplate(name, 8, 0, hourly_cost=cost[name], earliest_start=f"{h:02d}:00",
                               latest_start=f"{h:02d}:00") for name, h in SHIFTS.items())


def explicit_tour_optimum(need, penalty, rest_h=11) -> tuple[float, int]:
    """Every legal tour enumerated: 2 consecutive days off, one shift a day otherwise, 11 h rest."""
    tours = []
    for off in range(7):
        working = [d for d in range(7) if d not in (off, (off + 1) % 7)]
        for names in itertools.product(SHIFTS, repeat=5):
            begin = [24 * d + SHIFTS[n] for d, n in zip(working, names)]
            legal = all(b2 - (b1 + 8) >= rest_h for b1, b2 in zip(begin, begin[1:]))
            if legal:
                tours.append((names, begin))
    cost = {"E": 8.0, "L": 8.8, "N": 11.2}
    problem = pulp.LpProblem("tours", pulp.LpMinimize)
    z = [problem.add_variable(f"z{i}", lowBound=0, cat=pulp.LpInteger) for i in range(len(tours))]
    short = [problem.add_variable(f"s{t}", lowBound=0) for t in range(len(need))]
    terms = [[] for _ in need]
    for v, (names, begin) in zip(z, tours):
        for b in begin:
            for t in range(b, min(b + 8, len(need))):
                terms[t].append(v)
    problem += pulp.lpSum(sum(cost[n] for n in names) * v for v, (names, _) in zip(z, tours)) \
        + penalty * pulp.lpSum(short)
    for t, n in enumerate(need):
        problem += pulp.lpSum(terms[t]) + short[t] >= int(n)
    problem.solve(pulp.HiGHS(msg=False, gapRel=0.0))
    return pulp.value(problem.objective), int(round(sum(v.varValue for v in z)))


@pytest.mark.parametrize("seed", [1, 2])
def test_counted_days_off_and_rest_match_an_explicit_enumeration_of_tours(seed):
    rng = np.random.default_rng(seed)
    hour = np.asarray(WEEK.hour)
    # heavy nights followed by heavy mornings make the 11-hour rest rule bind
    need = rng.integers(1, 4, len(WEEK)) + 3 * ((hour >= 22) | (hour < 6)) + 2 * ((hour >= 6) & (hour < 9))
    need[WEEK.day_of_week >= 5] += 2
    required = pd.DataFrame({s.INTERVAL_START: WEEK, s.REQUIRED: need})
    roster = build_tour_roster(required, week_templates(), under_penalty=2.0, solver_options=EXACT,
                               settings=TourSettings(days_off=2, break_window_h=0))
    best, people = explicit_tour_optimum(need, 2.0)
    assert roster.objective == pytest.approx(best, abs=1e-6)
    shifts = roster.shifts
    assert shifts[s.STAFF_ID].nunique() == people
    for _, mine in shifts.sort_values(s.START).groupby(s.STAFF_ID):
        days = sorted(mine[s.START].dt.day_of_week)
        assert len(days) == 5 and len(set(days)) == 5
        off = sorted(set(range(7)) - set(days))
        assert off[1] - off[0] in (1, 6)  # consecutive, Sunday-Monday counting as consecutive
        gaps = (mine[s.START].iloc[1:].to_numpy() - mine[s.END].iloc[:-1].to_numpy()) / pd.Timedelta(hours=1)
        assert (gaps >= 11).all()


def test_without_the_rest_rule_the_count_model_is_cheaper_on_the_same_week():
    hour = np.asarray(WEEK.hour)
    need = 2 + 4 * ((hour >= 22) | (hour < 6)) + 4 * ((hour >= 6) & (hour < 9))
    required = pd.DataFrame({s.INTERVAL_START: WEEK, s.REQUIRED: need})
    strict = build_tour_roster(required, week_templates(), under_penalty=2.0, solver_options=EXACT,
                               settings=TourSettings(break_window_h=0))
    loose = build_tour_roster(required, week_templates(), under_penalty=2.0, solver_options=EXACT,
                              settings=TourSettings(break_window_h=0, min_rest_h=0))
    assert loose.objective < strict.objective - 1e-6
    assert strict.objective == pytest.approx(explicit_tour_optimum(need, 2.0)[0], abs=1e-6)


def test_a_shortfall_instance_returns_a_roster_and_names_the_short_intervals():
    starts = pd.date_range("2024-03-05", periods=96, freq="15min", tz=TZ)
    need = np.full(len(starts), 2)
    day_only = (ShiftTemplate("day", 8, 30, earliest_start="08:00", latest_start="09:00"),)
    required = pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need, "floor": 1})
    roster = build_tour_roster(required, day_only, settings=TourSettings(days_off=0), solver_options=EXACT)
    assert len(roster.shifts) > 0 and not roster.shortfall.empty
    text = "\n".join(roster.notes)
    assert "Short on Tue 2024-03-05" in text and "00:00-08:00" in text and "17:00-00:00" in text
    assert "Hard floor dropped" in text


def test_a_time_limited_solve_reports_a_proven_gap():
    starts = pd.date_range("2024-03-04", periods=96 * 3, freq="15min", tz=TZ)
    hour = np.asarray(starts.hour + starts.minute / 60)
    need = np.round(4 + 10 * np.exp(-(((hour - 11) / 3) ** 2)) + 8 * np.exp(-(((hour - 19) / 3) ** 2))
                    + np.random.default_rng(0).integers(0, 3, len(starts))).astype(int)
    templates = (ShiftTemplate("8h", 8, 30), ShiftTemplate("10h", 10, 45), ShiftTemplate("12h", 12, 60))
    roster = build_tour_roster(pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need}), templates,
                               solver_options=SolverOptions(time_limit_s=1.0, gap_rel=0.0))
    assert roster.status in ("optimal", "time_limit")
    assert roster.gap is not None and roster.gap >= 0
    assert roster.best_bound <= roster.objective + 1e-6
    if roster.status == "time_limit":
        assert any("within" in n for n in roster.notes)


def test_the_watchdog_interrupts_a_solve_that_runs_past_its_time_limit(monkeypatch):
    import time

    import scheduling.solver as solver
    from scheduling.shifts import candidate_shifts
    from scheduling.tour_model import tour_model

    starts = pd.date_range("2024-03-04", periods=96 * 3, freq="15min", tz=TZ)
    hour = np.asarray(starts.hour + starts.minute / 60)
    need = np.round(5 + 10 * np.exp(-(((hour - 12) / 4) ** 2))).astype(int)
    templates = (ShiftTemplate("8h", 8, 30), ShiftTemplate("10h", 10, 45), ShiftTemplate("12h", 12, 60))
    candidates = candidate_shifts(templates, starts, pd.Timedelta(minutes=15))
    m = tour_model(need, np.zeros_like(need), starts, candidates, TourSettings(), under_penalty=1000.0)
    monkeypatch.setattr(solver, "WATCHDOG_GRACE", (0.0, 0.3))  # interrupt 0.3 s in, whatever the limit
    began = time.perf_counter()
    out = solver.solve_arrays(m.cost, m.lower, m.upper, m.integer, m.matrix, m.row_lower, m.row_upper,
                              SolverOptions(time_limit_s=600, gap_rel=0.0))
    assert time.perf_counter() - began < 30
    assert (out.watchdog and out.status == "time_limit") or out.status == "optimal"


@pytest.mark.parametrize("seed", [0, 3, 5])  # weeks where handing tours out greedily got stuck
def test_every_week_of_tours_is_handed_out_as_legal_weeks(seed):
    rng = np.random.default_rng(seed)
    hour = np.asarray(WEEK.hour)
    need = (rng.integers(0, 5, len(WEEK)) + rng.integers(0, 6) * ((hour >= 22) | (hour < 6))
            + rng.integers(0, 6) * ((hour >= 6) & (hour < 10))
            + rng.integers(0, 4) * (WEEK.day_of_week.to_numpy() == rng.integers(0, 7)))
    templates = tuple(ShiftTemplate(f"{h}h", h, 0) for h in (8, 10, 12))
    roster = build_tour_roster(pd.DataFrame({s.INTERVAL_START: WEEK, s.REQUIRED: need}), templates,
                               under_penalty=3.0, solver_options=EXACT, settings=TourSettings(break_window_h=0))
    shifts = roster.shifts.sort_values(s.START)
    assert shifts[s.STAFF_ID].nunique() * 5 == len(shifts)
    for _, mine in shifts.groupby(s.STAFF_ID):
        days = sorted(mine[s.START].dt.day_of_week)
        off = sorted(set(range(7)) - set(days))
        assert len(set(days)) == 5 and off[1] - off[0] in (1, 6)
        rest = (mine[s.START].iloc[1:].to_numpy() - mine[s.END].iloc[:-1].to_numpy()) / pd.Timedelta(hours=1)
        assert (rest >= 11).all()


def test_a_horizon_of_two_weeks_is_rostered_week_by_week_with_one_id_per_person():
    two_weeks = pd.date_range("2024-03-04", periods=14 * 24, freq="1h", tz="UTC")
    hour = np.asarray(two_weeks.hour)
    need = 2 + 3 * ((hour >= 7) & (hour < 19))
    required = pd.DataFrame({s.INTERVAL_START: two_weeks, s.REQUIRED: need})
    roster = build_tour_roster(required, week_templates(), solver_options=EXACT, under_penalty=2.0,
                               settings=TourSettings(break_window_h=0))
    one_week = build_tour_roster(required.iloc[: 7 * 24], week_templates(), solver_options=EXACT,
                                 under_penalty=2.0, settings=TourSettings(break_window_h=0))
    assert roster.objective == pytest.approx(2 * one_week.objective)  # the same week twice
    assert len(roster.cover) == len(two_weeks) and "week by week" in roster.notes[0]
    # the same week twice needs the same people twice: one id per person over both weeks, 5 shifts in each
    week = (roster.shifts[s.START] - two_weeks[0]) // pd.Timedelta(days=7)
    per_week = roster.shifts.assign(week=week).groupby([s.STAFF_ID, "week"]).size().unstack()
    assert len(per_week) == one_week.shifts[s.STAFF_ID].nunique() and (per_week == 5).all().all()


def test_the_objective_step_is_the_common_unit_of_the_prices():
    from scheduling.tour_model import objective_step

    assert objective_step(np.array([0.0, 150.0, 185.0, 220.0, 1000.0])) == 5.0  # 20/h: 5 a quarter hour
    assert objective_step(np.array([12.35, 1000.0])) == pytest.approx(0.05)
    assert objective_step(np.array([np.pi, 1.0])) is None
    assert objective_step(np.zeros(3)) is None


def test_the_rounded_bound_stays_below_the_optimum_and_above_the_lp():
    """On a small week the rounded LP bound is a multiple of the step, at most the proven optimum."""
    from scheduling.roster import _validated_required, _validated_templates
    from scheduling.shifts import candidate_shifts
    from scheduling.solver import solve_arrays
    from scheduling.tour_model import tour_model

    starts = pd.date_range("2024-03-04", periods=96 * 2, freq="15min", tz=TZ)
    need = np.random.default_rng(3).integers(1, 5, len(starts))
    frame = pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need})
    starts, need, interval = _validated_required(frame)
    templates = _validated_templates((ShiftTemplate("8h", 8, 30, hourly_cost=20.0),))
    model = tour_model(need, np.zeros(len(need), np.int64), starts, candidate_shifts(templates, starts, interval),
                       TourSettings(days_off=0), under_penalty=1000.0)
    arrays = (model.cost, model.lower, model.upper, model.integer, model.matrix, model.row_lower, model.row_upper)
    lp = solve_arrays(*arrays[:3], np.zeros_like(model.integer), *arrays[4:], EXACT).objective
    best = solve_arrays(*arrays, EXACT).objective
    rounded = model.rounded_bound(lp)
    assert lp < rounded <= best + 1e-6 and rounded % 5 == 0  # this LP bound is not a multiple of 5
    assert model.rounded_bound(None) is None


def test_the_day_by_day_search_improves_a_coarse_roster_and_keeps_it_feasible():
    """A roster allowed whole-hour starts only is improved by re-timing a day at a time; every
    answer is a roster of the full model and none is below the LP bound."""
    import time

    from scheduling.roster import _validated_required, _validated_templates
    from scheduling.shifts import candidate_shifts
    from scheduling.solver import solve_arrays
    from scheduling.tour_model import tour_model
    from scheduling.tour_search import improve_by_days
    from scheduling.tour_start import rens_start

    starts = pd.date_range("2024-03-04", periods=96 * 7, freq="15min", tz=TZ)
    hour = np.asarray(starts.hour + starts.minute / 60)
    need = np.round(1 + 3 * np.exp(-(((hour - 12.4) / 4) ** 2))).astype(int)
    starts, need, interval = _validated_required(pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need}))
    templates = _validated_templates((ShiftTemplate("8h", 8, 30, hourly_cost=20.0),))
    model = tour_model(need, np.zeros(len(need), np.int64), starts, candidate_shifts(templates, starts, interval),
                       TourSettings(), under_penalty=1000.0)
    arrays = (model.cost, model.lower, model.upper, model.integer, model.matrix, model.row_lower, model.row_upper)
    coarse = model.upper.copy()
    coarse[model.x[model.start % 4 != 0]] = 0  # whole hours only
    quick = SolverOptions(time_limit_s=10, gap_rel=0.0, threads=1)
    start = rens_start(model.cost, model.lower, coarse, *arrays[3:], quick).values
    assert start is not None
    lp = solve_arrays(*arrays[:3], np.zeros_like(model.integer), *arrays[4:], quick).objective
    found = improve_by_days(model, start, quick, target=-np.inf, deadline=time.perf_counter() + 15, piece_s=2.0)
    v = found.values
    activity = model.matrix @ v
    assert (activity >= model.row_lower - 1e-6).all() and (activity <= model.row_upper + 1e-6).all()
    assert (v >= model.lower - 1e-6).all() and (v <= model.upper + 1e-6).all()
    assert np.allclose(v[model.integer], np.round(v[model.integer]), atol=1e-6)
    assert found.objective == pytest.approx(float(model.cost @ v))
    assert lp - 1e-6 <= found.objective < float(model.cost @ start)
    assert found.improved >= 1 and (model.start[np.round(v[model.x]) > 0] % 4 != 0).any()
