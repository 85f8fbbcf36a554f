"""`controlroom simulate`: a call log and the staff on duty in, KPIs and a comparison with reality out."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenarios.cli import main

START = pd.Timestamp("2024-06-03 08:00")


def write_inputs(folder: Path, agents: int = 3) -> tuple[Path, Path]:
    rng = np.random.default_rng(5)
    n = 300
    arrival = START + pd.to_timedelta(np.sort(rng.uniform(0, 3 * 3600, n)), unit="s")
    abandoned = rng.random(n) < 0.15
    log = pd.DataFrame({"arrival": arrival.strftime("%Y-%m-%d %H:%M:%S"),
                        "queue": rng.choice(["999", "101"], n),
                        "handle_time": np.where(abandoned, np.nan, rng.lognormal(np.log(120), 0.5, n)).round(),
                        "wait": rng.exponential(30, n).round(), "abandoned": abandoned})
    staffing = pd.DataFrame({"interval_start": pd.date_range(START, periods=16, freq="15min").strftime("%Y-%m-%d %H:%M"),
                             "agents": agents})
    calls, staff = folder / "calls.csv", folder / "agents.csv"
    log.to_csv(calls, index=False)
    staffing.to_csv(staff, index=False)
    return calls, staff


def test_simulate_writes_kpis_and_compares_with_the_log(tmp_path, capsys):
    calls, staff = write_inputs(tmp_path)
    out = tmp_path / "run"
    code = main(["simulate", "--calls", str(calls), "--staffing", str(staff), "--out", str(out),
                 "--replications", "3", "--seed", "4", "--answer-within", "101=30", "--quiet"])
    assert code == 0
    kpi = pd.read_csv(out / "kpi_intervals.csv")
    assert set(kpi.queue.astype(str)) == {"999", "101"}
    assert len(kpi) == 2 * 12  # three hours of 15-minute intervals per queue
    log = pd.read_csv(calls)
    # offered per interval is the log's count (a replay offers the same calls every time)
    assert kpi.offered.sum() == pytest.approx(len(log))
    hourly = pd.read_csv(out / "observed_vs_simulated_by_hour.csv")
    first_101 = log[(log.queue == 101) & (pd.to_datetime(log.arrival) < START + pd.Timedelta(hours=1))]
    observed = (~first_101.abandoned & (first_101.wait <= 30)).mean()
    row = hourly[hourly.queue.astype(str) == "101"].iloc[0]
    assert row.observed_service_level == pytest.approx(observed)
    assert (out / "service_level_by_hour.png").stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "101: observed service level" in printed and "simulated" in printed


def test_simulate_never_overwrites_results_without_force(tmp_path, capsys):
    calls, staff = write_inputs(tmp_path)
    args = ["simulate", "--calls", str(calls), "--staffing", str(staff), "--out", str(tmp_path / "run"),
            "--replications", "1", "--quiet"]
    assert main(args) == 0
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err
    assert main(args + ["--force"]) == 0


def test_a_bad_staffing_file_is_one_line_naming_file_and_row(tmp_path, capsys):
    calls, staff = write_inputs(tmp_path)
    table = pd.read_csv(staff)
    table.loc[3, "agents"] = -2
    table.to_csv(staff, index=False)
    code = main(["simulate", "--calls", str(calls), "--staffing", str(staff), "--out", str(tmp_path / "run"),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "agents.csv" in err and "data row 4" in err and "negative" in err and len(err.strip().splitlines()) == 1


def test_simulate_infers_the_staff_on_duty_from_a_see_lab_log(tmp_path):
    from test_simulation_trace import DATA as data

    if not data.exists():
        pytest.skip("shared data not found")
    raw = pd.read_csv(data, dtype=str)
    day = tmp_path / "bank-day.csv"
    raw[raw.date == "990105"].to_csv(day, index=False)
    out = tmp_path / "bank"
    assert main(["simulate", "--calls", str(day), "--staffing", "infer", "--one-queue", "bank",
                 "--answer-within", "bank=20", "--after-call", "34", "--out", str(out), "--replications", "3",
                 "--quiet"]) == 0
    hourly = pd.read_csv(out / "observed_vs_simulated_by_hour.csv")
    busy = hourly[hourly.offered >= 30]
    assert len(busy) >= 10
    assert np.corrcoef(busy.observed_wait, busy.simulated_wait)[0, 1] > 0.5


def test_simulate_takes_a_roster_file_as_the_staffing(tmp_path):
    calls, _ = write_inputs(tmp_path)
    roster = pd.DataFrame({"staff_id": ["A", "B", "C"],
                           "start": ["2024-06-03 08:00"] * 3, "end": ["2024-06-03 12:00"] * 3,
                           "break_start": ["2024-06-03 09:00", "", ""], "break_end": ["2024-06-03 09:30", "", ""],
                           "skills": ["999|101", "999|101", "101"]})
    path = tmp_path / "roster.csv"
    roster.to_csv(path, index=False)
    out = tmp_path / "run"
    assert main(["simulate", "--calls", str(calls), "--staffing", str(path), "--out", str(out),
                 "--replications", "2", "--quiet"]) == 0
    summary = pd.read_csv(out / "summary.csv")
    # empty break cells mean no break; the replay offers every logged call once per replication
    assert set(summary.queue.astype(str)) == {"999", "101"}
    assert summary.offered.sum() == pytest.approx(300)
    kpi = pd.read_csv(out / "kpi_intervals.csv")
    assert kpi.occupancy.between(0, 1).all()
