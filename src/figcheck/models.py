"""Column contracts between pipeline stages, and the small records that travel with them."""

from __future__ import annotations

from typing import Final, NamedTuple

#: Columns of the documents table, in order (see DESIGN.md "documents").
DOCUMENT_COLUMNS: Final[list[str]] = [
    "doc_id",
    "path",
    "source",
    "published",
    "published_basis",
    "url",
    "title",
    "text",
    "sha256",
    "text_offset",
    "line_offset",
    "format",
]

#: Columns of the figures table, in order. This is a contract: keep names and order.
FIGURE_COLUMNS: Final[list[str]] = [
    "figure_id",
    "doc_id",
    "source",
    "published",
    "metric",
    "value",
    "low",
    "high",
    "qualifier",
    "unit",
    "noun",
    "as_of",
    "as_of_basis",
    "claimant",
    "modality",
    "surface",
    "start",
    "end",
    "line",
    "sentence",
    "confidence",
]

#: Columns of the findings table, in order. Also the JSON, SARIF and JUnit records.
FINDING_COLUMNS: Final[list[str]] = [
    "finding_id",
    "rule_id",
    "severity",
    "verdict",
    "message",
    "figure_ids",
    "observed",
    "expected",
]

QUALIFIERS: Final[tuple[str, ...]] = (
    "exact",
    "approx",
    "at_least",
    "more_than",
    "at_most",
    "less_than",
    "range",
    "vague",
)

MODALITIES: Final[tuple[str, ...]] = (
    "asserted",
    "estimate",
    "belief",
    "proposal",
    "demand",
    "hypothetical",
    "negated",
)

#: Modalities whose figures take part in arithmetic; the others never do.
FACTUAL_MODALITIES: Final[frozenset[str]] = frozenset({"asserted", "estimate", "belief"})

AS_OF_BASES: Final[tuple[str, ...]] = ("published", "explicit", "relative", "event")

SEVERITIES: Final[tuple[str, ...]] = ("error", "warning", "info")

#: How a document's `published` date was established.
PUBLISHED_BASES: Final[tuple[str, ...]] = (
    "cli",
    "front_matter",
    "manifest",
    "jsonl",
    "html",
    "dateline",
    "latest_mention",
)


class Problem(NamedTuple):
    """Something wrong with an input, reported instead of raised so the rest is still processed.

    A named tuple, so a DataFrame keeping problems in ``attrs`` can still be saved (Parquet writes
    ``attrs`` as JSON).

    Args:
        path: the file, as the user named it or as found under a folder.
        line: 1-based line in that file, or 0 when the problem concerns the whole file.
        message: what is wrong, naming the thing.
        hint: what to do about it.
        severity: ``error`` (the item was skipped) or ``warning`` (it was processed anyway).
    """

    path: str
    line: int
    message: str
    hint: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        """Render as ``path:line: severity: message (hint)``, the form compilers use."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.severity}: {self.message}{tail}"
