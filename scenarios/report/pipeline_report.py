"""The report of a pipeline run (`controlroom demo` and `controlroom run`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import charts
from .page import Report, Section, shown_path


def pipeline_report(history: pd.DataFrame, tables: dict[str, pd.DataFrame], summary: dict[str, Any],
                    out: Path, marks: Sequence[tuple] = ()) -> Path:
    """Write ``out/report.html`` from the run's tables (as written to CSV) and its summary;
    ``marks`` are the special days (wall-clock start, end, name) shaded on the demand charts."""
    report = Report(
        title=f"controlroom: {summary['inputs'].get('scenario', 'run')}",
        subtitle=f"{summary['horizon']['days']} days from {summary['horizon']['start'][:10]}",
        inputs=_shown_inputs(summary["inputs"]),
    )
    _verdict(report, summary)
    _demand(report, history, tables["forecast.csv"], marks)
    report.add(Section("Staffing", "Handlers needed in each 15 minutes for the targets (after absence), "
                       "against those the roster puts on duty and not on break.")
               ).chart(charts.staffing_chart(tables["cover.csv"]))
    _service(report, tables["kpi_intervals.csv"], summary)
    _roster(report, tables["roster.csv"], summary)
    return report.write(Path(out) / "report.html")


def _shown_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The run's inputs with its files shown relative to the current folder where they are inside it."""
    shown = dict(inputs)
    for key in ("scenario_file", "data"):
        if key in shown and Path(str(shown[key])).is_file():
            shown[key] = shown_path(shown[key])
    return shown


def _verdict(report: Report, summary: dict[str, Any]) -> None:
    rows = []
    for queue, q in summary["queues"].items():
        sim, target = q["simulated"], q["target"]
        lo, hi = sim["service_level_ci95"]
        rows.append({
            "queue": queue,
            "target": f"{target['service_level']:.0%} within {target['answer_within_s']:g}s",
            "simulated": f"{sim['service_level']:.1%} " + ("(one replication: no interval)" if lo is None
                                                            else f"({lo:.1%} to {hi:.1%})"),
            "abandoned": f"{sim['abandon_rate']:.1%}",
            "days below target": f"{q['share_of_days_below_target']:.0%}",
            "verdict": "met" if q["met_with_confidence"] else ("met (not with confidence)" if q["met"] else "missed"),
        })
    report.add(Section("Verdict", "From the simulated calls, not from the plan; the range is a 95% "
                       "confidence interval over the replications.")).table(
        pd.DataFrame(rows), classes={"met": "met", "missed": "missed"})


def _demand(report: Report, history: pd.DataFrame, forecast: pd.DataFrame, marks: Sequence[tuple]) -> None:
    section = report.add(Section("Demand", "Calls per 15 minutes: the last two weeks of history, then "
                                 "the forecast with 80% and 95% bands; bank holidays and events shaded."))
    for queue in forecast["queue"].astype(str).unique():
        section.chart(charts.demand_chart(history, forecast, queue, marks=marks))


def _service(report: Report, kpi: pd.DataFrame, summary: dict[str, Any]) -> None:
    section = report.add(Section("Service", "Simulated service level, abandonment and occupancy by day and "
                                 "time of day; crosses mark intervals below the service-level target."))
    for queue, q in summary["queues"].items():
        target = q["target"]["service_level"]
        section.chart(charts.kpi_heatmap(kpi, queue, "service_level", target=target,
                                         title=f"{queue}: share answered within {q['target']['answer_within_s']:g}s"))
        section.chart(charts.kpi_heatmap(kpi, queue, "abandon_rate", higher_is_better=False,
                                         title=f"{queue}: share of callers who hung up"))
    first = next(iter(summary["queues"]))
    section.chart(charts.kpi_heatmap(kpi, first, "occupancy", higher_is_better=False,
                                     title="Handler occupancy (share of time on calls)"))


def _roster(report: Report, shifts: pd.DataFrame, summary: dict[str, Any]) -> None:
    cost = float(shifts["cost"].sum()) if "cost" in shifts else float("nan")
    hours = float(shifts["paid_hours"].sum()) if "paid_hours" in shifts else float("nan")
    section = report.add(Section("Roster", f"{len(shifts):,} shifts for {shifts['staff_id'].nunique():,} "
                                 f"people, {hours:,.0f} paid hours, cost {cost:,.0f}."))
    by_kind = shifts.groupby("shift").agg(shifts=("staff_id", "size"), paid_hours=("paid_hours", "sum"),
                                          cost=("cost", "sum")).reset_index()
    section.table(by_kind)
    section.chart(charts.roster_timeline(shifts))
