"""Enormous inputs: a 50 MB article, a 50 MB JSON Lines file, a folder of 10,000 files.

Built in a temporary folder by each test (never committed). They check behaviour, not speed:
the size limit is applied before a file is read, JSON Lines files are read line by line, folders
file by file. Times and memory are measured by `bench/`, not here.
"""

from __future__ import annotations

import hashlib
import json
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from figcheck import corpus
from figcheck.cli import app
from test_robust_inputs import readme_row

runner = CliRunner()
pytestmark = pytest.mark.slow

LINE = "Rescue teams searched the rubble of the market district through the night, residents said.\n"


@pytest.fixture(scope="module")
def article_50mb(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("huge")
    path = folder / "dump.txt"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("GAZA CITY, Jan. 14, 2024 — About 40 people were hurt.\n")
        for _ in range(50 * 2**20 // len(LINE) + 1):
            fh.write(LINE)
    (folder / "good.txt").write_text("Israel says about 136 hostages are still held in Gaza.\n", encoding="utf-8")
    return path


def _reads(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = Path.read_bytes

    def spy(self):
        seen.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    return seen


def test_a_50mb_article_is_skipped_unread_and_the_rest_extracted(article_50mb, monkeypatch):
    assert article_50mb.stat().st_size > 50 * 2**20
    _what, code = readme_row("an article over 10 MB (say a 50 MB dump)")
    reads = _reads(monkeypatch)
    result = runner.invoke(app, ["extract", str(article_50mb.parent)])
    assert result.exit_code == code
    assert f"{article_50mb}: error: is 50.0 MB, more than the 10.0 MB an article may be; skipped" in result.stderr
    assert "dump.txt" not in reads
    assert [json.loads(line)["doc_id"] for line in result.stdout.splitlines()] == ["good.txt"]


def test_a_50mb_article_is_read_whole_when_the_limit_is_lifted(article_50mb):
    items = list(corpus.iter_documents([article_50mb], max_article_bytes=None))
    assert len(items) == 1
    doc = items[0]
    assert isinstance(doc, corpus.Document)
    raw = article_50mb.read_text(encoding="utf-8")
    assert doc.text == raw
    assert doc.sha256 == hashlib.sha256(raw.encode("utf-8")).hexdigest()
    assert (doc.published, doc.published_basis) == ("2024-01-14", "dateline")


def test_the_limit_is_an_option(tmp_path):
    big = tmp_path / "long.txt"
    big.write_text("About 40 people were hurt.\n" + LINE * (2 * 2**20 // len(LINE)), encoding="utf-8")
    skipped = runner.invoke(app, ["extract", str(big), "--max-article-mb", "1", "--no-validate"])
    assert skipped.exit_code == 2
    assert "is 2.0 MB, more than the 1.0 MB an article may be" in skipped.stderr
    read = runner.invoke(app, ["extract", str(big), "--max-article-mb", "3", "--no-validate"])
    assert read.exit_code == 0, read.stderr
    assert json.loads(read.stdout.splitlines()[0])["surface"] == "About 40"


def test_a_50mb_jsonl_file_is_read_line_by_line(tmp_path):
    path = tmp_path / "feed.jsonl"
    body = LINE * 110  # about 10 KB per article
    n = 50 * 2**20 // len(body) + 1
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"a{i}", "text": f"About {i} people were hurt. " + body}) + "\n")
    assert path.stat().st_size > 50 * 2**20
    tracemalloc.start()
    try:
        count = 0
        for item in corpus.iter_documents([path]):
            assert isinstance(item, corpus.Document), item
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n
    assert peak < 5 * 2**20, f"peak {peak / 2**20:.1f} MB while reading a 50 MB file"


def test_a_jsonl_line_over_the_limit_is_skipped_and_the_next_read(tmp_path):
    path = tmp_path / "feed.jsonl"
    big = json.dumps({"id": "big", "text": LINE * 20_000}) + "\n"
    path.write_text(big + json.dumps({"id": "small", "text": "About 40 people were hurt."}) + "\n", encoding="utf-8")
    items = list(corpus.iter_documents([path], max_article_bytes=2**20))
    size = f"{len(big.encode('utf-8')) / 2**20:.1f}"
    assert str(items[0]) == f"{path}:1: error: is {size} MB, more than the 1.0 MB an article may be; line skipped " \
                            "(split it, or raise the limit with --max-article-mb)"
    assert items[1].doc_id == "small"


@pytest.fixture(scope="module")
def folder_10000(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tenk")
    rows = ["path,source,published"]
    for i in range(10_000):
        sub = root / f"part{i // 1000}"
        sub.mkdir(exist_ok=True)
        (sub / f"a{i:05}.txt").write_text(f"Officials said {i + 1} people were displaced on Tuesday.\n",
                                          encoding="utf-8")
        rows.append(f"part{i // 1000}/a{i:05}.txt,Wire {i % 7},2024-01-{1 + i % 28:02}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def test_a_folder_of_10000_files(folder_10000, tmp_path):
    _what, code = readme_row("a folder of 10,000 files")
    out = tmp_path / "figures.jsonl"
    result = runner.invoke(app, ["extract", str(folder_10000), "-o", str(out)])
    assert result.exit_code == code, result.stderr
    assert result.stderr == ""
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 10_000
    assert [r["doc_id"] for r in rows] == sorted(r["doc_id"] for r in rows)
    assert rows[0]["doc_id"] == "part0/a00000.txt"
    assert rows[-1]["value"] == 10_000.0
    # the manifest at the top applies to files in sub-folders
    assert (rows[1234]["source"], rows[1234]["published"]) == ("Wire 2", "2024-01-03")


def test_a_folder_is_read_one_file_at_a_time(folder_10000, monkeypatch):
    reads = _reads(monkeypatch)
    items = corpus.iter_documents([folder_10000])
    first = next(items)
    assert first.doc_id == "part0/a00000.txt"
    assert reads == ["manifest.csv", "a00000.txt"]
    second = next(items)
    assert second.doc_id == "part0/a00001.txt"
    assert reads[-1] == "a00001.txt"


def test_the_api_takes_the_limit_too(tmp_path):
    import figcheck

    big = tmp_path / "long.txt"
    big.write_text("About 40 people were hurt.\n" + LINE * (2 * 2**20 // len(LINE)), encoding="utf-8")
    docs = figcheck.load(big, max_article_bytes=2**20)
    assert docs.empty
    assert "more than the 1.0 MB an article may be" in docs.attrs["problems"][0].message
    assert len(figcheck.load(big, max_article_bytes=None)) == 1
