"""The `controlroom` command line.

Exit codes: 0 the run finished (read the summary: a finished run can still miss a target),
2 bad input (a file, a row, a scenario key: the one-line message says which),
3 an internal error (a bug: rerun with --verbose for the traceback and report it),
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from importlib import resources
from pathlib import Path

from forecasting.errors import ForecastError
from scheduling.errors import SchedulingError
from simulation.errors import SimulationError

from .config import load_scenario
from .errors import InputError
from .progress import Progress

USER_ERRORS = (InputError, ForecastError, SchedulingError, SimulationError)

EXAMPLES = """examples:
  controlroom demo --out demo-run
  controlroom run scenarios/demo.toml --out my-run
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="controlroom", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Plan a police control room: forecast calls, staff to answer-time targets, "
                    "roster at least cost, and test the roster call by call in simulation.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the built-in demo scenario end to end",
                          epilog="example:\n  controlroom demo --out demo-run",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    _run_options(demo)

    run = sub.add_parser("run", help="run a scenario file (TOML) end to end",
                         epilog="example:\n  controlroom run scenarios/demo.toml --out my-run",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("scenario", type=Path, help="scenario file (TOML); see scenarios/demo.toml")
    _run_options(run)
    return parser


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("controlroom-run"),
                        help="folder for the results (default: controlroom-run)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite results already in --out")
    _common_options(parser)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="print only the summary and errors")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks of internal errors")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except USER_ERRORS as exc:
        print(f"controlroom: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("controlroom: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so in one line unless asked for the traceback
        if args.verbose:
            traceback.print_exc()
        print(f"controlroom: internal error: {type(exc).__name__}: {_one_line(exc)} "
              "(rerun with --verbose for the traceback)", file=sys.stderr)
        return 3


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        with resources.as_file(resources.files("scenarios") / "demo.toml") as path:
            scenario = load_scenario(path)
        return _run(scenario, args)
    if args.command == "run":
        return _run(load_scenario(args.scenario), args)
    raise AssertionError(args.command)


def _run(scenario, args: argparse.Namespace) -> int:
    from .outputs import prepare_out_dir, write_run
    from .pipeline import run_pipeline
    from .summary import summary_text

    out = prepare_out_dir(args.out, force=args.force)
    progress = Progress(quiet=args.quiet)
    result = run_pipeline(scenario, progress)
    summary = write_run(result, out)
    print(summary_text(summary, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
