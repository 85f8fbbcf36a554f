"""The cost model: each paid quarter hour priced by hand-checkable rules."""

from pathlib import Path

import pandas as pd
import pytest

from scenarios.costs import CostModel, extra_hours_cost, load_costs, roster_cost, shift_costs
from scenarios.errors import InputError

TZ = "Europe/London"
COSTS = Path(__file__).resolve().parents[1] / "scenarios" / "costs.toml"
BASE = 14.20 * 0.85 + 17.50 * 0.15       # the default pay bands, blended


def shifts(*spans, breaks=None):
    rows = []
    for k, (start, end) in enumerate(spans):
        b = (breaks or {}).get(k)
        rows.append({"staff_id": f"H{k}", "shift": "x", "start": pd.Timestamp(start, tz=TZ),
                     "end": pd.Timestamp(end, tz=TZ),
                     "break_start": pd.Timestamp(b[0], tz=TZ) if b else pd.NaT,
                     "break_end": pd.Timestamp(b[1], tz=TZ) if b else pd.NaT,
                     "paid_hours": 0.0, "cost": 0.0, "skills": "999"})
    frame = pd.DataFrame(rows)
    for c in ("break_start", "break_end"):
        frame[c] = pd.Series(list(frame[c]), dtype=f"datetime64[ns, {TZ}]")
    return frame


def test_the_costs_file_spells_out_the_defaults():
    assert load_costs(COSTS) == CostModel()
    assert CostModel().base_rate == pytest.approx(BASE)


def test_a_weekday_day_shift_costs_its_paid_hours_at_base_rate_plus_on_costs():
    day = shifts(("2026-11-03 09:00", "2026-11-03 17:00"), breaks={0: ("2026-11-03 12:45", "2026-11-03 13:15")})
    cost = roster_cost(day, CostModel())
    assert cost.hours == 7.5 and cost.premiums == 0
    assert cost.total == pytest.approx(7.5 * BASE * 1.30)


def test_unsocial_hours_take_the_highest_premium_that_applies():
    # Saturday 18:00 to Sunday 02:00: 18-20 Saturday (0.33), 20-24 Saturday night (max 0.33 vs 0.20),
    # 00-02 Sunday (0.50)
    night = shifts(("2026-11-07 18:00", "2026-11-08 02:00"))
    cost = roster_cost(night, CostModel())
    assert cost.premiums == pytest.approx(BASE * (6 * 0.33 + 2 * 0.50))
    assert cost.total == pytest.approx(BASE * (8 + 6 * 0.33 + 2 * 0.50) * 1.30)
    weeknight = roster_cost(shifts(("2026-11-03 22:00", "2026-11-04 06:00")), CostModel())
    assert weeknight.premiums == pytest.approx(BASE * 8 * 0.20)


def test_bank_holidays_come_from_the_holidays_calendar():
    christmas = roster_cost(shifts(("2026-12-25 10:00", "2026-12-25 14:00")), CostModel())
    assert christmas.premiums == pytest.approx(BASE * 4 * 1.0)
    # Boxing Day 2026 is a Saturday: the bank holiday moves to Monday 28 December in England
    moved = roster_cost(shifts(("2026-12-28 10:00", "2026-12-28 14:00")), CostModel())
    assert moved.premiums == pytest.approx(BASE * 4 * 1.0)
    scotland = roster_cost(shifts(("2027-01-04 10:00", "2027-01-04 14:00")),
                           CostModel(holiday_subdivision="SCT"))   # 2 January substitute in Scotland
    assert scotland.premiums == pytest.approx(BASE * 4 * 1.0)


def test_overtime_is_paid_at_its_rate_up_to_the_cap_then_agency():
    extra = shifts(("2026-11-03 09:00", "2026-11-03 15:00"), ("2026-11-04 09:00", "2026-11-04 13:00"))
    cost = extra_hours_cost(extra, CostModel(), overtime_hours_cap=6)
    assert cost.overtime_hours == 6 and cost.agency_hours == 4       # earliest hours are overtime
    assert cost.overtime == pytest.approx(6 * BASE * 1.5 * 1.15)
    assert cost.agency == pytest.approx(4 * 30.0)
    on_christmas = extra_hours_cost(shifts(("2026-12-25 09:00", "2026-12-25 13:00")), CostModel(),
                                    overtime_hours_cap=100)
    assert on_christmas.overtime == pytest.approx(4 * BASE * 2.0 * 1.15)   # double time beats x1.5


def test_a_night_shift_across_a_bank_holiday_midnight_by_hand():
    # Thursday 24 December 2026 19:00 to Christmas Day 07:00, unpaid hour 01:00-02:00:
    #   19-20 Thursday evening   1 h, no premium (the night starts at 20:00)
    #   20-24 Thursday night     4 h at the night premium 0.20
    #   00-07 Christmas Day      6 paid h at the bank holiday premium 1.00 (beats the night's 0.20)
    # 11 paid hours; base 14.695 (14.20 x 0.85 + 17.50 x 0.15); on-costs 30%:
    #   14.695 x (11 + 4 x 0.20 + 6 x 1.00) x 1.30 = 14.695 x 17.8 x 1.3 = 340.0423
    night = shifts(("2026-12-24 19:00", "2026-12-25 07:00"), ("2026-11-03 09:00", "2026-11-03 17:00"),
                   breaks={0: ("2026-12-25 01:00", "2026-12-25 02:00")})
    each = shift_costs(night, CostModel())
    assert each[0] == pytest.approx(340.0423, abs=1e-9)
    assert each[1] == pytest.approx(14.695 * 8 * 1.3, abs=1e-9)
    total = roster_cost(night, CostModel())
    assert total.hours == 19 and total.total == pytest.approx(each.sum(), rel=1e-12)


@pytest.mark.parametrize("text, fragment", [
    ("on_cost_rate = -0.1\n", "on_cost_rate must be a number of at least 0"),
    ("overtime_multiplier = 0.9\n", "overtime_multiplier must be a number of at least 1"),
    ("night_start = '8pm'\n", "night_start must be a local time 'HH:MM'"),
    ("pay_band = 3\n", "unknown key 'pay_band'; allowed keys: agency_hourly_rate"),
    ("[[pay_bands]]\nname = 'a'\nhourly_rate = 10\nshare = 0.5\n", "shares must add up to 1"),
    ("holiday_country = 'XX'\n", "holiday_country 'XX' is not known"),
])
def test_bad_cost_files_are_named(tmp_path, text, fragment):
    path = tmp_path / "costs.toml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_costs(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_a_run_takes_its_pay_rules_from_roster_costs(tmp_path, capsys):
    from scenarios.cli import main
    from scenarios.config import load_scenario
    from scenarios.pipeline import cost_model

    (tmp_path / "pay.toml").write_text("night_premium = 0.25\n")
    plan = tmp_path / "plan.toml"
    plan.write_text('[roster]\ncosts = "pay.toml"\n')
    assert cost_model(load_scenario(plan)) == CostModel(night_premium=0.25)
    assert cost_model(load_scenario(COSTS.parent / "demo.toml")) == CostModel()
    plan.write_text('[roster]\ncosts = "missing.toml"\n')
    assert main(["run", str(plan), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(plan) in err and "[roster] costs" in err and "missing.toml" in err


def test_an_empty_roster_costs_nothing_shift_by_shift():
    from scenarios.costs import CostModel, shift_costs
    empty = pd.DataFrame({"start": pd.to_datetime([]), "end": pd.to_datetime([]),
                          "break_start": pd.to_datetime([]), "break_end": pd.to_datetime([])})
    assert shift_costs(empty, CostModel()).shape == (0,)
