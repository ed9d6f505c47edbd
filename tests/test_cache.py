"""The figure cache: identical output, real hits, no stale results after the rules change, damage ignored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ARTICLES, EXAMPLES
from figcheck import cache as cache_mod
from figcheck import corpus, parallel
from figcheck.cache import FigureCache, default_cache_dir, document_key
from figcheck.cli import app
from figcheck.corpus import Document, document_from_text
from figcheck.vocab import default_rules_dir, load_vocabulary
from test_parallel import plain_bytes, write_corpus

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, ["extract", *map(str, args)])


def entries(root: Path) -> list[Path]:
    return sorted(root.rglob("*.json"))


def no_extraction(monkeypatch):
    """Make extracting any document fail: whatever comes out now came from the cache."""

    def boom(doc, vocab):
        raise AssertionError(f"{doc.doc_id} was extracted although it is cached")

    monkeypatch.setattr(parallel, "extract_document", boom)


@pytest.fixture
def small(tmp_path):
    root = tmp_path / "corpus"
    write_corpus(root, 12, seed=3)
    return root


def test_cached_run_is_byte_identical_and_extracts_nothing(tmp_path, small, monkeypatch):
    paths = [EXAMPLES, ARTICLES, small]
    expected = plain_bytes(paths, tmp_path)
    store = tmp_path / "cache"
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert cli(*paths, "--cache-dir", store, "-o", first).exit_code == 0
    assert first.read_bytes() == expected
    n_docs = sum(isinstance(d, Document) for d in corpus.iter_documents([str(p) for p in paths]))
    assert len(entries(store)) == n_docs

    no_extraction(monkeypatch)
    result = cli(*paths, "--cache-dir", store, "-o", second)
    assert result.exit_code == 0, result.output
    assert second.read_bytes() == expected


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_cached_csv_and_parquet_are_byte_identical(tmp_path, small, fmt):
    expected = tmp_path / f"plain.{fmt}"
    assert cli(small, "--no-cache", "-f", fmt, "-o", expected).exit_code == 0
    for name in ("cold", "warm"):
        out = tmp_path / f"{name}.{fmt}"
        assert cli(small, "--cache-dir", tmp_path / "cache", "-f", fmt, "-o", out).exit_code == 0
        assert out.read_bytes() == expected.read_bytes(), name


def test_no_cache_neither_reads_nor_writes(tmp_path, small, monkeypatch):
    monkeypatch.setenv("FIGCHECK_CACHE_DIR", str(tmp_path / "env-cache"))
    assert cli(small, "--no-cache", "-o", tmp_path / "a.jsonl").exit_code == 0
    assert not (tmp_path / "env-cache").exists()
    # with the cache filled, --no-cache still extracts every document
    assert cli(small, "-o", tmp_path / "b.jsonl").exit_code == 0
    assert entries(tmp_path / "env-cache")
    no_extraction(monkeypatch)
    assert cli(small, "--no-cache", "-o", tmp_path / "c.jsonl").exit_code != 0


def test_default_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FIGCHECK_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("FIGCHECK_CACHE_DIR")
    assert default_cache_dir() == tmp_path / "xdg" / "figcheck"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "figcheck"


def test_changed_rules_never_meet_stale_figures(tmp_path):
    # A wider "about" tolerance in qualifiers.yaml changes the interval of every approximate
    # figure; a run with the edited rules must give the fresh figures, not the cached ones.
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    store = tmp_path / "cache"
    before = tmp_path / "before.jsonl"
    assert cli(EXAMPLES, "--rules", rules, "--cache-dir", store, "-o", before).exit_code == 0

    q = rules / "qualifiers.yaml"
    doc = yaml.safe_load(q.read_text(encoding="utf-8"))
    wider = min(0.5, doc["tolerance"]["approx"] * 5)
    doc["tolerance"]["approx"] = wider
    q.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    after, fresh = tmp_path / "after.jsonl", tmp_path / "fresh.jsonl"
    assert cli(EXAMPLES, "--rules", rules, "--cache-dir", store, "-o", after).exit_code == 0
    assert cli(EXAMPLES, "--rules", rules, "--no-cache", "-o", fresh).exit_code == 0
    assert after.read_bytes() == fresh.read_bytes()
    assert after.read_bytes() != before.read_bytes()
    approx = [r for r in map(json.loads, after.read_text().splitlines()) if r["qualifier"] == "approx"]
    assert approx
    assert all(r["low"] == pytest.approx(r["value"] * (1 - wider)) for r in approx)


def test_changed_metadata_or_extractor_changes_the_key(monkeypatch):
    vocab = load_vocabulary()
    doc = document_from_text("Hamas still holds about 129 hostages.", doc_id="a.md", published="2023-12-19")
    key = document_key(doc, vocab)
    assert document_key(document_from_text(doc.text, doc_id="a.md", published="2023-12-19"), vocab) == key
    assert document_key(document_from_text(doc.text, doc_id="b.md", published="2023-12-19"), vocab) != key
    assert document_key(document_from_text(doc.text, doc_id="a.md", published="2023-12-20"), vocab) != key
    assert document_key(document_from_text(doc.text, doc_id="a.md", published="2023-12-19",
                                            source="Harbor Post"), vocab) != key
    assert document_key(document_from_text(doc.text + " ", doc_id="a.md", published="2023-12-19"), vocab) != key

    monkeypatch.setattr(cache_mod, "EXTRACTOR_VERSION", "next")
    cache_mod.extractor_fingerprint.cache_clear()
    try:
        assert document_key(doc, vocab) != key
    finally:
        monkeypatch.undo()
        cache_mod.extractor_fingerprint.cache_clear()
    assert document_key(doc, vocab) == key


def test_any_edit_to_the_extractor_changes_the_fingerprint(tmp_path):
    # A copy of the package: an edit anywhere extraction may reach (the extractor, the text
    # helpers, a module added later) changes the digest; an edit to the command line does not.
    package = tmp_path / "figcheck"
    shutil.copytree(Path(cache_mod.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache_mod.code_digest(package)
    assert before == cache_mod.extractor_fingerprint()

    (package / "cli" / "extract_cmd.py").write_text("# reworded help\n", encoding="utf-8")
    assert cache_mod.code_digest(package) == before
    for edit in ("extract/figures.py", "text.py", "extract/new_helper.py"):
        path = package / edit
        path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + "\n# changed\n",
                        encoding="utf-8")
        after = cache_mod.code_digest(package)
        assert after != before, edit
        before = after


def test_published_override_is_not_served_from_the_cache(tmp_path):
    store = tmp_path / "cache"
    article = tmp_path / "a.txt"
    article.write_text("Israel says 136 hostages are still held in Gaza, the army said on Sunday.\n", encoding="utf-8")
    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    assert cli(article, "--published", "2024-01-21", "--cache-dir", store, "-o", one).exit_code == 0
    assert cli(article, "--published", "2024-02-04", "--cache-dir", store, "-o", two).exit_code == 0
    assert [json.loads(x)["published"] for x in two.read_text().splitlines()] == ["2024-02-04"]
    assert one.read_text() != two.read_text()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "empty", "other-key", "not-rows"])
def test_damaged_entries_are_ignored_and_rebuilt(tmp_path, damage):
    vocab = load_vocabulary()
    docs = [d for d in corpus.iter_documents([str(EXAMPLES)]) if isinstance(d, Document)]
    store = tmp_path / "cache"
    expected = list(parallel.iter_figures(docs, vocab, cache=FigureCache(store, vocab)))
    victim = FigureCache(store, vocab).path_for(document_key(docs[0], vocab))
    data = victim.read_bytes()
    if damage == "truncate":
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        victim.write_bytes(b"\x00\xff not json at all\n")
    elif damage == "flip":  # same length, one changed digit in the payload
        i = data.index(b'"start":') + len(b'"start":')
        victim.write_bytes(data[:i] + (b"8" if data[i:i + 1] != b"8" else b"7") + data[i + 1:])
    elif damage == "empty":
        victim.write_bytes(b"")
    elif damage == "other-key":  # a sound entry, but another document's
        other = FigureCache(store, vocab).path_for(document_key(docs[1], vocab))
        victim.write_bytes(other.read_bytes())
    elif damage == "not-rows":
        payload = b'{"rows": 1}'
        header = json.loads(data.split(b"\n", 1)[0])
        import hashlib

        header["sha256"] = hashlib.sha256(payload).hexdigest()
        victim.write_bytes(json.dumps(header).encode() + b"\n" + payload + b"\n")

    store2 = FigureCache(store, vocab)
    assert list(parallel.iter_figures(docs, vocab, cache=store2)) == expected
    assert store2.rejected == 1
    assert store2.hits == len(docs) - 1
    store3 = FigureCache(store, vocab)
    assert list(parallel.iter_figures(docs, vocab, cache=store3)) == expected
    assert store3.rejected == 0
    assert store3.hits == len(docs)


def test_unwritable_cache_warns_once_and_the_run_goes_on(tmp_path, small, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli(small, "--cache-dir", blocker, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == plain_bytes([small], tmp_path)
    warnings = [r for r in caplog.records if "cannot be written" in r.getMessage()]
    assert len(warnings) == 1


def test_rows_json_cannot_carry_are_not_cached(tmp_path):
    vocab = load_vocabulary()
    doc = document_from_text("About 129 hostages are still held.", published="2023-12-19")
    store = FigureCache(tmp_path, vocab)
    store.put(doc, [{"figure_id": "text:6", "value": float("nan")}])
    store.put(doc, [{"figure_id": "text:6", "span": (6, 9)}])
    assert store.get(doc) is None
    assert not entries(tmp_path)


def test_no_cache_with_cache_dir_is_a_usage_error(tmp_path):
    result = cli(EXAMPLES, "--no-cache", "--cache-dir", tmp_path)
    assert result.exit_code == 2
    assert "contradict" in result.stderr
