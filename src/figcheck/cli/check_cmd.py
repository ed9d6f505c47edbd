"""`figcheck check`: articles -> figures -> findings, printed as a report; the exit code for CI."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from figcheck.cli._app import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, app, fail, report_problems
from figcheck.errors import FigcheckError
from figcheck.models import SEVERITIES, Problem

FAIL_ON = (*SEVERITIES, "never")


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(
        help="Article files and folders (.txt, .md, .html, .jsonl); folders are read recursively.",
        show_default=False)],
    rules: Annotated[Path | None, typer.Option(
        "--rules", help="Rules folder: metrics.yaml, qualifiers.yaml, lexicon.yaml and the <ID>.yaml rule "
        "files. Default: the shipped rules.", show_default=False)] = None,
    fail_on: Annotated[str, typer.Option(
        "--fail-on", help="Exit 1 when a finding of this severity or worse exists: error, warning, info, "
        "or never.")] = "error",
    fmt: Annotated[str, typer.Option("--format", "-f", help="Report format (text, json, ...).")] = "text",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to FILE (atomically) instead of standard output.",
        show_default=False)] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Outlet for every article; wins over front matter and manifest.csv.")] = None,
    published: Annotated[str | None, typer.Option(
        "--published", help="Publication date YYYY-MM-DD for every article; wins over all.")] = None,
) -> None:
    """Check the figures in articles against the rules and report contradictions.

    Extracts every figure, evaluates every rule (balance, monotonic, bound, agreement, revision)
    and prints the findings grouped by metric, each with both quotes and the reason. Input
    problems go to stderr, one line each, and the rest is still checked.

    Exit codes: 0 no finding reached --fail-on; 1 some finding did; 2 bad usage, a bad rule file,
    or an unreadable input.

    Examples:
      figcheck check examples/

      figcheck check articles/ --fail-on warning --format json -o reports/findings.json
    """
    from figcheck.api import iter_figures
    from figcheck.corpus import iter_documents
    from figcheck.engine import run
    from figcheck.extract.figures import figures_frame
    from figcheck.output import atomic_write
    from figcheck.report import RENDERERS, render
    from figcheck.ruleset import load_rules
    from figcheck.vocab import load_vocabulary

    if fail_on not in FAIL_ON:
        fail(f"--fail-on {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    if fmt not in RENDERERS:
        fail(f"--format {fmt!r} is not one of {', '.join(RENDERERS)}")
    problems: list[Problem] = []
    counter = _Counter()
    try:
        vocab = load_vocabulary(rules)
        rule_list = load_rules(rules, vocab)
        items = iter_documents(paths, source=source, published=published)
        figures = figures_frame(iter_figures(counter.count(_echo(items, problems)), vocab))
        findings = run(figures, rule_list, vocab)
        report = render(fmt, findings, figures, documents=counter.documents)
        if output is None:
            sys.stdout.write(report)
        else:
            with atomic_write(output) as fh:
                fh.write(report)
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if reaches(findings["severity"], fail_on) else EXIT_OK)


def reaches(severities: Iterable[str], fail_on: str) -> bool:
    """Whether any severity is at least as grave as ``fail_on`` (``never`` never is).

    Example:
        >>> reaches(["info", "warning"], "warning"), reaches(["info"], "warning"), reaches(["error"], "never")
        (True, False, False)
    """
    if fail_on == "never":
        return False
    limit = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(s) <= limit for s in severities)


class _Counter:
    """Counts the documents that pass through."""

    def __init__(self) -> None:
        self.documents = 0

    def count(self, items: Iterable[object]) -> Iterator[object]:
        for item in items:
            if not isinstance(item, Problem):
                self.documents += 1
            yield item


def _echo(items: Iterable[object], problems: list[Problem]) -> Iterator[object]:
    """Pass documents on; print each problem to stderr the moment it is met."""
    for item in items:
        if isinstance(item, Problem):
            report_problems([item])
            problems.append(item)
        yield item
