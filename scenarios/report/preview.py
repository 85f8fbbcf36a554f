"""Render the top of a report to a PNG in headless Chromium (the picture at the top of the README).

    python -m scenarios.report.preview REPORT.html OUT.png [--width 1300] [--height 1100]

Needs Playwright (in the test extras) and a Chromium (Debian: apt-get install chromium).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

# Without the background-networking flags Chromium keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Every chart container holds a drawn plotly SVG: the page is finished.
ALL_DRAWN = ("document.querySelectorAll('.chart .main-svg').length >= "
             "document.querySelectorAll('.chart').length")


def find_chromium() -> str | None:
    return (os.environ.get("CONTROLROOM_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def open_page(playwright, *, width: int, height: int):
    """A headless Chromium with no network and one empty page: (browser, page)."""
    browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True)
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
    page = context.new_page()
    return browser, page


def wait_drawn(page, timeout_ms: int = 90_000) -> None:
    page.wait_for_function(ALL_DRAWN, timeout=timeout_ms)


def preview(report: Path, png: Path, *, width: int = 1300, height: int = 1100) -> Path:
    """Screenshot the first ``height`` pixels of ``report`` once its charts are drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = open_page(p, width=width, height=height)
        page.goto(Path(report).resolve().as_uri())
        wait_drawn(page)
        page.screenshot(path=str(png), full_page=False)
        browser.close()
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scenarios.report.preview", description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="a report.html")
    parser.add_argument("png", type=Path, help="the PNG to write")
    parser.add_argument("--width", type=int, default=1300, help="window width in pixels (default 1300)")
    parser.add_argument("--height", type=int, default=1100, help="height of the picture in pixels (default 1100)")
    args = parser.parse_args(argv)
    problem = _problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    preview(args.report, args.png, width=args.width, height=args.height)
    print(f"wrote {args.png}")
    return 0


def _problem(args: argparse.Namespace) -> str:
    if not args.report.is_file():
        return f"{args.report}: report not found"
    if args.png.suffix.lower() != ".png":
        return f"{args.png}: the picture must be a .png file"
    if args.width < 200 or args.height < 200:
        return f"--width and --height must be at least 200 pixels, got {args.width} x {args.height}"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install 'controlroom[test]' (or pip install playwright)"
    if find_chromium() is None:
        return "Chromium is not installed (Debian: apt-get install chromium; or set CONTROLROOM_CHROMIUM)"
    return ""


if __name__ == "__main__":
    sys.exit(main())
