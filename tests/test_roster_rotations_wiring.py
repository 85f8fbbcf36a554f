"""[roster] model = "rotations": [[roster.rotations]] tables are checked and a small scenario runs with them."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from scenarios.cli import main
from scenarios.config import scenario_from_mapping
from scenarios.errors import InputError

from test_pipeline_cli import SMALL

DDNN = {"name": "ddnn", "cycle": ["D", "D", "N", "N", "-", "-", "-", "-"],
        "shifts": {"D": {"start": "07:00", "hours": 12, "break_min": 60},
                   "N": {"start": "19:00", "hours": 12, "break_min": 60}}}
ROTATIONS = """model = "rotations"
[[roster.rotations]]
name = "ddnn"
cycle = ["D", "D", "N", "N", "-", "-", "-", "-"]
shifts = {D = {start = "07:00", hours = 12, break_min = 60}, N = {start = "19:00", hours = 12, break_min = 60}}
[[roster.rotations]]
name = "ddnn_late_break"
cycle = ["D", "D", "N", "N", "-", "-", "-", "-"]
shifts = {D = {start = "07:00", hours = 12, break_min = 60, break_offset_h = 8}, N = {start = "19:00", hours = 12, break_min = 60, break_offset_h = 8}}
"""


@pytest.mark.parametrize("roster, message", [
    ({"model": "rotations"}, "model = 'rotations' needs \\[\\[roster.rotations\\]\\] tables"),
    ({"rotations": [DDNN]}, "they apply to it only"),
    ({"model": "rotations", "rotations": [dict(DDNN, cycle=["D", "X"])]},
     "\\[\\[roster.rotations\\]\\] 1: Rotation\\('ddnn'\\).cycle day 2 has code 'X'"),
    ({"model": "rotations", "rotations": [dict(DDNN, shifts={"D": {"start": "7am", "hours": 12}, "N": DDNN["shifts"]["N"]})]},
     "earliest_start must be a local time"),
    ({"model": "rotations", "rotations": [dict(DDNN, shifts={"D": {"hours": 12}})]}, "shifts.D must have start and hours"),
    ({"model": "rotations", "rotations": [dict(DDNN, colour="red")]}, "unknown key 'colour'"),
])
def test_rotation_tables_are_checked(roster, message):
    with pytest.raises(InputError, match=message) as err:
        scenario_from_mapping({"roster": roster}, where="plan.toml")
    assert str(err.value).startswith("plan.toml: [roster]: ") and "\n" not in str(err.value)


def test_a_small_scenario_runs_with_rotations(tmp_path):
    scenario = tmp_path / "rot.toml"
    scenario.write_text(SMALL.format(source="demo").replace("time_limit_s = 60\n", "time_limit_s = 60\n" + ROTATIONS))
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    shifts = pd.read_csv(tmp_path / "out" / "roster.csv", parse_dates=["start", "end"])
    assert set(shifts["shift"]) <= {"ddnn:D", "ddnn:N", "ddnn_late_break:D", "ddnn_late_break:N"}
    # A person keeps one rotation and one phase: on a two-day horizon of "D D N N - - - -" that is
    # D D, D N, N N, N - or - D, never a night before a day.
    for _, rows in shifts.groupby("staff_id"):
        assert rows["shift"].str.split(":").str[0].nunique() == 1
        codes = "".join(rows.sort_values("start")["shift"].str[-1])
        assert codes in {"DD", "DN", "NN", "N", "D"}, codes
    # Two break times let the 12:30 breaks be covered by the late-break rotation.
    cover = pd.read_csv(tmp_path / "out" / "cover.csv", parse_dates=["interval_start"])
    midday = cover[cover["interval_start"].astype(str).str.contains(" 12:30|12:45|13:00|13:15")]
    assert len(midday) == 2 * 4 and (midday["rostered"] >= midday["required"]).all()
    rules = list(load_workbook(tmp_path / "out" / "roster.xlsx")["Rules"].iter_rows(values_only=True))
    assert all(cell == "met" for row in rules[1:] for cell in row[1:] if cell is not None)
