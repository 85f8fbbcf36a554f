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

from forecasting.errors import ForecastError
from scheduling.errors import SchedulingError
from simulation.errors import SimulationError

from .commands.common import epilog
from .commands import forecast_cmd, pipeline_cmd, roster_cmd, scenarios_cmd, simulate_cmd
from .errors import InputError

USER_ERRORS = (InputError, ForecastError, SchedulingError, SimulationError)

# Each command (group) lives in its own module under scenarios/commands/.
COMMANDS = (pipeline_cmd, forecast_cmd, roster_cmd, simulate_cmd, scenarios_cmd)

EXAMPLES = (
    "controlroom demo --out demo-run",
    "controlroom run scenarios/demo.toml --out my-run",
    "controlroom scenarios compare scenarios/demo.toml heatwave major_incident --out stress",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="controlroom", epilog=epilog(EXAMPLES), formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Plan a police control room: forecast calls, staff to answer-time targets, "
                    "roster at least cost, and test the roster call by call in simulation.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except USER_ERRORS as exc:
        print(f"controlroom: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("controlroom: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so in one line unless asked for the traceback
        if getattr(args, "verbose", False):
            traceback.print_exc()
        print(f"controlroom: internal error: {type(exc).__name__}: {_one_line(exc)} "
              "(rerun with --verbose for the traceback)", file=sys.stderr)
        return 3


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":
    sys.exit(main())
