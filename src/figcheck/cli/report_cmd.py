"""`figcheck report`: articles -> a discrepancy report a person reads (HTML and Markdown)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from figcheck.cli._app import EXIT_ERROR, app, fail, report_problems
from figcheck.cli.extract_cmd import PathsArg, PublishedOpt, RulesOpt, SourceOpt
from figcheck.errors import FigcheckError
from figcheck.models import Problem


@dataclass
class Checked:
    """Everything one run of the pipeline produced."""

    documents: pd.DataFrame
    figures: pd.DataFrame
    findings: pd.DataFrame
    rules: list[Any] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    metric_descriptions: dict[str, str] = field(default_factory=dict)


def run_pipeline(paths: list[Path], rules: Path | None, source: str | None, published: str | None) -> Checked:
    """Load, extract and check through `figcheck.api`; raise `FigcheckError` for what the user must fix.

    Input problems are not logged: the command prints them itself, once.
    """
    from figcheck import api

    with _quiet_library_log():
        documents = api.load([str(p) for p in paths], source=source, published=published)
        figures = api.extract(documents, rules=rules)
        findings = api.check(figures, rules=rules)
    return Checked(
        documents=documents,
        figures=figures,
        findings=findings,
        rules=list(api.linked(findings, "rules")),
        problems=list(documents.attrs.get("problems", [])),
        metric_descriptions=api.metric_descriptions(api.linked(findings, "vocabulary")),
    )


@contextmanager
def _quiet_library_log() -> Iterator[None]:
    """Keep the library's log records from reaching stderr (Python's last-resort handler) for a while."""
    logger = logging.getLogger("figcheck")
    quiet = logging.NullHandler()
    propagate = logger.propagate
    logger.addHandler(quiet)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(quiet)
        logger.propagate = propagate


@app.command()
def report(
    paths: PathsArg,
    output: Annotated[list[Path], typer.Option(
        "--output", "-o", show_default=False,
        help="Report file: .html (the full report; its Markdown twin .md is written beside it), .md, "
             ".sarif or .xml (JUnit). Repeat for several.")],
    markdown: Annotated[bool, typer.Option("--markdown/--no-markdown",
                                           help="With an .html report, also write the .md beside it.")] = True,
    title: Annotated[str | None, typer.Option("--title", help="The report's title.")] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="A baseline file: its accepted findings are marked as such.", show_default=False)] = None,
    only: Annotated[list[Path] | None, typer.Option(
        "--only", help="Report only findings that involve these articles (new or changed ones); the rules "
                       "still run over every PATH. Repeat for several.", show_default=False)] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw a timeline per metric.")] = True,
    rules: RulesOpt = None,
    source: SourceOpt = None,
    published: PublishedOpt = None,
) -> None:
    """Write a discrepancy report: every finding with both quotes, and a timeline per metric.

    The HTML report is one self-contained file (no scripts, no network requests); the Markdown
    report suits a CI job summary. Findings do not change the exit code (use `figcheck check` to
    gate a build): it is 0 when the report is written, 2 on bad usage or unreadable input.

    Examples:
      figcheck report examples -o reports/examples.html

      figcheck report articles/ -o reports/summary.md --no-plots
    """
    from figcheck import api
    from figcheck.baseline import read_baseline
    from figcheck.report.files import format_for
    from figcheck.report.view import involving

    try:
        for p in output:
            format_for(p)
        accepted = read_baseline(baseline) if baseline is not None else None
        run = run_pipeline(paths, rules, source, published)
        report_problems(run.problems)
        findings = run.findings
        if only:
            findings = involving(findings, run.figures, scope_to(run, only))
        written = api.report(
            run.figures, run.findings, output, documents=run.documents, rules=run.rules,
            title=title or api.default_title(paths), baseline=accepted, only=only,
            markdown=markdown, plots=plots,
        )
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)
    counts = findings["severity"].value_counts().to_dict() if len(findings) else {}
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("error", "warning", "info"))
    for p in written:
        sys.stderr.write(f"wrote {p} ({len(findings)} findings: {summary})\n")
    if any(p.severity == "error" for p in run.problems):
        raise typer.Exit(EXIT_ERROR)


def scope_to(run: Checked, only: list[Path]) -> list[str]:
    """Return the doc_ids of the --only articles (a missing path is a usage error).

    A path that exists but is no article of the checked corpus (a README, a file outside the
    corpus folder) is skipped with a warning on stderr, so a pre-commit hook may pass every
    changed file.
    """
    from figcheck.errors import UsageError
    from figcheck.report.view import documents_at

    missing = [str(p) for p in only if not p.exists()]
    if missing:
        raise UsageError(f"--only: no such file or folder: {', '.join(missing)}")
    for p in only:
        if not documents_at(run.documents, [p]):
            sys.stderr.write(f"figcheck: warning: --only {p} is not an article under the checked paths; ignored\n")
    return documents_at(run.documents, only)

