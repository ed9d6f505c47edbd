"""`figcheck baseline write`: accept the current findings, each with a reason."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from figcheck.cli._app import EXIT_ERROR, app, fail, report_problems
from figcheck.cli.extract_cmd import PathsArg, PublishedOpt, RulesOpt, SourceOpt
from figcheck.errors import FigcheckError

baseline_app = typer.Typer(
    name="baseline",
    help="Record accepted findings so that `figcheck check --baseline FILE` fails only on new ones.",
    no_args_is_help=True,
)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("write")
def write(
    file: Annotated[Path, typer.Argument(help="The baseline file to write (.yaml, or .json).", show_default=False)],
    paths: PathsArg,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why these findings are accepted; recorded for every finding the file does not "
                         "already list (entries already there keep their reason).", show_default=False)] = None,
    rules: RulesOpt = None,
    source: SourceOpt = None,
    published: PublishedOpt = None,
) -> None:
    """Write a baseline accepting every current finding, by fingerprint, each with a reason.

    Rewriting an existing baseline keeps the reasons already in it, drops entries that no longer
    occur, and adds new findings with `--reason`. Edit the reasons by hand: they are for the
    people who read the file.

    Example:
      figcheck baseline write .figcheck-baseline.yaml articles/ --reason "known before adopting figcheck"
    """
    from figcheck.baseline import DEFAULT_REASON, write_baseline
    from figcheck.cli.report_cmd import run_pipeline

    try:
        run = run_pipeline(paths, rules, source, published)
        report_problems(run.problems)
        written = write_baseline(file, run.findings, reason or DEFAULT_REASON)
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)
    sys.stderr.write(f"wrote {file}: {len(written.entries)} accepted finding"
                     f"{'' if len(written.entries) == 1 else 's'}\n")
    if any(p.severity == "error" for p in run.problems):
        raise typer.Exit(EXIT_ERROR)
