"""The ``.figcheck`` pandas accessor: time series, timelines and explained findings, in a notebook.

``import figcheck`` registers it. On a figures frame (`figcheck.extract`)::

    figures.figcheck.series("hostages.held")   # tidy: as_of, value, low, high, claimant, series, source...
    figures.figcheck.plot("hostages.held")     # a matplotlib timeline; figures named by findings ringed

and on a findings frame (`figcheck.check`)::

    findings.figcheck.explain(0)               # both quotes and the reason; rich HTML in Jupyter
    findings.figcheck.figures()                # one row per (finding, figure), joined

A findings frame finds its figures through ``findings.attrs["figures"]``, which `figcheck.check`
sets (a `figcheck.api.Shared` link: it survives filtering, sorting and ``pd.concat``, and costs
no copy). A findings frame read back from a file has no such link: pass the figures explicitly,
``findings.figcheck.explain(0, figures=figures)``.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from figcheck.api import linked
from figcheck.models import FACTUAL_MODALITIES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from figcheck.report.view import FindingView
    from figcheck.ruleset import Rule
    from figcheck.vocab import Vocabulary

#: Columns that make a frame a figures table, and a findings table.
FIGURE_KEYS = ("figure_id", "doc_id", "metric", "value", "low", "high", "as_of")
FINDING_KEYS = ("finding_id", "rule_id", "figure_ids")

#: Columns of `FigcheckAccessor.series`, in order.
SERIES_COLUMNS = ["as_of", "value", "low", "high", "qualifier", "claimant", "series", "source", "doc_id",
                  "surface", "figure_id", "modality", "published"]

#: Columns `FigcheckAccessor.figures` puts before the figure's own.
LINK_COLUMNS = ["finding_id", "rule_id", "severity", "verdict", "role"]


@pd.api.extensions.register_dataframe_accessor("figcheck")
class FigcheckAccessor:
    """figcheck's methods on a figures frame (``series``, ``plot``) and a findings frame (``explain``, ``figures``).

    Any other frame gets an error naming the columns it lacks and what to pass instead.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    @property
    def kind(self) -> str | None:
        """``figures``, ``findings``, or None for any other frame.

        Example:
            >>> import figcheck
            >>> pd.DataFrame({"x": [1]}).figcheck.kind is None
            True
        """
        if all(c in self._frame for c in FINDING_KEYS):
            return "findings"
        if all(c in self._frame for c in FIGURE_KEYS):
            return "figures"
        return None

    # ----------------------------------------------------------------------------------------
    # figures frames

    def series(self, metric: str, *, include_proposals: bool = False) -> pd.DataFrame:
        """One metric as a tidy time series: every figure with its date, interval, claimant and source.

        Args:
            metric: a metric id (``hostages.held``).
            include_proposals: also keep proposals, demands, hypotheticals and negated figures (by
                default only what is stated as fact - asserted, estimated, believed - as the rules
                see it).

        Returns:
            One row per figure: ``as_of`` (datetime64; NaT when unknown), ``value``, ``low``,
            ``high`` (open ends are ±inf, also when the table was read back from JSON),
            ``qualifier``, ``claimant``, ``series`` (the claimant's series in lexicon.yaml, which
            the rules compare within; None for the article's own voice), ``source``, ``doc_id``,
            ``surface``, ``figure_id``, ``modality``, ``published``; sorted by as_of (undated
            last), then published, doc_id and position in the text.

        Raises:
            TypeError: the frame is not a figures table.
            KeyError: no figure has this metric and the rules define no such metric.

        Example:
            >>> import figcheck
            >>> from figcheck.engine import make_figures
            >>> figures = make_figures([
            ...     {"doc_id": "b.md", "metric": "hostages.held", "value": 136, "as_of": "2024-01-21",
            ...      "claimant": "Israel"},
            ...     {"doc_id": "a.md", "metric": "hostages.held", "value": 129, "low": 126.42, "high": 131.58,
            ...      "qualifier": "approx", "as_of": "2023-12-21", "claimant": "IDF"},
            ...     {"doc_id": "c.md", "metric": "hostages.held", "value": 40, "as_of": "2024-03-27",
            ...      "modality": "proposal"},
            ... ])
            >>> figures.figcheck.series("hostages.held")[["as_of", "value", "low", "high", "claimant", "series"]]
                   as_of  value     low    high claimant  series
            0 2023-12-21  129.0  126.42  131.58      IDF  israel
            1 2024-01-21  136.0  136.00  136.00   Israel  israel
            >>> len(figures.figcheck.series("hostages.held", include_proposals=True))
            3
        """
        from figcheck.engine import resolve_series

        frame = self._require("figures", "series")
        rows = frame[frame["metric"] == metric]
        if rows.empty:
            vocab = self._vocabulary()
            if metric not in vocab.metrics:
                present = sorted(str(m) for m in frame["metric"].dropna().unique())
                raise KeyError(f"no metric {metric!r}: this frame has {', '.join(present) or 'no metric'}; "
                               "rules/metrics.yaml lists every metric")
        if not include_proposals and "modality" in rows:
            rows = rows[rows["modality"].isin(sorted(FACTUAL_MODALITIES))]
        vocab = self._vocabulary()
        out = pd.DataFrame(index=rows.index)
        out["as_of"] = _dates(rows["as_of"])
        for col in ("value", "low", "high"):
            out[col] = pd.to_numeric(rows[col], errors="coerce").astype(float)
        out["low"] = out["low"].fillna(-math.inf)  # an open end, also when read back from JSON (null)
        out["high"] = out["high"].fillna(math.inf)
        for col in ("qualifier", "claimant"):
            out[col] = _column(rows, col)
        out["series"] = pd.Series([resolve_series(c, vocab) for c in out["claimant"]], index=rows.index,
                                  dtype=object)
        for col in ("source", "doc_id", "surface", "figure_id", "modality", "published"):
            out[col] = _column(rows, col)
        order = out.assign(_start=pd.to_numeric(_column(rows, "start"), errors="coerce"))
        order = order.sort_values(["as_of", "published", "doc_id", "_start", "figure_id"], kind="mergesort",
                                  na_position="last")
        out = out.loc[order.index, SERIES_COLUMNS].reset_index(drop=True)
        out.attrs = {"metric": metric}
        return out

    def plot(
        self,
        metric: str,
        ax: Axes | None = None,
        *,
        findings: pd.DataFrame | None = None,
        include_proposals: bool = False,
        series_by: str | None = None,
        title: str | None = None,
    ) -> Axes:
        """Draw one metric's timeline: each figure at its as-of date, with a bar over its interval.

        The HTML report's drawing: an open end ("more than 200") is an arrow to the edge, colours
        are claimants (or outlets when no figure names one), and figures a finding names are
        ringed in red. matplotlib is imported only here; any backend works (Agg included).

        Args:
            metric: a metric id.
            ax: the Axes to draw on; a new figure when None.
            findings: the findings whose figures are ringed; by default those `figcheck.check`
                gives for this frame. Pass an empty frame to ring none.
            include_proposals: plot proposals and demands too (see `series`).
            series_by: colour by ``claimant`` or ``source``; chosen as the report does when None.
            title: the plot's title (default: the metric id).

        Returns:
            The matplotlib Axes.

        Example:
            >>> import figcheck
            >>> from figcheck.engine import make_figures
            >>> figures = make_figures([
            ...     {"doc_id": "a.md", "metric": "hostages.held", "value": 129, "as_of": "2023-12-21"},
            ...     {"doc_id": "b.md", "metric": "hostages.held", "value": 136, "as_of": "2024-01-21"},
            ... ])
            >>> ax = figures.figcheck.plot("hostages.held")
            >>> ax.get_title(loc="left"), len(ax.collections[-1].get_offsets())  # 136 after 129: both ringed
            ('hostages.held', 2)
        """
        from figcheck.report.plots import STYLE, draw

        self._require("figures", "plot")
        rows = self.series(metric, include_proposals=include_proposals)
        rows = rows[rows["as_of"].notna() & rows["value"].notna()]
        if findings is None:
            from figcheck.api import check

            findings = check(self._frame)
        flagged = {str(i) for ids in findings.get("figure_ids", pd.Series(dtype=object)) for i in _as_list(ids)}
        if ax is None:
            import matplotlib
            import matplotlib.pyplot as plt

            style: Any = {k: v for k, v in STYLE.items() if not k.startswith("svg.")}
            with matplotlib.rc_context(style):
                _fig, ax = plt.subplots(figsize=(8.0, 3.6), layout="constrained")
        if rows.empty:
            ax.set_title(title or metric, loc="left", fontsize=11)
            ax.text(0.5, 0.5, f"no dated figures of {metric}", transform=ax.transAxes, ha="center", va="center")
            return ax
        draw(ax, rows.assign(as_of_date=rows["as_of"]), flagged, title=title or metric, series_by=series_by)
        return ax

    # ----------------------------------------------------------------------------------------
    # findings frames

    def explain(self, i: int | str, *, figures: pd.DataFrame | None = None) -> Explanation:
        """Explain one finding: the rule, the message, every figure's quote with its number marked, and why.

        Args:
            i: the finding's position in this frame (``-1`` for the last), or its ``finding_id``.
            figures: the figures table; by default the one `figcheck.check` linked in
                ``findings.attrs["figures"]``.

        Returns:
            An `Explanation`: rich HTML in Jupyter, Markdown where that is preferred, text in a
            terminal (``print``).

        Raises:
            TypeError: the frame is not a findings table.
            IndexError: no finding at that position.
            KeyError: no finding with that id.
            ValueError: the frame links no figures and none were given.

        Example:
            >>> import figcheck
            >>> from figcheck.engine import make_figures
            >>> figures = make_figures([
            ...     {"doc_id": "a.md", "metric": "hostages.taken", "value": 240, "as_of": "2023-10-07",
            ...      "sentence": "Of the 240 people taken, 105 were freed and 150 remain.", "surface": "240"},
            ...     {"doc_id": "a.md", "metric": "hostages.released", "value": 105, "as_of": "2023-11-30",
            ...      "sentence": "Of the 240 people taken, 105 were freed and 150 remain.", "surface": "105"},
            ...     {"doc_id": "a.md", "metric": "hostages.held", "value": 150, "as_of": "2023-12-05",
            ...      "sentence": "Of the 240 people taken, 105 were freed and 150 remain.", "surface": "150"},
            ... ])
            >>> findings = figcheck.check(figures)
            >>> print(findings.figcheck.explain(0))  # doctest: +ELLIPSIS
            error FC101 contradiction [...]
              held + released add up to at least 255 person, but taken is 240 person ...
              observed: at least 255 person; expected: ≤ 240 person
              - a.md:1  2023-10-07, as of 2023-10-07
                “Of the «240» people taken, 105 were freed and 150 remain.”
            ...
            >>> "<mark>105</mark>" in findings.figcheck.explain(0)._repr_html_()
            True
        """
        from figcheck.report.view import build_view

        frame = self._require("findings", "explain")
        pos = self._position(frame, i)
        figs = self._figures_of(frame, figures, "explain")
        row = frame.iloc[[pos]]
        rules = self._rules(frame, figs)
        view = build_view(row, figs, linked(figs, "documents"), rules=rules)
        roles = _roles(row.iloc[0].to_dict(), figs, {r.id: r for r in rules})
        return Explanation(view.findings[0], row.iloc[0].to_dict(), figs, roles)

    def figures(self, figures: pd.DataFrame | None = None) -> pd.DataFrame:
        """Join the findings to the figures they involve: one row per (finding, figure).

        Args:
            figures: the figures table; by default the one `figcheck.check` linked in
                ``findings.attrs["figures"]``.

        Returns:
            ``finding_id, rule_id, severity, verdict, role``, then the figure's columns (figure_id
            first), in findings order and, within a finding, in ``figure_ids`` order. ``role`` says
            what the figure is to the rule: ``total``, ``part`` or ``minus`` (balance), ``part`` or
            ``whole`` (bound), ``earlier`` or ``later`` (monotonic), ``first`` or ``second``
            (agreement), ``old``, ``between`` or ``new`` (revision). A figure id missing from the
            table keeps its row, with empty figure columns.

        Raises:
            TypeError: the frame is not a findings table.
            ValueError: the frame links no figures and none were given.

        Example:
            >>> import figcheck
            >>> from figcheck.engine import make_figures
            >>> figures = make_figures([
            ...     {"doc_id": "a.md", "metric": "hostages.held", "value": 129, "as_of": "2023-12-21"},
            ...     {"doc_id": "b.md", "metric": "hostages.held", "value": 136, "as_of": "2024-01-21"},
            ... ])
            >>> figcheck.check(figures).figcheck.figures()[["rule_id", "role", "doc_id", "value"]]
              rule_id     role doc_id  value
            0   FC203  earlier   a.md  129.0
            1   FC203    later   b.md  136.0
        """
        frame = self._require("findings", "figures")
        figs = self._figures_of(frame, figures, "figures")
        rules = {r.id: r for r in self._rules(frame, figs)}
        links: list[dict[str, Any]] = []
        for rec in frame.to_dict("records"):
            ids = [str(x) for x in _as_list(rec.get("figure_ids"))]
            for fid, role in zip(ids, _roles(rec, figs, rules), strict=True):
                links.append({**{c: rec.get(c) for c in LINK_COLUMNS if c != "role"}, "role": role,
                              "figure_id": fid})
        link = pd.DataFrame(links, columns=[*LINK_COLUMNS, "figure_id"])
        table = figs.drop_duplicates("figure_id").copy() if len(figs) else figs.copy()
        table["figure_id"] = table["figure_id"].astype(str)
        out = link.merge(table, on="figure_id", how="left", sort=False)
        out.attrs = {}
        return out.reset_index(drop=True)

    # ----------------------------------------------------------------------------------------

    def _require(self, kind: str, method: str) -> pd.DataFrame:
        keys, made_by, other = (
            (FIGURE_KEYS, "figcheck.extract()", "findings.figcheck.figures() gives the figures of findings")
            if kind == "figures" else
            (FINDING_KEYS, "figcheck.check()", "figcheck.check(figures) gives the findings of figures")
        )
        missing = [c for c in keys if c not in self._frame]
        if missing:
            hint = f"; {other}" if self.kind not in (None, kind) else ""
            raise TypeError(f".figcheck.{method}() needs a {kind} table, and this frame lacks the column"
                            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}: pass the frame "
                            f"{made_by} returns{hint}")
        return self._frame

    @staticmethod
    def _position(frame: pd.DataFrame, i: int | str) -> int:
        if isinstance(i, str):
            hits = [k for k, fid in enumerate(frame["finding_id"].astype(str)) if fid == i]
            if not hits:
                raise KeyError(f"no finding {i!r} in this frame; findings['finding_id'] lists them")
            return hits[0]
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"explain() takes a position or a finding_id, not {type(i).__name__}")
        n = len(frame)
        if not -n <= int(i) < n:
            span = f"positions 0 to {n - 1}" if n else "none"
            raise IndexError(f"no finding at position {i}: this frame has {n} finding{'s' if n != 1 else ''} ({span})")
        return int(i) % n

    @staticmethod
    def _figures_of(frame: pd.DataFrame, figures: pd.DataFrame | None, method: str) -> pd.DataFrame:
        figs = figures if figures is not None else linked(frame, "figures")
        if not isinstance(figs, pd.DataFrame):
            raise ValueError(f"these findings do not link their figures (findings.attrs['figures'] is set by "
                             f"figcheck.check): pass them, as findings.figcheck.{method}("
                             f"{'0, ' if method == 'explain' else ''}figures=figures)")
        if "figure_id" not in figs:
            raise TypeError("figures= needs a figures table with a figure_id column: pass the frame "
                            "figcheck.extract() returns")
        return figs

    def _vocabulary(self) -> Vocabulary:
        from figcheck.vocab import load_vocabulary

        vocab = linked(self._frame, "vocabulary")
        return vocab if vocab is not None else load_vocabulary(self._frame.attrs.get("rules_dir"))

    @staticmethod
    def _rules(frame: pd.DataFrame, figures: pd.DataFrame) -> list[Rule]:
        from figcheck.api import ruleset

        rules = linked(frame, "rules")
        if rules is not None:
            return list(rules)
        return ruleset(figures.attrs.get("rules_dir"))[1]


@dataclass(frozen=True, eq=False)
class Explanation:
    """One finding explained: ``print`` it in a terminal; Jupyter shows it as HTML.

    Attributes:
        finding: the finding joined to its figures (`figcheck.report.view.FindingView`): rule,
            message, observed, expected, and each figure's quote, date, source and place in its file.
        record: the findings row.
        figures: the figures table.
        roles: each figure's role in the finding (see `FigcheckAccessor.figures`).
    """

    finding: FindingView
    record: Mapping[str, Any]
    figures: pd.DataFrame
    roles: Sequence[str | None]

    def __str__(self) -> str:
        """Write the finding as `figcheck check` prints it, then why the rule exists."""
        from figcheck.report import text
        from figcheck.report._figures import figure_lookup

        lines = [line[2:] for line in text._finding(pd.Series(self.record), figure_lookup(self.figures))]
        rule = self.finding.rule
        if rule.description:
            lines.append(f"why: {rule.description}")
        if rule.rationale:
            lines.append(f"     {rule.rationale}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        from figcheck.report import markdown

        return "\n".join(markdown._finding(self.finding)).strip() + "\n"

    def _repr_html_(self) -> str:
        from figcheck.report.view import format_interval, format_number

        f = self.finding
        esc = html.escape
        colour = _SEVERITY_COLOURS.get(f.severity, "#555555")
        out = [
            '<div class="figcheck-finding" style="max-width:60em;line-height:1.45">',
            f'<div><span style="background:{colour};color:#fff;border-radius:3px;padding:0 .4em">'
            f'{esc(f.severity)}</span> <strong>{esc(f.rule_id)}</strong>'
            + (f" · {esc(f.rule.name)}" if f.rule.name else "")
            + f' <span style="opacity:.7">{esc(f.verdict)}</span></div>',
            f'<p style="margin:.4em 0">{esc(f.message)}</p>',
        ]
        if f.observed or f.expected:
            out.append(f"<p style=\"margin:.4em 0\">Observed <b>{esc(f.observed or '—')}</b>; "
                       f"the rule expects <b>{esc(f.expected or '—')}</b>.</p>")
        for g, role in zip(f.figures, self.roles, strict=True):
            label = f"<i>{esc(role)}</i>: " if role else ""
            if g.sentence:
                before, surface, after = g.quote
                quote = (f"“{esc(before)}<mark>{esc(surface)}</mark>{esc(after)}”")
            else:
                quote = f'<span style="opacity:.7">figure {esc(g.figure_id)} is not in the figures table</span>'
            facts = []
            if g.value is not None:
                qual = f" ({g.qualifier.replace('_', ' ')})" if g.qualifier and g.qualifier != "exact" else ""
                interval = format_interval(g.low, g.high)
                read = f", read as {interval}" if interval != format_number(g.value) else ""
                facts.append(f"<b>{esc(format_number(g.value))}</b>{esc(qual + read)}")
            if g.metric:
                facts.append(esc(g.metric))
            facts.append(f"as of {esc(g.as_of or 'unknown')}")
            if g.claimant:
                facts.append(f"per {esc(g.claimant)}")
            if g.modality and g.modality != "asserted":
                facts.append(esc(g.modality))
            facts.append(esc((g.source or "unknown source") + (f", {g.published}" if g.published else "")))
            facts.append(f"<code>{esc(g.location.short())}</code>")
            out.append('<blockquote style="border-left:3px solid #999;margin:.5em 0;padding:.1em .8em">'
                       f"{label}{quote}<br><small>{' · '.join(facts)}</small></blockquote>")
        why = " ".join(x for x in (f.rule.description, f.rule.rationale) if x)
        if why:
            out.append(f'<p style="margin:.4em 0"><i>Why:</i> {esc(why)}</p>')
        out.append(f'<p style="margin:.4em 0;opacity:.7"><small>finding <code>{esc(f.finding_id)}</code>'
                   "</small></p></div>")
        return "\n".join(out)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


_SEVERITY_COLOURS = {"error": "#C00000", "warning": "#A65E00", "info": "#0072B2"}

#: Role of each figure of a finding, by check kind and position in ``figure_ids`` (see each kind's module).
_POSITIONAL_ROLES = {"bound": ("part", "whole"), "monotonic": ("earlier", "later"), "agreement": ("first", "second")}


def _roles(rec: Mapping[str, Any], figures: pd.DataFrame, rules: Mapping[str, Rule]) -> list[str | None]:
    """Name what each figure of a finding is to its rule (total, part, earlier, later...); None when unknown."""
    ids = [str(x) for x in _as_list(rec.get("figure_ids"))]
    rule = rules.get(str(rec.get("rule_id")))
    kind = rec.get("kind") if isinstance(rec.get("kind"), str) else (rule.kind if rule else None)
    n = len(ids)
    if kind in _POSITIONAL_ROLES and n == 2:
        return list(_POSITIONAL_ROLES[kind])
    if kind == "revision" and n >= 2:
        return ["old", *(["between"] * (n - 2)), "new"]
    if kind == "balance" and rule is not None:
        metric_of = dict(zip(figures["figure_id"].astype(str), figures["metric"], strict=False))
        total, minus = rule.params.get("total"), set(rule.params.get("minus") or ())
        return [("total" if metric_of.get(i) == total else "minus" if metric_of.get(i) in minus else "part")
                if i in metric_of else None for i in ids]
    return [None] * n


def _as_list(value: Any) -> list[Any]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _column(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    values = frame[col]
    if values.dtype == object:
        return values.where(values.notna(), None)
    return values


def _dates(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values.astype(object).where(values.notna(), None), errors="coerce", format="mixed")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.astype("datetime64[ns]")
