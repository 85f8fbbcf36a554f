"""What every report.html must pass: offline, drawn in a real browser without errors, not blank."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.image import imread

from browser import Rendered, render


def assert_offline(report: Path) -> str:
    """Every script inline and no address loaded by the markup; returns the page's text."""
    page = report.read_text(encoding="utf-8")
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all("src=" not in tag for tag in scripts)  # every script is inline
    # Addresses inside the charts library's own code are not loaded; the markup must load none.
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", markup) == []
    assert "Plotly" in page  # the charts library itself is inside the file
    return page


def assert_drawn(report: Path, screenshot: Path, titles: list[str]) -> Rendered:
    """The page opens in Chromium with no error, draws exactly the charts whose titles begin with
    ``titles`` (in order), each of a sensible size with marks in it, and its screenshot is not blank."""
    shown = render(report, screenshot)
    assert shown.errors == []
    assert len(shown.titles) == len(titles), shown.titles
    for title, start in zip(shown.titles, titles):
        assert title.startswith(start), (title, start)
    for chart in shown.drawn:
        assert chart["width"] > 300 and chart["height"] > 200, chart
        assert chart["marks"] > 0, chart
    pixels = imread(shown.screenshot)[..., :3]
    # Not blank: plenty of distinct colours (charts), not one flat background.
    colours = np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 500
    return shown


def table(shown: Rendered, section: str) -> pd.DataFrame:
    """The (first) table in ``section`` as the browser shows it, cell texts plus each row's class."""
    found = [t for t in shown.tables if t["section"] == section]
    assert found, f"no table in section {section!r}"
    rows = found[0]["rows"]
    frame = pd.DataFrame([r["cells"] for r in rows], columns=found[0]["header"])
    return frame.assign(row_class=[r["class"] for r in rows])


def shown_number(text: str) -> float:
    """A number as a report cell shows it ('1,234', '0.764', '93.4%') back to a float."""
    text = text.replace(",", "").strip()
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def same_as_shown(value: float, text: str) -> bool:
    """The CSV's value, rounded as the report rounds it (three significant figures, or whole
    numbers from 1,000, or percentages to 0.1), equals the number on the page."""
    shown = shown_number(text)
    if text.strip().endswith("%"):
        return abs(value - shown) <= 0.0005 + 1e-12
    if abs(value) >= 1000:
        return abs(value - shown) <= 0.5 + 1e-9
    return float(f"{value:.3g}") == shown
