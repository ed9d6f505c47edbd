"""Qualifier words around a number ("about", "more than", "or more") -> qualifier and interval."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from figcheck.vocab import Qualifiers

INF = math.inf


@dataclass(frozen=True)
class Qualified:
    """A number's qualifier, interval and the extra characters its wording takes up.

    Attributes:
        qualifier: the Figure ``qualifier`` value.
        low: lower end of the interval the wording allows.
        high: upper end.
        start: where the figure's surface starts (before the qualifier words).
        end: where it ends (after words such as "or more").
    """

    qualifier: str
    low: float
    high: float
    start: int
    end: int


@lru_cache(maxsize=8)
def _compiled(q: Qualifiers) -> tuple[re.Pattern[str], re.Pattern[str]]:
    before_words = {w: key for key, words in q.before.items() for w in words}
    after_words = {w: key for key, words in q.after.items() for w in words}
    b = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(before_words, key=len, reverse=True))
    a = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(after_words, key=len, reverse=True))
    before_rx = re.compile(rf"(?<![\w-])(?P<w>{b})\s+(?:(?:the|a|an|a\s+total\s+of)\s+)?[\"“”']?$", re.I)
    after_rx = re.compile(rf"\s*,?\s*(?P<w>{a})(?![\w])", re.I)
    return before_rx, after_rx


@lru_cache(maxsize=8)
def _lookup(q: Qualifiers) -> tuple[dict[str, str], dict[str, str]]:
    before = {w: key for key, words in q.before.items() for w in words}
    after = {w: key for key, words in q.after.items() for w in words}
    return before, after


def qualify(text: str, start: int, end: int, value: float, kind: str, rounding: float,
            q: Qualifiers, low: float | None = None, high: float | None = None) -> Qualified:
    """Read the qualifier words around ``text[start:end]`` and give the figure's interval.

    Args:
        text: the document text.
        start: start of the number in ``text``.
        end: end of the number.
        value: the number's value.
        kind: the quantity kind from `figcheck.extract.quantities.scan`.
        rounding: place value of its last significant digit as written (0 if not applicable).
        q: the qualifier tables.
        low: a lower end the number's own wording gives (ranges, vague words).
        high: an upper end likewise.

    Example:
        >>> from figcheck.vocab import load_vocabulary
        >>> r = qualify("more than 27,000 dead", 10, 16, 27000.0, "number", 1000.0,
        ...             load_vocabulary().qualifiers)
        >>> (r.qualifier, r.low, r.high, r.start)
        ('more_than', 27000.0, inf, 0)
    """
    if kind == "range":
        return Qualified("range", float(low if low is not None else value), float(high if high is not None else value),
                         start, end)
    if kind == "vague":
        return Qualified("vague", float(value), float(high if high is not None else value), start, end)

    before_rx, after_rx = _compiled(q)
    before_map, after_map = _lookup(q)
    qualifier, new_start, new_end = "exact", start, end
    m = before_rx.search(text, max(0, start - 40), start)
    if m and m.group("w").lower() == "over":
        prev = text[max(0, m.start("w") - 20):m.start("w")].split()
        if prev and prev[-1].lower().strip(",") in q.particle_verbs:
            m = None  # "handed over 105 hostages"
    if m:
        word = re.sub(r"\s+", " ", m.group("w").lower())
        qualifier = before_map.get(word, "exact")
        new_start = m.start("w")
    else:
        m2 = after_rx.match(text, end, min(len(text), end + 30))
        if m2:
            word = re.sub(r"\s+", " ", m2.group("w").lower())
            qualifier = after_map.get(word, "exact")
            new_end = m2.end("w")
    lo, hi = interval(value, qualifier, rounding, q)
    return Qualified("approx" if qualifier == "almost" else qualifier, lo, hi, new_start, new_end)


def interval(value: float, qualifier: str, rounding: float, q: Qualifiers) -> tuple[float, float]:
    """The interval a qualifier allows around ``value`` (``almost`` is an approx below the value).

    Example:
        >>> from figcheck.vocab import load_vocabulary
        >>> interval(1200.0, "exact", 100.0, load_vocabulary().qualifiers)
        (1150.0, 1250.0)
    """
    if qualifier == "approx":
        # "about 24,000" is a number rounded to thousands: it stands for 23,500-24,500, not for
        # 25,105; "about 129" still agrees with "some 130".
        d = max(abs(value) * q.approx, min(rounding / 2, abs(value) * q.rounding_max_fraction))
        return value - d, value + d
    if qualifier == "almost":
        return value * (1 - q.almost), value
    if qualifier in ("at_least", "more_than"):
        return value, INF
    if qualifier in ("at_most", "less_than"):
        return (0.0 if value >= 0 else -INF), value
    if rounding >= q.rounding_min_place and value:
        half = min(rounding / 2, abs(value) * q.rounding_max_fraction)
        return value - half, value + half
    return value, value
