"""How close a replay of a real call centre's month comes to what happened, and what each
modelling choice does: ``python benchmarks/replay_bank.py [replications]`` (default 5; needs
../shared/data/anonymous_bank_1999-01_calls.csv.gz).

Every day of the Anonymous Bank's January 1999 with 300 calls or more (24 days) is replayed:
the log's arrivals and handle times, agents on duty inferred from the calls they answered
(``simulation.trace.agent_shifts``), patience by Kaplan-Meier from the month's waits. Each line
of the table changes one thing against "chosen" (the model tests/test_simulation_trace.py
checks) and prints how far the simulated service level (answered within 20 s / offered),
abandonment and wait are from the observed, per day and per hour (hours with 30 calls or more).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages first

from scenarios.ingest import read_see_call_log  # noqa: E402
from simulation import QueueConfig, SimulationConfig, estimate_patience, simulate  # noqa: E402
from simulation.trace import (agent_shifts, agent_skills, agreement, compare_by,  # noqa: E402
                              gap_between_calls_under_load, offer_delay_from_log)

DATA = next((p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data")
             if p.exists()), ROOT.parent / "shared" / "data") / "anonymous_bank_1999-01_calls.csv.gz"
THRESHOLD = 20.0
MIN_CALLS_A_DAY = 300


def customer_class(log: pd.DataFrame, vip: bool = False) -> pd.Series:
    """'identified' (priority 1 and 2: customers the voice-response unit identified) or
    'unidentified' (priority 0); with ``vip``, priority 2 is 'vip' of its own."""
    label = np.where(log["priority"] > 0, "identified", "unidentified")
    if vip:
        label = np.where(log["priority"] == 2, "vip", label)
    return pd.Series(label, index=log.index)


PATIENCE_GROUP = {"un": "unidentified", "id": "identified", "vi": "vip"}


def queues(log, *, after_call_s, delay=None, priorities=None):
    """One QueueConfig per queue of the log, patience from the calls of its customer class
    (a queue 'TYPE-xx' is of the class starting 'xx'; 'bank' is everyone)."""
    out = []
    classes = customer_class(log, vip="vip" in set(log["queue"]) or log["queue"].str.endswith("-vi").any())
    for name in sorted(log["queue"].unique()):
        group = name if name in PATIENCE_GROUP.values() else PATIENCE_GROUP.get(name.rpartition("-")[2])
        mine = log[classes == group] if group else log
        out.append(QueueConfig(name, priority=(priorities or {}).get(name, 0), answer_within_s=THRESHOLD,
                               patience="empirical", empirical_patience=estimate_patience(mine.wait, mine.abandoned),
                               after_call_s=after_call_s, offer_delay=(delay or {}).get(name)))
    return tuple(out)


def with_handle_times(log: pd.DataFrame) -> pd.DataFrame:
    """Unanswered calls given the handle time of a random answered call of the same queue in the
    month: split by service type and class, a queue may have no answered call on a day, and
    the replay draws unanswered calls' handle times from the day's."""
    rng = np.random.default_rng(1)
    handle = log["handle_time"].copy()
    for _, rows in log.groupby("queue"):
        known = rows["handle_time"].dropna().to_numpy()
        missing = rows.index[rows["handle_time"].isna()]
        pool = known if len(known) else log["handle_time"].dropna().to_numpy()
        handle[missing] = rng.choice(pool, len(missing))
    return log.assign(handle_time=handle)


def replay_month(log, config, skills, gap_s=1800.0, idle_s=None):
    daily, hourly = [], []
    for _, part in log.groupby(log.arrival.dt.day):
        if len(part) < MIN_CALLS_A_DAY:
            continue
        shifts = agent_shifts(part, skills, gap_s=gap_s, idle_while_waiting_s=idle_s)
        result = simulate(part, shifts, config)
        daily.append(compare_by(part, result.calls, THRESHOLD, freq="D").iloc[0])
        hourly.append(compare_by(part, result.calls, THRESHOLD, freq="h"))
    return agreement(pd.DataFrame(daily), pd.concat(hourly, ignore_index=True))


IDLE_S = 300.0  # an agent free this long while a caller waits was not taking calls


def variants(raw: pd.DataFrame, replications: int):
    """(name, log, config, skills, gap_s, idle_s) of each line of the table."""
    run = dict(replications=replications, seed=1999)
    one = raw.assign(queue="bank")
    classes = raw.assign(queue=customer_class(raw))
    vip = raw.assign(queue=customer_class(raw, vip=True))
    identified = raw["priority"].to_numpy() > 0
    delay = offer_delay_from_log(raw, identified, ~identified)
    after_all = gap_between_calls_under_load(raw).mean()  # gaps up to 30 min
    after = gap_between_calls_under_load(raw, max_gap_s=IDLE_S).mean()
    three = "identified|unidentified|vip"

    def config(log, after_call_s=after, delayed=("identified", "vip"), priorities=None):
        return SimulationConfig(queues(log, after_call_s=after_call_s, delay={q: delay for q in delayed},
                                       priorities=priorities), **run)

    vip_first = {"unidentified": 1, "identified": 1}
    yield "before: one FIFO line, sessions split at 30 min, after-call 34 s", \
        one, config(one, after_all), "bank", 1800.0, None
    yield "one line, no after-call work", one, config(one, 0.0), "bank", 1800.0, None
    yield "+ two customer classes, own patience", classes, config(classes, after_all, ()), \
        "identified|unidentified", 1800.0, None
    yield "+ offer delay for identified callers", classes, config(classes, after_all), \
        "identified|unidentified", 1800.0, None
    yield f"+ off duty when free {IDLE_S:.0f} s while callers wait", classes, config(classes), \
        "identified|unidentified", 1800.0, IDLE_S
    yield "+ priority 2 answered first (chosen)", vip, config(vip, priorities=vip_first), three, 1800.0, IDLE_S
    yield "chosen, no after-call work", vip, config(vip, 0.0, priorities=vip_first), three, 1800.0, IDLE_S
    yield "chosen, no offer delay", vip, config(vip, delayed=(), priorities=vip_first), three, 1800.0, IDLE_S
    for idle in (120.0, 600.0):
        yield f"chosen, idle limit {idle:.0f} s", vip, config(
            vip, gap_between_calls_under_load(raw, max_gap_s=idle).mean(), priorities=vip_first), three, 1800.0, idle
    yield "chosen, sessions split at 10 min", vip, config(vip, priorities=vip_first), three, 600.0, IDLE_S
    yield "chosen, FIFO (no priority)", vip, config(vip), three, 1800.0, IDLE_S
    by_type = with_handle_times(raw.assign(queue=raw["queue"] + "-" + customer_class(raw, vip=True).str[:2]))
    type_config = SimulationConfig(queues(by_type, after_call_s=after, priorities={
        q: 0 if q.endswith("-vi") else 1 for q in by_type.queue.unique()},
        delay={q: delay for q in by_type.queue.unique() if not q.endswith("-un")}), **run)
    yield "chosen, skills by service type", by_type, type_config, agent_skills(by_type, min_share=0.02), \
        1800.0, IDLE_S


def main(replications: int = 5) -> None:
    if not DATA.exists():
        sys.exit(f"{DATA} not found")
    raw = read_see_call_log(DATA, queue=None)
    print(f"{len(raw):,} calls; after-call work from gaps under load {gap_between_calls_under_load(raw).mean():.1f} s; "
          f"{replications} replications a day")
    head = ("variant", "days", "SL bias", "SL range", "abandon bias", "abandon max", "hours",
            "hourly SL bias", "hourly SL MAE", "hourly SL r", "hourly abandon MAE", "hourly wait r", "wait bias s", "s")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, log, config, skills, gap_s, idle_s in variants(raw, replications):
        began = time.perf_counter()
        m = replay_month(log, config, skills, gap_s, idle_s)
        print(f"| {name} | {m['days']} | {m['sl_bias']:+.3f} | {m['sl_bias_min']:+.3f} to {m['sl_bias_max']:+.3f} | "
              f"{m['abandon_bias']:+.3f} | {m['abandon_max_error']:.3f} | {m['hours']} | {m['hourly_sl_bias']:+.3f} | "
              f"{m['hourly_sl_mae']:.3f} | {m['hourly_sl_r']:.3f} | {m['hourly_abandon_mae']:.3f} | "
              f"{m['hourly_wait_r']:.3f} | {m['hourly_wait_bias_s']:+.1f} | {time.perf_counter() - began:.0f} |",
              flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
