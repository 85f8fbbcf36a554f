"""report.html: a page a planner can open with no network, every chart drawn, inputs stated."""

import json
import re

import numpy as np
import pytest
from matplotlib.image import imread

from browser import render
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
    page = (run / "report.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all("src=" not in tag for tag in scripts)  # every script is inline
    # Addresses inside the charts library's own code are not loaded; the markup must load none.
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", markup) == []
    assert "Plotly" in page  # the charts library itself is inside the file


def test_the_report_states_its_inputs_so_it_can_be_reproduced(run):
    page = (run / "report.html").read_text(encoding="utf-8")
    inputs = json.loads((run / "summary.json").read_text())["inputs"]
    for key in ("seed", "version", "scenario_file", "data"):
        assert f"<td>{inputs[key]}</td>" in page, key


def test_every_chart_is_drawn_in_a_real_browser_without_errors(run, tmp_path):
    shown = render(run / "report.html", tmp_path / "report.png")
    assert shown.errors == []
    # demand per queue, staffing, two heatmaps per queue plus occupancy, the roster timeline
    assert shown.charts == 2 + 1 + 5 + 1
    for chart in shown.drawn:
        assert chart["width"] > 300 and chart["height"] > 200, chart
        assert chart["marks"] > 0, chart
    pixels = imread(shown.screenshot)[..., :3]
    assert pixels.shape[0] > 2000  # the whole page, not one screen
    # Not blank: plenty of distinct colours (charts), not one flat background.
    colours = np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 500
