"""build_roster: cover, cost against independent bounds and brute force, clock changes, errors."""

import itertools

import numpy as np
import pandas as pd
import pulp
import pytest
from scipy.optimize import linprog

from scheduling import schema as s
from scheduling.errors import SchedulingError
from scheduling.roster import build_roster
from scheduling.shifts import ShiftTemplate
from scheduling.solver import SolverOptions

TZ = "Europe/London"
TEMPLATES = (
    ShiftTemplate("8h", 8, 30),
    ShiftTemplate("10h", 10, 45),
    ShiftTemplate("12h", 12, 60, hourly_cost=0.95),
)


def daily_required(start="2024-03-04", days=2, seed=0):
    starts = pd.date_range(start, periods=96 * days, freq="15min", tz=TZ)
    hour = np.asarray(starts.hour + starts.minute / 60)
    rng = np.random.default_rng(seed)
    heads = 3 + 12 * np.exp(-(((hour - 15) / 5) ** 2)) + rng.integers(0, 3, len(starts))
    return pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: np.round(heads).astype(int)})


def rostered_from_shifts(shifts: pd.DataFrame, starts: pd.DatetimeIndex) -> np.ndarray:
    """Heads on duty and not on break per interval, recomputed from the shift rows alone."""
    counts = np.zeros(len(starts), dtype=int)
    for row in shifts.itertuples():
        on = (starts >= row.start) & (starts < row.end)
        if pd.notna(row.break_start):
            on &= ~((starts >= row.break_start) & (starts < row.break_end))
        counts += on
    return counts


def lp_relaxation(required: np.ndarray, templates, interval_h: float, first_hour: int = 0) -> float:
    """The roster LP relaxation built independently of the package, solved by scipy."""
    n = len(required)
    columns, costs = [], []
    for t in templates:
        length = round(t.length_h / interval_h)
        brk = round(t.break_minutes / 60 / interval_h)
        at = (length - brk) // 2 if t.break_offset_h is None else round(t.break_offset_h / interval_h)
        for start in range(n):
            col = np.zeros(n)
            for k in range(length):
                if start + k < n and not at <= k < at + brk:
                    col[start + k] = 1
            columns.append(col)
            costs.append(t.hourly_cost * t.paid_hours)
    a = np.array(columns).T
    res = linprog(costs, A_ub=-a, b_ub=-required, bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


@pytest.fixture(scope="module")
def two_days():
    required = daily_required()
    return required, build_roster(required, TEMPLATES, hard_cover=True)


def test_hard_cover_covers_every_interval(two_days):
    required, roster = two_days
    cover = roster.cover
    assert list(cover.columns) == list(s.COVER_COLUMNS)
    assert len(cover) == 192
    assert (cover[s.ROSTERED] >= cover[s.REQUIRED]).all()
    assert roster.shortfall.empty
    starts = pd.DatetimeIndex(required[s.INTERVAL_START])
    np.testing.assert_array_equal(rostered_from_shifts(roster.shifts, starts), cover[s.ROSTERED].to_numpy())


def test_cost_is_within_the_gap_of_an_independent_lp_bound(two_days):
    required, roster = two_days
    lp = lp_relaxation(required[s.REQUIRED].to_numpy(), TEMPLATES, 0.25)
    assert roster.status == "optimal"
    assert roster.total_cost == pytest.approx(roster.shifts[s.COST].sum())
    assert roster.objective == pytest.approx(roster.total_cost)  # no shortfall penalty
    assert lp - 1e-6 <= roster.best_bound <= roster.objective + 1e-6
    assert roster.gap == pytest.approx((roster.objective - roster.best_bound) / roster.objective, abs=1e-12)
    assert roster.gap <= 0.01
    assert roster.total_cost <= lp * (1 + roster.gap) / (1 - roster.gap) + 1e-6


def test_shift_rows_are_well_formed(two_days):
    _, roster = two_days
    shifts = roster.shifts
    assert list(shifts.columns) == list(s.SHIFT_COLUMNS)
    lengths = {t.name: pd.Timedelta(hours=t.length_h) for t in TEMPLATES}
    assert (shifts[s.END] - shifts[s.START] == shifts[s.SHIFT].map(lengths)).all()
    eight = shifts[shifts[s.SHIFT] == "8h"]
    # Default break: centred and snapped to the grid, 30 min starting 3h45 into an 8h shift.
    assert (eight[s.BREAK_START] - eight[s.START] == pd.Timedelta("3h45min")).all()
    assert (eight[s.BREAK_END] - eight[s.BREAK_START] == pd.Timedelta("30min")).all()
    assert (eight[s.PAID_HOURS] == 7.5).all() and (eight[s.COST] == 7.5).all()
    assert shifts[s.STAFF_ID].str.fullmatch(r"H\d{4}").all()


def test_staff_ids_never_overlap_and_rest_eleven_hours(two_days):
    _, roster = two_days
    for _, rows in roster.shifts.groupby(s.STAFF_ID):
        rows = rows.sort_values(s.START)
        rest = rows[s.START].iloc[1:].to_numpy() - rows[s.END].iloc[:-1].to_numpy()
        assert (rest >= pd.Timedelta(hours=11)).all()
    assert roster.shifts[s.STAFF_ID].nunique() < len(roster.shifts)  # people are reused across days


def test_same_input_gives_the_same_roster(two_days):
    required, roster = two_days
    again = build_roster(required.sample(frac=1, random_state=3), TEMPLATES, hard_cover=True)
    pd.testing.assert_frame_equal(again.shifts, roster.shifts)
    pd.testing.assert_frame_equal(again.cover, roster.cover)
    assert again.objective == roster.objective


# ----------------------------------------------------------------------------- brute force

TINY_TEMPLATES = (
    ShiftTemplate("A", 2, 0, hourly_cost=1.0),
    ShiftTemplate("B", 3, 60, break_offset_h=1, hourly_cost=0.8),
)
TINY_REQUIRED = np.array([1, 2, 1, 2, 2, 1])


def tiny_required():
    starts = pd.date_range("2024-06-01", periods=6, freq="1h", tz=TZ)
    return pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: TINY_REQUIRED})


def brute_force(penalty: float | None) -> float:
    """Cheapest roster by trying every count 0..2 of every (template, start)."""
    cols, costs = [], []
    for start in range(6):
        cols.append([1 if start <= t < start + 2 else 0 for t in range(6)])  # A: 2 h
        costs.append(2.0)
        cols.append([1 if t in (start, start + 2) else 0 for t in range(6)])  # B: work, break, work
        costs.append(1.6)
    a, c = np.array(cols), np.array(costs)
    x = np.array(list(itertools.product(range(3), repeat=len(c))))  # 3^12 rosters
    short = np.maximum(TINY_REQUIRED - x @ a, 0).sum(axis=1)
    if penalty is None:
        return float((x @ c)[short == 0].min())
    return float((x @ c + penalty * short).min())


@pytest.fixture(scope="module")
def brute_optima():
    return {"hard": brute_force(None), "soft": brute_force(1.5)}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_tiny_instance_matches_brute_force(brute_optima, solver):
    exact = SolverOptions(solver=solver, gap_rel=0.0)
    hard = build_roster(tiny_required(), TINY_TEMPLATES, hard_cover=True, solver_options=exact, polish=False)
    assert hard.objective == pytest.approx(brute_optima["hard"])
    assert hard.gap == pytest.approx(0.0, abs=1e-9)
    soft = build_roster(tiny_required(), TINY_TEMPLATES, under_penalty=1.5, solver_options=exact,
                        polish=False)
    assert soft.objective == pytest.approx(brute_optima["soft"])
    assert soft.objective < hard.objective  # leaving a head short is cheaper at this penalty
    assert not soft.shortfall.empty
    assert soft.best_bound <= soft.objective + 1e-9


def test_model_can_be_written_to_mps_and_read_back(tmp_path, brute_optima):
    path = tmp_path / "roster.mps"
    options = SolverOptions(gap_rel=0.0, write_mps=path)
    roster = build_roster(tiny_required(), TINY_TEMPLATES, hard_cover=True, solver_options=options,
                          polish=False)
    assert path.exists()
    _, problem = pulp.LpProblem.fromMPS(str(path))
    names = {c.name for c in problem.constraints()}
    assert "cover_20240601T0100" in names and len(names) == 6
    assert any(v.name == "shift_B_20240601T0300" for v in problem.variables())
    problem.solve(pulp.HiGHS(msg=False))
    assert pulp.value(problem.objective) == pytest.approx(roster.objective)
    assert roster.objective == pytest.approx(brute_optima["hard"])


# ----------------------------------------------------------------------------- clock changes


def test_spring_forward_day_has_92_intervals_and_real_length_shifts():
    starts = pd.date_range("2024-03-31", "2024-04-01", freq="15min", tz=TZ, inclusive="left")
    assert len(starts) == 92
    required = pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: 2})
    roster = build_roster(required, [ShiftTemplate("8h", 8, 30)], hard_cover=True)
    assert len(roster.cover) == 92 and roster.shortfall.empty
    rostered = rostered_from_shifts(roster.shifts, starts)
    np.testing.assert_array_equal(rostered, roster.cover[s.ROSTERED].to_numpy())
    first = roster.shifts[roster.shifts[s.START] == starts[0]]
    assert len(first) >= 2
    # Eight real hours from local midnight end at 09:00 local once the clocks have gone forward.
    assert (first[s.END].dt.hour == 9).all()
    assert (first[s.END] - first[s.START] == pd.Timedelta(hours=8)).all()


def test_fall_back_day_has_100_intervals_and_unique_names(tmp_path):
    starts = pd.date_range("2024-10-27", "2024-10-28", freq="15min", tz=TZ, inclusive="left")
    assert len(starts) == 100
    required = pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: 1})
    path = tmp_path / "fallback.mps"
    roster = build_roster(required, [ShiftTemplate("8h", 8, 30)], hard_cover=True,
                          solver_options=SolverOptions(write_mps=path), polish=False)
    assert len(roster.cover) == 100 and roster.shortfall.empty
    _, problem = pulp.LpProblem.fromMPS(str(path))
    names = {c.name for c in problem.constraints()}
    assert {"cover_20241027T0115", "cover_20241027T0115_2"} <= names
    assert len(names) == 100


# ----------------------------------------------------------------------------- uncoverable


def one_day_of_ones():
    starts = pd.date_range("2024-03-04", periods=96, freq="15min", tz=TZ)
    return pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: 1})


DAY_ONLY = [ShiftTemplate("day", 8, 30, earliest_start="08:00", latest_start="09:00")]


def test_uncoverable_interval_raises_under_hard_cover():
    with pytest.raises(SchedulingError, match=r"no shift template covers 60 interval.*2024-03-04 00:00:00"):
        build_roster(one_day_of_ones(), DAY_ONLY, hard_cover=True)


def test_uncoverable_intervals_are_listed_as_shortfall_under_soft_cover():
    roster = build_roster(one_day_of_ones(), DAY_ONLY)
    short = roster.shortfall
    assert list(short.columns) == list(s.COVER_COLUMNS)
    hours = short[s.INTERVAL_START].dt.hour
    assert len(short) == 60 and ((hours < 8) | (hours >= 17)).all()
    assert (short[s.ROSTERED] == 0).all()
    hour = roster.cover[s.INTERVAL_START].dt.hour
    assert (roster.cover.loc[(hour >= 8) & (hour < 17), s.ROSTERED] >= 1).all()
    assert "Shortfall in 60 intervals" in roster.explain()


def test_night_window_wraps_midnight():
    night = ShiftTemplate("night", 10, 45, earliest_start="21:00", latest_start="01:00")
    allowed = night.allows_start(pd.date_range("2024-03-04", periods=96, freq="15min", tz=TZ))
    assert allowed.sum() == 12 + 5  # 21:00-23:45 and 00:00-01:00, quarter-hourly


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.rename(columns={s.REQUIRED: "heads"}), "missing column"),
        (lambda d: d.assign(**{s.REQUIRED: 1.5}), "whole numbers"),
        (lambda d: d.assign(**{s.REQUIRED: -1}), "whole numbers"),
        (lambda d: d.drop(index=[5]), "non-uniform"),
        (lambda d: d.assign(**{s.INTERVAL_START: d[s.INTERVAL_START].dt.tz_localize(None)}), "tz-aware"),
    ],
)
def test_bad_required_is_rejected(change, message):
    with pytest.raises(SchedulingError, match=message):
        build_roster(change(one_day_of_ones()), TEMPLATES)


def test_templates_off_the_interval_grid_or_duplicated_are_rejected():
    with pytest.raises(SchedulingError, match=r"break_minutes=20 is not a whole number"):
        build_roster(one_day_of_ones(), [ShiftTemplate("odd", 8, 20)])
    with pytest.raises(SchedulingError, match="unique"):
        build_roster(one_day_of_ones(), [ShiftTemplate("x", 8), ShiftTemplate("x", 10)])
    with pytest.raises(SchedulingError, match="under_penalty"):
        build_roster(one_day_of_ones(), TEMPLATES, under_penalty=0)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(length_h=0), "length_h"),
        (dict(break_minutes=600), "break_minutes"),
        (dict(break_offset_h=7.9), "break_offset_h"),
        (dict(hourly_cost=0), "hourly_cost"),
        (dict(earliest_start="7:00"), "earliest_start"),
        (dict(latest_start="24:00"), "latest_start"),
    ],
)
def test_shift_template_validation_names_the_field(kwargs, field):
    base = dict(name="t", length_h=8, break_minutes=30)
    with pytest.raises(SchedulingError, match=field):
        ShiftTemplate(**(base | kwargs))


def test_pay_rules_steer_the_choice_of_shifts_and_price_the_roster():
    # one head needed 10:00-14:00; a 6-hour shift starting 08:00-10:00 covers it. Flat pay
    # cannot tell those starts apart (HiGHS picks 10:00); a premium from 09:00 sends it to 08:xx
    starts = pd.date_range("2024-03-05 06:00", "2024-03-05 17:45", freq="15min", tz=TZ)
    need = ((starts.hour >= 10) & (starts.hour < 14)).astype(int)
    required = pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need})
    seen = []

    def price(shifts: pd.DataFrame) -> np.ndarray:
        seen.append(len(shifts))
        late = shifts[s.START].dt.hour >= 9
        return shifts[s.PAID_HOURS].to_numpy() * np.where(late, 30.0, 10.0)

    result = build_roster(required, [ShiftTemplate("6h", 6, 0)], price=price, polish=False,
                          solver_options=SolverOptions(time_limit_s=20))
    assert len(result.shifts) == 1 and seen and seen[0] > 1
    shift = result.shifts.iloc[0]
    assert shift[s.START].hour == 8
    assert shift[s.COST] == pytest.approx(60.0) and result.total_cost == pytest.approx(60.0)


def test_a_price_that_is_not_one_cost_per_shift_is_refused():
    required = daily_required(days=1)
    with pytest.raises(SchedulingError, match="one finite cost >= 0 per candidate shift"):
        build_roster(required, TEMPLATES, price=lambda shifts: np.ones(3))


def test_the_polish_shares_the_time_limit_and_says_when_the_clock_stopped_it(monkeypatch):
    # The story: a planner's time limit is the whole roster's. When it runs out mid-polish the
    # roster is still the best found (never worse than the whole-horizon solve) and says how many
    # days were left as they were.
    import scheduling.polish as polish_module
    import scheduling.roster as roster_module

    required = daily_required(days=3, seed=2)
    templates = [ShiftTemplate("8h", 8, 30), ShiftTemplate("12h", 12, 60)]
    seen = []
    real_solve = roster_module._solve

    def spy(model, options):
        seen.append(options.time_limit_s)
        return real_solve(model, options)

    monkeypatch.setattr(roster_module, "_solve", spy)
    unpolished = build_roster(required, templates, solver_options=SolverOptions(time_limit_s=30), polish=False)
    assert seen == [30]  # without the polish, the whole-horizon solve has the whole limit
    seen.clear()
    monkeypatch.setattr(polish_module, "MIN_WINDOW_S", 1e9)  # as if the limit were already spent
    cut = build_roster(required, templates, solver_options=SolverOptions(time_limit_s=30))
    assert seen == [pytest.approx(20)]  # two thirds: the polish has the rest
    assert cut.objective == pytest.approx(unpolished.objective)
    assert any("3 of 3 day(s) not re-optimised" in note for note in cut.notes)
    monkeypatch.undo()
    full = build_roster(required, templates, solver_options=SolverOptions(time_limit_s=30))
    assert full.objective <= unpolished.objective + 1e-6
    assert not any("not re-optimised" in note for note in full.notes)


def test_a_window_takes_its_fair_share_of_the_time_left():
    import time

    from scheduling.polish import MIN_WINDOW_S, _window_limit

    assert _window_limit(20.0, None, 5) == 20.0  # no limit: each window up to its own cap
    assert _window_limit(20.0, time.perf_counter() + 10.0, 5) == pytest.approx(2.0, abs=0.05)
    assert _window_limit(20.0, time.perf_counter() + 1000.0, 5) == 20.0
    assert _window_limit(20.0, time.perf_counter() + MIN_WINDOW_S / 2, 5) is None
