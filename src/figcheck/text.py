"""Text geometry: line numbers for offsets, and sentence boundaries."""

from __future__ import annotations

import bisect
import re
from functools import cached_property

#: Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj sgt capt cpl pvt adm sen rep gov pres st jr sr co corp inc ltd
    no nos vs etc al approx est dept univ fig jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun u.s u.n u.k e.g i.e a.m p.m""".split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n\s*\n|\n"
                       r"|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z]+\s)")  # "to turn.In a press statement": a lost space


class TextIndex:
    r"""Line and sentence lookups for one text, each O(log n) after one pass.

    Args:
        text: the document text.

    Example:
        >>> ix = TextIndex("One line.\nTwo lines. Three.")
        >>> ix.line(12)
        2
        >>> ix.sentence_span(12)
        (10, 20)
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _newlines(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.text)]

    @cached_property
    def _sentences(self) -> list[tuple[int, int]]:
        return split_sentences(self.text)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s for s, _ in self._sentences]

    def line(self, offset: int) -> int:
        """1-based line number of the character at ``offset``."""
        return bisect.bisect_right(self._newlines, offset - 1) + 1 if offset > 0 else 1

    def column(self, offset: int) -> int:
        """1-based column of the character at ``offset``."""
        i = bisect.bisect_right(self._newlines, offset - 1)
        line_start = self._newlines[i - 1] + 1 if i > 0 else 0
        return offset - line_start + 1

    def sentence_span(self, offset: int) -> tuple[int, int]:
        """Half-open (start, end) of the sentence holding ``offset``."""
        i = bisect.bisect_right(self._sentence_starts, offset) - 1
        if i < 0:
            return self._sentences[0] if self._sentences else (0, len(self.text))
        return self._sentences[i]

    def sentence(self, offset: int) -> str:
        """The sentence holding ``offset``, whitespace-trimmed."""
        start, end = self.sentence_span(offset)
        return self.text[start:end]

    def sentences(self) -> list[tuple[int, int]]:
        """All sentence spans in order."""
        return list(self._sentences)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into half-open sentence spans, trimmed of surrounding whitespace.

    A newline always ends a sentence (headlines, captions and paragraphs are units of their own);
    a full stop ends one unless it follows an abbreviation, an initial or a number.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if m.group().startswith((".",)) and "\n" not in m.group():
            word = re.search(r"([\w.]+)\.$", text[max(0, m.start() - 12) : m.start() + 1])
            if word:
                w = word.group(1).lower().rstrip(".")
                if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                    continue
        _push(text, start, end, spans)
        start = end
    _push(text, start, len(text), spans)
    return spans


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
