"""`controlroom forecast backtest` / `forecast run` as a researcher uses them, in-process."""

import pandas as pd
import pytest

from scenarios.cli import main
from scenarios.demo_data import demo_history
from scenarios.ingest import write_history

REQUIRED = ["queue", "model", "horizon", "mae", "rmse", "mase", "pinball", "coverage_80", "coverage_95",
            "rmse_ratio", "dm_stat", "dm_pvalue", "fit_seconds", "predict_seconds"]
SMALL = ["--models", "seasonal_naive,seasonal_average", "--origins", "3", "--horizon-days", "7",
         "--warmup-origins", "2", "--quiet"]


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "history.csv"
    write_history(demo_history(days=42, end="2026-06-01", seed=2), path)
    return path


def test_backtest_writes_the_leaderboard_and_refuses_to_overwrite(data_file, tmp_path, capsys):
    out = tmp_path / "bt"
    assert main(["forecast", "backtest", "--data", str(data_file), "--out", str(out), *SMALL]) == 0
    board = pd.read_csv(out / "leaderboard.csv", dtype={"queue": str})
    assert set(REQUIRED) <= set(board.columns)
    assert set(board["queue"]) == {"999", "101", "ALL"}
    assert set(board["horizon"]) == {"rest_of_day", "day_ahead", "week_ahead"}
    naive = board[board["model"] == "seasonal_naive"]
    assert (naive["rmse_ratio"] == 1).all()
    forecasts = pd.read_csv(out / "forecasts.csv")
    assert {"queue", "origin", "model", "interval_start", "horizon", "actual", "calls", "calls_p10"} <= set(forecasts.columns)
    for name in ("forecast_vs_actual.png", "error_by_lead.png", "error_by_time_of_day.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    before = (out / "leaderboard.csv").stat().st_mtime_ns
    capsys.readouterr()
    assert main(["forecast", "backtest", "--data", str(data_file), "--out", str(out), *SMALL]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "leaderboard.csv").stat().st_mtime_ns == before
    assert main(["forecast", "backtest", "--data", str(data_file), "--out", str(out), "--force", *SMALL]) == 0


def test_hourly_interval_counts_are_backtested_at_60_minutes(data_file, tmp_path):
    history = pd.read_csv(data_file, dtype={"queue": str})
    history["interval_start"] = pd.to_datetime(history["interval_start"], utc=True).dt.tz_convert("Europe/London")
    hourly = history.groupby(["queue", pd.Grouper(key="interval_start", freq="h")])["calls"].sum().reset_index()
    path = tmp_path / "hourly.csv"
    hourly.to_csv(path, index=False)
    out = tmp_path / "bt60"
    assert main(["forecast", "backtest", "--data", str(path), "--out", str(out), "--interval", "60",
                 "--no-total", *SMALL]) == 0
    board = pd.read_csv(out / "leaderboard.csv", dtype={"queue": str})
    day = board[(board["level"] == "interval") & (board["horizon"] == "day_ahead")]
    assert (day["n"] == 3 * 24).all()  # 24 hourly intervals a day, 3 origins


@pytest.mark.parametrize("args, message", [
    (["--models", "seasonal_naive,crystal_ball"], "unknown model 'crystal_ball'; available: seasonal_naive"),
    (["--interval", "20"], "--interval must be one of 15, 30, 60"),
    (["--origins", "60"], "need at least"),
    (["--refit-every", "weekly"], "--refit-every must be 'auto' or a whole number"),
    (["--holidays", "XX"], "--holidays: special days: Country XX not available"),
])
def test_bad_input_is_one_line(data_file, tmp_path, capsys, args, message):
    code = main(["forecast", "backtest", "--data", str(data_file), "--out", str(tmp_path / "x"), "--quiet", *args])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and message in err


def test_forecast_run_writes_a_forecast_per_queue(data_file, tmp_path):
    out = tmp_path / "fc"
    assert main(["forecast", "run", "--data", str(data_file), "--out", str(out), "--horizon-days", "2",
                 "--models", "seasonal_naive,seasonal_average", "--quiet"]) == 0
    forecast = pd.read_csv(out / "forecast.csv", dtype={"queue": str})
    assert forecast.groupby("queue").size().to_dict() == {"101": 192, "999": 192}


def test_long_range_needs_a_year_and_says_so(data_file, tmp_path, capsys):
    code = main(["forecast", "long-range", "--data", str(data_file), "--out", str(tmp_path / "lr"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "needs at least 365" in err


def test_forecast_run_hands_the_holiday_calendar_to_the_models(data_file, tmp_path):
    # The history holds England's spring bank holiday (25 May 2026, a Sunday-like day in the demo):
    # with GB-ENG the GLM gives it its own effect, with none it is a plain Monday, so the two
    # forecasts differ only if --holidays reaches the model.
    runs = {}
    for calendar in ("GB-ENG", "none"):
        out = tmp_path / calendar
        assert main(["forecast", "run", "--data", str(data_file), "--out", str(out), "--horizon-days", "1",
                     "--models", "harmonic_glm", "--backtest-origins", "0", "--holidays", calendar, "--quiet"]) == 0
        runs[calendar] = pd.read_csv(out / "forecast.csv", dtype={"queue": str})["calls"]
    assert not runs["GB-ENG"].equals(runs["none"])
