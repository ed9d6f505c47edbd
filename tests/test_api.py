"""The library API gives exactly what the CLI gives: extract, check and report on the same corpus."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import figcheck
from conftest import EXAMPLES, ROOT
from figcheck.api import Shared, linked
from figcheck.cli import app
from figcheck.engine import make_figures
from figcheck.errors import UsageError
from figcheck.models import FIGURE_COLUMNS, FINDING_COLUMNS
from figcheck.output import figure_line
from figcheck.report import json_

runner = CliRunner()

ARTICLE = """---
title: Talks resume in Doha
source: Test Wire
published: 2024-01-05
---
Some 129 hostages remain in Gaza, Israeli officials said on Friday.
"""


@pytest.fixture(scope="module")
def figures():
    return figcheck.extract(str(EXAMPLES))


@pytest.fixture(scope="module")
def findings(figures):
    return figcheck.check(figures)


# --------------------------------------------------------------------------------------------
# the same tables as the CLI


def test_extract_gives_the_table_figcheck_extract_writes(figures):
    result = runner.invoke(app, ["extract", str(EXAMPLES), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert list(figures.columns) == FIGURE_COLUMNS
    assert len(figures) > 50
    assert "".join(figure_line(r) for r in figures.to_dict("records")) == result.stdout


def test_extract_from_a_documents_frame_equals_extract_from_paths(figures):
    docs = figcheck.load(str(EXAMPLES))
    from_docs = figcheck.extract(docs)
    pd.testing.assert_frame_equal(from_docs, figures)
    assert from_docs.attrs["paths"] == figures.attrs["paths"] == [str(EXAMPLES)]


def test_check_gives_the_findings_figcheck_check_json_gives(figures, findings):
    result = runner.invoke(app, ["check", str(EXAMPLES), "--format", "json"])
    assert result.exit_code == 1, result.output
    cli = json.loads(result.stdout)["findings"]
    assert len(cli) == len(findings) > 5
    assert [f["finding_id"] for f in cli] == findings["finding_id"].tolist()
    assert list(findings.columns[:len(FINDING_COLUMNS)]) == FINDING_COLUMNS
    api = json.loads(json_.render(findings, figures))["findings"]
    assert api == cli
    assert json_.render(findings, figures) == result.stdout


def test_check_takes_paths_too(findings):
    from_paths = figcheck.check(str(EXAMPLES))
    pd.testing.assert_frame_equal(from_paths, findings)
    assert isinstance(from_paths.attrs["figures"], Shared)


@pytest.mark.parametrize("suffixes", [(".html",), (".md",), (".sarif", ".xml")])
def test_report_writes_the_files_figcheck_report_writes(tmp_path, figures, findings, suffixes):
    cli_dir, api_dir = tmp_path / "cli", tmp_path / "api"
    api_dir.mkdir()
    args = ["report", str(EXAMPLES)]
    for s in suffixes:
        args += ["-o", str(cli_dir / f"examples{s}")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = figcheck.report(figures, findings, [api_dir / f"examples{s}" for s in suffixes])
    cli_files = sorted(p.name for p in cli_dir.iterdir())
    assert sorted(p.name for p in written) == cli_files
    for name in cli_files:
        assert (api_dir / name).read_bytes() == (cli_dir / name).read_bytes(), name
    if ".html" in suffixes:
        assert cli_files == ["examples.html", "examples.md"]  # the Markdown twin comes along


def test_report_with_a_baseline_and_only_matches_the_cli(tmp_path, figures, findings):
    baseline = tmp_path / "baseline.yaml"
    assert runner.invoke(app, ["baseline", "write", str(baseline), str(EXAMPLES), "--reason", "known"]).exit_code == 0
    text = baseline.read_text(encoding="utf-8")
    first = text.index("- finding_id")
    second = text.index("- finding_id", first + 1)
    baseline.write_text(text[:first] + text[second:], encoding="utf-8")  # one finding is new again
    only = EXAMPLES / "2023-12-05-khan-younis-push.md"
    cli = tmp_path / "cli.md"
    result = runner.invoke(app, ["report", str(EXAMPLES), "-o", str(cli), "--baseline", str(baseline),
                                 "--only", str(only)])
    assert result.exit_code == 0, result.output
    api = tmp_path / "api.md"
    figcheck.report(figures, findings, api, baseline=baseline, only=only)
    assert api.read_text(encoding="utf-8") == cli.read_text(encoding="utf-8")
    table = [line for line in cli.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    assert any("error | FC101 |" in line for line in table)  # dropped from the baseline: new again
    assert any("(accepted) | FC501 |" in line for line in table)  # 240 -> 253 taken, still accepted
    assert not any("| FC201 |" in line for line in table)  # the Gaza toll findings involve other articles


def test_report_rejects_an_unknown_suffix_before_writing(tmp_path, figures, findings):
    with pytest.raises(UsageError, match="cannot tell the report format"):
        figcheck.report(figures, findings, tmp_path / "report.pdf")
    assert not list(tmp_path.iterdir())


def test_report_of_figures_made_by_hand_places_them_by_doc_id(tmp_path):
    figs = make_figures([
        {"doc_id": "a.md", "metric": "hostages.held", "value": 129, "as_of": "2023-12-21"},
        {"doc_id": "b.md", "metric": "hostages.held", "value": 136, "as_of": "2024-01-21"},
    ])
    [md] = figcheck.report(figs, figcheck.check(figs), tmp_path / "hand.md")
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# figcheck report\n")
    assert "FC203" in text
    assert "`b.md:1`" in text


# --------------------------------------------------------------------------------------------
# what the frames carry


def test_findings_link_their_figures_through_filters_sorts_and_concat(figures, findings):
    assert linked(findings, "figures") is figures
    errors = findings[findings["severity"] == "error"]
    others = findings[findings["severity"] != "error"].sort_values("rule_id")
    assert linked(errors, "figures") is figures  # shared, never copied
    both = pd.concat([errors, others])
    assert linked(both, "figures") is figures
    assert len(both.figcheck.figures()) == len(findings.figcheck.figures())
    assert copy.deepcopy(findings).attrs["figures"] is findings.attrs["figures"]


def test_check_uses_the_rules_folder_the_figures_were_extracted_with(tmp_path, figures):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "FC101.yaml").unlink()
    mine = figcheck.extract(str(EXAMPLES), rules=rules)
    assert mine.attrs["rules_dir"] == str(rules)
    found = figcheck.check(mine)
    assert "FC101" not in set(found["rule_id"])
    assert "FC101" in set(figcheck.check(figures)["rule_id"])


def test_figcheck_report_stays_the_function_after_the_report_modules_are_imported():
    code = ("import figcheck\n"
            "from figcheck.report.files import write_reports\n"
            "import figcheck.report.sarif\n"
            "from figcheck.report import html\n"
            "assert callable(figcheck.report) and figcheck.report is figcheck.api.report, figcheck.report\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_cli_report_prints_each_input_problem_once(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "talks.md").write_text(ARTICLE, encoding="utf-8")
    (corpus / "blog.jsonl").write_text('{"id": "x", "text": 5}\n', encoding="utf-8")
    result = runner.invoke(app, ["report", str(corpus), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 2
    assert result.stderr.count("has no 'text' string") == 1, result.stderr
    assert (tmp_path / "r.md").is_file()


def test_load_and_extract_keep_input_problems(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "talks.md").write_text(ARTICLE, encoding="utf-8")
    (corpus / "blog.jsonl").write_text('{"id": "x", "text": 5}\n', encoding="utf-8")
    docs = figcheck.load(corpus)
    assert [p.path.endswith("blog.jsonl") for p in docs.attrs["problems"]] == [True]
    figs = figcheck.extract(corpus)
    assert len(figs.attrs["problems"]) == 1
    assert figs.loc[figs["metric"] == "hostages.held", "value"].tolist() == [129.0]
    assert figcheck.check(figs).attrs["problems"] == figs.attrs["problems"]


def test_frames_with_links_still_save_to_parquet_and_pickle(tmp_path, figures, findings):
    import pickle

    figures.to_parquet(tmp_path / "figures.parquet")
    findings.to_parquet(tmp_path / "findings.parquet")
    back = pd.read_parquet(tmp_path / "findings.parquet")
    assert back["finding_id"].tolist() == findings["finding_id"].tolist()
    with pytest.raises(ValueError, match="do not link their figures"):
        back.figcheck.figures()  # the link is not saved: the figures must be given
    assert len(back.figcheck.figures(figures)) == len(findings.figcheck.figures())
    unpickled = pickle.loads(pickle.dumps(findings))
    assert len(unpickled.figcheck.figures()) == len(findings.figcheck.figures())
