"""``revision``: an event total that changes between reports is a revision, or a contradiction.

What it does:
    For each event-total metric (people abducted on 7 October, people killed in the attack) and
    claimant series, orders reports by ``published`` and follows the value they give: a report
    agrees with the current value when the intervals overlap (and narrows it), else it changes it.

    - Every change, when no later report goes back to an earlier value, is a ``revision``
      (severity ``revision_severity``, info by default): "1,400" became "about 1,200" and stayed.
    - A value one report alone gives, between reports that agree with each other, is that report's
      error, not a change of the total: one finding (the rule's severity) pairs it with the report
      before it, ``stale`` when it repeats a value that had been replaced ("1,405" after the toll
      was revised to "about 1,200"), else ``contradiction``; the reports around it are then
      followed as one run.
    - When reports still go back to a value that had been replaced, the reports disagree: one
      ``contradiction`` names the report that introduced each value.

    A report that itself gives the old and the new value ("revised from 1,405 to around 1,200")
    counts with the value most of its mentions give (the last one on a tie), so quoting the old
    figure is not going back to it.

Why:
    A toll may be corrected once the dead are identified; the corrected figure is news, not an
    error. Reports that keep switching between two values are an error in one of them.

Cost:
    O(n log n): one sort per metric and series, one pass over the reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from figcheck.checks._common import (
    Context,
    Kind,
    Param,
    Prepared,
    dated,
    finding,
    findings_frame,
    prepared,
    stated,
    widen,
)
from figcheck.errors import RuleError

if TYPE_CHECKING:  # pragma: no cover
    from figcheck.ruleset import Rule
    from figcheck.units import Registry
    from figcheck.vocab import Vocabulary

PARAMS = {
    "metrics": Param("metrics", "the event-total metrics followed, each on its own", required=True),
    "revision_severity": Param("choice", "severity of a settled revision (the rule's severity is for reports "
                               "that go back and forth)", default="info", choices=("error", "warning", "info")),
}
PLACEHOLDERS = ("old", "new", "history", "values", "advice")

_SETTLED = "later reports keep the new value: use it, and say the figure was revised"
_STALE = ("this report repeats a value that had already been replaced, and the reports around it agree on "
          "another — correct it, or say it is the old figure")
_ALONE = ("no other report gives this value, and the reports around it agree on another — check it against its "
          "source")
_BACK_AND_FORTH = ("reports go back and forth — check which value the claimant gives now, and correct the "
                   "reports that repeat a replaced one")


def check(figures: pd.DataFrame, rule: Rule, ctx: Context) -> pd.DataFrame:
    """Follow each event total through the reports; flag revisions and reversals."""
    table = prepared(figures, ctx)
    out: list[dict[str, Any]] = []
    for metric in rule.params["metrics"]:
        rows = table.rows([metric])
        rows = rows[~np.isnan(table.pub_day[rows])]
        for _, group in table.series_groups(rows, rule.params["claimants"]):
            docs = table.doc[group]
            if len(np.unique(docs[docs >= 0])) >= 2:
                out.extend(_follow(table, group, rule, metric))
    return findings_frame(out)


def _follow(table: Prepared, group: np.ndarray, rule: Rule, metric: str) -> list[dict[str, Any]]:
    tol = rule.params["tolerance"]
    docs = table.doc[group]
    doc_key = np.where(docs < 0, docs.max() + 1, docs)  # a missing doc_id sorts last
    g = group[np.lexsort((table.start[group], doc_key, table.pub_day[group]))]  # by published, doc_id, start
    low, high = widen(table.low[g], table.high[g], tol)
    keep = _doc_values(table.doc[g], low, high)
    kept = g[keep]
    lo_a, hi_a = low[keep].tolist(), high[keep].tolist()
    spans: list[list[float]] = []  # each value the reports give: [lo, hi, first position, last position]
    for i, (lo, hi) in enumerate(zip(lo_a, hi_a, strict=True)):
        if spans and lo <= spans[-1][1] and spans[-1][0] <= hi:
            cur = spans[-1]
            cur[0], cur[1], cur[3] = max(cur[0], lo), min(cur[1], hi), i
        else:
            spans.append([lo, hi, i, i])
    if len(spans) < 2:
        return []
    history_recs = table.records(kept[sorted({int(sp[2]) for sp in spans})])
    history = " → ".join(f"{stated(r)} ({r['published']})" for r in history_recs)
    values = " / ".join(dict.fromkeys(stated(r) for r in history_recs))
    docs = table.doc[kept]
    # A value one report alone gives, between two runs of reports that agree with each other, is
    # that report's error, not a change of the total: set it aside (one finding each) and join
    # the runs around it.
    # Latest first: the reports that come last decide which value stands.
    outliers: list[tuple[int, int, bool]] = []  # (position, position of the report before, repeats old)
    k = len(spans) - 2
    while k >= 1:
        before, single, after = spans[k - 1], spans[k], spans[k + 1]
        alone = len(set(docs[int(single[2]):int(single[3]) + 1].tolist())) == 1
        if alone and before[0] <= after[1] and after[0] <= before[1]:
            repeats = any(sp[0] <= single[1] and single[0] <= sp[1] for sp in spans[:k - 1])
            outliers.append((int(single[2]), int(before[3]), repeats))
            spans[k - 1:k + 2] = [[max(before[0], after[0]), min(before[1], after[1]), before[2], after[3]]]
            k = min(k - 1, len(spans) - 2)
        else:
            k -= 1
    outliers.sort()
    out: list[dict[str, Any]] = []
    for pos, prev, repeats in outliers:
        rec, ref = table.records(kept[[pos, prev]])
        out.append(finding(
            rule, [ref, rec], verdict="stale" if repeats else "contradiction", observed=stated(rec),
            expected=stated(ref), metric=metric,
            values={"old": dated(ref), "new": dated(rec), "history": history, "values": values,
                    "advice": _STALE if repeats else _ALONE},
        ))
    if len(spans) < 2:
        return out
    ends = sorted({int(x) for span in spans for x in span[2:]})
    recs = dict(zip(ends, table.records(kept[ends]), strict=True))
    states = [{"first": recs[int(f)], "last": recs[int(e)]} for _, _, f, e in spans]
    if _returns(np.array([sp[0] for sp in spans]), np.array([sp[1] for sp in spans])):
        firsts = [st["first"] for st in states]
        out.append(finding(
            rule, firsts, verdict="contradiction", observed=history,
            expected="one value, or a revision that later reports keep", metric=metric,
            values={"old": dated(firsts[0]), "new": dated(firsts[-1]), "history": history, "values": values,
                    "advice": _BACK_AND_FORTH},
        ))
        return out
    return out + _revisions(states, rule, metric, history, values)


def _revisions(states: list[dict[str, Any]], rule: Rule, metric: str, history: str,
               values: str) -> list[dict[str, Any]]:
    """One `revision` finding for each change from one value to the next."""
    out = []
    for prev, nxt in zip(states, states[1:], strict=False):
        old, new = prev["last"], nxt["first"]
        out.append(finding(
            rule, [old, new], verdict="revision", observed=stated(new), expected=stated(old), metric=metric,
            severity=rule.params["revision_severity"],
            values={"old": dated(old), "new": dated(new), "history": history, "values": values,
                    "advice": _SETTLED},
        ))
    return out


def _returns(lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether some value overlaps a value before the one it replaced (the reports went back)."""
    return any(bool(np.any((lo[: k - 1] <= hi[k]) & (lo[k] <= hi[: k - 1]))) for k in range(2, len(lo)))


def _doc_values(docs: np.ndarray, lo: np.ndarray, hi: np.ndarray, chunk: int = 1 << 22) -> np.ndarray:
    """Which figures carry their report's own value: those agreeing with most of its mentions.

    A figure alone in its report carries it. In a report with several mentions, the mention that
    agrees (overlaps) with the most of them wins - the last one on a tie - and the mentions that
    agree with it carry the value. Mentions without a document (-1) that are several count for none.
    Vectorised over reports: each report's mentions are compared pairwise (a report has few).

    Args:
        docs: each figure's document code, figures in report order.
        lo: low ends (widened).
        hi: high ends (widened).
        chunk: at most about this many pairs are compared at once.
    """
    n = len(docs)
    keep = np.ones(n, dtype=bool)
    by_doc = np.argsort(docs, kind="stable")  # each report's mentions together, in order
    sorted_docs = docs[by_doc]
    starts = np.flatnonzero(np.r_[True, sorted_docs[1:] != sorted_docs[:-1]])
    sizes = np.diff(np.r_[starts, n])
    multi = sizes >= 2
    missing = sorted_docs[starts] < 0
    for s, k in zip(starts[multi & missing], sizes[multi & missing], strict=True):
        keep[by_doc[s:s + k]] = False  # grouping leaves out figures without a document
    starts, sizes = starts[multi & ~missing], sizes[multi & ~missing]
    if not len(starts):
        return keep
    pairs = np.cumsum(sizes.astype(np.int64) ** 2)
    first = 0
    while first < len(starts):
        last = max(int(np.searchsorted(pairs, (pairs[first - 1] if first else 0) + chunk, side="right")), first + 1)
        st, sz = starts[first:last], sizes[first:last]
        seg = np.repeat(np.arange(len(st)), sz)  # each mention's report, within the chunk
        rows = by_doc[_ranges(st, sz)]
        m = len(rows)
        offsets = np.r_[0, np.cumsum(sz)[:-1]]
        # every mention (i) against every mention of its report (j)
        i = np.repeat(np.arange(m), sz[seg])
        j = _ranges(offsets[seg], sz[seg])
        agree = (lo[rows[i]] <= hi[rows[j]]) & (lo[rows[j]] <= hi[rows[i]])
        score = np.bincount(i, weights=agree, minlength=m)
        top = np.maximum.reduceat(score, offsets)
        at = np.where(score == top[seg], np.arange(m), -1)
        best = rows[np.maximum.reduceat(at, offsets)]  # the last mention wins a tie
        b = best[seg]
        keep[rows] = (lo[b] <= hi[rows]) & (lo[rows] <= hi[b])
        first = last
    return keep


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + k) for s, k in zip(starts, sizes)])``, vectorised."""
    total = int(sizes.sum())
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    return np.repeat(starts - offsets, sizes) + np.arange(total)


def validate(rule: Rule, vocab: Vocabulary, ureg: Registry) -> None:
    """Only event totals are followed this way."""
    for i, metric in enumerate(rule.params["metrics"]):
        behaviour = vocab.metrics[metric].behaviour
        if behaviour != "event_total":
            raise RuleError(rule.path, f"metrics[{i}]", f"names {metric!r}, a {behaviour} metric",
                            "revision follows event totals; check running totals with monotonic and "
                            "same-day counts with agreement")


KIND = Kind(
    name="revision",
    check=check,
    params=PARAMS,
    placeholders=PLACEHOLDERS,
    validate=validate,
    summary="an event total that changes is a revision when reports settle on the new value, "
            "a contradiction when they go back and forth",
)
