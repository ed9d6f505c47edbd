"""The HTML report in headless Chromium: no console errors, plots shown, no requests, no script runs.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). The tests skip, saying why,
only where no Chromium can be found.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _chromium import Chromium, PageLoad, chromium_path
from _report_cases import RULES, build
from figcheck.report import html

pytestmark = pytest.mark.slow

CHROMIUM = chromium_path()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not found (install Debian's 'chromium' package; .ci/run does)")


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    docs, figures, findings = build(root / "corpus", evil=True)
    out = root / "report.html"
    out.write_text(html.render(findings, figures, documents=docs, rules=RULES), encoding="utf-8")
    return out


def _external(page: PageLoad) -> list[str]:
    return [u for u in page.requests if not u.startswith(("data:", page.url))]


@needs_chromium
def test_report_renders_without_console_errors_and_shows_plots(report_file: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    with Chromium(CHROMIUM) as browser:
        page = browser.load(report_file)
        assert page.loaded
        assert page.console_errors == []
        assert _external(page) == []
        sizes = browser.evaluate("[...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
        assert len(sizes) == 4
        assert all(done and w > 300 and h > 150 for done, w, h in sizes), sizes
        visible = browser.evaluate("document.querySelector('#m-deaths\\\\.gaza img').getBoundingClientRect().width")
        assert visible > 300
        # the stylesheet applied (a CSP hash mismatch would leave the page unstyled)
        border = browser.evaluate("getComputedStyle(document.querySelector('.finding.error')).borderLeftWidth")
        assert border != "0px"
        browser.screenshot(tmp_path / "desktop.png")


@needs_chromium
def test_report_reads_on_a_phone(report_file: Path) -> None:
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, width=375, height=740, mobile=True) as browser:
        page = browser.load(report_file)
        assert page.console_errors == []
        width, inner = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert inner == 375
        assert width <= inner, "the page scrolls sideways on a phone"
        font = browser.evaluate("parseFloat(getComputedStyle(document.querySelector('.message')).fontSize)")
        assert font >= 14
        img = browser.evaluate("document.querySelector('img.plot').getBoundingClientRect().width")
        assert 300 <= img <= 375


@needs_chromium
def test_article_script_never_runs(report_file: Path) -> None:
    assert CHROMIUM is not None
    with Chromium(CHROMIUM) as browser:
        page = browser.load(report_file)
        assert page.dialogs == []  # alert(...) never opened
        assert page.console == []
        assert browser.evaluate("typeof window.__pwned") == "undefined"
        assert browser.evaluate("document.title") == "figcheck report"
        assert browser.evaluate("document.scripts.length") == 0
        assert browser.evaluate(
            "[...document.querySelectorAll('a[href]')].filter(a => a.protocol === 'javascript:').length") == 0
        text = browser.evaluate("document.body.innerText")
        assert "<script>alert(1)</script>" in text  # shown as the characters it is
        assert _external(page) == []


@needs_chromium
def test_detector_sees_a_script_that_does_run(tmp_path: Path) -> None:
    """Control: the same checks catch a page where the article's script is live."""
    assert CHROMIUM is not None
    live = tmp_path / "live.html"
    live.write_text("<!doctype html><title>t</title><p>20,000 killed <script>alert(1)</script>"
                    "<script>window.__pwned=1; console.error('boom')</script></p>", encoding="utf-8")
    with Chromium(CHROMIUM) as browser:
        page = browser.load(live)
        assert page.dialogs
        assert page.dialogs[0]["message"] == "1"
        assert browser.evaluate("typeof window.__pwned") == "number"
        assert "boom" in page.console_errors


@needs_chromium
def test_examples_report_from_the_readme_renders(tmp_path: Path, monkeypatch) -> None:
    """The report the README's main command writes, opened as a reader would open it."""
    import shutil

    from typer.testing import CliRunner

    from figcheck.cli import app

    assert CHROMIUM is not None
    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["report", "examples", "-o", "reports/examples.html"])
    assert result.exit_code == 0, result.output
    with Chromium(CHROMIUM, width=390, height=844, mobile=True) as browser:
        page = browser.load(tmp_path / "reports" / "examples.html")
        assert page.console_errors == []
        assert _external(page) == []
        n_findings = browser.evaluate("document.querySelectorAll('article.finding').length")
        assert n_findings >= 5
        plots = browser.evaluate("[...document.images].filter(i => i.naturalWidth > 300).length")
        assert plots >= 5
        width, inner = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner
