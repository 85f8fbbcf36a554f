"""Options shared by every command, and the --help epilog every command ends with."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Sequence

# The exit codes every command returns (scenarios/cli.py maps errors to them); the README's
# "Command line" section says the same.
EXIT_CODES = (
    ("0", "the run finished (a finished run can still miss a target: read the summary)"),
    ("2", "bad input (the one-line message names the file, row or key)"),
    ("3", "internal error, a bug (rerun with --verbose for the traceback and report it)"),
    ("130", "interrupted"),
)


def epilog(examples: str | Sequence[str], extra_codes: Sequence[tuple[str, str]] = ()) -> str:
    """Examples then exit codes, for the end of a --help (RawDescriptionHelpFormatter keeps the layout).

    ``extra_codes`` are codes only this command returns, as (code, meaning)."""
    examples = [examples] if isinstance(examples, str) else list(examples)
    codes = sorted((*EXIT_CODES, *extra_codes), key=lambda item: int(item[0]))
    width = max(len(code) for code, _ in codes)
    return "\n".join(["examples:", *(f"  {e}" for e in examples), "", "exit codes:",
                      *(f"  {code:<{width}}  {meaning}" for code, meaning in codes)])


def add_parser(sub, name: str, help: str, example: str | Sequence[str],
               extra_codes: Sequence[tuple[str, str]] = ()) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with worked examples and the exit codes."""
    return sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".",
                          epilog=epilog(example, extra_codes),
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def out_options(parser: argparse.ArgumentParser, default: str = "controlroom-run") -> None:
    parser.add_argument("--out", type=Path, default=Path(default),
                        help=f"folder for the results (default: {default})")
    parser.add_argument("--force", action="store_true", help="overwrite results already in --out")
    common_options(parser)


def common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="print only the summary and errors")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks of internal errors")
