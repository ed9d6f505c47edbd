"""GitHub Actions workflow commands: an annotation on the article line of each finding.

``::error file=…,line=…,col=…,endColumn=…,title=…::message`` for errors, ``::warning`` for
warnings and ``::notice`` for info. Values are escaped as the runner expects (``%``, CR and LF
everywhere; ``:`` and ``,`` in properties too), so article text can never end a command early or
start a new one. Findings a baseline accepts are not annotated; baseline entries that no longer
occur get one ``::notice`` each.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from figcheck.report.view import FindingView, ReportView, build_view

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(findings: pd.DataFrame, figures: pd.DataFrame, **options: Any) -> str:
    """Render the findings as GitHub workflow commands, one per line.

    Args:
        findings: the findings table.
        figures: the figures table the findings were computed from.
        **options: passed to `figcheck.report.view.build_view`; give ``documents`` so that
            annotations carry the exact column, and ``only`` so that they go on the new articles.

    Returns:
        The commands, one per line (empty when there is nothing to annotate).
    """
    for key in ("plots", "html_report", "max_findings", "fail_on"):
        options.pop(key, None)
    view = options.pop("view", None) or build_view(findings, figures, **options)
    return render_view(view)


def render_view(view: ReportView) -> str:
    """Render a `ReportView` as GitHub workflow commands."""
    lines = [_annotation(f) for f in view.findings if f.state == "new"]
    for e in view.absent:
        msg = (f"baseline entry {e.get('finding_id')} ({e.get('rule_id', '')}) no longer occurs; "
               "remove it from the baseline")
        lines.append(f"::notice title={escape_property('figcheck baseline')}::{escape_data(msg)}")
    return "".join(line + "\n" for line in lines)


def _annotation(f: FindingView) -> str:
    props: list[tuple[str, Any]] = []
    loc = f.location
    if loc is not None:
        props.append(("file", loc.path))
        props.append(("line", loc.line))
        if loc.column is not None:
            props.append(("col", loc.column))
            if loc.end_line == loc.line and loc.end_column is not None and loc.end_column > loc.column:
                props.append(("endColumn", loc.end_column - 1))  # GitHub's end column is inclusive
    title = f"{f.rule_id} {f.verdict}".strip()
    props.append(("title", title))
    message = f.message
    others = [g for g in f.figures if g is not f.primary]
    if others:
        message += "\nCompare: " + "; ".join(
            f"\"{g.surface}\" as of {g.as_of or '?'} ({g.source or g.doc_id}, {g.location.short()})" for g in others)
    message += f"\nfinding {f.finding_id}"
    head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props)
    return f"::{COMMANDS.get(f.severity, 'warning')} {head}::{escape_data(message)}"


def escape_data(text: str) -> str:
    r"""Escape a workflow command's message.

    Example:
        >>> escape_data("50%\n::error::x")
        '50%25%0A::error::x'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value.

    Example:
        >>> escape_property("a,b:c")
        'a%2Cb%3Ac'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
