"""The figures contract, checked with great-expectations; the only module that imports it (lazily)."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from figcheck.models import AS_OF_BASES, FIGURE_COLUMNS, MODALITIES, QUALIFIERS, Problem

if TYPE_CHECKING:  # pragma: no cover - typing only; great_expectations costs seconds to import
    from great_expectations import ExpectationSuite

    from figcheck.corpus import Document
    from figcheck.vocab import Vocabulary

#: Version of the figures contract. The figure cache marks an entry's rows as validated under a
#: digest of this module (this number included, see `figcheck.cache.contract_fingerprint`), so
#: any edit here re-validates cached rows; bump it when the contract changes outside this file.
CONTRACT_VERSION: Final[str] = "1"

#: Columns the contract view adds to the figures table: what a row must agree with.
EXPECTED_ID = "_expected_figure_id"  # doc_id + ":" + start
DOCUMENT_LENGTH = "_document_length"  # len(text) of the row's document (only with documents)
TEXT_AT_SPAN = "_text_at_span"  # text[start:end] of the row's document (only with documents)

STRING_COLUMNS: Final[tuple[str, ...]] = (
    "figure_id", "doc_id", "source", "published", "metric", "qualifier", "unit", "noun", "as_of",
    "as_of_basis", "claimant", "modality", "surface", "sentence",
)
FLOAT_COLUMNS: Final[tuple[str, ...]] = ("value", "low", "high", "confidence")
INT_COLUMNS: Final[tuple[str, ...]] = ("start", "end", "line")
#: Columns that may never be empty (null). The others may be: a figure need not have a metric,
#: a unit, a counted noun, a claimant, a date or an outlet.
REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "figure_id", "doc_id", "value", "low", "high", "qualifier", "modality", "surface", "start", "end", "line",
    "confidence",
)

_STRING_TYPES = ["str", "StringDtype"]
_FLOAT_TYPES = ["float64", "float32", "float", "int64", "int32", "int"]
_INT_TYPES = ["int64", "int32", "int", "Int64Dtype"]

#: A real calendar date written YYYY-MM-DD (leap years included, "2023-02-29" excluded).
ISO_DATE_RE: Final[str] = (
    r"^(?:\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))|(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$"
)

#: Rows per great-expectations run when figures stream past (`FigureValidator`). Each run has a
#: fixed cost of a few tenths of a second, so batches are large; documents are never split.
DEFAULT_BATCH_ROWS = 20_000
#: A batch is also closed once the texts of its documents (kept to check offsets) reach this many
#: characters, so memory stays bounded however long the articles are.
DEFAULT_BATCH_CHARS = 16 * 2**20

_FIX_EXTRACTOR = "this is a bug in figcheck's extractor: please report it with the article"


@dataclass(frozen=True)
class Clause:
    """One clause of the contract: an expectation, what it says in words, and what to do when broken."""

    key: str
    says: str
    fix: str
    phase: str  # "structure" (columns, types, nulls) or "values"

    @property
    def name(self) -> str:
        """The clause without the row's values: ``low <= value``."""
        return self.says.split(" (", 1)[0]


# --------------------------------------------------------------------------------------------
# the contract


def _clauses_and_expectations(
    metric_ids: Sequence[str] | None, with_documents: bool, view_columns: Sequence[str]
) -> list[tuple[Clause, Any]]:
    import great_expectations as gx

    E: Any = gx.expectations  # noqa: N806 - the library's own spelling
    out: list[tuple[Clause, Any]] = []

    def add(clause: Clause, expectation: Any) -> None:
        expectation.meta = {"figcheck": {"key": clause.key, "says": clause.says, "fix": clause.fix,
                                         "phase": clause.phase}}
        out.append((clause, expectation))

    add(Clause("columns", "the columns are exactly the figures columns, in contract order",
               "build the table with figcheck.extract or select FIGURE_COLUMNS in order", "structure"),
        E.ExpectTableColumnsToMatchOrderedList(column_list=list(view_columns)))
    for col in REQUIRED_COLUMNS:
        add(Clause(f"{col}.not_null", f"{col} is not empty", f"give every figure a {col}", "structure"),
            E.ExpectColumnValuesToNotBeNull(column=col))
    for cols, types, kind in ((STRING_COLUMNS, _STRING_TYPES, "text"), (FLOAT_COLUMNS, _FLOAT_TYPES, "a number"),
                              (INT_COLUMNS, _INT_TYPES, "a whole number")):
        for col in cols:
            add(Clause(f"{col}.type", f"{col} is {kind}", f"write {col} as {kind}", "structure"),
                E.ExpectColumnValuesToBeInTypeList(column=col, type_list=list(types)))

    for col in ("value", "low", "high"):
        add(Clause(f"{col}.non_negative", f"{col} >= 0 ({col}={{{col}}})",
                   "figures count things: a negative number is a misreading", "values"),
            E.ExpectColumnValuesToBeBetween(column=col, min_value=0))
    add(Clause("low<=value", "low <= value (low={low}, value={value})",
               "the interval must contain the stated value", "values"),
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="value", column_B="low", or_equal=True))
    add(Clause("value<=high", "value <= high (value={value}, high={high})",
               "the interval must contain the stated value", "values"),
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="high", column_B="value", or_equal=True))
    add(Clause("confidence.range", "confidence is between 0 and 1 (confidence={confidence})",
               "give confidence as a fraction", "values"),
        E.ExpectColumnValuesToBeBetween(column="confidence", min_value=0, max_value=1))
    add(Clause("qualifier.known", f"qualifier is one of {', '.join(QUALIFIERS)} (qualifier={{qualifier!r}})",
               "use a qualifier from the list", "values"),
        E.ExpectColumnValuesToBeInSet(column="qualifier", value_set=list(QUALIFIERS)))
    add(Clause("modality.known", f"modality is one of {', '.join(MODALITIES)} (modality={{modality!r}})",
               "use a modality from the list", "values"),
        E.ExpectColumnValuesToBeInSet(column="modality", value_set=list(MODALITIES)))
    # Null when nothing dates a figure (a document with no known publication date).
    add(Clause("as_of_basis.known", f"as_of_basis is empty or one of {', '.join(AS_OF_BASES)} "
               "(as_of_basis={as_of_basis!r})", "use a basis from the list", "values"),
        E.ExpectColumnValuesToBeInSet(column="as_of_basis", value_set=list(AS_OF_BASES)))
    if metric_ids is not None:
        add(Clause("metric.known", "metric is empty or an id from metrics.yaml (metric={metric!r})",
                   "add the metric to metrics.yaml or correct the id", "values"),
            E.ExpectColumnValuesToBeInSet(column="metric", value_set=list(metric_ids)))
    for col in ("published", "as_of"):
        add(Clause(f"{col}.iso_date", f"{col} is empty or a calendar date YYYY-MM-DD ({col}={{{col}!r}})",
                   f"write {col} as YYYY-MM-DD", "values"),
            E.ExpectColumnValuesToMatchRegex(column=col, regex=ISO_DATE_RE))
    add(Clause("start.non_negative", "start >= 0 (start={start})", "offsets count from 0", "values"),
        E.ExpectColumnValuesToBeBetween(column="start", min_value=0))
    add(Clause("start<end", "start < end (start={start}, end={end})",
               "a figure spans at least one character", "values"),
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end", column_B="start", or_equal=False))
    add(Clause("line.positive", "line >= 1 (line={line})", "lines count from 1", "values"),
        E.ExpectColumnValuesToBeBetween(column="line", min_value=1))
    add(Clause("figure_id.unique", "figure_id is unique (figure_id={figure_id!r})",
               "each figure needs its own id", "values"),
        E.ExpectColumnValuesToBeUnique(column="figure_id"))
    add(Clause("figure_id.form", "figure_id is doc_id:start (figure_id={figure_id!r})",
               "build figure_id as '<doc_id>:<start>'", "values"),
        E.ExpectColumnPairValuesToBeEqual(column_A="figure_id", column_B=EXPECTED_ID))
    if with_documents:
        add(Clause("document.known", "doc_id names a loaded document (doc_id={doc_id!r})",
                   "pass the documents the figures came from", "values"),
            E.ExpectColumnValuesToNotBeNull(column=DOCUMENT_LENGTH))
        add(Clause("end<=length", f"end <= the length of the document text (end={{end}}, length={{{DOCUMENT_LENGTH}}})",
                   "offsets must point into the document text", "values"),
            E.ExpectColumnPairValuesAToBeGreaterThanB(column_A=DOCUMENT_LENGTH, column_B="end", or_equal=True,
                                                            ignore_row_if="either_value_is_missing"))
        add(Clause("surface=text[start:end]", "text[start:end] == surface (surface={surface!r})",
                   "surface must be the exact words at start:end", "values"),
            E.ExpectColumnPairValuesToBeEqual(column_A="surface", column_B=TEXT_AT_SPAN,
                                                  ignore_row_if="either_value_is_missing"))
    return out


def view_columns(with_documents: bool) -> list[str]:
    """Columns of the contract view: the figures columns, then the columns the contract derives."""
    return [*FIGURE_COLUMNS, EXPECTED_ID, *((DOCUMENT_LENGTH, TEXT_AT_SPAN) if with_documents else ())]


def figures_suite(vocab: Vocabulary | None = None, *, with_documents: bool = True) -> ExpectationSuite:
    """Return the figures contract as a great-expectations suite, to validate a `contract_view` with.

    Each expectation's ``meta["figcheck"]`` says the clause in words (``says``) and what to do
    when it is broken (``fix``).

    Args:
        vocab: the vocabulary whose metric ids ``metric`` may take; the shipped one when None.
        with_documents: include the clauses that need the document texts (offsets inside the
            text, ``text[start:end] == surface``).

    Example:
        >>> suite = figures_suite()  # doctest: +SKIP
        >>> [e.meta["figcheck"]["says"] for e in suite.expectations][:2]  # doctest: +SKIP
        ['the columns are exactly the figures columns, in contract order', 'figure_id is not empty']
    """
    import great_expectations as gx

    if vocab is None:
        from figcheck.vocab import load_vocabulary

        vocab = load_vocabulary()
    pairs = _clauses_and_expectations(vocab.metric_ids(), with_documents, view_columns(with_documents))
    return gx.ExpectationSuite(name="figcheck.figures", expectations=[e for _, e in pairs])


def contract_view(figures: pd.DataFrame, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the figures table plus the columns the contract compares it with, for `figures_suite`.

    Adds ``_expected_figure_id`` (``doc_id:start``) and, with documents, ``_document_length``
    and ``_text_at_span`` (``text[start:end]``, empty when the offsets are not whole numbers).
    Columns whose values are all text are given pandas' string dtype so their type is checked
    once per column; a column that mixes types stays ``object`` and is checked row by row.

    Args:
        figures: a figures table.
        documents: the documents table (``doc_id`` and ``text``), or None.
    """
    view = figures.copy()
    for col in STRING_COLUMNS:
        if col in view.columns:
            view[col] = _as_text_column(view[col])
    doc_ids = view["doc_id"] if "doc_id" in view.columns else pd.Series(pd.NA, index=view.index, dtype=object)
    starts = view["start"] if "start" in view.columns else pd.Series(pd.NA, index=view.index, dtype=object)
    view[EXPECTED_ID] = (_as_id_part(doc_ids) + ":" + _as_id_part(starts)).astype(pd.StringDtype())
    if documents is not None:
        texts = dict(zip(documents["doc_id"].astype(object), documents["text"].astype(object), strict=True))
        ends = view["end"] if "end" in view.columns else pd.Series(pd.NA, index=view.index, dtype=object)
        lengths = [len(t) if isinstance(t, str) else None for t in map(texts.get, doc_ids.astype(object))]
        view[DOCUMENT_LENGTH] = pd.array(lengths, dtype="Int64")
        view[TEXT_AT_SPAN] = pd.array(
            [_slice(texts.get(d), s, e) for d, s, e in zip(doc_ids.astype(object), starts, ends, strict=True)],
            dtype=pd.StringDtype(),
        )
    return view


def _as_id_part(col: pd.Series) -> pd.Series:
    """Render a column as the text it contributes to ``doc_id:start`` (vectorised for the usual dtypes)."""
    if pd.api.types.is_integer_dtype(col.dtype) or isinstance(col.dtype, pd.StringDtype):
        return col.astype(pd.StringDtype()).fillna("").astype(object)
    return col.astype(object).map(_plain)


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _slice(text: Any, start: Any, end: Any) -> str | None:
    if not isinstance(text, str) or isinstance(start, bool) or isinstance(end, bool):
        return None
    try:
        s, e = int(start), int(end)
    except (TypeError, ValueError, OverflowError):
        return None
    if s != start or e != end:
        return None
    return text[s:e]


def _as_text_column(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.StringDtype) or pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        return col.astype(pd.StringDtype())
    return col.astype(object)


# --------------------------------------------------------------------------------------------
# running it


def validate_figures(
    figures: pd.DataFrame,
    documents: pd.DataFrame | None,
    vocab: Vocabulary | None,
    *,
    hint: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a figures table against the contract; keep the rows that pass, report the others.

    Args:
        figures: a figures table (``FIGURE_COLUMNS``).
        documents: the documents the figures came from (``doc_id``, ``text`` and, for messages,
            ``path``), or None to skip the clauses that need the text.
        vocab: the vocabulary whose metric ids ``metric`` may take, or None to accept any.
        hint: what to do about a broken row, in place of each clause's own advice (figcheck's
            extractor passes "report it": its rows break the contract only by a bug).

    Returns:
        (good rows with the contract's dtypes, problems). Each broken row is one `Problem`
        naming its document, line, figure and every clause it breaks; it is not passed on.
        A table whose columns are wrong yields one problem and no rows.

    Example:
        >>> import figcheck
        >>> figures = figcheck.extract("examples", validate=False)  # doctest: +SKIP
        >>> good, problems = validate_figures(figures.assign(low=-1.0), None, None)  # doctest: +SKIP
        >>> str(problems[0])  # doctest: +SKIP
        "examples/...md:10: error: figure '...:313' ('more than 200') breaks the figures contract: low >= 0 ..."
    """
    if not isinstance(figures, pd.DataFrame):
        raise TypeError("validate_figures needs a pandas DataFrame")
    figures = figures.reset_index(drop=True)
    keep, problems = _check(figures, documents, vocab, hint)
    return _typed(figures[keep] if list(figures.columns) == FIGURE_COLUMNS
                  else figures.iloc[0:0].reindex(columns=FIGURE_COLUMNS)), problems


TABLE = "figures table"


def _check(
    figures: pd.DataFrame, documents: pd.DataFrame | None, vocab: Vocabulary | None, hint: str | None
) -> tuple[Any, list[Problem]]:
    """Validate ``figures`` (a 0..n-1 index); return (boolean mask of rows that pass, problems)."""
    keep = pd.Series(False, index=figures.index)
    problems: list[Problem] = []
    columns = list(figures.columns)
    if columns != FIGURE_COLUMNS:
        # great-expectations checks this too (the "columns" clause), but no other clause can run.
        missing = [c for c in FIGURE_COLUMNS if c not in columns]
        extra = [c for c in columns if c not in FIGURE_COLUMNS]
        detail = "; ".join(filter(None, [f"missing {', '.join(missing)}" if missing else "",
                                         f"unexpected {', '.join(map(str, extra))}" if extra else "",
                                         "" if missing or extra else "in the wrong order"]))
        problems.append(Problem(TABLE, 0, f"columns are not the figures columns ({detail})",
                                "build the table with figcheck.extract or select FIGURE_COLUMNS in order"))
        return keep, problems
    if figures.empty:
        return keep, problems

    view = contract_view(figures, documents)
    pairs = _clauses_and_expectations(vocab.metric_ids() if vocab is not None else None, documents is not None,
                                      view_columns(documents is not None))
    broken: dict[int, list[Clause]] = {}
    failures = _run(view, [(c, e) for c, e in pairs if c.phase == "structure"], broken)
    ok = ~figures.index.isin(list(broken))
    if not failures and ok.any():
        typed_view = view[ok].copy()
        for col in FLOAT_COLUMNS:
            typed_view[col] = typed_view[col].astype("float64")
        for col in INT_COLUMNS:
            typed_view[col] = typed_view[col].astype("int64")
        failures = _run(typed_view, [(c, e) for c, e in pairs if c.phase == "values"], broken)
    if failures:
        # A clause broken by the table as a whole (a column of the wrong type): no row can be trusted.
        for clause, observed in failures:
            problems.append(Problem(TABLE, 0, f"breaks the figures contract: {clause.name} ({observed}); "
                                    "no rows passed on", clause.fix))
        return keep, problems

    paths = _paths(documents)
    order = sorted(broken)
    records = view.iloc[order].to_dict("records")
    for i, record in zip(order, records, strict=True):
        row = {k: (None if v is pd.NA else v) for k, v in record.items()}
        clauses = broken[i]
        problems.append(Problem(
            _text(paths.get(row.get("doc_id")) or row.get("doc_id")) or TABLE,
            _line(row.get("line")),
            f"figure {_cut(row.get('figure_id'))!r} ({_cut(row.get('surface'))!r}) breaks the figures contract: "
            + "; ".join(_says(c, row) for c in clauses) + "; row left out",
            hint or "; ".join(dict.fromkeys(c.fix for c in clauses)),
        ))
    return pd.Series(~figures.index.isin(order), index=figures.index), problems


def _run(
    view: pd.DataFrame, pairs: list[tuple[Clause, Any]], broken: dict[int, list[Clause]]
) -> list[tuple[Clause, str]]:
    """Validate ``view`` with the expectations of ``pairs``; record broken rows (by view index) in ``broken``.

    Returns the clauses broken by the table as a whole (no row to blame), with what was observed.
    """
    if not pairs:
        return []
    result = _gx_validate(view, [e for _, e in pairs])
    by_key = {c.key: c for c, _ in pairs}
    table: list[tuple[Clause, str]] = []
    for res in result.results:
        if res.success:
            continue
        clause = by_key[res.expectation_config.meta["figcheck"]["key"]]
        info = res.exception_info or {}
        if info.get("raised_exception"):
            table.append((clause, f"could not be checked: {info.get('exception_message')}"))
            continue
        indices = res.result.get("unexpected_index_list")
        if indices is None:
            table.append((clause, f"the column's type is {res.result.get('observed_value')}"))
            continue
        for i in indices:
            broken.setdefault(int(view.index[i]), []).append(clause)
    return table


def _gx_validate(view: pd.DataFrame, expectations: list[Any]) -> Any:
    """One great-expectations run of ``expectations`` over ``view``, in a throwaway in-memory context."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        batch = context.data_sources.add_pandas("figcheck").add_dataframe_asset("figures") \
            .add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(gx.ExpectationSuite(name="figcheck.figures", expectations=expectations))
        run = context.validation_definitions.add(gx.ValidationDefinition(name="figures", data=batch, suite=suite))
        # Row positions (not labels) come back in unexpected_index_list; reset so they coincide.
        return run.run(batch_parameters={"dataframe": view.reset_index(drop=True)},
                       result_format={"result_format": "COMPLETE", "partial_unexpected_count": 0,
                                      "include_unexpected_rows": False})


def _says(clause: Clause, row: dict[str, Any]) -> str:
    try:
        return clause.says.format(**{k: _cut(v) if isinstance(v, str) else v for k, v in row.items()})
    except (KeyError, ValueError, TypeError, IndexError):
        return clause.name


def _cut(value: Any, limit: int = 80) -> str:
    """Shorten text for a message; quote it with ``!r``, which escapes control characters."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any, limit: int = 80) -> str:
    """Render a value for a one-line message: control characters escaped, long text cut."""
    if value is None:
        return ""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _line(value: Any) -> int:
    try:
        line = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return line if line >= 1 else 0


def _paths(documents: pd.DataFrame | None) -> dict[Any, Any]:
    if documents is None or "path" not in documents.columns:
        return {}
    return dict(zip(documents["doc_id"], documents["path"], strict=True))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give the rows the contract's dtypes (floats, int64 offsets, object text with None)."""
    out = frame.reset_index(drop=True).copy()
    for col in FLOAT_COLUMNS:
        if col in out.columns:
            out[col] = out[col].astype("float64")
    for col in INT_COLUMNS:
        if col in out.columns:
            out[col] = out[col].astype("int64")
    for col in STRING_COLUMNS:
        if col in out.columns:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


# --------------------------------------------------------------------------------------------
# streaming


class FigureValidator:
    """Validates figures as documents stream past, in batches, holding one batch at a time.

    Feed it each document with its figure rows (`add`); once a batch is full it yields the batch's
    documents, in order, each with the rows that pass the contract; `flush` yields the rest. A
    document is never split between batches, so ``figure_id`` uniqueness within a batch is
    uniqueness overall (ids start with the unique doc_id).

    A document added as ``trusted`` (its rows already passed this contract: a validated cache
    entry) keeps its place in the order but is not checked again; while nothing held needs
    checking, documents are passed on at once, so a stream of trusted documents never imports
    great-expectations.

    Args:
        vocab: the vocabulary whose metric ids are allowed.
        on_problem: called with each `Problem` (a broken row) as batches are validated.
        batch_rows: rows per great-expectations run (default `DEFAULT_BATCH_ROWS`).
        hint: passed to `validate_figures`.
        batch_chars: close a batch once its documents' texts hold this many characters
            (default `DEFAULT_BATCH_CHARS`).
    """

    def __init__(self, vocab: Vocabulary | None, on_problem: Callable[[Problem], None],
                 batch_rows: int | None = None, hint: str | None = _FIX_EXTRACTOR,
                 batch_chars: int | None = None) -> None:
        self.vocab = vocab
        self.on_problem = on_problem
        self.batch_rows = max(1, DEFAULT_BATCH_ROWS if batch_rows is None else batch_rows)
        self.batch_chars = max(1, DEFAULT_BATCH_CHARS if batch_chars is None else batch_chars)
        self.hint = hint
        self._pairs: list[tuple[Document, list[dict[str, Any]], bool]] = []
        self._rows = 0  # rows held, checked or trusted (bounds the batch)
        self._unchecked = 0  # rows held that need checking
        self._chars = 0
        self.batches = 0

    def add(self, doc: Document, rows: list[dict[str, Any]], *,
            trusted: bool = False) -> Iterator[tuple[Document, list[dict[str, Any]]]]:
        """Take one document's rows; when the batch is full, yield its documents with their valid rows.

        Args:
            doc: the document.
            rows: its figures rows.
            trusted: the rows already passed this contract (a validated cache entry): they are
                passed on, in order, as given, and not checked again.
        """
        self._pairs.append((doc, rows, trusted))
        self._rows += len(rows)
        if not trusted:
            self._unchecked += len(rows)
        self._chars += len(doc.text)
        if not self._unchecked or self._rows >= self.batch_rows or self._chars >= self.batch_chars:
            yield from self.flush()

    def flush(self) -> Iterator[tuple[Document, list[dict[str, Any]]]]:
        """Validate what is held; yield each document with the rows that pass, exactly as given."""
        pairs, n = self._pairs, self._unchecked
        self._pairs, self._rows, self._unchecked, self._chars = [], 0, 0, 0
        if n == 0:
            for doc, doc_rows, _trusted in pairs:
                yield doc, doc_rows
            return
        from figcheck.extract.figures import figures_frame

        rows = [row for _doc, doc_rows, trusted in pairs if not trusted for row in doc_rows]
        documents = pd.DataFrame([{"doc_id": d.doc_id, "path": d.path, "text": d.text}
                                  for d, r, trusted in pairs if r and not trusted],
                                 columns=["doc_id", "path", "text"])
        keep, problems = _check(figures_frame(rows), documents, self.vocab, self.hint)
        del rows, documents
        gc.collect()  # great-expectations leaves reference cycles behind each run: free them per batch
        self.batches += 1
        for p in problems:
            self.on_problem(p)
        mask = keep.tolist()
        i = 0
        for doc, doc_rows, trusted in pairs:
            if trusted:
                yield doc, doc_rows
                continue
            yield doc, [row for row, ok in zip(doc_rows, mask[i:i + len(doc_rows)], strict=True) if ok]
            i += len(doc_rows)


def validated_pairs(
    pairs: Iterable[tuple[Document, list[dict[str, Any]]]],
    vocab: Vocabulary | None,
    on_problem: Callable[[Problem], None],
    batch_rows: int | None = None,
) -> Iterator[tuple[Document, list[dict[str, Any]]]]:
    """Yield every (document, rows) pair, in order, with only the rows that pass the contract."""
    validator = FigureValidator(vocab, on_problem, batch_rows)
    for doc, rows in pairs:
        yield from validator.add(doc, rows)
    yield from validator.flush()


def validated(
    pairs: Iterable[tuple[Document, list[dict[str, Any]]]],
    vocab: Vocabulary | None,
    on_problem: Callable[[Problem], None],
    batch_rows: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the rows of (document, rows) pairs that pass the contract, in order, batch by batch."""
    for _doc, rows in validated_pairs(pairs, vocab, on_problem, batch_rows):
        yield from rows
