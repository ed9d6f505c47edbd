"""JSON report: ``{"schema": "figcheck.findings", "version": 1, "findings": [...]}`` with figures embedded."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from figcheck.output import json_value
from figcheck.report._figures import figure_lookup, figures_of

SCHEMA = "figcheck.findings"
VERSION = 1


def render(findings: pd.DataFrame, figures: pd.DataFrame, **options: Any) -> str:
    """Render findings as one JSON document.

    Each finding record has the findings table's columns (``finding_id, rule_id, severity,
    verdict, message, figure_ids, observed, expected, metric, kind, rule_name``) and ``figures``:
    the records of the figures it names (id, document, outlet, dates, line, metric, value,
    interval, qualifier, unit, claimant, modality, exact words and sentence). Open interval ends
    are ``null``.

    Args:
        findings: the findings DataFrame.
        figures: the figures DataFrame; may be empty.
        **options: ``indent`` (default 2).
    """
    lookup = figure_lookup(figures)
    records = []
    for row in findings.to_dict("records"):
        rec = {k: _clean(v) for k, v in row.items()}
        rec["figure_ids"] = [str(i) for i in row["figure_ids"]]
        rec["figures"] = [{k: _clean(v) for k, v in fig.items()} for fig in figures_of(row["figure_ids"], lookup)]
        records.append(rec)
    doc = {"schema": SCHEMA, "version": VERSION, "findings": records}
    return json.dumps(doc, ensure_ascii=False, indent=options.get("indent", 2)) + "\n"


def _clean(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return json_value(value)
