"""Every shipped rule against its fixture (tests/fixtures/rules/<ID>.yaml), sqlfluff-style.

Each fixture case gives figures rows directly, so the rule logic is tested without extraction.
A ``test_pass_*`` case must give no finding; a ``test_fail_*`` case states how many findings it
gives and may state their verdict, severity, observed and expected values.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT
from figcheck.engine import make_figures, run
from figcheck.ruleset import load_rules, rule_files
from figcheck.vocab import load_vocabulary

RULES_DIR = ROOT / "rules"
RULE_FIXTURES = FIXTURES / "rules"
CASE_KEYS = {"figures", "findings", "verdict", "severity", "observed", "expected"}


def _cases() -> list[tuple[str, str, dict]]:
    out = []
    for path in sorted(RULE_FIXTURES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, case in data.items():
            if name.startswith("test_"):
                out.append((data["rule"], name, case))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def shipped():
    vocab = load_vocabulary(RULES_DIR)
    return vocab, {r.id: r for r in load_rules(RULES_DIR, vocab)}


def test_every_rule_has_a_fixture_with_passing_and_failing_cases():
    ids = sorted(p.stem for p in rule_files(RULES_DIR))
    assert ids, "the shipped ruleset is empty"
    for rid in ids:
        path = RULE_FIXTURES / f"{rid}.yaml"
        assert path.is_file(), f"rule {rid} has no fixture: write tests/fixtures/rules/{rid}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data.get("rule") == rid, f"{path.name}: 'rule' should be {rid}"
        names = [k for k in data if k.startswith("test_")]
        assert any(n.startswith("test_pass_") for n in names), f"{path.name} has no test_pass_ case"
        assert any(n.startswith("test_fail_") for n in names), f"{path.name} has no test_fail_ case"
    stray = {p.stem for p in RULE_FIXTURES.glob("*.yaml")} - set(ids)
    assert not stray, f"fixtures for rules that do not exist: {sorted(stray)}"


@pytest.mark.parametrize(("rule_id", "name", "case"), CASES, ids=[f"{r}_{n}" for r, n, _ in CASES])
def test_rule_fixture_case(shipped, rule_id, name, case):
    vocab, rules = shipped
    assert set(case) <= CASE_KEYS, f"unknown keys {set(case) - CASE_KEYS}"
    figures = make_figures(case["figures"])
    found = run(figures, [rules[rule_id]], vocab)
    if name.startswith("test_pass_"):
        assert found.empty, f"expected no finding, got: {list(found['message'])}"
        return
    assert len(found) == case["findings"], list(found["message"])
    for key in ("verdict", "severity", "observed", "expected"):
        if key in case:
            assert str(case[key]) in set(found[key]), (key, list(found[key]))
    for ids in found["figure_ids"]:
        assert set(ids) <= set(figures["figure_id"]), "a finding names a figure that is not in the table"
        assert len(ids) >= 2, "a contradiction names at least two figures"


def test_shipped_rule_examples_behave():
    from typer.testing import CliRunner

    from figcheck.cli import app

    result = CliRunner().invoke(app, ["rules", "test", "--rules", str(RULES_DIR)])
    assert result.exit_code == 0, result.output
    assert "all examples behave" in result.output


def test_rules_list_and_explain():
    from typer.testing import CliRunner

    from figcheck.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0
    for rid in (p.stem for p in rule_files(RULES_DIR)):
        assert rid in listed.output
    explained = runner.invoke(app, ["rules", "explain", "FC101"])
    assert explained.exit_code == 0
    for text in ("hostages.balance", "What it checks", "Why it matters", "total: hostages.taken", "Examples", "fail"):
        assert text in explained.output
    unknown = runner.invoke(app, ["rules", "explain", "FC999"])
    assert unknown.exit_code == 2
    assert "no rule 'FC999'" in unknown.output


def test_rules_test_reports_an_example_that_misbehaves(tmp_path):
    from typer.testing import CliRunner

    from figcheck.cli import app

    folder = _rules_copy(tmp_path, ["FC203"])
    text = (folder / "FC203.yaml").read_text(encoding="utf-8")
    # swap pass and fail: the rising count is now the "pass" example, so the test must fail
    text = text.replace("  fail:\n", "  tmp:\n").replace("  pass:\n", "  fail:\n").replace("  tmp:\n", "  pass:\n")
    (folder / "FC203.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "test", "--rules", str(folder)])
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output


def _rules_copy(tmp_path: Path, keep: list[str]) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in ("metrics.yaml", "qualifiers.yaml", "lexicon.yaml", *(f"{k}.yaml" for k in keep)):
        (folder / name).write_text((RULES_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    return folder
