"""The command line end to end: a planner's scenario in, results and an honest summary out."""

import json
from pathlib import Path

import pandas as pd
import pytest

from scenarios.cli import main
from scenarios.demo_data import demo_history
from scenarios.ingest import write_history

SMALL = """
seed = 11
[data]
source = "{source}"
history_days = 91
[forecast]
horizon_days = 2
backtest_origins = 1
[roster]
time_limit_s = 60
[simulation]
replications = 4
"""


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    scenario = folder / "small.toml"
    scenario.write_text(SMALL.format(source="demo"))
    code = main(["run", str(scenario), "--out", str(folder / "out"), "--quiet"])
    return code, folder / "out", scenario


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / name)


def test_a_run_writes_every_result(demo_run):
    code, out, _ = demo_run
    assert code == 0
    for name in ("forecast.csv", "requirement.csv", "roster.csv", "cover.csv", "kpi_intervals.csv", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    forecast = read(out, "forecast.csv")
    assert set(forecast["queue"].astype(str)) == {"999", "101"}
    assert len(forecast) == 2 * 2 * 96  # two queues, two ordinary days of 15-minute intervals


def test_the_roster_covers_the_pooled_requirement_everywhere(demo_run):
    _, out, _ = demo_run
    cover = read(out, "cover.csv")
    assert (cover["rostered"] >= cover["required"]).all()
    # the pooled requirement is at least what the 999 line alone needs
    req = read(out, "requirement.csv")
    need999 = req[req["queue"].astype(str) == "999"].set_index("interval_start")["agents"]
    assert (cover.set_index("interval_start")["required"].reindex(need999.index) >= need999).all()


def test_summary_is_taken_from_the_simulated_calls(demo_run):
    _, out, _ = demo_run
    summary = json.loads((out / "summary.json").read_text())
    kpi = read(out, "kpi_intervals.csv")
    for queue, q in summary["queues"].items():
        rows = kpi[kpi["queue"].astype(str) == queue]
        pooled = (rows["service_level"] * rows["offered"]).sum() / rows["offered"].sum()
        # the horizon figure is the mean over replications of each replication's ratio; with
        # replications of near-equal size it is close to the pooled ratio of kpi_intervals.csv
        assert q["simulated"]["service_level"] == pytest.approx(pooled, abs=0.01)
        lo, hi = q["simulated"]["service_level_ci95"]
        assert 0 <= lo <= q["simulated"]["service_level"] <= hi <= 1
        assert q["met"] == (q["simulated"]["service_level"] >= q["target"]["service_level"])
        below = int((rows["service_level"] < q["target"]["service_level"]).sum())
        assert q["intervals_below_target"] == below


def test_same_seed_same_results(demo_run, tmp_path):
    # the command the run states (summary.json, report) makes the same results again
    import shlex

    _, out, scenario = demo_run
    words = shlex.split(json.loads((out / "summary.json").read_text())["inputs"]["command"])
    assert words[:3] == ["controlroom", "run", str(scenario)] and words[-2] == "--out"
    assert main([*words[1:-1], str(tmp_path / "again"), "--quiet"]) == 0
    for name in ("forecast.csv", "roster.csv", "kpi_intervals.csv"):
        pd.testing.assert_frame_equal(read(out, name), read(tmp_path / "again", name))


def test_results_are_not_overwritten_unless_asked(demo_run, capsys):
    _, out, scenario = demo_run
    before = (out / "summary.json").read_text()
    code = main(["run", str(scenario), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "already holds results" in err and "--force" in err
    assert (out / "summary.json").read_text() == before


def test_a_queue_the_data_does_not_have_is_named(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(SMALL.format(source="demo") + "[queues.112]\nservice_level = 0.9\n")
    code = main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "[queues.112] is not a queue in the history" in err and "101, 999" in err


def test_own_interval_counts_file_runs_like_the_demo(tmp_path):
    history = demo_history(seed=11, days=91)
    write_history(history, tmp_path / "counts.csv")
    scenario = tmp_path / "own.toml"
    scenario.write_text(SMALL.format(source="counts.csv"))
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert (tmp_path / "out" / "summary.json").exists()


def test_a_history_without_handle_times_needs_aht_s(tmp_path, capsys):
    history = demo_history(seed=11, days=91).assign(aht=float("nan"))
    write_history(history, tmp_path / "counts.csv")
    scenario = tmp_path / "own.toml"
    scenario.write_text(SMALL.format(source="counts.csv"))
    code = main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "no handle times" in err and "aht_s" in err


def test_a_bad_history_file_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "counts.csv").write_text("queue,interval_start,calls\n999,2024-01-01T00:00,3\n999,2024-01-01T00:00,4\n")
    scenario = tmp_path / "own.toml"
    scenario.write_text(SMALL.format(source="counts.csv"))
    code = main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "counts.csv" in err


def test_the_installed_command_runs_outside_the_source_tree(demo_run, tmp_path):
    # What a newcomer types: the console script, from a folder that is not the checkout, so every
    # subpackage must have been installed (the tests themselves import from the checkout).
    import shutil
    import subprocess
    import sys

    script = shutil.which("controlroom", path=str(Path(sys.executable).parent))
    assert script, "the controlroom console script is not installed next to this Python"
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL.format(source="demo"))
    done = subprocess.run([script, "run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ours = json.loads((tmp_path / "out" / "summary.json").read_text())
    theirs = json.loads((demo_run[1] / "summary.json").read_text())
    assert ours["queues"] == theirs["queues"]


def test_the_roster_workbook_is_people_by_days_and_every_rule_is_met(demo_run):
    from openpyxl import load_workbook

    _, out, _ = demo_run
    shifts = read(out, "roster.csv")
    book = load_workbook(out / "roster.xlsx")
    assert book.sheetnames == ["Roster", "Cover", "Rules"]
    rows = list(book["Roster"].iter_rows(values_only=True))
    assert rows[0][0] == "person" and len(rows) - 1 == shifts["staff_id"].nunique()
    assert sum(cell is not None for row in rows[1:] for cell in row[1:]) == len(shifts)
    # The rule sheet comes from the independent checker, not from how the ids were handed out.
    rules = list(book["Rules"].iter_rows(values_only=True))
    assert all(cell == "met" for row in rules[1:] for cell in row[1:] if cell is not None)


def test_the_roster_is_priced_by_the_pay_rules(demo_run):
    # roster.csv's cost column and the summary's cost come from the cost model (premiums and
    # on-costs), the same rules the stress comparison prices a roster with.
    from scenarios.costs import CostModel, roster_cost, shift_costs

    _, out, _ = demo_run
    shifts = read(out, "roster.csv")
    for column in ("start", "end", "break_start", "break_end"):
        shifts[column] = pd.to_datetime(shifts[column], utc=True).dt.tz_convert("Europe/London")
    expected = shift_costs(shifts, CostModel())
    assert shifts["cost"].to_numpy() == pytest.approx(expected, rel=1e-5)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["roster"]["cost"] == pytest.approx(roster_cost(shifts, CostModel()).total, rel=1e-6)
    assert (shifts["cost"] > shifts["paid_hours"] * CostModel().base_rate).all()   # on-costs at least


def test_one_replication_says_it_has_no_interval_rather_than_failing(tmp_path, capsys):
    scenario = tmp_path / "one.toml"
    scenario.write_text(SMALL.format(source="demo").replace("replications = 4", "replications = 1"))
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert all(q["simulated"]["service_level_ci95"] == [None, None] for q in summary["queues"].values())
    assert "one replication: no interval" in (tmp_path / "out" / "report.html").read_text()


def test_a_solve_that_ran_out_of_time_with_nobody_rostered_stops_with_the_setting_to_raise(tmp_path, capsys, monkeypatch):
    # The story: a time limit too short for the solver to find anything better than leaving every
    # interval short. Simulating and reporting an empty roster would be a page of zeros; say why.
    import dataclasses

    from scenarios import pipeline

    real = pipeline.build_roster

    def timed_out(*args, **kwargs):
        found = real(*args, **kwargs)
        return dataclasses.replace(found, shifts=found.shifts.iloc[:0], gap=1.0)

    monkeypatch.setattr(pipeline, "build_roster", timed_out)
    scenario = tmp_path / "s.toml"
    scenario.write_text(SMALL.format(source="demo"))
    code = main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "no roster found within [roster] time_limit_s = 60" in err
    assert not (tmp_path / "out" / "summary.json").exists()
