"""Column names of the tables that enter and leave the simulation.

Demand (input; one row per queue per interval, e.g. a forecast):
    queue, interval_start   tz-aware local timestamps of real, uniform intervals
    calls                   expected calls offered (float): the Poisson rate of the interval
    aht                     mean handle time in seconds
    day_cv                  optional: the forecast's uncertainty about the level of the interval's
                            local day, as a coefficient of variation beyond Poisson (the same on
                            every interval of a queue's day; e.g. forecasting.day_level). Each
                            day's calls are scaled by a gamma draw with mean 1 and this CV; the
                            queues' draws share one uniform per day (a busy day is busy on every
                            line). Not with SimulationConfig.day_multiplier_cv (one or the other).

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
    patience        float seconds the caller would wait before hanging up (inf: never)
    kind            'first', 'redial' (called again after hanging up) or 'repeat' (called
                    again after an answer that did not resolve the issue): failure demand
    callback        bool: the caller accepted a callback (answered if it reached them, with
                    wait = time until the callback; unresolved if it failed or was never made)
  A call is answered, abandoned, or neither: unresolved, when a caller who never hangs up is
  still waiting after the last handler went home (wait NaN). queue and staff_id are categoricals.

KPI per interval (output; one row per replication, queue and interval):
    replication, queue, interval_start
    offered, answered, abandoned, answered_within   counts
    service_level   answered within the queue's threshold / offered (NaN if none offered)
    asa             mean wait of answered calls, seconds
    abandon_rate    abandoned / offered
    callbacks       callers who accepted a callback; callbacks_answered: those it reached
    repeat_calls    offered calls that were redials or repeats (failure demand)
    occupancy       busy handler-seconds / available handler-seconds in the interval,
                    over the whole pool (the same value on every queue's row)

Occupancy per interval (output; one row per replication and interval, the whole pool):
    replication, interval_start
    available_s     handler-seconds logged in (availability windows, plus overruns finishing calls)
    busy_s          handler-seconds handling calls
    occupancy       busy_s / available_s (NaN if nobody was logged in)

Summary (output; one row per queue, over the whole horizon after warm-up):
    queue, replications
    offered, answered, abandoned, unresolved   mean counts per replication
    service_level, service_level_lo, service_level_hi   mean over replications and the
                    95% confidence interval (t distribution; NaN with one replication)
    abandon_rate, abandon_rate_lo, abandon_rate_hi      likewise
    asa, asa_lo, asa_hi                                 likewise, seconds
    occupancy       mean over replications of the pool's busy / available seconds
    callbacks, callbacks_answered, repeat_calls   mean counts per replication

Interval KPIs (output, e.g. kpi_intervals.csv; one row per queue and interval, replications
pooled): queue, interval_start, service_level (sum answered_within / sum offered),
    asa (sum wait / sum answered), abandon_rate, occupancy (sum busy_s / sum available_s),
    offered, callbacks, repeat_calls (means per replication)
"""

QUEUE = "queue"
INTERVAL_START = "interval_start"
CALLS = "calls"
AHT = "aht"
DAY_CV = "day_cv"

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
PATIENCE = "patience"
KIND = "kind"
CALLBACK = "callback"
CALLBACKS = "callbacks"
CALLBACKS_ANSWERED = "callbacks_answered"
REPEAT_CALLS = "repeat_calls"

OFFERED = "offered"
ANSWERED_WITHIN = "answered_within"
SERVICE_LEVEL = "service_level"
ASA = "asa"
ABANDON_RATE = "abandon_rate"
OCCUPANCY = "occupancy"
AVAILABLE_S = "available_s"
BUSY_S = "busy_s"
UNRESOLVED = "unresolved"
REPLICATIONS = "replications"

CALL_COLUMNS = (REPLICATION, CALL_ID, QUEUE, ARRIVAL, INTERVAL_START, WAIT, ANSWERED,
                ABANDONED, HANDLE, STAFF_ID, PATIENCE, KIND, CALLBACK)
KPI_COLUMNS = (REPLICATION, QUEUE, INTERVAL_START, OFFERED, ANSWERED, ABANDONED,
               ANSWERED_WITHIN, SERVICE_LEVEL, ASA, ABANDON_RATE, OCCUPANCY,
               CALLBACKS, CALLBACKS_ANSWERED, REPEAT_CALLS)
OCCUPANCY_COLUMNS = (REPLICATION, INTERVAL_START, AVAILABLE_S, BUSY_S, OCCUPANCY)


def lo(column: str) -> str:
    """Name of the lower end of a confidence interval: 'service_level' -> 'service_level_lo'."""
    return f"{column}_lo"


def hi(column: str) -> str:
    return f"{column}_hi"


SUMMARY_COLUMNS = (QUEUE, REPLICATIONS, OFFERED, ANSWERED, ABANDONED, UNRESOLVED,
                   SERVICE_LEVEL, lo(SERVICE_LEVEL), hi(SERVICE_LEVEL),
                   ABANDON_RATE, lo(ABANDON_RATE), hi(ABANDON_RATE),
                   ASA, lo(ASA), hi(ASA), OCCUPANCY, CALLBACKS, CALLBACKS_ANSWERED, REPEAT_CALLS)
INTERVAL_KPI_COLUMNS = (QUEUE, INTERVAL_START, SERVICE_LEVEL, ASA, ABANDON_RATE, OCCUPANCY, OFFERED,
                        CALLBACKS, REPEAT_CALLS)
