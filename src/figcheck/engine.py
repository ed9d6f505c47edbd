"""The rules engine: figures + rules -> the findings DataFrame (``run``), and figures made by hand."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from figcheck.checks import KINDS
from figcheck.checks._common import Context, Prepared, findings_frame
from figcheck.models import FACTUAL_MODALITIES, FIGURE_COLUMNS, SEVERITIES
from figcheck.ruleset import Rule
from figcheck.vocab import Vocabulary

_EPOCH = np.datetime64("1970-01-01", "D")
_SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
#: Figure columns no check reads (reports take them from the figures table itself).
_UNUSED = ("sentence", "noun", "end", "as_of_basis", "confidence")


def run(figures: pd.DataFrame, rules: Sequence[Rule], vocab: Vocabulary) -> pd.DataFrame:
    """Evaluate rules over a figures table.

    Only figures that name a metric and are stated as fact (``asserted``, ``estimate``, ``belief``)
    take part: proposals, demands, hypotheticals and negated figures never do.

    Args:
        figures: the figures DataFrame (`figcheck.models.FIGURE_COLUMNS`).
        rules: validated rules (`figcheck.ruleset.load_rules`).
        vocab: the vocabulary the rules were validated against (metric behaviours, claimant series).

    Returns:
        The findings DataFrame: `figcheck.models.FINDING_COLUMNS` (``finding_id, rule_id, severity,
        verdict, message, figure_ids, observed, expected``) then ``metric, kind, rule_name``, sorted
        by severity, rule id and finding id. The same figures give the same findings in the same
        order whatever their row order.

    Example:
        >>> from figcheck.ruleset import load_rules
        >>> from figcheck.vocab import load_vocabulary
        >>> figs = make_figures([
        ...     {"doc_id": "a", "metric": "hostages.taken", "value": 240, "as_of": "2023-10-07"},
        ...     {"doc_id": "a", "metric": "hostages.released", "value": 105, "as_of": "2023-11-30"},
        ...     {"doc_id": "a", "metric": "hostages.held", "value": 150, "as_of": "2023-12-05"},
        ... ])
        >>> found = run(figs, load_rules(), load_vocabulary())
        >>> found[["rule_id", "verdict", "observed", "expected"]].values.tolist()
        [['FC101', 'contradiction', 'at least 255 person', '≤ 240 person']]
    """
    from figcheck.units import build_registry

    prepared = prepare(figures, vocab)
    ctx = Context(vocab=vocab, ureg=build_registry(),
                  behaviour={m.id: m.behaviour for m in vocab.metrics.values()},
                  prepared=Prepared(prepared))
    parts = []
    for rule in rules:
        found = KINDS[rule.kind].check(prepared, rule, ctx)
        if not found.empty:
            parts.append(found)
    if not parts:
        return findings_frame([])
    out = pd.concat(parts, ignore_index=True)
    out = out.drop_duplicates("finding_id", keep="first")
    out["_sev"] = out["severity"].map(_SEVERITY_ORDER)
    out = out.sort_values(["_sev", "rule_id", "finding_id"], kind="mergesort").drop(columns="_sev")
    return out.reset_index(drop=True)


def prepare(figures: pd.DataFrame, vocab: Vocabulary) -> pd.DataFrame:
    """The figures rules look at, with the columns the check kinds share.

    Keeps rows with a known metric, a factual modality and a finite interval end, whose unit (when
    given) has the metric's dimension, and drops the columns no check reads (sentence, noun, end,
    as_of_basis, confidence). Adds ``series`` (the claimant's series, None for the
    article's own voice), ``series_key`` (``series`` or ""), ``behaviour``, ``day`` and ``pub_day``
    (days since 1970 of ``as_of`` and ``published``, NaN when unknown) and ``order`` (a canonical
    position: by date, document, offset - never the input's row order).
    """
    missing = [c for c in ("figure_id", "doc_id", "metric", "value", "low", "high", "modality") if c not in figures]
    if missing:
        raise ValueError(f"the figures table lacks {', '.join(missing)}; "
                         "build it with figcheck.extract or make_figures")
    # which rows take part (each test is a function of the row alone), as positions in the input
    keep = (figures["metric"].isin(list(vocab.metrics)) & figures["modality"].isin(FACTUAL_MODALITIES)).to_numpy(bool)
    rows = np.flatnonzero(keep)
    numbers = {col: pd.to_numeric(figures[col].iloc[rows], errors="coerce").astype(float).to_numpy()
               for col in ("value", "low", "high")}
    numbers["low"] = np.where(np.isnan(numbers["low"]), -math.inf, numbers["low"])
    numbers["high"] = np.where(np.isnan(numbers["high"]), math.inf, numbers["high"])
    ok = ~np.isnan(numbers["value"]) & ~(np.isinf(numbers["low"]) & np.isinf(numbers["high"]))
    metric = _Column(figures["metric"])
    unit = _Column(figures["unit"] if "unit" in figures else pd.Series([None] * len(figures), dtype=object))
    ok &= _unit_ok(metric, unit, rows, vocab)
    rows = rows[ok]
    numbers = {col: v[ok] for col, v in numbers.items()}
    start = (pd.to_numeric(figures["start"].iloc[rows], errors="coerce").fillna(0).astype(np.int64).to_numpy()
             if "start" in figures else np.zeros(len(rows), dtype=np.int64))
    # the canonical order: by date, document, offset, metric, value (never the input's row order)
    day = _days_of(_Column(figures["as_of"]) if "as_of" in figures else None, rows)
    doc_codes = _Column(figures["doc_id"]).sorted_codes(rows)
    metric_codes = metric.sorted_codes(rows)
    keys = [_sort_key(day), _code_key(doc_codes), start, _code_key(metric_codes), _sort_key(numbers["value"])]
    perm = np.lexsort(keys[::-1])
    rows = rows[perm]
    n = len(rows)
    columns: dict[str, Any] = {}
    for col in [*figures.columns, *(c for c in FIGURE_COLUMNS if c not in figures)]:
        if col in _UNUSED:
            continue
        if col in numbers:
            columns[col] = numbers[col][perm]
        elif col not in figures:
            columns[col] = np.full(n, None, dtype=object)
        elif col in ("start", "line"):
            columns[col] = figures[col].take(rows).reset_index(drop=True)
        elif col == "metric":
            columns[col] = metric.objects(rows)
        elif col == "unit":
            columns[col] = unit.objects(rows)
        else:
            columns[col] = _Column(figures[col]).objects(rows)
    behaviours = {m.id: m.behaviour for m in vocab.metrics.values()}
    columns["behaviour"] = pd.Series(columns["metric"], dtype=object).map(behaviours).to_numpy(dtype=object)
    claimant_codes, claimants = pd.factorize(columns["claimant"])
    series_of = np.array([*(resolve_series(c, vocab) for c in claimants), None], dtype=object)
    columns["series"] = series_of[claimant_codes]  # code -1 (no claimant) takes the last: None
    key_of = np.array(["" if s is None else s for s in series_of], dtype=object)
    columns["series_key"] = key_of[claimant_codes]
    columns["day"] = day[perm]
    columns["pub_day"] = _days_of(_Column(figures["published"]) if "published" in figures else None, rows)
    columns["start"] = start[perm]
    columns["order"] = np.arange(n, dtype=np.int64)
    columns["doc_code"] = doc_codes[perm]
    index = pd.RangeIndex(n)
    out = pd.DataFrame(index=index)
    for col, values in columns.items():  # column by column: nothing is copied into one block
        if isinstance(values, np.ndarray):  # never inferred: strings stay Python objects
            values = pd.Series(values, index=index, dtype=values.dtype, copy=False)
        out[col] = values
    return out


class _Column:
    """One input column, read at row positions, its distinct values coded once."""

    def __init__(self, values: pd.Series) -> None:
        self.values = values
        self._codes: tuple[np.ndarray, np.ndarray] | None = None

    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Return each row's code (-1 for a missing value) and the distinct values, in order of appearance."""
        if self._codes is None:
            codes, uniques = pd.factorize(self.values)
            self._codes = np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)
        return self._codes

    def sorted_codes(self, rows: np.ndarray) -> np.ndarray:
        """Return codes of the values at ``rows``, numbered in sorted order of the values (-1: missing)."""
        codes, _ = pd.factorize(self.values.iloc[rows], sort=True)
        return np.asarray(codes, dtype=np.int64)

    def objects(self, rows: np.ndarray) -> np.ndarray:
        """Return the values at ``rows`` as Python objects, None for a missing value.

        The same values as ``.astype(object).where(.notna(), None)``. A column of strings that
        repeat (metrics, dates, documents) is converted once per distinct value, one of mostly
        distinct strings (figure ids) string by string.
        """
        array = self.values.array
        if isinstance(self.values.dtype, pd.StringDtype):
            head = self.values.iloc[:4096]
            if self._codes is not None or len(pd.unique(head)) <= len(head) // 2:
                codes, uniques = self.codes()
                coded: np.ndarray = np.append(uniques, np.array([None], dtype=object))[codes[rows]]
                return coded  # code -1 takes the last: None
            strings: np.ndarray = self.values.take(rows).to_numpy(dtype=object, na_value=None)
            return strings
        if isinstance(array, pd.arrays.NumpyExtensionArray) and array.dtype == object:
            out: np.ndarray = array.to_numpy()[rows]
            out[pd.isna(out)] = None
            return out
        taken = self.values.take(rows)
        objects: np.ndarray = taken.astype(object).where(taken.notna(), None).to_numpy()
        return objects


def _code_key(codes: np.ndarray) -> np.ndarray:
    """Make a sort key of sorted codes, missing values (-1) last, as pandas' multi-column sort orders them."""
    return np.where(codes < 0, codes.max(initial=-1) + 1, codes)


def _sort_key(values: np.ndarray) -> np.ndarray:
    """Make a sort key as pandas' multi-column sort does: codes of the sorted values, missing values last."""
    codes, uniques = pd.factorize(values, sort=True)
    return np.where(codes < 0, len(uniques), codes)


def _days_of(column: _Column | None, rows: np.ndarray) -> np.ndarray:
    """`_days` of a column at ``rows``, computed once per distinct value (NaN for a missing one)."""
    if column is None:
        return np.full(len(rows), math.nan)
    codes, uniques = column.codes()
    days = np.append(_days(pd.Series(uniques, dtype=object)).to_numpy(dtype=float), math.nan)
    out: np.ndarray = days[codes[rows]]  # code -1 takes the last: NaN
    return out


def resolve_series(claimant: Any, vocab: Vocabulary) -> str | None:
    """The claimant series of a claimant name, or None when the figure names no claimant.

    A name in lexicon.yaml gives its series; so does an alias, or the longest alias inside the name
    ("senior Israeli official" -> ``israel``). Any other name is a series of its own.

    Example:
        >>> from figcheck.vocab import load_vocabulary
        >>> v = load_vocabulary()
        >>> resolve_series("Gaza government media office", v), resolve_series("senior Israeli official", v)
        ('gaza_moh', 'israel')
        >>> resolve_series("Herzog", v), resolve_series(None, v)
        ('Herzog', None)
    """
    if claimant is None or (isinstance(claimant, float) and math.isnan(claimant)):
        return None
    name = str(claimant).strip()
    if not name:
        return None
    return _series_table(vocab).get(name) or _series_by_alias(vocab, name) or name


@lru_cache(maxsize=8)
def _series_table(vocab: Vocabulary) -> dict[str, str]:
    table = dict(vocab.series_of)
    for c in vocab.claimants:
        for alias in c.aliases:
            table.setdefault(alias, c.series)
    return table


@lru_cache(maxsize=4096)
def _series_by_alias(vocab: Vocabulary, name: str) -> str | None:
    best: tuple[int, str] | None = None
    for c in vocab.claimants:
        for alias in (c.name, *c.aliases):
            flags = 0 if any(ch.isupper() for ch in alias) else re.I
            if re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", name, flags) and (
                best is None or len(alias) > best[0]
            ):
                best = (len(alias), c.series)
    return best[1] if best else None


def _unit_ok(metric: _Column, unit: _Column, rows: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """Whether the figure at each of ``rows`` gives no unit or one of its metric's dimension."""
    from figcheck.units import same_dimension

    metric_codes, metrics = metric.codes()
    unit_codes, units = unit.codes()
    width = len(units) + 1
    pair = metric_codes[rows] * width + (unit_codes[rows] + 1)  # unit code -1: no unit
    pairs, inverse = np.unique(pair, return_inverse=True)
    ok = np.zeros(len(pairs), dtype=bool)
    for k, code in enumerate(pairs.tolist()):
        m, u = metrics[code // width], (units[code % width - 1] if code % width else "")
        want = vocab.metrics[m].unit
        try:
            ok[k] = not u or not want or same_dimension(u, want)
        except Exception:
            ok[k] = False
    return ok[inverse.ravel()]


def _days(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values.astype("object").where(values.notna(), None), errors="coerce", format="mixed")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    out = (dates.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days
    return out.astype(float)


# --------------------------------------------------------------------------------------------
# figures by hand


def make_figures(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A figures DataFrame from partial rows, for tests, rule fixtures and notebooks.

    Each row needs ``doc_id``, ``metric`` and ``value``; the rest is filled in: ``low``/``high``
    from the value (so give them for anything but an exact figure), ``qualifier`` ``exact``,
    ``modality`` ``asserted``, ``published`` = ``as_of``, ``start`` = the row's position,
    ``figure_id`` = ``<doc_id>:<start>``, ``surface`` the number, ``line`` 1.

    Example:
        >>> make_figures([{"doc_id": "a.md", "metric": "deaths.gaza", "value": 25105}])[
        ...     ["figure_id", "low", "high", "modality"]].values.tolist()
        [['a.md:0', 25105.0, 25105.0, 'asserted']]
    """
    out = []
    for i, row in enumerate(rows):
        r = dict(row)
        unknown = set(r) - set(FIGURE_COLUMNS)
        if unknown:
            raise ValueError(f"figure row {i}: unknown column {sorted(unknown)[0]!r}; use {', '.join(FIGURE_COLUMNS)}")
        for key in ("doc_id", "metric", "value"):
            if key not in r:
                raise ValueError(f"figure row {i}: {key!r} is missing")
        value = float(r["value"])
        r["value"] = value
        r["low"] = _num(r.get("low"), value, -math.inf)
        r["high"] = _num(r.get("high"), value, math.inf)
        r.setdefault("start", i)
        r["start"] = int(r["start"])
        r.setdefault("end", r["start"] + len(str(r.get("surface") or _plain(value))))
        r.setdefault("figure_id", f"{r['doc_id']}:{r['start']}")
        r.setdefault("qualifier", "exact")
        r.setdefault("modality", "asserted")
        r.setdefault("unit", "person")
        r.setdefault("surface", _plain(value))
        r.setdefault("sentence", r["surface"])
        r.setdefault("line", 1)
        r.setdefault("confidence", 1.0)
        for key in ("as_of", "published"):
            if r.get(key) is not None and not isinstance(r[key], str):
                r[key] = str(r[key])  # YAML reads 2023-10-07 as a date
        r.setdefault("published", r.get("as_of"))
        r.setdefault("as_of_basis", "published" if r.get("as_of") == r.get("published") else "explicit")
        out.append(r)
    frame = pd.DataFrame(out, columns=FIGURE_COLUMNS)
    for col in ("value", "low", "high", "confidence"):
        frame[col] = frame[col].astype(float)
    for col in ("start", "end", "line"):
        frame[col] = frame[col].astype(np.int64)
    for col in ("source", "claimant", "as_of", "published", "noun"):
        frame[col] = frame[col].astype("object").where(frame[col].notna(), None)
    return frame


def _num(value: Any, default: float, none_means: float) -> float:
    if value is None:
        return default
    if isinstance(value, str) and value.strip().lower() in ("inf", "-inf", "null", "none", ""):
        v = value.strip().lower()
        return math.inf if v == "inf" else -math.inf if v == "-inf" else none_means
    return float(value)


def _plain(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:g}"


# --------------------------------------------------------------------------------------------
# a rule's own examples


def check_examples(rule: Rule, vocab: Vocabulary) -> dict[str, pd.DataFrame]:
    """Run a rule over its own examples: ``{"pass": findings, "fail": findings}``.

    Each side's documents are read by the extractor (with the ``published`` and ``source`` the
    example gives) and checked with this rule alone. A rule behaves when ``pass`` has no finding
    and ``fail`` has at least one; ``figcheck rules test`` reports which do not.
    """
    from figcheck.corpus import document_from_text
    from figcheck.extract.figures import extract_document, figures_frame

    out = {}
    for which, examples in rule.examples.items():
        rows: list[dict[str, Any]] = []
        for i, ex in enumerate(examples):
            doc = document_from_text(ex.text, doc_id=f"{rule.id}.{which}.{i + 1}", published=ex.published,
                                     source=ex.source or "example")
            rows.extend(extract_document(doc, vocab))
        figures = figures_frame(rows)
        found = run(figures, [rule], vocab)
        found.attrs["figures"] = figures
        out[which] = found
    return out
