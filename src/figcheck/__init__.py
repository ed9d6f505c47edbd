"""figcheck: check that the figures in news reports agree with each other.

The public API::

    import figcheck
    docs = figcheck.load("examples")          # documents DataFrame
    figures = figcheck.extract("examples")    # figures DataFrame (one row per number)
    findings = figcheck.check(figures)        # findings DataFrame (one row per contradiction)
    figcheck.report(figures, findings, "reports/examples.html")   # the report `figcheck report` writes
    good, problems = figcheck.validate_figures(figures, docs, None)  # the figures contract

and, on those frames, the ``.figcheck`` accessor (`figcheck.accessor`)::

    figures.figcheck.series("hostages.held")  # a tidy time series: dates, intervals, claimants, sources
    figures.figcheck.plot("hostages.held")    # its timeline, findings ringed in red
    findings.figcheck.explain(0)              # both quotes and the reason (rich in Jupyter)
    findings.figcheck.figures()               # the figures involved, joined to their findings

``figcheck.report`` is the function; the report package's modules are imported by their full
names (``from figcheck.report.html import render``).
"""

from __future__ import annotations

# The report package first: importing it later would rebind ``figcheck.report`` to the package.
import figcheck.report as _report_package  # noqa: F401
from figcheck import accessor as _accessor  # noqa: F401  (registers the .figcheck accessor)
from figcheck.api import check, extract, load, report
from figcheck.models import FIGURE_COLUMNS, FINDING_COLUMNS
from figcheck.validate import validate_figures  # great_expectations itself is imported only when used

__version__ = "0.1.0"

__all__ = ["FIGURE_COLUMNS", "FINDING_COLUMNS", "__version__", "check", "extract", "load", "report",
           "validate_figures"]
