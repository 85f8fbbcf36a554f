"""Judge a roster, or one person's proposed change to it, before anyone agrees to it.

Reads the roster and requirement CSVs described in `controlroom roster check --help`, turns
them into a scheduling.people.RosterProblem (shift types are the distinct start/length/break
combinations found) and lets the independent checker (scheduling.rules.check) say which rules
break and how cover and cost move. Times are local wall-clock; a daylight-saving change inside
the horizon is not modelled (every day has 24 hours here).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scheduling.errors import SchedulingError
from scheduling.people import DAY_MINUTES, Person, RosterProblem, Rules, ShiftType
from scheduling.rules import CheckResult, check

from .errors import InputError


@dataclass(frozen=True)
class ShiftRow:
    person: str
    day: int
    start_min: int
    length_min: int
    break_min: int
    break_offset_min: int | None = None  # where the break starts; None: centred (ShiftType's default)


@dataclass(frozen=True, eq=False)
class CheckInputs:
    roster: tuple[ShiftRow, ...]
    change: tuple[ShiftRow, ...] | None
    requirement: pd.DataFrame | None  # skill, interval, required
    day0: pd.Timestamp | None  # date of day 0 when the files give dates
    rules: Rules
    person_template: Person
    interval_min: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CheckInputs:
        if args.interval_min <= 0 or DAY_MINUTES % args.interval_min:
            raise InputError(f"--interval-min must divide a day into whole intervals, got {args.interval_min}")
        frames = {"roster": _read(args.roster)}
        if args.change is not None:
            frames["change"] = _read(args.change)
        req = _read(args.requirement) if args.requirement is not None else None
        day0 = _first_date([(args.roster, frames["roster"])]
                           + ([(args.change, frames["change"])] if "change" in frames else [])
                           + ([(args.requirement, req)] if req is not None else []))
        roster = _shift_rows(args.roster, frames["roster"], day0)
        change = _shift_rows(args.change, frames["change"], day0) if "change" in frames else None
        if change is not None:
            people = {r.person for r in change}
            if len(people) != 1:
                raise InputError(f"{args.change}: a change must be for exactly one person, found {sorted(people)}")
        requirement = _requirement(args.requirement, req, day0, args.interval_min) if req is not None else None
        try:
            rules = Rules(min_rest_min=round(args.min_rest_h * 60), max_avg_week_min=round(args.max_week_h * 60),
                          weekly_rest_days=args.weekly_rest_days)
            template = Person(id="template", hourly_cost=args.hourly_cost, max_consecutive=args.max_consecutive,
                              min_days_off=args.min_days_off, max_weekends=args.max_weekends)
        except SchedulingError as exc:
            raise InputError(f"roster check options: {exc}") from None
        return cls(tuple(roster), tuple(change) if change is not None else None, requirement, day0, rules,
                   template, args.interval_min)


def _read(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot read the CSV ({exc})") from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    return frame


def _first_date(frames) -> pd.Timestamp | None:
    dates = []
    for path, frame in frames:
        for col in ("date", "start", "interval_start"):
            if col in frame.columns and not frame.empty:
                parsed = pd.to_datetime(frame[col], errors="coerce", format="mixed")
                has_date = frame[col].str.contains("-", na=False)
                dates += list(parsed[has_date].dropna().dt.normalize())
    return min(dates) if dates else None


def _clock(path: Path, row: int, column: str, text: str) -> int:
    try:
        hours, minutes = str(text).strip().split(":")[:2]
        value = int(hours) * 60 + int(minutes)
    except (ValueError, AttributeError):
        raise InputError(f"{path}: row {row + 2}, column {column}: expected HH:MM, got {text!r}") from None
    if not 0 <= value < DAY_MINUTES:
        raise InputError(f"{path}: row {row + 2}, column {column}: {text!r} is not a time of day")
    return value


def _stamp(path: Path, row: int, column: str, text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(str(text).strip())
    except ValueError:
        raise InputError(f"{path}: row {row + 2}, column {column}: expected YYYY-MM-DD HH:MM, got {text!r}") from None


def _from_pipeline(frame: pd.DataFrame) -> pd.DataFrame:
    """A `controlroom run` roster.csv (staff_id, start, end, break_start, break_end) in this file's terms."""
    if "person" in frame.columns or "staff_id" not in frame.columns:
        return frame
    frame = frame.rename(columns={"staff_id": "person"})
    if {"break_start", "break_end"} <= set(frame.columns) and "break_min" not in frame.columns:
        begin = pd.to_datetime(frame["break_start"], errors="coerce", utc=True)
        end = pd.to_datetime(frame["break_end"], errors="coerce", utc=True)
        frame["break_min"] = ((end - begin).dt.total_seconds() // 60).fillna(0).astype(int).astype(str)
        # the tour model moves breaks within a window: where each fell decides the cover it gives
        offset = (begin - pd.to_datetime(frame["start"], errors="coerce", utc=True)).dt.total_seconds() // 60
        frame["break_offset_min"] = offset.astype("Int64").astype(str).replace("<NA>", "")
    return frame


def _shift_rows(path: Path, frame: pd.DataFrame, day0: pd.Timestamp | None) -> list[ShiftRow]:
    frame = _from_pipeline(frame)
    if "person" not in frame.columns or "start" not in frame.columns or "end" not in frame.columns:
        raise InputError(f"{path}: needs columns person, start, end (and date or day unless start/end are "
                         f"full timestamps); it has {list(frame.columns)}")
    rows = []
    for i, rec in frame.iterrows():
        person = str(rec["person"]).strip()
        if not person or person == "nan":
            raise InputError(f"{path}: row {i + 2}: person is empty")
        brk = rec.get("break_min")
        break_min = 0 if brk is None or pd.isna(brk) else _integer(path, i, "break_min", brk)
        if "date" in frame.columns or "day" in frame.columns:
            if "date" in frame.columns:
                date = _stamp(path, i, "date", rec["date"]).normalize()
                day = (date - day0).days
            else:
                day = _integer(path, i, "day", rec["day"])
            start, end = _clock(path, i, "start", rec["start"]), _clock(path, i, "end", rec["end"])
            length = (end - start) % DAY_MINUTES or DAY_MINUTES
        else:
            begin, finish = _stamp(path, i, "start", rec["start"]), _stamp(path, i, "end", rec["end"])
            if finish <= begin:
                raise InputError(f"{path}: row {i + 2}: end {finish} is not after start {begin}")
            day = (begin.normalize() - day0).days
            start = begin.hour * 60 + begin.minute
            length = int((finish - begin).total_seconds() // 60)
        if day < 0:
            raise InputError(f"{path}: row {i + 2}: day must be >= 0, got {day}")
        if not 0 <= break_min < length:
            raise InputError(f"{path}: row {i + 2}: break_min must be >= 0 and shorter than the shift")
        rows.append(ShiftRow(person, day, start, length, break_min, _break_offset(path, i, rec, length, break_min)))
    return rows


def _break_offset(path: Path, row: int, rec, length: int, break_min: int) -> int | None:
    """Minutes from the shift's start to its break, or None where it is the centred default."""
    text = rec.get("break_offset_min")
    if not break_min or text is None or pd.isna(text) or not str(text).strip():
        return None
    offset = _integer(path, row, "break_offset_min", text)
    if not 0 <= offset <= length - break_min:
        raise InputError(f"{path}: row {row + 2}: the break must lie inside the shift")
    centred = ShiftType(id="centred", length_min=length, break_min=break_min).break_window()[0]
    return None if offset == centred else offset


def _integer(path: Path, row: int, column: str, text) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise InputError(f"{path}: row {row + 2}, column {column}: expected a whole number, got {text!r}") from None


def _requirement(path: Path, frame: pd.DataFrame, day0, interval_min: int) -> pd.DataFrame:
    if "required" not in frame.columns or not ({"interval_start"} <= set(frame.columns)
                                               or {"day", "time"} <= set(frame.columns)):
        raise InputError(f"{path}: needs columns interval_start (or day and time) and required; "
                         f"it has {list(frame.columns)}")
    rows = []
    for i, rec in frame.iterrows():
        if "interval_start" in frame.columns:
            ts = _stamp(path, i, "interval_start", rec["interval_start"])
            minute = int((ts - day0).total_seconds() // 60)
        else:
            minute = _integer(path, i, "day", rec["day"]) * DAY_MINUTES + _clock(path, i, "time", rec["time"])
        if minute % interval_min or minute < 0:
            raise InputError(f"{path}: row {i + 2}: interval does not start on the {interval_min}-minute grid")
        try:
            required = float(rec["required"])
        except ValueError:
            raise InputError(f"{path}: row {i + 2}, column required: expected a number, got {rec['required']!r}") from None
        if required < 0:
            raise InputError(f"{path}: row {i + 2}: required must be >= 0, got {required:g}")
        skill = str(rec["skill"]).strip() if "skill" in frame.columns else "999"
        if skill not in ("999", "101"):
            raise InputError(f"{path}: row {i + 2}, column skill: must be 999 or 101, got {skill!r}")
        rows.append((skill, minute // interval_min, required))
    out = pd.DataFrame(rows, columns=["skill", "interval", "required"])
    if out.duplicated(["skill", "interval"]).any():
        raise InputError(f"{path}: more than one row for the same interval (and skill)")
    return out


@dataclass(frozen=True, eq=False)
class CheckReport:
    inputs: CheckInputs
    problem: RosterProblem
    before: CheckResult
    after: CheckResult | None
    cover: pd.DataFrame | None  # when, skill, interval, required, before[, after, change]
    changed_person: str | None
    new_violations: pd.DataFrame | None


def _code(start: int, length: int, brk: int, offset: int | None = None) -> str:
    code = f"{start // 60:02d}{start % 60:02d}+{length / 60:g}h"
    code += f"-{brk}m" if brk else ""
    if brk and offset is not None:  # a break moved from the middle: when it starts
        at = (start + offset) % DAY_MINUTES
        code += f"@{at // 60:02d}{at % 60:02d}"
    return code


def compare_rosters(inputs: CheckInputs) -> CheckReport:
    rows = list(inputs.roster) + list(inputs.change or ())
    kinds = sorted({_kind(r) for r in rows}, key=lambda k: (k[:3], -1 if k[3] is None else k[3]))
    shifts = tuple(ShiftType(id=_code(*k), start_min=k[0], length_min=k[1], break_min=k[2], break_offset_min=k[3])
                   for k in kinds)
    req = inputs.requirement
    last_day = max([r.day for r in rows] + ([int(req["interval"].max()) * inputs.interval_min // DAY_MINUTES]
                                            if req is not None and not req.empty else []))
    t = inputs.person_template
    people = tuple(Person(id=pid, hourly_cost=t.hourly_cost, max_consecutive=t.max_consecutive,
                          min_days_off=t.min_days_off, max_weekends=t.max_weekends)
                   for pid in sorted({r.person for r in rows}))
    cover = None
    if req is not None:
        cover = req.assign(under_weight=1.0, floor=0)
    try:
        problem = RosterProblem(horizon=last_day + 1, shifts=shifts, people=people, rules=inputs.rules,
                                interval_cover=cover, interval_min=inputs.interval_min,
                                first_weekday=inputs.day0.weekday() if inputs.day0 is not None else 0)
        before = check(problem, _table(inputs.roster))
        after = changed = new = None
        if inputs.change is not None:
            changed = inputs.change[0].person
            mixed = [r for r in inputs.roster if r.person != changed] + list(inputs.change)
            after = check(problem, _table(mixed))
            key = ["person", "day", "rule", "detail"]
            new = after.violations.merge(before.violations, on=key, how="left", indicator=True)
            new = new[new["_merge"] == "left_only"][key].reset_index(drop=True)
    except SchedulingError as exc:
        raise InputError(f"roster check: {exc}") from None
    return CheckReport(inputs, problem, before, after, _cover_table(inputs, before, after), changed, new)


def roster_table(report: CheckReport) -> pd.DataFrame:
    """The roster judged: the original, or with the changed person's new pattern."""
    rows = list(report.inputs.roster)
    if report.changed_person is not None:
        rows = [r for r in rows if r.person != report.changed_person] + list(report.inputs.change)
    return _table(rows)


def _table(rows) -> pd.DataFrame:
    return pd.DataFrame([(r.person, r.day, _code(*_kind(r))) for r in rows], columns=["person", "day", "shift"])


def _kind(r: ShiftRow) -> tuple:
    return r.start_min, r.length_min, r.break_min, r.break_offset_min


def _when(inputs: CheckInputs, interval: int) -> str:
    minute = interval * inputs.interval_min
    if inputs.day0 is not None:
        return (inputs.day0 + pd.Timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M")
    return f"day {minute // DAY_MINUTES} {minute % DAY_MINUTES // 60:02d}:{minute % 60:02d}"


def _cover_table(inputs, before, after) -> pd.DataFrame | None:
    if before.interval_cover is None:
        return None
    table = before.interval_cover.rename(columns={"rostered": "before"})
    skills = set(inputs.requirement["skill"])
    table = table[table["skill"].isin(skills)].copy()
    if after is not None:
        later = after.interval_cover.rename(columns={"rostered": "after"})
        table = table.merge(later[["skill", "interval", "after"]], on=["skill", "interval"])
        table["change"] = table["after"] - table["before"]
    table.insert(0, "when", [_when(inputs, int(t)) for t in table["interval"]])
    return table.reset_index(drop=True)


def _paid_hours(rows) -> float:
    return sum(r.length_min - r.break_min for r in rows) / 60


def _spans(table: pd.DataFrame, inputs: CheckInputs) -> list[str]:
    """Consecutive intervals with the same change, as 'from - to: +n' lines with the span's
    requirement and cover after the change (a range when they vary inside the span)."""
    t = table.reset_index(drop=True)
    breaks = (t["interval"].diff() != 1) | (t["change"].diff() != 0) | (t["skill"] != t["skill"].shift())
    out = []
    for _, span in t.groupby(breaks.cumsum(), sort=False):
        first, last = span.iloc[0], span.iloc[-1]
        end = _when(inputs, int(last["interval"]) + 1)
        short = int((span["after"] < span["required"]).sum())
        out.append(f"    {first['when']} - {end[-5:]} ({first['skill']}): {first['change']:+g} head(s), "
                   f"required {_range(span['required'])}, now {_range(span['after'])}, "
                   f"short in {short} of {len(span)} interval(s)")
    return out


def _range(values: pd.Series) -> str:
    low, high = values.min(), values.max()
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


def report_lines(report: CheckReport, quiet: bool = False) -> list[str]:
    inputs, lines = report.inputs, []
    lines.append(f"Roster: {len(report.problem.people)} people, {report.problem.horizon} days, "
                 f"{len(inputs.roster)} shifts.")
    if report.changed_person is not None:
        person = report.changed_person
        old = [r for r in inputs.roster if r.person == person]
        new = list(inputs.change)
        lines.append(f"Change for {person}: {len(old)} shifts ({_paid_hours(old):g} h paid) -> "
                     f"{len(new)} shifts ({_paid_hours(new):g} h paid).")
        rate = inputs.person_template.hourly_cost
        diff = report.after.parts["cost"] - report.before.parts["cost"]
        lines.append(f"Cost: {report.before.parts['cost']:,.2f} -> {report.after.parts['cost']:,.2f} "
                     f"({diff:+,.2f} at {rate:g} an hour).")
    if report.cover is not None:
        lines += _cover_lines(report)
    lines += _rule_lines(report, quiet)
    return lines


def _cover_lines(report: CheckReport) -> list[str]:
    cover, before = report.cover, report.before
    short_before = before.parts["under_cover"]
    if report.after is None:
        short = cover[cover["before"] < cover["required"]]
        return [f"Cover: {len(short)} interval(s) short of the requirement, "
                f"{short_before:g} head-interval(s) uncovered in all."]
    lost = cover[cover["change"] < 0]
    gained = cover[cover["change"] > 0]
    lines = [f"Cover: lost in {len(lost)} interval(s) ({lost['change'].sum():+g} head-intervals), "
             f"gained in {len(gained)} ({gained['change'].sum():+g}); uncovered head-intervals "
             f"{short_before:g} -> {report.after.parts['under_cover']:g}."]
    for title, part in (("  lost:", lost), ("  gained:", gained)):
        if not part.empty:
            lines.append(title)
            lines += _spans(part, report.inputs)
    return lines


def _rule_lines(report: CheckReport, quiet: bool) -> list[str]:
    inputs = report.inputs
    judged = report.after if report.after is not None else report.before
    violations = judged.violations
    if violations.empty:
        return ["Rules: none broken."]
    new_keys = set()
    if report.new_violations is not None:
        new_keys = set(map(tuple, report.new_violations.to_numpy()))
    lines = [f"Rules: {len(violations)} broken" + (f", {len(new_keys)} of them by this change:" if report.after is not None else ":")]
    for rec in violations.itertuples(index=False):
        key = (rec.person, rec.day, rec.rule, rec.detail)
        if quiet and report.after is not None and key not in new_keys:
            continue
        when = "whole horizon" if rec.day < 0 else (
            (inputs.day0 + pd.Timedelta(days=int(rec.day))).strftime("%Y-%m-%d") if inputs.day0 is not None
            else f"day {rec.day}")
        mark = "  [new]" if key in new_keys else ""
        lines.append(f"  {rec.person}, {when}: {rec.rule}: {rec.detail}{mark}")
    return lines


def check_run_files(roster: Path, requirement: Path | None = None, **options) -> CheckReport:
    """Judge a roster CSV (e.g. a run's roster.csv against its cover.csv) with the command's defaults.

    ``options`` override `controlroom roster check`'s options by their argument names
    (``min_rest_h``, ``max_week_h``, ``hourly_cost``, ...).
    """
    from .commands.roster_cmd import register

    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["roster", "check", str(roster)]
                             + (["--requirement", str(requirement)] if requirement is not None else []))
    for name, value in options.items():
        if not hasattr(args, name):
            raise InputError(f"roster check: unknown option {name!r}")
        setattr(args, name, value)
    return compare_rosters(CheckInputs.from_args(args))
