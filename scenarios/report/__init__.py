"""`report.html`: one self-contained page per run that opens in a browser with no network.

page.py assembles the page (plotly.js inlined once); charts.py draws figures from the long
tables the stages hand each other; pipeline_report.py composes a pipeline run's sections.
"""

from .page import Report, Section

__all__ = ["Report", "Section"]
