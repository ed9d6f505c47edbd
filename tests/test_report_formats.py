"""Markdown, SARIF, JUnit and GitHub annotations, all from one findings table; the JSON schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from _report_cases import RULES, build
from figcheck.baseline import Baseline
from figcheck.report import github, junit, markdown, sarif
from figcheck.report.files import format_for, write_reports

DATA = Path(__file__).parent / "data"
SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "figcheck" / "schemas"


@pytest.fixture
def case(tmp_path: Path):
    return build(tmp_path / "corpus", evil=True)


# -- Markdown ---------------------------------------------------------------------------------


def test_markdown_lists_every_finding_with_quotes(case) -> None:
    docs, figures, findings = case
    md = markdown.render(findings, figures, documents=docs, rules=RULES, html_report="report.html")
    assert md.startswith("# figcheck report\n")
    assert "**5 findings** (3 errors, 2 warnings, 0 info)" in md
    assert md.count("\n### ") == 5
    assert "> “Of the 240 people taken hostage on October 7, 105 were freed during the truce and **150** remain" in md
    assert "`report.html`" in md
    table_rows = [line for line in md.splitlines() if line.startswith("| 🔴") or line.startswith("| 🟠")]
    assert len(table_rows) == 5
    assert all(line.count(" | ") == 4 for line in table_rows)  # no stray column separators


def test_markdown_escapes_article_text(case) -> None:
    docs, figures, findings = case
    md = markdown.render(findings, figures, documents=docs)
    assert "<script>" not in md
    assert "<a href" not in md
    assert "<img" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "[the list](javascript:" not in md  # the Markdown link is broken up
    assert "\\[the list\\](javascript:alert(2))" in md


# -- SARIF ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    return json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_validates_against_the_2_1_0_schema(case, sarif_schema) -> None:
    docs, figures, findings = case
    baseline = Baseline([{"finding_id": "5a1e5a1e0003", "reason": "known"}])
    log = json.loads(sarif.render(findings, figures, documents=docs, rules=RULES, baseline=baseline))
    validator = jsonschema.Draft4Validator(sarif_schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_schema_check_catches_a_broken_log(case, sarif_schema) -> None:
    """Control: the schema really is checked (a wrong level and a bad region fail)."""
    docs, figures, findings = case
    log = json.loads(sarif.render(findings, figures, documents=docs, rules=RULES))
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    validator = jsonschema.Draft4Validator(sarif_schema)
    assert len(list(validator.iter_errors(log))) >= 2


def test_sarif_rules_fingerprints_and_regions(case) -> None:
    docs, figures, findings = case
    log = json.loads(sarif.render(findings, figures, documents=docs, rules=RULES))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["FC101", "FC201", "FC301"]
    assert rules[0]["name"] == "hostages.balance"
    assert rules[0]["defaultConfiguration"] == {"level": "error"}
    assert run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    assert len(results) == 5
    assert {r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in results} == set(findings["finding_id"])
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        for loc in r["locations"] + r.get("relatedLocations", []):
            phys = loc["physicalLocation"]
            region = phys["region"]
            raw = Path(phys["artifactLocation"]["uri"]).read_bytes().decode("utf-8")
            words = raw[region["charOffset"]:region["charOffset"] + region["charLength"]]
            assert words.split() == region["snippet"]["text"].split()
            line = raw.split("\n")[region["startLine"] - 1]
            assert line[region["startColumn"] - 1:].startswith(region["snippet"]["text"].split()[0])
            assert run["artifacts"][phys["artifactLocation"]["index"]]["location"]["uri"] == \
                phys["artifactLocation"]["uri"]
    levels = {r["partialFingerprints"][sarif.FINGERPRINT_KEY]: r["level"] for r in results}
    assert levels["5a1e5a1e0003"] == "warning"
    assert levels["5a1e5a1e0001"] == "error"


def test_sarif_marks_baselined_findings_as_suppressed(case) -> None:
    docs, figures, findings = case
    baseline = Baseline([{"finding_id": "5a1e5a1e0003", "reason": "the Ledger figure is a week old"}])
    log = json.loads(sarif.render(findings, figures, documents=docs, baseline=baseline))
    by_id = {r["partialFingerprints"][sarif.FINGERPRINT_KEY]: r for r in log["runs"][0]["results"]}
    assert by_id["5a1e5a1e0003"]["baselineState"] == "unchanged"
    assert by_id["5a1e5a1e0003"]["suppressions"][0]["justification"] == "the Ledger figure is a week old"
    assert by_id["5a1e5a1e0001"]["baselineState"] == "new"
    assert "suppressions" not in by_id["5a1e5a1e0001"]


# -- JUnit ------------------------------------------------------------------------------------


def test_junit_has_a_testcase_per_rule_and_document(case) -> None:
    docs, figures, findings = case
    xml = junit.render(findings, figures, documents=docs, rules=RULES)
    root = ET.fromstring(xml)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["FC101", "FC201", "FC301"]
    n_docs = len(docs)
    assert all(len(s.findall("testcase")) == n_docs for s in suites)
    assert root.get("tests") == str(3 * n_docs)
    failed = {(s.get("name"), Path(c.get("name")).name) for s in suites for c in s.findall("testcase")
              if c.find("failure") is not None}
    # errors fail; the FC301 warnings do not at the default threshold
    assert failed == {("FC101", "a-wire.md"), ("FC201", "a-wire.md"), ("FC201", "c-blog.jsonl"),
                      ("FC201", "d-page.html"), ("FC201", "e-evil.md")}
    assert root.get("failures") == "5"


def test_junit_fail_on_warning_fails_warnings_too(case) -> None:
    docs, figures, findings = case
    root = ET.fromstring(junit.render(findings, figures, documents=docs, rules=RULES, fail_on="warning"))
    fc301 = root.find("testsuite[@name='FC301']")
    assert fc301 is not None
    assert fc301.get("failures") == "4"
    assert root.get("failures") == str(5 + 4)


def test_junit_is_well_formed_with_hostile_text(case) -> None:
    docs, figures, findings = case
    findings = findings.copy()
    findings.at[0, "message"] = "bad \x0b control ]]> <x/> & done"
    xml = junit.render(findings, figures, documents=docs)
    root = ET.fromstring(xml)  # raises if not well-formed
    messages = [f.get("message") for f in root.iter("failure")]
    assert "bad  control ]]> <x/> & done" in messages


# -- GitHub annotations -----------------------------------------------------------------------


def test_github_annotations_sit_on_the_article_line(case) -> None:
    docs, figures, findings = case
    out = github.render(findings, figures, documents=docs)
    lines = out.splitlines()
    assert len(lines) == 5
    pattern = re.compile(
        r"^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+)(?:,endColumn=\d+)?,title=[^:]+::(.+)$")
    for line in lines:
        m = pattern.match(line)
        assert m, line
        raw = Path(m[2]).read_bytes().decode("utf-8").split("\n")
        assert raw[int(m[3]) - 1][int(m[4]) - 1].isalnum()  # the column starts the figure's words
    evil = next(line for line in lines if "5a1e5a1e0666" in line)
    assert evil.startswith("::error file=")
    assert "e-evil.md" in evil
    stale = next(line for line in lines if "5a1e5a1e0002" in line)
    assert "c-blog.jsonl,line=1," in stale
    assert all("\n" not in line and "\r" not in line for line in lines)


def test_github_annotations_escape_and_skip_baselined(case) -> None:
    docs, figures, findings = case
    findings = findings.copy()
    findings.at[0, "message"] = "100% wrong\n::error::injected"
    baseline = Baseline([{"finding_id": "5a1e5a1e0002", "reason": "known"},
                         {"finding_id": "0000aaaa1111", "rule_id": "FC201", "reason": "gone"}])
    out = github.render(findings, figures, documents=docs, baseline=baseline)
    lines = out.splitlines()
    assert not any(line.startswith("::error::injected") for line in lines)
    assert any("100%25 wrong%0A::error::injected" in line for line in lines)
    assert not any("5a1e5a1e0002" in line for line in lines)
    assert lines[-1].startswith("::notice title=figcheck baseline::baseline entry 0000aaaa1111")
    assert github.escape_property("FC101 a,b:c") == "FC101 a%2Cb%3Ac"


# -- one table, many files --------------------------------------------------------------------


def test_write_reports_writes_each_format_by_suffix(case, tmp_path: Path) -> None:
    docs, figures, findings = case
    out = tmp_path / "out"
    written = write_reports([out / "r.html", out / "r.sarif", out / "junit.xml"], findings, figures,
                            documents=docs, rules=RULES, plots=False)
    assert [p.name for p in written] == ["r.html", "r.sarif", "junit.xml", "r.md"]
    assert (out / "r.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    assert json.loads((out / "r.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert ET.parse(out / "junit.xml").getroot().tag == "testsuites"
    assert "`r.html`" in (out / "r.md").read_text(encoding="utf-8")
    assert not list(out.glob(".*.tmp"))
    with pytest.raises(Exception, match="cannot tell the report format"):
        format_for("report.pdf")


# -- the findings JSON schema -----------------------------------------------------------------


def _findings_schema() -> dict:
    return json.loads((SCHEMAS / "findings-v1.schema.json").read_text(encoding="utf-8"))


def test_findings_schema_is_a_valid_schema_and_accepts_a_findings_document(case) -> None:
    schema = _findings_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    _docs, _figures, findings = case
    doc = {"schema": "figcheck.findings", "version": 1, "figcheck_version": "0.1.0",
           "summary": {"findings": len(findings), "error": 3, "warning": 2, "info": 0},
           "findings": json.loads(findings.to_json(orient="records", force_ascii=False))}
    jsonschema.Draft202012Validator(schema).validate(doc)


@pytest.mark.parametrize(("path", "value"), [
    (("version",), 2),
    (("schema",), "something.else"),
    (("findings", 0, "severity"), "fatal"),
    (("findings", 0, "figure_ids"), []),
    (("findings", 0, "finding_id"), "NOT HEX"),
])
def test_findings_schema_rejects_wrong_documents(case, path, value) -> None:
    _docs, _figures, findings = case
    doc = {"schema": "figcheck.findings", "version": 1, "findings": json.loads(findings.to_json(orient="records"))}
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_findings_schema()).validate(doc)


def test_junit_with_only_has_testcases_for_the_new_articles_only(case) -> None:
    docs, figures, findings = case
    root = ET.fromstring(junit.render(findings, figures, documents=docs, rules=RULES, only=["e-evil.md"]))
    names = {Path(c.get("name")).name for c in root.iter("testcase")}
    assert names == {"e-evil.md"}
    assert root.get("tests") == "3"
    assert root.get("failures") == "1"
