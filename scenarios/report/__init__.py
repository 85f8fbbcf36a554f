"""`report.html`: one self-contained page per run that opens in a browser with no network.

page.py assembles the page (plotly.js inlined once); charts.py draws figures from the long
tables the stages hand each other; pipeline_report.py, backtest_report.py and compare_report.py
compose the sections of a pipeline run, a forecast backtest and a scenario comparison;
preview.py renders the top of a report to a PNG (the README's picture).
"""

from .page import Report, Section

__all__ = ["Report", "Section"]
