"""The date a figure holds for (its ``as_of``), read from the words around it."""

from __future__ import annotations

import datetime as dt
import re

from figcheck.vocab import Vocabulary

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_M = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
      r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
#: A month-day date, optionally with a year: "March 26", "Feb. 7, 2024", "26 March 2024".
MONTH_DAY_RE = re.compile(
    rf"\b(?:(?P<m1>{_M})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>(?:19|20)\d\d))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_M})(?:,?\s+(?P<y2>(?:19|20)\d\d))?)\b",
    re.I,
)
_EXPLICIT_LEAD = re.compile(r"\b(?:as\s+of|on|by|until|through|as\s+at)\s*$", re.I)
#: An event named after these words is not when the figure holds: "remain in Gaza after the attack".
_EVENT_NOT_DATE = re.compile(r"\b(?:since|after|following|before|until)\s+(?:the\s+|its\s+|a\s+)?$", re.I)
#: How many words an event cue may lie from the figure it dates.
EVENT_WINDOW_WORDS = 10
_WEEKDAY_RE = re.compile(r"\b(?:on\s+|last\s+|this\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                         re.I)
_RELATIVE_RE = re.compile(r"\b(yesterday|today|this week|last week|earlier this week|overnight)\b", re.I)


#: An opening adverbial that dates the whole sentence: "During the truce that ended on Dec. 1, 110 ...".
_INTRO = re.compile(r"\s*(?:during|on|by|as\s+of|as\s+at|since|after|before|until|in|between|throughout)\b", re.I)
#: How many words a date phrase may lie from the figure it dates.
DATE_WINDOW_WORDS = 8


def _same_clause(sentence: str, s: int, e: int, fs: int, fe: int) -> bool:
    """Whether a date phrase at [s, e) is near the figure at [fs, fe), in the same clause.

    "132 remaining captives are dead, many of them killed on October 7": the date is the killing's.
    """
    gap = sentence[e:fs] if e <= fs else sentence[fe:s] if s >= fe else ""
    if len(gap.split()) > DATE_WINDOW_WORDS:
        return False
    if re.search(r"[;—–]|,\s+(?:many|most|some|all|and|but|while|which|who)\b", gap):
        return False
    # "abducted on Oct. 7, 105 were freed": a date inside the sentence, before a comma or "and",
    # belongs to its own clause. An opening "On Tuesday, 137 remain" dates the sentence.
    return not (e <= fs and re.search(r",|\band\b", gap) and len(sentence[:s].split()) > 2 and not (
        _INTRO.match(sentence) and gap.strip() == "," and "," not in sentence[:s]))


def _explicit_date(sentence: str, lo: int, hi: int, rel_start: int, rel_end: int, published: str | None) -> str | None:
    """An explicit date in the figure's clause: "as of March 26", "on Feb. 12", "ended on Dec. 1"."""
    for m in MONTH_DAY_RE.finditer(sentence, lo, hi):
        lead = _EXPLICIT_LEAD.search(sentence, max(0, m.start() - 12), m.start())
        if lead is None or not _same_clause(sentence, lead.start(), m.end(), rel_start, rel_end):
            continue
        iso = resolve_month_day(m, published)
        if iso and (published is None or iso <= published):
            return iso
    return None


def resolve_month_day(m: re.Match[str], published: str | None) -> str | None:
    """ISO date of a `MONTH_DAY_RE` match.

    A date without a year is the latest one not after ``published``: a report in March 2024 that
    says "November 24" means November 2023.
    """
    month = _MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
    day = int(m.group("d1") or m.group("d2"))
    year_s = m.group("y1") or m.group("y2")
    if year_s:
        year = int(year_s)
    elif published:
        pub = dt.date.fromisoformat(published)
        year = pub.year if (month, day) <= (pub.month, pub.day) else pub.year - 1
    else:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def weekday_before(published: str, weekday: str) -> str:
    """The latest date on or before ``published`` that falls on ``weekday``."""
    pub = dt.date.fromisoformat(published)
    target = _WEEKDAYS.index(weekday.lower())
    return (pub - dt.timedelta(days=(pub.weekday() - target) % 7)).isoformat()


def as_of(
    sentence: str,
    rel_start: int,
    rel_end: int,
    published: str | None,
    behaviour: str | None,
    event_id: str | None,
    vocab: Vocabulary,
) -> tuple[str | None, str | None]:
    """The date a figure holds for, and how it was established.

    Args:
        sentence: the sentence holding the figure.
        rel_start: start of the figure inside ``sentence``.
        rel_end: end of the figure inside ``sentence``.
        published: the document's publication date, or None.
        behaviour: the metric's behaviour, if any.
        event_id: the metric's fixed event (an event total such as the 7 October abductions).
        vocab: the vocabulary, for the events table.

    Returns:
        (ISO date or None, basis) where basis is ``event``, ``explicit``, ``relative``,
        ``published`` or ``""`` when nothing is known.
    """
    if event_id and event_id in vocab.events:
        return vocab.events[event_id].date, "event"
    lowered = sentence.lower()
    window_lo = max(0, rel_start - 90)
    window_hi = min(len(sentence), rel_end + 90)

    # An event named near the figure ("105 were released during the truce"). A level that moves
    # both ways (a stock) is dated by explicit dates only: "130 remain after the October 7 attack"
    # holds for today.
    explicit = _explicit_date(sentence, window_lo, window_hi, rel_start, rel_end, published)
    if explicit:
        return explicit, "explicit"
    if behaviour != "stock":
        best: tuple[int, str] | None = None
        for event in vocab.events.values():
            for s, e in event.cues.finditer(lowered):
                if _EVENT_NOT_DATE.search(lowered, max(0, s - 16), s) or not _same_clause(
                        lowered, s, e, rel_start, rel_end):
                    continue
                gap = lowered[e:rel_start] if e <= rel_start else lowered[rel_end:s] if s >= rel_end else ""
                dist = len(gap.split())
                if dist <= EVENT_WINDOW_WORDS and (best is None or dist < best[0]):
                    best = (dist, event.date)
        if best is not None and (published is None or best[1] <= published):
            return best[1], "event"

    if published:
        # A weekday or "yesterday" near the figure.
        for m in _WEEKDAY_RE.finditer(sentence, window_lo, window_hi):
            if _same_clause(sentence, m.start(), m.end(), rel_start, rel_end):
                return weekday_before(published, m.group(1)), "relative"
        for m in _RELATIVE_RE.finditer(sentence, window_lo, window_hi):
            word = m.group(1).lower()
            if word == "yesterday":
                pub = dt.date.fromisoformat(published)
                return (pub - dt.timedelta(days=1)).isoformat(), "relative"
            break
        return published, "published"
    return None, None
