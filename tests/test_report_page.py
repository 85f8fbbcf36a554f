"""The report page builder: the same report gives the same page, rows can be highlighted, paths shown relative."""

import re

import pandas as pd
import plotly.graph_objects as go

from scenarios.report import Report, Section
from scenarios.report.page import shown_path


def two_charts() -> Report:
    report = Report(title="t", inputs={"seed": 3})
    section = report.add(Section("Charts"))
    for _ in range(2):  # the same figure twice: each still needs its own element
        section.chart(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])))
    return report


def test_the_same_report_writes_the_same_page_with_one_element_per_chart():
    first, second = two_charts().html(), two_charts().html()
    assert first == second
    ids = re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', first)
    assert ids == ["chart-1", "chart-2"]
    assert all(f'getElementById("{i}")' in first for i in ids)


def test_rows_can_be_highlighted_and_cells_styled():
    frame = pd.DataFrame({"model": ["a", "b"], "rmse": [1.23456, float("nan")], "verdict": ["met", "missed"]})
    page = Report(title="t").add(Section("S")).table(frame, classes={"missed": "missed"}, rows=["best", ""])
    markup = page.parts[0]
    assert '<tr class="best"><td>a</td><td>1.23</td><td>met</td></tr>' in markup
    assert '<tr><td>b</td><td>\u2013</td><td class="missed">missed</td></tr>' in markup


def test_paths_inside_the_current_folder_are_shown_relative(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    assert shown_path(tmp_path / "data" / "calls.csv") == "data/calls.csv"
    assert shown_path("data/calls.csv") == "data/calls.csv"
    outside = tmp_path.parent / "elsewhere.csv"
    assert shown_path(outside) == str(outside)
