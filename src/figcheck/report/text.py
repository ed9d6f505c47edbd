"""Plain-text report: findings grouped by metric, each with both quotes and the reason."""

from __future__ import annotations

from typing import Any

import pandas as pd

from figcheck.report._figures import figure_lookup, figures_of, marked_sentence, present


def render(findings: pd.DataFrame, figures: pd.DataFrame, **options: Any) -> str:
    """Render findings as text for a terminal or a log.

    Findings are grouped by metric (alphabetically); within a metric they keep the findings
    table's order (severity, rule id, finding id). Each shows its severity, rule id, verdict and
    fingerprint, the message, what was observed and expected, and every figure it names: document
    and line, outlet, publication and as-of dates, claimant, and the sentence with the number marked.

    Args:
        findings: the findings DataFrame.
        figures: the figures DataFrame (for quotes); may be empty.
        **options: ``documents`` (how many documents were read) for the summary line.
    """
    lookup = figure_lookup(figures)
    n = len(findings)
    counts = findings["severity"].value_counts() if n else pd.Series(dtype=int)
    summary = ", ".join(f"{int(counts.get(s, 0))} {s}{'s' if s != 'info' and counts.get(s, 0) != 1 else ''}"
                        for s in ("error", "warning", "info"))
    checked = f"{len(figures)} figures" if figures is not None else "figures"
    docs = options.get("documents")
    scope = f"{checked} in {docs} document{'s' if docs != 1 else ''}" if docs is not None else checked
    lines = [f"figcheck: {n} finding{'s' if n != 1 else ''} ({summary}); {scope} checked"]
    if not n:
        return "\n".join(lines) + "\n"
    metric = findings["metric"] if "metric" in findings else pd.Series([""] * n, index=findings.index)
    for name in sorted(metric.fillna("").unique()):
        lines.append("")
        lines.append(name or "(no metric)")
        for _, f in findings[metric.fillna("") == name].iterrows():
            lines.extend(_finding(f, lookup))
    return "\n".join(lines) + "\n"


def _finding(f: pd.Series, lookup: dict[str, dict[str, Any]]) -> list[str]:
    out = [f"  {f['severity']} {f['rule_id']} {f['verdict']} [{f['finding_id']}]",
           f"    {f['message']}",
           f"    observed: {f['observed']}; expected: {f['expected']}"]
    for fig in figures_of(f["figure_ids"], lookup):
        where = f"{fig.get('doc_id', fig['figure_id'])}"
        if present(fig.get("line")):
            where += f":{int(fig['line'])}"
        facts = [str(fig[k]) for k in ("source", "published") if present(fig.get(k))]
        if present(fig.get("as_of")):
            facts.append(f"as of {fig['as_of']}")
        if present(fig.get("claimant")):
            facts.append(f"according to {fig['claimant']}")
        out.append(f"    - {where}  {', '.join(facts)}".rstrip())
        quote = marked_sentence(fig)
        if quote:
            out.append(f"      “{quote}”")
    return out
