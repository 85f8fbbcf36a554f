"""report.html: a page a planner can open with no network, every chart drawn, inputs stated."""

import json

import pytest
from matplotlib.image import imread

from report_checks import assert_drawn, assert_offline
from scenarios.cli import main

SMALL = """
seed = 5
[data]
history_days = 91
[forecast]
horizon_days = 2
backtest_origins = 1
[roster]
time_limit_s = 60
[simulation]
replications = 2
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    scenario = folder / "small.toml"
    scenario.write_text(SMALL)
    assert main(["run", str(scenario), "--out", str(folder / "out"), "--quiet"]) == 0
    return folder / "out"


def test_the_report_needs_nothing_from_the_network(run):
    assert_offline(run / "report.html")


def test_the_report_states_its_inputs_so_it_can_be_reproduced(run):
    page = (run / "report.html").read_text(encoding="utf-8")
    inputs = json.loads((run / "summary.json").read_text())["inputs"]
    for key in ("seed", "version", "scenario_file", "data"):
        assert f"<td>{inputs[key]}</td>" in page, key


def test_every_chart_is_drawn_in_a_real_browser_without_errors(run, tmp_path):
    # demand per queue, staffing, two heatmaps per queue plus occupancy, the roster timeline
    titles = ["101: calls per interval", "999: calls per interval", "Handlers required and rostered",
              "999: share answered within 10s", "999: share of callers who hung up",
              "101: share answered within 60s", "101: share of callers who hung up",
              "Handler occupancy", "Roster by person"]
    shown = assert_drawn(run / "report.html", tmp_path / "report.png", titles)
    assert imread(shown.screenshot).shape[0] > 2000  # the whole page, not one screen
