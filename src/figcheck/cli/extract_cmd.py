"""`figcheck extract`: articles -> the figures table."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from figcheck.cli._app import EXIT_ERROR, app, fail, report_problems
from figcheck.corpus import DEFAULT_MAX_ARTICLE_BYTES, Document
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
JobsOpt = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="Extract in N processes (0: one per core). Output is identical, in the same "
                 "order. With --dask local: the number of Dask workers.", show_default=False),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Extract every article afresh; neither read nor write the figure cache.")
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Keep the figure cache in DIR. Default: $FIGCHECK_CACHE_DIR, else "
                 "$XDG_CACHE_HOME/figcheck or ~/.cache/figcheck.", show_default=False),
]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="Run extraction on a Dask cluster: a scheduler address (tcp://host:8786) or "
                 "'local'. With --format parquet, -o names a folder of partitioned Parquet files.",
                 show_default=False),
]


MaxArticleOpt = Annotated[
    float,
    typer.Option("--max-article-mb", help="Skip (and report) articles larger than this many megabytes; "
                 "0 reads everything.", min=0),
]
NoValidateOpt = Annotated[
    bool,
    typer.Option("--no-validate", help="Skip the figures contract (great-expectations). Saves a few seconds "
                 "of start-up; rows are then written unchecked."),
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
    jobs: JobsOpt = None,
    no_cache: NoCacheOpt = False,
    cache_dir: CacheDirOpt = None,
    dask: DaskOpt = None,
    max_article_mb: MaxArticleOpt = DEFAULT_MAX_ARTICLE_BYTES / 2**20,
    no_validate: NoValidateOpt = False,
) -> None:
    """Extract every figure from articles and write the figures table.

    One row per number the articles state, with its metric, value, interval, qualifier, unit,
    counted noun, as-of date, claimant, modality, exact words and position. Unreadable inputs are
    reported on stderr (file and line) and the rest is still extracted; the exit code is then 2.
    Rows are checked against the figures contract before they are written; a row that breaks it
    is reported and left out.

    Examples:
      figcheck extract examples/ > figures.jsonl

      figcheck extract examples/ --format parquet -o reports/figures.parquet

      figcheck extract corpus/ --jobs 0 -o figures.jsonl

      figcheck extract corpus/ --dask tcp://scheduler:8786 --format parquet -o figures/

    Figures are cached by content (article text and metadata, extractor version, metrics,
    qualifiers and lexicon), so an unchanged article is not extracted twice, nor its figures
    checked twice against the same contract; --no-cache skips the cache.
    """
    from figcheck import corpus, parallel
    from figcheck.cache import FigureCache
    from figcheck.vocab import load_vocabulary

    if fmt not in FIGURE_FORMATS:
        fail(f"--format {fmt!r} is not one of {', '.join(FIGURE_FORMATS)}")
    if jobs is not None and jobs < 0:
        fail(f"--jobs {jobs} is negative; give a number of processes, or 0 for one per core")
    if no_cache and cache_dir is not None:
        fail("--no-cache and --cache-dir contradict each other; give one of them")
    dataset = dask is not None and fmt == "parquet"
    if dataset and output is None:
        fail("parquet is binary: give a folder with -o DIR")
    problems: list[Problem] = []

    def echo(problem: Problem) -> None:
        report_problems([problem])
        problems.append(problem)

    max_bytes = int(max_article_mb * 2**20) or None
    try:
        vocab = load_vocabulary(rules)
        cache = None if no_cache else FigureCache(cache_dir, vocab)
        items = corpus.iter_documents(paths, source=source, published=published, max_article_bytes=max_bytes)
        if no_validate:
            results = parallel.iter_document_figures(_echo_problems(items, echo), vocab, jobs=jobs, cache=cache,
                                                     dask=dask)
        else:
            # Articles whose cached rows already passed the figures contract are not checked again.
            results = parallel.iter_validated_document_figures(_echo_problems(items, echo), vocab, echo, jobs=jobs,
                                                               cache=cache, dask=dask)
        with _terminate_cleanly():
            if dataset:
                assert output is not None
                parallel.write_parquet_dataset(results, output)
            else:
                write_figures((row for _doc, rows in results for row in rows), fmt, output)
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)
    except BrokenPipeError:
        # The reader went away (`figcheck extract ... | head`): stop quietly, as `cat` does.
        _silence_stdout()
        raise typer.Exit(EXIT_ERROR) from None
    except OSError as exc:
        where = f" {output}" if output is not None else " to standard output"
        fail(f"cannot write{where}: {exc.strerror or exc}; nothing was written")
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(EXIT_ERROR)


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """While the block runs, turn SIGTERM into an exception so an output file's temporary is removed.

    The output file is written atomically either way: a killed run never replaces it. This only
    tidies up, so that no ``.FILE.*.tmp`` is left beside it.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _echo_problems(
    items: Iterable[Document | Problem], echo: Callable[[Problem], None]
) -> Iterator[Document | Problem]:
    """Pass documents on; report each problem the moment it is met."""
    for item in items:
        if isinstance(item, Problem):
            echo(item)
        yield item
