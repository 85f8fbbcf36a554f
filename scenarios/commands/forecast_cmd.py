"""`controlroom forecast backtest` and `controlroom forecast run`: forecasting on its own, from a data file."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
from pathlib import Path

from ..errors import InputError
from ..progress import Progress
from .common import add_parser, out_options

BACKTEST_FILES = ("leaderboard.csv", "forecasts.csv", "by_lead.csv", "by_time_of_day.csv", "report.html")
RUN_FILES = ("forecast.csv", "backtest.csv")
LONG_FILES = ("daily.csv", "intervals.csv", "daily.png")
INTERVALS = (15, 30, 60)


def register(sub) -> None:
    group = add_parser(sub, "forecast", "forecast calls on their own: backtest models or forecast ahead",
                       ["controlroom forecast backtest --data calls.csv --out bt --models seasonal_naive,mstl",
                        "controlroom forecast run --data calls.csv --out fc --horizon-days 28 --calibrate",
                        "controlroom forecast long-range --data calls.csv --out finance --holidays GB-ENG"])
    commands = group.add_subparsers(dest="forecast_command", required=True, metavar="SUBCOMMAND")

    backtest = add_parser(commands, "backtest",
                          "rolling-origin backtest of forecasting models, scored by lead time",
                          "controlroom forecast backtest --data calls.csv --out bt --models seasonal_naive,mstl")
    _data_options(backtest)
    backtest.add_argument("--models", help="comma-separated model names (default: every registered model)")
    backtest.add_argument("--origins", type=int, default=84, help="scored origins, one per step (default 84)")
    backtest.add_argument("--step-days", type=int, default=1, help="days between origins (default 1)")
    backtest.add_argument("--horizon-days", type=int, default=42,
                          help="furthest lead scored in days (default 42: weeks 2 to 6)")
    backtest.add_argument("--refit-every", default="auto",
                          help="days between refits: 'auto' (each model's own cadence: fast ones at every issue "
                               "time, the others daily or weekly and updated with new data in between), "
                               "0 (every issue time) or a number of days")
    backtest.add_argument("--warmup-origins", type=int, default=14,
                          help="extra earlier origins used only to learn the calibration (default 14)")
    backtest.add_argument("--no-calibrate", action="store_true", help="score the models' own quantiles only")
    backtest.add_argument("--workers", type=int, default=1,
                          help="processes backtesting queues side by side (default 1; same results for any number)")
    _holiday_option(backtest)
    backtest.add_argument("--no-total", action="store_true",
                          help="do not add the queue ALL (all queues summed) when there are several")
    backtest.add_argument("--window-days", type=int, default=14,
                          help="days of forecast against actual drawn in the plots and report (default 14)")
    out_options(backtest, default="controlroom-backtest")
    backtest.set_defaults(handler=_backtest)

    run = add_parser(commands, "run", "forecast every queue ahead with the model that backtests best",
                     "controlroom forecast run --data calls.csv --out fc --horizon-days 28")
    _data_options(run)
    run.add_argument("--models", help="comma-separated model names (default: every registered model)")
    run.add_argument("--horizon-days", type=int, default=28, help="days to forecast (default 28)")
    run.add_argument("--backtest-origins", type=int, default=2, help="weekly origins used to pick the model")
    run.add_argument("--calibrate", action="store_true",
                     help="rescale the quantiles so they would have covered as nominal in the backtest")
    _holiday_option(run)
    out_options(run, default="controlroom-forecast")
    run.set_defaults(handler=_run)

    long = add_parser(commands, "long-range",
                      "daily totals 12 to 18 months ahead (trend, annual cycle, holidays) spread over intervals",
                      "controlroom forecast long-range --data calls.csv --out finance --horizon-days 548")
    _data_options(long)
    long.add_argument("--horizon-days", type=int, default=548, help="days to forecast (default 548, 18 months)")
    long.add_argument("--holidays", default="GB-ENG",
                      help="holiday calendar COUNTRY[-SUBDIVISION] of the holidays package, or 'none' (default GB-ENG)")
    long.add_argument("--annual-order", type=int, default=3, help="Fourier pairs for the annual cycle (default 3)")
    out_options(long, default="controlroom-long-range")
    long.set_defaults(handler=_long_range)


def _holiday_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--holidays", default="GB-ENG",
                        help="public holidays for the models that use special days: COUNTRY[-SUBDIVISION] of the "
                             "holidays package, or 'none' (default GB-ENG); New Year's Eve is added every year")


def _special_days(args: argparse.Namespace, history):
    from forecasting.errors import ForecastError
    from forecasting.special_days import special_days_from_settings

    times = history["interval_start"]
    years = range(times.min().year - 1, times.max().year + 3)
    try:
        return special_days_from_settings(args.holidays, (), years)
    except ForecastError as exc:
        raise InputError(f"--holidays: {exc}") from None


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True,
                        help="call log (one row per call) or interval counts (queue, interval_start, calls), CSV or Parquet")
    parser.add_argument("--interval", type=int, default=15, help="interval length in minutes: 15, 30 or 60 (default 15)")
    parser.add_argument("--queues", help="comma-separated queues to use (default: all in the file)")
    parser.add_argument("--timezone", default="Europe/London", help="time zone of the clock times (default Europe/London)")


def _read(args: argparse.Namespace, progress: Progress):
    from ..ingest import read_history

    if args.interval not in INTERVALS:
        raise InputError(f"--interval must be one of {', '.join(map(str, INTERVALS))} minutes, got {args.interval}")
    queues = _names(args.queues)
    progress(f"reading {args.data}")
    history = read_history(args.data, timezone=args.timezone, interval_minutes=args.interval, queues=queues)
    progress(f"{len(history):,} intervals, {int(history['calls'].sum()):,} calls, "
             f"{history['queue'].nunique()} queue(s)")
    return history


def _models(text: str | None) -> list[str] | None:
    from forecasting.models import make_model

    names = _names(text)
    for name in names or ():
        make_model(name)  # unknown names: one line listing the known ones
    return names


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise InputError(f"expected a comma-separated list of names, got {text!r}")
    return names


def _prepare(out: Path, names: tuple[str, ...], force: bool) -> Path:
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out must be a folder, and a file of that name exists")
    existing = [name for name in names if (out / name).exists()]
    if existing and not force:
        raise InputError(f"{out}: already holds results ({', '.join(existing)}); "
                         "choose another --out or pass --force to overwrite them")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _refit(text: str) -> int | None:
    if text == "auto":
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise InputError(f"--refit-every must be 'auto' or a whole number of days >= 0, got {text!r}")
    return value


def _backtest(args: argparse.Namespace) -> int:
    from forecasting.harness import HarnessSettings, add_total, run_backtest

    from ..forecast_plots import PLOT_FILES, best_models, write_plots
    from ..report.backtest_report import backtest_report

    progress = Progress(quiet=args.quiet).begin("backtest")
    if args.window_days < 1:
        raise InputError(f"--window-days must be a whole number of days >= 1, got {args.window_days}")
    models = _models(args.models)
    settings = HarnessSettings(origins=args.origins, step_days=args.step_days, horizon_days=args.horizon_days,
                               refit_every_days=_refit(args.refit_every), warmup_origins=args.warmup_origins,
                               calibrate=not args.no_calibrate, workers=args.workers)
    out = _prepare(args.out, BACKTEST_FILES + PLOT_FILES, args.force)
    history = _read(args, progress)
    settings = dataclasses.replace(settings, special_days=_special_days(args, history))
    if history["queue"].nunique() > 1 and not args.no_total:
        history = add_total(history)
    report = run_backtest(history, models, settings, progress)
    tables = {"leaderboard.csv": report.leaderboard, "forecasts.csv": report.forecasts,
              "by_lead.csv": report.by_lead, "by_time_of_day.csv": report.by_time_of_day}
    for name, frame in tables.items():
        frame.to_csv(out / name, index=False, float_format="%.6g")
    write_plots(report, out, days=args.window_days)
    backtest_report(tables, _backtest_inputs(args, history, report.leaderboard, out), out, days=args.window_days)
    board = report.leaderboard
    interval = board[board["level"] == "interval"]
    for horizon in ("day_ahead", "week_ahead"):
        best = best_models(board, horizon)
        for queue, model in best.items():
            row = interval[(interval["queue"] == queue) & (interval["model"] == model) & (interval["horizon"] == horizon)].iloc[0]
            print(f"{queue} {horizon}: best {model}, RMSE {row['rmse']:.3f} = {row['rmse_ratio']:.3f} x weekly "
                  f"seasonal naive; 80%/95% coverage {row['coverage_80']:.1%}/{row['coverage_95']:.1%}")
    print(f"results in {out}/ ({', '.join(BACKTEST_FILES + PLOT_FILES)})")
    return 0


def _backtest_inputs(args: argparse.Namespace, history, board, out: Path) -> dict[str, object]:
    """What the report states so a reader can run the same backtest again."""
    from .. import __version__
    from ..report.page import shown_path

    models = ",".join(dict.fromkeys(board["model"]))
    words = ["controlroom", "forecast", "backtest", "--data", shown_path(args.data),
             "--interval", str(args.interval), "--timezone", args.timezone]
    words += ["--queues", args.queues] if args.queues else []
    words += ["--models", models, "--origins", str(args.origins), "--step-days", str(args.step_days),
              "--horizon-days", str(args.horizon_days), "--refit-every", args.refit_every,
              "--warmup-origins", str(args.warmup_origins), "--window-days", str(args.window_days),
              "--holidays", args.holidays]
    words += ["--no-calibrate"] * args.no_calibrate + ["--no-total"] * args.no_total
    starts = history["interval_start"]
    return {"data": shown_path(args.data), "history": f"{starts.min():%Y-%m-%d %H:%M} to {starts.max():%Y-%m-%d %H:%M}",
            "queues": ", ".join(dict.fromkeys(board["queue"].astype(str))), "models": models,
            "origins": f"{args.origins}, one every {args.step_days} day(s), plus {args.warmup_origins} warm-up",
            "horizon": f"{args.horizon_days} days", "interval": f"{args.interval} minutes",
            "timezone": args.timezone, "refit every": args.refit_every,
            "calibrated": "no" if args.no_calibrate else "yes", "version": __version__,
            "command": shlex.join(words + ["--out", shown_path(out)])}


def _run(args: argparse.Namespace) -> int:
    from forecasting.driver import forecast

    progress = Progress(quiet=args.quiet).begin("forecast")
    models = _models(args.models)
    out = _prepare(args.out, RUN_FILES, args.force)
    history = _read(args, progress)
    result = forecast(history, horizon_days=args.horizon_days, models=models,
                      backtest_origins=args.backtest_origins, progress=progress, calibrate=args.calibrate,
                      special_days=_special_days(args, history))
    result.forecast.to_csv(out / "forecast.csv", index=False, float_format="%.6g")
    result.summary().to_csv(out / "backtest.csv", index=False, float_format="%.6g")
    for queue, model in result.chosen.items():
        print(f"{queue}: forecast with {model}")
    print(f"results in {out}/ ({', '.join(RUN_FILES)})")
    return 0


def _long_range(args: argparse.Namespace) -> int:
    from forecasting.long_range import LongRangeSettings, daily_totals, long_range_forecast

    from ..forecast_plots import plot_long_range

    progress = Progress(quiet=args.quiet).begin("long range")
    country, subdiv = (None, None) if args.holidays.lower() == "none" else (args.holidays.split("-", 1) + [None])[:2]
    settings = LongRangeSettings(annual_order=args.annual_order, holiday_country=country, holiday_subdiv=subdiv)
    out = _prepare(args.out, LONG_FILES, args.force)
    history = _read(args, progress)
    result = long_range_forecast(history, args.horizon_days, settings)
    result.daily.to_csv(out / "daily.csv", index=False, float_format="%.6g")
    result.intervals.to_csv(out / "intervals.csv", index=False, float_format="%.6g")
    past = {queue: daily_totals(rows.set_index("interval_start")["calls"].astype(float))
            for queue, rows in history.groupby("queue", sort=True)}
    plot_long_range(past, result.daily, out / "daily.png")
    for queue, growth in result.growth.items():
        days = result.daily[result.daily["queue"] == queue]
        print(f"{queue}: trend {growth:+.1%} a year; {days['calls'].sum():,.0f} calls forecast over "
              f"{len(days)} days")
    print(f"results in {out}/ ({', '.join(LONG_FILES)})")
    return 0
