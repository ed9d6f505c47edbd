"""``revision``: an event total that changes between reports is a revision, or a contradiction.

What it does:
    For each event-total metric (people abducted on 7 October, people killed in the attack) and
    claimant series, orders reports by ``published`` and follows the value they give: a report
    agrees with the current value when the intervals overlap (and narrows it), else it changes it.

    - Every change, when no later report goes back to an earlier value, is a ``revision``
      (severity ``revision_severity``, info by default): "1,400" became "about 1,200" and stayed.
    - When reports go back to a value that had been replaced, the reports disagree: one
      ``contradiction`` (the rule's severity) names the report that introduced each value.

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
    dated,
    finding,
    findings_frame,
    metric_rows,
    series_groups,
    stated,
    widen,
)
from figcheck.errors import RuleError

if TYPE_CHECKING:  # pragma: no cover
    import pint

    from figcheck.ruleset import Rule
    from figcheck.vocab import Vocabulary

PARAMS = {
    "metrics": Param("metrics", "the event-total metrics followed, each on its own", required=True),
    "revision_severity": Param("choice", "severity of a settled revision (the rule's severity is for reports "
                               "that go back and forth)", default="info", choices=("error", "warning", "info")),
}
PLACEHOLDERS = ("old", "new", "history", "values", "advice")

_SETTLED = "later reports keep the new value: use it, and say the figure was revised"
_BACK_AND_FORTH = ("reports go back and forth — check which value the claimant gives now, and correct the "
                   "reports that repeat a replaced one")


def check(figures: pd.DataFrame, rule: Rule, ctx: Context) -> pd.DataFrame:
    """Follow each event total through the reports; flag revisions and reversals."""
    out: list[dict[str, Any]] = []
    for metric in rule.params["metrics"]:
        rows = metric_rows(figures, [metric], ctx)
        rows = rows[rows["pub_day"].notna()]
        for _, group in series_groups(rows, rule.params["claimants"]):
            if group["doc_id"].nunique() >= 2:
                out.extend(_follow(group, rule, metric))
    return findings_frame(out)


def _follow(group: pd.DataFrame, rule: Rule, metric: str) -> list[dict[str, Any]]:
    tol = rule.params["tolerance"]
    g = group.sort_values(["pub_day", "doc_id", "start"], kind="mergesort")
    low, high = widen(g["low"].to_numpy(), g["high"].to_numpy(), tol)
    g = g.assign(_lo=low, _hi=high)
    multi = g["doc_id"].duplicated(keep=False)
    kept = pd.concat([g[~multi], *(_doc_value(d) for _, d in g[multi].groupby("doc_id", sort=False))])
    kept = kept.sort_values(["pub_day", "doc_id", "start"], kind="mergesort")
    lo_a, hi_a = kept["_lo"].to_numpy(), kept["_hi"].to_numpy()
    spans: list[list[float]] = []  # each value the reports give: [lo, hi, first position, last position]
    for i in range(len(kept)):
        lo, hi = float(lo_a[i]), float(hi_a[i])
        if spans and lo <= spans[-1][1] and spans[-1][0] <= hi:
            cur = spans[-1]
            cur[0], cur[1], cur[3] = max(cur[0], lo), min(cur[1], hi), i
        else:
            spans.append([lo, hi, i, i])
    if len(spans) < 2:
        return []
    ends = sorted({int(x) for span in spans for x in span[2:]})
    recs = dict(zip(ends, kept.iloc[ends].to_dict("records"), strict=True))
    states = [{"first": recs[int(f)], "last": recs[int(e)]} for _, _, f, e in spans]
    returns = _returns(np.array([s[0] for s in spans]), np.array([s[1] for s in spans]))
    history = " → ".join(f"{stated(s['first'])} ({s['first']['published']})" for s in states)
    values = " / ".join(dict.fromkeys(stated(s["first"]) for s in states))
    if returns:
        firsts = [s["first"] for s in states]
        return [finding(
            rule, firsts, verdict="contradiction", observed=history,
            expected="one value, or a revision that later reports keep", metric=metric,
            values={"old": dated(firsts[0]), "new": dated(firsts[-1]), "history": history, "values": values,
                    "advice": _BACK_AND_FORTH},
        )]
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
    for k in range(2, len(lo)):
        if np.any((lo[: k - 1] <= hi[k]) & (lo[k] <= hi[: k - 1])):
            return True
    return False


def _doc_value(doc: pd.DataFrame) -> pd.DataFrame:
    """The figures that carry a report's own value: those agreeing with most of its mentions."""
    if len(doc) == 1:
        return doc
    lo, hi = doc["_lo"].to_numpy(), doc["_hi"].to_numpy()
    agree = (lo[:, None] <= hi[None, :]) & (lo[None, :] <= hi[:, None])  # a report has few mentions
    score = agree.sum(axis=1)
    best = int(np.flatnonzero(score == score.max())[-1])  # the last mention wins a tie
    return doc[agree[best]]


def validate(rule: Rule, vocab: Vocabulary, ureg: pint.UnitRegistry) -> None:
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
