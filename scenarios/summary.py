"""What a run means for each target, from the simulated calls (never from the plan).

A target such as "90% of 999 calls answered within 10 s" is judged over the whole horizon:
met when the mean over replications reaches it, and met with confidence when the lower end of
the 95% confidence interval does. Where the plan falls short, the intervals below target are
grouped into windows, worst first (calls that missed the target), so a planner sees when.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

WORST_WINDOWS = 5


def build_summary(result, inputs: dict[str, Any]) -> dict[str, Any]:
    sim = result.simulation
    horizon = sim.summary().set_index("queue")
    intervals = sim.intervals()
    queues = {}
    for name, q in result.scenario.queues.items():
        row = horizon.loc[name]
        mine = intervals[intervals["queue"] == name]
        queues[name] = {
            "target": {"service_level": q.service_level, "answer_within_s": q.answer_within_s},
            "staffing_model": q.model,
            "forecast_model": result.forecast.chosen.get(name),
            "simulated": _simulated(row),
            "met": bool(row["service_level"] >= q.service_level),
            "met_with_confidence": bool(row["service_level_lo"] >= q.service_level),
            "share_of_days_below_target": _share_days_below(sim.kpi, name, q.service_level),
            "intervals_below_target": int((mine["service_level"] < q.service_level).sum()),
            "intervals": int(mine["offered"].gt(0).sum()),
            "worst_windows": _worst_windows(mine, q.service_level),
        }
    starts = result.requirement["interval_start"]
    return {
        "inputs": inputs,
        "horizon": {"start": starts.min().isoformat(), "end": (starts.max() + _interval(starts)).isoformat(),
                    "days": result.scenario.forecast.horizon_days},
        "queues": queues,
        "roster": {"shifts": len(result.roster.shifts), "cost": round(float(result.roster.total_cost), 2),
                   "status": result.roster.status, "gap": _finite(result.roster.gap),
                   "uncovered_intervals": int(len(result.roster.shortfall))},
    }


def _interval(starts: pd.Series) -> pd.Timedelta:
    return pd.Series(starts.sort_values().unique()).diff().min()


def _finite(x) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 6)


def _share(x) -> float | None:
    value = _finite(x)
    return None if value is None else min(max(value, 0.0), 1.0)


def _simulated(row: pd.Series) -> dict[str, Any]:
    return {
        "replications": int(row["replications"]),
        "offered_per_replication": round(float(row["offered"]), 1),
        "service_level": _finite(row["service_level"]),
        # A t interval over a few replications can pass 100%; a share cannot.
        "service_level_ci95": [_share(row["service_level_lo"]), _share(row["service_level_hi"])],
        "abandon_rate": _finite(row["abandon_rate"]),
        "asa_s": _finite(row["asa"]),
        "occupancy": _finite(row["occupancy"]),
    }


def _share_days_below(kpi: pd.DataFrame, queue: str, target: float) -> float:
    """Share of simulated days (replication x local date) whose day-long service level misses the target."""
    rows = kpi[kpi["queue"] == queue]
    day = rows["interval_start"].dt.date
    daily = rows.groupby([rows["replication"], day])[["answered_within", "offered"]].sum()
    daily = daily[daily["offered"] > 0]
    return round(float((daily["answered_within"] / daily["offered"] < target).mean()), 4)


def _worst_windows(intervals: pd.DataFrame, target: float) -> list[dict[str, Any]]:
    """Runs of consecutive intervals below target, ranked by the calls that missed the target."""
    rows = intervals.sort_values("interval_start").reset_index(drop=True)
    below = (rows["service_level"] < target).to_numpy()
    if not below.any():
        return []
    run_id = np.cumsum(np.r_[True, below[1:] != below[:-1]])
    step = _interval(rows["interval_start"])
    windows = []
    for _, run in rows[below].groupby(run_id[below]):
        missed = float((run["offered"] * (target - run["service_level"])).sum())
        windows.append({"start": run["interval_start"].iloc[0].isoformat(),
                        "end": (run["interval_start"].iloc[-1] + step).isoformat(),
                        "service_level": round(float(_pooled_sl(run)), 4),
                        "calls_short_of_target": round(missed, 1)})
    windows.sort(key=lambda w: -w["calls_short_of_target"])
    return windows[:WORST_WINDOWS]


def _pooled_sl(run: pd.DataFrame) -> float:
    weights = run["offered"].to_numpy()
    return float(np.average(run["service_level"], weights=weights)) if weights.sum() > 0 else np.nan


def summary_text(summary: dict[str, Any], out) -> str:
    lines = [f"controlroom: {summary['inputs']['scenario']}, {summary['horizon']['days']} days from "
             f"{summary['horizon']['start'][:10]}, {summary['queues'] and next(iter(summary['queues'].values()))['simulated']['replications']} "
             "simulated replications"]
    for name, q in summary["queues"].items():
        lines.append(_queue_line(name, q))
        for w in q["worst_windows"][:3]:
            lines.append(f"      below target {w['start'][:16].replace('T', ' ')} to {w['end'][11:16]}: "
                         f"{w['service_level']:.0%} answered in time")
    r = summary["roster"]
    gap = "" if r["gap"] is None else f", within {r['gap']:.1%} of the cheapest possible"
    lines.append(f"  roster: {r['shifts']:,} shifts, cost {r['cost']:,.0f}{gap}"
                 + (f"; {r['uncovered_intervals']} intervals under-covered" if r["uncovered_intervals"] else ""))
    lines.append(f"  results in {out}/")
    return "\n".join(lines)


def _queue_line(name: str, q: dict[str, Any]) -> str:
    t, s = q["target"], q["simulated"]
    lo, hi = s["service_level_ci95"]
    ci = "" if lo is None else f" (95% CI {lo:.1%} to {hi:.1%})"
    verdict = ("MET" if q["met_with_confidence"] else
               "MET, narrowly: the confidence interval reaches below the target" if q["met"] else "NOT MET")
    detail = (f"{q['intervals_below_target']} of {q['intervals']} intervals below target, "
              f"{q['share_of_days_below_target']:.0%} of simulated days below target")
    return (f"  {name}: target {t['service_level']:.0%} within {t['answer_within_s']:g}s; simulated "
            f"{s['service_level']:.1%}{ci}, abandoned {s['abandon_rate']:.1%}: {verdict}. {detail}")
