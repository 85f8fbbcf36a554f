"""Rotating shift patterns as roster columns: the integer program against hand counts and a brute
force that lays the pattern on the clock independently of the model."""

import itertools

import numpy as np
import pandas as pd
import pytest

from scheduling import schema as s
from scheduling.errors import SchedulingError
from scheduling.rotations import Rotation, build_rotation_roster, fixed_shift
from scheduling.solver import SolverOptions

CYCLE = ("D", "D", "N", "N", "-", "-", "-", "-")
EXACT = SolverOptions(gap_rel=0.0, time_limit_s=60)


def ddnn(break_min=0, name="ddnn"):
    return Rotation(name, CYCLE, {"D": fixed_shift("D", "07:00", 12, break_min),
                                  "N": fixed_shift("N", "19:00", 12, break_min)})


def constant(heads: int, days: int, from_hour: int = 0) -> pd.DataFrame:
    """``heads`` every 15 minutes for ``days`` days (UTC, no clock change), none before ``from_hour``
    on the first day."""
    starts = pd.date_range("2025-01-06", periods=96 * days, freq="15min", tz="UTC")
    need = np.where(np.arange(starts.size) < 4 * from_hour, 0, heads)
    return pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: need})


def on_duty_by_hand(phase: int, days: int, break_min: int) -> tuple[np.ndarray, float]:
    """0/1 per 15-minute interval for one person at ``phase``: D 07-19, N 19-07 (next day), each
    with its unpaid break centred and snapped back to the quarter hour, from the night of the day
    before the horizon on; and the paid hours: in full for shifts starting in the horizon, the
    hours worked inside it for the night carried in."""
    work = np.zeros(96 * days, dtype=int)
    half = (48 - break_min // 15) // 2
    paid = 0.0
    for d in range(-1, days):
        code = CYCLE[(d + phase) % 8]
        if code == "-":
            continue
        begin = 96 * d + (28 if code == "D" else 76)
        worked = [t for t in (begin + i for i in range(48) if not half <= i < half + break_min // 15)
                  if 0 <= t < work.size]
        work[worked] = 1
        paid += 12 - break_min / 60 if d >= 0 else len(worked) / 4
    return work, paid


def test_constant_cover_needs_four_k_people_on_alternate_phases():
    # Day d's days are worked by phases {-d, 1-d} mod 8 (a consecutive pair), and so are its nights
    # and the night carried in from the day before: every constraint is x_j + x_(j+1) >= k around
    # the cycle; summing all eight gives sum x >= 4k, met only by k people on every other phase.
    # Either half of the phases holds one carried-in night (00:00-07:00, 7 paid hours).
    for k in (1, 3):
        result = build_rotation_roster(constant(k, 8), [ddnn()], solver_options=EXACT, carry_in=True)
        assert result.shortfall.empty
        assert result.shifts[s.STAFF_ID].nunique() == 4 * k
        assert result.total_cost == pytest.approx(4 * k * 4 * 12 + k * 7)
        assert (result.cover[s.ROSTERED] == k).all()


def test_the_optimum_matches_a_brute_force_over_phase_counts_with_breaks():
    # With a 60-minute break centred in every shift, everyone on a shift breaks together: no number
    # of people covers the breaks. The brute force tries 0..2 people at each of the 8 phases on a
    # clock laid out by hand.
    days, k, penalty = 8, 1, 1000.0
    required = constant(k, days)
    need = required[s.REQUIRED].to_numpy()
    duty, paid = zip(*(on_duty_by_hand(p, days, 60) for p in range(8)))
    counts = np.array(list(itertools.product(range(3), repeat=8)))
    rostered = counts @ np.array(duty)
    cost = counts @ np.array(paid) + penalty * np.maximum(need - rostered, 0).sum(axis=1)
    result = build_rotation_roster(required, [ddnn(60)], under_penalty=penalty, solver_options=EXACT, carry_in=True)
    assert result.objective == pytest.approx(cost.min())
    # 8 day breaks (12:30-13:30) and 8 night breaks (00:30-01:30, the first from the night carried
    # in; the last night's falls after the horizon)
    clock = result.shortfall[s.INTERVAL_START].dt.strftime("%H:%M")
    assert len(clock) == 16 * 4 and clock.isin(["12:30", "12:45", "13:00", "13:15", "00:30", "00:45", "01:00", "01:15"]).all()
    assert result.shifts[s.STAFF_ID].nunique() == 4


def test_each_person_follows_the_cycle_at_one_phase():
    result = build_rotation_roster(constant(2, 20), [ddnn()], solver_options=EXACT, carry_in=True)
    first = pd.Timestamp("2025-01-06", tz="UTC")
    for _, rows in result.shifts.groupby(s.STAFF_ID):
        codes = rows[s.SHIFT].str.split(":").str[1].to_numpy()
        days = ((rows[s.START] - first).dt.days).to_numpy().copy()
        carried = (rows[s.START] == first).to_numpy() & (codes == "N")  # the night of the day before
        days[carried] -= 1
        phases = [k for k in range(8) if all(CYCLE[(d + k) % 8] == c for d, c in zip(days, codes))]
        assert len(phases) == 1
        k = phases[0]
        worked = [d for d in range(-1, 20) if CYCLE[(d + k) % 8] != "-" and (d >= 0 or CYCLE[(d + k) % 8] == "N")]
        assert list(days) == worked  # every on-day of the cycle at this phase, and nothing else


def test_ddnn_guarantees_twelve_hours_rest_between_shifts():
    # D ends 19:00 and the next D starts 07:00 (12 h); the last D ends 19:00 and the first N starts
    # 19:00 a day later (24 h); N ends 07:00 and the next N starts 19:00 (12 h); after the last
    # night come four rest days (96 h). So at least 12 h, above the 11 h of the regulations.
    assert ddnn().min_rest_hours() == 12
    result = build_rotation_roster(constant(1, 16, from_hour=7), [ddnn()], solver_options=EXACT)
    for _, rows in result.shifts.groupby(s.STAFF_ID):
        rest = (rows[s.START].iloc[1:].to_numpy() - rows[s.END].iloc[:-1].to_numpy()) / pd.Timedelta(hours=1)
        assert rest.min() == 12
    assert not any("Working Time" in n for n in result.notes)
    quick = Rotation("quick", ("N", "D", "-"), {"N": fixed_shift("N", "19:00", 12), "D": fixed_shift("D", "09:00", 8)})
    assert quick.min_rest_hours() == 2
    short = build_rotation_roster(constant(1, 3, from_hour=7), [quick], solver_options=EXACT)
    assert any("leaves only 2 h" in n for n in short.notes)


@pytest.mark.parametrize("kwargs, message", [
    (dict(cycle=("D", "X")), "cycle day 2 has code 'X'; allowed: ['-', 'D']"),
    (dict(cycle=("-", "-")), "cycle has no working day"),
    (dict(cycle="DD--"), "cycle must be a non-empty list"),
    (dict(shifts={"D": fixed_shift("D", "07:00", 12), "-": fixed_shift("R", "07:00", 1)}), "code '-'"),
    (dict(shifts={"D": fixed_shift("D", "07:00", 26)}, cycle=("D", "D")), "starting before the one before it ends"),
    (dict(hourly_cost=-1), "hourly_cost must be a number > 0"),
    (dict(name=""), "Rotation.name must be a non-empty string"),
])
def test_bad_rotations_are_one_line_errors(kwargs, message):
    from scheduling.shifts import ShiftTemplate
    args = dict(name="r", cycle=("D", "-"), shifts={"D": fixed_shift("D", "07:00", 12)}) | kwargs
    with pytest.raises(SchedulingError) as err:
        Rotation(**args)
    assert message in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(SchedulingError, match="fixed-start shift"):
        Rotation("r", ("D",), {"D": ShiftTemplate("D", 8)})


def test_a_requirement_only_nights_can_cover_picks_night_phases():
    days = Rotation("days", ("D",) * 4 + ("-",) * 4, {"D": fixed_shift("D", "07:00", 12)})
    nights = Rotation("nights", ("N",) * 4 + ("-",) * 4, {"N": fixed_shift("N", "19:00", 12)})
    required = constant(0, 8)
    at_night = (required[s.INTERVAL_START] >= "2025-01-09 02:00Z") & (required[s.INTERVAL_START] < "2025-01-09 04:00Z")
    required.loc[at_night, s.REQUIRED] = 2
    result = build_rotation_roster(required, [days, nights], solver_options=EXACT)
    assert result.shortfall.empty
    assert result.shifts[s.STAFF_ID].nunique() == 2
    assert set(result.shifts[s.SHIFT]) == {"nights:N"}
    assert (result.shifts[s.START] == pd.Timestamp("2025-01-08 19:00Z")).sum() == 2


def test_pay_rules_price_the_columns_and_hard_cover_names_what_is_unreachable():
    price = lambda frame: np.where(frame[s.SHIFT].str.endswith("N"), 2.0, 1.0) * frame[s.PAID_HOURS]  # noqa: E731
    result = build_rotation_roster(constant(1, 8), [ddnn()], price=price, solver_options=EXACT, carry_in=True)
    # four people with two 12-hour days and two 12-hour nights at double rate, and one night
    # carried in (00:00-07:00) at double rate
    assert result.total_cost == pytest.approx(4 * (2 * 12 + 2 * 24) + 2 * 7)
    # without the night carried in, nothing works 00:00-07:00 of the first day
    with pytest.raises(SchedulingError, match="no rotation works 28 interval"):
        build_rotation_roster(constant(1, 8), [ddnn()], hard_cover=True)
    days_only = Rotation("days", ("D", "-"), {"D": fixed_shift("D", "07:00", 12)})
    # 00:00-07:00 and 19:00-24:00 of each of 8 days
    with pytest.raises(SchedulingError, match="no rotation works 384 interval"):
        build_rotation_roster(constant(1, 8), [days_only], hard_cover=True, carry_in=True)


def test_days_are_local_dates_across_the_spring_forward_night():
    # 30 March 2025 has 23 hours in London: shifts still start at 07:00 and 19:00 local on the
    # cycle's days, the night over the change lasts 12 real hours (19:00 to 08:00 local).
    starts = pd.date_range("2025-03-28", "2025-04-05", freq="15min", tz="Europe/London", inclusive="left")
    required = pd.DataFrame({s.INTERVAL_START: starts, s.REQUIRED: np.where(starts.hour >= 7, 1, 0)})
    result = build_rotation_roster(required, [ddnn()], solver_options=EXACT)
    local = result.shifts[s.START].dt.tz_convert("Europe/London")
    assert set(local.dt.strftime("%H:%M")) == {"07:00", "19:00"}
    assert ((result.shifts[s.END] - result.shifts[s.START]) == pd.Timedelta(hours=12)).all()
    first = pd.Timestamp("2025-03-28").date()
    assert (local.dt.date == pd.Timestamp("2025-03-31").date()).sum() > 0  # days after the change are rostered
    for _, rows in result.shifts.groupby(s.STAFF_ID):
        days = [(ts.date() - first).days for ts in rows[s.START].dt.tz_convert("Europe/London")]
        codes = rows[s.SHIFT].str[-1].tolist()
        assert any(all(CYCLE[(d + k) % 8] == c for d, c in zip(days, codes)) for k in range(8)), (days, codes)
