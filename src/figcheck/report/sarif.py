"""SARIF 2.1.0 output, for code scanning: rules as reportingDescriptors, one result per finding.

Each result sits on the figure its CI annotation belongs on (see
`figcheck.report.view.primary_figure`), with a region that gives line, column and character
offsets into the article file; the finding's other figures are related locations. The
``finding_id`` fingerprint is the result's ``partialFingerprints`` entry, so code scanning
tracks a finding across runs and edits. Findings a baseline accepts carry ``baselineState:
unchanged`` and an external suppression with the baseline's reason.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pandas as pd

from figcheck.report.view import FigureView, FindingView, Location, ReportView, build_view, format_number

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: The key of figcheck's fingerprint in ``partialFingerprints``; bump the suffix if its meaning changes.
FINGERPRINT_KEY = "figcheckFindingId/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(findings: pd.DataFrame, figures: pd.DataFrame, **options: Any) -> str:
    """Render the findings as a SARIF 2.1.0 log (JSON text).

    Args:
        findings: the findings table.
        figures: the figures table the findings were computed from.
        **options: passed to `figcheck.report.view.build_view` (``documents`` gives exact
            regions; ``rules`` gives every rule a descriptor, found or not).

    Returns:
        The SARIF log, indented, ending in a newline.
    """
    for key in ("plots", "html_report", "max_findings"):
        options.pop(key, None)
    view = options.pop("view", None) or build_view(findings, figures, **options)
    return json.dumps(sarif_log(view), indent=2, ensure_ascii=False) + "\n"


def sarif_log(view: ReportView) -> dict[str, Any]:
    """Build the SARIF log of a `ReportView`, as a dict."""
    from figcheck import __version__

    rule_ids = list(view.rules)
    descriptors = [_descriptor(view, rid) for rid in rule_ids]
    index = {rid: i for i, rid in enumerate(rule_ids)}
    artifacts: dict[str, int] = {}
    for f in view.findings:
        for g in f.figures:
            artifacts.setdefault(g.location.path, len(artifacts))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "figcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": descriptors,
            }
        },
        "columnKind": "unicodeCodePoints",
        "artifacts": [
            {"location": {"uri": _uri(path)}, "mimeType": _mime(path), "roles": ["analysisTarget"]}
            for path in artifacts
        ],
        "results": [_result(f, index, artifacts) for f in view.findings],
    }
    if view.problems:
        run["invocations"] = [{
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {"level": "error" if getattr(p, "severity", "error") == "error" else "warning",
                 "message": {"text": str(p)}}
                for p in view.problems
            ],
        }]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _descriptor(view: ReportView, rid: str) -> dict[str, Any]:
    r = view.rules[rid]
    short = r.name or rid
    text = " ".join(x for x in (r.description, r.rationale) if x) or f"figcheck rule {rid}"
    d: dict[str, Any] = {
        "id": rid,
        "shortDescription": {"text": r.description or short},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": f"**{rid}** {short}\n\n{text}"},
        "properties": {"tags": ["figcheck"] + ([r.kind] if r.kind else [])},
    }
    if r.name:
        d["name"] = r.name
    if r.severity in LEVELS:
        d["defaultConfiguration"] = {"level": LEVELS[r.severity]}
    return d


def _result(f: FindingView, index: dict[str, int], artifacts: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "level": LEVELS.get(f.severity, "warning"),
        "kind": "fail",
        "message": {"text": _message(f)},
        "partialFingerprints": {FINGERPRINT_KEY: f.finding_id},
        "properties": {
            "verdict": f.verdict,
            "observed": f.observed,
            "expected": f.expected,
            "figure_ids": f.figure_ids,
            "finding_id": f.finding_id,
        },
    }
    if f.rule_id in index:
        result["ruleIndex"] = index[f.rule_id]
    if f.primary is not None:
        result["locations"] = [_location(f.primary, artifacts)]
    related = [g for g in f.figures if g is not f.primary]
    if related:
        result["relatedLocations"] = [
            _location(g, artifacts, ident=i + 1, message=_figure_note(g)) for i, g in enumerate(related)
        ]
    if f.state == "unchanged":
        result["baselineState"] = "unchanged"
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f.baseline_reason or "accepted in the baseline"}]
    elif f.state == "new":
        result["baselineState"] = "new"
    return result


def _message(f: FindingView) -> str:
    others = [g for g in f.figures if g is not f.primary]
    tail = ""
    if others:
        tail = " Compare: " + "; ".join(f"{_figure_note(g)} ({g.location.short()})" for g in others) + "."
    return f"{f.message}{tail}"


def _figure_note(g: FigureView) -> str:
    who = f", {g.claimant}" if g.claimant else ""
    src = g.source or g.doc_id
    return f"“{g.surface}” = {format_number(g.value)} as of {g.as_of or '?'}{who} ({src}, {g.published or '?'})"


def _location(g: FigureView, artifacts: dict[str, int], *, ident: int | None = None,
              message: str | None = None) -> dict[str, Any]:
    loc: Location = g.location
    region: dict[str, Any] = {"startLine": max(loc.line, 1)}
    if loc.column is not None:
        region["startColumn"] = loc.column
        if loc.end_line is not None:
            region["endLine"] = loc.end_line
        if loc.end_column is not None:
            region["endColumn"] = loc.end_column
    if loc.char_offset is not None:
        region["charOffset"] = loc.char_offset
        region["charLength"] = loc.char_length or 0
    if g.surface:
        region["snippet"] = {"text": g.surface}
    out: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(loc.path), "index": artifacts[loc.path]},
            "region": region,
        }
    }
    if g.sentence:
        out["physicalLocation"]["contextRegion"] = {"startLine": max(loc.line, 1), "snippet": {"text": g.sentence}}
    if ident is not None:
        out["id"] = ident
    if message:
        out["message"] = {"text": message}
    return out


def _mime(path: str) -> str:
    lower = path.lower()
    if lower.endswith((".html", ".htm")):
        return "text/html"
    if lower.endswith((".md", ".markdown")):
        return "text/markdown"
    if lower.endswith(".jsonl"):
        return "application/jsonl"
    return "text/plain"


def _uri(path: str) -> str:
    """Write a path as a URI reference (spaces and other unsafe characters percent-encoded)."""
    return quote(path, safe="/:@!$&'()*+,;=-._~")
