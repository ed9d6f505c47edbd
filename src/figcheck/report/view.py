"""One view of the findings table that every report format renders: findings joined to figures.

`build_view` joins each finding to the figures it names (through ``figure_ids``), places every
figure in its article FILE (path, line, column, character offset), picks the figure a CI
annotation belongs on, and carries the baseline state and the rule's description. Markdown,
HTML, SARIF, JUnit and GitHub annotations are all written from this one structure, so they
always agree.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

#: Severities from most to least serious; reports list findings in this order.
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Location:
    """Where a figure's words are in its article file.

    ``column`` and ``char_offset`` count Unicode code points from 1 and 0 respectively; they are
    None when the words could not be found in the file (the line is then the best known).
    """

    path: str
    line: int
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    char_offset: int | None = None
    char_length: int | None = None

    def short(self) -> str:
        """``path:line`` or ``path:line:column``."""
        if self.column is not None:
            return f"{self.path}:{self.line}:{self.column}"
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class FigureView:
    """One figure a finding names, with everything a reader needs to judge it."""

    figure_id: str
    doc_id: str
    metric: str | None
    value: float | None
    low: float | None
    high: float | None
    qualifier: str | None
    unit: str | None
    surface: str
    sentence: str
    source: str | None
    published: str | None
    as_of: str | None
    as_of_basis: str | None
    claimant: str | None
    modality: str | None
    title: str | None
    url: str | None
    location: Location
    #: the sentence split around the surface: (before, surface, after); the surface is what
    #: reports highlight.
    quote: tuple[str, str, str]
    found: bool = True

    @property
    def interval(self) -> str:
        """The interval the wording allows, e.g. ``125–134`` or ``≥ 200``."""
        return format_interval(self.low, self.high)


@dataclass(frozen=True)
class RuleInfo:
    """What a report says about a rule: its name, what it checks and why."""

    id: str
    name: str = ""
    kind: str = ""
    severity: str = ""
    description: str = ""
    rationale: str = ""


@dataclass
class FindingView:
    """One finding, joined to its figures."""

    finding_id: str
    rule_id: str
    severity: str
    verdict: str
    message: str
    observed: str
    expected: str
    figure_ids: list[str]
    figures: list[FigureView]
    primary: FigureView | None
    rule: RuleInfo
    #: ``new``, or ``unchanged`` when the baseline accepts it
    state: str = "new"
    baseline_reason: str = ""
    metric: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> Location | None:
        """Where a CI annotation for this finding goes."""
        return self.primary.location if self.primary is not None else None

    @property
    def doc_ids(self) -> list[str]:
        """The documents the finding involves, in figure order, without repeats."""
        return list(dict.fromkeys(f.doc_id for f in self.figures))


@dataclass
class ReportView:
    """Everything a report renders: findings in reading order, figures, counts."""

    findings: list[FindingView]
    figures: pd.DataFrame
    documents: pd.DataFrame | None
    rules: dict[str, RuleInfo]
    #: baseline entries (dicts with at least finding_id, rule_id, reason) no longer found
    absent: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
    title: str = "figcheck report"
    metric_descriptions: dict[str, str] = field(default_factory=dict)
    #: how many documents were read, when no documents table was given
    document_count: int | None = None
    #: the documents a CI run gates (--only), or None for all
    only: set[str] | None = None

    @property
    def new(self) -> list[FindingView]:
        """Findings the baseline does not accept."""
        return [f for f in self.findings if f.state == "new"]

    def counts(self, *, new_only: bool = False) -> dict[str, int]:
        """Count findings per severity (every severity present, zero where none)."""
        items = self.new if new_only else self.findings
        out = dict.fromkeys(SEVERITY_ORDER, 0)
        for f in items:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    @property
    def n_documents(self) -> int:
        """How many documents the figures came from (or were loaded)."""
        if self.documents is not None and len(self.documents):
            return int(self.documents["doc_id"].nunique())
        if self.document_count is not None:
            return self.document_count
        return int(self.figures["doc_id"].nunique()) if len(self.figures) else 0

    def document_paths(self) -> list[tuple[str, str]]:
        """(doc_id, display path) for every document, in doc_id order."""
        if self.documents is not None and len(self.documents):
            pairs = {str(r["doc_id"]): display_path(str(r["path"])) for r in self.documents.to_dict("records")}
        else:
            pairs = {str(d): str(d) for d in self.figures["doc_id"].dropna().unique()} if len(self.figures) else {}
        return sorted(pairs.items())


# --------------------------------------------------------------------------------------------
# building the view


def build_view(
    findings: pd.DataFrame,
    figures: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    *,
    rules: Iterable[Any] | Mapping[str, Any] | None = None,
    baseline: Any = None,
    only: Iterable[str] | None = None,
    problems: Sequence[Any] | None = None,
    title: str | None = None,
    metric_descriptions: Mapping[str, str] | None = None,
    root: str | os.PathLike[str] | None = None,
    document_table: pd.DataFrame | None = None,
    **_other: Any,
) -> ReportView:
    """Join findings to figures and place each figure in its article file.

    Args:
        findings: the findings table (`figcheck.models.FINDING_COLUMNS`, possibly more columns).
        figures: the figures table the findings were computed from.
        documents: the documents table (`figcheck.load`; the ``text`` column may be left out);
            without it, locations fall back to the figure's line and its doc_id as the path. A
            number is taken as the count of documents read.
        rules: rule objects or dicts (``id``, ``name``, ``kind``, ``severity``, ``description``,
            ``rationale``), as a list or keyed by id.
        baseline: a `figcheck.baseline.Baseline`; accepted findings get state ``unchanged``
            and its entries that no longer occur are listed in ``absent``.
        only: doc_ids; when given, the annotation of a finding goes on a figure of one of them.
        problems: input problems to list in the report.
        title: the report's title.
        metric_descriptions: metric id -> description, for plot and section titles.
        root: the folder paths are shown relative to (default: the working directory).
        document_table: the documents table, when ``documents`` holds only their count (as
            `figcheck check` passes it to every format).
        **_other: options meant for other formats; ignored.

    Returns:
        The `ReportView` every renderer reads.
    """
    rule_map = _rule_map(rules)
    doc_count = None
    if document_table is not None:
        documents = document_table
    if documents is not None and not isinstance(documents, pd.DataFrame):
        doc_count, documents = int(documents), None  # a count of documents read: nothing to locate with
    docs_by_id = _documents_by_id(documents)
    files = _FileCache()
    by_id = {}
    if len(figures):
        by_id = {str(r["figure_id"]): r for r in figures.to_dict("records")}
    only_set = set(only) if only is not None else None
    accepted = _baseline_reasons(baseline)

    fig_views: dict[str, FigureView] = {}
    views: list[FindingView] = []
    extra_cols = [c for c in findings.columns if c not in _FINDING_KEYS]
    for rec in findings.to_dict("records"):
        ids = [str(i) for i in _as_list(rec.get("figure_ids"))]
        figs = []
        for fid in ids:
            if fid not in fig_views:
                fig_views[fid] = _figure_view(fid, by_id.get(fid), docs_by_id, files, root)
            figs.append(fig_views[fid])
        rule_id = str(rec.get("rule_id") or "")
        fid_str = str(rec.get("finding_id") or "")
        extra = {c: _plain(rec.get(c)) for c in extra_cols}
        views.append(
            FindingView(
                finding_id=fid_str,
                rule_id=rule_id,
                severity=str(rec.get("severity") or "error"),
                verdict=str(rec.get("verdict") or ""),
                message=str(rec.get("message") or ""),
                observed=_text(rec.get("observed")),
                expected=_text(rec.get("expected")),
                figure_ids=ids,
                figures=figs,
                primary=primary_figure(figs, only_set),
                rule=rule_map.get(rule_id) or RuleInfo(id=rule_id),
                state="unchanged" if fid_str in accepted else "new",
                baseline_reason=accepted.get(fid_str, ""),
                metric=_metric_of(extra, figs),
                extra={k: v for k, v in extra.items() if k != "metric"},
            )
        )
    views.sort(key=_reading_order)
    absent = []
    if baseline is not None:
        present = {v.finding_id for v in views}
        absent = [dict(e) for e in getattr(baseline, "entries", []) if e.get("finding_id") not in present]
        absent.sort(key=lambda e: (str(e.get("rule_id", "")), str(e.get("finding_id", ""))))
    used_rules = {v.rule_id: v.rule for v in views}
    all_rules = {**rule_map, **{k: v for k, v in used_rules.items() if k not in rule_map}}
    return ReportView(
        findings=views,
        figures=figures,
        documents=documents,
        rules=dict(sorted(all_rules.items())),
        absent=absent,
        problems=list(problems or []),
        title=title or "figcheck report",
        metric_descriptions=dict(metric_descriptions or {}),
        document_count=doc_count,
        only=only_set,
    )


def primary_figure(figures: Sequence[FigureView], only: set[str] | None = None) -> FigureView | None:
    """Pick the figure a finding's annotation belongs on.

    The newest report is the one that breaks the established record, so the figure from the
    most recently published document wins (then the later as-of date, then the later figure in
    the finding). With ``only`` (the new or changed articles in a CI run), figures of those
    documents are preferred.
    """
    if not figures:
        return None
    pool = [f for f in figures if f.found] or list(figures)
    if only:
        in_scope = [f for f in pool if f.doc_id in only]
        pool = in_scope or pool
    ranked = sorted(enumerate(pool), key=lambda p: (p[1].published or "", p[1].as_of or "", p[0]))
    return ranked[-1][1]


def involving(findings: pd.DataFrame, figures: pd.DataFrame, doc_ids: Iterable[str]) -> pd.DataFrame:
    """Keep the findings that name at least one figure of the given documents.

    Figure ids are ``<doc_id>:<start>``; the figures table decides which document each belongs to.

    Example:
        >>> figs = pd.DataFrame({"figure_id": ["a.md:0", "b.md:5"], "doc_id": ["a.md", "b.md"]})
        >>> fnd = pd.DataFrame({"finding_id": ["1", "2"], "figure_ids": [["a.md:0"], ["a.md:0", "b.md:5"]]})
        >>> involving(fnd, figs, ["b.md"])["finding_id"].tolist()
        ['2']
    """
    wanted = set(doc_ids)
    doc_of = dict(zip(figures["figure_id"].astype(str), figures["doc_id"].astype(str), strict=False))

    def hit(ids: Any) -> bool:
        return any(doc_of.get(str(i), str(i).rsplit(":", 1)[0]) in wanted for i in _as_list(ids))

    mask = findings["figure_ids"].map(hit).astype(bool) if len(findings) else pd.Series([], dtype=bool)
    return findings[mask.to_numpy()].reset_index(drop=True)


def documents_at(documents: pd.DataFrame, paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Return the doc_ids of the documents read from the given files, or from files under given folders.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["a.md", "b/c.md"], "path": ["corpus/a.md", "corpus/b/c.md"]})
        >>> documents_at(docs, ["corpus/b"]), documents_at(docs, ["./corpus/a.md"]), documents_at(docs, ["x.md"])
        (['b/c.md'], ['a.md'], [])
    """
    wanted = [Path(p).resolve() for p in paths]
    out = []
    for doc_id, path in zip(documents["doc_id"].astype(str), documents["path"].astype(str), strict=True):
        file = Path(path).resolve()
        if any(file == w or w in file.parents for w in wanted):
            out.append(doc_id)
    return out


# --------------------------------------------------------------------------------------------
# formatting helpers shared by the renderers


def format_number(x: float | None) -> str:
    """Write a figure's number as a person does: ``25,105``, ``26.4``.

    Example:
        >>> format_number(25105.0), format_number(26.4), format_number(None)
        ('25,105', '26.4', '?')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def format_interval(low: float | None, high: float | None) -> str:
    """Write an interval as text: ``125–134``, ``≥ 200``, ``≤ 800``, ``240``.

    Example:
        >>> format_interval(125.0, 134.0), format_interval(200.0, float("inf")), format_interval(240.0, 240.0)
        ('125–134', '≥ 200', '240')
    """
    lo = None if low is None or (isinstance(low, float) and (math.isnan(low) or math.isinf(low))) else low
    hi = None if high is None or (isinstance(high, float) and (math.isnan(high) or math.isinf(high))) else high
    if lo is None and hi is None:
        return "any"
    if hi is None:
        return f"≥ {format_number(lo)}"
    if lo is None:
        return f"≤ {format_number(hi)}"
    if lo == hi:
        return format_number(lo)
    return f"{format_number(lo)}–{format_number(hi)}"


def display_path(path: str, root: str | os.PathLike[str] | None = None) -> str:
    """Show a path as reports do: POSIX, relative to ``root`` (the working directory) when inside it."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(Path(root or os.getcwd()).resolve())
        except ValueError:
            return p.as_posix()
    return PurePosixPath(*p.parts).as_posix() if p.parts else str(path)


def quote_parts(sentence: str, surface: str, hint: int | None = None) -> tuple[str, str, str]:
    """Split a sentence around the figure's words, for highlighting.

    Example:
        >>> quote_parts("Some 130 remain in Gaza.", "130")
        ('Some ', '130', ' remain in Gaza.')
    """
    if not sentence:
        return ("", surface, "")
    i = sentence.find(surface) if surface else -1
    if i < 0:
        return (sentence + " — ", surface, "")
    return (sentence[:i], surface, sentence[i + len(surface):])


# --------------------------------------------------------------------------------------------
# internals

_FINDING_KEYS = ("finding_id", "rule_id", "severity", "verdict", "message", "figure_ids", "observed", "expected")


def _reading_order(v: FindingView) -> tuple[Any, ...]:
    loc = v.location
    return (
        SEVERITY_ORDER.get(v.severity, 9),
        v.rule_id,
        loc.path if loc else "",
        loc.line if loc else 0,
        v.finding_id,
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, list):
                return parsed
        return [p for p in re.split(r"[;,]\s*|\s+", text) if p]
    if hasattr(value, "tolist"):
        return list(value.tolist())
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _text(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def _none(value: Any) -> Any:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _metric_of(extra: dict[str, Any], figs: list[FigureView]) -> str | None:
    metric = extra.get("metric")
    if metric:
        return str(metric)
    metrics = list(dict.fromkeys(f.metric for f in figs if f.metric))
    return metrics[0] if len(metrics) == 1 else None


def _rule_map(rules: Iterable[Any] | Mapping[str, Any] | None) -> dict[str, RuleInfo]:
    if rules is None:
        return {}
    items = rules.values() if isinstance(rules, Mapping) else rules
    out: dict[str, RuleInfo] = {}
    for r in items:
        get = r.get if isinstance(r, Mapping) else (lambda k, d="", _r=r: getattr(_r, k, d))
        rid = str(get("id", "") or "")
        if not rid:
            continue
        out[rid] = RuleInfo(
            id=rid,
            name=str(get("name", "") or ""),
            kind=str(get("kind", "") or ""),
            severity=str(get("severity", "") or ""),
            description=" ".join(str(get("description", "") or "").split()),
            rationale=" ".join(str(get("rationale", "") or "").split()),
        )
    return out


def _baseline_reasons(baseline: Any) -> dict[str, str]:
    if baseline is None:
        return {}
    return {str(e.get("finding_id")): str(e.get("reason") or "") for e in getattr(baseline, "entries", [])}


def _documents_by_id(documents: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    if documents is None or not len(documents):
        return {}
    return {str(r["doc_id"]): r for r in documents.to_dict("records")}


def _figure_view(
    fid: str,
    row: dict[str, Any] | None,
    docs: dict[str, dict[str, Any]],
    files: _FileCache,
    root: str | os.PathLike[str] | None,
) -> FigureView:
    if row is None:  # a finding that names a figure the table does not have
        doc_id = fid.rsplit(":", 1)[0]
        meta = docs.get(doc_id, {})
        path = display_path(str(meta.get("path") or doc_id), root)
        return FigureView(
            figure_id=fid, doc_id=doc_id, metric=None, value=None, low=None, high=None, qualifier=None,
            unit=None, surface="", sentence="", source=_none(meta.get("source")),
            published=_none(meta.get("published")), as_of=None, as_of_basis=None, claimant=None, modality=None,
            title=_none(meta.get("title")), url=_none(meta.get("url")), location=Location(path, 1),
            quote=("", "", ""), found=False,
        )
    doc_id = str(row.get("doc_id"))
    doc = docs.get(doc_id)
    surface = str(_none(row.get("surface")) or "")
    sentence = str(_none(row.get("sentence")) or "")
    start = int(_none(row.get("start")) or 0)
    location = _locate(row, doc, files, root)
    return FigureView(
        figure_id=fid,
        doc_id=doc_id,
        metric=_none(row.get("metric")),
        value=_float(row.get("value")),
        low=_float(row.get("low")),
        high=_float(row.get("high")),
        qualifier=_none(row.get("qualifier")),
        unit=_none(row.get("unit")),
        surface=surface,
        sentence=sentence,
        source=_none(row.get("source")) or (_none(doc.get("source")) if doc else None),
        published=_none(row.get("published")) or (_none(doc.get("published")) if doc else None),
        as_of=_none(row.get("as_of")),
        as_of_basis=_none(row.get("as_of_basis")),
        claimant=_none(row.get("claimant")),
        modality=_none(row.get("modality")),
        title=_none(doc.get("title")) if doc else None,
        url=_none(doc.get("url")) if doc else None,
        location=location,
        quote=quote_parts(sentence, surface, start),
    )


def _float(value: Any) -> float | None:
    value = _none(value)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class _FileCache:
    """Raw article files, read once per report, as text with the BOM kept as one character."""

    def __init__(self) -> None:
        self._texts: dict[str, str | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    @staticmethod
    def _read(path: str) -> str | None:
        from figcheck.corpus import decode

        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        text, bom, _problem = decode(data)
        if text is None:
            return None
        return "\ufeff" * bom + text


def _locate(row: dict[str, Any], doc: dict[str, Any] | None, files: _FileCache, root: Any) -> Location:
    """Place a figure in its article file: line, column and character offset."""
    start = int(_none(row.get("start")) or 0)
    end = int(_none(row.get("end")) or start)
    surface = str(_none(row.get("surface")) or "")
    line = int(_none(row.get("line")) or 1)
    if doc is None:
        return Location(str(row.get("doc_id")), max(line, 1))
    path = str(doc.get("path") or doc.get("doc_id"))
    shown = display_path(path, root)
    text = str(doc.get("text") or "")
    text_offset = int(_none(doc.get("text_offset")) if _none(doc.get("text_offset")) is not None else 0)
    line_offset = int(_none(doc.get("line_offset")) if _none(doc.get("line_offset")) is not None else 0)
    fmt = str(doc.get("format") or "text")

    if text_offset >= 0 and fmt not in ("html", "jsonl"):
        # the document text is a slice of the file: offsets carry over directly
        offset = text_offset + start
        raw = files.text(path)
        if raw is not None and raw[offset:offset + len(surface)] == surface:
            return _from_offset(shown, raw, offset, len(surface))
        if not text:
            return Location(shown, max(line, 1))
        first_line = text.rfind("\n", 0, start) < 0
        col = start - (text.rfind("\n", 0, start) + 1) + 1 + (text_offset if first_line and line_offset == 0 else 0)
        return Location(shown, line, col, line, col + (end - start), offset, end - start)

    raw = files.text(path)
    if raw is None or not surface:
        return Location(shown, max(line, 1))
    nth = text.count(surface, 0, start) if text else 0
    if fmt == "jsonl" and line_offset >= 0:
        # the article is one JSON string on line line_offset + 1: search that line only
        lines = raw.split("\n")
        if line_offset < len(lines):
            base = sum(len(x) + 1 for x in lines[:line_offset])
            if not text:
                text = _jsonl_text(lines[line_offset])
                nth = text.count(surface, 0, start)
            found = _find_nth(lines[line_offset], _json_forms(surface), nth)
            if found is not None:
                return _from_offset(shown, raw, base + found[0], found[1])
        return Location(shown, line_offset + 1)
    found = _find_nth(raw, [_loose(surface)], nth, regex=True)
    if found is None:
        return Location(shown, 1)
    return _from_offset(shown, raw, found[0], found[1])


def _jsonl_text(line: str) -> str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return ""
    return record.get("text", "") if isinstance(record, dict) and isinstance(record.get("text"), str) else ""


def _json_forms(surface: str) -> list[str]:
    forms = [json.dumps(surface, ensure_ascii=False)[1:-1], json.dumps(surface)[1:-1]]
    return list(dict.fromkeys(forms))


def _loose(surface: str) -> str:
    """Build a pattern for the surface in markup: any whitespace (or a tag) may stand between words."""
    words = surface.split()
    return r"(?:\s+|\s*<[^>]*>\s*)+".join(re.escape(w) for w in words)


def _find_nth(hay: str, needles: list[str], nth: int, *, regex: bool = False) -> tuple[int, int] | None:
    """Offset and length of the ``nth`` occurrence (0-based) of any needle; the last one if fewer."""
    for needle in needles:
        spans = [(m.start(), m.end() - m.start()) for m in re.finditer(needle if regex else re.escape(needle), hay)]
        if spans:
            return spans[min(nth, len(spans) - 1)]
    return None


def _from_offset(path: str, raw: str, offset: int, length: int) -> Location:
    line = raw.count("\n", 0, offset) + 1
    col = offset - (raw.rfind("\n", 0, offset) + 1) + 1
    end = offset + length
    end_line = raw.count("\n", 0, end) + 1
    end_col = end - (raw.rfind("\n", 0, end) + 1) + 1
    return Location(path, line, col, end_line, end_col, offset, length)
