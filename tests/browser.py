"""Open a page in headless Chromium (Debian's package, installed by .ci/run) through Playwright."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from scenarios.report.preview import find_chromium, open_page, wait_drawn

# Per chart: its size, how many marks it drew, its title and the data it drew;
# per table: its section, header and rows.
CHARTS = """() => [...document.querySelectorAll('.chart')].map(c => {
    const r = c.getBoundingClientRect();
    const title = c.querySelector('.gtitle');
    const plot = c.querySelector('.js-plotly-plot');
    const traces = (plot && plot._fullData || []).map(t => ({
        name: t.name, x: t.x ? Array.from(t.x, String) : [], y: t.y ? Array.from(t.y) : []}));
    return {width: r.width, height: r.height, title: title ? title.textContent : '', traces: traces,
            marks: c.querySelectorAll('.trace, .hm, image, path.point, path.js-line').length};
})"""
TABLES = """() => [...document.querySelectorAll('table')].map(t => ({
    section: t.closest('section').id,
    header: [...t.querySelectorAll('thead th')].map(c => c.textContent),
    rows: [...t.querySelectorAll('tbody tr')].map(r => ({
        class: r.className, cells: [...r.querySelectorAll('td')].map(c => c.textContent)}))}))"""


@dataclass
class Rendered:
    errors: list[str]
    charts: int
    drawn: list[dict]
    screenshot: Path
    tables: list[dict]

    @property
    def titles(self) -> list[str]:
        return [chart["title"] for chart in self.drawn]


def chromium() -> str:
    path = find_chromium()
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed: .ci/run should have installed Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def render(page_file: Path, screenshot: Path, timeout_ms: int = 90_000) -> Rendered:
    """Load the file with no network, wait for every chart to draw, and take a full-page screenshot."""
    playwright = pytest.importorskip("playwright.sync_api")
    chromium()
    with playwright.sync_playwright() as p:
        browser, page = open_page(p, width=1300, height=900)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        page.goto(page_file.resolve().as_uri())
        wait_drawn(page, timeout_ms)
        drawn = page.evaluate(CHARTS)
        tables = page.evaluate(TABLES)
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return Rendered(errors, len(drawn), drawn, screenshot, tables)
