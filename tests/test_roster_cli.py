"""`controlroom roster benchmark` and `controlroom roster check`, run in-process as a user would."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scenarios.cli import main
from scheduling.curtois import read_instance, read_solution
from scheduling.rules import check

# The benchmark instances live beside the repository in ../shared/data/rostering (README there).
DATA = next((up / "shared" / "data" / "rostering" for up in Path(__file__).resolve().parents
             if (up / "shared" / "data" / "rostering").is_dir()), Path("shared/data/rostering"))
needs_instances = pytest.mark.skipif(not DATA.is_dir(), reason=f"benchmark instances not available: {DATA} is absent")


@needs_instances
def test_benchmark_writes_a_solution_the_checker_scores_at_the_printed_objective(tmp_path, capsys):
    out = tmp_path / "solution.csv"
    assert main(["roster", "benchmark", str(DATA / "Instance1.txt"), "--out", str(out), "--time-limit", "60"]) == 0
    printed = capsys.readouterr().out
    assert "objective 607" in printed and "lower bound 607" in printed
    solution = read_solution(out)
    assert list(pd.read_csv(out).columns) == ["employee", "day", "shift"]
    checked = check(read_instance(DATA / "Instance1.txt"), solution)
    assert checked.feasible and checked.penalty == 607
    # a second run must not overwrite the first without --force
    assert main(["roster", "benchmark", str(DATA / "Instance1.txt"), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def control_room(tmp_path):
    roster = _write(tmp_path / "roster.csv", "person,date,start,end\n"
                    "ann,2026-03-02,07:00,15:00\nann,2026-03-03,07:00,15:00\n"
                    "bob,2026-03-02,22:00,07:00\nbob,2026-03-03,22:00,07:00\nbob,2026-03-04,22:00,07:00\n")
    starts = pd.date_range("2026-03-02", "2026-03-05 23:45", freq="15min")
    req = tmp_path / "req.csv"
    pd.DataFrame({"interval_start": starts.strftime("%Y-%m-%d %H:%M"), "required": 1}).to_csv(req, index=False)
    return tmp_path, roster, req


def test_a_request_to_drop_a_night_loses_cover_that_night_and_breaks_no_rule(control_room, capsys):
    folder, roster, req = control_room
    change = _write(folder / "change.csv", "person,date,start,end\n"
                    "bob,2026-03-02,22:00,07:00\nbob,2026-03-04,22:00,07:00\n")
    cover_out = folder / "cover.csv"
    assert main(["roster", "check", str(roster), "--requirement", str(req), "--change", str(change),
                 "--cover-out", str(cover_out)]) == 0
    printed = capsys.readouterr().out
    assert "Rules: none broken." in printed
    assert "-9.00" in printed  # nine paid hours fewer at the default rate of 1
    cover = pd.read_csv(cover_out)
    lost = cover[cover["change"] < 0]
    assert len(lost) == 36  # 22:00 on 3 March to 07:00 on 4 March
    assert lost["when"].iloc[0] == "2026-03-03 22:00" and lost["when"].iloc[-1] == "2026-03-04 06:45"
    assert (cover["change"] <= 0).all()


def test_a_request_that_leaves_nine_hours_between_shifts_names_the_rest_rule(control_room, capsys):
    folder, roster, req = control_room
    change = _write(folder / "change.csv", "person,date,start,end\n"
                    "ann,2026-03-02,14:00,22:00\nann,2026-03-03,07:00,15:00\n")
    assert main(["roster", "check", str(roster), "--requirement", str(req), "--change", str(change)]) == 0
    printed = capsys.readouterr().out
    rest = [line for line in printed.splitlines() if ": rest:" in line]
    assert len(rest) == 1
    assert rest[0].strip().startswith("ann, 2026-03-02: rest: 9 h") and rest[0].endswith("[new]")


def test_a_change_for_two_people_is_refused_in_one_line(control_room, capsys):
    folder, roster, req = control_room
    change = _write(folder / "change.csv", "person,date,start,end\n"
                    "ann,2026-03-02,14:00,22:00\nbob,2026-03-03,07:00,15:00\n")
    assert main(["roster", "check", str(roster), "--change", str(change)]) == 2
    assert "exactly one person" in capsys.readouterr().err


def test_a_bad_time_is_named_with_file_row_and_column(control_room, capsys):
    folder, _, _ = control_room
    roster = _write(folder / "bad.csv", "person,date,start,end\nann,2026-03-02,7am,15:00\n")
    assert main(["roster", "check", str(roster)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv: row 2, column start: expected HH:MM" in err


def test_export_writes_a_person_by_day_workbook_with_cover_and_rules(control_room, capsys):
    from openpyxl import load_workbook

    folder, roster, req = control_room
    change = _write(folder / "change.csv", "person,date,start,end\n"
                    "ann,2026-03-02,14:00,22:00\nann,2026-03-03,07:00,15:00\n")
    out = folder / "export"
    assert main(["roster", "check", str(roster), "--requirement", str(req), "--change", str(change),
                 "--export", str(out), "--cover-out", str(folder / "cover.csv")]) == 0
    book = load_workbook(out / "roster.xlsx")
    grid = [[c.value for c in row] for row in book["Roster"].iter_rows()]
    assert grid[0][:3] == ["person", "Mon 02 Mar", "Tue 03 Mar"]
    assert grid[1][:3] == ["ann", "1400+8h", "0700+8h"]  # the pattern after the change
    assert grid[2][:5] == ["bob", "2200+9h", "2200+9h", "2200+9h", None]
    assert book["Roster"]["B2"].fill.fgColor.rgb != book["Roster"]["B3"].fill.fgColor.rgb  # shifts coloured apart
    rules = [[c.value for c in row] for row in book["Rules"].iter_rows()]
    rest = rules[0].index("rest")
    assert rules[1][0] == "ann" and "9 h" in rules[1][rest] and rules[2][rest] == "met"
    cover = pd.read_csv(folder / "cover.csv")
    sheet = [[c.value for c in row] for row in book["Cover"].iter_rows(min_row=2)]
    assert sum(r[3] for r in sheet) == cover["after"].sum() and sum(r[2] for r in sheet) == cover["required"].sum()
    assert (out / "cover.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["roster", "check", str(roster), "--export", str(out)]) == 2  # no silent overwrite


def test_a_lost_span_states_the_requirement_over_the_whole_span_not_its_last_interval(control_room, capsys):
    folder, roster, req = control_room
    frame = pd.read_csv(req)
    night = frame["interval_start"].between("2026-03-03 22:00", "2026-03-04 00:45")
    frame.loc[night, "required"] = 2  # busier first three hours of the dropped night
    frame.to_csv(req, index=False)
    change = _write(folder / "change.csv", "person,date,start,end\n"
                    "bob,2026-03-02,22:00,07:00\nbob,2026-03-04,22:00,07:00\n")
    assert main(["roster", "check", str(roster), "--requirement", str(req), "--change", str(change)]) == 0
    span = next(line for line in capsys.readouterr().out.splitlines() if "2026-03-03 22:00" in line)
    assert "-1 head(s)" in span
    assert "required 1-2, now 0" in span
    assert "short in 36 of 36 interval(s)" in span
