"""A report page: title, inputs (so a reader can reproduce it), sections of charts and tables."""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header{background:#0b2545;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}
main{max-width:1280px;margin:0 auto;padding:8px 32px 48px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin:18px 0;padding:16px 20px}
h2{font-size:18px;margin:4px 0 10px}p.note{color:#4a5868;margin:4px 0 12px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border-bottom:1px solid #e3e6ea;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f0f2f5}
.met{color:#1b7f3b;font-weight:600}.missed{color:#b3261e;font-weight:600}
#inputs td,#inputs th{text-align:left}tr.best td{background:#e3f1e7;font-weight:600}
.chart{min-height:360px}
nav a{margin-right:14px;color:#0b2545}
"""


@dataclass
class Section:
    """A heading, an optional note, then charts and tables in order."""

    title: str
    note: str = ""
    parts: list[str | go.Figure] = field(default_factory=list)  # markup, or figures drawn by Report.html

    def chart(self, figure: go.Figure) -> "Section":
        figure.update_layout(template="plotly_white", margin=dict(l=60, r=20, t=50, b=40))
        self.parts.append(figure)
        return self

    def table(self, frame: pd.DataFrame, *, classes: dict[str, str] | None = None,
              rows: list[str] | None = None) -> "Section":
        """``classes`` styles cells by their text (e.g. "missed"), ``rows`` styles whole rows (e.g. "best")."""
        self.parts.append(_table_html(frame, classes or {}, rows))
        return self

    def text(self, paragraph: str) -> "Section":
        self.parts.append(f'<p class="note">{html.escape(paragraph)}</p>')
        return self

    @property
    def anchor(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")


@dataclass
class Report:
    title: str
    subtitle: str = ""
    inputs: dict[str, object] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)

    def add(self, section: Section) -> Section:
        self.sections.append(section)
        return section

    def html(self) -> str:
        nav = " ".join(f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in self.sections)
        # Charts numbered in page order, not plotly's random ids: the same run writes the same page.
        numbers = itertools.count(1)
        body = "\n".join(_section_html(s, numbers) for s in self.sections)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)}</title><style>{STYLE}</style>"
            # Inlined so the page works offline, e.g. attached to an e-mail or on a locked-down PC.
            f"<script type=\"text/javascript\">{get_plotlyjs()}</script></head><body>"
            f"<header><h1>{html.escape(self.title)}</h1><p>{html.escape(self.subtitle)}</p></header>"
            f"<main><nav>{nav}</nav>{_inputs_html(self.inputs)}{body}</main></body></html>\n"
        )

    def write(self, path: Path) -> Path:
        path = Path(path)
        path.write_text(self.html(), encoding="utf-8")
        return path


def shown_path(path: Path | str) -> str:
    """A path as a reader should see it: relative to the current folder when inside it, so a report
    does not show (or depend on) where one machine keeps its files."""
    path = Path(path)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _figure_html(figure: go.Figure, number: int) -> str:
    return '<div class="chart">' + pio.to_html(
        figure, full_html=False, include_plotlyjs=False, div_id=f"chart-{number}",
        config={"displaylogo": False, "responsive": True}) + "</div>"


def _table_html(frame: pd.DataFrame, classes: dict[str, str], row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    row_classes = row_classes or [""] * len(frame)
    rows = []
    for record, row_class in zip(frame.itertuples(index=False), row_classes):
        cells = []
        for value in record:
            text = _cell(value)
            css = classes.get(text, "")
            cells.append(f'<td class="{css}">{html.escape(text)}</td>' if css else f"<td>{html.escape(text)}</td>")
        opening = f'<tr class="{row_class}">' if row_class else "<tr>"
        rows.append(opening + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cell(value) -> str:
    if isinstance(value, float) and value != value:
        return "–"  # NaN: not applicable (e.g. a test of the baseline against itself)
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _section_html(section: Section, numbers: Iterator[int]) -> str:
    note = f'<p class="note">{html.escape(section.note)}</p>' if section.note else ""
    parts = "".join(_figure_html(p, next(numbers)) if isinstance(p, go.Figure) else p for p in section.parts)
    return f'<section id="{section.anchor}"><h2>{html.escape(section.title)}</h2>{note}{parts}</section>'


def _inputs_html(inputs: dict[str, object]) -> str:
    if not inputs:
        return ""
    frame = pd.DataFrame({"input": list(inputs), "value": [str(v) for v in inputs.values()]})
    return '<section id="inputs"><h2>Inputs</h2><p class="note">What this report was made from: ' \
           "the same inputs and seed give the same results.</p>" + _table_html(frame, {}) + "</section>"
