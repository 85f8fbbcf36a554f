"""Reading a call log in the Technion SEE Lab format (the Anonymous Bank data)."""

import pandas as pd
import pytest

from scenarios.errors import InputError
from scenarios.ingest import is_see_call_log, read_see_call_log

HEADER = "vru+line,call_id,priority,type,date,vru_entry,vru_exit,vru_time,q_start,q_exit,q_time,outcome,ser_start,ser_exit,ser_time,server\n"
ROWS = [
    "AA0101,1,2,PS,990101,0:00:31,0:00:36,5,0:00:36,0:03:09,153,HANG,0:00:00,0:00:00,0,NO_SERVER",  # gave up queued
    "AA0101,2,0,PS,990101,0:34:12,0:34:23,11,0:00:00,0:00:00,0,HANG,0:00:00,0:00:00,0,NO_SERVER",   # gave up in the VRU
    "AA0101,3,2,PS,990101,6:55:20,6:55:26,6,6:55:26,6:55:43,17,AGENT,6:55:43,6:56:37,54,MICHAL",    # queued 17 s
    "AA0101,4,0,NW,990101,7:41:16,7:41:26,10,0:00:00,0:00:00,0,AGENT,7:41:25,7:44:53,208,BASCH",    # straight to an agent
    "AA0101,5,0,PS,990101,8:00:00,8:00:05,5,8:00:05,8:00:05,0,PHANTOM,0:00:00,0:00:00,0,NO_SERVER",
    "AA0101,6,0,PS,990101,9:00:00,9:00:05,5,0:00:00,0:00:00,0,AGENT,9:00:07,9:00:10,3,NO_SERVER",  # no agent needed
    "AA0101,7,0,PS,990101,23:58:00,23:58:05,5,23:58:05,23:58:15,10,AGENT,23:58:15,0:02:15,240,ANAT",  # past midnight
]


def write(tmp_path, rows):
    path = tmp_path / "see.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def test_see_lab_calls_are_read_as_a_call_log_of_calls_that_reached_the_agent_queue(tmp_path):
    path = write(tmp_path, ROWS)
    assert is_see_call_log(path)
    log = read_see_call_log(path)
    assert len(log) == 4  # VRU hang-up, PHANTOM and NO_SERVER "answer" dropped
    first, queued, direct, late = (log.iloc[i] for i in range(4))
    assert first.abandoned and first.wait == 153 and pd.isna(first.handle_time)
    assert first.arrival == pd.Timestamp("1999-01-01 00:00:36", tz="Asia/Jerusalem")
    assert not queued.abandoned and queued.wait == 17 and queued.handle_time == 54 and queued.agent == "MICHAL"
    assert direct.arrival == pd.Timestamp("1999-01-01 07:41:26", tz="Asia/Jerusalem")  # left the VRU
    assert direct.queue == "NW"
    assert late.service_end - late.service_start == pd.Timedelta(minutes=4)


def test_an_unknown_outcome_is_named_with_its_row(tmp_path):
    rows = ROWS[:2] + [ROWS[2].replace("AGENT", "TRANSFER")]
    with pytest.raises(InputError, match=r"data row 3 .*outcome 'TRANSFER' is not AGENT, HANG or PHANTOM"):
        read_see_call_log(write(tmp_path, rows))
