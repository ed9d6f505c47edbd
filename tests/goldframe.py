"""Figures tables built from gold annotations, so rule tests do not depend on the extractor.

Each gold line becomes a figures row: its interval comes from `figcheck.extract.qualifiers.interval`
with the tolerances of rules/qualifiers.yaml (the same code and data the extractor uses), its
offset and line from the first unused occurrence of its surface in the article.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from figcheck import corpus
from figcheck.engine import make_figures
from figcheck.extract.qualifiers import interval
from figcheck.text import TextIndex
from figcheck.vocab import load_vocabulary


def _rounding(value: float) -> float:
    if value != int(value) or value == 0:
        return 0.0
    v, place = int(abs(value)), 1
    while v % 10 == 0:
        v //= 10
        place *= 10
    return float(place)


def gold_figures(gold_dir: Path, corpus_dir: Path) -> pd.DataFrame:
    """The figures table the gold files of ``gold_dir`` describe, for the articles in ``corpus_dir``."""
    q = load_vocabulary().qualifiers
    docs = {}
    for item in corpus.iter_documents([corpus_dir]):
        if isinstance(item, corpus.Document):
            docs[item.doc_id] = item
    by_name = {}
    for doc_id in docs:
        by_name[doc_id] = doc_id
        by_name[doc_id.rsplit(".", 1)[0]] = doc_id
    rows = []
    for path in sorted(gold_dir.glob("*.jsonl")):
        doc = docs[by_name[path.stem]]
        index = TextIndex(doc.text)
        used: dict[str, int] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            g = json.loads(line)
            start = doc.text.index(g["surface"], used.get(g["surface"], 0))
            used[g["surface"]] = start + len(g["surface"])
            value = float(g["value"])
            if g["qualifier"] == "vague":
                low, high = value, q.vague.get(g["surface"].lower(), (value, value))[1]
            else:
                low, high = interval(value, g["qualifier"], _rounding(value), q)
            s, e = index.sentence_span(start)
            line_no = doc.line_offset + 1 if doc.format == "jsonl" else index.line(start) + doc.line_offset
            rows.append({
                "doc_id": doc.doc_id, "source": doc.source, "published": doc.published, "metric": g["metric"],
                "value": value, "low": low, "high": high, "qualifier": g["qualifier"], "as_of": g["as_of"],
                "claimant": g["claimant"], "modality": g["modality"], "surface": g["surface"], "start": start,
                "end": start + len(g["surface"]), "line": line_no, "sentence": " ".join(doc.text[s:e].split()),
            })
    return make_figures(rows)
