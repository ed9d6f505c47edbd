"""Validated cache entries: a warm run skips great-expectations, yet never serves rows that broke the contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import figcheck.validate
from figcheck import api, parallel
from figcheck import cache as cache_mod
from figcheck.cli import app
from test_cache import no_extraction
from test_parallel import plain_bytes, write_corpus

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, ["extract", *map(str, args)])


def headers(root: Path) -> dict[str, dict]:
    """Each cache entry's header, by file name."""
    return {p.name: json.loads(p.read_bytes().split(b"\n", 1)[0]) for p in sorted(root.rglob("*.json"))}


def marked(root: Path) -> dict[str, bool]:
    """Whether each cache entry is marked validated under the current contract."""
    mine = cache_mod.contract_fingerprint()
    return {name: h.get("contract") == mine for name, h in headers(root).items()}


def spy_checks(monkeypatch) -> list[list[str]]:
    """Record the doc_ids of every batch the contract checks (the only path to great-expectations)."""
    seen: list[list[str]] = []
    real = figcheck.validate._check

    def spy(figures, documents, vocab, hint):
        seen.append(sorted(set(figures["doc_id"])))
        return real(figures, documents, vocab, hint)

    monkeypatch.setattr(figcheck.validate, "_check", spy)
    return seen


def no_validation(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("rows from validated cache entries were checked again")

    monkeypatch.setattr(figcheck.validate, "_check", boom)


@pytest.fixture
def small(tmp_path):
    root = tmp_path / "corpus"
    write_corpus(root, 8, seed=11)
    return root


_RUN = """
import json, sys
from figcheck.cli import app
try:
    app(sys.argv[1:])
    code = 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "gx": any(m.split(".")[0] == "great_expectations" for m in sys.modules)}))
"""


def run_in_fresh_interpreter(*args) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", _RUN, *map(str, args)], capture_output=True, text=True, env=env,
                          check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_warm_run_does_not_import_great_expectations(tmp_path, small):
    store = tmp_path / "cache"
    cold, warm = tmp_path / "cold.jsonl", tmp_path / "warm.jsonl"
    first = run_in_fresh_interpreter("extract", small, "--cache-dir", store, "-o", cold)
    assert first == {"code": 0, "gx": True}  # the cold run validated its rows
    assert all(marked(store).values()) and marked(store)
    second = run_in_fresh_interpreter("extract", small, "--cache-dir", store, "-o", warm)
    assert second == {"code": 0, "gx": False}
    assert warm.read_bytes() == cold.read_bytes() == plain_bytes([small], tmp_path)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_warm_output_is_identical_and_nothing_is_checked_again(tmp_path, small, monkeypatch, jobs):
    store = tmp_path / "cache"
    expected = plain_bytes([small], tmp_path)
    cold, warm = tmp_path / "cold.jsonl", tmp_path / "warm.jsonl"
    assert cli(small, "--cache-dir", store, "--jobs", jobs, "-o", cold).exit_code == 0
    no_validation(monkeypatch)
    no_extraction(monkeypatch)
    result = cli(small, "--cache-dir", store, "--jobs", jobs, "-o", warm)
    assert result.exit_code == 0, result.output
    assert warm.read_bytes() == cold.read_bytes() == expected


def test_the_api_skips_the_contract_for_validated_entries(tmp_path, small, monkeypatch):
    fresh = api.extract(small)
    cold = api.extract(small, cache=tmp_path / "cache")
    no_validation(monkeypatch)
    no_extraction(monkeypatch)
    warm = api.extract(small, cache=tmp_path / "cache")
    pd.testing.assert_frame_equal(warm, fresh)
    pd.testing.assert_frame_equal(cold, fresh)
    assert warm.attrs["validated"] and warm.attrs["problems"] == []


def test_only_documents_without_a_validated_entry_are_checked(tmp_path, small, monkeypatch):
    store = tmp_path / "cache"
    expected = plain_bytes([small], tmp_path)
    assert cli(small, "--cache-dir", store, "-o", tmp_path / "cold.jsonl").exit_code == 0
    files = sorted(store.rglob("*.json"))
    dropped = files[::3]
    gone = {rows[0]["doc_id"] for rows in (json.loads(f.read_bytes().split(b"\n", 2)[1]) for f in dropped) if rows}
    for f in dropped:
        f.unlink()
    assert gone
    checked = spy_checks(monkeypatch)
    out = tmp_path / "half.jsonl"
    assert cli(small, "--cache-dir", store, "-o", out).exit_code == 0
    assert out.read_bytes() == expected
    assert {d for batch in checked for d in batch} == gone  # the hits were passed on unchecked, in order
    assert len(headers(store)) == len(files) and all(marked(store).values())


def test_a_no_validate_entry_is_validated_on_the_next_run(tmp_path, small, monkeypatch):
    store = tmp_path / "cache"
    assert cli(small, "--cache-dir", store, "--no-validate", "-o", tmp_path / "raw.jsonl").exit_code == 0
    assert marked(store) and not any(marked(store).values())  # unchecked rows are never marked

    checked = spy_checks(monkeypatch)
    no_extraction(monkeypatch)
    out = tmp_path / "checked.jsonl"
    assert cli(small, "--cache-dir", store, "-o", out).exit_code == 0
    assert checked  # the cached rows were checked against the contract ...
    assert all(marked(store).values())  # ... and, having passed, are marked
    assert out.read_bytes() == plain_bytes([small], tmp_path)

    checked.clear()
    assert cli(small, "--cache-dir", store, "-o", tmp_path / "again.jsonl").exit_code == 0
    assert checked == []
    # a --no-validate run over marked entries leaves them as they are
    assert cli(small, "--cache-dir", store, "--no-validate", "-o", tmp_path / "raw2.jsonl").exit_code == 0
    assert all(marked(store).values())


def test_a_changed_contract_invalidates_the_marks(tmp_path, small, monkeypatch):
    store = tmp_path / "cache"
    assert cli(small, "--cache-dir", store, "-o", tmp_path / "cold.jsonl").exit_code == 0
    before = {name: h["contract"] for name, h in headers(store).items()}
    assert set(before.values()) == {cache_mod.contract_fingerprint()}

    checked = spy_checks(monkeypatch)
    no_extraction(monkeypatch)
    monkeypatch.setattr(cache_mod, "contract_fingerprint", lambda: "another contract")
    out = tmp_path / "after.jsonl"
    assert cli(small, "--cache-dir", store, "-o", out).exit_code == 0
    assert checked  # old marks do not let rows skip the new contract
    assert out.read_bytes() == plain_bytes([small], tmp_path)
    assert {h["contract"] for h in headers(store).values()} == {"another contract"}


def test_the_contract_digest_covers_the_contract_and_nothing_else(tmp_path, monkeypatch):
    package = tmp_path / "figcheck"
    shutil.copytree(Path(cache_mod.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache_mod.contract_digest(package)
    assert before == cache_mod.contract_fingerprint()
    (package / "cli" / "extract_cmd.py").write_text("# reworded help\n", encoding="utf-8")
    (package / "report" / "__init__.py").write_text("# other reports\n", encoding="utf-8")
    assert cache_mod.contract_digest(package) == before
    for edit in ("validate.py", "models.py"):
        path = package / edit
        path.write_text(path.read_text(encoding="utf-8") + "\n# a new clause\n", encoding="utf-8")
        after = cache_mod.contract_digest(package)
        assert after != before, edit
        before = after
    monkeypatch.setattr(figcheck.validate, "CONTRACT_VERSION", "next")
    assert cache_mod.contract_digest(package) != before


def _breaking(real):
    """An extractor whose first figure in ``*-0003.*`` articles has a negative lower bound."""

    def extract_document(doc, vocab):
        rows = real(doc, vocab)
        if "0003" in doc.doc_id and rows:
            rows[0] = {**rows[0], "low": -1.0}
        return rows

    return extract_document


def test_a_document_with_a_broken_row_is_not_marked_and_is_reported_again(tmp_path, small, monkeypatch):
    monkeypatch.setattr(parallel, "extract_document", _breaking(parallel.extract_document))
    store = tmp_path / "cache"
    reference = cli(small, "--no-cache", "-o", tmp_path / "reference.jsonl")
    assert reference.exit_code == 2
    assert "breaks the figures contract" in reference.stderr

    cold = cli(small, "--cache-dir", store, "-o", tmp_path / "cold.jsonl")
    assert (cold.exit_code, cold.stderr) == (reference.exit_code, reference.stderr)
    flags = marked(store)
    assert list(flags.values()).count(False) == 1  # only the broken article's entry is unmarked
    broken = next(name for name, ok in flags.items() if not ok)
    assert json.loads((next(store.rglob(broken))).read_bytes().split(b"\n", 2)[1])[0]["low"] == -1.0

    no_extraction(monkeypatch)
    checked = spy_checks(monkeypatch)
    warm = cli(small, "--cache-dir", store, "-o", tmp_path / "warm.jsonl")
    assert (warm.exit_code, warm.stderr) == (reference.exit_code, reference.stderr)  # re-checked, re-reported
    assert len(checked) == 1 and len(checked[0]) == 1 and "0003" in checked[0][0]
    assert marked(store) == flags
    for name in ("cold", "warm"):
        assert (tmp_path / f"{name}.jsonl").read_bytes() == (tmp_path / "reference.jsonl").read_bytes(), name
