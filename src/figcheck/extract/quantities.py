"""Text -> quantities: every number a text states, with its span, value and unit.

figcheck scans numbers itself (digits, scale words, spelled-out numbers, ranges, fractions and
vague words) with one compiled expression, and resolves the unit words after a number through
quantulum3's unit lexicon. It does not call ``quantulum3.parser.parse`` on articles: that parser
spends most of its time disambiguating the word after every number as a possible unit, which a
count of people never needs, and it turns dates, ordinals and names into quantities that figcheck
would only have to throw away (see bench/README.md for the measured difference).

This is the only module that imports quantulum3.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

_UNITS_1_19 = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_UNITS_1_19)}
WORD_VALUES.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
                          "trillion": 1_000_000_000_000}
FRACTIONS: dict[str, float] = {
    "half": 1 / 2, "third": 1 / 3, "thirds": 1 / 3, "quarter": 1 / 4, "quarters": 1 / 4, "fourth": 1 / 4,
    "fifth": 1 / 5, "fifths": 1 / 5, "sixth": 1 / 6, "seventh": 1 / 7, "eighth": 1 / 8, "ninth": 1 / 9,
    "tenth": 1 / 10, "tenths": 1 / 10,
}

_W = "|".join(sorted(WORD_VALUES, key=len, reverse=True))
_S = "|".join(SCALES)
_NUMWORD = rf"(?:{_W}|{_S}|dozen)"
_SPELLED = (
    rf"(?:(?:an?\s+)?(?:{_S}|dozen)\b|(?:{_W})\b)"  # "a hundred", "a dozen", or a number word
    rf"(?:(?:\s+and\s+|[\s-]+|-)(?:{_NUMWORD})\b)*"
)
#: Digits with thousands separated by commas ("1,200") or by spaces ("1 200", as many outlets write).
_CORE = r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.])|\d+)(?:\.\d+)?"
_SCALED_TAIL = rf"(?:\s*(?:{_S})\b|(?:bn|mn|M|k)\b|(?=(?:km|kg|ha|mph|mm|cm)\b)|(?![\w/:]|[.,]\d))"
#: A number in digits, not glued to a word before it ("F-16", "COVID-19", "i24"), with its scale.
_DIGITS_SCALED = rf"(?<![\w.,/:-]){_CORE}{_SCALED_TAIL}"
#: The second number of a range, which follows a dash.
_DIGITS_SCALED_2 = rf"{_CORE}{_SCALED_TAIL}"
_CURRENCY_PREFIX = r"(?:US\$|\$|€|£|NIS\s?|USD\s?|EUR\s?|GBP\s?)"
_FRACTION = (
    r"(?:(?:an?|one|two|three|four|five|seven|nine)\s*[- ]\s*"
    r"(?:third|thirds|quarter|quarters|fourth|fifth|fifths|sixth|seventh|eighth|ninth|tenth|tenths)"
    r"|half(?=\s+(?:of|the|a|an)\b))"
)
_VAGUE = (
    r"(?:tens\s+of\s+thousands|hundreds\s+of\s+thousands|tens\s+of\s+millions|hundreds\s+of\s+millions"
    r"|dozens|scores|hundreds|thousands|millions)"
)

_SCAN = re.compile(
    rf"(?P<range>(?:between\s+(?P<r1b>{_DIGITS_SCALED})\s+and\s+|(?P<r1>{_DIGITS_SCALED})\s*(?:-|–|to)\s*)"
    rf"(?P<r2>{_DIGITS_SCALED_2}))"
    rf"|(?P<cur>{_CURRENCY_PREFIX})?(?P<digits>{_DIGITS_SCALED})(?P<pct>\s?%|\s?per\s?cent\b|\s?percent\b)?"
    rf"|\b(?P<half>(?:(?:one\s+and\s+)?a\s+half|half\s+a)\s+(?:{_S}))\b"
    rf"|\b(?P<andhalf>(?:{_W}|\d+)[\s-]+and[\s-]+a[\s-]+half)\b"
    rf"|\b(?P<fraction>{_FRACTION})\b"
    rf"|\b(?P<vague>{_VAGUE})\b"
    rf"|\b(?P<spelled>{_SPELLED})",
    re.IGNORECASE,
)

_SCALE_WORDS = re.compile(rf"\s*(?:(?P<scale>{_S})|(?P<bn>bn|mn|M|k))\b", re.IGNORECASE)
_ABBREVIATED = {"bn": 1e9, "mn": 1e6, "m": 1e6, "k": 1e3}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\$|%|€|£")


@dataclass(slots=True)
class Quantity:
    """A number as the text states it, before any meaning is given to it.

    Attributes:
        start: offset of the first character of the number (after any qualifier).
        end: offset one past its last character (including a unit symbol such as ``%``).
        value: the number, scaled ("2.3 million" -> 2300000).
        kind: ``number``, ``spelled``, ``range``, ``vague``, ``fraction`` or ``percent``.
        low: lower end where the wording itself gives one (ranges, vague words), else None.
        high: upper end likewise.
        unit: pint unit name, or ``""`` for a bare number (a count until a noun says otherwise).
        rounding: the place value of the last non-zero digit as written (100 for "1,200"), used
            for the rounding tolerance; 0 for spelled and non-integer numbers.
    """

    start: int
    end: int
    value: float
    kind: str
    low: float | None = None
    high: float | None = None
    unit: str = ""
    rounding: float = 0.0


# --------------------------------------------------------------------------------------------


def scan(text: str) -> list[Quantity]:
    """Find every number in ``text``, in order, without judging what it counts.

    Dates, times and ordinals are *not* removed here: `figcheck.extract.figures` decides with
    the words around them. Ranges ("153-166", "between 40 and 50"), spelled numbers
    ("Two hundred and twenty-seven"), scale words ("2.3 million"), percentages, currency
    prefixes, fractions ("a fifth") and vague words ("dozens") are recognised.

    Example:
        >>> [(q.value, q.kind) for q in scan("Two hundred and twenty-seven of 2.3 million, 40-50%")]
        [(227.0, 'spelled'), (2300000.0, 'number'), (45.0, 'range')]
    """
    out: list[Quantity] = []
    pos = 0
    while True:
        m = _SCAN.search(text, pos)
        if m is None:
            return out
        pos = m.end()
        q = _quantity(m, text)
        if q is not None:
            out.append(q)
            if m.group("range") is not None and q.kind != "range":
                pos = max(q.end, m.start("r2"))  # "since Oct. 7 to 21,110": read the second number again


def _quantity(m: re.Match[str], text: str) -> Quantity | None:
    kind = m.lastgroup
    if m.group("range") is not None:
        first = m.group("r1") or m.group("r1b")
        a, b = _digit_value(first), _digit_value(m.group("r2"))
        if a is None or b is None or not a < b or (b > 20 * a and not m.group("r1b")):
            return _single_from_range(m, text)  # "since Oct. 7 to 21,110" is no range
        start = m.start("range")
        q = Quantity(start, m.end("range"), (a + b) / 2, "range", a, b)
        return _with_unit(q, text)
    if m.group("digits") is not None:
        value = _digit_value(m.group("digits"))
        if value is None:
            return None
        q = Quantity(m.start("digits"), m.end("digits"), value, "number",
                     rounding=_rounding(m.group("digits")))
        if m.group("cur"):
            q.start = m.start("cur")
            q.unit = _currency(m.group("cur"))
        if m.group("pct"):
            q.end = m.end("pct")
            q.unit = "percent"
            q.kind = "percent"
            return q
        return q if q.unit else _with_unit(q, text)
    if m.group("half") is not None:
        words = m.group("half").lower().split()
        value = SCALES[words[-1]] * (1.5 if words[0] == "one" else 0.5)
        return _with_unit(Quantity(m.start(), m.end(), value, "spelled"), text)
    if m.group("andhalf") is not None:
        head = m.group("andhalf").split()[0].split("-")[0]
        whole = float(head) if head.isdigit() else float(WORD_VALUES[head.lower()])
        return _with_unit(Quantity(m.start(), m.end(), whole + 0.5, "spelled"), text)
    if m.group("fraction") is not None:
        return Quantity(m.start(), m.end(), fraction_value(m.group("fraction")), "fraction")
    if m.group("vague") is not None:
        return Quantity(m.start(), m.end(), 0.0, "vague")
    if m.group("spelled") is not None:
        surface = m.group("spelled")
        value = spelled_value(surface)
        if value is None:
            return None
        trimmed = surface.rstrip(" -")
        q = Quantity(m.start(), m.start() + len(trimmed), float(value), "spelled")
        return _with_unit(q, text)
    raise AssertionError(kind)  # pragma: no cover - every alternative is handled above


def _single_from_range(m: re.Match[str], text: str) -> Quantity | None:
    """A "range" that is no range ("2023-10", "3-1"): keep its first number only."""
    group = "r1" if m.group("r1") is not None else "r1b"
    value = _digit_value(m.group(group))
    if value is None:
        return None
    q = Quantity(m.start(group), m.end(group), value, "number", rounding=_rounding(m.group(group)))
    return _with_unit(q, text)


def _digit_value(surface: str) -> float | None:
    surface = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3})", "", surface)
    m = re.match(r"[\d,]+(?:\.\d+)?", surface)
    if m is None:
        return None
    try:
        value = float(m.group().replace(",", ""))
    except ValueError:
        return None
    rest = surface[m.end():]
    s = _SCALE_WORDS.match(rest)
    if s:
        value *= SCALES[s.group("scale").lower()] if s.group("scale") else _ABBREVIATED[s.group("bn").lower()]
    return value


def _rounding(surface: str) -> float:
    """Place value of the last significant digit as written: "1,200" -> 100, "2.3 million" -> 1e5."""
    surface = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3})", "", surface)
    m = re.match(r"([\d,]+)(?:\.(\d+))?", surface)
    if m is None:
        return 0.0
    digits = m.group(1).replace(",", "")
    scale = 1.0
    s = _SCALE_WORDS.match(surface[m.end():])
    if s:
        scale = SCALES[s.group("scale").lower()] if s.group("scale") else _ABBREVIATED[s.group("bn").lower()]
    if m.group(2):
        return float(scale * 10 ** -len(m.group(2)))
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return float(scale * 10**zeros)


def spelled_value(surface: str) -> int | None:
    """Value of a spelled-out number: "Two hundred and twenty-seven" -> 227, "a dozen" -> 12.

    Returns None for a sequence that is not one number ("one two").
    """
    words = [w for w in re.split(r"[\s-]+", surface.lower()) if w and w != "and"]
    if not words:
        return None
    if words[0] in ("a", "an"):
        words[0] = "one"
    total, current, last_small = 0, 0, None
    for w in words:
        if w == "dozen":
            current = (current or 1) * 12
            last_small = None
        elif w in WORD_VALUES:
            v = WORD_VALUES[w]
            if last_small is not None and (last_small < 20 or v >= 20 or last_small % 10):
                return None  # "one two", "twenty thirty": two numbers, not one
            current += v
            last_small = v
        elif w == "hundred":
            current = (current or 1) * 100
            last_small = None
        elif w in SCALES:
            total += (current or 1) * SCALES[w]
            current, last_small = 0, None
        else:
            return None
    return total + current


def fraction_value(surface: str) -> float:
    """Value of a fraction phrase: "a fifth" -> 0.2, "two-thirds" -> 0.667, "half" -> 0.5."""
    words = [w for w in re.split(r"[\s-]+", surface.lower()) if w]
    denominator = FRACTIONS[words[-1]]
    numerator = 1
    if len(words) > 1 and words[0] in WORD_VALUES:
        numerator = WORD_VALUES[words[0]]
    return numerator * denominator


def _currency(prefix: str) -> str:
    p = prefix.strip().upper()
    return {"$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
            "NIS": "ILS"}.get(p, "")


# --------------------------------------------------------------------------------------------
# units from quantulum3's lexicon

#: quantulum3 unit names -> pint unit names (where they differ).
_Q3_TO_PINT = {
    "percentage": "percent",
    "dollar": "USD",
    "united states dollar": "USD",
    "euro": "EUR",
    "pound sterling": "GBP",
    "square kilometre": "kilometre ** 2",
    "square metre": "metre ** 2",
    "square mile": "mile ** 2",
}
#: quantulum3 entities whose units are worth attaching to a number in news text.
_ENTITY_ORDER = ("time", "currency", "length", "area", "mass", "volume", "dimensionless", "speed", "energy",
                 "power", "temperature")
#: Words quantulum3 knows as unit symbols that are ordinary English words in running text.
_NOT_UNITS = frozenset(
    "a an am as at be by do he if in is it me mi my no of on or pm so to up us we s t m g l b c d p v "
    "ft yd pt ct min".split()
)
_EXTRA_UNITS = {"shekel": "ILS", "shekels": "ILS", "percent": "percent", "per": ""}


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, str], dict[str, str]]:
    """(unit words, unit symbols) from quantulum3's lexicon, mapped to pint unit names.

    Building it costs quantulum3 about two seconds, so the result is kept in the figure cache
    folder, keyed by quantulum3's version and this module's mapping; a missing, unreadable or
    damaged copy is simply rebuilt.
    """
    import json
    from importlib.metadata import version

    from figcheck.cache import default_cache_dir

    mapping = repr((sorted(_Q3_TO_PINT.items()), _ENTITY_ORDER, sorted(_NOT_UNITS), sorted(_EXTRA_UNITS.items())))
    tag = hashlib.sha256(f"{version('quantulum3')}\0{mapping}".encode()).hexdigest()[:16]
    path = default_cache_dir() / f"units-lexicon-{tag}.json"
    try:
        words, symbols = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(words, dict) and isinstance(symbols, dict):
            return words, symbols
    except (OSError, ValueError):
        pass
    words, symbols = _build_lexicon()
    try:
        from figcheck.output import atomic_write

        with atomic_write(path) as fh:
            json.dump([words, symbols], fh, sort_keys=True)
    except OSError:
        pass  # a read-only cache folder only costs the two seconds again
    return words, symbols


def _build_lexicon() -> tuple[dict[str, str], dict[str, str]]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import load

        units = load.units("en_US")

    def best(candidates: set[object]) -> str | None:
        ranked = sorted(candidates, key=lambda u: (_ENTITY_ORDER.index(u.entity.name)  # type: ignore[attr-defined]
                                                   if u.entity.name in _ENTITY_ORDER else 99,  # type: ignore[attr-defined]
                                                   u.name))  # type: ignore[attr-defined]
        for unit in ranked:
            name = unit.name  # type: ignore[attr-defined]
            if unit.entity.name not in _ENTITY_ORDER or name in ("dimensionless", "unk"):  # type: ignore[attr-defined]
                continue
            return str(_Q3_TO_PINT.get(name, name))
        return None

    words = {}
    for surface, candidates in units.surfaces_lower.items():
        name = best(candidates)
        if name and " " not in surface:
            words[surface] = name
    symbols = {}
    for surface, candidates in units.symbols.items():
        name = best(candidates)
        if name and surface.lower() not in _NOT_UNITS and (len(surface) >= 2 or not surface.isalpha()):
            symbols[surface] = name
    for w, name in _EXTRA_UNITS.items():
        if name:
            words[w] = name
    return words, symbols


def unit_after(text: str, end: int) -> tuple[str, int]:
    """The unit named right after offset ``end`` (a word or symbol), as (pint name, new end).

    Returns ("", end) when the next word is no unit: a counted noun ("people") is handled by
    `figcheck.extract.figures`, not here.
    """
    words, symbols = _lexicon()
    m = re.match(r"([\s-]?)([A-Za-z%$€£]+)", text[end : end + 24])
    if not m:
        return "", end
    pct = re.match(r"[\s-]?per\s?cent\b", text[end : end + 12], re.IGNORECASE)
    if pct:
        return "percent", end + pct.end()
    token = m.group(2)
    if m.group(1) in ("", "-") and token in symbols:  # attached symbol: "5km"
        return symbols[token], end + m.end()
    lower = token.lower()
    if lower in words and lower not in _NOT_UNITS:
        return words[lower], end + m.end()
    if m.group(1) == " " and token in symbols and len(token) >= 2:
        return symbols[token], end + m.end()
    return "", end


def _with_unit(q: Quantity, text: str) -> Quantity:
    unit, new_end = unit_after(text, q.end)
    if unit:
        q.unit = unit
        if unit == "percent":
            q.end = new_end
            q.kind = "percent" if q.kind in ("number", "spelled") else q.kind
    return q
