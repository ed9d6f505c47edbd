"""The .figcheck accessor: series, plot, explain and figures, and clear errors on other frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import figcheck
from conftest import EXAMPLES
from figcheck.accessor import LINK_COLUMNS, SERIES_COLUMNS
from figcheck.engine import make_figures
from figcheck.models import FIGURE_COLUMNS

HELD = [
    {"doc_id": "ledger.md", "metric": "hostages.held", "value": 129, "low": 126.42, "high": 131.58,
     "qualifier": "approx", "as_of": "2023-12-21", "claimant": "Israel", "source": "The Ledger",
     "surface": "About 129", "sentence": "About 129 hostages are still held in Gaza, Israel says."},
    {"doc_id": "wire.md", "metric": "hostages.held", "value": 136, "as_of": "2024-01-21", "claimant": "IDF",
     "source": "Example Wire", "surface": "136",
     "sentence": 'Officials said <script>alert("x")</script> 136 people & more remain in Gaza.'},
    {"doc_id": "early.md", "metric": "hostages.held", "value": 200, "low": 200, "high": math.inf,
     "qualifier": "more_than", "as_of": "2023-10-25", "claimant": None, "source": "Harbor Post",
     "surface": "more than 200"},
    {"doc_id": "deal.md", "metric": "hostages.held", "value": 40, "as_of": "2024-03-27", "modality": "proposal",
     "surface": "40"},
    {"doc_id": "undated.md", "metric": "hostages.held", "value": 130, "as_of": None, "surface": "130"},
    {"doc_id": "toll.md", "metric": "deaths.gaza", "value": 25105, "as_of": "2024-01-21",
     "claimant": "Gaza health ministry"},
]


@pytest.fixture
def held():
    return make_figures(HELD)


@pytest.fixture(scope="module")
def examples():
    figures = figcheck.extract(str(EXAMPLES))
    return figures, figcheck.check(figures)


# --------------------------------------------------------------------------------------------
# series


def test_series_is_tidy_dated_sorted_and_factual_only(held):
    s = held.figcheck.series("hostages.held")
    assert list(s.columns) == SERIES_COLUMNS
    assert s["as_of"].dtype == "datetime64[ns]"
    assert s["value"].tolist() == [200.0, 129.0, 136.0, 130.0]  # by date, the undated last; no proposal
    assert pd.isna(s["as_of"].iloc[-1])
    assert s["high"].iloc[0] == math.inf
    assert s["qualifier"].iloc[0] == "more_than"
    assert s["series"].tolist() == [None, "israel", "israel", None]  # IDF and Israel are one series
    assert s["source"].tolist()[:3] == ["Harbor Post", "The Ledger", "Example Wire"]
    assert s["figure_id"].tolist()[0] == "early.md:2"


def test_series_keeps_proposals_on_request(held):
    s = held.figcheck.series("hostages.held", include_proposals=True)
    assert s.loc[s["modality"] == "proposal", "value"].tolist() == [40.0]
    assert len(s) == 5


def test_series_order_does_not_depend_on_row_order(held):
    shuffled = held.sample(frac=1.0, random_state=7)
    pd.testing.assert_frame_equal(shuffled.figcheck.series("hostages.held"), held.figcheck.series("hostages.held"))


def test_series_of_a_known_metric_without_figures_is_empty_and_an_unknown_one_is_an_error(held):
    empty = held.figcheck.series("hostages.rescued")
    assert empty.empty
    assert list(empty.columns) == SERIES_COLUMNS
    with pytest.raises(KeyError, match=r"no metric 'hostages\.helt': this frame has deaths\.gaza, hostages\.held"):
        held.figcheck.series("hostages.helt")


def test_series_on_the_examples_shows_the_planted_rise(examples):
    figures, _ = examples
    s = figures.figcheck.series("hostages.held")
    assert s["as_of"].is_monotonic_increasing
    by_day = dict(zip(s["as_of"].dt.strftime("%Y-%m-%d"), s["value"], strict=False))
    assert by_day["2023-12-21"] == 129.0
    assert by_day["2024-01-21"] == 136.0


# --------------------------------------------------------------------------------------------
# plot


def _points(ax):
    from matplotlib.collections import PathCollection

    return [c for c in ax.collections if isinstance(c, PathCollection) and c.get_label() != "named by a finding"]


def _rings(ax):
    return [c for c in ax.collections if c.get_label() == "named by a finding"]


def test_plot_draws_factual_dated_figures_and_rings_the_flagged_ones(held):
    import matplotlib.pyplot as plt

    ax = held.figcheck.plot("hostages.held")
    try:
        assert sum(len(c.get_offsets()) for c in _points(ax)) == 3  # no proposal, nothing undated
        [rings] = _rings(ax)
        assert sorted(float(y) for _, y in rings.get_offsets()) == [129.0, 136.0]  # the FC203 pair
        assert ax.get_title(loc="left") == "hostages.held"
        assert any(line.get_marker() == "^" for line in ax.lines)  # "more than 200": an open end
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "Israel" in labels
        assert "named by a finding" in labels
    finally:
        plt.close(ax.figure)


def test_plot_on_given_axes_with_given_findings(held):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2)
    try:
        assert held.figcheck.plot("hostages.held", ax=right, findings=pd.DataFrame()) is right
        assert not _rings(right)
        assert not left.collections
        with_proposals = held.figcheck.plot("hostages.held", ax=left, include_proposals=True, title="held")
        assert sum(len(c.get_offsets()) for c in _points(with_proposals)) == 4
        assert left.get_title(loc="left") == "held"
    finally:
        plt.close(fig)


def test_plot_of_a_metric_with_no_dated_figures_says_so(held):
    import matplotlib.pyplot as plt

    ax = held.figcheck.plot("hostages.rescued", findings=pd.DataFrame())
    try:
        assert [t.get_text() for t in ax.texts] == ["no dated figures of hostages.rescued"]
    finally:
        plt.close(ax.figure)


def test_writing_a_report_leaves_the_notebook_backend_alone(tmp_path, held):
    import matplotlib

    before = matplotlib.get_backend()
    matplotlib.use("pdf", force=True)  # any backend but Agg: the report must not switch it
    try:
        figcheck.report(held, figcheck.check(held), tmp_path / "r.html", markdown=False)
        assert matplotlib.get_backend() == "pdf"
        assert "data:image/svg+xml;base64," in (tmp_path / "r.html").read_text(encoding="utf-8")
    finally:
        matplotlib.use(before, force=True)


# --------------------------------------------------------------------------------------------
# explain


def test_explain_by_position_or_id_gives_the_same_finding(held):
    findings = figcheck.check(held)
    fid = findings["finding_id"].iloc[0]
    for key in (0, -len(findings), fid, np.int64(0)):
        assert findings.figcheck.explain(key).finding.finding_id == fid


def test_explain_text_quotes_both_figures_with_the_number_marked_and_says_why(held):
    text = str(figcheck.check(held).figcheck.explain(0))
    assert text.startswith("error FC203 contradiction [")
    assert "“«About 129» hostages are still held in Gaza, Israel says.”" in text
    assert "«136» people" in text
    assert "ledger.md:1" in text
    assert "wire.md:1" in text
    assert "\nwhy: " in text


def test_explain_html_escapes_article_text_and_highlights_the_number(held):
    html = figcheck.check(held).figcheck.explain(0)._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>136</mark> people &amp; more" in html
    assert "<mark>About 129</mark>" in html
    assert "<i>earlier</i>" in html
    assert "<i>later</i>" in html
    md = figcheck.check(held).figcheck.explain(0)._repr_markdown_()
    assert "**136**" in md
    assert "<script>" not in md


def test_explain_errors_name_what_to_pass(held):
    findings = figcheck.check(held)
    with pytest.raises(IndexError, match=r"no finding at position 5: this frame has 1 finding \(positions 0 to 0\)"):
        findings.figcheck.explain(5)
    with pytest.raises(KeyError, match="no finding 'nope'"):
        findings.figcheck.explain("nope")
    with pytest.raises(TypeError, match="needs a findings table.*finding_id, rule_id, figure_ids.*figcheck.check"):
        held.figcheck.explain(0)
    unlinked = findings.copy()
    unlinked.attrs = {}
    with pytest.raises(ValueError, match=r"pass them, as findings\.figcheck\.explain\(0, figures=figures\)"):
        unlinked.figcheck.explain(0)
    assert unlinked.figcheck.explain(0, figures=held).finding.rule_id == "FC203"


# --------------------------------------------------------------------------------------------
# figures


def test_figures_joins_each_finding_to_its_figures_with_their_roles(examples):
    figures, findings = examples
    joined = findings.figcheck.figures()
    assert list(joined.columns) == [*LINK_COLUMNS, *FIGURE_COLUMNS]
    assert len(joined) == sum(len(ids) for ids in findings["figure_ids"])
    assert joined["finding_id"].drop_duplicates().tolist() == findings["finding_id"].tolist()
    roles = {rule: set(g["role"]) for rule, g in joined.groupby("rule_id")}
    assert roles["FC101"] == {"total", "part"}
    assert roles["FC201"] == {"earlier", "later"}
    assert roles["FC303"] == {"part", "whole"}
    assert roles["FC401"] == {"first", "second"}
    assert roles["FC501"] == {"old", "new"}
    balance = joined[joined["rule_id"] == "FC101"]
    assert balance.loc[balance["role"] == "total", ["metric", "value"]].values.tolist() == [["hostages.taken", 240.0]]
    bound = joined[joined["rule_id"] == "FC303"].set_index("role")
    assert bound.loc["part", "metric"] == "deaths.children"
    assert bound.loc["whole", "metric"] == "deaths.gaza"


def test_figures_keeps_a_figure_missing_from_the_table_and_takes_an_explicit_table(held):
    findings = figcheck.check(held)
    partial = held[held["doc_id"] != "wire.md"]
    joined = findings.figcheck.figures(figures=partial)
    assert joined["figure_id"].tolist() == findings["figure_ids"].iloc[0]
    assert joined["doc_id"].tolist()[0] == "ledger.md"
    assert pd.isna(joined["doc_id"].tolist()[1])


def test_figures_of_no_findings_is_an_empty_frame_with_the_columns(held):
    none = figcheck.check(held[held["doc_id"] == "ledger.md"])
    assert none.empty
    joined = none.figcheck.figures()
    assert joined.empty
    assert list(joined.columns[:len(LINK_COLUMNS)]) == LINK_COLUMNS


# --------------------------------------------------------------------------------------------
# which frame is which


def test_kind_and_clear_errors_on_other_frames(held):
    findings = figcheck.check(held)
    assert held.figcheck.kind == "figures"
    assert findings.figcheck.kind == "findings"
    other = pd.DataFrame({"doc_id": ["a"], "value": [1.0]})
    assert other.figcheck.kind is None
    with pytest.raises(TypeError, match=r"\.figcheck\.series\(\) needs a figures table, and this frame lacks the "
                                         r"columns figure_id, metric, low, high, as_of: pass the frame "
                                         r"figcheck\.extract\(\) returns$"):
        other.figcheck.series("hostages.held")
    with pytest.raises(TypeError, match=r"findings\.figcheck\.figures\(\) gives the figures of findings"):
        findings.figcheck.plot("hostages.held")
    with pytest.raises(TypeError, match=r"\.figcheck\.figures\(\) needs a findings table"):
        other.figcheck.figures()


def test_series_and_plot_work_on_figures_read_back_from_jsonl(tmp_path):
    from typer.testing import CliRunner

    from figcheck.cli import app

    result = CliRunner().invoke(app, ["extract", str(EXAMPLES), "-o", str(tmp_path / "f.jsonl")])
    assert result.exit_code == 0, result.output
    read = pd.read_json(tmp_path / "f.jsonl", lines=True, dtype=False)
    s = read.figcheck.series("hostages.held")
    assert s.loc[s["surface"] == "more than 200", "high"].tolist() == [math.inf]  # null in JSON: open
    assert s["as_of"].dtype == "datetime64[ns]"
    assert figcheck.check(read)["finding_id"].tolist() == figcheck.check(str(EXAMPLES))["finding_id"].tolist()
