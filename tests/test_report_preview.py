"""`python -m scenarios.report.preview REPORT.html OUT.png`: the top of a report as a picture."""

import plotly.graph_objects as go
import pytest
from matplotlib.image import imread

from browser import chromium
from scenarios.report import Report, Section
from scenarios.report.preview import main


def test_the_top_of_a_report_becomes_a_png_of_the_asked_size(tmp_path):
    chromium()
    report = Report(title="preview test", inputs={"seed": 1})
    report.add(Section("A chart")).chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])))
    page = report.write(tmp_path / "report.html")
    png = tmp_path / "top.png"
    assert main([str(page), str(png), "--width", "800", "--height", "600"]) == 0
    pixels = imread(png)
    assert pixels.shape[:2] == (600, 800)
    # The page's dark header band is at the top, and the chart's bars are drawn below it.
    assert pixels[10, 400, :3].max() < 0.3
    assert len({tuple(p) for p in (pixels[::4, ::4, :3] * 255).astype(int).reshape(-1, 3)}) > 50


@pytest.mark.parametrize("args, message", [
    (["missing.html", "out.png"], "missing.html: report not found"),
    (["{page}", "out.jpg"], "must be a .png file"),
    (["{page}", "out.png", "--height", "10"], "at least 200 pixels"),
])
def test_bad_arguments_get_one_line(tmp_path, capsys, args, message):
    page = tmp_path / "r.html"
    page.write_text("<html></html>")
    assert main([a.format(page=page) for a in args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
