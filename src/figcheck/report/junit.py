"""JUnit XML: one testsuite per rule, one testcase per rule × document (× new article with --only).

A testcase fails when a finding of that rule names a figure of that document (with the
severities given by ``fail_on``, default ``error``); findings below it, or accepted by a
baseline, are listed in the testcase's ``system-out`` without failing it. The XML carries no
timestamps or durations, so the same findings give the same file.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

import pandas as pd

from figcheck.report.view import FindingView, ReportView, build_view

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(findings: pd.DataFrame, figures: pd.DataFrame, **options: Any) -> str:
    """Render the findings as JUnit XML.

    Args:
        findings: the findings table.
        figures: the figures table the findings were computed from.
        **options: ``fail_on`` (``error``, ``warning`` or ``info``: the lowest severity that
            fails a testcase); the rest go to `figcheck.report.view.build_view`. Give
            ``documents`` and ``rules`` so that passing rule × document pairs are listed too.

    Returns:
        The XML document, ending in a newline.
    """
    fail_on = str(options.pop("fail_on", "error"))
    for key in ("plots", "html_report", "max_findings"):
        options.pop(key, None)
    view = options.pop("view", None) or build_view(findings, figures, **options)
    return render_view(view, fail_on=fail_on)


def render_view(view: ReportView, *, fail_on: str = "error") -> str:
    """Render a `ReportView` as JUnit XML."""
    threshold = 99 if fail_on == "never" else SEVERITY_RANK.get(fail_on, 2)
    docs = view.document_paths()
    known_docs = {d for d, _ in docs}
    by_pair: dict[tuple[str, str], list[FindingView]] = {}
    for f in view.findings:
        for doc_id in f.doc_ids:
            by_pair.setdefault((f.rule_id, doc_id), []).append(f)
    extra_docs = sorted({d for _, d in by_pair} - known_docs)
    docs = docs + [(d, d) for d in extra_docs]
    if view.only is not None:  # a CI run over new articles: one testcase per rule and new article
        docs = [(d, p) for d, p in docs if d in view.only]

    root = ET.Element("testsuites", name="figcheck")
    totals = {"tests": 0, "failures": 0}
    for rid in view.rules:
        rule = view.rules[rid]
        suite = ET.SubElement(root, "testsuite", name=rid)
        if rule.description:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="description", value=_xml(rule.description))
        tests = failures = 0
        for doc_id, path in docs:
            items = by_pair.get((rid, doc_id), [])
            case = ET.SubElement(suite, "testcase", classname=f"figcheck.{rid}", name=path, file=path)
            tests += 1
            failing = [f for f in items if f.state == "new" and SEVERITY_RANK.get(f.severity, 2) >= threshold]
            quiet = [f for f in items if f not in failing]
            for f in failing:
                failure = ET.SubElement(case, "failure", message=_xml(f.message), type=f.verdict or "finding")
                failure.text = _xml(_details(f, doc_id))
            if failing:
                failures += 1
            if quiet:
                out = ET.SubElement(case, "system-out")
                out.text = _xml("\n\n".join(_details(f, doc_id, note=True) for f in quiet))
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        totals["tests"] += tests
        totals["failures"] += failures
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _details(f: FindingView, doc_id: str, *, note: bool = False) -> str:
    head = f"{f.rule_id} {f.severity} {f.verdict}: {f.message}"
    if note:
        state = "accepted by the baseline" if f.state == "unchanged" else f"{f.severity}, below the fail threshold"
        head += f" ({state})"
    lines = [head, f"finding {f.finding_id}; observed {f.observed or '-'}, expected {f.expected or '-'}"]
    for g in f.figures:
        mark = "*" if g.doc_id == doc_id else "-"
        lines.append(f"{mark} {g.location.short()}: \"{g.surface}\" as of {g.as_of or '?'}"
                     f"{', ' + g.claimant if g.claimant else ''} — {g.sentence}")
    return "\n".join(lines)


def _xml(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (control characters an article may contain)."""
    return _NOT_XML.sub("", text)
