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
    import pint

    from figcheck.ruleset import Rule
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
    validate: Callable[[Rule, Vocabulary, pint.UnitRegistry], None]
    summary: str


@dataclass(frozen=True)
class Context:
    """What a check needs besides the figures: the vocabulary and the one unit registry."""

    vocab: Vocabulary
    ureg: pint.UnitRegistry
    behaviour: Mapping[str, str] = field(default_factory=dict)
    by_metric: Mapping[str, pd.DataFrame] | None = None


# --------------------------------------------------------------------------------------------
# the prepared figures (see engine.prepare)


def metric_rows(figures: pd.DataFrame, metrics: Sequence[str], ctx: Context | None = None) -> pd.DataFrame:
    """The prepared figures of some metrics, in canonical order (from ``ctx.by_metric`` when the engine built it)."""
    if ctx is None or ctx.by_metric is None:
        return figures[figures["metric"].isin(list(metrics))]
    parts = [ctx.by_metric[m] for m in metrics if m in ctx.by_metric]
    if not parts:
        return figures.iloc[:0]
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts).sort_values("order", kind="mergesort")


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
    leave out the document of the figure asking (a report is not compared with itself).

    Example:
        >>> rm = RangeMax(np.array([3.0, 9.0, 4.0]), np.array([0, 1, 2]))
        >>> rm.query(np.array([0]), np.array([3]), np.array([1]))
        (array([4.]), array([2]))
    """

    def __init__(self, values: np.ndarray, docs: np.ndarray) -> None:
        self.docs = np.asarray(docs, dtype=np.int64)
        n = len(values)
        v1 = np.asarray(values, dtype=float)
        i1 = np.arange(n, dtype=np.int64)
        v2 = np.full(n, -INF)
        i2 = np.full(n, -1, dtype=np.int64)
        self.levels = [(v1, i1, v2, i2)]
        span = 1
        while 2 * span <= n:
            a = self.levels[-1]
            m = n - 2 * span + 1
            left = tuple(x[:m] for x in a)
            right = tuple(x[span:span + m] for x in a)
            self.levels.append(self._merge(left, right))  # type: ignore[arg-type]
            span *= 2

    def _doc(self, idx: np.ndarray) -> np.ndarray:
        return np.where(idx >= 0, self.docs[np.maximum(idx, 0)], -2)

    def _merge(
        self,
        a: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        b: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        vals = np.stack([a[0], a[2], b[0], b[2]], axis=1)
        idxs = np.stack([a[1], a[3], b[1], b[3]], axis=1)
        # a cell may come from both halves of an overlapping query: count it once
        for col in (2, 3):
            dup = (idxs[:, col] == idxs[:, 0]) | (idxs[:, col] == idxs[:, 1])
            vals[:, col] = np.where(dup, -INF, vals[:, col])
        rows = np.arange(len(vals))
        best = _argbest(vals, idxs)
        bv = vals[rows, best]
        bi = np.where(np.isneginf(bv), -1, idxs[rows, best])
        docs = self._doc(idxs)
        other = np.where(docs == self._doc(bi)[:, None], -INF, vals)
        second = _argbest(other, idxs)
        sv = other[rows, second]
        si = np.where(np.isneginf(sv), -1, idxs[rows, second])
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
        for level in np.unique(k):
            sel = k == level
            lv = self.levels[level]
            a = tuple(x[lq[sel]] for x in lv)
            b = tuple(x[rq[sel] - (1 << level)] for x in lv)
            bv, bi, sv, si = self._merge(a, b)  # type: ignore[arg-type]
            if excl is not None:
                same = self._doc(bi) == excl[sel]
                bv = np.where(same, sv, bv)
                bi = np.where(same, si, bi)
            res_v[sel] = bv
            res_i[sel] = bi
        out_v[ok] = res_v
        out_i[ok] = np.where(np.isneginf(res_v), -1, res_i)
        return out_v, out_i


def _argbest(vals: np.ndarray, idxs: np.ndarray) -> np.ndarray:
    """Column of the largest value in each row; ties go to the lowest position."""
    pos = np.where(idxs < 0, np.iinfo(np.int64).max, idxs)
    top = vals.max(axis=1, keepdims=True)
    cand = np.where(vals == top, pos, np.iinfo(np.int64).max)
    return np.asarray(cand.argmin(axis=1))


def addable(ureg: pint.UnitRegistry, a: str, b: str) -> bool:
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
    parts = []
    if _present(row.get("source")):
        parts.append(str(row["source"]))
    if _present(row.get("published")):
        parts.append(str(row["published"]))
    line = row.get("line")
    where = str(row.get("doc_id"))
    if _present(line):
        where += f" line {int(line)}"
    parts.append(where)
    claimant = row.get("claimant")
    said = f", according to {claimant}" if _present(claimant) else ""
    return f"“{row.get('surface')}”{said} ({', '.join(parts)})"


def dated(row: Mapping[str, Any]) -> str:
    """A figure with its as-of date and source: "“About 129” as of 2023-12-21, according to Israel (...)"."""
    when = f" as of {row['as_of']}" if _present(row.get("as_of")) else ""
    c = cite(row)
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
) -> dict[str, Any]:
    """One finding record: fingerprint, severity, the rule's message filled in, every figure id."""
    fill = {
        "rule_id": rule.id,
        "name": rule.name,
        "metric": metric,
        "observed": observed,
        "expected": expected,
        "verdict": verdict,
        "figures": "; ".join(cite(r) for r in rows),
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
