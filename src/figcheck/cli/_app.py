"""The typer application and what every command shares: one-line errors and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import NoReturn

import typer

from figcheck.models import Problem

#: Exit codes. They never change meaning (README "Exit codes").
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

app = typer.Typer(
    name="figcheck",
    help=(
        "Check that the figures in news reports agree with each other.\n\n"
        "figcheck reads articles (.txt, .md, .html, .jsonl), extracts every figure with its date, "
        "source and exact words, and flags figures that contradict each other."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        from figcheck import __version__

        typer.echo(f"figcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Check that the figures in news reports agree with each other.

    figcheck reads articles (.txt, .md, .html, .jsonl), extracts every figure with its date, source and
    exact words, and flags figures that contradict each other.

    Exit codes: 0 nothing reached --fail-on; 1 findings did; 2 bad usage, bad rules or unreadable input.
    """


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print ``figcheck: error: message`` on one line to stderr and exit with ``code``."""
    sys.stderr.write(f"figcheck: error: {message}\n")
    raise typer.Exit(code)


def report_problems(problems: Iterable[Problem]) -> int:
    """Print input problems to stderr, one per line; return how many were errors."""
    errors = 0
    for p in problems:
        sys.stderr.write(f"{p}\n")
        errors += p.severity == "error"
    return errors
