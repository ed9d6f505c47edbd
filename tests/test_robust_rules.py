"""Broken and hostile rules folders: exit code 2, one line naming the file and the key, nothing executed.

The vocabulary files (metrics.yaml, qualifiers.yaml, lexicon.yaml) are tested through
`figcheck extract --rules DIR`, the rule files (<ID>.yaml) through `figcheck check --rules DIR`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT
from figcheck.cli import app

RULES_DIR = ROOT / "rules"
runner = CliRunner()

ARTICLE = "Israel says about 136 hostages are still held in Gaza, of 253 abducted on Oct. 7.\n"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def _copy_rules(tmp_path: Path, with_rule_files: bool) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for src in sorted(RULES_DIR.glob("*.yaml")):
        if with_rule_files or src.name in ("metrics.yaml", "qualifiers.yaml", "lexicon.yaml"):
            (folder / src.name).write_bytes(src.read_bytes())
    return folder


def _one_line_error(result, path: Path, key: str | None) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"figcheck: error: {path}"), line
    if key is not None:
        assert f"key '{key}'" in line, line
    return line




# --------------------------------------------------------------------------------------------
# the vocabulary files, through extract


def _replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


VOCAB_CASES = [
    # (case, file, edit, key or None, words in the message)
    ("malformed_yaml", "metrics.yaml", lambda t: t + "\n  - id: [unclosed\n", None, "is not valid YAML at line"),
    ("not_utf8", "lexicon.yaml", lambda t: t + "\n# caf\xe9\n", None, "is not UTF-8"),
    ("top_level_list", "qualifiers.yaml", lambda t: "- just\n- a list\n", None, "must be a mapping"),
    ("metric_id_malformed", "metrics.yaml",
     lambda t: _replace_once(t, "- id: hostages.taken", "- id: Hostages Taken"), "metrics[0].id", "is not a metric id"),
    ("behaviour_unknown", "metrics.yaml",
     lambda t: re.sub(r"(behaviour:) \w+", r"\1 sometimes", t, count=1), "behaviour", "expected one of"),
    ("unit_unknown", "metrics.yaml",
     lambda t: re.sub(r"(unit:) person", r"\1 bananas_per_fortnight", t, count=1), "unit", "is not a unit"),
    ("unit_wrong_type", "metrics.yaml", lambda t: re.sub(r"(unit:) person", r"\1 [person]", t, count=1), "unit",
     "must be a unit name"),
    ("event_unknown", "metrics.yaml",
     lambda t: _replace_once(t, "event: oct7", "event: the_moon_landing"), "event",
     "which lexicon.yaml does not define"),
    ("tolerance_wrong_type", "qualifiers.yaml", lambda t: re.sub(r"(approx:) [0-9.]+", r"\1 lots", t, count=1),
     "tolerance.approx", "give a fraction"),
]


@pytest.mark.parametrize(("case", "name", "edit", "key", "words"), VOCAB_CASES, ids=[c[0] for c in VOCAB_CASES])
def test_a_broken_vocabulary_file_stops_extract_with_exit_2(tmp_path, corpus, case, name, edit, key, words):
    folder = _copy_rules(tmp_path, with_rule_files=False)
    path = folder / name
    original = path.read_text(encoding="utf-8")
    edited = edit(original)
    if case == "not_utf8":
        path.write_bytes(edited.encode("latin-1", errors="replace"))
    else:
        path.write_text(edited, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(corpus), "--rules", str(folder)])
    line = _one_line_error(result, path, None)
    if key is not None:
        assert re.search(rf"key '[^']*{re.escape(key)}'", line), line
    assert words in line, line
    assert result.stdout == ""  # nothing half-extracted with broken rules


def test_a_missing_vocabulary_file_is_named(tmp_path, corpus):
    folder = _copy_rules(tmp_path, with_rule_files=False)
    (folder / "lexicon.yaml").unlink()
    result = runner.invoke(app, ["extract", str(corpus), "--rules", str(folder)])
    assert "is missing" in _one_line_error(result, folder / "lexicon.yaml", None)


def test_a_rules_folder_that_does_not_exist_is_named(tmp_path, corpus):
    result = runner.invoke(app, ["extract", str(corpus), "--rules", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "nope" in result.stderr
    assert "Traceback" not in result.output


PYTHON_TAGS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/new:subprocess.check_output [["touch", "{marker}"]]',
    "!!python/name:os.system",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS, ids=["apply", "new", "name"])
def test_yaml_tags_in_a_vocabulary_file_are_never_executed(tmp_path, corpus, tag):
    folder = _copy_rules(tmp_path, with_rule_files=False)
    marker = tmp_path / "EXECUTED"
    path = folder / "lexicon.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"\nextra: {tag.format(marker=marker)}\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(corpus), "--rules", str(folder)])
    line = _one_line_error(result, path, None)
    assert "is not valid YAML" in line
    assert not marker.exists()


def test_a_billion_laughs_vocabulary_file_is_refused_quickly(tmp_path, corpus):
    folder = _copy_rules(tmp_path, with_rule_files=False)
    laughs = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        laughs.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    path = folder / "lexicon.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "\n".join(laughs) + "\nperson_nouns: *i\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["extract", str(corpus), "--rules", str(folder)])
    assert "must be a list of words" in _one_line_error(result, path, "person_nouns")


# --------------------------------------------------------------------------------------------
# rule files, through check


def _rule_file(folder: Path, rid: str = "FC900", **changes) -> Path:
    data = yaml.safe_load((RULES_DIR / "FC101.yaml").read_text(encoding="utf-8"))
    data["id"] = rid
    data.update(changes)
    path = folder / f"{rid}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


RULE_CASES = [
    ("unknown_kind", {"kind": "summ"}, "kind", "expected one of balance"),
    ("unknown_metric", {"total": "hostages.stolen"}, "total", "metrics.yaml does not define"),
    ("wrong_type", {"complete": "yes"}, "complete", "true or false"),
    ("wrong_type_list", {"parts": {"held": 1}}, "parts", ""),
    ("unknown_severity", {"severity": "fatal"}, "severity", "expected one of error, warning, info"),
]


@pytest.mark.parametrize(("case", "changes", "key", "words"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_a_broken_rule_file_stops_check_with_exit_2(tmp_path, corpus, case, changes, key, words):
    folder = _copy_rules(tmp_path, with_rule_files=True)
    path = _rule_file(folder, **changes)
    result = runner.invoke(app, ["check", str(corpus), "--rules", str(folder)])
    line = _one_line_error(result, path, key)
    assert words in line


def test_a_malformed_rule_file_names_the_line(tmp_path, corpus):
    folder = _copy_rules(tmp_path, with_rule_files=True)
    path = folder / "FC900.yaml"
    path.write_text("id: FC900\nkind: balance\nparts: [hostages.held\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(corpus), "--rules", str(folder)])
    assert "is not valid YAML at line" in _one_line_error(result, path, None)


def test_a_unit_mismatch_in_a_rule_is_refused(tmp_path, corpus):
    folder = _copy_rules(tmp_path, with_rule_files=True)
    with open(folder / "metrics.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n  - id: war.days\n    description: Days since the war began.\n    unit: day\n"
                 "    behaviour: cumulative\n    cues: {subject: [days], generic: false, event: [war]}\n")
    path = _rule_file(folder, parts=["hostages.held", "war.days"])
    result = runner.invoke(app, ["check", str(corpus), "--rules", str(folder)])
    assert "cannot add day to person" in _one_line_error(result, path, "parts[1]")


@pytest.mark.parametrize("tag", PYTHON_TAGS, ids=["apply", "new", "name"])
def test_yaml_tags_in_a_rule_file_are_never_executed(tmp_path, corpus, tag):
    folder = _copy_rules(tmp_path, with_rule_files=True)
    marker = tmp_path / "EXECUTED"
    path = folder / "FC900.yaml"
    path.write_text((RULES_DIR / "FC101.yaml").read_text(encoding="utf-8").replace("FC101", "FC900")
                    + f"\nextra: {tag.format(marker=marker)}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(corpus), "--rules", str(folder)])
    assert "is not valid YAML" in _one_line_error(result, path, None)
    assert not marker.exists()


def test_a_deeply_nested_rule_file_is_an_error_not_a_traceback(tmp_path, corpus):
    folder = _copy_rules(tmp_path, with_rule_files=True)
    path = folder / "FC900.yaml"
    path.write_text("[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(corpus), "--rules", str(folder)])
    _one_line_error(result, path, None)
