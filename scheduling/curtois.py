"""Read a Curtois-Qu Employee Shift Scheduling Benchmark instance into a RosterProblem.

The instance becomes an ordinary named-roster problem (scheduling.people), solved by the same
model as a control room (scheduling.named_roster) and judged by the same checker
(scheduling.rules): its penalty is the benchmark's objective. Format: see
shared/data/rostering/README.md (T. Curtois and R. Qu, University of Nottingham, 2014).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scheduling.errors import SchedulingError
from scheduling.people import DayCover, Person, Request, RosterProblem, Rules, ShiftType

SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF",
            "SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER")

# The benchmark has no clock times, no average-week cap and no weekly-rest rule of its own:
# everything is in the instance. Its minimum-run rules leave runs at the horizon edges alone.
BENCHMARK_RULES = Rules(min_rest_min=None, max_avg_week_min=None, weekly_rest_days=0, min_runs_open_ends=True)


def read_instance(path: str | Path) -> RosterProblem:
    """Parse an instance file; raise SchedulingError naming the file and line for bad input."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchedulingError(f"{path}: cannot read the instance ({exc.strerror})") from None
    sections = _sections(path, text)
    missing = [s for s in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF") if s not in sections]
    if missing:
        raise SchedulingError(f"{path}: missing section(s) {missing}")

    def field(where, value, kind=int):
        try:
            return kind(value.strip())
        except ValueError:
            raise SchedulingError(f"{path}:{where}: expected {kind.__name__}, got {value.strip()!r}") from None

    def rows(name, width):
        for line_no, parts in sections.get(name, []):
            if len(parts) < width:
                raise SchedulingError(f"{path}:{line_no}: {name} needs {width} comma-separated fields, got {len(parts)}")
            yield line_no, parts

    (line_no, parts), = sections["SECTION_HORIZON"][:1] or [(0, [""])]
    horizon = field(line_no, parts[0])
    shifts = []
    for line_no, parts in rows("SECTION_SHIFTS", 2):
        forbidden = frozenset(x.strip() for x in (parts[2] if len(parts) > 2 else "").split("|") if x.strip())
        shifts.append(ShiftType(id=parts[0].strip(), length_min=field(line_no, parts[1]), forbidden_next=forbidden))
    days_off = {}
    for line_no, parts in rows("SECTION_DAYS_OFF", 1):
        days_off[parts[0].strip()] = frozenset(field(line_no, d) for d in parts[1:] if d.strip())
    people = []
    for line_no, parts in rows("SECTION_STAFF", 8):
        maxima = {}
        for item in parts[1].split("|"):
            if item.strip():
                sid, _, n = item.partition("=")
                maxima[sid.strip()] = field(line_no, n)
        pid = parts[0].strip()
        people.append(Person(
            id=pid, max_shifts=maxima, max_minutes=field(line_no, parts[2]), min_minutes=field(line_no, parts[3]),
            max_consecutive=field(line_no, parts[4]), min_consecutive=max(1, field(line_no, parts[5])),
            min_days_off=max(1, field(line_no, parts[6])), max_weekends=field(line_no, parts[7]),
            days_off=days_off.get(pid, frozenset())))
    staff = {p.id for p in people}
    for line_no, parts in rows("SECTION_DAYS_OFF", 1):
        if parts[0].strip() not in staff:
            raise SchedulingError(f"{path}:{line_no}: SECTION_DAYS_OFF names unknown employee {parts[0].strip()!r}")
    requests = []
    for name, on in (("SECTION_SHIFT_ON_REQUESTS", True), ("SECTION_SHIFT_OFF_REQUESTS", False)):
        for line_no, parts in rows(name, 4):
            requests.append(Request(person=parts[0].strip(), day=field(line_no, parts[1]), shift=parts[2].strip(),
                                    weight=field(line_no, parts[3], float), on=on))
    cover = [DayCover(day=field(n, p[0]), shift=p[1].strip(), required=field(n, p[2]),
                      under_weight=field(n, p[3], float), over_weight=field(n, p[4], float))
             for n, p in rows("SECTION_COVER", 5)]
    try:
        return RosterProblem(horizon=horizon, shifts=tuple(shifts), people=tuple(people), rules=BENCHMARK_RULES,
                             requests=tuple(requests), day_cover=tuple(cover), first_weekday=0)
    except SchedulingError as exc:
        raise SchedulingError(f"{path}: {exc}") from None


def _sections(path: Path, text: str) -> dict[str, list[tuple[int, list[str]]]]:
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current = None
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise SchedulingError(f"{path}:{line_no}: unknown section {line!r}; known: {', '.join(SECTIONS)}")
            current = sections.setdefault(line, [])
            continue
        if current is None:
            raise SchedulingError(f"{path}:{line_no}: data before the first SECTION_ line")
        current.append((line_no, line.split(",")))
    return sections


def solution_frame(roster: pd.DataFrame) -> pd.DataFrame:
    """The benchmark's solution table: employee, day (from 0), shift."""
    return roster.rename(columns={"person": "employee"})[["employee", "day", "shift"]].sort_values(
        ["employee", "day"]).reset_index(drop=True)


def read_solution(path: str | Path) -> pd.DataFrame:
    """A solution CSV (employee, day, shift) as a checker roster (person, day, shift)."""
    try:
        frame = pd.read_csv(path, dtype={"employee": str, "shift": str})
    except (OSError, pd.errors.ParserError) as exc:
        raise SchedulingError(f"{path}: cannot read the solution ({exc})") from None
    missing = [c for c in ("employee", "day", "shift") if c not in frame.columns]
    if missing:
        raise SchedulingError(f"{path}: missing column(s) {missing}; needs employee, day, shift")
    return frame.rename(columns={"employee": "person"})
