"""Read a control room's own call data: a call log (one row per call) or interval counts.

Both kinds of file go through one parser (`_load`) that checks every row and turns clock times
into real instants; `read_history` then counts calls per queue and interval (the canonical table
of `forecasting.schema`) and `read_call_log` returns the cleaned calls for trace replay.
Every problem is an InputError on one line naming the file, the data row and what is wrong,
because the person who has to fix the file is looking at a spreadsheet, not a traceback.

Clock times without a UTC offset are local to ``timezone``. A local time that happens twice
(the hour repeated when the clocks go back) is placed by the order of the rows: the times step
back once where the second pass begins. Times in the gap when the clocks go forward are errors.
"""

from __future__ import annotations

import math
import re
import warnings
import zlib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from forecasting.schema import AHT, CALLS, HISTORY_COLUMNS, INTERVAL_START, QUEUE

from .errors import InputError

TIMESTAMP_COLUMNS = ("call_time", "timestamp", "arrival", "time")
HANDLE_COLUMNS = ("handle_time", "handle_s", "aht")
_TRUE = {"1", "1.0", "true", "t", "yes", "y"}
_FALSE = {"0", "0.0", "false", "f", "no", "n"}
_HAS_UTC_OFFSET = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")
_EXPECTED = ("expected a call log (a time column, one of call_time, timestamp, arrival, time; queue; "
             "optional handle_time, wait, abandoned) or interval counts (queue, interval_start, "
             "calls, optional aht)")
_TIME_FORMAT = ("an ISO 8601 date and time such as '2024-10-27 01:15:00' (local clock) or "
                "'2024-10-27T00:15:00Z' / '2024-10-27 01:15:00+01:00'")


def read_history(path: str | Path, *, timezone: str = "Europe/London", interval_minutes: int = 15,
                 queues: Iterable[str] | None = None,
                 timestamp_column: str | None = None) -> pd.DataFrame:
    """Canonical history (queue, interval_start, calls, aht) from a call log or interval counts.

    Every queue gets every interval from the file's first to its last; intervals with no row
    (no calls in a call log, an omitted row in interval counts) get 0 calls and aht NaN.
    A call log's aht is the mean handle_time of its answered (not abandoned) calls.
    """
    if interval_minutes <= 0 or 60 % interval_minutes:
        raise InputError(f"interval_minutes must divide an hour (e.g. 15), got {interval_minutes}")
    source, kind, table = _load(path, timezone, queues, timestamp_column)
    if kind == "log":
        return _count_calls(table, interval_minutes)
    return _complete_counts(source, table, interval_minutes)


def read_call_log(path: str | Path, *, timezone: str = "Europe/London", queues: Iterable[str] | None = None,
                  timestamp_column: str | None = None) -> pd.DataFrame:
    """One row per call, in time order: arrival (tz-aware), queue, and handle_time and wait
    (seconds) and abandoned (boolean, NA where unknown) when the file has them."""
    source, kind, table = _load(path, timezone, queues, timestamp_column)
    if kind != "log":
        raise source.fail("this is an interval-count file (it has a 'calls' column), "
                          "not a call log with one row per call")
    return table.sort_values("arrival", kind="stable", ignore_index=True)


def write_history(history: pd.DataFrame, path: str | Path) -> None:
    """Write a history table as Parquet (.parquet, .pq) or CSV (anything else, .gz compressed).
    CSV interval starts carry their UTC offset, so a fall-back day reads back unambiguously."""
    path = Path(path)
    table = history.loc[:, list(HISTORY_COLUMNS)]
    if path.suffix.lower() in (".parquet", ".pq"):
        table.to_parquet(path, index=False)
    else:
        table.to_csv(path, index=False)


@dataclass(frozen=True)
class _Source:
    path: Path
    is_csv: bool

    def fail(self, problem: str, row=None) -> InputError:
        """``row`` is the 0-based position among the data rows, as read."""
        if row is None:
            return InputError(f"{self.path}: {problem}")
        where = f"data row {row + 1}"
        if self.is_csv:
            where += f" (line {row + 2} of the file, counting the header line)"
        return InputError(f"{self.path}: {where}: {problem}")


def _load(path, timezone: str, queues, timestamp_column) -> tuple[_Source, str, pd.DataFrame]:
    """The one parser behind both readers: ("log", calls) or ("counts", interval rows)."""
    _check_timezone(timezone)
    source, raw = _read_table(path)
    kind, time_column = _layout(source, raw.columns, timestamp_column)
    raw = _select_queues(source, raw, queues)
    instants = _instants(source, raw[time_column], time_column, timezone)
    if kind == "log":
        return source, kind, _call_log(source, raw, instants)
    counts = pd.DataFrame({QUEUE: raw[QUEUE], INTERVAL_START: instants,
                           CALLS: _numbers(source, raw, CALLS, whole=True),
                           AHT: _numbers(source, raw, AHT) if AHT in raw else np.nan})
    return source, kind, counts


def _check_timezone(timezone: str) -> None:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise InputError(f"timezone {timezone!r} is not a known IANA time zone "
                         "(e.g. 'Europe/London')") from None


def _read_table(path) -> tuple[_Source, pd.DataFrame]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise InputError(f"{path}: spreadsheet workbooks are not read; save the sheet as CSV or Parquet")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if not magic:
        raise InputError(f"{path}: the file is empty")
    source = _Source(path, is_csv=magic != b"PAR1" and path.suffix.lower() not in (".parquet", ".pq"))
    try:
        table = _read_csv(path, magic) if source.is_csv else pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise source.fail("the file is empty") from None
    except pd.errors.ParserWarning:
        raise source.fail("some rows have more fields than the header "
                          "(an unquoted comma in a value?)") from None
    except UnicodeDecodeError:
        raise source.fail("unreadable format: not UTF-8 text (save it as CSV UTF-8 or Parquet)") from None
    # The readers raise parser, codec, compression and Arrow errors; all mean "cannot read this".
    except (ValueError, OSError, EOFError, zlib.error) as exc:
        kind = "CSV" if source.is_csv else "Parquet"
        raise source.fail(f"unreadable format: cannot read it as {kind}: {_one_line(exc)}") from None
    return source, _normalise_columns(source, table)


def _read_csv(path: Path, magic: bytes) -> pd.DataFrame:
    """All values as text, checked column by column later. index_col=False stops pandas from
    quietly turning an extra field in every row into an index (shifting the values under the
    wrong headers); it warns instead, which becomes an error here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return pd.read_csv(path, dtype=str, skipinitialspace=True, index_col=False,
                           compression="gzip" if magic[:2] == b"\x1f\x8b" else "infer")


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _normalise_columns(source: _Source, table: pd.DataFrame) -> pd.DataFrame:
    names = [str(name).lstrip("\ufeff").strip().lower() for name in table.columns]
    if len(set(names)) < len(names):
        raise source.fail(f"column names repeat (ignoring case): {list(table.columns)}")
    if table.empty:
        raise source.fail("the file has a header but no data rows")
    return table.set_axis(names, axis=1).reset_index(drop=True)


def _layout(source: _Source, columns: pd.Index, timestamp_column: str | None) -> tuple[str, str]:
    """The kind of file, "counts" (it has a calls column) or "log", and its time column."""
    chosen = timestamp_column.strip().lower() if timestamp_column else None
    kind = "counts" if CALLS in columns else "log"
    if kind == "counts":
        candidates = (chosen or INTERVAL_START,)
    else:
        candidates = (chosen,) if chosen else TIMESTAMP_COLUMNS
    present = [name for name in candidates if name in columns]
    missing = [] if QUEUE in columns else [f"column {QUEUE!r}"]
    if not present:
        missing.append(f"column {candidates[0]!r}" if len(candidates) == 1 else
                       f"a time column (one of {', '.join(map(repr, candidates))})")
    if missing:
        what = " for interval counts (the file has a 'calls' column)" if kind == "counts" else ""
        raise source.fail(f"missing {' and '.join(missing)}{what}; "
                          f"the file has columns {list(columns)}; {_EXPECTED}")
    if len(present) > 1:
        raise source.fail(f"more than one time column ({', '.join(present)}); "
                          "say which one holds the call time (timestamp_column)")
    return kind, present[0]


def _select_queues(source: _Source, raw: pd.DataFrame, wanted) -> pd.DataFrame:
    names = _text(raw[QUEUE])
    blank = names.isna() | names.eq("")
    if blank.any():
        raise source.fail("the queue is empty", _first(blank))
    raw = raw.assign(**{QUEUE: names})
    if wanted is None:
        return raw
    wanted = [str(q) for q in ([wanted] if isinstance(wanted, str) else wanted)]
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        raise source.fail(f"queue {', '.join(map(repr, unknown))} is not in the file, "
                          f"which has queues {sorted(set(names))}")
    return raw[names.isin(wanted)]


def _text(values: pd.Series) -> pd.Series:
    """Values as stripped text, NaN kept; whole floats lose their '.0' (a Parquet queue 999.0)."""
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")
    text = values.astype("str").str.strip()
    return text.where(values.notna())


def _show(value) -> str:
    """A cell as the user would recognise it: text quoted, numbers plain (not np.int64(-1))."""
    return repr(value) if isinstance(value, str) else str(value)


def _first(mask: pd.Series):
    return mask.index[mask.to_numpy(dtype=bool, na_value=False)][0]


def _instants(source: _Source, values: pd.Series, column: str, timezone: str) -> pd.Series:
    """Real instants in ``timezone`` from datetimes or text, with or without a UTC offset."""
    if values.isna().any():
        raise source.fail(f"the time ({column}) is empty", _first(values.isna()))
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(timezone).dt.as_unit("ns")
    if pd.api.types.is_datetime64_dtype(values):
        return _localise_in_order(source, values, timezone)
    return _parse_times(source, _text(values), column, timezone)


def _parse_times(source: _Source, text: pd.Series, column: str, timezone: str) -> pd.Series:
    """ISO 8601 only: '03/04/2024' is 3 April in London and 4 March in Pennsylvania, and
    guessing would silently swap months."""
    with_offset = text.str.contains(_HAS_UTC_OFFSET)
    mixed = with_offset != with_offset.iloc[0]
    if mixed.any():
        row = _first(mixed)
        raise source.fail(f"the time {text[row]!r} differs from the first row's in having a UTC "
                          "offset or not; use one convention for the whole file", row)
    has_offset = bool(with_offset.iloc[0])
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=has_offset)
    if parsed.isna().any():
        row = _first(parsed.isna())
        raise source.fail(f"cannot read the time {text[row]!r} in column {column!r}; "
                          f"expected {_TIME_FORMAT}", row)
    if has_offset:
        return parsed.dt.tz_convert(timezone).dt.as_unit("ns")
    return _localise_in_order(source, parsed, timezone)


def _localise_in_order(source: _Source, naive: pd.Series, timezone: str) -> pd.Series:
    """Local clock times to instants; a repeated fall-back time is placed by the rows' order."""
    every = np.ones(len(naive), dtype=bool)
    as_dst = naive.dt.tz_localize(timezone, ambiguous=every, nonexistent="NaT")
    as_standard = naive.dt.tz_localize(timezone, ambiguous=~every, nonexistent="NaT")
    if as_dst.isna().any():
        row = _first(as_dst.isna())
        raise source.fail(f"the local time {naive[row]} does not exist in {timezone}: "
                          "the clocks went forward over it", row)
    dst_first = as_dst <= as_standard
    first_pass = as_dst.where(dst_first, as_standard)
    second_pass = as_standard.where(dst_first, as_dst)
    later = _second_pass(source, naive, (as_dst != as_standard).to_numpy())
    return first_pass.where(~later, second_pass).dt.as_unit("ns")


def _second_pass(source: _Source, naive: pd.Series, repeated: np.ndarray) -> np.ndarray:
    """Which repeated wall-clock times are in the second pass of the hour. In each run of
    consecutive such rows the times must step back exactly once, where the second pass begins;
    ties do not count as steps (two calls in the same second are common in a busy hour)."""
    later = np.zeros(len(naive), dtype=bool)
    positions = np.flatnonzero(repeated)
    wall = naive.to_numpy()
    for run in np.split(positions, np.flatnonzero(np.diff(positions) > 1) + 1) if positions.size else []:
        steps = np.flatnonzero(np.diff(wall[run]) < np.timedelta64(0))
        if len(steps) == 0:
            row = naive.index[run[0]]
            raise source.fail(f"the local time {naive[row]} happens twice (the clocks went back) and "
                              "the order of the rows does not show which is meant; give the times "
                              "a UTC offset, e.g. '2024-10-27 01:15:00+01:00'", row)
        if len(steps) > 1:
            row = naive.index[run[steps[1] + 1]]
            raise source.fail(f"the time {naive[row]} steps back a second time within the repeated "
                              "hour when the clocks went back, so the order cannot place it; sort "
                              "the rows by time or give the times a UTC offset", row)
        later[run[steps[0] + 1:]] = True
    return later


def _numbers(source: _Source, raw: pd.DataFrame, column: str, *, whole: bool = False) -> pd.Series:
    """A numeric column checked row by row: numbers >= 0, whole if ``whole`` (then required)."""
    values = raw[column]
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    checks = [(values.notna() & ~np.isfinite(numbers), "is not a number"),
              (numbers < 0, "is negative")]
    if whole:
        checks = [(values.isna(), "is empty")] + checks + [(numbers % 1 != 0, "is not a whole number"),
                                                           (numbers > 1e9, "is implausibly large")]
    for bad, problem in checks:
        if bad.any():
            row = _first(bad)
            shown = "" if pd.isna(values[row]) else f" {_show(values[row])}"
            raise source.fail(f"{column}{shown} {problem}", row)
    return numbers.astype(np.int64) if whole else numbers


def _flags(source: _Source, raw: pd.DataFrame, column: str) -> pd.Series:
    values = raw[column]
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    text = _text(values).str.lower()
    bad = text.notna() & ~text.isin(_TRUE | _FALSE)
    if bad.any():
        row = _first(bad)
        raise source.fail(f"{column} {_show(values[row])} is not yes/no, true/false or 1/0", row)
    return text.isin(_TRUE).astype("boolean").where(text.notna(), pd.NA)


def _call_log(source: _Source, raw: pd.DataFrame, arrival: pd.Series) -> pd.DataFrame:
    handle = [name for name in HANDLE_COLUMNS if name in raw]
    if len(handle) > 1:
        raise source.fail(f"more than one handle-time column ({', '.join(handle)}); keep one")
    log = pd.DataFrame({"arrival": arrival, QUEUE: raw[QUEUE]})
    if handle:
        log["handle_time"] = _numbers(source, raw, handle[0])
    if "wait" in raw:
        log["wait"] = _numbers(source, raw, "wait")
    if "abandoned" in raw:
        log["abandoned"] = _flags(source, raw, "abandoned")
    return log


def _interval_start(instants: pd.Series, minutes: int) -> pd.Series:
    """The start of each instant's interval on the local clock's grid. Intervals divide the
    hour and clocks change on the hour, so every interval is a real ``minutes`` long."""
    wall = instants.dt.tz_localize(None)
    return instants - (wall - wall.dt.floor(f"{minutes}min"))


def _count_calls(log: pd.DataFrame, minutes: int) -> pd.DataFrame:
    handle = log["handle_time"] if "handle_time" in log else pd.Series(np.nan, index=log.index)
    if "abandoned" in log:
        handle = handle.where(~log["abandoned"].fillna(False).to_numpy(dtype=bool))
    frame = pd.DataFrame({QUEUE: log[QUEUE], INTERVAL_START: _interval_start(log["arrival"], minutes),
                          "handle": handle})
    grouped = frame.groupby([QUEUE, INTERVAL_START])
    per_interval = pd.DataFrame({CALLS: grouped.size(), AHT: grouped["handle"].mean()})
    return _on_grid(per_interval.reset_index(), minutes)


def _complete_counts(source: _Source, counts: pd.DataFrame, minutes: int) -> pd.DataFrame:
    starts = counts[INTERVAL_START]
    off_grid = starts != _interval_start(starts, minutes)
    if off_grid.any():
        row = _first(off_grid)
        raise source.fail(f"interval_start {starts[row]} is not the start of a "
                          f"{minutes}-minute interval", row)
    repeated = counts.duplicated([QUEUE, INTERVAL_START])
    if repeated.any():
        row = _first(repeated)
        same = (counts[QUEUE] == counts.at[row, QUEUE]) & (starts == starts[row])
        raise source.fail(f"queue {counts.at[row, QUEUE]!r} interval {starts[row]} appears twice "
                          f"(first at data row {_first(same) + 1})", row)
    _check_not_coarser(source, starts, minutes)
    return _on_grid(counts.assign(**{AHT: counts[AHT].where(counts[CALLS] > 0)}), minutes)


def _check_not_coarser(source: _Source, starts: pd.Series, minutes: int) -> None:
    """Hourly counts read as 15-minute intervals would silently get three empty quarters an
    hour; a day's rows or more that all start on a coarser grid are taken to be that mistake."""
    step = math.gcd(60, *starts.dt.minute.unique().tolist())
    if step > minutes and len(starts) >= 24:
        raise source.fail(f"all {len(starts)} interval starts are on {step}-minute boundaries; "
                          f"the file's intervals seem longer than interval_minutes = {minutes}")


def _on_grid(per_interval: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """Every queue on every interval from the first to the last: missing intervals get 0 calls."""
    starts = per_interval[INTERVAL_START]
    utc = pd.date_range(starts.min().tz_convert("UTC"), starts.max().tz_convert("UTC"),
                        freq=f"{minutes}min", unit="ns")
    grid = pd.MultiIndex.from_product([sorted(per_interval[QUEUE].unique()),
                                       utc.tz_convert(starts.dt.tz)], names=[QUEUE, INTERVAL_START])
    full = per_interval.set_index([QUEUE, INTERVAL_START]).reindex(grid)
    full[CALLS] = full[CALLS].fillna(0).astype(np.int64)
    full[AHT] = full[AHT].astype(float)
    return full.reset_index()[list(HISTORY_COLUMNS)]


SEE_COLUMNS = ("date", "vru_exit", "q_start", "q_time", "outcome", "ser_start", "ser_exit", "ser_time",
               "server", "type")


def is_see_call_log(path: str | Path) -> bool:
    """Whether the file is in the Technion SEE Lab call-centre format (vru_entry, q_start, ...)."""
    try:
        header = pd.read_csv(path, nrows=0)
    except (ValueError, OSError, EOFError, zlib.error, UnicodeDecodeError):
        return False
    names = {str(c).strip().lower() for c in header.columns}
    return {"vru_entry", "q_start", "ser_start", "outcome"} <= names


def read_see_call_log(path: str | Path, *, timezone: str = "Asia/Jerusalem", queue: str | None = None) -> pd.DataFrame:
    """A call log in the Technion SEE Lab format (e.g. the Anonymous Bank data) as a standard one.

    Calls that never reached the agent queue (hung up in the voice-response unit), calls
    "answered" by NO_SERVER (finished in a few seconds without an agent) and PHANTOM recording
    artefacts are dropped. A call joins the queue at q_start, or at vru_exit when it
    went straight to an agent (q_start 0:00:00). Returns arrival, queue (the service ``type``,
    or ``queue`` for every call), handle_time (ser_time of answered calls, else NaN), wait
    (q_time), abandoned (outcome HANG), agent, priority (if the file has it: the customer's priority as published: 2
    for the bank's high-priority customers, 0 and 1 for the others), service_start and
    service_end (NaT if not answered), sorted by arrival.
    """
    _check_timezone(timezone)
    source, raw = _read_table(path)
    missing = [c for c in SEE_COLUMNS if c not in raw.columns]
    if missing:
        raise source.fail(f"missing column(s) {', '.join(missing)} of the SEE Lab call-log format; "
                          f"the file has columns {list(raw.columns)}")
    outcome = raw["outcome"].str.strip().str.upper()
    bad = ~outcome.isin(["AGENT", "HANG", "PHANTOM"])
    if bad.any():
        row = _first(bad)
        raise source.fail(f"outcome {raw.at[row, 'outcome']!r} is not AGENT, HANG or PHANTOM", row)
    queued = raw["q_start"].str.strip() != "0:00:00"
    no_agent = (outcome == "AGENT") & (raw["server"].str.strip().str.upper() == "NO_SERVER")
    keep = (outcome != "PHANTOM") & (queued | (outcome == "AGENT")) & ~no_agent
    raw, outcome, queued = raw[keep], outcome[keep], queued[keep]
    day = pd.to_datetime(raw["date"].str.strip(), format="%y%m%d", errors="coerce")
    if day.isna().any():
        row = _first(day.isna())
        raise source.fail(f"date {raw.at[row, 'date']!r} is not YYMMDD", row)

    def clock(column):
        delta = pd.to_timedelta(raw[column].str.strip(), errors="coerce")
        if delta.isna().any():
            row = _first(delta.isna())
            raise source.fail(f"{column} {raw.at[row, column]!r} is not a time H:MM:SS", row)
        return day + delta

    arrival = clock("q_start").where(queued, clock("vru_exit"))
    answered = outcome == "AGENT"
    start, end = clock("ser_start").where(answered), clock("ser_exit").where(answered)
    end = end.where(end >= start, end + pd.Timedelta(days=1))  # a call answered before midnight, ending after
    local = lambda t: t.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT").dt.as_unit("ns")  # noqa: E731
    log = pd.DataFrame({
        "arrival": local(arrival),
        QUEUE: raw["type"].str.strip() if queue is None else queue,
        "handle_time": _numbers(source, raw, "ser_time").where(answered),
        "wait": _numbers(source, raw, "q_time"),
        "abandoned": ~answered,
        "agent": raw["server"].str.strip().where(answered),
        "service_start": local(start), "service_end": local(end),
    })
    if "priority" in raw.columns:
        log["priority"] = _numbers(source, raw, "priority", whole=True).to_numpy()
    return log.sort_values("arrival", kind="stable", ignore_index=True)


STAFFING_TIME_COLUMNS = ("interval_start", "start", "end", "break_start", "break_end")


def read_staffing_file(path: str | Path, *, timezone: str = "Europe/London") -> pd.DataFrame:
    """Agents on duty per interval (interval_start, agents, optionally queue or skills) or a
    roster (staff_id, start, end, optionally break_start, break_end, and skills), with its times
    as real instants; values are checked by the simulation, which names the row."""
    _check_timezone(timezone)
    source, raw = _read_table(path)
    if "agents" not in raw.columns and "staff_id" not in raw.columns:
        raise source.fail(f"expected agents per interval (interval_start, agents, optionally queue or skills) "
                          f"or a roster (staff_id, start, end, skills); the file has columns {list(raw.columns)}")
    table = raw.copy()
    for column in STAFFING_TIME_COLUMNS:
        if column not in table.columns:
            continue
        given = table[column].notna() & (table[column].astype(str).str.strip() != "")
        if column in ("interval_start", "start", "end") and not given.all():
            raise source.fail(f"the time ({column}) is empty", _first(~given))
        parsed = pd.Series(pd.NaT, index=table.index, dtype=f"datetime64[ns, {timezone}]")
        if given.any():
            parsed[given] = _instants(source, table.loc[given, column], column, timezone)
        table[column] = parsed
    if "agents" in table.columns:
        table["agents"] = _numbers(source, raw, "agents", whole=True)
    return table
