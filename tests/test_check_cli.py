"""`figcheck check` end to end: seeds, examples, exit codes, formats, determinism."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from figcheck.cli import app
from figcheck.models import FINDING_COLUMNS

runner = CliRunner()

# Articles written for these tests, in the style of the seeds.
TALLY = """---
source: Example Wire
published: 2023-12-05
---
Of the 240 hostages abducted on Oct. 7, 105 were released during the truce and 150 remain in Gaza.
"""
CLEAN = """---
source: Example Wire
published: 2024-01-21
---
The Hamas-run health ministry said 25,105 people had been killed in Gaza since Oct. 7.
"""
TOLL_OLD = """---
source: Example Wire
published: 2023-10-25
---
Israel says 1,400 people were killed in the Oct. 7 attack.
"""
TOLL_NEW = """---
source: Example Wire
published: 2023-11-10
---
Israel says about 1,200 people were killed in the Oct. 7 attack.
"""


def _corpus(tmp_path, **files):
    for name, text in files.items():
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
    return tmp_path


def _json(result):
    doc = json.loads(result.stdout)
    assert doc["schema"] == "figcheck.findings" and doc["version"] == 1
    return doc["findings"]


def _figs(finding):
    return {(f["doc_id"], f["surface"]) for f in finding["figures"]}


# --------------------------------------------------------------------------------------------
# the seeds (issue 4, "Done when")


def test_seeds_hostages_held_rises_from_129_to_132_with_both_quotes(seeds):
    result = runner.invoke(app, ["check", str(seeds), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    rising = [f for f in _json(result) if f["rule_id"] == "FC203"
              and {s for _, s in _figs(f)} >= {"132"} and any("129" in s for _, s in _figs(f))]
    assert rising, "hostages held 129 (The Times of Israel, 2023-12-21) -> 132 (2024-02-08) is not reported"
    f = rising[0]
    assert {g["published"] for g in f["figures"]} >= {"2024-02-08"}
    assert all(g["sentence"] and g["source"] for g in f["figures"])
    text = runner.invoke(app, ["check", str(seeds)])
    assert "«132»" in text.stdout and ("«129»" in text.stdout or "«about 129»" in text.stdout)


def test_seeds_240_or_more_taken_is_not_a_contradiction_with_253(seeds):
    result = runner.invoke(app, ["check", str(seeds), "--format", "json"])
    for f in _json(result):
        surfaces = {s for _, s in _figs(f)}
        assert not ({"240 or more", "253"} <= surfaces and f["verdict"] == "contradiction"), f["message"]


def test_seeds_march_hostage_arithmetic_is_consistent(seeds):
    result = runner.invoke(app, ["check", str(seeds), "--format", "json"])
    march = "004_365f0bbd68a187a1.txt"
    balance = [f for f in _json(result) if f["rule_id"] == "FC101" and any(d == march for d, _ in _figs(f))]
    assert balance == [], [f["message"] for f in balance]


def test_seeds_proposed_prisoner_releases_never_enter_a_rule(seeds):
    result = runner.invoke(app, ["check", str(seeds), "--format", "json"])
    for f in _json(result):
        for _, surface in _figs(f):
            assert surface not in ("1,500", "800", "as many as 800"), f["message"]


# --------------------------------------------------------------------------------------------
# the examples: each shipped rule fires where a contradiction was planted, and nowhere else

CAIRO = "2023-12-21-cairo-talks.md"
KHAN = "2023-12-05-khan-younis-push.md"
MALNUTRITION = "2024-02-26-child-malnutrition.md"
PLANTED = {
    "P1": ("FC203", {(CAIRO, "About 129"), ("2024-01-21-gaza-toll-khan-younis.md", "136")}),
    "P2": ("FC501", {("2023-10-25-families-press-for-hostages.md", "1,400"),
                     ("2023-11-10-israel-revises-toll.md", "about 1,200")}),
    "P3": ("FC401", {("2024-01-21-gaza-toll-khan-younis.md", "25,105"),
                     ("daily-ledger-journalists.txt", "about 24,000")}),
    "P4": ("FC201", {("liveblog-2024-02-12-rafah-rescue", "28,340"),
                     ("liveblog-2024-02-14-rafah-warnings", "some 26,000")}),
    "P5": ("FC101", {(KHAN, "240"), (KHAN, "105"), (KHAN, "150")}),
    "P6": ("FC303", {(MALNUTRITION, "More than 12,300"), (MALNUTRITION, "10,000")}),
    "P6-series": ("FC201", {("liveblog-2024-02-12-rafah-rescue", "28,340"), (MALNUTRITION, "10,000")}),
    "P7": ("FC402", {("2023-12-01-truce-ends.html", "105"), (CAIRO, "110")}),
    "taken-revised": ("FC501", {(KHAN, "240"), ("2024-03-27-hostage-talks-stall.md", "253")}),
}


@pytest.fixture(scope="module")
def example_findings():
    result = runner.invoke(app, ["check", str(EXAMPLES), "--format", "json"])
    assert result.exit_code == 1, result.output
    return _json(result)


@pytest.mark.parametrize("pid", list(PLANTED))
def test_examples_planted_contradiction_found(example_findings, pid):
    rule, figs = PLANTED[pid]
    hits = [f for f in example_findings if f["rule_id"] == rule and _figs(f) == figs]
    same_rule = [sorted(_figs(f)) for f in example_findings if f["rule_id"] == rule]
    assert hits, f"{pid}: {rule} over {sorted(figs)} not found; {rule} gave {same_rule}"
    expected = "revision" if rule == "FC501" else "contradiction"
    assert hits[0]["verdict"] == expected


def test_examples_rules_stay_silent_elsewhere(example_findings):
    planted = {(rule, frozenset(figs)) for rule, figs in PLANTED.values()}
    extra = [(f["rule_id"], sorted(_figs(f))) for f in example_findings
             if (f["rule_id"], frozenset(_figs(f))) not in planted]
    assert not extra, f"false findings: {extra}"


# --------------------------------------------------------------------------------------------
# exit codes (README "Checking figures"), formats, determinism


def test_exit_1_when_an_error_finding_exists_and_0_with_fail_on_never(tmp_path):
    corpus = _corpus(tmp_path, tally=TALLY)
    result = runner.invoke(app, ["check", str(corpus)])
    assert result.exit_code == 1, result.output
    assert "FC101" in result.stdout and "held + released add up to at least 255 person" in result.stdout
    assert runner.invoke(app, ["check", str(corpus), "--fail-on", "never"]).exit_code == 0


def test_exit_0_when_nothing_reaches_fail_on(tmp_path):
    clean = _corpus(tmp_path, clean=CLEAN)
    result = runner.invoke(app, ["check", str(clean)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("figcheck: 0 findings")


def test_info_findings_fail_only_with_fail_on_info(tmp_path):
    corpus = _corpus(tmp_path, old=TOLL_OLD, new=TOLL_NEW)
    assert runner.invoke(app, ["check", str(corpus)]).exit_code == 0
    assert runner.invoke(app, ["check", str(corpus), "--fail-on", "warning"]).exit_code == 0
    result = runner.invoke(app, ["check", str(corpus), "--fail-on", "info"])
    assert result.exit_code == 1
    assert "info FC501 revision" in result.stdout


def test_unreadable_input_is_exit_2_and_the_rest_is_checked(tmp_path):
    corpus = _corpus(tmp_path, tally=TALLY)
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00")
    result = runner.invoke(app, ["check", str(corpus)])
    assert result.exit_code == 2
    assert "broken.txt" in result.stderr
    assert "FC101" in result.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["no/such/folder"], "no such file or folder"),
    ([str(EXAMPLES), "--fail-on", "fatal"], "--fail-on 'fatal'"),
    ([str(EXAMPLES), "--format", "xml"], "--format 'xml'"),
])
def test_bad_usage_is_exit_2_in_one_line(args, words):
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.output


def test_json_report_embeds_every_figure(tmp_path):
    result = runner.invoke(app, ["check", str(_corpus(tmp_path, tally=TALLY)), "-f", "json"])
    findings = _json(result)
    assert findings
    for f in findings:
        assert list(f)[: len(FINDING_COLUMNS)] == FINDING_COLUMNS
        assert [g["figure_id"] for g in f["figures"]] == f["figure_ids"]
        for g in f["figures"]:
            assert g["surface"] in g["sentence"] and g["line"] >= 1 and g["doc_id"]


def test_text_report_groups_by_metric_with_quotes(tmp_path):
    result = runner.invoke(app, ["check", str(_corpus(tmp_path, tally=TALLY))])
    lines = result.stdout.splitlines()
    assert "hostages.taken" in lines
    assert any(line.strip().startswith("- tally.md:5") and "Example Wire, 2023-12-05" in line for line in lines)
    assert any("«150»" in line for line in lines)


def test_reports_are_byte_identical_across_runs_and_written_atomically(tmp_path):
    out = tmp_path / "reports" / "findings.json"
    first = runner.invoke(app, ["check", str(EXAMPLES), "-f", "json", "-o", str(out)])
    assert first.exit_code == 1 and first.stdout == ""
    again = runner.invoke(app, ["check", str(EXAMPLES), "-f", "json"])
    assert out.read_text(encoding="utf-8") == again.stdout
    assert runner.invoke(app, ["check", str(EXAMPLES)]).stdout == runner.invoke(app, ["check", str(EXAMPLES)]).stdout
