"""Baseline files: write, read back, keep reasons, compare, and refuse broken files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from figcheck.baseline import BaselineError, compare, read_baseline, write_baseline
from figcheck.models import FINDING_COLUMNS


def _findings(*ids: str) -> pd.DataFrame:
    rows = [{"finding_id": i, "rule_id": f"FC{100 + n}", "severity": "error", "verdict": "contradiction",
             "message": f"finding {i}", "figure_ids": [f"a.md:{n}"], "observed": "2", "expected": "1"}
            for n, i in enumerate(ids)]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


@pytest.mark.parametrize("name", ["base.yaml", "base.json"])
def test_write_then_read_round_trip(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_baseline(path, _findings("aaa111", "bbb222"), "known before adoption")
    b = read_baseline(path)
    assert b.ids == {"aaa111", "bbb222"}
    assert b.reason("aaa111") == "known before adoption"
    assert b.entries[0]["figure_ids"] == ["a.md:0"]
    assert b.reason("zzz999") is None


def test_rewrite_keeps_hand_written_reasons_and_drops_gone_entries(tmp_path: Path) -> None:
    path = tmp_path / "base.yaml"
    write_baseline(path, _findings("aaa111", "bbb222"), "first")
    path.write_text(path.read_text(encoding="utf-8").replace("reason: first", "reason: checked by the desk", 1),
                    encoding="utf-8")
    write_baseline(path, _findings("aaa111", "ccc333"), "second")
    b = read_baseline(path)
    assert b.ids == {"aaa111", "ccc333"}
    assert b.reason("aaa111") == "checked by the desk"
    assert b.reason("ccc333") == "second"


def test_same_findings_give_the_same_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    write_baseline(a, _findings("aaa111", "bbb222"), "r")
    write_baseline(b, _findings("aaa111", "bbb222").iloc[::-1], "r")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_text(encoding="utf-8").startswith("# figcheck baseline")


def test_compare_splits_new_accepted_absent(tmp_path: Path) -> None:
    path = tmp_path / "base.yaml"
    write_baseline(path, _findings("aaa111", "old000"), "r")
    c = compare(_findings("aaa111", "new222"), read_baseline(path))
    assert c.new["finding_id"].tolist() == ["new222"]
    assert c.accepted["finding_id"].tolist() == ["aaa111"]
    assert [e["finding_id"] for e in c.absent] == ["old000"]
    none = compare(_findings("aaa111"), None)
    assert none.new["finding_id"].tolist() == ["aaa111"]
    assert none.absent == []


@pytest.mark.parametrize(("text", "message"), [
    ("version: 1\nfindings:\n  - finding_id: abc123\n", "key 'reason' is missing"),
    ("version: 1\nfindings:\n  - reason: because\n", "key 'finding_id' is missing"),
    ("version: 1\nfindings:\n  - {finding_id: a1, reason: x}\n  - {finding_id: a1, reason: y}\n", "listed twice"),
    ("version: 7\nfindings: []\n", "key 'version' is 7"),
    ("version: 1\nfindings: [\n", "not valid YAML"),
    ("version: 1\nfindings: nope\n", "must be a list"),
])
def test_broken_baseline_names_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError, match=message) as info:
        read_baseline(path)
    assert str(path) in str(info.value)
    assert info.value.exit_code == 2


def test_missing_baseline_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="figcheck baseline write"):
        read_baseline(tmp_path / "nope.yaml")


def test_interrupted_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "base.yaml"
    write_baseline(path, _findings("aaa111"), "r")
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # as if the run were stopped after writing, before the rename

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_baseline(path, _findings("bbb222"), "r")
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))
