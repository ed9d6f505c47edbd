"""``monotonic``: a running total never falls; a stock that can only drain never rises.

What it does:
    Within each metric and claimant series, orders figures by ``as_of`` and flags a figure whose
    whole interval lies below the highest lower end stated on an earlier date (``non_decreasing``),
    or above the lowest upper end stated earlier (``non_increasing``). Each falling (or rising)
    figure is paired with the earlier figure it contradicts most; the verdict is ``stale`` when it
    repeats a value the series had given before, else ``contradiction``.

Why:
    People killed cannot come back to life, and hostages cannot be re-taken without a new
    abduction: a toll that falls, or a count of captives that rises, means one report is wrong or
    is repeating an old figure.

Cost:
    O(n log n): one sort and one range-maximum table per group; no pair of figures is compared
    unless it is the extreme one. Figures of one document are not compared with each other (a
    report's own arithmetic is for ``balance`` and ``bound``), and a document's several figures of
    one metric on one date count as one: the largest (the whole, not its breakdown).
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
PLACEHOLDERS = ("earlier", "later", "change", "series")


def check(figures: pd.DataFrame, rule: Rule, ctx: Context) -> pd.DataFrame:
    """Flag figures that fall (or rise) against an earlier figure of the same metric and series."""
    p = rule.params
    rising = p["direction"] == "non_decreasing"
    out: list[dict[str, Any]] = []
    for metric in p["metrics"]:
        rows = metric_rows(figures, [metric], ctx)
        rows = rows[rows["day"].notna()]
        for series, group in series_groups(rows, p["claimants"]):
            g = collapse(group)
            if len(g) < 2:
                continue
            out.extend(_check_group(g, rule, metric, series, rising))
    return findings_frame(out)


def _check_group(g: pd.DataFrame, rule: Rule, metric: str, series: str, rising: bool) -> list[dict[str, Any]]:
    low, high = widen(g["low"].to_numpy(), g["high"].to_numpy(), rule.params["tolerance"])
    days = g["day"].to_numpy()
    docs = g["doc_code"].to_numpy()
    # earlier = every figure dated strictly before this one
    right = np.searchsorted(days, days, side="left")
    left = np.zeros_like(right)
    if rising:
        best, at = RangeMax(low, docs).query(left, right, docs)
        bad = (at >= 0) & (best > high)
    else:
        best, at = RangeMax(-high, docs).query(left, right, docs)
        bad = (at >= 0) & (low > -best)
    if not bad.any():
        return []
    first_day = g.groupby("value")["day"].min()
    idx = np.flatnonzero(bad)
    laters = g.iloc[idx].to_dict("records")
    earliers = g.iloc[at[idx]].to_dict("records")
    records = []
    for later, earlier in zip(laters, earliers, strict=True):
        stale = first_day[later["value"]] < later["day"]
        verdict = "stale" if stale else "contradiction"
        change = "fell" if rising else "rose"
        observed = fmt_interval(later["low"], later["high"], later.get("unit") or "")
        if rising:
            expected = f"≥ {fmt_interval(earlier['low'], earlier['low'], earlier.get('unit') or '')}"
        else:
            expected = f"≤ {fmt_interval(earlier['high'], earlier['high'], earlier.get('unit') or '')}"
        records.append(finding(
            rule, [earlier, later], verdict=verdict, observed=observed, expected=expected, metric=metric,
            values={"earlier": dated(earlier), "later": dated(later), "change": change,
                    "series": series if series not in ("", "*") else "the articles' own voice"},
        ))
    return records


def validate(rule: Rule, vocab: Vocabulary, ureg: pint.UnitRegistry) -> None:
    """A running total must be a cumulative (or stock) metric; a draining stock must be a stock."""
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
