"""The engine: which figures take part, the findings table, fingerprints, determinism, range queries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import figcheck
from conftest import ROOT
from figcheck.checks._common import RangeMax
from figcheck.engine import make_figures, prepare, resolve_series, run
from figcheck.models import FINDING_COLUMNS
from figcheck.ruleset import load_rules
from figcheck.vocab import load_vocabulary

VOCAB = load_vocabulary(ROOT / "rules")
RULES = load_rules(ROOT / "rules", VOCAB)

# A small corpus with four contradictions (balance, monotonic, bound, agreement) and a revision.
ROWS = [
    {"doc_id": "a.md", "metric": "hostages.taken", "value": 240, "as_of": "2023-10-07", "published": "2023-12-05"},
    {"doc_id": "a.md", "metric": "hostages.released", "value": 105, "as_of": "2023-11-30", "published": "2023-12-05",
     "start": 20},
    {"doc_id": "a.md", "metric": "hostages.held", "value": 150, "as_of": "2023-12-05", "start": 40},
    {"doc_id": "b.md", "metric": "deaths.gaza", "value": 28340, "as_of": "2024-02-12",
     "claimant": "Hamas-run health ministry"},
    {"doc_id": "c.md", "metric": "deaths.gaza", "value": 26000, "low": 24700, "high": 27300, "qualifier": "approx",
     "as_of": "2024-02-14", "claimant": "Hamas-run health ministry"},
    {"doc_id": "d.md", "metric": "deaths.children", "value": 12300, "low": 12300, "high": float("inf"),
     "as_of": "2024-02-26", "claimant": "Hamas-run health ministry"},
    {"doc_id": "d.md", "metric": "deaths.gaza", "value": 10000, "low": 9500, "high": 10500, "as_of": "2024-02-26",
     "claimant": "Hamas-run health ministry", "start": 30},
    {"doc_id": "e.md", "metric": "hostages.released", "value": 110, "as_of": "2023-12-01", "published": "2023-12-21"},
    {"doc_id": "f.md", "metric": "hostages.released", "value": 105, "as_of": "2023-12-01"},
    {"doc_id": "g.md", "metric": "hostages.taken", "value": 253, "as_of": "2023-10-07", "published": "2024-03-27",
     "claimant": "Israel"},
]


def _findings(rows=ROWS):
    return run(make_figures(rows), RULES, VOCAB)


def test_findings_table_has_the_contract_columns_first():
    found = _findings()
    assert list(found.columns[: len(FINDING_COLUMNS)]) == FINDING_COLUMNS
    assert list(found.columns[len(FINDING_COLUMNS):]) == ["metric", "kind", "rule_name"]
    assert set(found["rule_id"]) == {"FC101", "FC201", "FC303", "FC402", "FC501"}
    assert all(isinstance(ids, list) and len(ids) >= 2 for ids in found["figure_ids"])
    order = [("error", "warning", "info").index(s) for s in found["severity"]]
    assert order == sorted(order)
    assert found["finding_id"].is_unique


def test_finding_ids_survive_reordering_rerun_and_growth():
    first = _findings()
    shuffled = _findings(list(reversed(ROWS)))
    assert first["finding_id"].tolist() == shuffled["finding_id"].tolist()
    assert first["message"].tolist() == shuffled["message"].tolist()
    grown = _findings([*ROWS, {"doc_id": "z.md", "metric": "deaths.gaza", "value": 32414, "as_of": "2024-03-27",
                               "claimant": "Hamas-run health ministry"}])
    assert set(first["finding_id"]) <= set(grown["finding_id"])


def test_fingerprint_ignores_offsets_and_row_ids():
    moved = [dict(r, start=r.get("start", 0) + 1000) for r in ROWS]
    assert _findings()["finding_id"].tolist() == _findings(moved)["finding_id"].tolist()


@pytest.mark.parametrize("modality", ["proposal", "demand", "hypothetical", "negated"])
def test_only_factual_figures_take_part(modality):
    rows = [
        {"doc_id": "a.md", "metric": "hostages.released", "value": 105, "as_of": "2023-12-01"},
        {"doc_id": "b.md", "metric": "hostages.released", "value": 40, "as_of": "2024-03-27", "modality": modality},
        {"doc_id": "b.md", "metric": "hostages.taken", "value": 253, "as_of": "2023-10-07", "start": 5},
        {"doc_id": "b.md", "metric": "hostages.held", "value": 130, "as_of": "2024-03-27", "start": 9},
        {"doc_id": "b.md", "metric": "hostages.released", "value": 800, "as_of": "2024-03-27", "start": 15,
         "modality": modality},
    ]
    assert _findings(rows).empty
    as_fact = [dict(r, modality="asserted") for r in rows]
    assert not _findings(as_fact).empty, "the same figures stated as fact do contradict"


def test_incident_tolls_never_feed_cumulative_rules():
    rows = [
        {"doc_id": "a.md", "metric": "deaths.gaza", "value": 15207, "as_of": "2023-12-01"},
        {"doc_id": "b.md", "metric": "incident.deaths", "value": 178, "as_of": "2023-12-02"},
        {"doc_id": "c.md", "metric": "incident.deaths", "value": 50, "as_of": "2023-12-03"},
    ]
    assert _findings(rows).empty
    assert not _findings([dict(r, metric="deaths.gaza") for r in rows]).empty


def test_intervals_must_be_disjoint():
    rows = [
        {"doc_id": "a.txt", "metric": "deaths.gaza", "value": 27000, "low": 27000, "high": float("inf"),
         "as_of": "2024-02-08", "claimant": "Hamas-run health ministry"},
        {"doc_id": "b.txt", "metric": "deaths.gaza", "value": 27019, "as_of": "2024-02-08",
         "claimant": "Hamas-run health ministry"},
        {"doc_id": "c.txt", "metric": "hostages.held", "value": 129, "low": 122.55, "high": 135.45,
         "as_of": "2023-12-19"},
        {"doc_id": "d.txt", "metric": "hostages.held", "value": 130, "low": 123.5, "high": 136.5,
         "as_of": "2023-12-20"},
    ]
    assert _findings(rows).empty


def test_unknown_metrics_and_unitless_mismatches_are_ignored():
    rows = [
        {"doc_id": "a", "metric": "deaths.gaza", "value": 28000, "as_of": "2024-02-12"},
        {"doc_id": "b", "metric": "deaths.gaza", "value": 3, "unit": "day", "as_of": "2024-02-13"},
        {"doc_id": "c", "metric": "trucks.aid", "value": 1, "as_of": "2024-02-14"},
        {"doc_id": "d", "metric": None, "value": 2, "as_of": "2024-02-14"},
    ]
    assert prepare(make_figures(rows), VOCAB)["doc_id"].tolist() == ["a"]
    assert _findings(rows).empty


def test_claimant_series():
    assert resolve_series("Hamas-run health ministry", VOCAB) == resolve_series("Gaza government media office", VOCAB)
    assert resolve_series("IDF", VOCAB) == resolve_series("Israel", VOCAB) == "israel"
    assert resolve_series("the enclave's health ministry", VOCAB) == "gaza_moh"
    assert resolve_series("Channel 12", VOCAB) == "Channel 12"
    assert resolve_series(None, VOCAB) is None and resolve_series(float("nan"), VOCAB) is None


def test_claimants_any_compares_across_series():
    import dataclasses

    rows = [{"doc_id": "a", "metric": "hostages.held", "value": 129, "as_of": "2023-12-21", "claimant": "Israel"},
            {"doc_id": "b", "metric": "hostages.held", "value": 140, "as_of": "2024-01-10", "claimant": "Hamas"}]
    rule = next(r for r in RULES if r.id == "FC203")
    assert run(make_figures(rows), [rule], VOCAB).empty
    anyone = dataclasses.replace(rule, params={**rule.params, "claimants": "any"})
    assert len(run(make_figures(rows), [anyone], VOCAB)) == 1


def test_tolerance_widens_before_comparing():
    import dataclasses

    rows = [{"doc_id": "a", "metric": "deaths.gaza", "value": 25105, "as_of": "2024-01-21"},
            {"doc_id": "b", "metric": "deaths.gaza", "value": 24000, "as_of": "2024-01-21"}]
    rule = next(r for r in RULES if r.id == "FC401")
    assert len(run(make_figures(rows), [rule], VOCAB)) == 1
    loose = dataclasses.replace(rule, params={**rule.params, "tolerance": 0.03})
    assert run(make_figures(rows), [loose], VOCAB).empty


def test_messages_name_every_figure_and_say_what_to_do():
    found = _findings()
    for row in found.itertuples():
        assert row.message.rstrip().endswith((".", ")")), row.message
        assert any(w in row.message for w in ("check", "use it", "correct")), row.message
    balance = found[found["rule_id"] == "FC101"].iloc[0]
    assert balance["message"].startswith("held + released add up to at least 255 person, but taken is 240 person (")
    assert "“240” taken, “105” released, “150” held" in balance["message"]


def test_check_api_accepts_figures_or_paths():
    found = figcheck.check(make_figures(ROWS))
    assert list(found.columns[:8]) == FINDING_COLUMNS
    assert len(found) == len(_findings())
    with pytest.raises(TypeError):
        figcheck.check(make_figures(ROWS), rules=[object()])


def test_empty_input_gives_an_empty_table():
    found = run(make_figures([]), RULES, VOCAB)
    assert found.empty and list(found.columns[:8]) == FINDING_COLUMNS


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 3)), min_size=1, max_size=40), st.data())
def test_range_max_matches_brute_force(cells, data):
    values = np.array([float(v) for v, _ in cells])
    docs = np.array([d for _, d in cells])
    n = len(cells)
    left = np.array(data.draw(st.lists(st.integers(0, n), min_size=5, max_size=5)))
    right = np.minimum(n, left + np.array(data.draw(st.lists(st.integers(0, n), min_size=5, max_size=5))))
    exclude = np.array(data.draw(st.lists(st.integers(0, 3), min_size=5, max_size=5)))
    best, at = RangeMax(values, docs).query(left, right, exclude)
    for lo, hi, ex, b, i in zip(left, right, exclude, best, at, strict=True):
        pool = [values[j] for j in range(lo, hi) if docs[j] != ex]
        if not pool:
            assert i == -1 and b == -np.inf
        else:
            assert b == max(pool) and values[i] == b and docs[i] != ex and lo <= i < hi


def test_prepare_orders_canonically():
    frame = prepare(make_figures(list(reversed(ROWS))), VOCAB)
    again = prepare(make_figures(ROWS), VOCAB)
    pd.testing.assert_frame_equal(frame.drop(columns=["figure_id", "start", "line"]),
                                  again.drop(columns=["figure_id", "start", "line"]), check_like=True)
