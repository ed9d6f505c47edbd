"""``balance``: a total equals the signed sum of its parts, within one report.

What it does:
    In each document (and claimant series), adds up the interval of every part the report gives
    and compares the sum with the total: taken = held + released + rescued + bodies recovered.
    A part the report does not give counts as "0 or more", so with parts missing the equation
    becomes an inequality that can still fail: "of the 240 taken, 105 were freed and 150 remain"
    needs 255 <= 240.

    How the figures of one part are read when a report gives several:

    - the same value repeated is one count;
    - a stock (hostages held) is taken at its latest ``as_of`` in the report, and that date is the
      date the balance is struck; running totals dated after it are left out;
    - figures of a running total with different ``as_of`` dates may be increments that add up
      ("105 freed during the truce, four before it": 109) or successive totals (the latest is the
      count): the part lies between the largest of them and their sum, and both readings are kept;
    - figures of one part on one date that differ are a whole and its breakdown, or two versions:
      the part is at least the smallest and at most the largest.

Why:
    A report's own arithmetic is the easiest error for a reader to catch: if the parts overshoot
    the total, one of the figures is wrong or stale.

Cost:
    One pass per document; O(n log n) overall.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from figcheck.checks._common import (
    Context,
    Kind,
    Param,
    Prepared,
    addable,
    finding,
    findings_frame,
    fmt_interval,
    prepared,
    short_metric,
    widen,
)
from figcheck.errors import RuleError

if TYPE_CHECKING:  # pragma: no cover
    from figcheck.ruleset import Rule
    from figcheck.units import Registry
    from figcheck.vocab import Vocabulary

INF = math.inf

PARAMS = {
    "total": Param("metric", "the metric that counts the total", required=True),
    "parts": Param("metrics", "the metrics added up to make the total", required=True),
    "minus": Param("metrics", "metrics subtracted from the sum (optional)", default=[]),
    "complete": Param("bool", "true when the parts account for the whole total (an equation); false when "
                      "other, unnamed parts exist (parts <= total)", default=True),
}
PLACEHOLDERS = ("parts", "total", "total_value", "where", "missing", "quotes")


def check(figures: pd.DataFrame, rule: Rule, ctx: Context) -> pd.DataFrame:
    """Flag documents whose parts do not add up to their total."""
    p = rule.params
    table = prepared(figures, ctx)
    rows = table.rows([p["total"], *p["parts"], *p["minus"]])
    rows = rows[np.isin(table.doc[rows], table.doc[rows[table.is_metric(rows, p["total"])]])]
    docs = table.doc[rows]
    rows = rows[np.lexsort((table.start[rows], np.where(docs < 0, docs.max(initial=-1) + 1, docs)))]
    # what the arithmetic reads of each figure; the whole record only for figures in a finding
    frame = table.frame
    columns = [frame[c].to_numpy()[rows].tolist() for c in _READ]
    recs = [dict(zip((*_READ, "_pos"), values, strict=True)) for values in zip(*columns, rows.tolist(), strict=True)]
    bounds = np.flatnonzero(np.r_[True, table.doc[rows][1:] != table.doc[rows][:-1], True]).tolist()
    found = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        for group in _series_groups(recs[a:b], p["claimants"]):
            sums = _check_doc(group, rule, ctx)
            if sums is not None:
                found.append(sums)
    full = dict(zip(*_positions_and_records(table, found), strict=True))
    return findings_frame([_record(sums, full, rule) for sums in found])


#: The columns the arithmetic reads (each record adds ``_pos``, the figure's position).
_READ = ("metric", "series", "day", "low", "high", "value", "behaviour", "figure_id", "start")


class _Sums(NamedTuple):
    """A group whose parts do not add up: what the finding reports."""

    totals: list[dict[str, Any]]
    used: list[dict[str, Any]]
    present: list[tuple[int, str]]
    missing: list[str]
    low: float
    high: float
    t_low: float
    t_high: float
    over: bool


def _positions_and_records(table: Prepared, found: list[_Sums]) -> tuple[list[int], list[dict[str, Any]]]:
    need = sorted({r["_pos"] for sums in found for r in sums.used})
    return need, table.records(need)


def _series_groups(recs: list[dict[str, Any]], mode: str) -> list[list[dict[str, Any]]]:
    """`series_groups` for one document's few records, without pandas."""
    named = sorted({r["series"] for r in recs if r["series"] is not None})
    if mode == "any" or not named:
        return [recs]
    return [[r for r in recs if r["series"] in (s, None)] for s in named]


def _day(rec: dict[str, Any]) -> float:
    d = rec["day"]
    return math.nan if d is None else float(d)


def _check_doc(doc: list[dict[str, Any]], rule: Rule, ctx: Context) -> _Sums | None:
    """Add up one document's group: its sums when its parts do not add up to its total, else None."""
    p = rule.params
    totals = [r for r in doc if r["metric"] == p["total"]]
    if not totals:
        return None
    part_names = {*p["parts"], *p["minus"]}
    stock_days = [_day(r) for r in doc if r["metric"] in part_names and r["behaviour"] == "stock"
                  and not math.isnan(_day(r))]
    ref = max(stock_days) if stock_days else INF
    used: list[dict[str, Any]] = list(totals)
    low = high = 0.0
    present, missing = [], []
    for sign, names in ((1, p["parts"]), (-1, p["minus"])):
        for metric in names:
            fig = [r for r in doc if r["metric"] == metric]
            behaviour = ctx.behaviour.get(metric, "")
            if behaviour == "stock":
                days = [_day(r) for r in fig if not math.isnan(_day(r))]
                if days:
                    fig = [r for r in fig if _day(r) == max(days)]
            else:
                fig = [r for r in fig if math.isnan(_day(r)) or _day(r) <= ref]
            if not fig:
                missing.append(metric)
                lo, hi = 0.0, INF
            else:
                present.append((sign, metric))
                used.extend(fig)
                lo, hi = _part_interval(fig, behaviour)
            if sign > 0:
                low, high = low + lo, high + hi
            else:
                low, high = low - hi, high - lo
    if not any(s > 0 for s, _ in present):
        return None
    if not p["complete"]:
        high = INF
    t_low, t_high = min(r["low"] for r in totals), max(r["high"] for r in totals)
    (t_low_w, low_w), (t_high_w, high_w) = widen(np.array([t_low, low]), np.array([t_high, high]), p["tolerance"])
    over = low_w > t_high_w
    under = high_w < t_low_w
    if not (over or under):
        return None
    return _Sums(totals, used, present, missing, low, high, t_low, t_high, bool(over))


def _record(sums: _Sums, full: dict[int, dict[str, Any]], rule: Rule) -> dict[str, Any]:
    """Write the finding of a group whose parts do not add up, from the figures' whole records."""
    p = rule.params
    totals = [full[r["_pos"]] for r in sums.totals]
    used = [full[r["_pos"]] for r in sums.used]
    present, missing, low, high, t_low, t_high, over = (sums.present, sums.missing, sums.low, sums.high, sums.t_low,
                                                        sums.t_high, sums.over)
    unit = str(totals[0].get("unit") or "")
    rows = sorted({r["figure_id"]: r for r in used}.values(), key=lambda r: r["start"])
    first = rows[0]
    lines = sorted({int(r["line"]) for r in rows if _present(r.get("line"))})
    where = ", ".join(str(first[k]) for k in ("source", "published") if _present(first.get(k)))
    line_txt = (f"line {lines[0]}" if len(lines) == 1 else f"lines {lines[0]}–{lines[-1]}") if lines else ""
    where = ", ".join(x for x in (where, f"{first['doc_id']} {line_txt}".strip()) if x)
    parts_txt = " ".join(f"{'+' if s > 0 else '−'} {short_metric(m)}" for s, m in present).lstrip("+ ")
    if parts_txt.startswith("−"):
        parts_txt = "−" + parts_txt[1:].lstrip()
    total_value = fmt_interval(t_low, t_high, unit)
    return finding(
        rule, rows, verdict="contradiction",
        observed=fmt_interval(low, high, unit),
        expected=f"≤ {fmt_interval(t_high, t_high, unit)}" if over else f"≥ {fmt_interval(t_low, t_low, unit)}",
        metric=p["total"],
        values={"parts": parts_txt, "total": short_metric(p["total"]), "total_value": total_value, "where": where,
                "missing": ", ".join(short_metric(m) for m in missing) or "no part",
                "quotes": ", ".join(f"“{r['surface']}” {short_metric(r['metric'])}" for r in rows)},
    )


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _part_interval(fig: list[dict[str, Any]], behaviour: str) -> tuple[float, float]:
    """The interval one part's figures allow (see the module docstring)."""
    distinct = {(_day(r), r["value"], r["low"], r["high"]): r for r in fig}.values()
    if behaviour in ("stock", "event_total"):
        return min(r["low"] for r in distinct), max(r["high"] for r in distinct)
    per_day: dict[float, list[float]] = {}
    for r in distinct:
        d = _day(r)
        key = -1.0 if math.isnan(d) else d
        lo_hi = per_day.setdefault(key, [INF, -INF])
        lo_hi[0] = min(lo_hi[0], r["low"])
        lo_hi[1] = max(lo_hi[1], r["high"])
    return max(v[0] for v in per_day.values()), sum(v[1] for v in per_day.values())


def validate(rule: Rule, vocab: Vocabulary, ureg: Registry) -> None:
    """Every metric in a balance must count things of the total's dimension; none may appear twice."""
    p = rule.params
    names = [*p["parts"], *p["minus"]]
    if p["total"] in names:
        raise RuleError(rule.path, "parts", f"includes the total {p['total']!r}", "a total is not one of its parts")
    for key in ("minus",):
        for m in p[key]:
            if m in p["parts"]:
                raise RuleError(rule.path, key, f"names {m!r}, which parts also names", "list each metric once")
    ut = vocab.metrics[p["total"]].unit
    for key in ("parts", "minus"):
        for i, m in enumerate(p[key]):
            um = vocab.metrics[m].unit
            if not addable(ureg, ut, um):
                raise RuleError(rule.path, f"{key}[{i}]", f"adds {m!r} ({um or 'a bare number'}) to a total of "
                                f"{p['total']!r} ({ut or 'a bare number'}), and pint cannot add "
                                f"{um or 'a bare number'} to {ut or 'a bare number'}",
                                "a balance adds counts of one kind: remove the metric, or fix its unit in metrics.yaml")


KIND = Kind(
    name="balance",
    check=check,
    params=PARAMS,
    placeholders=PLACEHOLDERS,
    validate=validate,
    summary="a total equals the signed sum of its parts in one report (an inequality when parts are missing)",
)
