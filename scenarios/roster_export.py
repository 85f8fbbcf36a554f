"""Export a named roster: CSV, an Excel workbook planners can read, and a cover chart.

Workbook sheets:
  Roster  one row per person, one column per day, the shift code in the cell, coloured by shift
  Cover   required against rostered heads per interval and skill
  Rules   for each person, each rule of their pattern: "met" or what breaks it
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from scheduling.people import DAY_MINUTES, RosterProblem  # noqa: E402
from scheduling.rules import CheckResult  # noqa: E402

# Light fills for day shifts; nights get a dark fill with white text so they stand out.
_PALETTE = ("FFF2CC", "DDEBF7", "E2EFDA", "FCE4D6", "EDE2F6", "D9D9D9", "FFE699", "BDD7EE", "C6E0B4")
_NIGHT = "203864"

RULES_SHOWN = ("day_off", "skill", "rest", "forbidden_succession", "max_shifts", "min_minutes", "max_minutes",
               "max_consecutive", "min_consecutive", "min_days_off", "weekly_rest", "max_weekends")


def day_labels(problem: RosterProblem, day0: pd.Timestamp | None = None) -> list[str]:
    if day0 is None:
        return [f"d{d}" for d in range(problem.horizon)]
    return [(day0 + pd.Timedelta(days=d)).strftime("%a %d %b") for d in range(problem.horizon)]


def roster_grid(problem: RosterProblem, roster: pd.DataFrame, day0: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per person, one column per day, the shift code or '' for a day off."""
    labels = day_labels(problem, day0)
    grid = pd.DataFrame("", index=[p.id for p in problem.people], columns=labels)
    for person, day, shift in roster[["person", "day", "shift"]].itertuples(index=False):
        grid.iloc[grid.index.get_loc(person), int(day)] = shift
    grid.index.name = "person"
    return grid


def write_csv(roster: pd.DataFrame, path: Path, day0: pd.Timestamp | None = None) -> None:
    table = roster[["person", "day", "shift"]].sort_values(["person", "day"])
    if day0 is not None:
        table = table.assign(date=[(day0 + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d") for d in table["day"]])
    table.to_csv(path, index=False)


def _skills_required(cover: pd.DataFrame) -> pd.DataFrame:
    """Only the skills something is required of (a pooled requirement has one)."""
    wanted = cover.groupby("skill")["required"].sum()
    keep = wanted[wanted > 0].index
    return cover[cover["skill"].isin(keep)] if len(keep) else cover


def write_excel(problem: RosterProblem, roster: pd.DataFrame, checked: CheckResult, path: Path,
                day0: pd.Timestamp | None = None) -> None:
    book = Workbook()
    _roster_sheet(book.active, problem, roster_grid(problem, roster, day0))
    if checked.interval_cover is not None:
        _cover_sheet(book.create_sheet("Cover"), problem, _skills_required(checked.interval_cover), day0)
    _rules_sheet(book.create_sheet("Rules"), problem, checked)
    book.save(path)


def _header(sheet, names) -> None:
    sheet.append(list(names))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"


def _roster_sheet(sheet, problem: RosterProblem, grid: pd.DataFrame) -> None:
    sheet.title = "Roster"
    _header(sheet, ["person"] + list(grid.columns))
    fills = {}
    for i, s in enumerate(problem.shifts):
        colour = _NIGHT if s.night else _PALETTE[i % len(_PALETTE)]
        fills[s.id] = (PatternFill("solid", fgColor=colour), Font(color="FFFFFF" if s.night else "000000"))
    for person, row in grid.iterrows():
        sheet.append([person] + list(row))
        for cell in sheet[sheet.max_row][1:]:
            if cell.value in fills:
                cell.fill, cell.font = fills[cell.value]
            cell.alignment = Alignment(horizontal="center")
    sheet.column_dimensions["A"].width = 14
    for col in range(2, grid.shape[1] + 2):
        sheet.column_dimensions[get_column_letter(col)].width = 11


def interval_times(problem: RosterProblem, intervals, day0: pd.Timestamp | None) -> list[str]:
    out = []
    for t in intervals:
        minute = int(t) * problem.interval_min
        if day0 is not None:
            out.append((day0 + pd.Timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M"))
        else:
            out.append(f"d{minute // DAY_MINUTES} {minute % DAY_MINUTES // 60:02d}:{minute % 60:02d}")
    return out


def _cover_sheet(sheet, problem, cover: pd.DataFrame, day0) -> None:
    wide = cover.pivot(index="interval", columns="skill", values=["required", "rostered"])
    wide.columns = [f"{what} {skill}" for what, skill in wide.columns]
    _header(sheet, ["interval", "when"] + list(wide.columns))
    short = PatternFill("solid", fgColor="F8CBAD")
    when = interval_times(problem, wide.index, day0)
    skills = sorted(cover["skill"].unique())
    for (t, row), label in zip(wide.iterrows(), when):
        sheet.append([int(t), label] + [float(v) for v in row])
        for skill in skills:
            if row[f"rostered {skill}"] < row[f"required {skill}"]:
                col = 3 + list(wide.columns).index(f"rostered {skill}")
                sheet.cell(row=sheet.max_row, column=col).fill = short


def _rules_sheet(sheet, problem: RosterProblem, checked: CheckResult) -> None:
    _header(sheet, ["person"] + list(RULES_SHOWN))
    broken = PatternFill("solid", fgColor="F8CBAD")
    by_key = {}
    for v in checked.violations.itertuples(index=False):
        where = "" if v.day < 0 else f"day {v.day}: "
        by_key.setdefault((v.person, v.rule), []).append(where + v.detail)
    for p in problem.people:
        sheet.append([p.id] + ["; ".join(by_key.get((p.id, rule), [])) or "met" for rule in RULES_SHOWN])
        for cell in sheet[sheet.max_row][1:]:
            if cell.value != "met":
                cell.fill = broken
    sheet.column_dimensions["A"].width = 14


def cover_chart(problem: RosterProblem, cover: pd.DataFrame, path: Path, day0: pd.Timestamp | None = None) -> None:
    """Required against rostered heads per interval, one panel per skill."""
    cover = _skills_required(cover)
    skills = sorted(cover["skill"].unique())
    fig, axes = plt.subplots(len(skills), 1, figsize=(14, 3.2 * len(skills)), sharex=True, squeeze=False)
    hours = None
    for ax, skill in zip(axes[:, 0], skills):
        part = cover[cover["skill"] == skill].sort_values("interval")
        hours = part["interval"].to_numpy() * problem.interval_min / 60
        ax.step(hours, part["required"], where="post", color="black", label="required")
        ax.step(hours, part["rostered"], where="post", color="tab:blue", label="rostered")
        ax.fill_between(hours, part["rostered"], part["required"], step="post",
                        where=part["rostered"] < part["required"], color="tab:red", alpha=0.3, label="short")
        ax.set_ylabel(f"{skill} heads")
        ax.legend(loc="upper right", fontsize=8)
    ticks = list(range(0, problem.horizon * 24 + 1, 24))
    axes[-1, 0].set_xticks(ticks)
    axes[-1, 0].set_xticklabels(day_labels(problem, day0)[: len(ticks)] + [""] * (len(ticks) - problem.horizon),
                                rotation=90, fontsize=7)
    axes[-1, 0].set_xlabel("day")
    fig.suptitle("Required against rostered agents per interval")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


EXPORT_FILES = ("roster.csv", "roster.xlsx", "cover.png")


def export_roster(problem: RosterProblem, roster: pd.DataFrame, checked: CheckResult, out: Path,
                  day0: pd.Timestamp | None = None) -> list[Path]:
    """Write roster.csv, roster.xlsx and (with interval cover) cover.png into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(roster, out / "roster.csv", day0)
    write_excel(problem, roster, checked, out / "roster.xlsx", day0)
    written = [out / "roster.csv", out / "roster.xlsx"]
    if checked.interval_cover is not None:
        cover_chart(problem, checked.interval_cover, out / "cover.png", day0)
        written.append(out / "cover.png")
    return written
