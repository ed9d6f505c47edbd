"""The HTML report: self-contained, escaped, deterministic, with a timeline per metric."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from _report_cases import RULES, build
from figcheck.report import html


class _Tags(HTMLParser):
    """Every start tag with its attributes, and every script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


@pytest.fixture
def evil_case(tmp_path: Path):
    return build(tmp_path / "corpus", evil=True)


@pytest.fixture
def page(evil_case) -> str:
    docs, figures, findings = evil_case
    return html.render(findings, figures, documents=docs, rules=RULES, title="Test report")


def test_report_shows_findings_quotes_and_rules(page: str) -> None:
    assert "<title>Test report</title>" in page
    for fid in ("5a1e5a1e0001", "5a1e5a1e0002", "5a1e5a1e0003", "5a1e5a1e0004", "5a1e5a1e0666"):
        assert f'id="f-{fid}"' in page
    assert "released 105 + held 150 = 255, but taken is 240" in page
    assert "<mark>150</mark>" in page
    assert "<mark>some 22,000</mark>" in page
    assert "Hostages taken equal those still held plus every way out of captivity." in page
    assert "2023-10-07" in page  # as-of dates
    assert "Test Wire" in page
    assert "The Ledger" in page
    assert re.search(r"<b>3</b>\s*errors", page)
    assert re.search(r"<b>2</b>\s*warnings", page)


def test_report_embeds_one_plot_per_metric_and_marks_findings(page: str) -> None:
    images = [a for t, a in _tags(page) if t == "img"]
    srcs = [a["src"] for a in images]
    assert len(srcs) == 4  # deaths.gaza, hostages.held, hostages.released, hostages.taken
    assert all(s.startswith("data:image/svg+xml;base64,") for s in srcs)
    svg = base64.b64decode(srcs[0].split(",", 1)[1]).decode("utf-8")
    assert svg.startswith("<svg")
    assert "<path" in svg
    assert 'id="m-deaths.gaza"' in page
    assert "named by findings" in page
    # the metric with findings comes first
    assert page.index('id="m-deaths.gaza"') < page.index('id="m-hostages.held"')


def test_report_makes_no_external_requests(page: str) -> None:
    for tag, attrs in _tags(page):
        assert tag not in ("script", "link", "iframe", "object", "embed", "base", "form"), tag
        for name in ("src", "srcset", "data", "poster", "action"):
            value = attrs.get(name)
            assert value is None or value.startswith("data:"), (tag, name, value)
    assert "@import" not in page
    assert "url(" not in page
    metas = [a for t, a in _tags(page) if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    csp = metas[0]["content"] or ""
    assert "default-src 'none'" in csp
    assert "img-src data:" in csp
    assert "unsafe-inline" not in csp
    assert "script-src" not in csp


def test_article_text_is_escaped(page: str) -> None:
    tags = _tags(page)
    assert not [t for t, _ in tags if t == "script"]
    assert not [a for _, a in tags for v in a.values() if v and "javascript:" in v.lower()]
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]  # no event handlers
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[the list](javascript:alert(2))" in page  # shown as text, never a link
    assert "&lt;a href=&#34;javascript:alert(3)&#34;&gt;here&lt;/a&gt;" in page
    assert "Evil &lt;b&gt;Wire&lt;/b&gt;" in page
    # the javascript: URL from the front matter is not made a link; an http(s) one is
    hrefs = [a.get("href") for t, a in tags if t == "a"]
    assert "https://news.invalid/toll" in hrefs
    assert not [h for h in hrefs if h and not (h.startswith("#") or h.startswith("https://"))]


def test_escaping_is_what_keeps_it_inert(evil_case, monkeypatch) -> None:
    """Control: with autoescaping switched off the same article yields a live script tag."""
    import jinja2

    docs, figures, findings = evil_case
    html._environment.cache_clear()
    real = jinja2.Environment

    def unsafe(*args, **kwargs):
        kwargs["autoescape"] = False
        return real(*args, **kwargs)

    monkeypatch.setattr(jinja2, "Environment", unsafe)
    try:
        page = html.render(findings, figures, documents=docs, rules=RULES, plots=False)
    finally:
        html._environment.cache_clear()
    assert [t for t, _ in _tags(page) if t == "script"]


def test_same_input_gives_byte_identical_report(evil_case) -> None:
    docs, figures, findings = evil_case
    a = html.render(findings, figures, documents=docs, rules=RULES)
    b = html.render(findings.iloc[::-1].reset_index(drop=True), figures, documents=docs, rules=RULES)
    assert a == b


def test_no_findings_still_renders(evil_case) -> None:
    docs, figures, findings = evil_case
    page = html.render(findings.iloc[0:0], figures, documents=docs)
    assert "No findings" in page
    assert page.count("<img ") == 4


def test_safe_url() -> None:
    assert html.safe_url("https://example.org/a?b=1")
    assert not html.safe_url("javascript:alert(1)")
    assert not html.safe_url("data:text/html,<script>")
    assert not html.safe_url("https://x.org/\" onmouseover=\"alert(1)")
    assert not html.safe_url(None)
