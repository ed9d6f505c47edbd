"""figcheck: check that the figures in news reports agree with each other.

The public API::

    import figcheck
    docs = figcheck.load("examples")          # documents DataFrame
    figures = figcheck.extract("examples")    # figures DataFrame (one row per number)
    findings = figcheck.check(figures)        # findings DataFrame (one row per contradiction)
    good, problems = figcheck.validate_figures(figures, docs, None)  # the figures contract
"""

from __future__ import annotations

from figcheck.api import check, extract, load
from figcheck.models import FIGURE_COLUMNS, FINDING_COLUMNS
from figcheck.validate import validate_figures  # great_expectations itself is imported only when used

__version__ = "0.1.0"

__all__ = ["FIGURE_COLUMNS", "FINDING_COLUMNS", "__version__", "check", "extract", "load", "validate_figures"]
