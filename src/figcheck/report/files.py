"""Writing report files: the format follows the file's suffix; every file is written atomically."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from figcheck.errors import UsageError
from figcheck.output import atomic_write
from figcheck.report.view import ReportView, build_view

#: Report file suffixes and the format each is written in.
SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown",
                  ".sarif": "sarif", ".xml": "junit"}


def format_for(path: str | os.PathLike[str]) -> str:
    """Return the report format a file name asks for.

    Raises:
        UsageError: an unknown suffix.

    Example:
        >>> format_for("reports/examples.html"), format_for("summary.md")
        ('html', 'markdown')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise UsageError(f"cannot tell the report format of {str(path)!r}; name it with one of {known}")
    return SUFFIX_FORMATS[suffix]


def render_view_as(fmt: str, view: ReportView, **options: Any) -> str:
    """Render an already built view in one format (the view is built once for all files)."""
    from figcheck.report import github, html, junit, markdown, sarif

    if fmt == "html":
        return html.render_view(view, plots_enabled=options.get("plots", True))
    if fmt == "markdown":
        return markdown.render_view(view, html_report=options.get("html_report"))
    if fmt == "sarif":
        return sarif.render(pd.DataFrame(), pd.DataFrame(), view=view)
    if fmt == "junit":
        return junit.render_view(view, fail_on=options.get("fail_on", "error"))
    if fmt == "github":
        return github.render_view(view)
    raise UsageError(f"unknown report format {fmt!r}")


def write_reports(
    outputs: Sequence[str | os.PathLike[str]],
    findings: pd.DataFrame,
    figures: pd.DataFrame,
    *,
    markdown_twin: bool = True,
    plots: bool = True,
    **options: Any,
) -> list[Path]:
    """Write report files, each in the format its suffix names.

    Args:
        outputs: the files (``.html``, ``.md``, ``.sarif``, ``.xml``).
        findings: the findings table.
        figures: the figures table.
        markdown_twin: with an ``.html`` file, also write the Markdown report beside it
            (same name, ``.md``) unless that file is among ``outputs`` already.
        plots: draw the timelines in the HTML report.
        **options: passed to `figcheck.report.view.build_view`.

    Returns:
        The files written, in order.
    """
    targets: list[Path] = [Path(p) for p in outputs]
    for p in targets:
        format_for(p)
    if markdown_twin:
        for p in list(targets):
            twin = p.with_suffix(".md")
            if format_for(p) == "html" and twin not in targets:
                targets.append(twin)
    view = build_view(findings, figures, **options)
    html_names = {p.with_suffix(""): p for p in targets if format_for(p) == "html"}
    written = []
    for p in targets:
        fmt = format_for(p)
        html_report = html_names.get(p.with_suffix(""))
        text = render_view_as(fmt, view, plots=plots, html_report=html_report.name if html_report else None)
        with atomic_write(p) as fh:
            fh.write(text)
        _readable(p)
        written.append(p)
    return written


def _readable(path: Path) -> None:
    """Give a report the permissions a new file gets (atomic writes start from a private temp file)."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
