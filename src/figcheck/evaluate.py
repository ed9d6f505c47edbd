"""Score extraction against gold annotations: precision, recall and F1 on (metric, value)."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from figcheck.errors import UsageError
from figcheck.models import FACTUAL_MODALITIES, Problem

#: Two values match when they differ by at most this fraction of the gold value.
VALUE_TOLERANCE = 0.005


@dataclass(frozen=True)
class GoldFigure:
    """One annotated figure (see tests/gold/GUIDELINES.md)."""

    doc: str
    metric: str
    value: float
    qualifier: str | None
    as_of: str | None
    modality: str
    claimant: str | None
    surface: str | None


@dataclass
class Score:
    """Counts for one slice (a metric, a document, or everything), and the derived rates."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    as_of_right: int = 0  # matched figures whose as_of equals the gold's
    qualifier_right: int = 0  # matched figures whose qualifier equals the gold's
    false_positives: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was extracted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when the gold is empty."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        """Accumulate another slice's counts."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.as_of_right += other.as_of_right
        self.qualifier_right += other.qualifier_right
        self.false_positives += other.false_positives
        self.misses += other.misses

    def as_dict(self) -> dict[str, Any]:
        """Counts and rates, rounded for display."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "as_of_accuracy": round(self.as_of_right / self.tp, 4) if self.tp else None,
                "qualifier_accuracy": round(self.qualifier_right / self.tp, 4) if self.tp else None}


@dataclass
class Evaluation:
    """The result of `evaluate`: overall, per metric and per document, on (metric, value) and value."""

    overall: Score
    by_metric: dict[str, Score]
    by_doc: dict[str, Score]
    value_only: Score
    documents: int
    gold_figures: int
    problems: list[Problem]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (false positives and misses listed per document)."""
        return {
            "documents": self.documents,
            "gold_figures": self.gold_figures,
            "metric_value": self.overall.as_dict(),
            "value_only": self.value_only.as_dict(),
            "by_metric": {k: v.as_dict() for k, v in sorted(self.by_metric.items())},
            "by_document": {k: v.as_dict() | {"false_positives": v.false_positives, "misses": v.misses}
                            for k, v in sorted(self.by_doc.items())},
        }


def load_gold(gold_dir: str | os.PathLike[str]) -> tuple[dict[str, list[GoldFigure]], list[Problem]]:
    """Read every ``*.jsonl`` gold file under ``gold_dir`` (recursively), keyed by file stem."""
    root = Path(gold_dir)
    if not root.is_dir():
        raise UsageError(f"gold folder not found: {root}")
    gold: dict[str, list[GoldFigure]] = {}
    problems: list[Problem] = []
    for path in sorted(root.rglob("*.jsonl")):
        name = path.stem
        items: list[GoldFigure] = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                items.append(GoldFigure(name, str(rec["metric"]), float(rec["value"]), rec.get("qualifier"),
                                        rec.get("as_of"), str(rec.get("modality") or "asserted"),
                                        rec.get("claimant"), rec.get("surface")))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                problems.append(Problem(str(path), lineno, f"is not a gold figure ({exc})",
                                        "see tests/gold/GUIDELINES.md for the format"))
        if name in gold:
            problems.append(Problem(str(path), 0, f"a second gold file for {name!r}; ignored",
                                    "keep one gold file per article"))
            continue
        gold[name] = items
    return gold, problems


def doc_key(doc_id: str) -> str:
    """The gold file stem for a document id: the id without its final extension and folders."""
    base = doc_id.rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return stem if dot and ext.isalpha() and len(ext) <= 8 else base


def evaluate(gold: dict[str, list[GoldFigure]], figures: pd.DataFrame) -> Evaluation:
    """Score extracted ``figures`` against ``gold``.

    Only documents that have a gold file are scored. On each side the figures counted are the
    factual ones (asserted, estimate, belief) that have a metric; a proposal or demand
    extracted as fact is therefore a false positive, and one extracted as a proposal is ignored.
    Each document's figures are compared as sets of (metric, value): a figure repeated in a text
    counts once. Values match within `VALUE_TOLERANCE` of the gold value.
    """
    extracted: dict[str, list[_Item]] = defaultdict(list)
    factual = figures[figures["metric"].notna() & figures["modality"].isin(FACTUAL_MODALITIES)]
    for doc_id, metric, value, surface, as_of, qualifier in zip(
            factual["doc_id"], factual["metric"], factual["value"], factual["surface"], factual["as_of"],
            factual["qualifier"], strict=True):
        extracted[doc_key(str(doc_id))].append((str(metric), float(value), str(surface), as_of, qualifier))

    overall, value_only = Score(), Score()
    by_metric: dict[str, Score] = defaultdict(Score)
    by_doc: dict[str, Score] = {}
    n_gold = 0
    for name in sorted(gold):
        want = _dedupe((g.metric, g.value, g.surface or "", g.as_of, g.qualifier) for g in gold[name]
                       if g.modality in FACTUAL_MODALITIES)
        got = _dedupe(extracted.get(name, []))
        n_gold += len(want)
        doc_score = Score()
        for metric, score in _match(want, got, with_metric=True).items():
            by_metric[metric].add(score)
            doc_score.add(score)
        by_doc[name] = doc_score
        overall.add(doc_score)
        for score in _match(want, got, with_metric=False).values():
            value_only.add(score)
    return Evaluation(overall, dict(by_metric), by_doc, value_only, len(gold), n_gold, [])


#: (metric, value, surface, as_of, qualifier)
_Item = tuple[str, float, str, Any, Any]


def _dedupe(items: Iterable[_Item]) -> list[_Item]:
    seen: dict[tuple[str, float], _Item] = {}
    for item in items:
        seen.setdefault((item[0], round(item[1], 6)), item)
    return list(seen.values())


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE * max(abs(b), 1e-9)


def _match(want: list[_Item], got: list[_Item], *, with_metric: bool) -> dict[str, Score]:
    """Greedy one-to-one matching; scores keyed by metric (gold metric for TP/FN, extracted for FP)."""
    scores: dict[str, Score] = defaultdict(Score)
    free = list(got)
    for metric, value, surface, as_of, qualifier in want:
        hit = next((g for g in free if _close(g[1], value) and (not with_metric or g[0] == metric)), None)
        if hit is not None:
            free.remove(hit)
            score = scores[metric]
            score.tp += 1
            score.as_of_right += hit[3] == as_of
            score.qualifier_right += hit[4] == qualifier
        else:
            scores[metric].fn += 1
            scores[metric].misses.append(f"{metric} {value:g} ({surface!r})")
    for metric, value, surface, _as_of, _qualifier in free:
        scores[metric].fp += 1
        scores[metric].false_positives.append(f"{metric} {value:g} ({surface!r})")
    return scores
