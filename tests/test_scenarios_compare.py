"""`controlroom scenarios compare` end to end on a small plan: the table a finance team reads."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenarios.cli import main
from stress_inputs import SURGE, base_toml

BASE = base_toml(history_days=91, replications=4)

SURGE_WITH_OVERTIME = """
name = "evening_surge_overtime"
baseline = "surge.toml"        # the surge, then overtime filling its gaps
[[changes]]
kind = "overtime"
max_share = 1.0
fill = true
"""

BUDGET = """
name = "budget_cut"
baseline = "base.toml"
roster = "rebuild"
[[changes]]
kind = "budget"
paid_hours_share = 0.85
"""

FILES = {"base.toml": BASE, "surge.toml": SURGE, "surge_ot.toml": SURGE_WITH_OVERTIME, "budget.toml": BUDGET}


def write_files(folder: Path) -> list[str]:
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return [str(folder / name) for name in FILES]


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    files = write_files(folder)
    code = main(["scenarios", "compare", *files, "--out", str(folder / "out"), "--quiet"])
    table = pd.read_csv(folder / "out" / "comparison.csv", dtype={"queue": str})
    return code, folder, files, table


def row(table, scenario, queue="999"):
    rows = table[(table["scenario"] == scenario) & (table["queue"] == queue)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_one_row_per_scenario_and_queue_with_every_result(compared):
    code, folder, _, table = compared
    assert code == 0
    assert list(table["scenario"].unique()) == ["base", "evening_surge", "evening_surge_overtime", "budget_cut"]
    assert set(table["queue"]) == {"999", "101"} and len(table) == 8
    assert (table["service_level_lo"] <= table["service_level"]).all()
    assert (table["service_level"] <= table["service_level_hi"]).all()
    assert (table.loc[table["scenario"] == "base", "service_level_change"] == 0).all()
    out = folder / "out"
    for name in ("service_level_by_hour.png", "service_level_by_day.png", "abandonment.png", "cost.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    for scenario in table["scenario"].unique():
        assert (out / scenario / "kpi_intervals.csv").stat().st_size > 0
        assert (out / scenario / "scenario.json").stat().st_size > 0


def test_a_surge_raises_the_chance_of_missing_the_target(compared):
    _, _, _, table = compared
    base, surge = row(table, "base"), row(table, "evening_surge")
    assert surge["service_level"] < base["service_level"]
    assert surge["p_miss_target"] > base["p_miss_target"]
    assert surge["roster_cost"] == base["roster_cost"]        # same roster, kept
    assert surge["cost_to_restore"] > 0 and base["cost_to_restore"] == 0


def test_the_cost_to_restore_buys_the_target_back(compared):
    # the surge's cost to restore prices the overtime shifts that, when worked, meet the target
    _, _, _, table = compared
    surge, filled = row(table, "evening_surge"), row(table, "evening_surge_overtime")
    assert filled["overtime_used_cost"] == pytest.approx(surge["cost_to_restore"], rel=1e-6)
    assert filled["cost_to_restore"] == 0
    assert filled["service_level"] >= filled["target_service_level"]
    assert filled["service_level"] > surge["service_level"]


def test_a_budget_cut_keeps_the_roster_within_the_cap_and_costs_service(compared):
    _, folder, _, table = compared
    base, cut = row(table, "base"), row(table, "budget_cut")
    assert cut["paid_hours"] <= 0.85 * base["paid_hours"] + 1e-6
    roster = pd.read_csv(folder / "out" / "budget_cut" / "roster.csv")
    assert roster.loc[roster["pay"] == "contract", "paid_hours"].sum() == pytest.approx(cut["paid_hours"])
    assert cut["roster_cost"] < base["roster_cost"]
    assert cut["service_level"] < base["service_level"]


def test_same_files_and_seed_give_the_same_comparison(compared, tmp_path):
    _, folder, files, _ = compared
    assert main(["scenarios", "compare", *files, "--out", str(tmp_path / "again"), "--quiet"]) == 0
    assert (tmp_path / "again" / "comparison.csv").read_text() == (folder / "out" / "comparison.csv").read_text()


def test_results_are_not_overwritten_unless_asked(compared, capsys):
    _, folder, files, _ = compared
    before = (folder / "out" / "comparison.csv").read_text()
    code = main(["scenarios", "compare", *files[:2], "--out", str(folder / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "already holds results" in err and "--force" in err
    assert (folder / "out" / "comparison.csv").read_text() == before


@pytest.mark.parametrize("change, fragments", [
    ("kind = 'channel_shift'\nshare = 1.5\n", ["[[changes]] #1 (channel_shift)", "share must be from 0 to 1"]),
    ("kind = 'sickness'\nextra_absence = -0.02\n", ["extra_absence must be from 0", "-0.02"]),
    ("kind = 'surge'\nmultiplier = 2\nstart_tme = '18:00'\n", ["unknown key 'start_tme'", "allowed keys", "start_time"]),
    ("kind = 'random_pullouts'\nrate_per_hour = -1\n", ["(random_pullouts)", "rate_per_hour must be from 0"]),
    ("kind = 'callbacks'\nqueue = '112'\n", ["(callbacks)", "queue '112' is not in the plan", "999, 101"]),
])
def test_bad_scenario_files_are_one_line_errors_naming_file_and_key(compared, tmp_path, capsys, change, fragments):
    _, folder, files, _ = compared
    bad = folder / "bad.toml"
    bad.write_text(f"baseline = 'base.toml'\n[[changes]]\n{change}")
    code = main(["scenarios", "compare", files[0], str(bad), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and str(bad) in err
    for fragment in fragments:
        assert fragment in err
    assert not (tmp_path / "out" / "comparison.csv").exists()


def test_a_missing_baseline_is_named(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text("baseline = 'nope.toml'\n[[changes]]\nkind = 'sickness'\nextra_absence = 0.1\n")
    code = main(["scenarios", "compare", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "baseline 'nope.toml' not found" in err and "demo" in err


TINY = """
name = "tiny"
seed = 3
[data]
history_days = 56
[forecast]
horizon_days = 1
models = ["seasonal_naive"]
backtest_origins = 0
[roster]
time_limit_s = 20
threads = 1
[simulation]
replications = 2
"""

NATIVE = {   # changes the simulation draws itself, in each replication
    "callbacks.toml": "baseline = 'tiny.toml'\n[[changes]]\nkind = 'callbacks'\noffer_above_wait_s = 30\n"
                      "accept_share = 0.5\n",
    "pullouts.toml": "baseline = 'tiny.toml'\n[[changes]]\nkind = 'random_pullouts'\nrate_per_hour = 0.5\n"
                     "mean_minutes = 20\n",
    "abstraction.toml": "baseline = 'tiny.toml'\n[[changes]]\nkind = 'abstraction'\nshare = 0.3\n"
                        "start_time = '10:00'\nend_time = '12:00'\n",
}


def test_a_batch_of_scenarios_gives_the_same_comparison_on_one_or_two_workers_or_dask(tmp_path):
    (tmp_path / "tiny.toml").write_text(TINY)
    for name, text in NATIVE.items():
        (tmp_path / name).write_text(text)
    files = [str(tmp_path / n) for n in ("tiny.toml", *NATIVE)]
    for workers in (1, 2):
        assert main(["scenarios", "compare", *files, "--workers", str(workers),
                     "--out", str(tmp_path / f"w{workers}"), "--quiet"]) == 0
    outs = [tmp_path / "w1", tmp_path / "w2"]
    try:
        import distributed
    except ImportError:   # the 'dask' extra (in the test extras): without it, local processes only
        distributed = None
    if distributed is not None:
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                      dashboard_address=None) as cluster:
            assert main(["scenarios", "compare", *files, "--scheduler", cluster.scheduler_address,
                         "--out", str(tmp_path / "dask"), "--quiet"]) == 0
        outs.append(tmp_path / "dask")
    one = outs[0]
    for other in outs[1:]:
        assert (one / "comparison.csv").read_text() == (other / "comparison.csv").read_text()
        for name in ("callbacks", "pullouts", "abstraction"):
            assert (one / name / "kpi_intervals.csv").read_text() == (other / name / "kpi_intervals.csv").read_text()
    table = pd.read_csv(one / "comparison.csv", dtype={"queue": str})
    base, pulled = row(table, "tiny"), row(table, "pullouts")
    assert pulled["service_level"] < base["service_level"] and pulled["cost_to_restore"] > 0
    assert row(table, "abstraction")["service_level"] < base["service_level"]
    callbacks = pd.read_csv(one / "callbacks" / "kpi_intervals.csv", dtype={"queue": str})
    assert callbacks.loc[callbacks["queue"] == "101", "callbacks"].sum() > 0
    assert row(table, "callbacks", "101")["abandon_rate"] < row(table, "tiny", "101")["abandon_rate"]
    # the table counts them too: callbacks made per replication and the share that reached the caller
    made = row(table, "callbacks", "101")
    per_replication = callbacks.loc[callbacks["queue"] == "101", "callbacks"].sum()
    assert made["callbacks_per_replication"] == pytest.approx(per_replication, rel=1e-4)
    assert 0.5 < made["callback_success"] <= 1.0
    assert row(table, "tiny", "101")["callbacks_per_replication"] == 0
    assert np.isnan(row(table, "tiny", "101")["callback_success"])


def test_bad_workers_are_a_one_line_error_before_anything_runs(tmp_path, capsys):
    code = main(["scenarios", "compare", "heatwave", "--workers", "0", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--workers: workers must be 1 or more, got 0" in err
    assert not (tmp_path / "o").exists()
