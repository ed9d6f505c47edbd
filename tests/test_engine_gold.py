"""The shipped rules over the gold figures of examples/ and the seeds: the planted contradictions
(examples/README.md, P1-P8) are found, and nothing else is. These tests do not depend on the
extractor: the figures come from tests/gold (see goldframe.py)."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES, GOLD, ROOT
from figcheck.engine import run
from figcheck.ruleset import load_rules
from figcheck.vocab import load_vocabulary
from goldframe import gold_figures

VOCAB = load_vocabulary(ROOT / "rules")
RULES = load_rules(ROOT / "rules", VOCAB)

CAIRO = "2023-12-21-cairo-talks.md"
KHAN = "2023-12-05-khan-younis-push.md"
TOLL_0121 = "2024-01-21-gaza-toll-khan-younis.md"
JOURNALISTS = "daily-ledger-journalists.txt"
MALNUTRITION = "2024-02-26-child-malnutrition.md"
MARCH = "2024-03-27-hostage-talks-stall.md"
LB_12, LB_14 = "liveblog-2024-02-12-rafah-rescue", "liveblog-2024-02-14-rafah-warnings"

#: (id, rule, verdict, severity, figures as (doc_id, surface)) for every finding examples/ should give.
EXPECTED_EXAMPLES = [
    ("P1", "FC203", "contradiction", "error", {(CAIRO, "About 129"), (TOLL_0121, "136")}),
    ("P2", "FC501", "revision", "info", {("2023-10-25-families-press-for-hostages.md", "1,400"),
                                         ("2023-11-10-israel-revises-toll.md", "about 1,200")}),
    ("P3", "FC401", "contradiction", "error", {(TOLL_0121, "25,105"), (JOURNALISTS, "about 24,000")}),
    ("P4", "FC201", "contradiction", "error", {(LB_12, "28,340"), (LB_14, "some 26,000")}),
    ("P5", "FC101", "contradiction", "error", {(KHAN, "240"), (KHAN, "105"), (KHAN, "150")}),
    ("P6", "FC303", "contradiction", "error", {(MALNUTRITION, "More than 12,300"), (MALNUTRITION, "10,000")}),
    ("P6-series", "FC201", "contradiction", "error", {(LB_12, "28,340"), (MALNUTRITION, "10,000")}),
    ("P7", "FC402", "contradiction", "error", {("2023-12-01-truce-ends.html", "105"), (CAIRO, "110")}),
    ("taken-revised", "FC501", "revision", "info", {(KHAN, "240"), (MARCH, "253")}),
]


@pytest.fixture(scope="module")
def examples():
    figures = gold_figures(GOLD / "examples", EXAMPLES)
    return figures, run(figures, RULES, VOCAB)


def _keyed(figures, findings):
    where = {r.figure_id: (r.doc_id, r.surface) for r in figures.itertuples()}
    return [(f.rule_id, f.verdict, f.severity, frozenset(where[i] for i in f.figure_ids), f.message)
            for f in findings.itertuples()]


@pytest.mark.parametrize(("pid", "rule", "verdict", "severity", "figs"), EXPECTED_EXAMPLES,
                         ids=[e[0] for e in EXPECTED_EXAMPLES])
def test_planted_contradiction_is_found(examples, pid, rule, verdict, severity, figs):
    figures, findings = examples
    got = _keyed(figures, findings)
    match = [g for g in got if g[0] == rule and g[3] == frozenset(figs)]
    if pid == "P3":
        row = figures[(figures["doc_id"] == JOURNALISTS) & (figures["metric"] == "deaths.gaza")].iloc[0]
        assert match, (f"P3: 'about 24,000' reads as {row['low']:g}-{row['high']:g} with the approx tolerance in "
                       "rules/qualifiers.yaml, which holds 25,105; the planted contradiction needs a narrower "
                       "reading of 'about' for round thousands (see the report to the lead)")
    assert match, f"{pid} not found; findings: {[(g[0], sorted(g[3])) for g in got]}"
    assert match[0][1] == verdict and match[0][2] == severity
    for _doc, surface in figs:
        assert f"“{surface}”" in match[0][4], "the message quotes every figure"


def test_nothing_else_is_reported_on_examples(examples):
    figures, findings = examples
    expected = {(rule, frozenset(figs)) for _, rule, _, _, figs in EXPECTED_EXAMPLES}
    extra = [(g[0], sorted(g[3])) for g in _keyed(figures, findings) if (g[0], g[3]) not in expected]
    assert not extra, f"false findings: {extra}"


def test_proposals_and_incident_tolls_never_take_part(examples):
    figures, findings = examples
    involved = {i for ids in findings["figure_ids"] for i in ids}
    quiet = figures[~figures["modality"].isin(["asserted", "estimate", "belief"])
                    | figures["metric"].str.startswith("incident.")]
    assert len(quiet) >= 9, "P8's proposals and the four incident tolls are in the gold"
    assert not involved & set(quiet["figure_id"])


@pytest.fixture
def seed_findings(seeds):
    figures = gold_figures(GOLD / "seeds", seeds)
    return figures, run(figures, RULES, VOCAB)


def test_seeds_gold_hostages_held_rises_129_to_132(seed_findings):
    figures, findings = seed_findings
    got = _keyed(figures, findings)
    assert [(g[0], g[1], sorted(g[3])) for g in got] == [
        ("FC203", "contradiction", [("002_24b098699305804f.txt", "129"), ("003_d6db648224b6c3df.txt", "132")])]
    message = got[0][4]
    assert "The Times of Israel, 2023-12-21" in message and "The Times of Israel, 2024-02-08" in message


def test_seeds_gold_march_arithmetic_balances_and_240_or_more_agrees_with_253(seed_findings):
    figures, findings = seed_findings
    assert not (findings["rule_id"].isin(["FC101", "FC501"])).any()
    proposals = set(figures.loc[figures["modality"] == "proposal", "figure_id"])
    assert len(proposals) == 3  # 1,500, as many as 800, 40
    assert not proposals & {i for ids in findings["figure_ids"] for i in ids}
