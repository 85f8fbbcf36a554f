"""Column names of the tables that enter and leave the simulation.

Demand (input; one row per queue per interval, e.g. a forecast):
    queue, interval_start   tz-aware local timestamps of real, uniform intervals
    calls                   expected calls offered (float): the Poisson rate of the interval
    aht                     mean handle time in seconds

Shifts (input; one row per person per shift, e.g. a roster):
    staff_id, start, end, break_start, break_end (NaT if no break), skills ('999|101')

Calls (output; one flat record per simulated call):
    replication     int
    call_id         int, unique within a replication
    queue           str
    arrival         tz-aware timestamp of arrival
    interval_start  start of the interval the call arrived in
    wait            float seconds until answer or abandonment
    answered        bool
    abandoned       bool
    handle          float seconds of handling (NaN if abandoned)
    staff_id        str of the handler who answered ('' if abandoned)

KPI per interval (output; one row per replication, queue and interval):
    replication, queue, interval_start
    offered, answered, abandoned, answered_within   counts
    service_level   answered within the queue's threshold / offered (NaN if none offered)
    asa             mean wait of answered calls, seconds
    abandon_rate    abandoned / offered
    occupancy       busy handler-seconds / available handler-seconds in the interval,
                    over the whole pool (the same value on every queue's row)
"""

QUEUE = "queue"
INTERVAL_START = "interval_start"
CALLS = "calls"
AHT = "aht"

STAFF_ID = "staff_id"
START = "start"
END = "end"
BREAK_START = "break_start"
BREAK_END = "break_end"
SKILLS = "skills"

REPLICATION = "replication"
CALL_ID = "call_id"
ARRIVAL = "arrival"
WAIT = "wait"
ANSWERED = "answered"
ABANDONED = "abandoned"
HANDLE = "handle"

OFFERED = "offered"
ANSWERED_WITHIN = "answered_within"
SERVICE_LEVEL = "service_level"
ASA = "asa"
ABANDON_RATE = "abandon_rate"
OCCUPANCY = "occupancy"

CALL_COLUMNS = (REPLICATION, CALL_ID, QUEUE, ARRIVAL, INTERVAL_START, WAIT, ANSWERED,
                ABANDONED, HANDLE, STAFF_ID)
KPI_COLUMNS = (REPLICATION, QUEUE, INTERVAL_START, OFFERED, ANSWERED, ABANDONED,
               ANSWERED_WITHIN, SERVICE_LEVEL, ASA, ABANDON_RATE, OCCUPANCY)
