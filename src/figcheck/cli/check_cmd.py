"""`figcheck check`: articles -> figures -> findings, printed as a report; the exit code for CI."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from figcheck.cli._app import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, app, fail, report_problems
from figcheck.errors import FigcheckError
from figcheck.models import SEVERITIES, Problem

if TYPE_CHECKING:
    from figcheck.corpus import Document

FAIL_ON = (*SEVERITIES, "never")


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(
        help="Article files and folders (.txt, .md, .html, .jsonl); folders are read recursively.",
        show_default=False)],
    rules: Annotated[Path | None, typer.Option(
        "--rules", help="Rules folder: metrics.yaml, qualifiers.yaml, lexicon.yaml and the FC*.yaml rule "
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
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="A baseline file of accepted findings (figcheck baseline write): only findings not "
        "in it count for the exit code; entries that no longer occur are listed.", show_default=False)] = None,
    only: Annotated[list[Path] | None, typer.Option(
        "--only", help="New or changed articles: the rules still run over every PATH (the history), but only "
        "findings that involve these articles are reported and gate the exit code. Repeat for several.",
        show_default=False)] = None,
    corpus: Annotated[list[Path] | None, typer.Option(
        "--corpus", help="The history to check against: with it, the PATHs are the articles to gate "
        "(`check --corpus DIR a.md` is `check DIR --only a.md`; for pre-commit hooks).",
        show_default=False)] = None,
) -> None:
    """Check the figures in articles against the rules and report contradictions.

    Extracts every figure, evaluates every rule (balance, monotonic, bound, agreement, revision)
    and prints the findings grouped by metric, each with both quotes and the reason. Input
    problems go to stderr, one line each, and the rest is still checked.

    Exit codes: 0 no finding reached --fail-on; 1 some finding did; 2 bad usage, a bad rule file,
    or an unreadable input. With --baseline only findings the baseline does not accept count, and
    with --only (or --corpus) only findings that involve the named articles.

    Formats: text, json, markdown, html, sarif (2.1.0), junit (XML) and github (workflow
    annotations on the article lines).

    Examples:
      figcheck check examples/

      figcheck check articles/ --fail-on warning --format json -o reports/findings.json

      figcheck check articles/ --only articles/new.md --baseline .figcheck-baseline.yaml --format github
    """
    from figcheck.api import DocumentTable, iter_figures
    from figcheck.baseline import compare, read_baseline
    from figcheck.corpus import iter_documents
    from figcheck.engine import run
    from figcheck.extract.figures import figures_frame
    from figcheck.output import atomic_write
    from figcheck.report import BASELINE_AWARE, RENDERERS, render
    from figcheck.report.view import documents_at, involving
    from figcheck.ruleset import load_rules
    from figcheck.vocab import load_vocabulary

    if fail_on not in FAIL_ON:
        fail(f"--fail-on {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    if fmt not in RENDERERS:
        fail(f"--format {fmt!r} is not one of {', '.join(RENDERERS)}")
    problems: list[Problem] = []
    table = DocumentTable()
    try:
        load_paths, gate_paths = _scope(paths, only, corpus)
        accepted = read_baseline(baseline) if baseline is not None else None
        vocab = load_vocabulary(rules)
        rule_list = load_rules(rules, vocab)
        items = iter_documents(load_paths, source=source, published=published)
        figures = figures_frame(iter_figures(table.collect(_echo(items, problems)), vocab,
                                             on_problem=lambda p: _report(p, problems)))
        findings = run(figures, rule_list, vocab)
        doc_table = table.frame()
        scope = None
        if gate_paths is not None:
            scope = documents_at(doc_table, gate_paths)
            for p in gate_paths:
                if not documents_at(doc_table, [p]):
                    sys.stderr.write(f"figcheck: warning: {p} is not an article under the checked paths; ignored\n")
            findings = involving(findings, figures, scope)
        split = compare(findings, accepted)
        for entry in split.absent:
            sys.stderr.write(f"figcheck: baseline entry {entry['finding_id']} ({entry.get('rule_id', '?')}) "
                             f"no longer occurs; remove it from {baseline}\n")
        shown = findings if fmt in BASELINE_AWARE else split.new
        report = render(fmt, shown, figures, documents=table.count, document_table=doc_table,
                        rules=rule_list, baseline=accepted, only=scope, fail_on=fail_on,
                        metric_descriptions={m.id: m.description for m in vocab.metrics.values()})
        if output is None:
            sys.stdout.write(report)
        else:
            with atomic_write(output) as fh:
                fh.write(report)
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if reaches(split.new["severity"], fail_on) else EXIT_OK)


def _scope(
    paths: list[Path], only: list[Path] | None, corpus: list[Path] | None
) -> tuple[list[Path], list[Path] | None]:
    """Decide what to read and what to gate: (paths to load, paths whose findings count, or None for all).

    ``check CORPUS --only A`` loads CORPUS and gates A; ``check --corpus CORPUS A`` does the same.
    A gated file outside every loaded folder is loaded too; one inside is not read twice.
    """
    from figcheck.errors import UsageError

    only, corpus = list(only or []), list(corpus or [])
    missing = [str(p) for p in [*only, *corpus] if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if not corpus:
        return paths, (only or None)
    gated = [*paths, *only]
    roots = [c.resolve() for c in corpus]
    extra = [p for p in gated if not any(r == p.resolve() or r in p.resolve().parents for r in roots)]
    return [*corpus, *extra], gated


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


def _echo(items: Iterable[Document | Problem], problems: list[Problem]) -> Iterator[Document | Problem]:
    """Pass documents on; print each problem to stderr the moment it is met."""
    for item in items:
        if isinstance(item, Problem):
            _report(item, problems)
        yield item


def _report(problem: Problem, problems: list[Problem]) -> None:
    """Print a problem (an unreadable input, a figure that breaks the contract) and keep it."""
    report_problems([problem])
    problems.append(problem)
