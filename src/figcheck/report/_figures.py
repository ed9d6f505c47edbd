"""What renderers share: looking up a finding's figures and quoting their sentences."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

#: Figure columns a report shows for each figure of a finding.
REPORT_FIGURE_COLUMNS = ["figure_id", "doc_id", "source", "published", "line", "metric", "value", "low", "high",
                         "qualifier", "unit", "as_of", "claimant", "modality", "surface", "sentence"]


def figure_lookup(figures: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Figure records by figure id."""
    if figures is None or figures.empty or "figure_id" not in figures:
        return {}
    cols = [c for c in REPORT_FIGURE_COLUMNS if c in figures]
    frame = figures[cols].drop_duplicates("figure_id")
    return {str(r["figure_id"]): r for r in frame.to_dict("records")}


def figures_of(ids: Iterable[str], lookup: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of some figure ids; an id missing from the table gets a record with the id only."""
    return [lookup.get(str(i), {"figure_id": str(i)}) for i in ids]


def marked_sentence(fig: dict[str, Any], mark: tuple[str, str] = ("«", "»"), width: int = 160) -> str:
    """The figure's sentence with its words marked, cut to ``width`` characters either side.

    Example:
        >>> marked_sentence({"sentence": "Hamas still holds about 129 hostages.", "surface": "about 129"})
        'Hamas still holds «about 129» hostages.'
    """
    sentence = str(fig.get("sentence") or "")
    surface = str(fig.get("surface") or "")
    if not sentence:
        return f"{mark[0]}{surface}{mark[1]}" if surface else ""
    at = sentence.find(surface) if surface else -1
    if at < 0:
        return sentence
    before, after = sentence[:at], sentence[at + len(surface):]
    if len(before) > width:
        before = "…" + before[-width:].lstrip()
    if len(after) > width:
        after = after[:width].rstrip() + "…"
    return f"{before}{mark[0]}{surface}{mark[1]}{after}"


def present(value: Any) -> bool:
    """Whether a cell holds a value (not None, not NaN)."""
    if value is None:
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True
