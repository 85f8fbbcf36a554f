"""The report of `controlroom scenarios compare`: each scenario against the reference (the first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..stress_plots import service_level_by
from . import charts
from .page import Report, Section

COSTS = {"roster_cost": "contracted roster", "overtime_used_cost": "overtime used",
         "cost_to_restore": "cost to restore the targets"}


def compare_report(comparison, inputs: dict[str, Any], out: Path) -> Path:
    """Write ``out/report.html`` from a comparison (its table is comparison.csv)."""
    table = comparison.table
    reference = table["scenario"].iloc[0]
    queues = comparison.results[0].stress.baseline.queues
    report = Report(title="controlroom: scenario comparison",
                    subtitle=f"{table['scenario'].nunique()} scenarios against {reference!r}", inputs=inputs)
    report.add(Section("Comparison", f"One row per scenario and queue, from the simulated calls; change is "
                       f"in percentage points against {reference!r}; missed days is the share of simulated "
                       "days (replication x date) whose service level is below the target. Money in "
                       f"{comparison.costs.currency} over the plan.")).table(comparison_rows(table))
    for key, title, x_title in (("hour", "Service level by hour of day", "local hour of day"),
                                ("day", "Service level by day", "day")):
        section = report.add(Section(title, "Share of calls answered within the queue's threshold, "
                                     "replications pooled; the dashed line is the target."))
        for queue, q in queues.items():
            section.chart(charts.lines(_by(comparison, queue, key), key, "sl", "scenario",
                                       title=f"{queue}: answered within {q.answer_within_s:g}s by {key}",
                                       x_title=x_title, y_title="service level", percent=True,
                                       reference=q.service_level, reference_name=f"target {q.service_level:.0%}"))
    _risk(report, table)
    _money(report, table, comparison.costs.currency)
    return report.write(Path(out) / "report.html")


def _by(comparison, queue: str, key: str) -> pd.DataFrame:
    lines = service_level_by(comparison, queue, key)
    if key == "day":  # one tick per day, named, rather than a time axis
        lines[key] = lines[key].dt.strftime("%a %d %b")
    return lines


def comparison_rows(table: pd.DataFrame) -> pd.DataFrame:
    """comparison.csv as a reader wants it: percentages, whole hours and whole money."""
    pct = "{:.1%}".format
    return pd.DataFrame({
        "scenario": table["scenario"], "queue": table["queue"].astype(str), "roster": table["roster"],
        "target": [f"{s:.0%} in {t:g}s" for s, t in zip(table["target_service_level"], table["answer_within_s"])],
        "service level": table["service_level"].map(pct),
        "95% CI": [f"{lo:.1%} to {hi:.1%}" for lo, hi in zip(table["service_level_lo"], table["service_level_hi"])],
        "change": table["service_level_change"].map("{:+.1%}".format),
        "abandoned": table["abandon_rate"].map(pct),
        "missed days": table["p_miss_target"].map(pct),
        "heads": table["heads"].map("{:,.0f}".format), "paid hours": table["paid_hours"].map("{:,.0f}".format),
        "roster cost": table["roster_cost"].map("{:,.0f}".format),
        "cost to restore": table["cost_to_restore"].map("{:,.0f}".format),
        "changes": table["changes"],
    })


def _risk(report: Report, table: pd.DataFrame) -> None:
    section = report.add(Section("Abandonment and risk", "Bars per scenario and queue; the whiskers are 95% "
                                 "confidence intervals over the replications."))
    section.chart(charts.bars(table, "scenario", "abandon_rate", "queue", title="Share of callers who hung up",
                              y_title="abandoned", low="abandon_rate_lo", high="abandon_rate_hi", percent=True))
    section.chart(charts.bars(table, "scenario", "p_miss_target", "queue",
                              title="Probability of missing the target (share of simulated days below it)",
                              y_title="days below target", percent=True))


def _money(report: Report, table: pd.DataFrame, currency: str) -> None:
    per = table.drop_duplicates("scenario")
    section = report.add(Section("Workforce and cost", "The contracted roster of each scenario (leavers and "
                                 "caps applied), overtime its policy added, and what restoring every "
                                 "queue's target would cost on top."))
    section.chart(charts.bars(per, "scenario", "heads", "roster", title="Heads rostered", y_title="people"))
    section.chart(charts.bars(per, "scenario", "paid_hours", "roster", title="Paid hours", y_title="hours"))
    section.chart(charts.stacked_bars(per, "scenario", COSTS, title=f"Cost over the plan ({currency})",
                                      y_title=currency))
