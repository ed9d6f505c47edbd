"""`figcheck extract`: articles -> the figures table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from figcheck.cli._app import EXIT_ERROR, app, fail, report_problems
from figcheck.errors import FigcheckError
from figcheck.models import Problem
from figcheck.output import FIGURE_FORMATS, write_figures

PathsArg = Annotated[
    list[Path],
    typer.Argument(help="Article files and folders (.txt, .md, .html, .jsonl); folders are read recursively.",
                   show_default=False),
]
RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", help="Rules folder (metrics.yaml, qualifiers.yaml, lexicon.yaml, rule files). "
                 "Default: the shipped rules.", show_default=False),
]
SourceOpt = Annotated[
    str | None, typer.Option("--source", help="Outlet for every article; wins over front matter and manifest.csv.")
]
PublishedOpt = Annotated[
    str | None, typer.Option("--published", help="Publication date YYYY-MM-DD for every article; wins over all.")
]


@app.command()
def extract(
    paths: PathsArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FIGURE_FORMATS)}.")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE (atomically) "
                                                "instead of standard output.", show_default=False)] = None,
    rules: RulesOpt = None,
    source: SourceOpt = None,
    published: PublishedOpt = None,
) -> None:
    """Extract every figure from articles and write the figures table.

    One row per number the articles state, with its metric, value, interval, qualifier, unit,
    counted noun, as-of date, claimant, modality, exact words and position. Unreadable inputs are
    reported on stderr (file and line) and the rest is still extracted; the exit code is then 2.

    Examples:

      figcheck extract examples/ > figures.jsonl

      figcheck extract examples/ --format parquet -o reports/figures.parquet
    """
    from figcheck import corpus
    from figcheck.api import iter_figures
    from figcheck.vocab import load_vocabulary

    if fmt not in FIGURE_FORMATS:
        fail(f"--format {fmt!r} is not one of {', '.join(FIGURE_FORMATS)}")
    problems: list[Problem] = []
    try:
        vocab = load_vocabulary(rules)
        items = corpus.iter_documents(paths, source=source, published=published)
        rows = iter_figures(_echo_problems(items, problems), vocab)
        write_figures(rows, fmt, output)
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(EXIT_ERROR)


def _echo_problems(items, problems: list[Problem]):  # type: ignore[no-untyped-def]
    """Pass documents on; print each problem to stderr the moment it is met."""
    for item in items:
        if isinstance(item, Problem):
            report_problems([item])
            problems.append(item)
        yield item
