"""The library API: load, extract, check and report. The CLI is a thin layer over these."""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pandas as pd

from figcheck import corpus
from figcheck.corpus import Document
from figcheck.extract.figures import extract_document, figures_frame
from figcheck.models import DOCUMENT_COLUMNS, Problem
from figcheck.vocab import Vocabulary, load_vocabulary

if TYPE_CHECKING:
    from figcheck.baseline import Baseline
    from figcheck.ruleset import Rule

log = logging.getLogger("figcheck")

PathArg = str | os.PathLike[str]
T = TypeVar("T")


class Shared(str, Generic[T]):
    """A value a DataFrame keeps in its ``attrs`` by reference, never copied.

    pandas deep-copies ``attrs`` into every frame an operation makes (a filter, a column, a sort)
    and compares them when concatenating. A table kept there as such would be copied at every
    step, and ``pd.concat`` of two filtered findings frames would fail comparing two tables. A
    `Shared` copies as itself and compares by identity, so the link costs nothing and survives
    filtering, sorting and concatenation. Its ``value`` is the object it shares.

    It is a string too, a placeholder that names what it links, so that writers which save
    ``attrs`` as JSON (``to_parquet``, ``to_feather``) still work: the link is not saved, and a
    frame read back from such a file must be given its figures explicitly.

    Example:
        >>> import copy
        >>> figures = pd.DataFrame({"value": [1.0]})
        >>> link = Shared(figures)
        >>> copy.deepcopy(link) is link, link.value is figures, link == Shared(figures)
        (True, True, False)
        >>> str(link)
        '<figcheck link to a DataFrame of 1 rows; not saved>'
    """

    value: T

    def __new__(cls, value: T) -> Shared[T]:
        """Link ``value``."""
        if isinstance(value, pd.DataFrame):
            what = f"a DataFrame of {len(value)} rows"
        elif isinstance(value, list):
            what = f"a list of {len(value)} items"
        else:
            what = f"a {type(value).__name__}"
        self = super().__new__(cls, f"<figcheck link to {what}; not saved>")
        self.value = value
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared[T]:
        return self

    def __copy__(self) -> Shared[T]:
        return self

    def __reduce__(self) -> tuple[type[Shared[T]], tuple[T]]:
        return (Shared, (self.value,))

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"Shared({str(self)[len('<figcheck link to '):-len('; not saved>')]})"


def linked(frame: pd.DataFrame, key: str) -> Any:
    """Return what ``frame.attrs[key]`` refers to: the value of a `Shared`, the value itself, or None.

    None too for the placeholder a `Shared` leaves in a file (a frame read back from Parquet).

    Example:
        >>> frame = pd.DataFrame()
        >>> frame.attrs["figures"] = Shared("the figures")
        >>> linked(frame, "figures"), linked(frame, "documents")
        ('the figures', None)
        >>> frame.attrs["figures"] = str(frame.attrs["figures"])  # as read back from a file
        >>> linked(frame, "figures") is None
        True
    """
    value = frame.attrs.get(key)
    if isinstance(value, Shared):
        return value.value
    if isinstance(value, str) and value.startswith("<figcheck link to "):
        return None
    return value


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
        ``frame.attrs["problems"]`` and logged; the rest is loaded. ``frame.attrs["paths"]``
        keeps the paths given (reports take their default title from them).

    Raises:
        UsageError: a path does not exist, or ``published`` is not a date.

    Example:
        >>> docs = load("examples")
        >>> len(docs), docs.attrs["problems"]
        (13, [])
        >>> docs.set_index("doc_id").loc["2023-12-01-truce-ends.html", ["source", "published", "format"]].tolist()
        ['Northgate Chronicle', '2023-12-01', 'html']
    """
    frame, problems = corpus.load(_as_list(paths), source=source, published=published,
                                  max_article_bytes=max_article_bytes)
    _log(problems)
    frame.attrs["problems"] = problems
    frame.attrs["paths"] = [os.fspath(p) for p in _as_list(paths)]
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


class DocumentTable:
    """Collects the documents that stream past, as the documents table reports need to place figures.

    A document keeps its metadata and offsets; its text is kept only for HTML pages (their
    figures are found in the page by the words around them), so memory stays small.
    """

    def __init__(self) -> None:
        self.count = 0
        self._rows: list[dict[str, Any]] = []

    def collect(self, items: Iterable[Document | Problem]) -> Iterator[Document | Problem]:
        """Pass every item on, noting each document."""
        for item in items:
            if isinstance(item, Document):
                self.count += 1
                row = item.as_row()
                if row.get("format") != "html":
                    row["text"] = ""
                self._rows.append(row)
            yield item

    def frame(self) -> pd.DataFrame:
        """Return the documents seen so far, as a documents table."""
        return pd.DataFrame(self._rows, columns=DOCUMENT_COLUMNS)


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

    The table is the one ``figcheck extract`` writes, row for row.

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
            of start-up (great-expectations' import), then little per row; with ``cache``,
            articles whose cached rows passed the same contract before are not checked again.
        max_article_bytes: articles larger than this are reported and skipped; None reads all.

    Returns:
        One row per figure with the Figure columns of DESIGN.md, in document and text order.
        ``frame.attrs`` holds ``problems`` (inputs that could not be read, and rows that break the
        figures contract), ``documents`` (a `Shared` documents table, which `report` uses to place
        figures in their files), ``paths`` and ``rules_dir`` (which `check` uses when given no rules).

    Raises:
        UsageError: a path does not exist, or ``published`` is not a date.
        RuleError: a rules file is broken.

    Example:
        >>> figures = extract("examples")
        >>> held = figures[figures["metric"] == "hostages.held"]
        >>> held.loc[held["doc_id"] == "2023-12-21-cairo-talks.md", ["surface", "value", "low", "high"]].values.tolist()
        [['About 129', 129.0, 126.42, 131.58]]
        >>> extract("examples", jobs=2).equals(figures)  # the same table, in the same order
        True
    """
    vocab = load_vocabulary(rules)
    problems: list[Problem] = []
    table = None
    if isinstance(paths_or_documents, pd.DataFrame):
        documents: pd.DataFrame | None = paths_or_documents
        items: Iterable[Document | Problem] = corpus.documents_from_frame(paths_or_documents)
        problems.extend(paths_or_documents.attrs.get("problems", []))
        logged = len(problems)  # a documents table's problems were logged when it was loaded
        paths = list(paths_or_documents.attrs.get("paths", []))
    else:
        table = DocumentTable()
        items = table.collect(corpus.iter_documents(_as_list(paths_or_documents), source=source,
                                                    published=published, max_article_bytes=max_article_bytes))
        logged = 0
        paths = [os.fspath(p) for p in _as_list(paths_or_documents)]
    rows: Iterable[dict[str, Any]]
    if jobs in (None, 1) and cache is False and dask is None:
        rows = iter_figures(items, vocab, problems, validate=validate)
    else:
        from figcheck import parallel
        from figcheck.cache import FigureCache

        store = None
        if cache is not False:
            store = FigureCache(None if cache is True else cache, vocab)
        if validate:  # rows from validated cache entries skip the contract (and great-expectations)
            pairs = parallel.iter_validated_document_figures(items, vocab, problems.append, jobs=jobs, cache=store,
                                                             dask=dask, problems=problems)
        else:
            pairs = parallel.iter_document_figures(items, vocab, jobs=jobs, cache=store, dask=dask, problems=problems)
        rows = (row for _doc, doc_rows in pairs for row in doc_rows)
    frame = figures_frame(rows)
    if table is not None:
        documents = table.frame()
    _log(problems[logged:])
    frame.attrs.update(problems=problems, documents=Shared(documents), paths=paths,
                       rules_dir=os.fspath(rules) if rules is not None else None, validated=bool(validate))
    return frame


def open_ends(figures: pd.DataFrame) -> pd.DataFrame:
    """A figures table read back from JSON, with its empty interval ends made open again.

    JSON has no infinity, so `figcheck extract` writes an open end ("more than 27,000") as null;
    this turns a missing ``high`` back into ``inf`` and a missing ``low`` into ``-inf``.

    Example:
        >>> import pandas as pd
        >>> open_ends(pd.DataFrame({"low": [27000.0], "high": [None]}))["high"].tolist()
        [inf]
    """
    if not {"low", "high"} <= set(figures.columns):
        return figures
    if not (figures["low"].isna().any() or figures["high"].isna().any()):
        return figures
    out = figures.copy()
    out["low"] = pd.to_numeric(out["low"], errors="coerce").fillna(-math.inf)
    out["high"] = pd.to_numeric(out["high"], errors="coerce").fillna(math.inf)
    return out


def check(
    figures: pd.DataFrame | PathArg | Sequence[PathArg],
    rules: PathArg | Sequence[Rule] | None = None,
    *,
    validate: bool | None = None,
) -> pd.DataFrame:
    """Check figures against the rules and return the findings.

    The findings are those ``figcheck check --format json`` gives for the same articles.

    Args:
        figures: a figures DataFrame (from `extract`, or `figcheck.engine.make_figures`), or
            article files/folders to extract first.
        rules: a rules folder (metrics.yaml, qualifiers.yaml, lexicon.yaml and the ``<ID>.yaml``
            rule files), or a list of `figcheck.ruleset.Rule`. When None: the folder the figures
            were extracted with (``figures.attrs["rules_dir"]``), else the shipped rules.
        validate: check the figures against the contract (`figcheck.validate`) before any rule
            runs; rows that break it are left out and listed in ``attrs["problems"]``. None (the
            default) validates a table unless `extract` already did.

    Returns:
        One row per finding: ``finding_id, rule_id, severity, verdict, message, figure_ids,
        observed, expected`` (DESIGN.md's Finding), then ``metric, kind, rule_name``; sorted by
        severity, rule id and finding id. ``frame.attrs`` links what the findings came from:
        ``figures`` (a `Shared` figures table: ``findings.figcheck.explain(i)`` and
        ``findings.figcheck.figures()`` read it), ``rules`` and ``vocabulary`` (`Shared`), and
        ``problems`` (input problems met while extracting). The links survive filtering.

    Raises:
        RuleError: a rule file is broken (the message names the file and the key).

    Example:
        >>> findings = check("examples")
        >>> findings.loc[findings["rule_id"] == "FC101", ["verdict", "observed", "expected"]].values.tolist()
        [['contradiction', 'at least 255 person', '≤ 240 person']]
        >>> findings.figcheck.figures().query("rule_id == 'FC101'")[["role", "metric", "value"]].values.tolist()
        [['total', 'hostages.taken', 240.0], ['part', 'hostages.released', 105.0], ['part', 'hostages.held', 150.0]]
    """
    from figcheck.engine import run

    if not isinstance(figures, pd.DataFrame):
        figures = extract(figures, rules=rules if isinstance(rules, str | os.PathLike) else None)
    if rules is None:
        rules = figures.attrs.get("rules_dir")
    vocab, rule_list = ruleset(rules)
    problems = list(figures.attrs.get("problems", []))
    if validate or (validate is None and not figures.attrs.get("validated")):
        from figcheck.validate import validate_figures

        linked = figures.attrs.get("documents")
        documents = linked.value if isinstance(linked, Shared) else None
        good, broken = validate_figures(open_ends(figures), documents, vocab)
        _log(broken)
        problems += broken
        good.attrs.update(figures.attrs, validated=True)
        figures = good
    findings = run(figures, rule_list, vocab)
    findings.attrs.update(problems=problems, figures=Shared(figures),
                          rules=Shared(rule_list), vocabulary=Shared(vocab))
    return findings


def report(
    figures: pd.DataFrame,
    findings: pd.DataFrame,
    path: PathArg | Sequence[PathArg],
    *,
    documents: pd.DataFrame | None = None,
    rules: PathArg | Sequence[Rule] | None = None,
    title: str | None = None,
    baseline: PathArg | Baseline | None = None,
    only: PathArg | Sequence[PathArg] | None = None,
    markdown: bool = True,
    plots: bool = True,
) -> list[Path]:
    """Write the discrepancy report ``figcheck report`` writes, in the format the file name says.

    ``.html`` is the self-contained report with a timeline per metric (and, unless
    ``markdown=False``, its Markdown twin ``.md`` beside it); ``.md`` Markdown; ``.sarif`` SARIF
    2.1.0; ``.xml`` JUnit. For the same articles the files are byte for byte those of
    ``figcheck report PATH -o FILE`` run from the same working directory.

    Args:
        figures: the figures table (`extract`).
        findings: the findings table (`check`), possibly filtered.
        path: the report file, or several.
        documents: the documents table; by default the one `extract` linked in
            ``figures.attrs["documents"]`` (without it, figures are placed by doc_id and line).
        rules: the rules folder or rules the report describes; by default those `check` used.
        title: the report's title; by default ``figcheck report: <the paths extracted>``.
        baseline: a baseline file (or `figcheck.baseline.Baseline`): its findings are marked accepted.
        only: articles (files or folders): report only findings that involve them.
        markdown: with an ``.html`` file, also write the ``.md`` beside it.
        plots: draw the timelines in the HTML report.

    Returns:
        The files written.

    Raises:
        UsageError: a file name with no known report suffix, or ``only`` without a documents table.

    Example:
        >>> import tempfile
        >>> figures = extract("examples")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [p.name for p in report(figures, check(figures), Path(tmp) / "examples.html")]
        ['examples.html', 'examples.md']
    """
    from figcheck.baseline import read_baseline
    from figcheck.errors import UsageError
    from figcheck.report.files import format_for, write_reports
    from figcheck.report.view import documents_at, involving

    targets = _as_list(path)
    for p in targets:
        format_for(p)
    docs = documents if documents is not None else linked(figures, "documents")
    if rules is None and linked(findings, "rules") is not None:
        rule_list: list[Rule] = list(linked(findings, "rules"))
        vocab = linked(findings, "vocabulary") or ruleset(rule_list)[0]
    else:
        vocab, rule_list = ruleset(rules if rules is not None else figures.attrs.get("rules_dir"))
    accepted = read_baseline(baseline) if isinstance(baseline, str | os.PathLike) else baseline
    scope = None
    if only:
        if docs is None:
            raise UsageError("only= needs the documents table: pass documents=figcheck.load(...) or figures "
                             "from figcheck.extract")
        scope = documents_at(docs, _as_list(only))
        findings = involving(findings, figures, scope)
    return write_reports(
        targets, findings, figures, only=scope, markdown_twin=markdown, plots=plots,
        documents=docs, rules=rule_list, baseline=accepted, problems=list(figures.attrs.get("problems", [])),
        title=title or default_title(figures.attrs.get("paths") or []),
        metric_descriptions=metric_descriptions(vocab),
    )


def ruleset(rules: PathArg | Sequence[Rule] | None = None) -> tuple[Vocabulary, list[Rule]]:
    """Load the vocabulary and the rules from a rules folder (the shipped one when None), or take a list of rules.

    A list of rules brings the vocabulary of their folder when they all come from one folder with
    a metrics.yaml, else the shipped vocabulary.

    Raises:
        RuleError: a rules file is broken.
        TypeError: ``rules`` is neither a folder nor a list of `figcheck.ruleset.Rule`.
    """
    from figcheck.ruleset import Rule, load_rules

    if rules is None or isinstance(rules, str | os.PathLike):
        vocab = load_vocabulary(rules)
        return vocab, load_rules(rules, vocab)
    rule_list = list(rules)
    if not all(isinstance(r, Rule) for r in rule_list):
        raise TypeError("rules must be a rules folder or a list of figcheck.ruleset.Rule")
    folders = {Path(r.path).parent for r in rule_list if r.path}
    folder = folders.pop() if len(folders) == 1 else None
    vocab = load_vocabulary(folder if folder is not None and (folder / "metrics.yaml").is_file() else None)
    return vocab, rule_list


def metric_descriptions(vocab: Vocabulary) -> dict[str, str]:
    """Metric id -> description, as reports title their sections and plots."""
    return {m.id: m.description for m in vocab.metrics.values()}


def default_title(paths: Sequence[PathArg]) -> str:
    """Return the title a report gets from the paths it was made from.

    Example:
        >>> default_title(["examples"]), default_title(["a/x.md", "b", "c", "d"]), default_title([])
        ('figcheck report: examples', 'figcheck report: x.md, b, c …', 'figcheck report')
    """
    if not paths:
        return "figcheck report"
    shown = [Path(p) for p in paths]
    names = ", ".join(p.name or str(p) for p in shown[:3]) + (" …" if len(shown) > 3 else "")
    return f"figcheck report: {names}"


def _as_list(paths: PathArg | Sequence[PathArg]) -> list[PathArg]:
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def _log(problems: Iterable[Problem]) -> None:
    for p in problems:
        (log.error if p.severity == "error" else log.warning)("%s", p)
