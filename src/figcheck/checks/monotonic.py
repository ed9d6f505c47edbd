"""``monotonic``: a running total never falls; a stock that can only drain never rises.

What it does:
    Within each metric and claimant series it finds the figures that break the series, not every
    pair they break. Two figures contradict each other when they come from different documents, are
    dated on different days, and their intervals (widened by the rule's ``tolerance``) are disjoint
    the wrong way round: the later one wholly below the earlier (``non_decreasing``) or wholly
    above it (``non_increasing``). The check keeps a largest *consistent* set of figures - one
    with no such pair - and reports every other figure, the outliers, exactly once, each paired
    with the kept figure it contradicts that is nearest in time: the latest earlier one it falls
    below (or, for a draining stock, rises above), else the first later one it contradicts; among
    several on that day, the one it contradicts most. The verdict is ``stale`` when the outlier is
    the later figure of its pair and repeats a value the series gave on an earlier day, else
    ``contradiction``. One wrong early figure gives one finding, not one per later report.

Consistent:
    A set is consistent when each of its figures can be given a point in its interval so that the
    points never fall (never rise) in time order - equivalently, no two of its figures contradict
    each other. Figures of one day never contradict each other (the day's order is by low end, so
    the points never need to fall within a day). A figure's interval may be wide ("at least
    27,000"): it then fits any series that reaches its low end.

Which largest set:
    When several consistent sets are equally large the corpus cannot tell which figure is wrong,
    and the check keeps the *earliest* figures: of the largest sets it takes the first in time
    order (it keeps a figure whenever some largest set keeps it with those already kept), so the
    later figure of a tie is the outlier. A figure that falls below (rises above) the series is
    most often a later report repeating an old count - the stale boilerplate of "some 26,000"
    two days after 28,340 - and a fact-checker reads a new report against the record as it stood:
    a new report that only ties with the record is the one blamed, so findings and baselines stay
    put as the corpus grows. A single wild figure is still the outlier whatever its date as soon
    as two other figures contradict it (dropping it keeps more); only a figure too far ahead of
    the series with a single report after it ties, and then the finding names both figures
    anyway - the same pair, the same finding id, whichever side is blamed.

    An unattributed figure goes with every claimant series; when it is an outlier in several, it
    gets one finding: the series whose contradicting figure is nearest in time (then by name). A
    document's figure read twice in one series - for a claimant and in the article's own voice,
    same day, same interval - counts once in the search and gives one finding.

Why:
    People killed cannot come back to life, and hostages cannot be re-taken without a new
    abduction: a toll that falls, or a count of captives that rises, means one report is wrong or
    is repeating an old figure.

Cost:
    O(n log n) per group: range-maximum tables find the figures that contradict any other (only
    those take part in the search: a figure that contradicts none is in every largest set), a
    patience-sorting pass over them in reverse time order (the classic longest-non-decreasing-
    subsequence, with intervals: each figure inserts its end and evicts the first slot beyond it;
    the slots live in a Fenwick tree) records how long a consistent run can follow each figure,
    and one forward pass, undoing the reverse pass step by step, keeps the first largest set. Each
    outlier's partner is found by O(log n) jumps over a range-maximum table, vectorised over the
    outliers. No pair of figures is compared one by one.
    Figures of one document are not compared with each other (a report's own arithmetic is for
    ``balance`` and ``bound``) - the search keeps a document's own figures in order too, but an
    outlier that only contradicts its own document gets no finding - and a document's several
    figures of one metric on one date count as one: the largest (the whole, not its breakdown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from figcheck.checks._common import (
    INF,
    Context,
    Kind,
    Param,
    Prepared,
    RangeMax,
    dated,
    finding,
    findings_frame,
    fmt_interval,
    prepared,
    widen,
)
from figcheck.errors import RuleError

if TYPE_CHECKING:  # pragma: no cover
    from figcheck.ruleset import Rule
    from figcheck.units import Registry
    from figcheck.vocab import Vocabulary

PARAMS = {
    "metrics": Param("metrics", "the metrics checked, each on its own", required=True),
    "direction": Param("choice", "non_decreasing for running totals (tolls, releases); non_increasing for a "
                       "stock that can only drain (hostages still held)", required=True,
                       choices=("non_decreasing", "non_increasing")),
}
#: ``outlier`` is the figure out of line (dated), ``which`` says whether it is the ``earlier`` or the
#: ``later`` figure of the pair.
PLACEHOLDERS = ("earlier", "later", "change", "series", "outlier", "which")


def check(figures: pd.DataFrame, rule: Rule, ctx: Context) -> pd.DataFrame:
    """Flag each figure that breaks the monotone series of its metric and claimant series, once."""
    p = rule.params
    rising = p["direction"] == "non_decreasing"
    table = prepared(figures, ctx)
    out: list[dict[str, Any]] = []
    for metric in p["metrics"]:
        rows = table.rows([metric])
        rows = rows[~np.isnan(table.day[rows])]
        best: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
        for series, group in table.series_groups(rows, p["claimants"]):
            g = table.collapse(group)
            if len(g) < 2:
                continue
            for key, outlier_id, record in _check_group(table, g, rule, metric, series, rising):
                if outlier_id not in best or key < best[outlier_id][0]:
                    best[outlier_id] = (key, record)
        # the same statement read twice (a document's own voice and a claimant) gives one finding
        seen: set[str] = set()
        for _, record in sorted(best.values(), key=lambda kr: (kr[0][-1], kr[0])):
            if record["finding_id"] not in seen:
                seen.add(record["finding_id"])
                out.append(record)
    return findings_frame(out)


def _check_group(table: Prepared, g: np.ndarray, rule: Rule, metric: str, series: str, rising: bool
                 ) -> list[tuple[tuple[Any, ...], str, dict[str, Any]]]:
    """Find the outliers of one group: (preference key, outlier figure id, finding record) for each."""
    low, high = widen(table.low[g], table.high[g], rule.params["tolerance"])
    # orient every group as non-decreasing: a draining stock is a rising series of negated counts
    lo, hi = (low, high) if rising else (-high, -low)
    days = table.day[g]
    docs = table.doc[g]
    n = len(g)
    day_start = np.searchsorted(days, days, side="left")
    day_end = np.searchsorted(days, days, side="right")
    above, _ = RangeMax(lo, docs).query(np.zeros(n, dtype=np.int64), day_start, docs)
    below, _ = RangeMax(-hi, docs).query(day_end, np.full(n, n, dtype=np.int64), docs)
    clash = np.flatnonzero((above > hi) | (-below < lo))
    if not len(clash):
        return []
    # the search runs over the figures that contradict some other, by day, then low end
    # a document's figure given both in its own voice and for a claimant counts once
    _, first, twin = np.unique(np.stack([docs[clash], days[clash], lo[clash], hi[clash]], axis=1), axis=0,
                               return_index=True, return_inverse=True)
    once = clash[np.sort(first)]
    order = once[np.lexsort((once, lo[once], days[once]))]
    keep = np.ones(n, dtype=bool)
    keep[order] = first_largest_chain(lo[order], hi[order])
    keep[clash] = keep[clash[first[twin.ravel()]]]
    outliers = np.flatnonzero(~keep)
    partner, after = _partners(np.flatnonzero(keep), outliers, lo, hi, days, docs)
    first_day = _first_day(table.value[g], days)
    need = np.unique(np.concatenate([outliers, partner[partner >= 0]]))
    rows = dict(zip(need.tolist(), table.records(g[need]), strict=True))
    records = []
    for o, k, later_outlier in zip(outliers, partner, ~after, strict=True):
        if k < 0:  # it only contradicts figures of its own document
            continue
        out, kept = rows[o], rows[k]
        earlier, later = (kept, out) if later_outlier else (out, kept)
        stale = later_outlier and first_day[o] < out["day"]
        unit = out.get("unit") or ""
        kunit = kept.get("unit") or ""
        if rising == later_outlier:
            expected = f"≥ {fmt_interval(kept['low'], kept['low'], kunit)}"
        else:
            expected = f"≤ {fmt_interval(kept['high'], kept['high'], kunit)}"
        record = finding(
            rule, [earlier, later], verdict="stale" if stale else "contradiction",
            observed=fmt_interval(out["low"], out["high"], unit), expected=expected, metric=metric,
            values={"earlier": dated(earlier), "later": dated(later), "change": "fell" if rising else "rose",
                    "series": series if series not in ("", "*") else "the articles' own voice",
                    "outlier": dated(out), "which": "later" if later_outlier else "earlier"},
        )
        key = (not later_outlier, abs(days[o] - days[k]), series, record["finding_id"])
        records.append((key, str(out["figure_id"]), record))
    return records


def _first_day(values: np.ndarray, days: np.ndarray) -> np.ndarray:
    """For each figure, the first day any figure of the group gave its value (a repeat is stale)."""
    by_value = np.lexsort((days, values))
    v = values[by_value]
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
    first = np.empty(len(values))
    first[by_value] = np.repeat(days[by_value][starts], np.diff(np.r_[starts, len(v)]))
    return first


def first_largest_chain(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Pick the intervals to keep: a largest set whose points can be chosen never falling, the first in order.

    Intervals ``[lo[i], hi[i]]`` come in their order (time, and within a day by low end). A set is
    kept when each of its intervals can be given a point, never falling in that order. Of the
    largest such sets this returns the lexicographically first: it keeps an interval whenever a
    largest set keeps it together with those kept before. O(n log n).

    A reverse pass runs patience sorting on the negated intervals (the longest non-decreasing
    subsequence, with intervals): after interval ``i`` the slots hold, for each length ``k``, the
    most permissive start (``-`` the highest first point) of a run of ``k`` intervals among
    ``i..n-1``; an interval inserts its negated high end and evicts the first slot beyond its
    negated low end. The forward pass undoes those steps one by one, so at interval ``i`` the slots
    describe exactly the intervals after it, and keeps ``i`` when the kept prefix, ``i`` and the
    longest run that can still follow make a largest set. The slots are a multiset of ranks in a
    Fenwick tree, so every step is O(log n) whatever the shape of the data.

    Args:
        lo: low ends, in order.
        hi: high ends, in order (``hi >= lo``).

    Returns:
        A boolean mask of the kept intervals.

    Example:
        >>> first_largest_chain(np.array([1.0, 9.0, 2.0, 3.0]), np.array([1.0, 9.0, 2.0, 3.0])).tolist()
        [True, False, True, True]
        >>> first_largest_chain(np.array([5.0, 2.0]), np.array([5.0, 2.0])).tolist()  # a tie keeps the first
        [True, False]
    """
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    n = len(lo)
    values = np.unique(-hi)  # every slot ever holds one of these
    size = len(values)
    slot_of = np.searchsorted(values, -hi).tolist()  # the rank interval i inserts
    upto = np.searchsorted(values, -lo, side="right").tolist()  # ranks of slots <= -lo[i]
    los = lo.tolist()
    his = hi.tolist()
    tree = [0] * (size + 1)  # a Fenwick tree over ranks: how many slots hold each (the loops inline its steps)
    top = 1 << max(size.bit_length() - 1, 0)
    evicted = [-1] * n
    filled = 0
    for i in range(n - 1, -1, -1):
        r, before = upto[i], 0  # slots with rank < upto[i]
        while r > 0:
            before += tree[r]
            r &= r - 1
        slot = slot_of[i]
        if before < filled:
            k, gone, step = before + 1, 0, top  # the rank of the (before + 1)-th slot
            while step:
                nxt = gone + step
                if nxt <= size and tree[nxt] < k:
                    gone = nxt
                    k -= tree[nxt]
                step >>= 1
            evicted[i] = gone
            filled -= 1
            if gone == slot:  # evicted and inserted again: the slots do not change
                filled += 1
                continue
            r = gone + 1
            while r <= size:
                tree[r] -= 1
                r += r & -r
        r = slot + 1
        while r <= size:
            tree[r] += 1
            r += r & -r
        filled += 1
    longest = filled
    keep = np.zeros(n, dtype=bool)
    floor, floor_upto, kept = -INF, size, 0
    for i in range(n):
        slot, gone = slot_of[i], evicted[i]
        if gone != slot:  # undo step i of the reverse pass
            r = slot + 1
            while r <= size:
                tree[r] -= 1
                r += r & -r
            if gone >= 0:
                r = gone + 1
                while r <= size:
                    tree[r] += 1
                    r += r & -r
        if his[i] >= floor:
            point, point_upto = (los[i], upto[i]) if los[i] >= floor else (floor, floor_upto)
            r, after = point_upto, 0  # the longest run that can follow: slots with rank < point_upto
            while r > 0:
                after += tree[r]
                r &= r - 1
            if kept + 1 + after == longest:
                keep[i] = True
                kept += 1
                floor, floor_upto = point, point_upto
    return keep


def _partners(kept: np.ndarray, outliers: np.ndarray, lo: np.ndarray, hi: np.ndarray, days: np.ndarray,
              docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each outlier, the nearest kept figure of another document it contradicts (-1 when none).

    Earlier figures it falls below come first (the latest of them; on that day the highest low
    end); only when there is none, the first later figure it rises above (on that day the lowest
    high end). Returns the partners' positions and whether each partner is the later figure.
    """
    m = len(outliers)
    k_day, k_doc = days[kept], docs[kept]
    o_day, o_doc = days[outliers], docs[outliers]
    tops = RangeMax(lo[kept], k_doc)
    bottoms = RangeMax(-hi[kept], k_doc)
    partner = np.full(m, -1, dtype=np.int64)
    after = np.zeros(m, dtype=bool)
    # before: the latest kept figure of an earlier day above the outlier, then that day's highest
    at = _nearest(tops, np.searchsorted(k_day, o_day, side="left"), hi[outliers], o_doc, backwards=True)
    found = at >= 0
    if found.any():
        _, best = _on_day(tops, k_day, at[found], o_doc[found])
        partner[found] = kept[best]
    # after: the first kept figure of a later day below it, then that day's lowest
    at = _nearest(bottoms, np.searchsorted(k_day, o_day, side="right"), -lo[outliers], o_doc, backwards=False)
    later = ~found & (at >= 0)
    if later.any():
        _, best = _on_day(bottoms, k_day, at[later], o_doc[later])
        partner[later] = kept[best]
        after[later] = True
    return partner, after


def _nearest(table: RangeMax, start: np.ndarray, above: np.ndarray, doc: np.ndarray, backwards: bool) -> np.ndarray:
    """Find the nearest cell before ``start`` (or from ``start`` on) above ``above`` and of another document.

    Jumps over blocks of 2^k cells whose best value from another document is not above the
    threshold, from the largest block down: O(log n) per query, vectorised. -1 where none.
    """
    pos = np.asarray(start, dtype=np.int64).copy()
    n = len(table.docs)
    for k in range(len(table.levels) - 1, -1, -1):
        v1, i1, v2, _ = table.levels[k]
        span = 1 << k
        cell = pos - span if backwards else pos
        ok = (cell >= 0) & (cell + span <= n)
        c = np.where(ok, cell, 0)
        best = np.where(table.docs[np.maximum(i1[c], 0)] == doc, v2[c], v1[c])
        jump = ok & ~(best > above)
        pos = np.where(jump, pos - span if backwards else pos + span, pos)
    at = pos - 1 if backwards else pos
    return np.where((at >= 0) & (at < n), at, -1)


def _on_day(table: RangeMax, k_day: np.ndarray, at: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Find the best cell of another document among those dated the day of ``at``."""
    day = k_day[at]
    return table.query(np.searchsorted(k_day, day, side="left"), np.searchsorted(k_day, day, side="right"), doc)


def validate(rule: Rule, vocab: Vocabulary, ureg: Registry) -> None:
    """Check that a running total is a cumulative (or stock) metric and a draining stock is a stock."""
    for i, metric in enumerate(rule.params["metrics"]):
        behaviour = vocab.metrics[metric].behaviour
        if behaviour == "event_total":
            raise RuleError(rule.path, f"metrics[{i}]", f"names {metric!r}, an event total",
                            "an event total only changes by revision: check it with a revision rule")
        if rule.params["direction"] == "non_increasing" and behaviour != "stock":
            raise RuleError(rule.path, f"metrics[{i}]", f"names {metric!r}, a {behaviour} metric, with "
                            "direction non_increasing", "only a stock can drain; use non_decreasing")


KIND = Kind(
    name="monotonic",
    check=check,
    params=PARAMS,
    placeholders=PLACEHOLDERS,
    validate=validate,
    summary="a running total never falls, a draining stock never rises, as as_of advances",
)
