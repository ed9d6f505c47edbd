"""The documented commands, run as written: the README's main command and the GitHub workflow example.

The workflow in docs/examples/github-workflow.yml (shown verbatim in docs/ci.md) is run step by
step on the example corpus: every ``run:`` step through bash, as the runner would, with the
GitHub environment files in a temporary folder. Steps that ``uses:`` an action (checkout, setup,
SARIF upload) are GitHub's; the test checks the files they would receive.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from figcheck.cli import app
from test_check_ci import STALE

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "docs" / "examples" / "github-workflow.yml"
BIN = Path(sys.executable).parent


def test_readme_main_command_writes_the_reports(tmp_path: Path, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = ".venv/bin/figcheck report examples -o reports/examples.html"
    assert command in readme
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, command.split()[1:])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "reports" / "examples.html").read_text(encoding="utf-8")
    summary = (tmp_path / "reports" / "examples.md").read_text(encoding="utf-8")
    # the planted contradictions a fact-checker acts on: the unbalanced sum (P5), the falling toll (P4)
    assert "held + released" in page
    assert "<mark>150</mark>" in page
    assert "<mark>some 26,000</mark>" in page
    assert page.count('class="timeline"') >= 5
    assert summary.startswith("# figcheck report")
    assert "`examples.html`" in summary


def test_ci_doc_shows_the_workflow_verbatim() -> None:
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert WORKFLOW.read_text(encoding="utf-8").strip() in doc


class _Runner:
    """Runs the workflow's ``run:`` steps in order, as the Actions runner would, with its ``if:``s."""

    def __init__(self, repo: Path, event: str, corpus: str) -> None:
        wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
        self.repo, self.event = repo, event
        self.outputs: dict[str, dict[str, str]] = {}
        self.outcomes: dict[str, str] = {}
        self.results: dict[str, subprocess.CompletedProcess[str]] = {}
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env.update({k: str(v) for k, v in wf["env"].items()})
        env.update({
            "FIGCHECK_CORPUS": corpus,
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "GITHUB_EVENT_NAME": event,
            "GITHUB_BASE_REF": "main" if event == "pull_request" else "",
            "GITHUB_STEP_SUMMARY": str(repo / "gh-summary.md"),
            "PYTHONHASHSEED": "0",
        })
        (repo / "gh-summary.md").write_text("")
        self.env = env
        self.steps = wf["jobs"]["figcheck"]["steps"]

    def run(self) -> _Runner:
        for i, step in enumerate(self.steps):
            sid = step.get("id", f"step{i}")
            if not self._condition(step.get("if", "success()")):
                self.outcomes[sid] = "skipped"
                continue
            if "run" not in step or step["run"].startswith("python -m pip install"):
                self.outcomes[sid] = "success"  # actions, and installing figcheck (the test runs in its env)
                continue
            out_file = self.repo / f"gh-output-{sid}"
            out_file.write_text("")
            script = re.sub(r"\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}",
                            lambda m: self.outputs.get(m[1], {}).get(m[2], ""), step["run"])
            assert "${{" not in script, script
            done = subprocess.run(["bash", "-e", "-c", script], cwd=self.repo,
                                  env={**self.env, "GITHUB_OUTPUT": str(out_file)},
                                  capture_output=True, text=True, timeout=300, check=False)
            self.results[step["name"]] = done
            self.outcomes[sid] = "success" if done.returncode == 0 else "failure"
            self.outputs[sid] = dict(x.split("=", 1) for x in out_file.read_text().splitlines() if "=" in x)
        return self

    def _condition(self, expr: str) -> bool:
        """The few expressions the workflow uses: comparisons joined by &&, always(), success()."""
        ok = True
        for part in (p.strip() for p in expr.split("&&")):
            if part in ("always()",):
                continue
            if part == "success()":
                ok = ok and "failure" not in self.outcomes.values()
                continue
            m = re.fullmatch(r"([\w.]+) (==|!=) '([^']*)'", part)
            assert m, f"unsupported condition: {part}"
            ok = ok and ((self._value(m[1]) == m[3]) == (m[2] == "=="))
        return ok and ("failure" not in self.outcomes.values() or "always()" in expr)

    def _value(self, name: str) -> str:
        if name == "github.event_name":
            return self.event
        parts = name.split(".")
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        if parts[0] == "steps" and parts[2] == "outcome":
            return self.outcomes.get(parts[1], "")
        raise AssertionError(f"unsupported value: {name}")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=repo, check=True,
                   capture_output=True, timeout=60)


def _pull_request(tmp_path: Path, change) -> Path:
    """A repository whose main branch holds the examples, and a branch with ``change`` applied."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo / "examples")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "the corpus so far")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    _git(repo, "checkout", "-q", "-b", "change")
    change(repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "a change")
    return repo


def _sarif_valid(path: Path) -> dict:
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    return log


CHECK = "Check, with annotations on the article lines"
FAIL = "Fail on new findings"


def test_workflow_on_a_push_checks_the_whole_corpus(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo / "examples")
    run = _Runner(repo, "push", "examples").run()
    check = run.results[CHECK]
    assert check.returncode == 0, check.stderr
    annotations = check.stdout.splitlines()
    assert annotations
    assert all(a.startswith(("::error file=examples/", "::notice file=examples/")) for a in annotations)
    assert run.outputs["check"] == {"status": "1"}
    log = _sarif_valid(repo / "figcheck.sarif")
    assert len(log["runs"][0]["results"]) == len(annotations)
    assert (repo / "gh-summary.md").read_text(encoding="utf-8").startswith("# figcheck report")
    assert run.results[FAIL].returncode == 1  # the job fails


def test_workflow_on_a_pull_request_gates_only_the_new_article(tmp_path: Path) -> None:
    repo = _pull_request(tmp_path, lambda r: (r / "examples" / "2024-03-28-boilerplate.md").write_text(
        STALE, encoding="utf-8"))
    run = _Runner(repo, "pull_request", "examples").run()
    assert (repo / "figcheck-only.txt").read_text() == "--only=examples/2024-03-28-boilerplate.md\n"
    annotations = run.results[CHECK].stdout.splitlines()
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=examples/2024-03-28-boilerplate.md,line=8,col=20,")
    assert "FC201" in annotations[0]
    log = _sarif_valid(repo / "figcheck.sarif")
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["FC201"]
    assert "2024-03-28-boilerplate.md" in (repo / "gh-summary.md").read_text(encoding="utf-8")
    assert run.results[FAIL].returncode == 1


def test_workflow_on_a_pull_request_that_touches_no_article_passes(tmp_path: Path) -> None:
    def touch_readme(repo: Path) -> None:
        (repo / "NOTES.md").write_text("Not an article.\n", encoding="utf-8")

    run = _Runner(_pull_request(tmp_path, touch_readme), "pull_request", "examples").run()
    assert run.outputs["changed"] == {"count": "0"}
    assert run.outcomes["check"] == "skipped"
    assert FAIL not in run.results
    assert "failure" not in run.outcomes.values()
