"""The figures contract (figcheck.validate): each clause has a row that breaks it, and that row alone is left out."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from figcheck.cli import app
from figcheck.corpus import document_from_text
from figcheck.extract.figures import extract_document, figures_frame
from figcheck.models import FIGURE_COLUMNS, Problem
from figcheck.validate import ISO_DATE_RE, contract_view, figures_suite, validate_figures
from figcheck.vocab import load_vocabulary

VOCAB = load_vocabulary()

ARTICLE = (
    "GAZA CITY, Jan. 14, 2024 — The Gaza health ministry said on Sunday that 23,968 people had been killed "
    "since October 7.\nIsrael says about 136 hostages are still held in Gaza.\n"
    "More than 1.9 million people have been displaced, the UN agency said.\n"
)

# (case id, column, bad value, the clause it breaks). Row i of the frame below is the first figure of
# document doc{i:02}.txt; the case's value is written into that row only.
CASES = [
    ("value_null", "value", float("nan"), "value is not empty"),
    ("surface_null", "surface", None, "surface is not empty"),
    ("value_text", "value", "23968", "value is a number"),
    ("noun_number", "noun", 5, "noun is text"),
    ("start_fraction", "start", 1.5, "start is a whole number"),
    ("value_negative", "value", -5.0, "value >= 0"),
    ("low_negative", "low", -1.0, "low >= 0"),
    ("high_negative", "high", -1.0, "high >= 0"),
    ("low_above_value", "low", 1e9, "low <= value"),
    ("high_below_value", "high", 1.0, "value <= high"),
    ("confidence_above_one", "confidence", 1.5, "confidence is between 0 and 1"),
    ("qualifier_unknown", "qualifier", "roughly", "qualifier is one of"),
    ("modality_unknown", "modality", "rumour", "modality is one of"),
    ("as_of_basis_unknown", "as_of_basis", "guess", "as_of_basis is empty or one of"),
    ("metric_unknown", "metric", "hostages.imagined", "metric is empty or an id from metrics.yaml"),
    ("published_impossible", "published", "2024-02-30", "published is empty or a calendar date"),
    ("as_of_not_iso", "as_of", "14/01/2024", "as_of is empty or a calendar date"),
    ("start_negative", "start", -3, "start >= 0"),
    ("end_before_start", "end", 0, "start < end"),
    ("line_zero", "line", 0, "line >= 1"),
    ("figure_id_malformed", "figure_id", "doc-nowhere", "figure_id is doc_id:start"),
    ("document_unknown", "doc_id", "never-loaded.txt", "doc_id names a loaded document"),
    ("end_past_text", "end", 10_000, "end <= the length of the document text"),
    ("surface_wrong", "surface", "24,000", "text[start:end] == surface"),
]


def _documents(n):
    docs = [document_from_text(ARTICLE, doc_id=f"doc{i:02}.txt", published="2024-01-14") for i in range(n)]
    return docs, pd.DataFrame({"doc_id": [d.doc_id for d in docs], "path": [f"corpus/{d.doc_id}" for d in docs],
                               "text": [d.text for d in docs]})


def _clean_frame(n):
    docs, documents = _documents(n)
    frame = figures_frame(row for doc in docs for row in extract_document(doc, VOCAB))
    return frame, documents


@pytest.fixture(scope="module")
def clean():
    return _clean_frame(len(CASES) + 2)


@pytest.fixture(scope="module")
def broken(clean):
    """One great-expectations run over a frame where row ``first[i]`` breaks ``CASES[i]``, plus a duplicate id."""
    frame, documents = clean
    frame = frame.copy()
    firsts = frame.groupby("doc_id", sort=True).head(1).index.tolist()
    for col in frame.columns:
        frame[col] = frame[col].astype(object)
    rows = {}
    for (case, col, bad, _clause), i in zip(CASES, firsts, strict=False):
        frame.at[i, col] = bad
        rows[case] = i
    # The last document's first figure takes the id of the one before it: both break uniqueness.
    dup_a, dup_b = firsts[len(CASES)], firsts[len(CASES) + 1]
    frame.at[dup_b, "figure_id"] = frame.at[dup_a, "figure_id"]
    good, problems = validate_figures(frame, documents, VOCAB)
    return frame, good, problems, rows, (dup_a, dup_b)


def test_a_clean_frame_passes_whole(clean):
    frame, documents = clean
    good, problems = validate_figures(frame, documents, VOCAB)
    assert problems == []
    pd.testing.assert_frame_equal(good, frame)


@pytest.mark.parametrize(("case", "column", "bad", "clause"), CASES, ids=[c[0] for c in CASES])
def test_each_row_that_breaks_a_clause_is_reported_and_left_out(broken, case, column, bad, clause):
    frame, good, problems, rows, _ = broken
    i = rows[case]
    figure_id = frame.at[i, "figure_id"]
    mine = [p for p in problems if f"figure {figure_id!r}" in p.message]
    assert len(mine) == 1, f"row {i} ({column}={bad!r}) should give one problem: {[str(p) for p in problems]}"
    problem = mine[0]
    assert clause in problem.message, str(problem)
    assert problem.severity == "error"
    # the problem names the document's file and the figure's line
    doc_id = frame.at[i, "doc_id"]
    expected_path = f"corpus/{doc_id}" if doc_id != "never-loaded.txt" else "never-loaded.txt"
    assert problem.path == expected_path
    expected_line = frame.at[i, "line"] if isinstance(frame.at[i, "line"], int) and frame.at[i, "line"] > 0 else 0
    assert problem.line == expected_line
    # and the row is not passed on
    survivors = set(zip(good["doc_id"], good["start"], strict=True))
    assert (frame.at[i, "doc_id"], frame.at[i, "start"]) not in survivors


def test_duplicate_figure_ids_break_uniqueness_in_both_rows(broken):
    frame, good, problems, _, (a, b) = broken
    dup = frame.at[a, "figure_id"]
    mine = [p for p in problems if f"figure {dup!r}" in p.message]
    assert len(mine) == 2
    assert all("figure_id is unique" in p.message for p in mine)
    # row b also has an id that is not its own doc_id:start
    assert sum("figure_id is doc_id:start" in p.message for p in mine) == 1
    assert dup not in set(good["figure_id"])


def test_only_broken_rows_are_left_out(broken):
    frame, good, problems, rows, dups = broken
    assert len(problems) == len(CASES) + 2
    assert len(good) == len(frame) - len(CASES) - 2
    assert list(good.columns) == FIGURE_COLUMNS
    assert good["value"].dtype == "float64"
    assert good["start"].dtype == "int64"


def test_messages_say_what_to_do(broken):
    frame, _, problems, rows, _ = broken
    figure_id = frame.at[rows["low_above_value"], "figure_id"]
    low = next(p for p in problems if f"figure {figure_id!r}" in p.message)
    assert low.hint == "the interval must contain the stated value"
    assert "low=1000000000.0" in low.message
    assert "row left out" in low.message


@pytest.mark.parametrize(("columns", "says"), [
    ([c for c in FIGURE_COLUMNS if c != "claimant"], "missing claimant"),
    ([*FIGURE_COLUMNS, "extra"], "unexpected extra"),
    (list(reversed(FIGURE_COLUMNS)), "in the wrong order"),
], ids=["missing", "extra", "order"])
def test_wrong_columns_are_one_problem_and_no_rows(clean, columns, says):
    frame, documents = clean
    bad = frame.assign(extra=1)[columns]
    good, problems = validate_figures(bad, documents, VOCAB)
    assert good.empty
    assert len(problems) == 1
    assert says in problems[0].message
    assert problems[0].path == "figures table"


def test_a_column_of_the_wrong_type_is_one_problem_for_the_table(clean):
    frame, documents = clean
    bad = frame.assign(start=frame["start"].astype("float64"))  # a float64 column: no row to blame
    good, problems = validate_figures(bad, documents, VOCAB)
    assert good.empty
    assert len(problems) == 1
    assert "start is a whole number" in problems[0].message
    assert "float64" in problems[0].message


def test_without_documents_the_text_clauses_are_not_checked(clean):
    frame, _ = clean
    bad = frame.copy()
    bad.at[0, "surface"] = "not the words"
    good, problems = validate_figures(bad, None, VOCAB)
    assert problems == []
    assert len(good) == len(frame)
    good, problems = validate_figures(bad, _documents(len(CASES) + 2)[1], VOCAB)
    assert len(problems) == 1
    assert "text[start:end] == surface" in problems[0].message


def test_without_a_vocabulary_any_metric_id_is_accepted(clean):
    frame, documents = clean
    bad = frame.assign(metric="hostages.imagined")
    good, problems = validate_figures(bad, documents, None)
    assert problems == []
    assert len(good) == len(frame)


def test_the_suite_is_the_contract_users_can_run_with_great_expectations(clean):
    import great_expectations as gx

    frame, documents = clean
    suite = figures_suite(VOCAB)
    clauses = [e.meta["figcheck"]["says"] for e in suite.expectations]
    assert any(c.startswith("low <= value") for c in clauses)
    assert any(c.startswith("text[start:end] == surface") for c in clauses)
    bad = frame.copy()
    bad.at[2, "low"] = bad.at[2, "value"] + 1
    context = gx.get_context(mode="ephemeral")
    batch = context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
    result = batch.get_batch(batch_parameters={"dataframe": contract_view(bad, documents)}).validate(
        suite, result_format="COMPLETE")
    failed = [r for r in result.results if not r.success]
    assert [r.expectation_config.meta["figcheck"]["key"] for r in failed] == ["low<=value"]
    assert failed[0].result["unexpected_index_list"] == [2]


def test_iso_date_pattern_is_the_calendar():
    rx = re.compile(ISO_DATE_RE)
    day = dt.date(1896, 1, 1)
    valid = set()
    while day <= dt.date(2104, 12, 31):
        valid.add(day.isoformat())
        day += dt.timedelta(days=1)
    for year in (1900, 1996, 2000, 2023, 2024, 2100):
        for month in range(1, 13):
            for d in range(0, 33):
                text = f"{year}-{month:02}-{d:02}"
                assert bool(rx.match(text)) == (text in valid), text
    assert not rx.match("2024-1-05")
    assert not rx.match("2024-01-05T00:00")


# --------------------------------------------------------------------------------------------
# a step of extract: the API and the CLI report rows that break it


def _corrupting(monkeypatch):
    """Make the extractor emit one row with low > value (a bug the contract must catch)."""
    import figcheck.api
    import figcheck.parallel

    real = figcheck.api.extract_document

    def corrupt(doc, vocab):
        rows = real(doc, vocab)
        if rows:
            rows[0] = dict(rows[0], low=rows[0]["value"] + 100)
        return rows

    monkeypatch.setattr(figcheck.api, "extract_document", corrupt)
    monkeypatch.setattr(figcheck.parallel, "extract_document", corrupt)  # the CLI extracts through it


def test_api_extract_leaves_out_and_reports_rows_that_break_the_contract(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    import figcheck

    clean = figcheck.extract(tmp_path)
    _corrupting(monkeypatch)
    checked = figcheck.extract(tmp_path)
    unchecked = figcheck.extract(tmp_path, validate=False)
    assert len(checked) == len(clean) - 1
    assert len(unchecked) == len(clean)
    problems = checked.attrs["problems"]
    assert len(problems) == 1
    assert isinstance(problems[0], Problem)
    assert problems[0].path == str(tmp_path / "a.txt")
    assert problems[0].line == 1
    assert "low <= value" in problems[0].message
    assert "bug in figcheck" in problems[0].hint


def test_cli_extract_reports_the_row_and_exits_2(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    _corrupting(monkeypatch)
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'a.txt'}:1: error: figure 'a.txt:" in result.stderr
    assert "low <= value" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    assert all(r["low"] <= r["value"] for r in rows)
    unchecked = runner.invoke(app, ["extract", str(tmp_path), "--no-validate"])
    assert unchecked.exit_code == 0
    assert len(unchecked.stdout.splitlines()) == len(rows) + 1


def test_cli_validates_in_batches_of_whole_documents(tmp_path, monkeypatch):
    """Many small batches give the same output as one big one."""
    import figcheck.validate

    for i in range(5):
        (tmp_path / f"a{i}.txt").write_text(ARTICLE, encoding="utf-8")
    runner = CliRunner()
    whole = runner.invoke(app, ["extract", str(tmp_path)])
    batches = []
    real = figcheck.validate._check

    def spy(figures, documents, vocab, hint):
        batches.append(sorted(set(figures["doc_id"])))
        return real(figures, documents, vocab, hint)

    monkeypatch.setattr(figcheck.validate, "_check", spy)
    monkeypatch.setattr(figcheck.validate, "DEFAULT_BATCH_ROWS", 4)
    small = runner.invoke(app, ["extract", str(tmp_path), "--no-cache"])  # a warm cache would skip validation
    assert small.stdout == whole.stdout
    assert small.exit_code == whole.exit_code == 0
    assert len(batches) == 3  # 3 figures per article, batches of at least 4 rows: 2 + 2 + 1 articles
    flat = [doc for batch in batches for doc in batch]
    assert sorted(flat) == [f"a{i}.txt" for i in range(5)]  # no article is split between batches


def test_batches_also_close_on_the_size_of_the_texts_held():
    from figcheck.validate import FigureValidator

    docs, _ = _documents(4)
    seen: list = []
    validator = FigureValidator(VOCAB, seen.append, batch_rows=10_000, batch_chars=2 * len(ARTICLE))
    out = []
    for doc in docs:
        out.extend(validator.add(doc, extract_document(doc, VOCAB)))
    out.extend(validator.flush())
    assert validator.batches == 2  # two articles' text per batch, whatever the row count
    assert [d.doc_id for d, _rows in out] == [d.doc_id for d in docs]
    assert [rows for _d, rows in out] == [extract_document(d, VOCAB) for d in docs]
    assert seen == []


def test_messages_never_carry_raw_control_characters_from_the_text(clean):
    frame, documents = clean
    bad = frame.copy()
    bad.at[0, "surface"] = "\x1b[31m23,968\nDROP"  # terminal escape and a newline, as hostile input might hold
    _good, problems = validate_figures(bad, documents, VOCAB)
    assert len(problems) == 1
    message = str(problems[0])
    assert "\x1b" not in message
    assert "\n" not in message
    assert "\\x1b[31m23,968\\nDROP" in message


def test_great_expectations_is_imported_only_by_validate_and_only_when_used():
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "figcheck"
    importers = sorted(p.relative_to(src).as_posix() for p in src.rglob("*.py")
                       if re.search(r"^\s*(import great_expectations|from great_expectations)", p.read_text(), re.M))
    assert importers == ["validate.py"]
    code = ("import importlib, pkgutil, sys, figcheck\n"
            "for m in pkgutil.walk_packages(figcheck.__path__, 'figcheck.'):\n"
            "    if m.name != 'figcheck.__main__':\n"
            "        importlib.import_module(m.name)\n"
            "print('great_expectations' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("options", [["--jobs", "2"], ["--cache-dir", "CACHE"]], ids=["jobs", "cache"])
def test_parallel_and_cached_extraction_are_validated_too(tmp_path, monkeypatch, options):
    import figcheck.validate

    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(ARTICLE, encoding="utf-8")
    options = [str(tmp_path / "cache") if o == "CACHE" else o for o in options]
    runner = CliRunner()
    plain = runner.invoke(app, ["extract", str(tmp_path), "--no-cache"])
    calls = []
    real = figcheck.validate._check

    def spy(figures, documents, vocab, hint):
        calls.append(len(figures))
        return real(figures, documents, vocab, hint)

    monkeypatch.setattr(figcheck.validate, "_check", spy)
    for _run in range(2):  # the second run reads every article from the cache (the default one with --jobs)
        result = runner.invoke(app, ["extract", str(tmp_path), *options])
        assert result.exit_code == 0, result.stderr
        assert result.stdout == plain.stdout
    # the first run checks every row; the second finds them all in entries marked validated
    assert calls == [len(plain.stdout.splitlines())]
