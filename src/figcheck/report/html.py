"""The self-contained HTML discrepancy report: findings with both quotes, and a timeline per metric.

The page loads nothing: the stylesheet is inline (allowed by its hash in a strict
Content-Security-Policy that forbids scripts, fonts, frames and every network request), plots
are SVG images in ``data:`` URIs, and all article text goes through jinja2's autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from figcheck.report import plots
from figcheck.report.view import ReportView, build_view, display_path, format_interval, format_number

#: What a report may load: nothing but its own inline style and data: images.
CSP_TEMPLATE = (
    "default-src 'none'; img-src data:; style-src '{style_hash}'; base-uri 'none'; form-action 'none'"
)
_SEVERITY_LABEL = {"error": "error", "warning": "warning", "info": "info"}


def render(findings: pd.DataFrame, figures: pd.DataFrame, **options: Any) -> str:
    """Render the HTML report.

    Args:
        findings: the findings table.
        figures: the figures table the findings were computed from.
        **options: passed to `figcheck.report.view.build_view` (``documents``, ``rules``,
            ``baseline``, ``only``, ``problems``, ``title``, ``metric_descriptions``, ``root``);
            ``plots=False`` leaves the timelines out.

    Returns:
        A complete HTML document.
    """
    draw = options.pop("plots", True)
    view = options.pop("view", None) or build_view(findings, figures, **options)
    return render_view(view, plots_enabled=draw)


def render_view(view: ReportView, *, plots_enabled: bool = True) -> str:
    """Render a `ReportView` as HTML."""
    from figcheck import __version__

    css = _css()
    style_hash = "sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    timelines = _timelines(view) if plots_enabled else []
    rule_counts = Counter(f.rule_id for f in view.findings)
    rule_rows = [
        {"id": rid, "name": r.name, "kind": r.kind, "severity": r.severity, "description": r.description,
         "count": rule_counts.get(rid, 0)}
        for rid, r in view.rules.items()
    ]
    verdicts = sorted(Counter(f.verdict for f in view.findings if f.verdict).items())
    template = _environment().get_template("report.html.j2")
    return str(template.render(
        title=view.title,
        version=__version__,
        css=css,
        csp=CSP_TEMPLATE.format(style_hash=style_hash),
        n_documents=view.n_documents,
        n_figures=len(view.figures),
        n_findings=len(view.findings),
        n_accepted=sum(f.state == "unchanged" for f in view.findings),
        counts=view.counts(),
        severity_label=_SEVERITY_LABEL,
        verdicts=verdicts,
        findings=view.findings,
        rule_rows=rule_rows,
        timelines=timelines,
        timeline_ids={t["metric"] for t in timelines},
        documents=_document_rows(view),
        absent=view.absent,
        problems=[str(p) for p in view.problems],
        number=format_number,
        safe_url=safe_url,
    ))


def safe_url(url: Any) -> bool:
    """Whether a document URL may be a link: only http(s), never ``javascript:`` or ``data:``.

    Example:
        >>> safe_url("https://example.org/a"), safe_url("javascript:alert(1)"), safe_url(" JaVaScRiPt:x")
        (True, False, False)
    """
    return isinstance(url, str) and re.match(r"https?://[^\s\"'<>]+$", url.strip(), re.I) is not None \
        and url == url.strip()


# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("figcheck.report", "templates"),
        autoescape=True,  # every value is escaped, whatever the template's name
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
def _css() -> str:
    return resources.files("figcheck.report").joinpath("templates/report.css").read_text(encoding="utf-8")


def _timelines(view: ReportView) -> list[dict[str, Any]]:
    figures = view.figures
    flagged: dict[str, list[str]] = {}
    for f in view.findings:
        for fid in f.figure_ids:
            flagged.setdefault(fid, []).append(f.finding_id)
    out = []
    for metric in plots.plot_metrics(figures):
        description = view.metric_descriptions.get(metric, "")
        tl = plots.timeline(figures, metric, flagged, title=metric)
        width, height = _svg_size(tl.svg)
        finding_ids = sorted({fid for fig in tl.rows["figure_id"] for fid in flagged.get(str(fig), [])})
        rows = [
            {
                "as_of": r["as_of"],
                "value": format_number(r["value"]),
                "interval": format_interval(r["low"], r["high"]),
                "claimant": r["claimant"] or "",
                "source": r["source"] or "",
                "surface": r["surface"] or "",
                "where": f"{r['doc_id']}:{r['line']}",
                "flagged": bool(r["flagged"]),
            }
            for r in tl.rows.to_dict("records")
        ]
        out.append({
            "metric": metric,
            "description": description,
            "src": "data:image/svg+xml;base64," + base64.b64encode(tl.svg.encode("utf-8")).decode("ascii"),
            "alt": f"Timeline of {metric}: {len(rows)} figures by as-of date"
                   + (f", {tl.flagged} named by findings" if tl.flagged else ""),
            "width": width,
            "height": height,
            "n": len(rows),
            "flagged": tl.flagged,
            "series_by": tl.series_by,
            "findings": finding_ids,
            "rows": rows,
        })
    # metrics with findings first, then the rest, each group in id order
    out.sort(key=lambda t: (not t["flagged"], t["metric"]))
    return out


def _svg_size(svg: str) -> tuple[int, int]:
    m = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg[:500])
    if not m:
        return 720, 360
    return round(float(m[1]) * 4 / 3), round(float(m[2]) * 4 / 3)


def _document_rows(view: ReportView) -> list[dict[str, Any]]:
    figs_per_doc = view.figures["doc_id"].value_counts().to_dict() if len(view.figures) else {}
    findings_per_doc: Counter[str] = Counter()
    for f in view.findings:
        findings_per_doc.update(f.doc_ids)
    meta: dict[str, dict[str, Any]] = {}
    if view.documents is not None and len(view.documents):
        meta = {str(r["doc_id"]): r for r in view.documents.to_dict("records")}
    rows = []
    for doc_id, path in view.document_paths():
        m = meta.get(doc_id, {})
        shown = path if doc_id in (path, path.rsplit("/", 1)[-1]) or not meta else f"{path} ({doc_id})"
        rows.append({
            "path": shown if meta else doc_id,
            "title": _clean(m.get("title")),
            "source": _clean(m.get("source")),
            "published": _clean(m.get("published")),
            "figures": int(figs_per_doc.get(doc_id, 0)),
            "findings": findings_per_doc.get(doc_id, 0),
        })
    return rows


def _clean(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


__all__ = ["CSP_TEMPLATE", "display_path", "render", "render_view", "safe_url"]
