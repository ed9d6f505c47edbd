"""The report view: findings joined to figures, and each figure placed in its article file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from _report_cases import RULES, build
from figcheck.baseline import Baseline
from figcheck.report.view import build_view, format_interval, involving, primary_figure


@pytest.fixture
def case(tmp_path: Path):
    return build(tmp_path / "corpus")


def _raw(path: str) -> str:
    return Path(path).read_bytes().decode("utf-8")


def test_every_location_points_at_the_figure_words_in_the_file(case) -> None:
    docs, figures, findings = case
    view = build_view(findings, figures, docs, rules=RULES)
    checked = 0
    for f in view.findings:
        for g in f.figures:
            loc = g.location
            raw = _raw(loc.path)
            assert loc.char_offset is not None, g.figure_id
            words = raw[loc.char_offset:loc.char_offset + loc.char_length]
            # HTML may break a line inside the words; the words are the same up to whitespace
            assert words.split() == g.surface.split(), (g.figure_id, words)
            line = raw.split("\n")[loc.line - 1]
            assert line[loc.column - 1:].split()[0] == g.surface.split()[0], (g.figure_id, line)
            checked += 1
    assert checked == 9  # 3 + 2 + 2 + 2 figures, in .md, .txt, .jsonl and .html files


def test_front_matter_shifts_lines_and_offsets(case) -> None:
    docs, figures, findings = case
    view = build_view(findings, figures, docs)
    g = next(g for f in view.findings for g in f.figures if g.surface == "150")
    assert g.location.line == 9  # 6 lines of front matter, a body line, a blank line
    assert _raw(g.location.path).split("\n")[8][g.location.column - 1:g.location.column + 2] == "150"


def test_jsonl_figure_is_found_inside_the_json_string(case) -> None:
    docs, figures, findings = case
    view = build_view(findings, figures, docs)
    g = next(g for f in view.findings for g in f.figures if g.doc_id == "blog-1")
    assert g.location.path.endswith("c-blog.jsonl")
    assert g.location.line == 1
    assert g.location.column > len('{"id": "blog-1"')


def test_bom_counts_as_one_character(tmp_path: Path) -> None:
    docs, figures, findings = build(tmp_path / "corpus", bom=True)
    view = build_view(findings, figures, docs)
    g = next(g for f in view.findings for g in f.figures if g.doc_id == "b-ledger.txt")
    raw = "\ufeff" + Path(g.location.path).read_bytes()[3:].decode("utf-8")
    assert raw[g.location.char_offset:g.location.char_offset + g.location.char_length] == "about 21,000"
    assert g.location.column == raw.index("about") + 1


def test_without_documents_the_figure_line_is_used(case) -> None:
    _docs, figures, findings = case
    view = build_view(findings, figures)
    g = view.findings[0].figures[0]
    assert g.location.path == g.doc_id
    assert g.location.line == int(figures.set_index("figure_id").loc[g.figure_id, "line"])
    assert g.location.column is None


def test_annotation_goes_on_the_newest_report_or_on_the_new_article(case) -> None:
    docs, figures, findings = case
    view = build_view(findings, figures, docs)
    stale = next(f for f in view.findings if f.finding_id == "5a1e5a1e0002")
    assert stale.primary.doc_id == "blog-1"  # published 2024-01-12, after a-wire.md
    scoped = build_view(findings, figures, docs, only=["a-wire.md"])
    stale = next(f for f in scoped.findings if f.finding_id == "5a1e5a1e0002")
    assert stale.primary.doc_id == "a-wire.md"
    assert primary_figure([]) is None


def test_findings_in_reading_order_and_counted(case) -> None:
    docs, figures, findings = case
    view = build_view(findings.iloc[::-1], figures, docs, rules=RULES)
    assert [f.severity for f in view.findings] == ["error", "error", "warning", "warning"]
    assert view.counts() == {"error": 2, "warning": 2, "info": 0}
    assert view.findings[0].rule.name == "hostages.balance"
    assert view.n_documents == 4


def test_baseline_marks_accepted_and_lists_absent(case) -> None:
    docs, figures, findings = case
    baseline = Baseline([{"finding_id": "5a1e5a1e0002", "reason": "known stale boilerplate"},
                         {"finding_id": "deadbeef0000", "rule_id": "FC201", "reason": "old"}])
    view = build_view(findings, figures, docs, baseline=baseline)
    states = {f.finding_id: (f.state, f.baseline_reason) for f in view.findings}
    assert states["5a1e5a1e0002"] == ("unchanged", "known stale boilerplate")
    assert states["5a1e5a1e0001"] == ("new", "")
    assert [e["finding_id"] for e in view.absent] == ["deadbeef0000"]
    assert view.counts(new_only=True) == {"error": 1, "warning": 2, "info": 0}


def test_figure_ids_as_json_text_are_accepted(case) -> None:
    """Findings read back from CSV or JSON carry figure_ids as text."""
    docs, figures, findings = case
    as_text = findings.assign(figure_ids=findings["figure_ids"].map(json.dumps))
    a = build_view(findings, figures, docs)
    b = build_view(as_text, figures, docs)
    assert [f.figure_ids for f in a.findings] == [f.figure_ids for f in b.findings]


def test_missing_figure_is_reported_not_raised(case) -> None:
    docs, figures, findings = case
    broken = findings.copy()
    broken.at[0, "figure_ids"] = ["a-wire.md:99999"]
    view = build_view(broken, figures, docs)
    g = next(f for f in view.findings if f.finding_id == broken.at[0, "finding_id"]).figures[0]
    assert not g.found
    assert g.surface == ""


def test_involving_keeps_findings_that_name_a_document(case) -> None:
    _docs, figures, findings = case
    assert involving(findings, figures, ["d-page.html"])["finding_id"].tolist() == ["5a1e5a1e0004"]
    assert involving(findings, figures, ["b-ledger.txt", "blog-1"])["finding_id"].tolist() == \
        ["5a1e5a1e0002", "5a1e5a1e0003", "5a1e5a1e0004"]
    assert involving(findings, figures, ["nothing.md"]).empty
    assert involving(findings.iloc[0:0], figures, ["blog-1"]).empty


def test_format_interval_open_ends() -> None:
    assert format_interval(float("-inf"), 800.0) == "≤ 800"
    assert format_interval(None, None) == "any"
    assert format_interval(float("nan"), 5.0) == "≤ 5"
    assert pd.isna(float("nan"))


def test_documents_without_text_still_locate_figures(case) -> None:
    """`figcheck check` streams documents and keeps only their metadata, not their text."""
    docs, figures, findings = case
    full = build_view(findings, figures, docs)
    light = build_view(findings, figures, docs.drop(columns=["text"]))
    assert [g.location for f in full.findings for g in f.figures] == \
        [g.location for f in light.findings for g in f.figures]


def test_a_document_count_is_accepted(case) -> None:
    _docs, figures, findings = case
    view = build_view(findings, figures, 12)
    assert view.n_documents == 12
    assert view.findings[0].figures[0].location.column is None
