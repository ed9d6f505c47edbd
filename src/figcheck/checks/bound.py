"""``bound``: a part never exceeds its whole (children killed <= people killed; dead <= held <= taken).

What it does:
    Flags a figure of the ``part`` metric whose whole interval lies above a compatible figure of the
    ``whole`` metric for the same time: in the same document or across documents, matching
    ``as_of`` dates as ``pandas.merge_asof`` would, within ``window_days``.

    - A stock whole (hostages held) is matched on dates within ``window_days`` either side.
    - A running-total whole (people killed) only grows, so a part on day d is matched with wholes
      dated d to d + ``window_days``.
    - An event total (hostages taken) holds from the event on: a part is matched with the largest
      total any compatible report gives (a smaller total is a matter for ``revision``).

Why:
    "More than 12,300 children killed" beside "10,000 people killed" cannot both be current: one
    figure is stale or wrong.

Cost:
    O(n log n): wholes are sorted by date once per group and each part asks a range-minimum table
    for the smallest whole in its window. A document's several figures of one metric on one date
    count as one, the largest (the whole, not its breakdown).
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
    addable,
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
    "part": Param("metric", "the metric that counts a part", required=True),
    "whole": Param("metric", "the metric that counts the whole it belongs to", required=True),
    "window_days": Param("days", "how many days apart a part's and a whole's as_of dates may be (0: the "
                         "same day); ignored for an event-total whole", default=0),
}
PLACEHOLDERS = ("part", "whole", "part_metric", "whole_metric")


def check(figures: pd.DataFrame, rule: Rule, ctx: Context) -> pd.DataFrame:
    """Flag parts that exceed a matching whole."""
    p = rule.params
    table = prepared(figures, ctx)
    rows = table.rows([p["part"], p["whole"]])
    event_whole = ctx.behaviour.get(p["whole"]) == "event_total"
    out: list[dict[str, Any]] = []
    for _, group in table.series_groups(rows, p["claimants"]):
        parts = table.collapse(group[table.is_metric(group, p["part"]) & ~np.isnan(table.day[group])])
        wholes = group[table.is_metric(group, p["whole"])]
        if not len(parts) or not len(wholes):
            continue
        if event_whole:
            out.extend(_against_event_total(table, parts, wholes, rule))
        else:
            wholes = table.collapse(wholes[~np.isnan(table.day[wholes])])
            if len(wholes):
                out.extend(_against_dated(table, parts, wholes, rule, ctx.behaviour.get(p["whole"]) == "cumulative"))
    return findings_frame(out)


def _against_event_total(table: Prepared, parts: np.ndarray, wholes: np.ndarray, rule: Rule) -> list[dict[str, Any]]:
    tol = rule.params["tolerance"]
    _, w_high = widen(table.low[wholes], table.high[wholes], tol)
    top = int(np.argmax(w_high))  # first of the largest, in canonical order
    p_low, _ = widen(table.low[parts], table.high[parts], tol)
    over = parts[np.flatnonzero(p_low > w_high[top])]
    if not len(over):
        return []
    whole = table.records([wholes[top]])[0]
    whole_cite = cite(whole)  # one whole for every part: cite it once
    return [_record(p, whole, rule, whole_cite) for p in table.records(over)]


def _against_dated(table: Prepared, parts: np.ndarray, wholes: np.ndarray, rule: Rule, growing: bool
                   ) -> list[dict[str, Any]]:
    window = rule.params["window_days"]
    tol = rule.params["tolerance"]
    _, w_high = widen(table.low[wholes], table.high[wholes], tol)
    w_days = table.day[wholes]
    p_low, _ = widen(table.low[parts], table.high[parts], tol)
    p_days = table.day[parts]
    left = np.searchsorted(w_days, p_days if growing else p_days - window, side="left")
    right = np.searchsorted(w_days, p_days + window, side="right")
    smallest, at = RangeMax(-w_high, table.doc[wholes]).query(left, right)
    idx = np.flatnonzero((at >= 0) & (p_low > -smallest))
    if not len(idx):
        return []
    matched = at[idx]
    shown = np.unique(matched)  # a whole may bound many parts: read and cite it once
    whole_recs = table.records(wholes[shown])
    whole_of = dict(zip(shown.tolist(), whole_recs, strict=True))
    whole_cite = {k: cite(r) for k, r in whole_of.items()}
    return [_record(p, whole_of[w], rule, whole_cite[w])
            for p, w in zip(table.records(parts[idx]), matched.tolist(), strict=True)]


def _record(part: dict[str, Any], whole: dict[str, Any], rule: Rule, whole_cite: str) -> dict[str, Any]:
    unit = part.get("unit") or ""
    part_cite = cite(part)
    return finding(
        rule, [part, whole], verdict="contradiction",
        observed=f"{part['metric']} {fmt_interval(part['low'], part['high'], unit)}",
        expected=f"≤ {whole['metric']} {fmt_interval(whole['high'], whole['high'], unit)}",
        metric=part["metric"],
        values={"part": dated(part, part_cite), "whole": dated(whole, whole_cite), "part_metric": part["metric"],
                "whole_metric": whole["metric"]},
        cites=[part_cite, whole_cite],
    )


def validate(rule: Rule, vocab: Vocabulary, ureg: Registry) -> None:
    """Part and whole must differ and count things of one dimension (people with people)."""
    part, whole = rule.params["part"], rule.params["whole"]
    if part == whole:
        raise RuleError(rule.path, "whole", f"is {whole!r}, the same as part", "name the metric the part belongs to")
    if vocab.metrics[part].behaviour == "event_total" and vocab.metrics[whole].behaviour != "event_total":
        raise RuleError(rule.path, "part", f"names {part!r}, an event total, inside a dated whole",
                        "compare event totals with event totals, or make the event total the whole")
    _same_dimension(rule, vocab, ureg, "whole", part, whole)


def _same_dimension(rule: Rule, vocab: Vocabulary, ureg: Registry, key: str, a: str, b: str) -> None:
    ua, ub = vocab.metrics[a].unit, vocab.metrics[b].unit
    if not addable(ureg, ua, ub):
        raise RuleError(rule.path, key, f"compares {a!r} ({ua or 'a bare number'}) with {b!r} "
                        f"({ub or 'a bare number'}), which pint cannot compare",
                        "a bound compares counts of one kind: give both metrics units of one dimension")


KIND = Kind(
    name="bound",
    check=check,
    params=PARAMS,
    placeholders=PLACEHOLDERS,
    validate=validate,
    summary="a part never exceeds its whole, in one report or across reports for the same date",
)
