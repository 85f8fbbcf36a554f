"""Column names of the tables that enter and leave the scheduling stage.

Demand (input to staffing; one row per queue per interval):
    queue, interval_start   as in forecasting: tz-aware local timestamps, real intervals
    calls                   expected calls offered in the interval (float)
    aht                     mean handle time in seconds

Requirement (output of staffing; demand columns plus):
    agents          int, agents answering calls needed to meet the queue's target
    heads           int, rostered heads: agents divided by (1 - shrinkage), rounded up
    service_level   float, service level expected with ``agents`` agents
    asa             float, expected average speed of answer in seconds
    abandon         float, expected share of callers who abandon (0 under Erlang C)
    occupancy       float, expected share of agents' time spent on calls

Roster shifts (output of rostering; one row per person per shift):
    staff_id        str, e.g. "H0001"
    shift           str, template name, e.g. "8h"
    start, end      tz-aware timestamps; end is exclusive
    break_start, break_end   tz-aware timestamps of the unpaid break (NaT if none)
    paid_hours      float
    cost            float, in the currency of the hourly rate
    skills          str, queues the person answers, '|'-separated, e.g. "999|101"

Cover (one row per interval):
    interval_start
    required        int, heads required (summed over the pooled queues)
    rostered        int, heads on duty and not on break
"""

QUEUE = "queue"
INTERVAL_START = "interval_start"
CALLS = "calls"
AHT = "aht"

AGENTS = "agents"
HEADS = "heads"
SERVICE_LEVEL = "service_level"
ASA = "asa"
ABANDON = "abandon"
OCCUPANCY = "occupancy"

DEMAND_COLUMNS = (QUEUE, INTERVAL_START, CALLS, AHT)
REQUIREMENT_COLUMNS = DEMAND_COLUMNS + (AGENTS, HEADS, SERVICE_LEVEL, ASA, ABANDON, OCCUPANCY)

STAFF_ID = "staff_id"
SHIFT = "shift"
START = "start"
END = "end"
BREAK_START = "break_start"
BREAK_END = "break_end"
PAID_HOURS = "paid_hours"
COST = "cost"
SKILLS = "skills"
SHIFT_COLUMNS = (STAFF_ID, SHIFT, START, END, BREAK_START, BREAK_END, PAID_HOURS, COST, SKILLS)

REQUIRED = "required"
ROSTERED = "rostered"
COVER_COLUMNS = (INTERVAL_START, REQUIRED, ROSTERED)
