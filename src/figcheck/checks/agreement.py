"""``agreement``: reports of the same metric, from compatible claimants, close in time, must overlap.

What it does:
    Within each metric and claimant series, looks at figures whose ``as_of`` dates are at most
    ``window_days`` apart and flags a figure whose interval is disjoint from another's: for each
    figure, the highest lower end and the lowest upper end among the figures after it in the window
    (from other documents) are compared with its own interval.

Why:
    Two counts of the same thing on the same day from the same source cannot both be right: one is
    stale or mistyped ("25,105 killed" and "about 24,000 killed", both the ministry's, both today).

Cost:
    O(n log n) per group with range-extreme tables; never all pairs. Figures of one document are
    not compared with each other, and a document's several figures of one metric on one date count
    as one, the largest: "105 released: 81 Israelis, 23 Thais and one Filipino" is a whole and its
    parts, not a disagreement. Use a window of 0 for running totals: they legitimately grow from one
    day to the next (a fall is for ``monotonic``).
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
    RangeMax,
    cite,
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
    "window_days": Param("days", "figures whose as_of dates are at most this many days apart are compared "
                         "(0: the same day)", default=0),
}
PLACEHOLDERS = ("first", "second", "window")


def check(figures: pd.DataFrame, rule: Rule, ctx: Context) -> pd.DataFrame:
    """Flag figures of one metric and series, within the window, whose intervals are disjoint."""
    p = rule.params
    table = prepared(figures, ctx)
    out: list[dict[str, Any]] = []
    for metric in p["metrics"]:
        rows = table.rows([metric])
        rows = rows[~np.isnan(table.day[rows])]
        for _, group in table.series_groups(rows, p["claimants"]):
            g = table.collapse(group)
            if len(g) >= 2 and len(np.unique(table.doc[g])) >= 2:
                out.extend(_check_group(table, g, rule, metric))
    return findings_frame(out)


def _check_group(table: Prepared, g: np.ndarray, rule: Rule, metric: str) -> list[dict[str, Any]]:
    window = rule.params["window_days"]
    low, high = widen(table.low[g], table.high[g], rule.params["tolerance"])
    days = table.day[g]
    docs = table.doc[g]
    n = len(g)
    left = np.arange(1, n + 1)
    right = np.searchsorted(days, days + window, side="right")
    above_v, above_at = RangeMax(low, docs).query(left, right, docs)
    below_v, below_at = RangeMax(-high, docs).query(left, right, docs)
    pairs = set()
    for k in np.flatnonzero((above_at >= 0) & (above_v > high)):
        pairs.add((int(k), int(above_at[k])))
    for k in np.flatnonzero((below_at >= 0) & (low > -below_v)):
        pairs.add((int(k), int(below_at[k])))
    records = []
    ordered = sorted(pairs)
    need = sorted({k for pair in ordered for k in pair})
    recs = dict(zip(need, table.records(g[need]), strict=True))
    cites = {k: cite(r) for k, r in recs.items()}  # a figure may be in several findings: cite it once
    for i, j in ordered:
        a, b = recs[i], recs[j]
        lower, upper = (a, b) if a["high"] < b["low"] else (b, a)
        unit = a.get("unit") or ""
        records.append(finding(
            rule, [a, b], verdict="contradiction",
            observed=f"{fmt_interval(lower['low'], lower['high'], unit)} and "
                     f"{fmt_interval(upper['low'], upper['high'], unit)}",
            expected="overlapping figures", metric=metric,
            values={"first": dated(a, cites[i]), "second": dated(b, cites[j]),
                    "window": "the same day" if window == 0 else f"{window} day{'s' if window != 1 else ''}"},
            cites=[cites[i], cites[j]],
        ))
    return records


def validate(rule: Rule, vocab: Vocabulary, ureg: Registry) -> None:
    """Event totals change only by revision; compare them with a revision rule."""
    for i, metric in enumerate(rule.params["metrics"]):
        if vocab.metrics[metric].behaviour == "event_total":
            raise RuleError(rule.path, f"metrics[{i}]", f"names {metric!r}, an event total",
                            "every report dates an event total to the event: check it with a revision rule")


KIND = Kind(
    name="agreement",
    check=check,
    params=PARAMS,
    placeholders=PLACEHOLDERS,
    validate=validate,
    summary="the same metric from compatible claimants within a date window must overlap",
)
