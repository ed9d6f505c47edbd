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
    RangeMax,
    addable,
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
    "part": Param("metric", "the metric that counts a part", required=True),
    "whole": Param("metric", "the metric that counts the whole it belongs to", required=True),
    "window_days": Param("days", "how many days apart a part's and a whole's as_of dates may be (0: the "
                         "same day); ignored for an event-total whole", default=0),
}
PLACEHOLDERS = ("part", "whole", "part_metric", "whole_metric")


def check(figures: pd.DataFrame, rule: Rule, ctx: Context) -> pd.DataFrame:
    """Flag parts that exceed a matching whole."""
    p = rule.params
    rows = metric_rows(figures, [p["part"], p["whole"]], ctx)
    event_whole = ctx.behaviour.get(p["whole"]) == "event_total"
    out: list[dict[str, Any]] = []
    for _, group in series_groups(rows, p["claimants"]):
        parts = collapse(group[(group["metric"] == p["part"]) & group["day"].notna()])
        wholes = group[group["metric"] == p["whole"]]
        if parts.empty or wholes.empty:
            continue
        if event_whole:
            out.extend(_against_event_total(parts, wholes, rule))
        else:
            wholes = collapse(wholes[wholes["day"].notna()])
            if not wholes.empty:
                out.extend(_against_dated(parts, wholes, rule, ctx.behaviour.get(p["whole"]) == "cumulative"))
    return findings_frame(out)


def _against_event_total(parts: pd.DataFrame, wholes: pd.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    tol = rule.params["tolerance"]
    _, w_high = widen(wholes["low"].to_numpy(), wholes["high"].to_numpy(), tol)
    top = int(np.argmax(w_high))  # first of the largest, in canonical order
    p_low, _ = widen(parts["low"].to_numpy(), parts["high"].to_numpy(), tol)
    whole = wholes.iloc[top].to_dict()
    return [_record(p, whole, rule) for p in parts.iloc[np.flatnonzero(p_low > w_high[top])].to_dict("records")]


def _against_dated(parts: pd.DataFrame, wholes: pd.DataFrame, rule: Rule, growing: bool) -> list[dict[str, Any]]:
    window = rule.params["window_days"]
    tol = rule.params["tolerance"]
    _, w_high = widen(wholes["low"].to_numpy(), wholes["high"].to_numpy(), tol)
    w_days = wholes["day"].to_numpy()
    p_low, _ = widen(parts["low"].to_numpy(), parts["high"].to_numpy(), tol)
    p_days = parts["day"].to_numpy()
    left = np.searchsorted(w_days, p_days if growing else p_days - window, side="left")
    right = np.searchsorted(w_days, p_days + window, side="right")
    smallest, at = RangeMax(-w_high, wholes["doc_code"].to_numpy()).query(left, right)
    idx = np.flatnonzero((at >= 0) & (p_low > -smallest))
    return [_record(p, w, rule) for p, w in zip(parts.iloc[idx].to_dict("records"),
                                                 wholes.iloc[at[idx]].to_dict("records"), strict=True)]


def _record(part: dict[str, Any], whole: dict[str, Any], rule: Rule) -> dict[str, Any]:
    unit = part.get("unit") or ""
    return finding(
        rule, [part, whole], verdict="contradiction",
        observed=f"{part['metric']} {fmt_interval(part['low'], part['high'], unit)}",
        expected=f"≤ {whole['metric']} {fmt_interval(whole['high'], whole['high'], unit)}",
        metric=part["metric"],
        values={"part": dated(part), "whole": dated(whole), "part_metric": part["metric"],
                "whole_metric": whole["metric"]},
    )


def validate(rule: Rule, vocab: Vocabulary, ureg: pint.UnitRegistry) -> None:
    """Part and whole must differ and count things of one dimension (people with people)."""
    part, whole = rule.params["part"], rule.params["whole"]
    if part == whole:
        raise RuleError(rule.path, "whole", f"is {whole!r}, the same as part", "name the metric the part belongs to")
    if vocab.metrics[part].behaviour == "event_total" and vocab.metrics[whole].behaviour != "event_total":
        raise RuleError(rule.path, "part", f"names {part!r}, an event total, inside a dated whole",
                        "compare event totals with event totals, or make the event total the whole")
    _same_dimension(rule, vocab, ureg, "whole", part, whole)


def _same_dimension(rule: Rule, vocab: Vocabulary, ureg: pint.UnitRegistry, key: str, a: str, b: str) -> None:
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
