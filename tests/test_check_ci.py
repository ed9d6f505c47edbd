"""`figcheck check` as a CI gate on examples/: every format, the exit-code table, baselines, --only.

These run the real extractor and rule engine on the example corpus, in process.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from figcheck.cli import app

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FORMATS = ["text", "json", "markdown", "html", "sarif", "junit", "github"]
runner = CliRunner()

#: Two new articles for the example corpus, as a newsroom would add them: one agrees with the
#: record (the ministry's toll on 20 March), one repeats a stale toll a day after a higher one.
AGREES = """---
title: Gaza toll nears 32,000 as aid ships wait off the coast
source: Test Desk
published: 2024-03-20
---
GAZA — The Hamas-run health ministry said on Wednesday that 31,923 people had been killed in Gaza since Oct. 7.

Aid groups said the first ship had unloaded its cargo.
"""
STALE = """---
title: Talks resume in Doha
source: Test Desk
published: 2024-03-28
---
DOHA — Negotiators met again on Thursday.

The war has killed about 25,000 people in Gaza, according to the Hamas-run health ministry.
"""
CORPUS = Path("corpus")
NEW_OK = CORPUS / "2024-03-20-toll-update.md"
NEW_STALE = CORPUS / "2024-03-28-boilerplate.md"


def figcheck(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A repository-like folder: corpus/ (the examples plus the two new articles)."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(EXAMPLES, root / CORPUS)
    (root / NEW_OK).write_text(AGREES, encoding="utf-8")
    (root / NEW_STALE).write_text(STALE, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _in_workdir(workdir, monkeypatch) -> None:
    monkeypatch.chdir(workdir)


@pytest.fixture(scope="module")
def findings(workdir):
    import figcheck as fc

    return fc.api.check(fc.extract(workdir / CORPUS))


@pytest.fixture(scope="module")
def full_baseline(workdir) -> Path:
    path = workdir / "baseline.yaml"
    result = figcheck("baseline", "write", path, workdir / CORPUS, "--reason", "known when the corpus was set up")
    assert result.exit_code == 0, result.output
    return path


# -- the exit-code table, for every format ----------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_exit_codes_hold_for_every_format(fmt, full_baseline) -> None:
    table = [
        (["check", CORPUS], 1),                                    # errors reach --fail-on error
        (["check", CORPUS, "--fail-on", "never"], 0),
        (["check", CORPUS, "--baseline", full_baseline], 0),      # every finding accepted
        (["check", CORPUS, "--only", NEW_OK], 0),                  # the new article agrees with the record
        (["check", CORPUS, "--only", NEW_STALE], 1),               # the new article repeats a stale toll
        (["check", "--corpus", CORPUS, NEW_STALE], 1),             # the same, as the pre-commit hook says it
        (["check", "--corpus", CORPUS, NEW_OK], 0),
        (["check", CORPUS, "--only", CORPUS / "missing.md"], 2),
        (["check", CORPUS, "--baseline", "missing.yaml"], 2),
        (["check", "no-such-folder"], 2),
        (["check", CORPUS, "--rules", "no-such-rules"], 2),
    ]
    for args, code in table:
        result = figcheck(*args, "--format", fmt)
        assert result.exit_code == code, (fmt, [str(a) for a in args], result.output)


def test_bad_baseline_and_rules_exit_2_with_one_line(tmp_path) -> None:
    bad = tmp_path / "b.yaml"
    bad.write_text("version: 1\nfindings:\n  - finding_id: abc123\n", encoding="utf-8")
    result = figcheck("check", CORPUS, "--baseline", bad, "--format", "sarif")
    assert result.exit_code == 2
    assert "key 'reason' is missing" in result.stderr
    assert "Traceback" not in result.output


# -- each format, parsed ----------------------------------------------------------------------


def test_json_output_follows_the_versioned_schema() -> None:
    schema = json.loads((ROOT / "src" / "figcheck" / "schemas" / "findings-v1.schema.json").read_text("utf-8"))
    result = figcheck("check", CORPUS, "--format", "json")
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["findings"]


def test_sarif_output_validates_and_points_into_the_files() -> None:
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    result = figcheck("check", CORPUS, "--format", "sarif")
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert results
    for r in results:
        phys = r["locations"][0]["physicalLocation"]
        region = phys["region"]
        raw = (Path.cwd() / phys["artifactLocation"]["uri"]).read_text(encoding="utf-8")
        words = raw[region["charOffset"]:region["charOffset"] + region["charLength"]]
        assert words.split() == region["snippet"]["text"].split(), r["ruleId"]


def test_junit_and_github_outputs() -> None:
    root = ET.fromstring(figcheck("check", CORPUS, "--format", "junit").stdout)
    assert root.tag == "testsuites"
    assert int(root.get("failures")) > 0
    lines = figcheck("check", CORPUS, "--format", "github").stdout.splitlines()
    assert lines
    assert all(re.match(r"::(error|warning|notice) file=corpus/[^,]+,line=\d+,col=\d+", x) for x in lines)


def test_same_corpus_gives_byte_identical_output() -> None:
    for fmt in ("markdown", "sarif", "junit", "github", "html"):
        assert figcheck("check", CORPUS, "--format", fmt).stdout == figcheck("check", CORPUS, "--format", fmt).stdout


# -- baselines and new-articles mode ----------------------------------------------------------


def test_baseline_fails_only_on_new_findings_and_lists_gone_entries(full_baseline, tmp_path, findings) -> None:
    data = yaml.safe_load(full_baseline.read_text(encoding="utf-8"))
    dropped = data["findings"].pop(0)
    data["findings"].append({"finding_id": "0123456789abcdef", "rule_id": "FC201", "reason": "fixed long ago"})
    partial = tmp_path / "partial.yaml"
    partial.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = figcheck("check", CORPUS, "--baseline", partial, "--format", "github")
    assert result.exit_code == (1 if dropped["severity"] == "error" else 0)
    annotated = [x for x in result.stdout.splitlines() if x.startswith(("::error", "::warning"))]
    assert len(annotated) == 1
    assert dropped["finding_id"] in annotated[0]
    assert "baseline entry 0123456789abcdef (FC201) no longer occurs" in result.stderr
    text = figcheck("check", CORPUS, "--baseline", partial).stdout  # text shows only the new finding
    assert dropped["finding_id"] in text
    assert not [e["finding_id"] for e in data["findings"][:-1] if e["finding_id"] in text]


def test_only_reports_findings_that_involve_the_new_article(findings) -> None:
    result = figcheck("check", CORPUS, "--only", NEW_STALE, "--format", "json")
    reported = json.loads(result.stdout)["findings"]
    expected = {f for f, ids in zip(findings["finding_id"], findings["figure_ids"], strict=True)
                if any(i.rsplit(":", 1)[0] == NEW_STALE.name for i in ids)}
    assert expected
    assert {f["finding_id"] for f in reported} == expected
    assert all(f["rule_id"] == "FC201" for f in reported)  # the toll fell: a monotonic rule
    lines = figcheck("check", CORPUS, "--only", NEW_STALE, "--format", "github").stdout.splitlines()
    assert lines
    for line in lines:  # annotations go on the new article, on the line and column of the stale toll
        assert line.startswith(f"::error file={NEW_STALE.as_posix()},line=8,col=20,")
    assert figcheck("check", CORPUS, "--only", NEW_OK, "--format", "github").stdout == ""


def test_only_with_a_file_outside_the_corpus_warns(tmp_path) -> None:
    stray = tmp_path / "notes.md"
    stray.write_text("Nothing here.\n", encoding="utf-8")
    result = figcheck("check", CORPUS, "--only", stray)
    assert result.exit_code == 0
    assert "is not an article under the checked paths; ignored" in result.stderr


def test_pre_commit_hook_runs_on_the_files_of_a_commit() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "figcheck")
    entry = hook["entry"].split()
    assert entry[:2] == ["figcheck", "check"]
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    touched = [NEW_STALE, NEW_OK, CORPUS / "README.md", CORPUS / "manifest.csv"]
    staged = [p for p in touched if files.search(p.as_posix()) and not exclude.search(p.as_posix())]
    assert staged == [NEW_STALE, NEW_OK]
    # pre-commit runs: entry, then args (a repository sets [--corpus, its folder]), then the files
    assert hook["args"][0] == "--corpus"
    assert figcheck(*entry[1:], "--corpus", CORPUS, *staged).exit_code == 1
    assert figcheck(*entry[1:], "--corpus", CORPUS, NEW_OK).exit_code == 0
