"""`controlroom forecast backtest` writes report.html: the leaderboard, skill by lead time and time
of day, forecast against actual; checked in Chromium against the CSVs the same run wrote."""

import html
import re
import shlex

import pandas as pd
import pytest

from report_checks import assert_drawn, assert_offline, same_as_shown, table
from scenarios.cli import main
from scenarios.demo_data import demo_history
from scenarios.ingest import write_history

SMALL = ["--models", "seasonal_naive,seasonal_average", "--origins", "3", "--horizon-days", "2",
         "--warmup-origins", "2", "--window-days", "3", "--no-total", "--quiet"]
TIMINGS = ["fit_seconds", "predict_seconds"]


@pytest.fixture(scope="module")
def backtest(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backtest")
    write_history(demo_history(days=35, end="2026-06-01", seed=4), folder / "history.csv")
    out = folder / "bt"
    assert main(["forecast", "backtest", "--data", str(folder / "history.csv"), "--out", str(out), *SMALL]) == 0
    return out


def read(out, name):
    return pd.read_csv(out / name, dtype={"queue": str})


def test_the_report_is_drawn_with_every_chart_the_backtest_calls_for(backtest, tmp_path):
    assert_offline(backtest / "report.html")
    board = read(backtest, "leaderboard.csv")
    queues = list(dict.fromkeys(read(backtest, "by_lead.csv")["queue"]))
    day = board[(board["level"] == "interval") & (board["horizon"] == "day_ahead")]
    best = day.loc[day.groupby("queue")["rmse"].idxmin()].set_index("queue")["model"]
    titles = (["rmse_ratio by model and lead time"] + [f"{q}: error by lead time" for q in queues]
              + [f"{q}: error by time of day" for q in queues]
              + [f"{q}: {best[q]}, day ahead" for q in sorted(best.index)])
    shown = assert_drawn(backtest / "report.html", tmp_path / "report.png", titles)

    # The highlighted rows are the lowest RMSE per queue and lead time, with the CSV's numbers.
    page = table(shown, "leaderboard")
    rows = board[board["level"] == "interval"]
    lowest = rows.loc[rows.groupby(["queue", "horizon"])["rmse"].idxmin()]
    highlighted = page[page["row_class"] == "best"]
    assert len(highlighted) == len(lowest) == 2 * 3  # 101, 999 x rest_of_day, day_ahead, week_ahead
    for _, row in lowest.iterrows():
        cells = highlighted[(highlighted["queue"] == row["queue"]) & (highlighted["horizon"] == row["horizon"])]
        assert len(cells) == 1 and cells.iloc[0]["model"] == row["model"]
        for column in ("rmse", "rmse_ratio", "coverage_80"):
            assert same_as_shown(row[column], cells.iloc[0][column]), (column, row[column], cells.iloc[0][column])
    assert len(page) == len(rows)  # every model's row is there, not only the best


def test_the_command_in_the_report_runs_the_same_backtest_again(backtest, tmp_path):
    page = (backtest / "report.html").read_text(encoding="utf-8")
    command = html.unescape(re.search(r"<td>command</td><td>(.*?)</td>", page).group(1))
    words = shlex.split(command)
    assert words[:3] == ["controlroom", "forecast", "backtest"] and words[-2] == "--out"
    again = tmp_path / "again"
    assert main(words[1:-1] + [str(again), "--quiet"]) == 0
    pd.testing.assert_frame_equal(read(backtest, "leaderboard.csv").drop(columns=TIMINGS),
                                  read(again, "leaderboard.csv").drop(columns=TIMINGS))


def test_a_window_of_no_days_is_refused_in_one_line(backtest, tmp_path, capsys):
    data = backtest.parent / "history.csv"
    code = main(["forecast", "backtest", "--data", str(data), "--out", str(tmp_path / "x"), "--quiet",
                 "--window-days", "0"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--window-days must be" in err
    assert not (tmp_path / "x").exists()  # refused before anything was written
