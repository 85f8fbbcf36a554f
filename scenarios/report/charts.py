"""Figures drawn from the long tables the stages hand each other (column names as in each schema)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

BAND = "rgba(31,119,180,{})"
MISS = "#b3261e"


def demand_chart(history: pd.DataFrame, forecast: pd.DataFrame, queue: str, *,
                 history_days: int = 14, marks: Sequence[tuple] = ()) -> go.Figure:
    """The last weeks of history, then the forecast with its 80% and 95% bands; ``marks`` are
    special days as wall-clock (start, end, name), shaded."""
    fc = forecast[forecast["queue"] == queue].sort_values("interval_start")
    hist = history[history["queue"] == queue].sort_values("interval_start")
    hist = hist[hist["interval_start"] >= hist["interval_start"].max() - pd.Timedelta(days=history_days)]
    fig = go.Figure()
    add_bands(fig, fc)
    fig.add_trace(go.Scatter(x=hist["interval_start"], y=hist["calls"], name="history",
                             line=dict(color="#555", width=1)))
    fig.add_trace(go.Scatter(x=fc["interval_start"], y=fc["calls"], name="forecast (mean)",
                             line=dict(color=BAND.format(1), width=1.5)))
    start = hist["interval_start"].min() if len(hist) else fc["interval_start"].min()
    _mark_windows(fig, start, fc["interval_start"].max(), marks)
    fig.update_layout(title=f"{queue}: calls per interval, history and forecast",
                      yaxis_title="calls per interval", hovermode="x unified")
    return fig


def add_bands(fig: go.Figure, rows: pd.DataFrame) -> None:
    """The 95% and 80% prediction bands of ``rows`` (forecast columns), where it has them."""
    for lo, hi, alpha, name in (("calls_p2.5", "calls_p97.5", 0.15, "95% band"),
                                ("calls_p10", "calls_p90", 0.3, "80% band")):
        if lo in rows and hi in rows:
            fig.add_trace(go.Scatter(x=rows["interval_start"], y=rows[hi], line=dict(width=0),
                                     showlegend=False, hoverinfo="skip"))
            fig.add_trace(go.Scatter(x=rows["interval_start"], y=rows[lo], line=dict(width=0), fill="tonexty",
                                     fillcolor=BAND.format(alpha), name=name))


def forecast_vs_actual(rows: pd.DataFrame, title: str) -> go.Figure:
    """Backtest pairs in time order: the forecast with its bands, and what happened."""
    rows = rows.sort_values("interval_start")
    fig = go.Figure()
    add_bands(fig, rows)
    fig.add_trace(go.Scatter(x=rows["interval_start"], y=rows["calls"], name="forecast (mean)",
                             line=dict(color=BAND.format(1), width=1.5)))
    fig.add_trace(go.Scatter(x=rows["interval_start"], y=rows["actual"], name="actual",
                             line=dict(color="#222", width=0.8)))
    fig.update_layout(title=title, yaxis_title="calls per interval", hovermode="x unified")
    return fig


def lines(frame: pd.DataFrame, x: str, y: str, by: str, *, title: str, x_title: str, y_title: str,
          reference: float | None = None, reference_name: str = "", percent: bool = False) -> go.Figure:
    """One line per value of ``by`` (in order of appearance), with an optional horizontal reference."""
    fig = go.Figure()
    for name, rows in frame.groupby(by, sort=False):
        fig.add_trace(go.Scatter(x=rows[x], y=rows[y], name=str(name), mode="lines+markers",
                                 marker=dict(size=4), line=dict(width=1.5)))
    if reference is not None:
        fig.add_hline(y=reference, line=dict(color="black", dash="dash", width=1),
                      annotation_text=reference_name, annotation_position="bottom right")
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, hovermode="x unified")
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return fig


def bars(frame: pd.DataFrame, x, y: str, by: str, *, title: str, y_title: str,
         low: str | None = None, high: str | None = None, reference: float | None = None,
         reference_name: str = "", percent: bool = False) -> go.Figure:
    """Grouped bars: one colour per value of ``by``; ``x`` a column, or two (a two-level axis);
    ``low``/``high`` columns draw an interval on each bar."""
    fig = go.Figure()
    for name, rows in frame.groupby(by, sort=False):
        xs = [rows[c].astype(str).tolist() for c in x] if isinstance(x, list) else rows[x].astype(str)
        error = None
        if low and high:
            error = dict(type="data", symmetric=False, array=(rows[high] - rows[y]).clip(lower=0),
                         arrayminus=(rows[y] - rows[low]).clip(lower=0), thickness=1)
        fig.add_trace(go.Bar(x=xs, y=rows[y], name=str(name), error_y=error))
    if reference is not None:
        fig.add_hline(y=reference, line=dict(color="black", dash="dash", width=1),
                      annotation_text=reference_name, annotation_position="top right")
    fig.update_layout(title=title, yaxis_title=y_title, barmode="group")
    fig.update_yaxes(rangemode="tozero")
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return fig


def stacked_bars(frame: pd.DataFrame, x: str, parts: dict[str, str], *, title: str, y_title: str) -> go.Figure:
    """One bar per row of ``frame``, stacked from the columns ``parts`` (column -> legend name)."""
    fig = go.Figure([go.Bar(x=frame[x].astype(str), y=frame[column], name=name) for column, name in parts.items()])
    fig.update_layout(title=title, yaxis_title=y_title, barmode="stack")
    return fig


def _mark_windows(fig: go.Figure, start: pd.Timestamp, end: pd.Timestamp, marks: Sequence[tuple]) -> None:
    if pd.isna(start) or pd.isna(end):
        return
    for begin, finish, name in marks:
        begin, finish = (_on_axis(t, start.tz) for t in (begin, finish))
        if finish > start and begin <= end:
            fig.add_vrect(x0=max(begin, start), x1=min(finish, end), fillcolor="orange", opacity=0.12,
                          line_width=0, annotation_text=name, annotation_position="top left")


def _on_axis(wall: pd.Timestamp, tz) -> pd.Timestamp:
    """A wall-clock time on the chart's time zone (clock-change gaps and repeats resolved forward)."""
    wall = pd.Timestamp(wall)
    if tz is None or wall.tz is not None:
        return wall
    return wall.tz_localize(tz, ambiguous=False, nonexistent="shift_forward")


def staffing_chart(cover: pd.DataFrame, title: str = "Handlers required and rostered") -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=cover["interval_start"], y=cover["required"], name="required",
                             line=dict(shape="hv", color="#b3261e", width=1.2)))
    fig.add_trace(go.Scatter(x=cover["interval_start"], y=cover["rostered"], name="rostered",
                             line=dict(shape="hv", color="#1f77b4", width=1.2)))
    short = cover[cover["rostered"] < cover["required"]]
    if len(short):
        fig.add_trace(go.Scatter(x=short["interval_start"], y=short["rostered"], mode="markers",
                                 marker=dict(color=MISS, symbol="x", size=6), name="short of required"))
    fig.update_layout(title=title, yaxis_title="handlers on duty (not on break)", hovermode="x unified")
    return fig


def day_by_time(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """A table of ``value``: one row per local date, one column per local time of day."""
    starts = pd.DatetimeIndex(frame["interval_start"])
    table = pd.DataFrame({"date": starts.strftime("%a %d %b"), "order": starts.normalize(),
                          "time": starts.strftime("%H:%M"), value: frame[value].to_numpy()})
    grid = table.pivot_table(index=["order", "date"], columns="time", values=value, aggfunc="mean")
    return grid.droplevel("order")


def kpi_heatmap(kpi: pd.DataFrame, queue: str, metric: str, *, target: float | None = None,
                higher_is_better: bool = True, title: str = "") -> go.Figure:
    """Day by time of day; with a target, the intervals that miss it are crossed out."""
    grid = day_by_time(kpi[kpi["queue"] == queue], metric)
    scale = "RdYlGn" if higher_is_better else "RdYlGn_r"
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=list(grid.index),
                               colorscale=scale, colorbar=dict(title=metric), hoverongaps=False,
                               zmin=_finite_min(grid.to_numpy()) if target is None else None))
    if target is not None:
        missed = grid < target if higher_is_better else grid > target
        ys, xs = np.nonzero(missed.to_numpy())
        if len(xs):
            fig.add_trace(go.Scatter(x=[grid.columns[i] for i in xs], y=[grid.index[j] for j in ys],
                                     mode="markers", marker=dict(symbol="x-thin", size=7,
                                                                 line=dict(width=1.5, color="black")),
                                     name=f"misses target {target:g}"))
    fig.update_layout(title=title or f"{queue}: {metric}", xaxis_title="time of day",
                      yaxis=dict(autorange="reversed"), height=max(320, 18 * len(grid) + 140))
    return fig


def _finite_min(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.min()) if finite.size else None  # None: plotly picks the scale


def roster_timeline(shifts: pd.DataFrame, *, max_people: int = 80) -> go.Figure:
    """One row per person: shifts as bars, breaks drawn over them."""
    people = list(dict.fromkeys(shifts["staff_id"]))[:max_people]
    rows = shifts[shifts["staff_id"].isin(people)]
    fig = go.Figure()
    _bars(fig, rows, "start", "end", "shift", "#1f77b4", rows["shift"].astype(str))
    breaks = rows.dropna(subset=["break_start"])
    _bars(fig, breaks, "break_start", "break_end", "break", "#ffbf00", ["break"] * len(breaks))
    fig.update_layout(title=f"Roster by person (first {len(people)} of {shifts['staff_id'].nunique()})",
                      barmode="overlay", xaxis=dict(type="date"),
                      yaxis=dict(autorange="reversed", categoryorder="array", categoryarray=people),
                      height=max(360, 14 * len(people) + 120))
    return fig


def _bars(fig, rows, start, end, name, color, text) -> None:
    begin = pd.to_datetime(rows[start])
    length_ms = (pd.to_datetime(rows[end]) - begin).dt.total_seconds() * 1000
    fig.add_trace(go.Bar(y=rows["staff_id"], x=length_ms, base=begin, orientation="h", name=name,
                         marker_color=color, hovertext=list(text), width=0.7))
