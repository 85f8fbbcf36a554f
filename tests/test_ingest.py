"""Reading a user's own call data: real Montgomery County 911 calls, clock changes, bad files."""

import csv
import gzip
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from scenarios.errors import InputError
from scenarios.ingest import read_call_log, read_history, write_history

from shared_data import SHARED_DATA as DATA  # noqa: E402
MONTCO = DATA / "montco_911_calls.csv.gz"
LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
QUARTER = timedelta(minutes=15)


# --- real data: Montgomery County 911 calls, US/Eastern, spring-forward on 2016-03-13 -------

@pytest.fixture(scope="module")
def montco_rows():
    if not MONTCO.exists():
        pytest.skip(f"real data set {MONTCO} is absent (the shared data folder is not mounted)")
    with gzip.open(MONTCO, "rt", newline="") as handle:
        return [(datetime.strptime(row["call_time"], "%Y-%m-%d %H:%M:%S"), row["queue"])
                for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def montco(montco_rows):
    history = read_history(MONTCO, timezone="US/Eastern")
    return history.assign(day=history["interval_start"].dt.strftime("%Y-%m-%d"))


def test_montco_interval_counts_add_up_to_the_rows(montco, montco_rows):
    assert montco["calls"].sum() == len(montco_rows) == 99_492
    assert montco.groupby("queue")["calls"].sum().to_dict() == Counter(q for _, q in montco_rows)


def test_montco_spring_forward_day_has_92_intervals_and_every_call(montco, montco_rows):
    day = montco[montco["day"] == "2016-03-13"]
    assert day.groupby("queue").size().to_dict() == {"EMS": 92, "Fire": 92, "Traffic": 92}
    assert not (day["interval_start"].dt.hour == 2).any()
    raw = Counter(q for t, q in montco_rows if t.date().isoformat() == "2016-03-13")
    assert day.groupby("queue")["calls"].sum().to_dict() == raw


def test_montco_every_other_whole_day_has_96_intervals(montco):
    sizes = montco.groupby(["queue", "day"]).size()
    days = sorted(montco["day"].unique())
    whole = sizes.drop(index=[days[0], days[-1], "2016-03-13"], level="day")
    assert (whole == 96).all() and len(whole) == 3 * (len(days) - 3)


def test_montco_intervals_are_a_real_quarter_hour_apart(montco):
    for _, queue in montco.groupby("queue"):
        gaps = queue["interval_start"].dt.tz_convert("UTC").diff().dropna()
        assert (gaps == pd.Timedelta(minutes=15)).all()


@pytest.mark.parametrize("date", ["2016-03-13", "2016-07-04"])
def test_montco_hourly_counts_match_counting_the_raw_file(montco, montco_rows, date):
    raw = Counter((q, t.hour) for t, q in montco_rows if t.date().isoformat() == date)
    day = montco[montco["day"] == date]
    ours = day.groupby(["queue", day["interval_start"].dt.hour])["calls"].sum()
    assert {key: n for key, n in ours.items() if n} == raw


def test_montco_call_log_keeps_every_call_in_time_order(montco_rows):
    log = read_call_log(MONTCO, timezone="US/Eastern")
    assert len(log) == len(montco_rows)
    assert log["arrival"].is_monotonic_increasing
    first_time, first_queue = montco_rows[0]
    assert log["arrival"].iloc[0] == pd.Timestamp(first_time, tz="US/Eastern")
    assert log["queue"].iloc[0] == first_queue


# --- clock changes in Europe/London ------------------------------------------------------------

def _fall_back_starts():
    """The 100 real quarter hours of 2024-10-27 in London, computed with zoneinfo, not pandas."""
    first = datetime(2024, 10, 26, 23, 0, tzinfo=UTC)        # local midnight, BST
    return [first + i * QUARTER for i in range(100)]


def _wall(instant: datetime) -> str:
    return instant.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("order", ["by queue", "by time"])
def test_interval_counts_over_fall_back_use_file_order_for_the_repeated_hour(tmp_path, order):
    starts = _fall_back_starts()
    rows = [(q, i, t) for q in ("999", "101") for i, t in enumerate(starts)]
    if order == "by time":
        rows.sort(key=lambda row: row[1])
    path = tmp_path / "counts.csv"
    path.write_text("queue,interval_start,calls,aht\n"
                    + "".join(f"{q},{_wall(t)},{i},{100 + i}\n" for q, i, t in rows))
    history = read_history(path)
    for queue, group in history.groupby("queue"):
        assert len(group) == 100
        assert list(group["interval_start"].dt.tz_convert("UTC")) == [pd.Timestamp(t) for t in starts]
        assert list(group["calls"]) == list(range(100))
    assert history["interval_start"].dt.strftime("%H:%M").value_counts()["01:15"] == 4


def test_call_log_over_fall_back_places_calls_by_file_order(tmp_path):
    rng = np.random.default_rng(7)
    first = datetime(2024, 10, 26, 22, 0, tzinfo=UTC)
    seconds = np.sort(rng.integers(0, 5 * 3600, size=400))
    instants = [first + timedelta(seconds=int(s)) for s in seconds]
    instants.insert(200, instants[200])                      # a tie: two calls in the same second
    queues = ["999" if k % 3 else "101" for k in range(len(instants))]
    path = tmp_path / "log.csv"
    path.write_text("call_time,queue\n" + "".join(f"{_wall(t)},{q}\n" for t, q in zip(instants, queues)))
    log = read_call_log(path)
    assert list(log["arrival"]) == [pd.Timestamp(t) for t in instants]
    history = read_history(path)
    expected = Counter((q, first + (t - first) // QUARTER * QUARTER) for t, q in zip(instants, queues))
    got = {(q, s.tz_convert("UTC").to_pydatetime()): n
           for q, s, n in history[["queue", "interval_start", "calls"]].itertuples(index=False)}
    assert {key: n for key, n in got.items() if n} == expected
    assert history.groupby("queue").size().to_dict() == {"999": 20, "101": 20}   # 5 real hours


def test_times_with_utc_offsets_match_local_clock_times(tmp_path):
    starts = _fall_back_starts()
    naive = tmp_path / "naive.csv"
    naive.write_text("call_time,queue\n"
                     + "".join(f"{_wall(t + timedelta(minutes=7))},999\n" for t in starts))
    offset = tmp_path / "offset.csv"
    offset.write_text("call_time,queue\n" + "".join(
        f"{(t + timedelta(minutes=7)).astimezone(LONDON).isoformat()},999\n" for t in starts[:50])
        + "".join(f"{(t + timedelta(minutes=7)).strftime('%Y-%m-%dT%H:%M:%SZ')},999\n" for t in starts[50:]))
    pd.testing.assert_frame_equal(read_history(naive), read_history(offset))
    assert (read_history(naive)["calls"] == 1).all()


def test_spring_forward_call_log_has_92_intervals(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("call_time,queue\n2024-03-31 00:00:01,999\n2024-03-31 23:59:59,999\n")
    history = read_history(path)
    assert len(history) == 92 and history["calls"].sum() == 2
    assert not (history["interval_start"].dt.hour == 1).any()


# --- what is counted ------------------------------------------------------------------------

def test_aht_is_the_mean_of_answered_calls_and_empty_intervals_are_zero(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("timestamp,queue,handle_s,wait,abandoned\n"
                    "2024-01-08 09:01:00,101,200,10,0\n"
                    "2024-01-08 09:02:00,101,400,20,false\n"
                    "2024-01-08 09:03:00,101,5,90,yes\n"
                    "2024-01-08 09:50:00,101,,95,1\n")
    history = read_history(path)
    assert list(history["calls"]) == [3, 0, 0, 1]
    assert history["aht"].iloc[0] == 300.0 and history["aht"].iloc[1:].isna().all()
    log = read_call_log(path)
    assert list(log.columns) == ["arrival", "queue", "handle_time", "wait", "abandoned"]
    assert list(log["abandoned"]) == [False, False, True, True]


def test_omitted_interval_rows_count_as_zero_calls(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("queue,interval_start,calls,aht\n999,2024-01-08 09:00,3,250\n"
                    "999,2024-01-08 09:45,2,310\n101,2024-01-08 09:15,0,400\n")
    history = read_history(path)
    assert history.groupby("queue").size().to_dict() == {"999": 4, "101": 4}
    assert history.loc[history["queue"] == "999", "calls"].tolist() == [3, 0, 0, 2]
    assert history["aht"].isna().tolist() == [True] * 4 + [False, True, True, False]


def test_queues_selects_and_an_unknown_queue_is_an_error(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("call_time,queue\n2024-01-08 09:01,EMS\n2024-01-08 09:20,Fire\n")
    assert set(read_history(path, queues=["EMS"])["queue"]) == {"EMS"}
    with pytest.raises(InputError, match="'Police' is not in the file"):
        read_history(path, queues=["EMS", "Police"])


def test_timestamp_column_names_the_time_column(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("queue,answered_at,received_at\n999,2024-01-08 09:20,2024-01-08 09:01\n")
    history = read_history(path, timestamp_column="Received_At")
    assert history["interval_start"].tolist() == [pd.Timestamp("2024-01-08 09:00", tz="Europe/London")]
    with pytest.raises(InputError, match="missing column 'sent_at'"):
        read_history(path, timestamp_column="sent_at")


def test_csv_and_parquet_give_the_same_table(tmp_path):
    raw = pd.DataFrame({"call_time": [_wall(t + timedelta(minutes=3)) for t in _fall_back_starts()],
                        "queue": ["999", "101"] * 50,
                        "handle_time": np.arange(100.0) + 60,
                        "abandoned": [False, True, False, False] * 25})
    raw.to_csv(tmp_path / "log.csv.gz", index=False)
    typed = raw.assign(call_time=pd.to_datetime(raw["call_time"]))     # naive datetimes
    typed.to_parquet(tmp_path / "log.parquet", index=False)
    from_csv = read_history(tmp_path / "log.csv.gz")
    pd.testing.assert_frame_equal(from_csv, read_history(tmp_path / "log.parquet"))
    assert from_csv["calls"].sum() == 100


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_history_reads_back_unchanged(tmp_path, suffix):
    history = read_history(_counts_file(tmp_path))
    write_history(history, tmp_path / f"again{suffix}")
    pd.testing.assert_frame_equal(read_history(tmp_path / f"again{suffix}"), history)


def _counts_file(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("queue,interval_start,calls,aht\n" + "".join(
        f"999,{_wall(t)},{i % 4},{'' if i % 4 == 0 else 200 + i}\n"
        for i, t in enumerate(_fall_back_starts())))
    return path


# --- bad input: one line naming the file, the row and the problem ---------------------------

BAD_FILES = {
    "timestamp": ("call_time,queue\n2024-01-08 09:00,999\n2024-01-08 09:05,999\n08/01/2024 09:10,999\n",
                  3, "cannot read the time '08/01/2024 09:10'"),
    "empty_time": ("call_time,queue\n2024-01-08 09:00,999\n,999\n", 2, "time (call_time) is empty"),
    "nonexistent": ("call_time,queue\n2024-03-31 00:59,999\n2024-03-31 01:30,999\n",
                    2, "2024-03-31 01:30:00 does not exist"),
    "ambiguous": ("call_time,queue\n2024-10-27 00:55,999\n2024-10-27 01:10,999\n2024-10-27 02:20,999\n",
                  2, "happens twice"),
    "out_of_order": ("call_time,queue\n2024-10-27 01:10,999\n2024-10-27 01:05,999\n"
                     "2024-10-27 01:20,999\n2024-10-27 01:15,999\n", 4, "steps back a second time"),
    "mixed_offsets": ("call_time,queue\n2024-01-08 09:00,999\n2024-01-08T09:05Z,999\n", 2, "UTC offset"),
    "negative_handle": ("call_time,queue,handle_time\n2024-01-08 09:00,999,30\n2024-01-08 09:05,999,-4\n",
                        2, "handle_time '-4' is negative"),
    "negative_wait": ("call_time,queue,wait\n2024-01-08 09:00,999,-1\n", 1, "wait '-1' is negative"),
    "text_handle": ("call_time,queue,aht\n2024-01-08 09:00,999,4m\n", 1, "aht '4m' is not a number"),
    "abandoned": ("call_time,queue,abandoned\n2024-01-08 09:00,999,maybe\n", 1, "abandoned 'maybe'"),
    "blank_queue": ("call_time,queue\n2024-01-08 09:00,999\n2024-01-08 09:05,\n", 2, "queue is empty"),
    "duplicate": ("queue,interval_start,calls\n999,2024-01-08 09:00,1\n101,2024-01-08 09:00,1\n"
                  "999,2024-01-08 09:00,2\n", 3, "appears twice (first at data row 1)"),
    "negative_calls": ("queue,interval_start,calls\n999,2024-01-08 09:00,1\n999,2024-01-08 09:15,-2\n",
                       2, "calls '-2' is negative"),
    "fractional_calls": ("queue,interval_start,calls\n999,2024-01-08 09:00,2.5\n", 1,
                         "calls '2.5' is not a whole number"),
    "text_calls": ("queue,interval_start,calls\n999,2024-01-08 09:00,1\n999,2024-01-08 09:15,many\n",
                   2, "calls 'many' is not a number"),
    "missing_calls": ("queue,interval_start,calls\n999,2024-01-08 09:00,\n", 1, "calls is empty"),
    "off_grid": ("queue,interval_start,calls\n999,2024-01-08 09:07,1\n", 1, "not the start of a 15-minute"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_rows_are_named_by_file_row_and_problem(tmp_path, case):
    text, row, problem = BAD_FILES[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_history(path)
    message = str(caught.value)
    assert f"{case}.csv" in message and problem in message, message
    assert f"data row {row} (line {row + 1} of the file" in message, message
    assert "\n" not in message and "Traceback" not in message


BAD_FILE_LEVEL = {
    "empty.csv": (b"", "the file is empty"),
    "header_only.csv": (b"call_time,queue\n", "no data rows"),
    "binary.csv": (bytes(range(128, 256)) * 4, "unreadable format"),
    "broken.parquet": (b"PAR1 this is not really parquet", "unreadable format"),
    "ragged.csv": (b"call_time,queue\n2024-01-08 09:00,999,x\n", "more fields than the header"),
    "no_queue.csv": (b"call_time,line\n2024-01-08 09:00,999\n", "missing column 'queue'"),
    "no_time.csv": (b"when,queue\n2024-01-08 09:00,999\n", "a time column (one of 'call_time'"),
    "counts_no_start.csv": (b"queue,start,calls\n999,2024-01-08 09:00,1\n",
                            "missing column 'interval_start'"),
    "hourly.csv": (b"queue,interval_start,calls\n"
                   + b"".join(b"999,2024-01-08 %02d:00,1\n" % h for h in range(24)),
                   "on 60-minute boundaries"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILE_LEVEL))
def test_bad_files_are_named_with_the_problem(tmp_path, name):
    content, problem = BAD_FILE_LEVEL[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_history(path)
    message = str(caught.value)
    assert name in message and problem in message, message
    assert "\n" not in message


def test_missing_column_message_lists_found_and_expected_columns(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("call_time,line\n2024-01-08 09:00,999\n")
    message = str(pytest.raises(InputError, read_history, path).value)
    assert "['call_time', 'line']" in message and "interval_start" in message and "handle_time" in message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.csv: no such file"):
        read_history(tmp_path / "nowhere.csv")


def test_parquet_errors_name_the_data_row_without_a_line(tmp_path):
    pd.DataFrame({"queue": ["999", "999"], "interval_start": ["2024-01-08 09:00", "2024-01-08 09:15"],
                  "calls": [1, -1]}).to_parquet(tmp_path / "counts.parquet")
    message = str(pytest.raises(InputError, read_history, tmp_path / "counts.parquet").value)
    assert "counts.parquet: data row 2: calls -1 is negative" in message


def test_interval_counts_are_not_a_call_log(tmp_path):
    with pytest.raises(InputError, match="interval-count file"):
        read_call_log(_counts_file(tmp_path))


def test_unknown_timezone_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="Europe/Londres"):
        read_history(_counts_file(tmp_path), timezone="Europe/Londres")
