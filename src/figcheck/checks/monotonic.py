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
    adding an article to a corpus never turns an accepted older figure into the outlier of a tie,
    so findings and baselines stay put as the corpus grows. A single wild figure is still flagged
    whatever its date once the series has two figures on either side of it that agree with each
    other (dropping it keeps more); in a one-against-one tie the finding names both figures
    anyway, and the same pair (the same finding id) is reported whichever side is blamed.

    An unattributed figure goes with every claimant series; when it is an outlier in several, it
    gets one finding: the series whose contradicting figure is nearest in time (then by name).

Why:
    People killed cannot come back to life, and hostages cannot be re-taken without a new
    abduction: a toll that falls, or a count of captives that rises, means one report is wrong or
    is repeating an old figure.

Cost:
    O(n log n) per group: range-maximum tables find the figures that contradict any other (only
    those take part in the search: a figure that contradicts none is in every largest set), a
    patience-sorting pass over them in reverse time order (the classic longest-non-decreasing-
    subsequence, with intervals: each figure inserts its end and evicts the first slot beyond it)
    records how long a consistent run can follow each figure, and one forward pass, undoing the
    reverse pass step by step, keeps the first largest set. Each outlier's partner is found by a
    vectorised binary search over range maxima. No pair of figures is compared one by one.
    Figures of one document are not compared with each other (a report's own arithmetic is for
    ``balance`` and ``bound``) - the search keeps a document's own figures in order too, but an
    outlier that only contradicts its own document gets no finding - and a document's several
    figures of one metric on one date count as one: the largest (the whole, not its breakdown).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from figcheck.checks._common import (
    INF,
    Context,
    Kind,
    Param,
    RangeMax,
    collapse,
    dated,
    finding,
    findings_frame,
    fmt_interval,
    metric_rows,
    series_groups,
    widen,
)
from figcheck.errors import RuleError

if TYPE_CHECKING:  # pragma: no cover
    import pint

    from figcheck.ruleset import Rule
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
    out: list[dict[str, Any]] = []
    for metric in p["metrics"]:
        rows = metric_rows(figures, [metric], ctx)
        rows = rows[rows["day"].notna()]
        best: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
        for series, group in series_groups(rows, p["claimants"]):
            g = collapse(group)
            if len(g) < 2:
                continue
            for key, outlier_id, record in _check_group(g, rule, metric, series, rising):
                if outlier_id not in best or key < best[outlier_id][0]:
                    best[outlier_id] = (key, record)
        out.extend(record for _, record in sorted(best.values(), key=lambda kr: kr[0][-1]))
    return findings_frame(out)


def _check_group(g: pd.DataFrame, rule: Rule, metric: str, series: str, rising: bool
                 ) -> list[tuple[tuple[Any, ...], str, dict[str, Any]]]:
    """Find the outliers of one group: (preference key, outlier figure id, finding record) for each."""
    low, high = widen(g["low"].to_numpy(dtype=float), g["high"].to_numpy(dtype=float), rule.params["tolerance"])
    # orient every group as non-decreasing: a draining stock is a rising series of negated counts
    lo, hi = (low, high) if rising else (-high, -low)
    days = g["day"].to_numpy(dtype=float)
    docs = g["doc_code"].to_numpy()
    n = len(g)
    day_start = np.searchsorted(days, days, side="left")
    day_end = np.searchsorted(days, days, side="right")
    above, _ = RangeMax(lo, docs).query(np.zeros(n, dtype=np.int64), day_start, docs)
    below, _ = RangeMax(-hi, docs).query(day_end, np.full(n, n, dtype=np.int64), docs)
    clash = np.flatnonzero((above > hi) | (-below < lo))
    if not len(clash):
        return []
    # the search runs over the figures that contradict some other, by day, then low end
    order = clash[np.lexsort((clash, lo[clash], days[clash]))]
    keep = np.ones(n, dtype=bool)
    keep[order] = first_largest_chain(lo[order], hi[order])
    outliers = np.flatnonzero(~keep)
    partner, after = _partners(np.flatnonzero(keep), outliers, lo, hi, days, docs)
    first_day = g.groupby("value")["day"].min()
    need = np.unique(np.concatenate([outliers, partner[partner >= 0]]))
    rows = dict(zip(need.tolist(), g.iloc[need].to_dict("records"), strict=True))
    records = []
    for o, k, later_outlier in zip(outliers, partner, ~after, strict=True):
        if k < 0:  # it only contradicts figures of its own document
            continue
        out, kept = rows[o], rows[k]
        earlier, later = (kept, out) if later_outlier else (out, kept)
        stale = later_outlier and first_day[out["value"]] < out["day"]
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


def first_largest_chain(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Which intervals to keep: a largest set whose points can be chosen never falling, the first in order.

    Intervals ``[lo[i], hi[i]]`` come in their order (time, and within a day by low end). A set is
    kept when each of its intervals can be given a point, never falling in that order. Of the
    largest such sets this returns the lexicographically first: it keeps an interval whenever a
    largest set keeps it together with those kept before. O(n log n) comparisons.

    A reverse pass runs patience sorting on the negated intervals, so that after interval ``i``
    slot ``k`` holds the most permissive start (``-`` the highest first point) of a run of ``k + 1``
    intervals among ``i..n-1``: an interval inserts its negated high end and evicts the first slot
    beyond its negated low end. The forward pass undoes those steps one by one, so at interval
    ``i`` the slots describe exactly the intervals after it, and keeps ``i`` when the kept prefix,
    ``i`` and the longest run that can follow still make a largest set.

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
    los = [float(x) for x in lo]
    his = [float(x) for x in hi]
    n = len(los)
    slots: list[float] = []
    steps: list[tuple[int, int, float | None]] = [(0, 0, None)] * n
    for i in range(n - 1, -1, -1):
        evict = bisect_right(slots, -los[i])
        gone = slots.pop(evict) if evict < len(slots) else None
        at = bisect_left(slots, -his[i])
        slots.insert(at, -his[i])
        steps[i] = (at, evict, gone)
    longest = len(slots)
    keep = np.zeros(n, dtype=bool)
    floor, kept = -INF, 0
    for i in range(n):
        at, evict, gone = steps[i]
        del slots[at]
        if gone is not None:
            slots.insert(evict, gone)
        if his[i] >= floor:
            point = max(floor, los[i])
            if kept + 1 + bisect_right(slots, -point) == longest:
                keep[i] = True
                kept += 1
                floor = point
    return keep


def _partners(kept: np.ndarray, outliers: np.ndarray, lo: np.ndarray, hi: np.ndarray, days: np.ndarray,
              docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each outlier, the nearest kept figure of another document it contradicts (-1 when none).

    Earlier figures it falls below come first (the latest of them; on that day the highest low
    end); only when there is none, the first later figure it rises above (on that day the lowest
    high end). Returns the partners' positions and whether each partner is the later figure.
    """
    m = len(outliers)
    k_lo, k_hi, k_day, k_doc = lo[kept], hi[kept], days[kept], docs[kept]
    n_kept = len(kept)
    o_lo, o_hi, o_day, o_doc = lo[outliers], hi[outliers], days[outliers], docs[outliers]
    tops = RangeMax(k_lo, k_doc)
    bottoms = RangeMax(-k_hi, k_doc)
    partner = np.full(m, -1, dtype=np.int64)
    after = np.zeros(m, dtype=bool)
    # before: the largest a < right with a kept figure above the outlier in [a, right)
    right = np.searchsorted(k_day, o_day, side="left")
    zero = np.zeros(m, dtype=np.int64)
    found = tops.query(zero, right, o_doc)[0] > o_hi
    a, b = zero.copy(), right.copy()
    while ((b - a > 1) & found).any():
        mid = (a + b) // 2
        hit = tops.query(mid, right, o_doc)[0] > o_hi
        a = np.where(found & hit, mid, a)
        b = np.where(found & ~hit, mid, b)
    if found.any():
        day = k_day[a[found]]
        _, at = tops.query(np.searchsorted(k_day, day, side="left"), np.searchsorted(k_day, day, side="right"),
                           o_doc[found])
        partner[found] = kept[at]
    # after: the smallest e > left with a kept figure below the outlier in [left, e)
    rest = ~found
    left = np.searchsorted(k_day, o_day, side="right")
    full = np.full(m, n_kept, dtype=np.int64)
    later = rest & (bottoms.query(left, full, o_doc)[0] > -o_lo)
    a, b = left.copy(), full.copy()
    while ((b - a > 1) & later).any():
        mid = (a + b + 1) // 2
        hit = bottoms.query(left, mid, o_doc)[0] > -o_lo
        b = np.where(later & hit, mid, b)
        a = np.where(later & ~hit, mid, a)
    if later.any():
        day = k_day[b[later] - 1]
        _, at = bottoms.query(np.searchsorted(k_day, day, side="left"), np.searchsorted(k_day, day, side="right"),
                              o_doc[later])
        partner[later] = kept[at]
        after[later] = True
    return partner, after


def validate(rule: Rule, vocab: Vocabulary, ureg: pint.UnitRegistry) -> None:
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
