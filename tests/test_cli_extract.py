"""`figcheck extract` end to end: formats, contract columns, offsets, errors."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ARTICLES, EXAMPLES
from figcheck.cli import app
from figcheck.models import FIGURE_COLUMNS

runner = CliRunner()


def _jsonl(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _texts(*paths):
    from figcheck import corpus

    frame, _ = corpus.load([str(p) for p in paths])
    return dict(zip(frame.doc_id, frame.text, strict=True))


def test_extract_seeds_jsonl_has_every_column_and_exact_offsets(seeds):
    result = runner.invoke(app, ["extract", str(seeds), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = _jsonl(result)
    assert len(rows) > 30
    texts = _texts(seeds)
    with open(seeds / "manifest.csv", encoding="utf-8") as fh:
        manifest = {r["path"]: r for r in csv.DictReader(fh)}
    for row in rows:
        assert list(row) == FIGURE_COLUMNS
        assert texts[row["doc_id"]][row["start"]:row["end"]] == row["surface"]
        assert row["published"] == manifest[row["doc_id"]]["published"]
        assert row["source"] == (manifest[row["doc_id"]]["source"] or None)
        assert row["figure_id"] == f"{row['doc_id']}:{row['start']}"


@pytest.mark.parametrize("target", ["page.html", "liveblog.jsonl", "mixed"])
def test_offsets_hold_for_html_jsonl_and_front_matter(target):
    path = ARTICLES / target
    result = runner.invoke(app, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    rows = _jsonl(result)
    texts = _texts(path)
    assert rows, "every fixture states figures"
    for row in rows:
        assert texts[row["doc_id"]][row["start"]:row["end"]] == row["surface"]


def test_front_matter_figures_report_file_lines():
    result = runner.invoke(app, ["extract", str(ARTICLES / "mixed" / "front.md")])
    rows = {r["surface"]: r for r in _jsonl(result)}
    lines = (ARTICLES / "mixed" / "front.md").read_text(encoding="utf-8").splitlines()
    for surface, row in rows.items():
        assert surface in lines[row["line"] - 1], (surface, row["line"])


def test_csv_and_parquet_hold_the_same_table(tmp_path):
    as_csv = runner.invoke(app, ["extract", str(ARTICLES / "mixed"), "--format", "csv"])
    assert as_csv.exit_code == 0
    frame = pd.read_csv(io.StringIO(as_csv.stdout))
    assert list(frame.columns) == FIGURE_COLUMNS
    out = tmp_path / "figures.parquet"
    as_parquet = runner.invoke(app, ["extract", str(ARTICLES / "mixed"), "-f", "parquet", "-o", str(out)])
    assert as_parquet.exit_code == 0, as_parquet.output
    table = pd.read_parquet(out)
    assert list(table.columns) == FIGURE_COLUMNS
    assert table["surface"].tolist() == frame["surface"].tolist()
    assert table["value"].tolist() == frame["value"].tolist()


def test_unreadable_file_is_named_on_stderr_and_the_rest_extracted(tmp_path):
    (tmp_path / "good.txt").write_text("Some 130 hostages are believed to remain in Gaza.", encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02\x03binary\x00")
    result = runner.invoke(app, ["extract", str(tmp_path)])
    assert result.exit_code == 2
    assert "broken.txt" in result.stderr and "binary" in result.stderr
    rows = _jsonl(result)
    assert [(r["doc_id"], r["value"]) for r in rows] == [("good.txt", 130.0)]


def test_missing_path_is_one_line_and_exit_2():
    result = runner.invoke(app, ["extract", "no/such/folder"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no such file or folder: no/such/folder" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_format_is_exit_2():
    result = runner.invoke(app, ["extract", str(EXAMPLES), "--format", "xml"])
    assert result.exit_code == 2
    assert "--format 'xml'" in result.stderr


@pytest.mark.parametrize("command", [[], ["extract"]])
def test_help_explains_itself(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "figure" in result.stdout.lower()


def test_examples_corpus_loads_every_document():
    from figcheck import corpus

    frame, problems = corpus.load([str(EXAMPLES)])
    assert problems == []
    assert len(frame) == 13
    assert frame["published"].notna().all() and frame["source"].notna().all()


def test_a_figures_table_with_input_problems_still_saves_to_parquet(tmp_path):
    import figcheck

    (tmp_path / "good.txt").write_text("Some 130 hostages are believed to remain in Gaza.", encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01binary")
    figures = figcheck.extract(tmp_path)
    assert [p.severity for p in figures.attrs["problems"]] == ["error"]
    figures.to_parquet(tmp_path / "f.parquet")  # attrs are written as JSON: problems must serialise
    assert pd.read_parquet(tmp_path / "f.parquet")["value"].tolist() == [130.0]
