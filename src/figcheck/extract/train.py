"""Training examples for the metric model: every figure the rules extract, labelled from gold."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from figcheck.corpus import documents_from_frame, load
from figcheck.evaluate import VALUE_TOLERANCE, GoldFigure, doc_key, load_gold
from figcheck.extract.figures import cue_figures_with_features
from figcheck.extract.model import NONE
from figcheck.models import Problem
from figcheck.vocab import Vocabulary


def training_examples(sets: Sequence[tuple[str | os.PathLike[str], str | os.PathLike[str]]],
                      vocab: Vocabulary) -> tuple[list[tuple[dict[str, float], str]], list[Problem]]:
    """(features, label) for every figure the rules extract from each (gold folder, corpus) pair.

    The rules run without any model, so the model learns to correct them. A figure's label is
    the metric of the gold figure whose words contain it and whose value it has (any modality: the
    metric of a proposal is still its metric), else `NONE`. Documents without a gold file are
    skipped.
    """
    examples: list[tuple[dict[str, float], str]] = []
    problems: list[Problem] = []
    for gold_dir, corpus in sets:
        gold, gold_problems = load_gold(gold_dir)
        problems += gold_problems
        docs, load_problems = load([corpus])
        problems += load_problems
        for doc in documents_from_frame(docs):
            items = gold.get(doc_key(doc.doc_id))
            if items is None or not doc.text:
                continue
            examples += [(f, label_of(row, items)) for row, f in cue_figures_with_features(doc, vocab)]
    return examples, problems


def label_of(row: dict[str, Any], gold: list[GoldFigure]) -> str:
    """The gold metric of an extracted figure: same value, and its words inside the gold's words."""
    def close(g: GoldFigure) -> bool:
        return bool(abs(float(row["value"]) - g.value) <= VALUE_TOLERANCE * max(abs(g.value), 1e-9))
    for g in gold:
        if close(g) and g.surface and row["surface"] in g.surface:
            return g.metric
    last = row["surface"].split()[-1] if row["surface"].split() else row["surface"]
    for g in gold:
        if close(g) and g.surface and last in g.surface:
            return g.metric
    return NONE


__all__ = ["label_of", "training_examples"]
