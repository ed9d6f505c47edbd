"""`figcheck report`: articles -> a discrepancy report a person reads (HTML and Markdown)."""

from __future__ import annotations

import sys
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
    """Load, extract and check; raise `FigcheckError` for what the user must fix."""
    from figcheck import api
    from figcheck.vocab import load_vocabulary

    check = getattr(api, "check", None)
    if check is None:
        raise FigcheckError("this figcheck has no rule engine (figcheck.api.check); install a version with "
                            "'figcheck check' to make reports")
    vocab = load_vocabulary(rules)
    documents = api.load([str(p) for p in paths], source=source, published=published)
    figures = api.extract(documents, rules=rules)
    findings = check(figures, rules=rules)
    return Checked(
        documents=documents,
        figures=figures,
        findings=findings,
        rules=load_rule_infos(rules),
        problems=list(documents.attrs.get("problems", [])),
        metric_descriptions={m.id: m.description for m in vocab.metrics.values()},
    )


def load_rule_infos(rules: Path | None) -> list[Any]:
    """Load the rules a report describes (id, name, kind, severity, description, rationale)."""
    try:
        from figcheck import ruleset
    except ImportError:
        return []
    loader = getattr(ruleset, "load_rules", None)
    if loader is None:
        return []
    return list(loader(rules))


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
    from figcheck.baseline import read_baseline
    from figcheck.report.files import format_for, write_reports
    from figcheck.report.view import involving

    try:
        for p in output:
            format_for(p)
        accepted = read_baseline(baseline) if baseline is not None else None
        run = run_pipeline(paths, rules, source, published)
        report_problems(run.problems)
        findings, scope = run.findings, None
        if only:
            scope = scope_to(run, only)
            findings = involving(findings, run.figures, scope)
        written = write_reports(
            output, findings, run.figures, only=scope,
            markdown_twin=markdown, plots=plots,
            documents=run.documents, rules=run.rules, baseline=accepted, problems=run.problems,
            title=title or _default_title(paths), metric_descriptions=run.metric_descriptions,
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


def _default_title(paths: list[Path]) -> str:
    names = ", ".join(p.name or str(p) for p in paths[:3]) + (" …" if len(paths) > 3 else "")
    return f"figcheck report: {names}"
