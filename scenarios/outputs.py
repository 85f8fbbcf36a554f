"""Write a run's results into its folder, never over a user's earlier results unless asked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError
from .pipeline import RunResult, scenario_inputs, special_day_marks
from .report.pipeline_report import pipeline_report
from .summary import build_summary

RESULT_FILES = ("forecast.csv", "backtest.csv", "requirement.csv", "roster.csv", "cover.csv",
                "kpi_intervals.csv", "summary.json", "report.html", "roster.xlsx")


def prepare_out_dir(out: Path, *, force: bool) -> Path:
    """Create ``out``; refuse if it already holds results and ``force`` was not given."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out must be a folder, and a file of that name exists")
    existing = [name for name in RESULT_FILES if (out / name).exists()]
    if existing and not force:
        raise InputError(f"{out}: already holds results ({', '.join(existing)}); "
                         "choose another --out or pass --force to overwrite them")
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_run(result: RunResult, out: Path) -> dict[str, Any]:
    tables = {
        "forecast.csv": result.forecast.forecast,
        "backtest.csv": result.forecast.summary(),
        "requirement.csv": result.requirement,
        "roster.csv": result.roster.shifts,
        "cover.csv": result.roster.cover,
        "kpi_intervals.csv": result.simulation.intervals(),
    }
    for name, frame in tables.items():
        frame.to_csv(out / name, index=False, float_format="%.6g")
    summary = build_summary(result, scenario_inputs(result.scenario) | {"command": run_command(result.scenario, out)})
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    pipeline_report(result.history, tables, summary, out, special_day_marks(result))
    write_workbook(out)
    return summary


def run_command(scenario, out: Path) -> str:
    """The command line that makes this run again (the report and summary.json state it)."""
    import shlex
    from importlib import resources

    from .report.page import shown_path

    source = scenario.source_file
    if source is None:
        return "(a scenario built in Python: no command repeats it)"
    with resources.as_file(resources.files("scenarios") / "demo.toml") as demo:
        words = ["controlroom", "demo"] if Path(source).resolve() == Path(demo).resolve() \
            else ["controlroom", "run", shown_path(source)]
    return shlex.join(words + ["--out", shown_path(out)])


def write_workbook(out: Path) -> None:
    """roster.xlsx, judged by the independent rule checker: people by days, cover, rules met."""
    from .roster_check import check_run_files, roster_table
    from .roster_export import write_excel

    judged = check_run_files(out / "roster.csv", out / "cover.csv")
    write_excel(judged.problem, roster_table(judged), judged.before, out / "roster.xlsx", judged.inputs.day0)
