"""`figcheck eval`: score extraction against gold annotations."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from figcheck.cli._app import EXIT_FINDINGS, app, fail, report_problems
from figcheck.errors import FigcheckError


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Argument(help="Folder of gold files: one <doc>.jsonl per article.",
                                         show_default=False)],
    corpus: Annotated[list[Path], typer.Argument(help="The articles the gold files annotate.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    rules: Annotated[Path | None, typer.Option("--rules", help="Rules folder (default: the shipped rules).",
                                               show_default=False)] = None,
    min_precision: Annotated[float, typer.Option(help="Exit 1 when (metric, value) precision is below this.")] = 0.0,
    min_recall: Annotated[float, typer.Option(help="Exit 1 when (metric, value) recall is below this.")] = 0.0,
    details: Annotated[bool, typer.Option("--details", help="List every false positive and miss.")] = False,
) -> None:
    """Score extraction against gold annotations: precision, recall and F1.

    Scores (metric, value) pairs — a value matches within 0.5 % — and values alone, overall, per
    metric and per document, over asserted, estimated and believed figures: a proposal or demand
    extracted as fact is a false positive. The gold format is described in tests/gold/GUIDELINES.md.

    Example: figcheck eval tests/gold/examples examples
    """
    from figcheck.api import extract
    from figcheck.evaluate import evaluate, load_gold

    if fmt not in ("text", "json"):
        fail(f"--format {fmt!r} is not one of text, json")
    try:
        gold_figures, problems = load_gold(gold)
        figures = extract(corpus, rules=rules)
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)
    report_problems(problems + figures.attrs.get("problems", []))
    result = evaluate(gold_figures, figures)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.as_dict(), indent=2, sort_keys=True) + "\n")
    else:
        _print_text(result, details)
    if result.overall.precision < min_precision or result.overall.recall < min_recall:
        raise typer.Exit(EXIT_FINDINGS)


def _print_text(result, details: bool) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120)
    console.print(f"{result.documents} documents, {result.gold_figures} gold figures "
                  "(asserted, estimated, believed)")
    table = Table(title="Extraction against gold")
    for col in ("slice", "TP", "FP", "FN", "precision", "recall", "F1"):
        table.add_column(col, justify="right" if col != "slice" else "left")

    def row(name: str, s) -> None:  # type: ignore[no-untyped-def]
        table.add_row(name, str(s.tp), str(s.fp), str(s.fn), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}")

    row("(metric, value) overall", result.overall)
    row("value alone", result.value_only)
    table.add_section()
    for metric, score in sorted(result.by_metric.items()):
        row(metric, score)
    console.print(table)
    o = result.overall
    if o.tp:
        console.print(f"Of the {o.tp} matched figures, as_of agrees with the gold for {o.as_of_right / o.tp:.0%} "
                      f"and the qualifier for {o.qualifier_right / o.tp:.0%}.")
    if details:
        for doc, score in sorted(result.by_doc.items()):
            if score.false_positives or score.misses:
                console.print(f"[bold]{doc}[/bold]  P={score.precision:.2f} R={score.recall:.2f}")
                for fp in score.false_positives:
                    console.print(f"  [red]false positive[/red] {fp}", highlight=False)
                for miss in score.misses:
                    console.print(f"  [yellow]missed[/yellow] {miss}", highlight=False)
