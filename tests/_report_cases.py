"""Small articles written for the report tests, with figures and findings built by hand.

The renderers are tested without the extractor or the rule engine: the figures table is built
from the articles' own text (offsets found with str.find), and the findings are written out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

import figcheck
from figcheck.models import FIGURE_COLUMNS, FINDING_COLUMNS

MD = """---
title: Toll passes 23,000 as fighting moves south
source: Test Wire
published: 2024-01-10
url: https://news.invalid/toll
---
KHAN YOUNIS — The Hamas-run health ministry said on Wednesday that 23,210 people had been killed in Gaza.

Of the 240 people taken hostage on October 7, 105 were freed during the truce and 150 remain in Gaza, the article said.
"""

TXT = """The ministry put the toll at about 21,000 on Jan. 10, 2024, a figure that aid groups repeated.
Officials said the count would be updated.
"""

JSONL_RECORDS = [
    {"id": "blog-1", "title": "Live: café owners count losses", "source": "Test Blog", "published": "2024-01-12",
     "text": "At the café, people talked about the toll.\n\nThe health ministry says “some 22,000” have been killed."},
]

HTML = """<!doctype html>
<html><head><title>Ministry update</title>
<meta property="og:site_name" content="Test Chronicle">
<meta property="article:published_time" content="2024-01-14T10:00:00+02:00">
</head><body>
<nav>Home | World</nav>
<article>
<h1>Ministry update</h1>
<p>The Hamas-run health ministry said on Sunday that more than
24,000 people had been killed in Gaza since the war began, a number it updates daily.</p>
<p>Hospitals in the south are overwhelmed, doctors said, and fuel is running out.</p>
</article>
<footer>© Test Chronicle</footer>
</body></html>
"""

#: An article that tries to run script in the report: a script element, a javascript: link in
#: Markdown and in HTML, an event handler, and a javascript: URL in its metadata.
EVIL = """---
title: "<script>document.title='pwned-title'</script>Breaking"
source: "Evil <b>Wire</b>"
published: 2024-01-15
url: "javascript:alert('url')"
---
""" + (
    "The ministry said 20,000 people had been killed <script>alert(1)</script>"
    "<script>window.__pwned=1;document.title='pwned'</script> in Gaza, see [the list](javascript:alert(2)) "
    "or <a href=\"javascript:alert(3)\">here</a> <img src=x onerror=\"alert(4)\"> for details.\n"
)


def write_corpus(root: Path, *, evil: bool = False, bom: bool = False) -> Path:
    """Write the test articles into ``root`` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "a-wire.md").write_text(MD, encoding="utf-8")
    (root / "b-ledger.txt").write_bytes((b"\xef\xbb\xbf" if bom else b"") + TXT.encode("utf-8"))
    (root / "manifest.csv").write_text("path,source,published\nb-ledger.txt,The Ledger,2024-01-10\n",
                                       encoding="utf-8")
    (root / "c-blog.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in JSONL_RECORDS), encoding="utf-8")
    (root / "d-page.html").write_text(HTML, encoding="utf-8")
    if evil:
        (root / "e-evil.md").write_text(EVIL, encoding="utf-8")
    return root


#: (doc_id, surface, metric, value, low, high, qualifier, as_of, claimant, nth occurrence)
FIGURE_SPECS: list[tuple[Any, ...]] = [
    ("a-wire.md", "23,210", "deaths.gaza", 23210, 23210, 23210, "exact", "2024-01-10",
     "Hamas-run health ministry", 0),
    ("a-wire.md", "240", "hostages.taken", 240, 240, 240, "exact", "2023-10-07", None, 0),
    ("a-wire.md", "105", "hostages.released", 105, 105, 105, "exact", "2023-11-30", None, 0),
    ("a-wire.md", "150", "hostages.held", 150, 150, 150, "exact", "2024-01-10", None, 0),
    ("b-ledger.txt", "about 21,000", "deaths.gaza", 21000, 19950, 22050, "approx", "2024-01-10",
     "Hamas-run health ministry", 0),
    ("blog-1", "some 22,000", "deaths.gaza", 22000, 20900, 23100, "approx", "2024-01-12",
     "Hamas-run health ministry", 0),
    ("d-page.html", "more than\n24,000", "deaths.gaza", 24000, 24000, float("inf"), "more_than", "2024-01-14",
     "Hamas-run health ministry", 0),
]
EVIL_SPEC = ("e-evil.md", "20,000", "deaths.gaza", 20000, 19500, 20500, "exact", "2024-01-15",
             "Hamas-run health ministry", 0)

RULES = [
    {"id": "FC101", "name": "hostages.balance", "kind": "balance", "severity": "error",
     "description": "Hostages taken equal those still held plus every way out of captivity.",
     "rationale": "If the parts overshoot the total, one of the figures is wrong or stale."},
    {"id": "FC201", "name": "deaths.gaza.monotonic", "kind": "monotonic", "severity": "error",
     "description": "The Gaza death toll is a running total: it never falls as the as-of date advances.",
     "rationale": "A lower toll after a higher one is usually a stale figure repeated."},
    {"id": "FC301", "name": "deaths.gaza.agreement", "kind": "agreement", "severity": "warning",
     "description": "Tolls from the same claimant for the same day must overlap.", "rationale": ""},
]


def build(root: Path, *, evil: bool = False, bom: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Write the corpus and return (documents, figures, findings)."""
    write_corpus(root, evil=evil, bom=bom)
    docs = figcheck.load(root)
    assert not [p for p in docs.attrs["problems"] if p.severity == "error"], docs.attrs["problems"]
    specs = FIGURE_SPECS + ([EVIL_SPEC] if evil else [])
    rows = [_figure(docs, *spec) for spec in specs]
    figures = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    fid = {(spec[0], spec[1]): r["figure_id"] for spec, r in zip(specs, rows, strict=True)}
    findings = [
        _finding("5a1e5a1e0001", "FC101", "error", "contradiction",
                 "released 105 + held 150 = 255, but taken is 240 (Test Wire, 2024-01-10)",
                 [fid["a-wire.md", "240"], fid["a-wire.md", "105"], fid["a-wire.md", "150"]], "255", "≤ 240",
                 "hostages.taken"),
        _finding("5a1e5a1e0002", "FC201", "error", "stale",
                 "deaths.gaza fell from 23,210 on 2024-01-10 to some 22,000 on 2024-01-12",
                 [fid["a-wire.md", "23,210"], fid["blog-1", "some 22,000"]], "22,000", "≥ 23,210", "deaths.gaza"),
        _finding("5a1e5a1e0003", "FC301", "warning", "contradiction",
                 "about 21,000 (The Ledger) and 23,210 (Test Wire) for 2024-01-10 do not overlap",
                 [fid["b-ledger.txt", "about 21,000"], fid["a-wire.md", "23,210"]], "19,950–22,050", "23,210",
                 "deaths.gaza"),
        _finding("5a1e5a1e0004", "FC301", "warning", "contradiction",
                 "some 22,000 (Test Blog, 2024-01-12) and more than 24,000 (Test Chronicle, 2024-01-14) are two "
                 "days apart and do not overlap",
                 [fid["blog-1", "some 22,000"], fid["d-page.html", "more than\n24,000"]], "> 24,000", "20,900–23,100",
                 "deaths.gaza"),
    ]
    if evil:
        findings.append(_finding(
            "5a1e5a1e0666", "FC201", "error", "stale",
            "deaths.gaza fell from more than 24,000 to 20,000 <script>alert('msg')</script>",
            [fid["d-page.html", "more than\n24,000"], fid["e-evil.md", "20,000"]], "20,000", "> 24,000",
            "deaths.gaza"))
    return docs, figures, pd.DataFrame(findings, columns=[*FINDING_COLUMNS, "metric"])


def _figure(docs: pd.DataFrame, doc_id: str, surface: str, metric: str, value: float, low: float, high: float,
            qualifier: str, as_of: str, claimant: str | None, nth: int) -> dict[str, Any]:
    doc = docs.set_index("doc_id").loc[doc_id]
    text: str = doc["text"]
    if surface not in text:  # the HTML reader joins the lines of a paragraph
        surface = " ".join(surface.split())
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    end = start + len(surface)
    dot = text.rfind(". ", 0, start)
    s0 = max(dot + 2 if dot >= 0 else 0, text.rfind("\n", 0, start) + 1)
    s1 = min(x for x in (text.find(". ", end), text.find("\n", end), len(text)) if x >= 0)
    line_offset = int(doc["line_offset"])
    line = (line_offset + 1) if doc["format"] == "jsonl" else line_offset + text.count("\n", 0, start) + 1
    return {
        "figure_id": f"{doc_id}:{start}", "doc_id": doc_id, "source": doc["source"], "published": doc["published"],
        "metric": metric, "value": float(value), "low": float(low), "high": float(high), "qualifier": qualifier,
        "unit": "person", "noun": "people", "as_of": as_of, "as_of_basis": "published", "claimant": claimant,
        "modality": "asserted", "surface": surface, "start": start, "end": end, "line": max(line, 1),
        "sentence": text[s0:s1 + 1].strip(), "confidence": 0.9,
    }


def _finding(finding_id: str, rule_id: str, severity: str, verdict: str, message: str, figure_ids: list[str],
             observed: str, expected: str, metric: str) -> dict[str, Any]:
    return {"finding_id": finding_id, "rule_id": rule_id, "severity": severity, "verdict": verdict,
            "message": message, "figure_ids": figure_ids, "observed": observed, "expected": expected,
            "metric": metric}
