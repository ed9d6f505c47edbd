"""Property-based tests (hypothesis): the extractor and the rule engine on arbitrary input.

Extractor properties, for any Unicode text:
  * `scan` and `extract_document` never raise;
  * every figure's ``text[start:end] == surface``, with 0 <= start < end <= len(text);
  * ``low <= value <= high``, and the row passes the figures contract (`figcheck.validate`).

Rule-engine properties (once `figcheck.engine` lands): the engine never raises on a figures
table that passes the contract, and its findings do not change when the rows are permuted.

When hypothesis finds a counterexample it prints the minimal text; keep it in the report for the
extractor's owner rather than weakening the property.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings, target
from hypothesis import strategies as st

from figcheck.corpus import document_from_text
from figcheck.extract.figures import extract_document, figures_frame
from figcheck.extract.quantities import scan
from figcheck.models import AS_OF_BASES, FIGURE_COLUMNS, MODALITIES, QUALIFIERS
from figcheck.vocab import load_vocabulary

VOCAB = load_vocabulary()

# Pieces of news text that exercise the extractor's special cases: qualifiers, ranges, spelled and
# scaled numbers, fractions, vague words, dates, ordinals, units, claimants, modal verbs, and
# characters whose case mapping changes length or that look like digits.
FRAGMENTS = [
    "about", "some", "more than", "at least", "nearly", "almost", "up to", "fewer than", "or more", "between",
    "and", "to", "-", "–", "—", "of", "the", "a fifth of the", "half of", "dozens of", "hundreds of",
    "thousands", "one", "two hundred and twenty-seven", "twenty-one", "a million", "2.3 million", "1,200",
    "27,019", "129", "240", "0", "00", "1.5bn", "40-50", "153–166", "10%", "$5 million", "12th", "7 October",
    "October 7", "Nov. 24", "2023-11-24", "31 February 2024", "February 30", "on Tuesday", "last week",
    "yesterday", "hostages", "people", "Palestinians", "were killed", "still held", "released", "freed",
    "rescued", "bodies", "the health ministry said", "the IDF said", "Israel says", "according to the UN",
    "would free", "demanded", "if", "not", "believed", "estimated", "Channel 12", "aged 85", "85-year-old",
    ".", ",", ";", ":", "(", ")", "\"", "’", "\n", "\n\n", " ", "  ", "\t", "İ", "ß", "ǅ", "ﬁ", "٣", "１２",
    "²", "½", "⅓", "e\u0301", "\u200b", "\u2028", "\ufeff", "\r\n", "🙂", "\U0001d7d9",
]

news_like = st.builds(lambda sep, parts: sep.join(parts), st.sampled_from([" ", "", "\n"]),
                      st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=40))
any_text = st.text(max_size=300)
texts = news_like | any_text

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
@example("İİİ 240 hostages were taken")
@example("31 February 2024: about 1,200 people were killed")
def test_scan_never_raises_and_spans_are_in_the_text(text):
    for q in scan(text):
        assert 0 <= q.start < q.end <= len(text), (q, text)
        assert not math.isnan(q.value)
        if q.low is not None:
            assert q.low <= q.value, (q, text)
        if q.high is not None:
            assert q.value <= q.high, (q, text)


@SETTINGS
@given(texts, st.sampled_from([None, "2024-02-29", "2023-12-01"]))
@example("İİİ about 240 hostages were taken", None)
@example("Hamas still holds about 129 hostages.", "2023-12-19")
def test_extractor_never_raises_and_keeps_offsets_and_intervals(text, published):
    doc = document_from_text(text, doc_id="prop.txt", published=published)
    for row in extract_document(doc, VOCAB):
        assert list(row) == FIGURE_COLUMNS
        assert text[row["start"]:row["end"]] == row["surface"], (row, text)
        assert 0 <= row["start"] < row["end"] <= len(text)
        assert row["low"] <= row["value"] <= row["high"], (row, text)
        assert row["value"] >= 0
        assert row["low"] >= 0
        assert row["qualifier"] in QUALIFIERS
        assert row["modality"] in MODALITIES
        assert row["as_of_basis"] in (*AS_OF_BASES, "", None)
        assert row["metric"] is None or row["metric"] in VOCAB.metrics
        assert 0 <= row["confidence"] <= 1
        assert row["figure_id"] == f"prop.txt:{row['start']}"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=12))
def test_extracted_rows_always_pass_the_contract(batch):
    """Many documents per example: one great-expectations run checks them all."""
    from figcheck.validate import validate_figures

    docs = [document_from_text(t, doc_id=f"d{i}.txt", published="2024-01-15") for i, t in enumerate(batch)]
    rows = [row for doc in docs for row in extract_document(doc, VOCAB)]
    assume(rows)
    frame = figures_frame(rows)
    documents = pd.DataFrame({"doc_id": [d.doc_id for d in docs], "path": [d.path for d in docs],
                              "text": [d.text for d in docs]})
    good, problems = validate_figures(frame, documents, VOCAB)
    assert problems == [], [str(p) for p in problems]
    assert len(good) == len(frame)


# --------------------------------------------------------------------------------------------
# the rule engine (figcheck.engine, figcheck.api.check): runs as soon as it lands


# Metrics the shipped rules relate (balance, bound, monotonic, agreement, revision), so that the
# generated tables do produce findings, and claimants of different series.
RULE_METRICS = ["hostages.taken", "hostages.held", "hostages.released", "hostages.dead", "hostages.rescued",
                "deaths.gaza", "deaths.children", "deaths.israel", "prisoners.released"]
CLAIMANTS = [None, "Hamas-run health ministry", "IDF", "Israel", "UN OCHA"]


def _contract_valid_figures():
    """Strategy: small figures tables that pass the contract, built row by row."""
    metrics = [m for m in RULE_METRICS if m in VOCAB.metrics]
    dates = st.dates(min_value=pd.Timestamp("2023-10-07").date(), max_value=pd.Timestamp("2023-12-31").date())

    @st.composite
    def row(draw, i):
        value = float(draw(st.integers(min_value=0, max_value=400)))
        low = value - float(draw(st.integers(min_value=0, max_value=int(min(value, 20)))))
        high = draw(st.one_of(st.just(math.inf), st.floats(min_value=value, max_value=value + 20)))
        surface = str(int(value))
        doc = f"doc{draw(st.integers(min_value=0, max_value=3))}.txt"
        start = 10 * i
        as_of = draw(dates).isoformat()
        return {
            "figure_id": f"{doc}:{start}", "doc_id": doc, "source": draw(st.sampled_from(["Wire", "Daily", None])),
            "published": as_of, "metric": draw(st.sampled_from([*metrics, None])), "value": value, "low": low,
            "high": high, "qualifier": draw(st.sampled_from(QUALIFIERS)), "unit": "person", "noun": "people",
            "as_of": as_of, "as_of_basis": draw(st.sampled_from(AS_OF_BASES)),
            "claimant": draw(st.sampled_from(CLAIMANTS)),
            "modality": draw(st.sampled_from(["asserted", "asserted", "estimate", "belief", *MODALITIES])),
            "surface": surface, "start": start, "end": start + len(surface), "line": 1 + i, "sentence": surface,
            "confidence": 0.9,
        }

    return st.integers(min_value=0, max_value=25).flatmap(
        lambda n: st.tuples(*[row(i) for i in range(n)])).map(lambda rows: figures_frame(list(rows)))


_RULES: list = []


def _check(figures):
    """The shipped rules over ``figures`` (`figcheck.engine.run`, what `figcheck.api.check` runs)."""
    pytest.importorskip("figcheck.engine")
    from figcheck.engine import run
    from figcheck.ruleset import load_rules

    if not _RULES:
        _RULES.extend(load_rules(None, VOCAB))
    return run(figures, _RULES, VOCAB)


ENGINE_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_contract_valid_figures(), min_size=8, max_size=8))
def test_the_generated_tables_do_pass_the_contract(tables):
    """The engine properties hold for contract-valid tables: check the strategy makes those."""
    from figcheck.validate import validate_figures

    frames = []
    for k, table in enumerate(tables):  # one great-expectations run for eight tables
        doc_id = f"t{k}/" + table["doc_id"]
        frames.append(table.assign(doc_id=doc_id, figure_id=doc_id + ":" + table["start"].astype(str)))
    combined = figures_frame(pd.concat(frames, ignore_index=True).to_dict("records"))
    good, problems = validate_figures(combined, None, VOCAB)
    assert problems == []
    assert len(good) == len(combined)


def test_permutation_check_is_not_vacuous():
    """A table with known contradictions: findings exist, and 20 shuffles give the same frame."""
    import random

    rows = []
    for i, (metric, value, as_of, claimant) in enumerate([
        ("hostages.taken", 240.0, "2023-10-20", "Israel"), ("hostages.released", 105.0, "2023-12-01", "Israel"),
        ("hostages.held", 150.0, "2023-12-05", "Israel"), ("hostages.held", 137.0, "2023-12-10", "Israel"),
        ("hostages.held", 145.0, "2023-12-20", "Israel"), ("deaths.gaza", 18000.0, "2023-12-10", None),
        ("deaths.gaza", 17000.0, "2023-12-20", None), ("deaths.children", 19000.0, "2023-12-20", None),
    ]):
        surface = str(int(value))
        rows.append({"figure_id": f"d{i}.txt:0", "doc_id": f"d{i}.txt", "source": "Wire", "published": as_of,
                     "metric": metric, "value": value, "low": value, "high": value, "qualifier": "exact",
                     "unit": "person", "noun": "people", "as_of": as_of, "as_of_basis": "published",
                     "claimant": claimant, "modality": "asserted", "surface": surface, "start": 0,
                     "end": len(surface), "line": 1, "sentence": surface, "confidence": 0.9})
    table = figures_frame(rows)
    expected = _check(table)
    assert len(expected) >= 3, expected[["rule_id", "message"]]
    rnd = random.Random(7)
    for _ in range(20):
        order = list(range(len(table)))
        rnd.shuffle(order)
        pd.testing.assert_frame_equal(_check(table.iloc[order].reset_index(drop=True)), expected)


@ENGINE_SETTINGS
@given(_contract_valid_figures())
def test_rule_engine_never_raises_on_contract_valid_figures(figures):
    findings = _check(figures)
    assert list(findings.columns[:8]) == ["finding_id", "rule_id", "severity", "verdict", "message", "figure_ids",
                                          "observed", "expected"]
    known = set(figures["figure_id"])
    for ids in findings["figure_ids"]:
        assert set(ids) <= known


@ENGINE_SETTINGS
@given(_contract_valid_figures(), st.randoms(use_true_random=False))
def test_findings_do_not_change_when_rows_are_permuted(figures, rnd):
    order = list(range(len(figures)))
    rnd.shuffle(order)
    shuffled = figures.iloc[order].reset_index(drop=True)
    findings = _check(figures)
    target(float(len(findings)))  # steer generation towards tables the rules have something to say about
    pd.testing.assert_frame_equal(findings, _check(shuffled))
