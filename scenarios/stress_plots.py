"""Plots of a comparison: service level by hour of day and by day, abandonment, cost (PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

PLOTS = ("service_level_by_hour.png", "service_level_by_day.png", "abandonment.png", "cost.png")


def _pooled(kpi: pd.DataFrame, by) -> pd.DataFrame:
    grouped = kpi.groupby(["queue", by], observed=True)[["answered_within", "offered"]].sum()
    return (grouped["answered_within"] / grouped["offered"].where(grouped["offered"] > 0)).rename("sl").reset_index()


def service_level_by(comparison, queue: str, key: str) -> pd.DataFrame:
    """Simulated service level of ``queue`` by local ``key`` ("hour" of day or "day"), replications
    pooled (answered within the threshold / offered): columns scenario, key, sl."""
    frames = []
    for r in comparison.results:
        kpi = r.simulation.kpi
        kpi = kpi[kpi["queue"].astype(str) == queue]
        kpi = kpi.assign(**{key: (kpi["interval_start"].dt.hour if key == "hour"
                                  else kpi["interval_start"].dt.tz_localize(None).dt.normalize())})
        frames.append(_pooled(kpi, key).drop(columns="queue").assign(scenario=r.name))
    return pd.concat(frames, ignore_index=True)[["scenario", key, "sl"]]


def _service_level(comparison, out: Path, key: str, label: str, name: str) -> None:
    queues = list(comparison.results[0].stress.baseline.queues.items())
    fig, axes = plt.subplots(len(queues), 1, figsize=(10, 3.2 * len(queues)), squeeze=False)
    for ax, (queue, settings) in zip(axes[:, 0], queues):
        for scenario, line in service_level_by(comparison, queue, key).groupby("scenario", sort=False):
            ax.plot(line[key], line["sl"], marker="o", markersize=3, label=scenario)
        ax.axhline(settings.service_level, color="black", linestyle="--", linewidth=1,
                   label=f"target {settings.service_level:.0%} in {settings.answer_within_s:g}s")
        ax.set_title(f"{queue}: share answered within {settings.answer_within_s:g}s")
        ax.set_ylabel("service level")
        ax.set_xlabel(label)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(out / name, dpi=110)
    plt.close(fig)


def _abandonment(table: pd.DataFrame, out: Path) -> None:
    scenarios = list(dict.fromkeys(table["scenario"]))
    queues = list(dict.fromkeys(table["queue"]))
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(scenarios) * len(queues)), 4))
    width = 0.8 / len(queues)
    x = np.arange(len(scenarios))
    for k, queue in enumerate(queues):
        rows = table[table["queue"] == queue].set_index("scenario").reindex(scenarios)
        err = np.vstack([rows["abandon_rate"] - rows["abandon_rate_lo"], rows["abandon_rate_hi"] - rows["abandon_rate"]])
        ax.bar(x + k * width, rows["abandon_rate"], width, yerr=np.nan_to_num(err), capsize=3, label=queue)
    ax.set_xticks(x + width * (len(queues) - 1) / 2, scenarios, rotation=20, ha="right")
    ax.set_ylabel("share of callers who hung up")
    ax.set_title("Abandonment (95% CI over replications)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "abandonment.png", dpi=110)
    plt.close(fig)


def _cost(table: pd.DataFrame, out: Path, currency: str) -> None:
    per = table.drop_duplicates("scenario").set_index("scenario")
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(per)), 4))
    bottom = np.zeros(len(per))
    for column, label in (("roster_cost", "contracted roster"), ("overtime_used_cost", "overtime used"),
                          ("cost_to_restore", "cost to restore the targets")):
        ax.bar(per.index, per[column], bottom=bottom, label=label)
        bottom += per[column].to_numpy()
    ax.set_ylabel(currency)
    ax.set_title("Cost over the plan")
    ax.tick_params(axis="x", rotation=20)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "cost.png", dpi=110)
    plt.close(fig)


def write_plots(comparison, out: Path) -> list[Path]:
    _service_level(comparison, out, "hour", "hour of the day (local)", PLOTS[0])
    _service_level(comparison, out, "day", "day", PLOTS[1])
    _abandonment(comparison.table, out)
    _cost(comparison.table, out, comparison.costs.currency)
    return [out / name for name in PLOTS]
