"""What every check kind shares: typed parameters, the prepared figures, groups, range queries, findings."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from figcheck.models import FINDING_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from figcheck.ruleset import Rule
    from figcheck.units import Registry
    from figcheck.vocab import Vocabulary

INF = math.inf

#: Columns the engine appends to the findings table after `FINDING_COLUMNS`.
EXTRA_FINDING_COLUMNS = ["metric", "kind", "rule_name"]

#: Placeholders every rule message may use, whatever its kind.
COMMON_PLACEHOLDERS = ("rule_id", "name", "metric", "observed", "expected", "verdict", "figures")


# --------------------------------------------------------------------------------------------
# parameters


@dataclass(frozen=True)
class Param:
    """One typed parameter of a check kind.

    Attributes:
        type: ``metric`` (one metric id), ``metrics`` (a non-empty list of metric ids), ``fraction``
            (a number in [0, 1)), ``days`` (a whole number of days >= 0), ``choice`` (one of
            ``choices``), ``bool``, ``date`` (YYYY-MM-DD).
        help: what it means, shown by ``figcheck rules explain``.
        required: whether a rule of the kind must give it.
        default: the value when it is not given.
        choices: the allowed values of a ``choice``.
    """

    type: str
    help: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()


#: Parameters every kind accepts.
COMMON_PARAMS: dict[str, Param] = {
    "tolerance": Param("fraction", "extra relative slack added to both ends of every interval before "
                       "they are compared (0.02 widens 1,200 to 1,176-1,224)", default=0.0),
    "claimants": Param("choice", "same_series: compare only figures of one claimant series (figures "
                       "with no claimant go with every series); any: compare every claimant",
                       default="same_series", choices=("same_series", "any")),
}


@dataclass(frozen=True)
class Kind:
    """A check kind: its function, its parameters and the placeholders its messages may use.

    Attributes:
        name: the ``kind`` value in rule files.
        check: ``check(figures, rule, ctx) -> findings``; pure, no I/O.
        params: the kind's own parameters (besides `COMMON_PARAMS`).
        placeholders: names a rule's ``message`` may use (besides `COMMON_PLACEHOLDERS`).
        validate: checks a rule's parameters against the vocabulary and units; raises RuleError.
        summary: one line for ``figcheck rules list``.
    """

    name: str
    check: Callable[[pd.DataFrame, Rule, Context], pd.DataFrame]
    params: Mapping[str, Param]
    placeholders: tuple[str, ...]
    validate: Callable[[Rule, Vocabulary, Registry], None]
    summary: str


@dataclass(frozen=True)
class Context:
    """What a check needs besides the figures: the vocabulary, the one unit registry, the figures as arrays."""

    vocab: Vocabulary
    ureg: Registry
    behaviour: Mapping[str, str] = field(default_factory=dict)
    prepared: Prepared | None = None


# --------------------------------------------------------------------------------------------
# the prepared figures (see engine.prepare)


class Prepared:
    """The prepared figures (`figcheck.engine.prepare`) as arrays, for checks that work on row positions.

    The engine builds it once per run; `prepared` builds it for a check called on its own. Positions
    index ``frame``, whose rows are in canonical order (the ``order`` column), so sorted positions
    are in canonical order. Every column array is read-only by convention: checks never write to it.

    Attributes:
        frame: the prepared figures, in canonical order.
        low, high, value, day, pub_day: float arrays (``day`` and ``pub_day`` NaN when unknown).
        start, doc: int arrays (``doc`` is ``doc_code``: documents numbered in sorted order of ``doc_id``).
        series: the claimant series' codes (-1 for none), numbering ``series_names`` (sorted).
        metric: the metrics' codes, numbering ``metric_code`` (metric id -> code; -1 for a metric absent).
        winner: whether `collapse` keeps the figure (the largest of its document, metric, series and day).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.source = frame
        order = frame["order"].to_numpy()
        if len(order) and not (order[1:] >= order[:-1]).all():
            frame = frame.iloc[np.argsort(order, kind="stable")]
        self.frame = frame
        self.low = frame["low"].to_numpy(dtype=float)
        self.high = frame["high"].to_numpy(dtype=float)
        self.value = frame["value"].to_numpy(dtype=float)
        self.day = frame["day"].to_numpy(dtype=float)
        self.pub_day = frame["pub_day"].to_numpy(dtype=float)
        self.start = frame["start"].to_numpy(dtype=np.int64)
        self.doc = frame["doc_code"].to_numpy(dtype=np.int64)
        codes, names = pd.factorize(frame["series"], sort=True)
        self.series = np.asarray(codes, dtype=np.int64)
        self.series_names = [str(x) for x in names]
        codes, names = pd.factorize(frame["metric"])
        metric = np.asarray(codes, dtype=np.int64)
        self.metric = metric
        self.metric_code = {str(m): k for k, m in enumerate(names)}
        by_metric = np.argsort(metric, kind="stable")
        bounds = np.searchsorted(metric[by_metric], np.arange(len(names) + 1))
        self._positions = {str(m): by_metric[bounds[k]:bounds[k + 1]] for k, m in enumerate(names)}
        day_code = pd.factorize(self.day)[0]
        n = len(frame)
        ranked = np.lexsort((np.arange(n), self.start, -self.value, day_code, self.series, metric, self.doc))
        keys = np.stack([self.doc, metric, self.series, day_code])[:, ranked]
        first = np.ones(n, dtype=bool)
        first[1:] = (keys[:, 1:] != keys[:, :-1]).any(axis=0)
        self.winner = np.zeros(n, dtype=bool)
        self.winner[ranked[first]] = True
        self._columns: list[tuple[str, pd.Series]] | None = None

    def is_metric(self, positions: np.ndarray, metric: str) -> np.ndarray:
        """Tell, for the figures at some positions, whether each is of a metric."""
        return np.asarray(self.metric[positions] == self.metric_code.get(metric, -2), dtype=bool)

    def rows(self, metrics: Sequence[str]) -> np.ndarray:
        """Return the positions of the figures of some metrics, in canonical order."""
        parts = [self._positions[m] for m in metrics if m in self._positions]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))

    def records(self, positions: np.ndarray | Sequence[int]) -> list[dict[str, Any]]:
        """Return the figures at some positions as dicts, in the order given.

        The dicts are those of ``frame.take(positions).to_dict("records")`` (native Python values),
        built column by column.
        """
        positions = np.asarray(positions, dtype=np.int64)
        if self._columns is None:
            self._columns = [(str(c), self.frame[c]) for c in self.frame.columns]
        names, lists = [], []
        for name, column in self._columns:
            names.append(name)
            lists.append(_native_list(column, positions))
        return [dict(zip(names, row, strict=True)) for row in zip(*lists, strict=True)]

    def series_groups(self, positions: np.ndarray, mode: str) -> Iterator[tuple[str, np.ndarray]]:
        """Split positions into the groups a rule compares, by claimant series, as `series_groups` does."""
        if not len(positions):
            return
        if mode == "any":
            yield "*", positions
            return
        codes = self.series[positions]
        named = np.unique(codes[codes >= 0])
        if not len(named):
            yield "", positions
            return
        unattributed = codes < 0
        for k in named.tolist():
            yield self.series_names[k], positions[(codes == k) | unattributed]

    def collapse(self, positions: np.ndarray) -> np.ndarray:
        """Keep one figure per document, metric, series and date, the largest, as `collapse` does.

        ``positions`` must hold whole groups of (document, metric, series, day): a series group of
        some metrics does, and so does any part of it chosen by metric or by day. The largest is
        decided once for every figure (``winner``): the largest value, then the first offset.
        """
        return np.asarray(positions[self.winner[positions]])


_NATIVE = frozenset((str, float, int, bool, type(None)))


def _native_list(column: pd.Series, positions: np.ndarray) -> list[Any]:
    """Read a column's values at some positions as ``to_dict("records")`` gives them (Python scalars)."""
    from pandas.core.dtypes.cast import maybe_box_native

    values = column.array
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        array = values.to_numpy()
        if array.dtype.kind in "fiub":
            scalars: list[Any] = array[positions].tolist()  # Python floats, ints and bools, as to_dict boxes them
            return scalars
        if array.dtype == object:
            out: list[Any] = array[positions].tolist()
            if _NATIVE.issuperset(map(type, out)):
                return out
            return [maybe_box_native(v) for v in out]
    return [maybe_box_native(v) for v in column.take(positions)]


def prepared(figures: pd.DataFrame, ctx: Context | None) -> Prepared:
    """Return the figures as arrays: the engine's, or built here when a check is called on its own."""
    if ctx is not None and ctx.prepared is not None and ctx.prepared.source is figures:
        return ctx.prepared
    return Prepared(figures)


def metric_rows(figures: pd.DataFrame, metrics: Sequence[str], ctx: Context | None = None) -> pd.DataFrame:
    """Return the prepared figures of some metrics, in canonical order (a DataFrame; checks use `Prepared.rows`)."""
    table = prepared(figures, ctx)
    return table.frame.take(table.rows(metrics))


def series_groups(frame: pd.DataFrame, mode: str) -> Iterator[tuple[str, pd.DataFrame]]:
    """Split figures into the groups a rule compares, by claimant series.

    ``any`` gives one group. ``same_series`` gives one group per named series, each with the
    figures that have no claimant (the article's own voice, compatible with every series); when no
    figure names a claimant, the unattributed figures form one group.
    """
    if frame.empty:
        return
    if mode == "any":
        yield "*", frame
        return
    series = frame["series"]
    named = sorted(s for s in series.dropna().unique())
    unattributed = series.isna()
    if not named:
        yield "", frame
        return
    for s in named:
        yield s, frame[(series == s) | unattributed]


def collapse(frame: pd.DataFrame, keys: Sequence[str] = ("doc_id", "metric", "series_key", "day")) -> pd.DataFrame:
    """Keep one figure per document, metric, series and date: the largest.

    A report that gives several figures of one metric for one date is giving a whole and its
    breakdown ("105 hostages: 81 Israelis, 23 Thais and one Filipino"); the whole stands for it.
    """
    if frame.empty:
        return frame
    ordered = frame.sort_values(["value", "start"], ascending=[False, True], kind="mergesort")
    return ordered.drop_duplicates(list(keys), keep="first").sort_values("order", kind="mergesort")


def widen(low: np.ndarray, high: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Intervals widened by a relative tolerance at both ends (signs respected, infinities kept)."""
    if not tolerance:
        return low, high
    with np.errstate(invalid="ignore"):
        lo = low - np.abs(low) * tolerance
        hi = high + np.abs(high) * tolerance
    return np.where(np.isfinite(low), lo, low), np.where(np.isfinite(high), hi, high)


# --------------------------------------------------------------------------------------------
# range queries: the extreme of a range, optionally from another document


class RangeMax:
    """Range arg-max over a fixed array: O(n log n) to build, O(1) per query, vectorised.

    Each cell keeps the best value and the best value from a different document, so a query can
    leave out the document of the figure asking (a report is not compared with itself). The best
    is the largest value, the lowest position among equal values; a cell whose best is ``-inf``
    holds position -1.

    Example:
        >>> rm = RangeMax(np.array([3.0, 9.0, 4.0]), np.array([0, 1, 2]))
        >>> rm.query(np.array([0]), np.array([3]), np.array([1]))
        (array([4.]), array([2]))
    """

    def __init__(self, values: np.ndarray, docs: np.ndarray) -> None:
        self.docs = np.asarray(docs, dtype=np.int64)
        n = len(values)
        self._n = n
        v1 = np.asarray(values, dtype=float)
        i1 = np.arange(n, dtype=np.int64)
        v2 = np.full(n, -INF)
        i2 = np.full(n, -1, dtype=np.int64)
        self._levels = [(v1, i1, v2, i2)]
        self._level_docs = (self.docs, np.full(n, -2, dtype=np.int64))  # the last level's documents (-2: none)

    @property
    def levels(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Level k: for each start, (best, its position, best of another document, its position) over 2^k cells."""
        self._build(self._n.bit_length())
        return self._levels

    def _build(self, top: int) -> None:
        """Build the levels up to ``top`` (those a query needs; each from the one below)."""
        n = self._n
        while len(self._levels) <= top and 2 ** len(self._levels) <= n:
            span = 1 << (len(self._levels) - 1)
            v1, i1, v2, i2 = self._levels[-1]
            d1, d2 = self._level_docs
            m = n - 2 * span + 1
            cell, d1, d2 = _halves((v1[:m], i1[:m], v2[:m], i2[:m]), (d1[:m], d2[:m]),
                                   (v1[span:span + m], i1[span:span + m], v2[span:span + m], i2[span:span + m]),
                                   (d1[span:span + m], d2[span:span + m]))
            self._levels.append(cell)
            self._level_docs = (d1, d2)

    def _doc(self, idx: np.ndarray) -> np.ndarray:
        return np.where(idx >= 0, self.docs[np.maximum(idx, 0)], -2)

    def _merge(
        self,
        a: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        b: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Merge two cells whose ranges may overlap (a query): the best, and the best of another document.

        Elementwise, with the tie rule of the class (the lowest position wins equal values).
        """
        av1, ai1, av2, ai2 = a
        bv1, bi1, bv2, bi2 = b
        # a cell may come from both halves of an overlapping query: count it once
        bv1 = np.where((bi1 == ai1) | (bi1 == ai2), -INF, bv1)
        bv2 = np.where((bi2 == ai1) | (bi2 == ai2), -INF, bv2)
        # a range's best is never beaten by its second, so the best is one of the two bests
        bv, bi = _better(av1, ai1, bv1, bi1)
        bi = np.where(bv == -INF, -1, bi)
        best_doc = self._doc(bi)
        sv, si = av2, ai2
        sv = np.where(self._doc(si) == best_doc, -INF, sv)
        for cv, ci in ((bv1, bi1), (bv2, bi2), (av1, ai1)):
            sv, si = _better(sv, si, np.where(self._doc(ci) == best_doc, -INF, cv), ci)
        si = np.where(sv == -INF, -1, si)
        return bv, bi, sv, si

    def query(self, left: np.ndarray, right: np.ndarray, exclude_doc: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """Largest value in ``[left, right)`` for each query (``-inf``, ``-1`` when the range is empty).

        Args:
            left: first position of each range.
            right: one past the last position.
            exclude_doc: a document code per query whose cells are left out; None keeps all.
        """
        left = np.asarray(left, dtype=np.int64)
        right = np.asarray(right, dtype=np.int64)
        q = len(left)
        out_v = np.full(q, -INF)
        out_i = np.full(q, -1, dtype=np.int64)
        length = right - left
        ok = length > 0
        if not ok.any():
            return out_v, out_i
        lq, rq, ln = left[ok], right[ok], length[ok]
        k = np.floor(np.log2(ln)).astype(np.int64)
        res_v = np.empty(len(lq))
        res_i = np.empty(len(lq), dtype=np.int64)
        excl = None if exclude_doc is None else np.asarray(exclude_doc, dtype=np.int64)[ok]
        self._build(int(k.max()))
        for level in np.unique(k):
            sel = k == level
            lv = self._levels[level]
            a = tuple(x[lq[sel]] for x in lv)
            b = tuple(x[rq[sel] - (1 << level)] for x in lv)
            bv, bi, sv, si = self._merge(a, b)
            if excl is not None:
                same = self._doc(bi) == excl[sel]
                bv = np.where(same, sv, bv)
                bi = np.where(same, si, bi)
            res_v[sel] = bv
            res_i[sel] = bi
        out_v[ok] = res_v
        out_i[ok] = np.where(np.isneginf(res_v), -1, res_i)
        return out_v, out_i


def _halves(
    a: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    a_docs: tuple[np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    b_docs: tuple[np.ndarray, np.ndarray],
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """Merge two adjacent halves of a level (every position of ``a`` before every one of ``b``).

    A range's best beats its second, and ``a`` wins a tie of values (its position is lower), so the
    best is ``a``'s or ``b``'s best, and the second the better of the best candidate from another
    document on each side. Returns the cell and its two documents (-2 for none).
    """
    av1, ai1, av2, ai2 = a
    bv1, bi1, bv2, bi2 = b
    ad1, ad2 = a_docs
    bd1, bd2 = b_docs
    take_b = bv1 > av1
    bv = np.where(take_b, bv1, av1)
    none = bv == -INF
    bi = np.where(none, -1, np.where(take_b, bi1, ai1))
    bd = np.where(none, -2, np.where(take_b, bd1, ad1))
    # the other side's best unless it shares the best's document, then that side's second
    a_other = ~take_b | (ad1 == bd1)
    b_other = take_b | (bd1 == ad1)
    cav, cai, cad = (np.where(a_other, av2, av1), np.where(a_other, ai2, ai1), np.where(a_other, ad2, ad1))
    cbv, cbi, cbd = (np.where(b_other, bv2, bv1), np.where(b_other, bi2, bi1), np.where(b_other, bd2, bd1))
    take = cbv > cav
    sv = np.where(take, cbv, cav)
    gone = sv == -INF
    si = np.where(gone, -1, np.where(take, cbi, cai))
    sd = np.where(gone, -2, np.where(take, cbd, cad))
    return (bv, bi, sv, si), bd, sd


def _better(av: np.ndarray, ai: np.ndarray, bv: np.ndarray, bi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pick the better of two candidates, elementwise: the larger value, then the lower position (-1: none)."""
    big = np.iinfo(np.int64).max
    take_b = (bv > av) | ((bv == av) & (np.where(bi < 0, big, bi) < np.where(ai < 0, big, ai)))
    return np.where(take_b, bv, av), np.where(take_b, bi, ai)


def addable(ureg: Registry, a: str, b: str) -> bool:
    """Whether pint lets a quantity in unit ``a`` be added to one in unit ``b`` ("" is a bare number).

    Example:
        >>> from figcheck.units import build_registry
        >>> addable(build_registry(), "person", "person"), addable(build_registry(), "person", "day")
        (True, False)
    """
    import pint

    try:
        ureg.Quantity(1, a or "dimensionless") + ureg.Quantity(1, b or "dimensionless")
    except pint.DimensionalityError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# words


def fmt_number(x: float) -> str:
    """A number as a reader writes it: thousands separators, at most two decimals.

    Example:
        >>> fmt_number(25105.0), fmt_number(26.4), fmt_number(242.5)
        ('25,105', '26.4', '242.5')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    r = round(float(x), 2)
    if r == int(r):
        return f"{int(r):,}"
    return f"{r:,.2f}".rstrip("0").rstrip(".")


def fmt_interval(low: float, high: float, unit: str = "") -> str:
    """An interval in words: "255", "at least 255", "at most 40", "242.5–259.5" (with the unit).

    Example:
        >>> fmt_interval(255, math.inf, "person"), fmt_interval(240, 240, "person")
        ('at least 255 person', '240 person')
    """
    tail = f" {unit}" if unit else ""
    if low == high:
        return f"{fmt_number(low)}{tail}"
    if math.isinf(high) and math.isfinite(low):
        return f"at least {fmt_number(low)}{tail}"
    if math.isinf(low) or (low <= 0 < high):
        return f"at most {fmt_number(high)}{tail}"
    return f"{fmt_number(low)}–{fmt_number(high)}{tail}"


_STATED = {"approx": "about {}", "at_least": "at least {}", "more_than": "more than {}", "at_most": "at most {}",
           "less_than": "fewer than {}"}


def stated(row: Mapping[str, Any]) -> str:
    """A figure as its report words it: "about 1,200", "more than 27,000", "1,400".

    Example:
        >>> stated({"value": 1200.0, "low": 1140.0, "high": 1260.0, "qualifier": "approx"})
        'about 1,200'
    """
    q = row.get("qualifier")
    if q == "range":
        return f"{fmt_number(row['low'])}–{fmt_number(row['high'])}"
    if q == "vague" and _present(row.get("surface")):
        return str(row["surface"])
    return _STATED.get(str(q), "{}").format(fmt_number(row["value"]))


def short_metric(metric: str) -> str:
    """The last part of a metric id ("hostages.held" -> "held"), for sums in messages."""
    return metric.rsplit(".", 1)[-1].replace("_", " ")


def cite(row: Mapping[str, Any]) -> str:
    """Where a figure comes from: "“about 129” (The Daily Ledger, 2023-12-21, cairo.md line 12)"."""
    get = row.get
    source, published, line, claimant = get("source"), get("published"), get("line"), get("claimant")
    parts = []
    if source is not None and not (isinstance(source, float) and math.isnan(source)):
        parts.append(str(source))
    if published is not None and not (isinstance(published, float) and math.isnan(published)):
        parts.append(str(published))
    where = str(get("doc_id"))
    if line is not None and not (isinstance(line, float) and math.isnan(line)):
        where += f" line {int(line)}"
    parts.append(where)
    said = (f", according to {claimant}"
            if claimant is not None and not (isinstance(claimant, float) and math.isnan(claimant)) else "")
    return f"“{get('surface')}”{said} ({', '.join(parts)})"


def dated(row: Mapping[str, Any], cited: str | None = None) -> str:
    """A figure with its as-of date and source: "“About 129” as of 2023-12-21, according to Israel (...)".

    ``cited`` is the figure's `cite`, when the caller has it already.
    """
    when = f" as of {row['as_of']}" if _present(row.get("as_of")) else ""
    c = cite(row) if cited is None else cited
    head, _, tail = c.partition(" (")
    if _present(row.get("claimant")):
        head = head.split(", according to ")[0]
        return f"{head}{when}, according to {row['claimant']} ({tail}"
    return f"{head}{when} ({tail}"


def _present(value: Any) -> bool:
    if value is None:
        return False
    return not (isinstance(value, float) and math.isnan(value))


# --------------------------------------------------------------------------------------------
# findings


def fingerprint(rule_id: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """A finding's id: rule id plus its figures' (doc_id, metric, value, as_of), sorted; 16 hex digits.

    The same contradiction gets the same id however the corpus is ordered, re-run or grown.
    """
    keys = sorted(
        "|".join((str(r.get("doc_id")), str(r.get("metric")), format(float(r.get("value", 0.0)), ".10g"),
                  str(r.get("as_of") or "")))
        for r in rows
    )
    digest = hashlib.sha256(("\n".join([rule_id, *keys])).encode("utf-8")).hexdigest()
    return digest[:16]


def finding(
    rule: Rule,
    rows: Sequence[Mapping[str, Any]],
    *,
    verdict: str,
    observed: str,
    expected: str,
    metric: str,
    values: Mapping[str, str],
    severity: str | None = None,
    cites: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One finding record: fingerprint, severity, the rule's message filled in, every figure id.

    ``cites`` are the figures' `cite`, when the caller has them already (a figure in many findings).
    """
    fill = {
        "rule_id": rule.id,
        "name": rule.name,
        "metric": metric,
        "observed": observed,
        "expected": expected,
        "verdict": verdict,
        "figures": "; ".join(cite(r) for r in rows) if cites is None else "; ".join(cites),
        **values,
    }
    return {
        "finding_id": fingerprint(rule.id, rows),
        "rule_id": rule.id,
        "severity": severity or rule.severity,
        "verdict": verdict,
        "message": rule.message.format_map(fill),
        "figure_ids": [str(r["figure_id"]) for r in rows],
        "observed": observed,
        "expected": expected,
        "metric": metric,
        "kind": rule.kind,
        "rule_name": rule.name,
    }


def findings_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Findings records as a DataFrame with `FINDING_COLUMNS` then `EXTRA_FINDING_COLUMNS`."""
    return pd.DataFrame(list(records), columns=[*FINDING_COLUMNS, *EXTRA_FINDING_COLUMNS])


def records(frame: pd.DataFrame, positions: np.ndarray) -> list[dict[str, Any]]:
    """Rows of ``frame`` at integer positions, as dicts."""
    return [frame.iloc[int(p)].to_dict() for p in positions]
