"""Timeline plots: one per metric, each figure's value and interval against its as-of date.

matplotlib is imported lazily (only when a plot is drawn). Reports draw on a `Figure` of their
own, never through pyplot, so no backend is switched and no figure is left open; the SVG is made
deterministic: a fixed hash salt for element ids and no creation date, so the same figures give
byte-identical plots. `draw` puts the same timeline on any Axes (the notebook accessor uses it).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from figcheck.models import FACTUAL_MODALITIES

#: Colour-blind-safe palette (Okabe & Ito); series beyond it repeat with other markers.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
FINDING_COLOUR = "#C00000"
#: Above this many points in one series, the series is drawn as an image inside the SVG (smaller, faster).
DENSE = 1500


@dataclass(frozen=True)
class Timeline:
    """One metric's plot and the rows it shows (for a table beside it)."""

    metric: str
    svg: str
    rows: pd.DataFrame
    flagged: int
    series_by: str


def timeline_frame(figures: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Select the figures of one metric that a timeline shows: factual modalities with a date and a value.

    Proposals, demands and hypotheticals never enter arithmetic, so they are not plotted either.
    """
    if not len(figures):
        return figures.iloc[0:0]
    rows = figures[(figures["metric"] == metric) & figures["as_of"].notna() & figures["value"].notna()]
    if "modality" in rows:
        rows = rows[rows["modality"].isna() | rows["modality"].isin(sorted(FACTUAL_MODALITIES))]
    rows = rows.copy()
    rows["as_of_date"] = pd.to_datetime(rows["as_of"], errors="coerce")
    rows = rows[rows["as_of_date"].notna()]
    return rows.sort_values(["as_of_date", "doc_id", "start"], kind="stable").reset_index(drop=True)


def plot_metrics(figures: pd.DataFrame) -> list[str]:
    """Metrics worth a timeline: those with at least one dated factual figure, in id order."""
    if not len(figures) or "metric" not in figures:
        return []
    metrics = sorted(str(m) for m in figures["metric"].dropna().unique())
    return [m for m in metrics if len(timeline_frame(figures, m))]


def timeline(
    figures: pd.DataFrame,
    metric: str,
    flagged: Iterable[str] = (),
    *,
    title: str | None = None,
    series_by: str | None = None,
) -> Timeline:
    """Draw one metric's timeline as SVG text.

    Each figure is a point at (as_of, value) with a bar over its interval [low, high]; an open end
    is drawn as an arrow to the edge of the plot. Points are coloured by claimant (or by source
    when no figure names a claimant); figures that a finding names are ringed in red.

    Args:
        figures: the figures table.
        metric: the metric id to plot.
        flagged: figure ids named by findings.
        title: the plot title (default: the metric id).
        series_by: ``claimant`` or ``source``; chosen automatically when None.

    Returns:
        The `Timeline`, whose ``svg`` is a complete ``<svg>`` document.
    """
    import matplotlib
    from matplotlib.figure import Figure

    rows = timeline_frame(figures, metric)
    # a Figure of its own, not pyplot: no backend is switched and no figure is left open (a notebook
    # that writes a report keeps its inline plots)
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        fig = Figure(figsize=(7.2, 3.6), dpi=100)
        ax = fig.subplots()
        rows = draw(ax, rows, flagged, title=title or metric, series_by=series_by)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "figcheck"}, bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.find("<svg"):]  # drop the XML prolog and doctype: the SVG is embedded
    series_by = str(rows.attrs.get("series_by", "claimant"))
    return Timeline(metric=metric, svg=svg, rows=rows, flagged=int(rows["flagged"].sum()), series_by=series_by)


def draw(
    ax: Any,
    rows: pd.DataFrame,
    flagged: Iterable[str] = (),
    *,
    title: str | None = None,
    series_by: str | None = None,
) -> pd.DataFrame:
    """Draw a timeline on a matplotlib Axes: what `timeline` draws, for a notebook's own axes.

    Args:
        ax: the Axes to draw on.
        rows: the figures to show, with ``as_of_date`` (datetime), ``value``, ``low``, ``high``,
            ``claimant``, ``source`` and ``figure_id`` (as `timeline_frame` selects them).
        flagged: figure ids named by findings; they are ringed in red.
        title: the plot title.
        series_by: ``claimant`` or ``source``; chosen automatically when None.

    Returns:
        The rows drawn, with ``series`` (the legend label) and ``flagged`` added;
        ``attrs["series_by"]`` says what colours them.
    """
    import matplotlib.dates as mdates

    flagged_set = set(flagged)
    if series_by is None:
        series_by = "claimant" if rows["claimant"].notna().any() else "source"
    labels = rows[series_by].fillna("unattributed" if series_by == "claimant" else "unknown source").astype(str)
    rows = rows.assign(series=labels.to_numpy(), flagged=rows["figure_id"].isin(flagged_set).to_numpy())
    rows.attrs["series_by"] = series_by
    _draw(ax, rows, mdates)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return rows


#: matplotlib settings of every timeline (`timeline` applies them, and so does the notebook accessor).
STYLE: dict[str, Any] = {
    "svg.hashsalt": "figcheck",
    "svg.fonttype": "none",  # text as text (the reader's sans-serif): small files, selectable labels
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
}


def _draw(ax: Any, rows: pd.DataFrame, mdates: Any) -> None:
    finite_low = rows["low"].where(rows["low"].map(lambda v: v is not None and math.isfinite(v)))
    finite_high = rows["high"].where(rows["high"].map(lambda v: v is not None and math.isfinite(v)))
    values = pd.concat([rows["value"], finite_low, finite_high]).dropna()
    top = float(values.max()) if len(values) else 1.0
    bottom = float(values.min()) if len(values) else 0.0
    span = max(top - bottom, abs(top) * 0.05, 1.0)
    y_min = min(0.0, bottom - 0.08 * span) if bottom >= 0 else bottom - 0.08 * span
    y_max = top + 0.12 * span

    dates = rows["as_of_date"]
    x_num = mdates.date2num(dates.dt.to_pydatetime()) if len(rows) else []
    for i, name in enumerate(sorted(rows["series"].unique())):
        sel = (rows["series"] == name).to_numpy()
        colour, marker = PALETTE[i % len(PALETTE)], MARKERS[(i // len(PALETTE)) % len(MARKERS)]
        xs = [x for x, s in zip(x_num, sel, strict=True) if s]
        part = rows[sel]
        lows = [y_min if not math.isfinite(lo) else lo for lo in part["low"].fillna(-math.inf)]
        highs = [y_max if not math.isfinite(hi) else hi for hi in part["high"].fillna(math.inf)]
        dense = len(xs) > DENSE  # thousands of points: drawn as one embedded image, not one element each
        ax.vlines(xs, lows, highs, colors=colour, linewidth=2.2, alpha=0.45, rasterized=dense)
        ax.scatter(xs, part["value"], color=colour, marker=marker, s=28, zorder=3, label=name, rasterized=dense)
        open_high = [x for x, hi in zip(xs, part["high"].fillna(math.inf), strict=True) if not math.isfinite(hi)]
        open_low = [x for x, lo in zip(xs, part["low"].fillna(-math.inf), strict=True) if not math.isfinite(lo)]
        if open_high:
            ax.plot(open_high, [y_max] * len(open_high), linestyle="none", marker="^", color=colour, markersize=5,
                    alpha=0.7, rasterized=dense)
        if open_low:
            ax.plot(open_low, [y_min] * len(open_low), linestyle="none", marker="v", color=colour, markersize=5,
                    alpha=0.7, rasterized=dense)
    flagged = rows[rows["flagged"]]
    if len(flagged):
        fx = mdates.date2num(flagged["as_of_date"].dt.to_pydatetime())
        ax.scatter(fx, flagged["value"], s=150, facecolors="none", edgecolors=FINDING_COLOUR, linewidths=1.8,
                   zorder=4, label="named by a finding", rasterized=len(flagged) > DENSE)
    ax.set_ylim(y_min, y_max)
    if len(rows):
        lo_x, hi_x = min(x_num), max(x_num)
        pad = max((hi_x - lo_x) * 0.06, 3.0)
        ax.set_xlim(lo_x - pad, hi_x + pad)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(_thousands())
    ax.set_xlabel("as of")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:g}")
