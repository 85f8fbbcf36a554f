"""`controlroom scenarios compare` writes report.html: each scenario against the reference, checked in
Chromium against comparison.csv and the scenarios' own kpi_intervals.csv."""

import html
import re

import numpy as np
import pandas as pd
import pytest

from report_checks import assert_drawn, assert_offline, same_as_shown, table
from scenarios.cli import main
from stress_inputs import SURGE, base_toml

BASE = base_toml(history_days=63, replications=2)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    (folder / "base.toml").write_text(BASE)
    (folder / "surge.toml").write_text(SURGE)
    out = folder / "out"
    assert main(["scenarios", "compare", str(folder / "base.toml"), str(folder / "surge.toml"),
                 "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def shown(compared, tmp_path_factory):
    titles = ["999: answered within 10s by hour", "101: answered within 60s by hour",
              "999: answered within 10s by day", "101: answered within 60s by day",
              "Share of callers who hung up", "Probability of missing the target",
              "Heads rostered", "Paid hours", "Cost over the plan (GBP)"]
    return assert_drawn(compared / "report.html", tmp_path_factory.mktemp("shot") / "report.png", titles)


def test_the_table_shows_the_numbers_of_comparison_csv(compared, shown):
    assert_offline(compared / "report.html")
    csv = pd.read_csv(compared / "comparison.csv", dtype={"queue": str})
    page = table(shown, "comparison")
    assert list(zip(page["scenario"], page["queue"])) == list(zip(csv["scenario"], csv["queue"]))
    columns = {"service level": "service_level", "change": "service_level_change", "abandoned": "abandon_rate",
               "missed days": "p_miss_target", "heads": "heads", "paid hours": "paid_hours",
               "roster cost": "roster_cost", "cost to restore": "cost_to_restore"}
    for shown_as, column in columns.items():
        for value, text in zip(csv[column], page[shown_as]):
            expected = f"{value:+.1%}" if column == "service_level_change" else (
                f"{value:.1%}" if column in ("service_level", "abandon_rate", "p_miss_target") else f"{value:,.0f}")
            assert text == expected, (shown_as, value, text)
    assert same_as_shown(csv.loc[1, "service_level"], page.loc[1, "service level"])
    surge = csv[csv["scenario"] == "evening_surge"]
    assert (surge["service_level_change"] < 0).all()  # more calls, same roster: worse service


def test_the_hourly_chart_draws_the_service_level_of_the_simulated_calls(compared, shown):
    # Pooled independently from each scenario's kpi_intervals.csv: answered within / offered by hour.
    chart = next(c for c in shown.drawn if c["title"].startswith("999: answered within 10s by hour"))
    for trace in (t for t in chart["traces"] if t["name"] in ("base", "evening_surge")):
        kpi = pd.read_csv(compared / trace["name"] / "kpi_intervals.csv", dtype={"queue": str})
        kpi = kpi[kpi["queue"] == "999"]
        hour = pd.to_datetime(kpi["interval_start"].str[:19]).dt.hour  # local clock time as written
        within = (kpi["service_level"] * kpi["offered"]).groupby(hour).sum()
        expected = within / kpi["offered"].groupby(hour).sum()
        assert [int(float(x)) for x in trace["x"]] == list(expected.index)
        np.testing.assert_allclose(trace["y"], expected.to_numpy(), rtol=1e-4)
    assert {t["name"] for t in chart["traces"]} >= {"base", "evening_surge"}


def test_the_inputs_name_the_files_seed_costs_and_version(compared):
    page = (compared / "report.html").read_text(encoding="utf-8")
    inputs = dict(re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", page.split('id="inputs"')[1]
                             .split("</section>")[0]))
    inputs = {k: html.unescape(v) for k, v in inputs.items()}
    assert inputs["seed"] == "11" and inputs["reference"] == "base"
    assert inputs["scenarios"].endswith("surge.toml") and "base.toml" in inputs["scenarios"]
    assert inputs["costs"].startswith("built-in")
    from scenarios import __version__
    assert inputs["version"] == __version__
    assert inputs["command"].startswith("controlroom scenarios compare ")


def test_the_bar_charts_draw_the_numbers_of_comparison_csv(compared, shown):
    csv = pd.read_csv(compared / "comparison.csv", dtype={"queue": str})
    charts = {c["title"]: c for c in shown.drawn}
    abandon = charts["Share of callers who hung up"]
    for trace in abandon["traces"]:  # one trace per queue, one bar per scenario
        rows = csv[csv["queue"] == trace["name"]]
        assert trace["x"] == list(rows["scenario"])
        np.testing.assert_allclose(trace["y"], rows["abandon_rate"], rtol=1e-5)
    assert {t["name"] for t in abandon["traces"]} == {"999", "101"}
    per = csv.drop_duplicates("scenario").set_index("scenario")
    paid = {x: y for t in charts["Paid hours"]["traces"] for x, y in zip(t["x"], t["y"])}
    assert paid == pytest.approx(per["paid_hours"].to_dict(), rel=1e-5)
    cost = charts["Cost over the plan (GBP)"]["traces"]
    stacked = {x: sum(t["y"][t["x"].index(x)] for t in cost) for x in per.index}
    expected = per["roster_cost"] + per["overtime_used_cost"] + per["cost_to_restore"]
    assert stacked == pytest.approx(expected.to_dict(), rel=1e-5)
