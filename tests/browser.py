"""Open a page in headless Chromium (Debian's package, installed by .ci/run) through Playwright."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

# Without the background-networking flags Chromium keeps trying to reach Google on a closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class Rendered:
    errors: list[str]
    charts: int
    drawn: list[dict]
    screenshot: Path


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed: .ci/run should have installed Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def render(page_file: Path, screenshot: Path, timeout_ms: int = 90_000) -> Rendered:
    """Load the file with no network, wait for every chart to draw, and take a full-page screenshot."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1300, "height": 900}, offline=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        page.goto(page_file.resolve().as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.chart .main-svg').length >= document.querySelectorAll('.chart').length",
            timeout=timeout_ms)
        drawn = page.evaluate("""() => [...document.querySelectorAll('.chart')].map(c => {
            const r = c.getBoundingClientRect();
            return {width: r.width, height: r.height,
                    marks: c.querySelectorAll('.trace, .hm, image, path.point, path.js-line').length};
        })""")
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return Rendered(errors, len(drawn), drawn, screenshot)
