"""The monotonic kind: one finding per figure out of line, the largest consistent series kept.

The figures are real reported tolls and hostage counts (with planted misreadings); the rows are
written for these tests.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from figcheck.checks._common import RangeMax, fmt_interval
from figcheck.checks.monotonic import _nearest, first_largest_chain
from figcheck.engine import make_figures, run
from figcheck.ruleset import load_rules
from figcheck.vocab import load_vocabulary

VOCAB = load_vocabulary(ROOT / "rules")
RULES = {r.id: r for r in load_rules(ROOT / "rules", VOCAB)}
MOH = "Hamas-run health ministry"


def toll(doc: str, value: float, as_of: str, claimant: str | None = MOH, **more) -> dict:
    return {"doc_id": doc, "metric": "deaths.gaza", "value": value, "as_of": as_of, "claimant": claimant, **more}


def held(doc: str, value: float, as_of: str, **more) -> dict:
    return {"doc_id": doc, "metric": "hostages.held", "value": value, "as_of": as_of, **more}


def about(value: float, share: float = 0.05) -> dict:
    return {"low": value * (1 - share), "high": value * (1 + share), "qualifier": "approx"}


def check(rule_id: str, rows: list[dict]) -> pd.DataFrame:
    return run(make_figures(rows), [RULES[rule_id]], VOCAB)


# --------------------------------------------------------------------------------------------
# one finding per outlier


def test_one_early_low_count_gives_one_finding_not_one_per_later_report():
    # "four" misread as the hostages still held, then five reports that agree with each other
    rows = [held("reuters-0604.txt", 4, "2024-06-03"),
            held("ap-0608.txt", 120, "2024-06-08", **about(120)),
            held("toi-0620.txt", 116, "2024-06-20"),
            held("bbc-0725.txt", 111, "2024-07-25"),
            held("ap-1024.txt", 101, "2024-10-24"),
            held("npr-1216.txt", 100, "2024-12-16", **about(100))]
    found = check("FC203", rows)
    assert len(found) == 1, list(found["message"])
    f = found.iloc[0]
    assert sorted(f["figure_ids"]) == ["ap-0608.txt:1", "reuters-0604.txt:0"]  # the nearest later report
    assert (f["observed"], f["expected"], f["verdict"]) == ("4 person", "≥ 114 person", "contradiction")
    assert f["message"].startswith("Hostages still held rose from “4” as of 2024-06-03")


def test_one_early_wild_toll_gives_one_finding():
    rows = [toll("a.md", 23210, "2024-01-10"), toll("b.md", 250000, "2024-01-15"), toll("c.md", 25105, "2024-01-21"),
            toll("d.md", 28340, "2024-02-12"), toll("e.md", 32414, "2024-03-27")]
    found = check("FC201", rows)
    assert len(found) == 1, list(found["message"])
    assert sorted(found.iloc[0]["figure_ids"]) == ["b.md:1", "c.md:2"]
    assert (found.iloc[0]["observed"], found.iloc[0]["expected"]) == ("250,000 person", "≤ 25,105 person")


def test_one_late_stale_toll_gives_one_stale_finding():
    rows = [toll("a.md", 4137, "2023-10-20"), toll("b.md", 10022, "2023-11-06"), toll("c.md", 15523, "2023-12-03"),
            toll("d.md", 25105, "2024-01-21"), toll("e.md", 28340, "2024-02-12"),
            toll("f.md", 25105, "2024-02-14"), toll("g.md", 32414, "2024-03-27")]
    found = check("FC201", rows)
    assert len(found) == 1, list(found["message"])
    f = found.iloc[0]
    assert sorted(f["figure_ids"]) == ["e.md:4", "f.md:5"]
    assert (f["verdict"], f["observed"], f["expected"]) == ("stale", "25,105 person", "≥ 28,340 person")


def test_a_genuinely_rising_toll_gives_nothing():
    rows = [toll("a.md", 4137, "2023-10-20"),
            toll("b.md", 10000, "2023-11-06", low=10000, high=math.inf, qualifier="more_than"),
            toll("c.md", 10022, "2023-11-06"),
            toll("d.md", 15500, "2023-12-03", **about(15500)),
            toll("e.md", 15523, "2023-12-04"),
            toll("f.md", 25105, "2024-01-21"),
            toll("g.md", 25000, "2024-01-21", **about(25000)),  # the same day: never compared
            toll("h.md", 25295, "2024-01-22"),
            toll("i.md", 27000, "2024-02-14", low=27000, high=math.inf, qualifier="more_than"),
            toll("j.md", 28340, "2024-02-12")]
    assert check("FC201", rows).empty


def test_an_outlier_is_paired_with_the_nearest_kept_figure_it_contradicts():
    rows = [toll("a.md", 300, "2024-01-10"),
            toll("b.md", 300, "2024-01-20", low=250, high=350, qualifier="range"),
            toll("c.md", 100, "2024-01-25"),
            toll("d.md", 400, "2024-02-01")]
    found = check("FC201", rows)
    assert len(found) == 1
    assert sorted(found.iloc[0]["figure_ids"]) == ["b.md:1", "c.md:2"]
    assert found.iloc[0]["expected"] == "≥ 250 person"


def test_a_tie_blames_the_later_figure():
    # 28,340 and "some 26,000" both fit 25,105 before and 32,414 after: the later one is the outlier
    rows = [toll("a.md", 25105, "2024-01-21"), toll("b.md", 28340, "2024-02-12"),
            toll("c.md", 26000, "2024-02-14", low=24700, high=27300, qualifier="approx"),
            toll("d.md", 32414, "2024-03-27")]
    found = check("FC201", rows)
    assert len(found) == 1
    assert found.iloc[0]["observed"] == "24,700–27,300 person"
    assert sorted(found.iloc[0]["figure_ids"]) == ["b.md:1", "c.md:2"]


def test_an_unattributed_outlier_in_two_series_gets_one_finding():
    rows = [toll("a.md", 28340, "2024-02-12"), toll("b.md", 28340, "2024-02-13", claimant="UN OCHA"),
            toll("c.md", 10000, "2024-02-26", claimant=None, low=9500, high=10500)]
    found = check("FC201", rows)
    assert len(found) == 1, list(found["message"])
    assert sorted(found.iloc[0]["figure_ids"]) == ["b.md:1", "c.md:2"]  # the nearer of the two series


def test_a_statement_read_for_a_claimant_and_in_the_articles_voice_counts_once():
    # an early undercount given twice by one article (for the IDF, and in its own voice) is still one figure:
    # dropping it keeps two later counts, so it is the outlier
    rows = [held("guardian.txt", 126, "2023-10-15", claimant="IDF", start=0),
            held("guardian.txt", 126, "2023-10-15", start=40),
            held("bbc.txt", 200, "2023-10-23", claimant="Israel", low=200, high=math.inf, qualifier="more_than"),
            held("wapo.txt", 133, "2024-04-11", claimant="Israel"),
            held("reuters.txt", 116, "2024-06-08", claimant="Israel")]
    found = check("FC203", rows)
    assert len(found) == 1, list(found["message"])
    assert found.iloc[0]["observed"] == "126 person"
    assert {i.split(":")[0] for i in found.iloc[0]["figure_ids"]} == {"guardian.txt", "bbc.txt"}


def test_a_documents_own_figures_are_not_compared():
    assert check("FC201", [toll("a.md", 28340, "2024-02-12"), toll("a.md", 10000, "2024-02-26")]).empty
    rows = [toll("a.md", 28340, "2024-02-12"), toll("b.md", 29000, "2024-02-20"), toll("a.md", 10000, "2024-02-26")]
    found = check("FC201", rows)
    assert [sorted(ids) for ids in found["figure_ids"]] == [["a.md:2", "b.md:1"]]


def test_findings_do_not_depend_on_row_order():
    rows = [toll(f"{d}.md", v, a, start=i) for i, (d, v, a) in enumerate([
        ("a", 23210, "2024-01-10"), ("b", 250000, "2024-01-15"), ("c", 25105, "2024-01-21"), ("d", 28340, "2024-02-12"),
        ("e", 25105, "2024-02-14"), ("f", 26000, "2024-02-14"), ("g", 32414, "2024-03-27")])]
    first = check("FC201", rows)
    assert len(first) == 2
    for seed in range(5):
        shuffled = [rows[i] for i in np.random.default_rng(seed).permutation(len(rows))]
        pd.testing.assert_frame_equal(check("FC201", shuffled), first)


# --------------------------------------------------------------------------------------------
# the search against brute force


def _fits(chosen: tuple[int, ...], lo: list[float], hi: list[float]) -> bool:
    floor = -math.inf
    for i in chosen:
        if hi[i] < floor:
            return False
        floor = max(floor, lo[i])
    return True


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 8), st.sampled_from([0, 0, 1, 3, math.inf])), max_size=9))
def test_first_largest_chain_is_the_first_of_the_largest_sets(cells):
    lo = [float(a) for a, _ in cells]
    hi = [a + w for a, w in cells]
    n = len(cells)
    for size in range(n, -1, -1):
        fits = [c for c in itertools.combinations(range(n), size) if _fits(c, lo, hi)]
        if fits:
            break
    # the first set in time order: at the first position where two sets differ, it keeps the figure
    want = min(fits, key=lambda c: [i not in c for i in range(n)])
    got = first_largest_chain(np.array(lo), np.array(hi))
    assert tuple(np.flatnonzero(got)) == want


DATES = ["2024-01-10", "2024-01-20", "2024-02-01", "2024-02-12"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(DATES), st.sampled_from([0, 1, 2])), min_size=1, max_size=8),
       st.sampled_from(["FC201", "FC203"]), st.data())
def test_each_outlier_gets_one_finding_and_the_rest_is_consistent(cells, rule_id, data):
    # distinct values, so a finding's observed interval names its outlier
    values = data.draw(st.lists(st.integers(10, 60), min_size=len(cells), max_size=len(cells), unique=True))
    rows = []
    for i, ((as_of, shape), v) in enumerate(zip(cells, values, strict=True)):
        extra = [{}, {"low": v - 5, "high": v + 5, "qualifier": "range"},
                 {"low": v, "high": math.inf, "qualifier": "at_least"}][shape]
        metric = "deaths.gaza" if rule_id == "FC201" else "hostages.held"
        rows.append({"doc_id": f"d{i}", "metric": metric, "value": v, "as_of": as_of, **extra})
    figures = make_figures(rows)
    found = run(figures, [RULES[rule_id]], VOCAB)
    lo, hi = figures["low"].tolist(), figures["high"].tolist()
    if rule_id == "FC203":
        lo, hi = [-h for h in hi], [-x for x in lo]
    day = figures["as_of"].tolist()

    def clash(a: int, b: int) -> bool:
        return (day[a] < day[b] and hi[b] < lo[a]) or (day[b] < day[a] and hi[a] < lo[b])

    n = len(rows)
    largest = max(size for size in range(n + 1) for c in itertools.combinations(range(n), size)
                  if not any(clash(a, b) for a, b in itertools.combinations(c, 2)))
    assert len(found) == n - largest
    words = {fmt_interval(r.low, r.high, "person"): i for i, r in enumerate(figures.itertuples())}
    outliers = [words[o] for o in found["observed"]]
    assert len(set(outliers)) == len(outliers), "an outlier has more than one finding"
    kept = [i for i in range(n) if i not in outliers]
    assert not any(clash(a, b) for a, b in itertools.combinations(kept, 2))
    ids = figures["figure_id"].tolist()
    for out, pair in zip(outliers, found["figure_ids"], strict=True):
        a, b = (ids.index(x) for x in pair)
        assert out in (a, b)
        assert clash(a, b)


@pytest.mark.parametrize("n", [0, 1])
def test_first_largest_chain_of_nothing_or_one(n):
    assert first_largest_chain(np.zeros(n), np.zeros(n)).tolist() == [True] * n


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 2)), min_size=1, max_size=30),
       st.integers(0, 30), st.integers(0, 9), st.integers(0, 2), st.booleans())
def test_nearest_matches_a_scan(cells, start, above, doc, backwards):
    values = np.array([float(v) for v, _ in cells])
    docs = np.array([d for _, d in cells])
    start = min(start, len(cells))
    got = _nearest(RangeMax(values, docs), np.array([start]), np.array([float(above)]), np.array([doc]), backwards)
    span = range(start - 1, -1, -1) if backwards else range(start, len(cells))
    want = next((i for i in span if values[i] > above and docs[i] != doc), -1)
    assert got.tolist() == [want]


def test_messages_can_name_the_outlier_and_which_figure_it_is():
    import dataclasses

    rule = dataclasses.replace(RULES["FC201"], message="{outlier} is the {which} figure of {earlier} and {later}.")
    rows = [toll("a.md", 23210, "2024-01-10"), toll("b.md", 250000, "2024-01-15"), toll("c.md", 25105, "2024-01-21"),
            toll("d.md", 28340, "2024-02-12")]
    found = run(make_figures(rows), [rule], VOCAB)
    b = "“250,000” as of 2024-01-15, according to Hamas-run health ministry (2024-01-15, b.md line 1)"
    c = "“25,105” as of 2024-01-21, according to Hamas-run health ministry (2024-01-21, c.md line 1)"
    assert list(found["message"]) == [f"{b} is the earlier figure of {b} and {c}."]
