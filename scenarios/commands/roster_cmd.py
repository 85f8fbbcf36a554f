"""`controlroom roster ...`: the named-person roster model on the Curtois-Qu benchmark, and
checks of proposed rosters and flexible-working requests before anyone agrees to them."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from ..errors import InputError
from ..progress import Progress
from .common import add_parser, common_options

CHECK_HELP = """\
inputs (CSV, one row per shift worked; times are local wall-clock, no time zone):
  ROSTER.csv       person, then either
                     date (YYYY-MM-DD) or day (0 = first day), start, end  (HH:MM), or
                     start, end as full timestamps (YYYY-MM-DD HH:MM)
                   optional column break_min (unpaid minutes, not counted as cover);
                   a shift ending at or before its start ends the next day (nights).
  --change FILE    the same columns, rows for ONE person only: their whole new pattern,
                   replacing their rows in ROSTER.csv (a flexible-working request). Days
                   they no longer work simply have no row.
  --requirement FILE  interval_start (YYYY-MM-DD HH:MM), required; optional skill (999 or
                   101; without it the requirement is for one pool answering both,
                   reported as 999: everyone in a checked roster takes both lines).
                   Every interval is --interval-min long.
reports: cover gained or lost per interval (and --cover-out CSV), the paid-hours cost
difference at --hourly-cost, and each rule broken, per person and day, naming the rule
(rest, weekly_rest, max_consecutive, max_minutes, ...), marking the ones the change creates.
"""

# benchmark's own outcome besides the shared exit codes
NO_ROSTER = (("1", "benchmark: no roster found in the time limit, or the roster breaks a hard rule"),)


def register(sub) -> None:
    roster = add_parser(sub, "roster", "named-person rosters: the Curtois-Qu benchmark and roster checks",
                        ["controlroom roster benchmark Instance1.txt --out solution.csv --time-limit 60",
                         "controlroom roster check roster.csv --requirement req.csv --change request.csv"],
                        NO_ROSTER)
    inner = roster.add_subparsers(dest="roster_command", required=True, metavar="SUBCOMMAND")

    bench = add_parser(inner, "benchmark", "solve a Curtois-Qu benchmark instance with the named-roster model",
                       "controlroom roster benchmark Instance1.txt --out solution.csv --time-limit 60",
                       NO_ROSTER)
    bench.add_argument("instance", type=Path, help="instance file in the benchmark's text format")
    bench.add_argument("--out", type=Path, required=True, help="solution CSV to write (employee,day,shift)")
    bench.add_argument("--time-limit", type=float, default=60.0, help="seconds for the solver (default 60)")
    bench.add_argument("--threads", type=int, default=1, help="solver threads (default 1)")
    bench.add_argument("--solver", choices=("highs", "cbc"), default="highs", help="MIP solver (default highs)")
    bench.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    common_options(bench)
    bench.set_defaults(handler=_benchmark)

    chk = add_parser(inner, "check", "check a roster, or one person's proposed change to it, "
                     "against the requirement and the working-time rules",
                     ["controlroom roster check roster.csv --requirement req.csv --change request.csv",
                      "controlroom roster check roster.csv --requirement req.csv --export roster-files"])
    chk.epilog = CHECK_HELP + "\n" + chk.epilog
    chk.add_argument("roster", type=Path, help="existing roster CSV (see below)")
    chk.add_argument("--requirement", type=Path, help="required heads per interval CSV (see below)")
    chk.add_argument("--change", type=Path, help="one person's proposed new pattern CSV (see below)")
    chk.add_argument("--interval-min", type=int, default=15, help="interval length in minutes (default 15)")
    chk.add_argument("--hourly-cost", type=float, default=1.0, help="cost of a paid hour (default 1)")
    chk.add_argument("--min-rest-h", type=float, default=11.0, help="rest between shifts in hours (default 11)")
    chk.add_argument("--max-week-h", type=float, default=48.0, help="average hours a week (default 48)")
    chk.add_argument("--weekly-rest-days", type=int, default=1,
                     help="days off in any 7 consecutive days (default 1)")
    chk.add_argument("--max-consecutive", type=int, default=None, help="most shifts in a row (default: no limit)")
    chk.add_argument("--min-days-off", type=int, default=1, help="shortest run of days off (default 1)")
    chk.add_argument("--max-weekends", type=int, default=None, help="most weekends worked (default: no limit)")
    chk.add_argument("--cover-out", type=Path, help="write the per-interval cover comparison to this CSV")
    chk.add_argument("--export", type=Path, metavar="DIR",
                     help="write the roster (after the change, if any) as roster.csv, roster.xlsx "
                          "(one row per person, one column per day; cover and rules sheets) and cover.png")
    chk.add_argument("--force", action="store_true", help="overwrite --cover-out or --export files if they exist")
    common_options(chk)
    chk.set_defaults(handler=_check)


def _refuse_overwrite(path: Path | None, force: bool) -> None:
    if path is not None and path.exists() and not force:
        raise InputError(f"{path}: already exists; choose another file or pass --force to overwrite it")


def _benchmark(args: argparse.Namespace) -> int:
    from scheduling.curtois import read_instance, solution_frame
    from scheduling.named_roster import integral_objective, solve_roster
    from scheduling.rules import check
    from scheduling.solver import SolverOptions

    _refuse_overwrite(args.out, args.force)
    progress = Progress(quiet=args.quiet).begin("benchmark")
    problem = read_instance(args.instance)
    progress(f"{args.instance.name}: {len(problem.people)} staff, {problem.horizon} days, "
             f"{len(problem.shifts)} shift types; solving (limit {args.time_limit:g} s)")
    # With whole-number penalties a bound within 1 of the objective proves it optimal.
    gap_abs = 0.999 if integral_objective(problem) else None
    options = SolverOptions(solver=args.solver, time_limit_s=args.time_limit, gap_rel=0.0, gap_abs=gap_abs,
                            threads=args.threads)
    result = solve_roster(problem, options, decompose=True)
    outcome = result.outcome
    if not outcome.has_solution:
        print(f"{args.instance.name}: no roster found (solver status {outcome.status}) in {outcome.seconds:.1f} s")
        return 1
    checked = check(problem, result.roster)
    solution_frame(result.roster).to_csv(args.out, index=False)
    bound = outcome.best_bound
    if bound is not None and gap_abs is not None:
        bound = math.ceil(bound - 1e-6)  # whole-number penalties: the bound rounds up
    bound_txt = "unknown" if bound is None else f"{bound:g}"
    gap = "unknown" if bound is None else f"{100 * max(0.0, checked.penalty - bound) / max(checked.penalty, 1e-9):.2f}%"
    print(f"{args.instance.name}: objective {checked.penalty:g} (benchmark penalty, checked from scratch), "
          f"lower bound {bound_txt}, gap {gap}, status {outcome.status}, {outcome.seconds:.1f} s")
    print("  parts: " + ", ".join(f"{k} {v:g}" for k, v in checked.parts.items() if v))
    if result.relaxed:
        print("  the hard rules conflict: this roster breaks only what it must (see the notes)")
    for note in result.notes[:20]:
        print(f"  note: {note}")
    if not checked.feasible:
        print(f"  WARNING: {len(checked.violations)} hard rule(s) broken:")
        print(checked.violations.to_string(index=False))
        return 1
    if not args.quiet:
        print(f"  wrote {len(result.roster)} shifts to {args.out}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from ..roster_check import CheckInputs, compare_rosters, report_lines

    from ..roster_export import EXPORT_FILES, export_roster

    _refuse_overwrite(args.cover_out, args.force)
    if args.export is not None:
        for name in EXPORT_FILES:
            _refuse_overwrite(args.export / name, args.force)
    inputs = CheckInputs.from_args(args)
    report = compare_rosters(inputs)
    for line in report_lines(report, quiet=args.quiet):
        print(line)
    if args.cover_out is not None and report.cover is not None:
        report.cover.to_csv(args.cover_out, index=False)
    if args.export is not None:
        from ..roster_check import roster_table

        judged = report.after if report.after is not None else report.before
        written = export_roster(report.problem, roster_table(report), judged, args.export, inputs.day0)
        if not args.quiet:
            print("Wrote " + ", ".join(str(p) for p in written))
    return 0
