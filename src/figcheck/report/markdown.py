"""The Markdown discrepancy report: short enough for a CI job summary, complete enough to act on.

Article text is escaped so that nothing in it becomes Markdown or HTML: a quote containing
``<script>``, ``[link](javascript:...)`` or ``|`` renders as the characters it contains.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pandas as pd

from figcheck.report.view import FigureView, FindingView, ReportView, build_view, format_number

_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"[#=+-]|\d+[.)]\s")


def render(findings: pd.DataFrame, figures: pd.DataFrame, **options: Any) -> str:
    """Render the Markdown report.

    Args:
        findings: the findings table.
        figures: the figures table the findings were computed from.
        **options: passed to `figcheck.report.view.build_view`; ``html_report`` names the HTML
            report to point readers to; ``max_findings`` caps the detailed list (default 50;
            the summary table always lists every finding).

    Returns:
        GitHub-flavoured Markdown.
    """
    html_report = options.pop("html_report", None)
    max_findings = int(options.pop("max_findings", 50))
    options.pop("plots", None)
    view = options.pop("view", None) or build_view(findings, figures, **options)
    return render_view(view, html_report=html_report, max_findings=max_findings)


def render_view(view: ReportView, *, html_report: str | None = None, max_findings: int = 50) -> str:
    """Render a `ReportView` as Markdown."""
    out: list[str] = [f"# {escape(view.title)}", ""]
    counts = view.counts()
    accepted = sum(f.state == "unchanged" for f in view.findings)
    summary = ", ".join(f"{n} {sev}{'' if n == 1 or sev == 'info' else 's'}" for sev, n in counts.items())
    out.append(
        f"**{len(view.findings)} finding{'' if len(view.findings) == 1 else 's'}** ({summary}) in "
        f"{view.n_documents} document{'' if view.n_documents == 1 else 's'}, {len(view.figures)} figures."
        + (f" {accepted} accepted by the baseline." if accepted else "")
    )
    if html_report:
        out.append(f"The full report, with quotes and timelines, is `{escape_code(html_report)}`.")
    out.append("")
    if view.findings:
        out += ["| | rule | verdict | finding | where |", "|---|---|---|---|---|"]
        for f in view.findings:
            where = f.location.short() if f.location else ""
            state = " (accepted)" if f.state == "unchanged" else ""
            out.append(
                f"| {_ICON.get(f.severity, '')} {f.severity}{state} | {escape(f.rule_id)} | {escape(f.verdict)} "
                f"| {escape(f.message)} | `{escape_code(where)}` |"
            )
        out.append("")
        out.append("## Findings")
        out.append("")
        for f in view.findings[:max_findings]:
            out += _finding(f)
        if len(view.findings) > max_findings:
            out += [f"…and {len(view.findings) - max_findings} more (see the table above).", ""]
    else:
        out += ["No findings: every figure checked agrees with the others.", ""]
    if view.absent:
        out += ["## Baseline entries no longer found", ""]
        for e in view.absent:
            reason = f" — accepted: {escape(str(e.get('reason')))}" if e.get("reason") else ""
            out.append(f"- `{escape_code(str(e.get('finding_id')))}` {escape(str(e.get('rule_id', '')))}{reason}")
        out.append("")
    if view.problems:
        out += ["## Input problems", ""]
        out += [f"- `{escape_code(str(p))}`" for p in view.problems]
        out.append("")
    if view.findings:
        rules = Counter(f.rule_id for f in view.findings)
        out += ["## Rules", ""]
        for rid, n in sorted(rules.items()):
            r = view.rules.get(rid)
            desc = f": {escape(r.description)}" if r and r.description else ""
            name = f" ({escape(r.name)})" if r and r.name else ""
            out.append(f"- **{escape(rid)}**{name}{desc} — {n} finding{'' if n == 1 else 's'}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _finding(f: FindingView) -> list[str]:
    state = " — accepted by the baseline" + (f": {escape(f.baseline_reason)}" if f.baseline_reason else "") \
        if f.state == "unchanged" else ""
    name = f" · {escape(f.rule.name)}" if f.rule.name else ""
    lines = [
        f"### {_ICON.get(f.severity, '')} {escape(f.rule_id)}{name} — {escape(f.verdict)}{state}",
        "",
        escape(f.message),
        "",
    ]
    if f.observed or f.expected:
        lines += [f"Observed **{escape(f.observed or '—')}**; the rule expects **{escape(f.expected or '—')}**.", ""]
    for g in f.figures:
        lines += _quote(g)
    if f.rule.description:
        lines += [f"*Why:* {escape(f.rule.description)}", ""]
    lines += [f"<sub>finding `{escape_code(f.finding_id)}`</sub>", ""]
    return lines


def _quote(g: FigureView) -> list[str]:
    if not g.sentence:
        return [f"> figure `{escape_code(g.figure_id)}` is not in the figures table", ""]
    before, surface, after = g.quote
    quote = f"> “{escape(before)}**{escape(surface)}**{escape(after)}”"
    bits = []
    if g.value is not None:
        qual = f" ({g.qualifier.replace('_', ' ')})" if g.qualifier and g.qualifier != "exact" else ""
        bits.append(f"{format_number(g.value)}{qual}, read as {g.interval}")
    if g.metric:
        bits.append(escape(g.metric))
    bits.append(f"as of {g.as_of or 'unknown'}")
    if g.claimant:
        bits.append(f"per {escape(g.claimant)}")
    if g.modality and g.modality != "asserted":
        bits.append(escape(g.modality))
    src = escape(g.source or "unknown source") + (f", {g.published}" if g.published else "")
    bits.append(src)
    bits.append(f"`{escape_code(g.location.short())}`")
    return [quote, ">", "> — " + " · ".join(bits), ""]


def escape(text: str) -> str:
    r"""Escape text for Markdown: no character in it starts markup, a link or an HTML tag.

    Example:
        >>> print(escape("<script>alert(1)</script> [x](javascript:y) *a* | http://h"))
        &lt;script&gt;alert(1)&lt;/script&gt; \[x\](javascript:y) \*a\* \| http:&#47;/h
    """
    text = re.sub(r"\s+", " ", str(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    if _LINE_START.match(text):
        text = "\\" + text
    return text.replace(":/", ":&#47;")  # no autolinking of bare URLs


def escape_code(text: str) -> str:
    """Text for inside a code span: no backticks or line breaks that could end it."""
    return " ".join(str(text).split()).replace("`", "'")
