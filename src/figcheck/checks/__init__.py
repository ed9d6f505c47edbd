"""Rule kinds: each a pure function from the figures to findings, with its typed parameters.

A rule file (``rules/<ID>.yaml``) names one of these kinds and gives its parameters; the kinds
themselves are code, and this dict is the whole list (no plugin discovery).
"""

from __future__ import annotations

from figcheck.checks import agreement, balance, bound, monotonic, revision
from figcheck.checks._common import Kind

#: Every rule kind, by the name rule files use.
KINDS: dict[str, Kind] = {
    "balance": balance.KIND,
    "monotonic": monotonic.KIND,
    "bound": bound.KIND,
    "agreement": agreement.KIND,
    "revision": revision.KIND,
}

__all__ = ["KINDS", "Kind"]
