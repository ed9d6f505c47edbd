"""Loading rule files: every key is checked, and a broken file stops the run naming the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import EXAMPLES, ROOT
from figcheck.cli import app
from figcheck.errors import RuleError
from figcheck.ruleset import load_rule, load_rules
from figcheck.vocab import load_vocabulary

RULES_DIR = ROOT / "rules"
runner = CliRunner()


def _folder(tmp_path: Path, extra_metrics: str = "") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in ("metrics.yaml", "qualifiers.yaml", "lexicon.yaml"):
        (folder / name).write_text((RULES_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    if extra_metrics:
        with open(folder / "metrics.yaml", "a", encoding="utf-8") as fh:
            fh.write(extra_metrics)
    return folder


def _rule(folder: Path, rid: str = "FC900", **changes) -> Path:
    data = yaml.safe_load((RULES_DIR / "FC101.yaml").read_text(encoding="utf-8"))
    data["id"] = rid
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = folder / f"{rid}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _error(folder: Path) -> RuleError:
    with pytest.raises(RuleError) as info:
        load_rules(folder)
    return info.value


def test_shipped_rules_load_and_cover_every_kind_and_tracked_metric():
    rules = load_rules(RULES_DIR)
    assert {r.kind for r in rules} == {"balance", "monotonic", "bound", "agreement", "revision"}
    vocab = load_vocabulary(RULES_DIR)
    covered = {m for r in rules for m in r.metrics()}
    untracked = {m for m, spec in vocab.metrics.items() if spec.behaviour != "incident"} - covered
    assert not untracked, f"metrics no rule checks: {sorted(untracked)}"
    assert not any(vocab.metrics[m].behaviour == "incident" for m in covered)


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"kind": "summ"}, "kind", "expected one of balance, monotonic, bound, agreement, revision"),
        ({"kind": None}, "kind", "is missing"),
        ({"severity": "fatal"}, "severity", "expected one of error, warning, info"),
        ({"rationale": None}, "rationale", "is missing"),
        ({"message": "{parts} and {__class__}"}, "message", "does not fill"),
        ({"message": "{total.__class__.__mro__}"}, "message", "does not fill"),
        ({"message": "{observed!r}"}, "message", "formats the placeholder"),
        ({"total": "hostages.stolen"}, "total", "metrics.yaml does not define"),
        ({"parts": ["hostages.held", "hostages.freed"]}, "parts[1]", "metrics.yaml does not define"),
        ({"parts": "hostages.taken"}, "parts", "includes the total"),
        ({"tolerance": 2}, "tolerance", "fraction between 0 and 1"),
        ({"claimants": "all"}, "claimants", "expected one of same_series, any"),
        ({"complete": "yes"}, "complete", "true or false"),
        ({"totl": "hostages.taken"}, "totl", "is not a key of a balance rule"),
        ({"examples": {"pass": "text"}}, "examples.fail", "is missing"),
        ({"examples": None}, "examples", "is missing"),
        ({"parts": ["incident.deaths"], "total": "deaths.gaza"}, "parts", "incident"),
    ],
)
def test_a_broken_rule_names_file_and_key(tmp_path, changes, key, words):
    folder = _folder(tmp_path)
    path = _rule(folder, **changes)
    err = _error(folder)
    assert err.path == str(path)
    assert err.key == key
    assert words in str(err)
    assert str(err).startswith(f"{path}: key '{key}'")


def test_file_name_must_match_the_id(tmp_path):
    folder = _folder(tmp_path)
    path = _rule(folder, rid="FC900")
    path.rename(folder / "FC901.yaml")
    err = _error(folder)
    assert err.key == "id" and "FC901" in str(err)


def test_bad_yaml_names_the_line(tmp_path):
    folder = _folder(tmp_path)
    (folder / "FC900.yaml").write_text("id: FC900\nkind: [balance\n", encoding="utf-8")
    err = _error(folder)
    assert "is not valid YAML at line" in str(err)


def test_a_rule_that_adds_people_to_days_is_refused(tmp_path):
    folder = _folder(tmp_path, extra_metrics=(
        "\n  - id: war.days\n    description: Days since the war began.\n    unit: day\n    behaviour: cumulative\n"
        "    cues: {subject: [days], generic: false, event: [war]}\n"))
    _rule(folder, parts=["hostages.held", "war.days"])
    err = _error(folder)
    assert err.key == "parts[1]"
    assert "pint cannot add day to person" in str(err)


def test_a_bound_between_people_and_days_is_refused(tmp_path):
    folder = _folder(tmp_path, extra_metrics=(
        "\n  - id: war.days\n    description: Days since the war began.\n    unit: day\n    behaviour: stock\n"
        "    cues: {subject: [days], generic: false, event: [war]}\n"))
    data = yaml.safe_load((RULES_DIR / "FC301.yaml").read_text(encoding="utf-8"))
    data.update(id="FC900", whole="war.days")
    (folder / "FC900.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    err = _error(folder)
    assert err.key == "whole" and "pint cannot compare" in str(err)


@pytest.mark.parametrize(
    ("base", "changes", "key", "words"),
    [
        ("FC201", {"metrics": ["hostages.taken"]}, "metrics[0]", "event total"),
        ("FC203", {"metrics": ["deaths.gaza"]}, "metrics[0]", "only a stock can drain"),
        ("FC401", {"metrics": ["deaths.israel"]}, "metrics[0]", "revision rule"),
        ("FC501", {"metrics": ["deaths.gaza"]}, "metrics[0]", "revision follows event totals"),
        ("FC201", {"metrics": ["incident.deaths"]}, "metrics", "incident tolls never feed"),
        ("FC401", {"window_days": -1}, "window_days", "whole number of days"),
        ("FC303", {"whole": "deaths.children"}, "whole", "the same as part"),
    ],
)
def test_kind_parameters_are_checked_against_metric_behaviour(tmp_path, base, changes, key, words):
    folder = _folder(tmp_path)
    data = yaml.safe_load((RULES_DIR / f"{base}.yaml").read_text(encoding="utf-8"))
    data.update(id="FC900", **changes)
    (folder / "FC900.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    err = _error(folder)
    assert err.key == key, str(err)
    assert words in str(err)


def test_message_is_filled_by_substitution_never_evaluated(tmp_path):
    folder = _folder(tmp_path)
    _rule(folder, message="{parts} = {observed} vs {total} {total_value} [__import__('os')] {{literal}}")
    rule = load_rule(folder / "FC900.yaml", load_vocabulary(folder))
    from figcheck.engine import make_figures, run

    figs = make_figures([
        {"doc_id": "a", "metric": "hostages.taken", "value": 240, "as_of": "2023-10-07"},
        {"doc_id": "a", "metric": "hostages.held", "value": 250, "as_of": "2023-12-05"},
    ])
    found = run(figs, [rule], load_vocabulary(folder))
    assert found["message"].tolist() == [
        "held = at least 250 person vs taken 240 person [__import__('os')] {literal}"]


def test_check_stops_with_exit_2_on_a_broken_rule_file(tmp_path):
    folder = _folder(tmp_path)
    path = _rule(folder, severity="fatal")
    result = runner.invoke(app, ["check", str(EXAMPLES), "--rules", str(folder)])
    assert result.exit_code == 2
    assert f"{path}: key 'severity': is 'fatal'; expected one of error, warning, info" in result.output
    assert "Traceback" not in result.output
    listed = runner.invoke(app, ["rules", "list", "--rules", str(folder)])
    assert listed.exit_code == 2 and "key 'severity'" in listed.output


def test_a_yaml_file_that_is_not_a_rule_is_reported(tmp_path):
    folder = _folder(tmp_path)
    (folder / "notes.yaml").write_text("todo: write more rules\n", encoding="utf-8")
    err = _error(folder)
    assert err.path.endswith("notes.yaml") and err.key == "kind"
