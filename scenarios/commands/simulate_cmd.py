"""`controlroom simulate`: replay a real call log through the simulation and compare with reality.

The log gives the arrivals and handle times; the staffing file (agents per interval, or a roster)
or, with ``--staffing infer``, the agents named in the log give who was on duty. Patience is
estimated per queue from the log (Kaplan-Meier) when it has waits and abandonments.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_parser, out_options

OWN_FILES = ("kpi_intervals.csv", "summary.csv", "observed_vs_simulated_by_hour.csv", "service_level_by_hour.png")
INFER = "infer"
IDLE_WHILE_WAITING_S = 300.0


def register(sub) -> None:
    p = add_parser(sub, "simulate", "replay a call log call by call against the staff on duty",
                   "controlroom simulate --calls calls.csv --staffing agents.csv --out replay --replications 20")
    p.add_argument("--calls", type=Path, required=True,
                   help="call log, one row per call (arrival, queue, handle_time; wait and abandoned to compare "
                        "with reality), CSV or Parquet; the Technion SEE Lab format is read too")
    p.add_argument("--staffing", required=True,
                   help="agents on duty per interval (interval_start, agents, optionally queue or skills) or a "
                        "roster (staff_id, start, end, break_start, break_end, skills); or 'infer' to take the "
                        "agents named in the log (their answered calls, split at 30-minute gaps and, when the "
                        "log has waits, where an agent stayed free 5 minutes while a caller waited)")
    p.add_argument("--replications", type=int, default=10, help="seeded replications (default: 10)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--workers", type=int, default=1, help="processes running replications (default: 1)")
    p.add_argument("--timezone", default=None,
                   help="time zone of clock times without an offset (default: Europe/London; "
                        "Asia/Jerusalem for SEE Lab files)")
    p.add_argument("--answer-within", action="append", default=[], metavar="QUEUE=SECONDS",
                   help="service-level threshold of a queue (default: 10 s for 999, 60 s for others); repeatable")
    p.add_argument("--patience", type=float, default=None, metavar="SECONDS",
                   help="mean (exponential) patience instead of estimating it from the log")
    p.add_argument("--after-call", type=float, default=0.0, metavar="SECONDS",
                   help="after-call work added to each answered call (default: 0)")
    p.add_argument("--one-queue", default=None, metavar="NAME",
                   help="treat every call as one queue of this name (e.g. a SEE Lab log's service types)")
    out_options(p, default="controlroom-simulate")
    p.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    from simulation import SimulationConfig, simulate

    from ..errors import InputError
    from ..outputs import prepare_out_dir
    from ..progress import Progress

    if args.replications < 1 or args.seed < 0 or args.workers < 1:
        raise InputError("--replications and --workers must be 1 or more, --seed 0 or more")
    existing = [name for name in OWN_FILES if (args.out / name).exists()]
    if existing and not args.force:
        raise InputError(f"{args.out}: already holds results ({', '.join(existing)}); "
                         "choose another --out or pass --force to overwrite them")
    out = prepare_out_dir(args.out, force=args.force)
    progress = Progress(quiet=args.quiet).begin("simulate")
    log = _read_log(args)
    progress(f"{len(log):,} calls from {log.arrival.min()} to {log.arrival.max()}")
    staffing = _read_staffing(args, log)
    queues = _queues(args, log)
    config = SimulationConfig(queues, replications=args.replications, seed=args.seed, workers=args.workers,
                              replay_interval_s=900.0)
    result = simulate(log, staffing, config, progress=progress)
    result.intervals().to_csv(out / "kpi_intervals.csv", index=False, float_format="%.6g")
    summary = result.summary()
    summary.to_csv(out / "summary.csv", index=False, float_format="%.6g")
    lines = [f"{r.queue}: simulated service level {r.service_level:.1%} "
             f"(95% CI {r.service_level_lo:.1%} to {r.service_level_hi:.1%}), abandonment {r.abandon_rate:.1%}"
             for r in summary.itertuples()]
    if {"wait", "abandoned"} <= set(log.columns) and log["wait"].notna().all() and log["abandoned"].notna().all():
        lines += _compare(log, result, config, out)
    print("\n".join(lines + [f"results in {out}"]))
    return 0


def _read_log(args):
    from ..ingest import is_see_call_log, read_call_log, read_see_call_log

    if is_see_call_log(args.calls):
        log = read_see_call_log(args.calls, timezone=args.timezone or "Asia/Jerusalem", queue=args.one_queue)
    else:
        log = read_call_log(args.calls, timezone=args.timezone or "Europe/London")
        if args.one_queue:
            log = log.assign(queue=args.one_queue)
    if "handle_time" not in log.columns:
        from ..errors import InputError
        raise InputError(f"{args.calls}: the call log needs handle times (a handle_time column) to replay")
    if "abandoned" in log.columns:
        # abandoned calls' handle times are not the caller's: the model draws them
        log = log.assign(handle_time=log["handle_time"].where(~log["abandoned"].fillna(False).astype(bool)))
    return log


def _read_staffing(args, log):
    from simulation.trace import agent_shifts

    from ..errors import InputError
    from ..ingest import read_staffing_file

    if args.staffing != INFER:
        return read_staffing_file(Path(args.staffing), timezone=_tz(log))
    if "agent" not in log.columns:
        raise InputError(f"{args.calls}: --staffing infer needs the agent who answered each call "
                         "(an 'agent' column, or a SEE Lab log)")
    # an agent free for 5 minutes while a caller waits was not taking calls (simulation/trace.py)
    waits = "wait" in log.columns and log["wait"].notna().all()
    return agent_shifts(log, skills="|".join(sorted(log["queue"].unique())),
                        idle_while_waiting_s=IDLE_WHILE_WAITING_S if waits else None)


def _tz(log) -> str:
    return str(log["arrival"].dt.tz)


def _queues(args, log):
    from simulation import QueueConfig
    from simulation.patience import estimate_patience

    from ..errors import InputError

    within = {}
    for item in args.answer_within:
        name, _, seconds = item.partition("=")
        try:
            within[name.strip()] = float(seconds)
        except ValueError:
            raise InputError(f"--answer-within {item!r}: expected QUEUE=SECONDS, e.g. 999=10") from None
    names = sorted(log["queue"].unique(), key=lambda q: (q != "999", q))
    unknown = sorted(set(within) - set(names))
    if unknown:
        raise InputError(f"--answer-within names queue(s) {', '.join(unknown)} not in the log, "
                         f"which has {', '.join(names)}")
    queues = []
    for name in names:
        mine = log[log["queue"] == name]
        patience = {"mean_patience_s": args.patience}
        if args.patience is None and {"wait", "abandoned"} <= set(mine.columns) and mine["abandoned"].fillna(False).any():
            known = mine["wait"].notna() & mine["abandoned"].notna()
            patience = {"patience": "empirical", "mean_patience_s": None,
                        "empirical_patience": estimate_patience(mine.loc[known, "wait"],
                                                                mine.loc[known, "abandoned"].astype(bool))}
        queues.append(QueueConfig(name, priority=0 if name == "999" else 1,
                                  answer_within_s=within.get(name, 10.0 if name == "999" else 60.0),
                                  after_call_s=args.after_call, **patience))
    return tuple(queues)


def _compare(log, result, config, out) -> list[str]:
    import pandas as pd

    from simulation.trace import compare_by

    frames = []
    for q in config.queues:
        hourly = compare_by(log, result.calls, q.answer_within_s, freq="h", queue=q.name)
        frames.append(hourly.assign(queue=q.name))
    table = pd.concat(frames, ignore_index=True)
    table.to_csv(out / "observed_vs_simulated_by_hour.csv", index=False, float_format="%.6g")
    _plot(table, config, out / "service_level_by_hour.png")
    simulated = result.summary().set_index("queue")
    lines = []
    for q in config.queues:
        mine = log[log["queue"] == q.name]
        abandoned = mine["abandoned"].astype(bool)
        observed = (~abandoned & (mine["wait"] <= q.answer_within_s)).mean()
        lines.append(f"{q.name}: observed service level {observed:.1%}, abandonment {abandoned.mean():.1%} "
                     f"(simulated {simulated.service_level[q.name]:.1%} and {simulated.abandon_rate[q.name]:.1%})")
    return lines


def _plot(table, config, path: Path) -> None:
    """Per queue: service level by hour of day (all days pooled, weighted by calls) and each
    hour's observed against simulated service level."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(config.queues), 2, figsize=(12, 3.6 * len(config.queues)), squeeze=False,
                             gridspec_kw={"width_ratios": [2, 1]})
    for (profile, scatter), q in zip(axes, config.queues):
        mine = table[(table.queue == q.name) & (table.offered > 0)]
        hour = mine.period.map(lambda t: t.hour)
        weights = mine.offered
        for column, label, color in (("observed_service_level", "observed", "black"),
                                     ("simulated_service_level", "simulated", "tab:orange")):
            level = (mine[column].fillna(0) * weights).groupby(hour).sum() / weights.groupby(hour).sum()
            profile.plot(level.index, level.to_numpy(), marker="o", label=label, color=color, lw=1.2)
        profile.set(ylim=(0, 1.02), xlim=(-0.5, 23.5), xlabel="hour of day",
                    ylabel=f"answered within {q.answer_within_s:g} s",
                    title=f"{q.name}: service level by hour of day ({len(mine)} hours)")
        profile.legend(loc="lower left")
        busy = mine[mine.offered >= 10]
        scatter.scatter(busy.observed_service_level, busy.simulated_service_level, s=8, alpha=0.5)
        scatter.plot([0, 1], [0, 1], color="grey", lw=0.8)
        scatter.set(xlim=(0, 1.02), ylim=(0, 1.02), xlabel="observed", ylabel="simulated",
                    title="each hour with 10+ calls")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
