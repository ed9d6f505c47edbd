"""The library API: load, extract (and, as they land, check and report). The CLI calls only this."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from figcheck import corpus
from figcheck.corpus import Document
from figcheck.extract.figures import extract_document, figures_frame
from figcheck.models import Problem
from figcheck.vocab import Vocabulary, load_vocabulary

log = logging.getLogger("figcheck")

PathArg = str | os.PathLike[str]


def load(
    paths: PathArg | Sequence[PathArg],
    *,
    source: str | None = None,
    published: str | None = None,
    max_article_bytes: int | None = corpus.DEFAULT_MAX_ARTICLE_BYTES,
) -> pd.DataFrame:
    """Load articles into a documents DataFrame.

    Args:
        paths: a file or folder, or several; folders are read recursively.
        source: outlet for every document (wins over front matter and manifest.csv).
        published: publication date (YYYY-MM-DD) for every document (wins over everything).
        max_article_bytes: articles larger than this are reported and skipped; None reads all.

    Returns:
        One row per document (``doc_id, path, source, published, published_basis, url, title,
        text, sha256, ...``). Inputs that could not be read are listed in
        ``frame.attrs["problems"]`` and logged; the rest is loaded.

    Example:
        >>> docs = load("examples")  # doctest: +SKIP
        >>> docs[["doc_id", "source", "published"]].head(2)  # doctest: +SKIP
    """
    frame, problems = corpus.load(_as_list(paths), source=source, published=published,
                                  max_article_bytes=max_article_bytes)
    _log(problems)
    frame.attrs["problems"] = problems
    return frame


def iter_figures(
    items: Iterable[Document | Problem],
    vocab: Vocabulary,
    problems: list[Problem] | None = None,
    *,
    validate: bool = True,
    on_problem: Callable[[Problem], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Figures rows, document after document, from a stream of documents and problems.

    Args:
        items: documents and input problems, as `figcheck.corpus.iter_documents` yields them.
        vocab: the vocabulary to read with.
        problems: list to append every problem to (input problems, and rows that break the
            figures contract), or None.
        validate: check the rows against the figures contract (`figcheck.validate`) in batches
            of whole documents; rows that break it are reported as problems and left out.
        on_problem: called with each problem the moment it is met (the CLI prints it). With
            neither ``problems`` nor ``on_problem``, problems are logged to the ``figcheck`` logger.

    Nothing is held in memory beyond one batch of rows (see `figcheck.validate.FigureValidator`),
    so this suits corpora of any size.
    """

    def report(problem: Problem) -> None:
        if problems is not None:
            problems.append(problem)
        if on_problem is not None:
            on_problem(problem)
        if problems is None and on_problem is None:
            _log([problem])  # never drop a problem silently

    def pairs() -> Iterator[tuple[Document, list[dict[str, Any]]]]:
        for item in items:
            if isinstance(item, Problem):
                report(item)
                continue
            yield item, extract_document(item, vocab)

    if not validate:
        for _doc, rows in pairs():
            yield from rows
        return
    from figcheck.validate import validated

    yield from validated(pairs(), vocab, report)


def extract(
    paths_or_documents: PathArg | Sequence[PathArg] | pd.DataFrame,
    *,
    rules: PathArg | None = None,
    source: str | None = None,
    published: str | None = None,
    jobs: int | None = None,
    cache: bool | PathArg = False,
    dask: Any = None,
    validate: bool = True,
    max_article_bytes: int | None = corpus.DEFAULT_MAX_ARTICLE_BYTES,
) -> pd.DataFrame:
    """Extract every figure from articles into a figures DataFrame.

    Args:
        paths_or_documents: files/folders, or a documents DataFrame from `load`.
        rules: a rules folder (metrics.yaml, qualifiers.yaml, lexicon.yaml); the shipped one if None.
        source: outlet for every document read from paths.
        published: publication date for every document read from paths.
        jobs: worker processes (None or 1: this process; 0: every core). The figures are the
            same, in the same order, whatever the number.
        cache: True to reuse and fill the figure cache in `figcheck.cache.default_cache_dir()`,
            or a folder to keep it in; False (the default) to extract everything afresh.
        dask: run extraction on a Dask cluster: a scheduler address (``"tcp://host:8786"``),
            ``"local"`` for a ``distributed.LocalCluster`` here, or a ``distributed.Client``.
        validate: check the figures against the contract (`figcheck.validate`) with
            great-expectations; rows that break it are left out and reported. Costs a few seconds
            of start-up (great-expectations' import), then little per row.
        max_article_bytes: articles larger than this are reported and skipped; None reads all.

    Returns:
        One row per figure with the Figure columns of DESIGN.md, in document and text order.
        Unreadable inputs and rows that break the contract are in ``frame.attrs["problems"]``.

    Example:
        >>> figures = extract("examples")  # doctest: +SKIP
        >>> figures.query("metric == 'hostages.held'")[["as_of", "value", "surface"]]  # doctest: +SKIP
        >>> figures = extract("corpus/", jobs=0, cache=True)  # doctest: +SKIP
    """
    vocab = load_vocabulary(rules)
    problems: list[Problem] = []
    if isinstance(paths_or_documents, pd.DataFrame):
        items: Iterable[Document | Problem] = corpus.documents_from_frame(paths_or_documents)
        problems.extend(paths_or_documents.attrs.get("problems", []))
    else:
        items = corpus.iter_documents(_as_list(paths_or_documents), source=source, published=published,
                                      max_article_bytes=max_article_bytes)
    rows: Iterable[dict[str, Any]]
    if jobs in (None, 1) and cache is False and dask is None:
        rows = iter_figures(items, vocab, problems, validate=validate)
    else:
        from figcheck import parallel
        from figcheck.cache import FigureCache

        store = None
        if cache is not False:
            store = FigureCache(None if cache is True else cache, vocab)
        pairs = parallel.iter_document_figures(items, vocab, jobs=jobs, cache=store, dask=dask, problems=problems)
        if validate:
            from figcheck.validate import validated

            rows = validated(pairs, vocab, problems.append)
        else:
            rows = (row for _doc, doc_rows in pairs for row in doc_rows)
    frame = figures_frame(rows)
    _log(problems)
    frame.attrs["problems"] = problems
    return frame


def _as_list(paths: PathArg | Sequence[PathArg]) -> list[PathArg]:
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def _log(problems: Iterable[Problem]) -> None:
    for p in problems:
        (log.error if p.severity == "error" else log.warning)("%s", p)


def check(
    figures: pd.DataFrame | PathArg | Sequence[PathArg],
    rules: PathArg | Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Check figures against the rules and return the findings.

    Args:
        figures: a figures DataFrame (from `extract`, or `figcheck.engine.make_figures`), or
            article files/folders to extract first.
        rules: a rules folder (metrics.yaml, qualifiers.yaml, lexicon.yaml and the ``<ID>.yaml``
            rule files), or a list of `figcheck.ruleset.Rule`; the shipped rules when None.

    Returns:
        One row per finding: ``finding_id, rule_id, severity, verdict, message, figure_ids,
        observed, expected`` (DESIGN.md's Finding), then ``metric, kind, rule_name``; sorted by
        severity, rule id and finding id. Input problems met while extracting are in
        ``frame.attrs["problems"]``.

    Raises:
        RuleError: a rule file is broken (the message names the file and the key).

    Example:
        >>> findings = check("examples")  # doctest: +SKIP
        >>> findings[["rule_id", "verdict", "observed", "expected"]]  # doctest: +SKIP
    """
    from figcheck.engine import run
    from figcheck.ruleset import Rule, load_rules

    if isinstance(rules, str | os.PathLike) or rules is None:
        vocab = load_vocabulary(rules)
        rule_list = load_rules(rules, vocab)
    else:
        rule_list = list(rules)
        if not all(isinstance(r, Rule) for r in rule_list):
            raise TypeError("rules must be a rules folder or a list of figcheck.ruleset.Rule")
        folders = {Path(r.path).parent for r in rule_list if r.path}
        folder = folders.pop() if len(folders) == 1 else None
        vocab = load_vocabulary(folder if folder is not None and (folder / "metrics.yaml").is_file() else None)
    if not isinstance(figures, pd.DataFrame):
        figures = extract(figures, rules=rules if isinstance(rules, str | os.PathLike) else None)
    findings = run(figures, rule_list, vocab)
    findings.attrs["problems"] = list(figures.attrs.get("problems", []))
    return findings
