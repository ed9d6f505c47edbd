"""Quantities -> figures: what each number counts, its interval, date, claimant and modality."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from figcheck.corpus import Document
from figcheck.extract.dates import MONTH_DAY_RE, as_of
from figcheck.extract.model import MetricModel
from figcheck.extract.qualifiers import qualify
from figcheck.extract.quantities import Quantity, scan
from figcheck.models import FIGURE_COLUMNS
from figcheck.text import TextIndex
from figcheck.vocab import Metric, Vocabulary

#: Bump when extraction output changes for the same input (it keys the cache).
EXTRACTOR_VERSION = "6"

_MONTH_WORD = re.compile(
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?$",
    re.I,
)
_MONTH_AFTER = re.compile(
    r"^(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b",
    re.I,
)
_MONTH_NAMES = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
                r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b")
_WORD_RE = re.compile(r"[A-Za-z][\w'’-]*|\S")
#: Words that end a counted-noun phrase: function words, verbs and postnominal participles.
_NP_STOP = frozenset(
    """a an the of in on at to from by for with as and or but nor so yet than that which who whom whose
    is are was were be been being has have had do does did will would could should may might must can
    shall it its their his her our them they he she we you i this these those there here when where
    while after before during since until into onto over under about around across through between
    among against amid including such like per each every all some any no not more most other
    dead killed wounded injured held released freed rescued remain remaining remains still alive
    taken abducted kidnapped missing recovered confirmed believed thought said says say according
    mostly many most also just only even already now then again including among across amid
    its it's also almost nearly left died reported inside outside near within along beyond behind toward
    towards throughout via upon off out up down across pronounced declared presumed feared listed counted
    estimated expected yesterday today tonight overnight earlier later ago""".split()
)
_NP_MODIFIERS = frozenset({"more", "other", "additional", "further", "new", "remaining", "initial", "some"})
_GENERIC = frozenset({"people", "persons", "person", "individuals", "those", "them", "others", "ones",
                      "these", "whom", "which"})
#: Nouns that name the event rather than who it happened to ("46,000 injuries", "25,000 deaths").
_EVENT_NOUNS = frozenset({"injuries", "deaths", "casualties", "fatalities", "dead", "wounded", "injured"})
_HYPHEN_IDIOMS = frozenset({"state", "fold", "way", "sided", "faced", "party", "pronged", "tier", "point",
                            "man", "nation", "digit", "thirds", "quarters"})
_CLAUSE_BREAK = re.compile(r"[;:]|\s[—–]\s|\s-\s|\(|\)|\bwhile\b|\bwhereas\b|,\s+but\b")
_ATTRIBUTION_AFTER = re.compile(
    r"^[\s,'’s]*(?:\w+\s+){0,3}?(?:said|says|say|told|reported|reports|confirmed|confirms|announced|announces|"
    r"estimated|estimates|estimate|believes|believe|believed|claims|claimed|claim|stated|states|added|counted|"
    r"counts|recorded|records|puts|put|gave|gives|tallied|lists|listed|registered|documented|updated|"
    r"revised|released figures|figures|data|tally|count|toll|statement|has said|have said|put the)\b",
    re.I,
)
_ATTRIBUTION_BEFORE = re.compile(
    r"(?:according\s+to|citing|cited\s+by|per|figures\s+from|data\s+from|numbers\s+from|told\s+by|said\s+by|"
    r"reported\s+by|confirmed\s+by)\s+(?:the\s+)?$",
    re.I,
)
_AUXILIARY = re.compile(r"\b(?:were|was|are|is|be|been|being|would|will|have|has|had|now)\s+$")
#: Words that open a clause of its own between a modal cue and a figure: the cue no longer governs
#: it ("called for an inquiry into the war, which CPJ says has killed 83 journalists").
_NEW_CLAUSE = re.compile(r"\b(?:which|who|whose|says|said|say|according to|while|whereas|but|after|because|although)\b"
                         r"|[;—–]")
_APPOSITIVE = re.compile(r",\s*(?:most|many|mostly|some|all|including|among|the\s+majority|nearly\s+all|almost\s+all)"
                         r"\b[^,;]{0,60},")
_GOVERNS = re.compile(r"\s*(?:of\s+)?(?:the\s+)?")
_SOURCE_COUNT = re.compile(r"\b(?:according\s+to|citing|told|sources?|officials?)\s+$")
_ASIDE = re.compile(r"\s(?:--?|[—–])\s[^—–;]{1,100}?\s(?:--?|[—–])\s|\s\([^()]{1,100}\)")
_CONJUNCTION = re.compile(r",?\s\band\b|,")
_MODALITY_PRIORITY = ("proposal", "demand", "hypothetical", "belief", "estimate", "negated")
#: The confidence of a metric read from a fallback noun alone ("the 240 or so hostages").
_FALLBACK_CONFIDENCE = 0.55
#: A metric needs at least this score; below it the figure keeps an empty metric.
_MIN_SCORE = 2.75


@dataclass(slots=True)
class _Candidate:
    """A quantity on its way to becoming a figure."""

    q: Quantity
    start: int
    end: int
    value: float
    low: float
    high: float
    qualifier: str
    unit: str
    noun: str
    head: str | None
    np_end: int = -1  # where the counted noun phrase ends (the predicate starts after it)
    role: str = ""  # "fraction" ("a fifth of the 132"), "base" (the 132), or ""
    via: int = -1  # start of the number its noun phrase runs through ("1.7 million of the 2.3 million people")


# --------------------------------------------------------------------------------------------
# public API


def extract_document(doc: Document, vocab: Vocabulary) -> list[dict[str, Any]]:
    """Every figure in one document, as dicts keyed by `FIGURE_COLUMNS`, in text order.

    Args:
        doc: the document.
        vocab: the vocabulary (metrics, qualifiers, lexicon) to read it with.

    Example:
        >>> from figcheck.corpus import document_from_text
        >>> from figcheck.vocab import load_vocabulary
        >>> doc = document_from_text("Hamas still holds about 129 hostages.", published="2023-12-19")
        >>> [(f["metric"], f["value"], f["qualifier"]) for f in extract_document(doc, load_vocabulary())]
        [('hostages.held', 129.0, 'approx')]
    """
    if not doc.text:
        return []
    reading = _read_by_cues(doc, vocab)
    if vocab.model is not None and reading.rows:
        _apply_model(doc, reading, vocab.model, vocab)
    return reading.rows


def cue_figures_with_features(doc: Document, vocab: Vocabulary) -> list[tuple[dict[str, Any], dict[str, float]]]:
    """The figures the cues alone read in one document, each with what the metric model reads about it.

    What `figcheck model train` learns from; the model, if ``vocab`` has one, is not applied.
    """
    if not doc.text:
        return []
    reading = _read_by_cues(doc, vocab)
    return list(zip(reading.rows, _features(reading, vocab), strict=True))


@dataclass(slots=True)
class _Reading:
    """One document as the cues read it: its figures and the sentences they were read in."""

    candidates: list[_Candidate]
    spans: list[tuple[int, int]]  # the sentence of each candidate
    members: dict[tuple[int, int], list[int]]  # sentence -> its candidates
    frames: dict[tuple[int, int], tuple[str, str, bool]]  # sentence -> (lowered, context lowered, list item)
    index: TextIndex
    rows: list[dict[str, Any]]
    locked: set[int]  # figures whose metric the sentence's structure decides: not the model's to change


def _read_by_cues(doc: Document, vocab: Vocabulary) -> _Reading:
    """Every figure of a non-empty document, its metric read by the cues of ``vocab`` alone."""
    text = doc.text
    index = TextIndex(text)
    quantities = scan(text)
    candidates = list(_candidates(text, quantities, vocab))
    rows = []
    # Each figure is read against its own sentence and the figures in it: group them once, so a
    # long article costs time in proportion to its length, not to the square of its figures.
    spans = [index.sentence_span(c.q.start) for c in candidates]
    members: dict[tuple[int, int], list[int]] = {}
    for i, span in enumerate(spans):
        members.setdefault(span, []).append(i)
    frames: dict[tuple[int, int], tuple[str, str, bool]] = {}
    metrics_so_far: dict[int, list[tuple[int, str | None]]] = {}  # sentence start -> (figure end, metric)
    locked: set[int] = set()
    for i, cand in enumerate(candidates):
        s_start, s_end = spans[i]
        sentence = text[s_start:s_end]
        if spans[i] not in frames:
            prev_text, item = _context(index, text, s_start)
            frames[spans[i]] = (_lower(sentence), _lower(prev_text), item)
        lowered, prev_lowered, is_item = frames[spans[i]]
        rel_start, rel_end = cand.start - s_start, cand.end - s_start
        # Figures whose noun phrase runs through this one ("129 of the 240 people"), or through which
        # this one's runs, share its noun: a verb after that noun is not theirs to take.
        others = [(c.start - s_start, max(c.end, c.np_end) - s_start,
                   c.q.start == cand.via or c.via == cand.q.start)
                  for c in (candidates[j] for j in members[spans[i]] if j != i)]
        before_me = metrics_so_far.setdefault(s_start, [])
        antecedent = before_me[-1][1] if before_me else None
        metric, confidence = _classify(cand, lowered, rel_start, rel_end, others, prev_lowered, vocab, antecedent,
                                       cand.np_end - s_start, is_item)
        if metric is None and cand.noun not in ("whom", "which") and cand.unit in ("", "person") and before_me \
                and before_me[-1][1] \
                and (cand.head is None or cand.head == _previous_head(candidates, i, s_start)) and _elliptic(
                lowered, rel_start, rel_end, before_me[-1][0] - s_start, vocab, before_me[-1][1]):
            metric, confidence = before_me[-1][1], 0.6  # "105 were freed ... and four in the weeks before"
        if confidence == _FALLBACK_CONFIDENCE:
            locked.add(i)  # "the 240 or so hostages": a reading the metric model has no cue for
        read = metric
        if metric is not None and _in_breakdown(text, candidates, i, s_start):
            whole = vocab.metrics[metric].part_of
            total = before_me[0][1] if before_me else None  # the sentence's first figure: the total broken down
            if not whole and vocab.metrics[metric].generic:
                metric, confidence = None, 0.6  # "81 Israelis, 23 Thais and one Filipino": parts of a total
            elif whole and before_me and (total is None
                                          or total.split(".")[0] not in (whole.split(".")[0], "incident")):
                metric, confidence = None, 0.6  # "17,000 detained, including 1,360 children": not the dead
        if metric is not None and _part_of_named_whole(text, candidates, i, s_start):
            metric, confidence = None, 0.6  # "86 Israeli and 24 foreign hostages": parts, the total unsaid
        if metric is not None and before_me and _SUBSET_LEAD.search(text, max(s_start, cand.start - 24), cand.start) \
                and vocab.metrics[metric].part_of not in {m for _e, m in before_me} and before_me[-1][1] is not None:
            metric, confidence = None, 0.6  # "the 100 hostages, including seven Americans": a subset
        if metric is not None and before_me and before_me[0][1] is not None \
                and vocab.metrics[before_me[0][1]].behaviour == "incident" and _is_part(text, cand, s_start):
            metric, confidence = None, 0.6  # "40 killed in the strike, fourteen were children": a part of one incident
        if read is not None and metric is None:
            locked.add(i)  # a part of a total the sentence breaks down: settled by the structure, not the words
        if before_me and _BRINGING.search(text, max(s_start, cand.start - 80), cand.start):
            locked.add(i)
            earlier = next((m for _e, m in reversed(before_me) if m is not None), None)
            if earlier is not None and vocab.metrics[earlier].behaviour == "incident":
                # "Two IDF soldiers killed, bringing the toll to 229": the toll of what they are
                head = next((c.head for c in reversed(candidates[:i]) if c.start >= s_start and c.head), None)
                earlier = next((m.id for m in vocab.metrics.values() if m.incident == earlier and not m.generic
                                and head and m.subject.fullmatch(head)), None)
            if earlier is not None and vocab.metrics[earlier].behaviour != "incident":
                metric = earlier  # "another five UNRWA staff were killed, bringing the toll to 284"
        counterpart = vocab.metrics[metric].incident if metric is not None else None
        if counterpart and _increment(text, cand) and not _TOLL_WORDS.search(lowered, 0, rel_start) \
                and _incident_sized(vocab.metrics[counterpart], cand.value):
            metric = counterpart  # "two additional soldiers were killed": a period's count
        before_me.append((cand.end, metric))
        modality = _modality(lowered, sentence, rel_start, rel_end, vocab)
        if cand.role == "base" and modality in ("proposal", "demand", "belief", "estimate"):
            modality = "asserted"  # "33 of the 98 hostages would be freed": the 98 are presupposed
        claimant = _claimant(sentence, rel_start, rel_end, vocab)
        m = vocab.metrics.get(metric) if metric else None
        date, basis = as_of(sentence, rel_start, rel_end, doc.published,
                            m.behaviour if m else None, m.event if m else None, vocab)
        unit = _unit_of(cand, m, vocab)
        line = index.line(cand.start)
        if doc.format == "jsonl":
            line = doc.line_offset + 1
        elif doc.line_offset > 0:
            line += doc.line_offset
        rows.append({
            "figure_id": f"{doc.doc_id}:{cand.start}",
            "doc_id": doc.doc_id,
            "source": doc.source,
            "published": doc.published,
            "metric": metric,
            "value": float(cand.value),
            "low": float(cand.low),
            "high": float(cand.high),
            "qualifier": cand.qualifier,
            "unit": unit,
            "noun": cand.noun,
            "as_of": date,
            "as_of_basis": basis,
            "claimant": claimant,
            "modality": modality,
            "surface": text[cand.start:cand.end],
            "start": cand.start,
            "end": cand.end,
            "line": line,
            "sentence": " ".join(sentence.split()),
            "confidence": round(confidence, 3),
        })
    locked |= _incidents_in_context(rows, vocab)
    return _Reading(candidates, spans, members, frames, index, rows, locked)


def _apply_model(doc: Document, reading: _Reading, model: MetricModel, vocab: Vocabulary) -> None:
    """Let the metric model have the last word on each figure the sentence's structure leaves open."""
    for i, (row, feats) in enumerate(zip(reading.rows, _features(reading, vocab), strict=True)):
        if i in reading.locked:
            continue
        metric, probability = model.predict(feats)
        if (row["metric"] is not None and row["metric"] not in model.classes) or (
                metric is not None and metric not in vocab.metrics):
            continue  # a metric the model does not know is the rules' to give
        row["confidence"] = round(probability, 3)
        if metric == row["metric"]:
            continue
        cand = reading.candidates[i]
        s_start, s_end = reading.spans[i]
        m = vocab.metrics.get(metric) if metric else None
        row["metric"] = metric
        row["as_of"], row["as_of_basis"] = as_of(doc.text[s_start:s_end], cand.start - s_start, cand.end - s_start,
                                                 doc.published, m.behaviour if m else None, m.event if m else None,
                                                 vocab)
        row["unit"] = _unit_of(cand, m, vocab)


def _unit_of(cand: _Candidate, metric: Metric | None, vocab: Vocabulary) -> str:
    """A figure's unit: its own ("%", "$"), else its metric's, else "person" for a count of people."""
    return cand.unit or (metric.unit if metric else "") or ("person" if _is_person(cand, vocab) else "")


_FEATURE_WORD = re.compile(r"[a-z][a-z'-]+")


def _features(reading: _Reading, vocab: Vocabulary) -> list[dict[str, float]]:
    """What the metric model reads about each figure the cues produced.

    The cues' score for every metric, the cues' choice and confidence, the three and six words
    on either side of the number, the words of its sentence and of the sentence before, its head
    noun, qualifier, modality, order of magnitude and unit.
    """
    out = []
    candidates = reading.candidates
    for i, (cand, row) in enumerate(zip(candidates, reading.rows, strict=True)):
        s_start, _s_end = reading.spans[i]
        lowered, prev, is_item = reading.frames[reading.spans[i]]
        others = [(c.start - s_start, max(c.end, c.np_end) - s_start, c.q.start == cand.via or c.via == cand.q.start)
                  for c in (candidates[j] for j in reading.members[reading.spans[i]] if j != i)]
        span = _Span(cand.start - s_start, cand.end - s_start, max(cand.end - s_start, cand.np_end - s_start),
                     cand.role)
        person = bool(cand.head and vocab.person_nouns.fullmatch(cand.head))
        f: dict[str, float] = {}
        for metric in vocab.metrics.values():
            score = _score(metric, cand.head, cand.noun.lower(), lowered, span, others, prev, None, cand.value,
                           person, is_item, False)
            if score > 0:
                f["score:" + metric.id] = min(score, 10.0) / 5.0
        f["rule:" + str(row["metric"])] = 1.0
        f["conf"] = float(row["confidence"])
        left = _FEATURE_WORD.findall(lowered[:cand.start - s_start])[-6:]
        right = _FEATURE_WORD.findall(lowered[cand.end - s_start:])[:6]
        for i, w in enumerate(reversed(left)):
            f["L:" + w] = f.get("L:" + w, 0.0) + (1.0 if i < 3 else 0.5)
        for i, w in enumerate(right):
            f["R:" + w] = f.get("R:" + w, 0.0) + (1.0 if i < 3 else 0.5)
        words = set(_FEATURE_WORD.findall(lowered))
        for w in sorted(words):
            f["S:" + w] = 1.0
        for w in sorted(set(_FEATURE_WORD.findall(prev)) - words):
            f["P:" + w] = 0.5
        f["H:" + str(cand.head)] = 1.0
        f["Q:" + row["qualifier"]] = 1.0
        f["M:" + row["modality"]] = 1.0
        f[f"V:{int(math.log10(max(row['value'], 1.0)))}"] = 1.0
        f["unit:" + str(row["unit"])] = 1.0
        f["item"] = 1.0 if is_item else 0.0
        out.append(f)
    return out


def figures_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Build the figures DataFrame with the contract's columns and dtypes."""
    frame = pd.DataFrame(list(rows), columns=FIGURE_COLUMNS)
    for col in ("value", "low", "high", "confidence"):
        frame[col] = frame[col].astype("float64")
    for col in ("start", "end", "line"):
        frame[col] = frame[col].astype("int64")
    for col in ("figure_id", "doc_id", "source", "published", "metric", "qualifier", "unit", "noun", "as_of",
                "as_of_basis", "claimant", "modality", "surface", "sentence"):
        frame[col] = frame[col].astype("object").where(frame[col].notna(), None)
    return frame


#: A running toll the same report states this many times larger makes a smaller "killed" figure a
#: count of one strike, day or period ("30,035 killed since October; 70 killed at the aid convoy").
_TOLL_RATIO = 10.0
_SINCE_START = re.compile(r"\bsince\s+(?:oct(?:ober)?\.?\s+(?:7|last\s+year|2023|of\s+last\s+year)|7\s+oct(?:ober)?|"
                          r"(?:the\s+)?(?:war|start|beginning|conflict)|"
                          r"(?:the\s+)?hamas['’]?s?\s+(?:attack|assault|raid|incursion))", re.I)


_INCREMENT_BEFORE = re.compile(r"(?:\ba\s+further|\ban\s+additional)\s+$", re.I)
#: Head nouns that name people in general, which a modifier may narrow ("Palestinian civilians").
_GENERIC_HEADS = frozenset({"people", "persons", "civilians", "individuals", "victims", "residents", "men", "women",
                            "children", "dead", "deaths", "casualties", "fatalities"})
#: "the 240 or so hostages" are those held; "the three hostages" are ones the story already named.
_FALLBACK_MIN = 10
#: A verb whose complement is the figure and whose subject names what it counts.
_LINK_BEFORE = re.compile(r"\b(?:reached|reach|rose\s+to|risen\s+to|climbed\s+to|increased\s+to|jumped\s+to|"
                          r"stands\s+at|stood\s+at|now\s+stands\s+at|hit|surpassed|exceeded|topped|passed)\s+$")
_TOLL_WORDS = re.compile(r"\b(?:toll|total|overall|in all|cumulative)\b")
_INCREMENT_NOUN = re.compile(r"(?:additional|more|further|new)\b", re.I)


_BRINGING = re.compile(r"\b(?:bringing|taking|raising|pushing|lifting)\s+(?:the\s+|its\s+)?(?:[\w'’-]+\s+){0,3}?"
                       r"(?:toll|total|number)\b[^.;,]{0,40}?\bto\s+(?:about\s+|more\s+than\s+|over\s+|"
                       r"nearly\s+|at\s+least\s+|some\s+|almost\s+)?$", re.I)
_RATE_AFTER = re.compile(r"[^.;:]{0,60}?(?:\b(?:killed|dying|die|dies|died|injured|wounded|arrested|detained|"
                         r"displaced)\s+"
                         r"(?:\w+\s+)?(?:daily|every\s+day|each\s+day|(?<!\bin\s)a\s+day|per\s+day)\b|"
                         r"\bon\s+average\b|\bper\s+(?:day|hour)\b)", re.I)
_RATE_BEFORE = re.compile(r"\b(?:for\s+every\s+day|every\s+day|each\s+day|on\s+average|an\s+average\s+of)\b"
                          r"[^.;]{0,40}$", re.I)
_PART_AFTER = re.compile(r"\s+(?:are|were|was|is)\s+(?:children|women|men|minors|girls|boys|elderly)\b", re.I)
#: Words that introduce a part of another figure: "including 14 children", "out of 74 wounded, 23 ...".
_PART_WORDS = (r"including|among\s+them|among\s+whom|of\s+(?:whom|which|them|those)|"
               r"out\s+of\s+(?:the\s+)?[\d,.]+[^.;]{0,60},")
_PART_BEFORE = re.compile(r"\b(?:" + _PART_WORDS + r")\s*$", re.I)


def _is_part(text: str, cand: _Candidate, s_start: int) -> bool:
    """Whether a figure counts part of another in its sentence ("including 14 children", "23 are children")."""
    return bool(_PART_AFTER.match(text, cand.end) or _PART_BEFORE.search(text, max(s_start, cand.start - 80),
                                                                          cand.start))


def _incident_sized(incident: Metric, value: float) -> bool:
    """Whether a value is within ten times the usual size of one incident."""
    return incident.typical is None or value <= 10 * incident.typical[1]


def _increment(text: str, cand: _Candidate) -> bool:
    """Whether a figure counts an addition to a toll ("another 70 killed", "two additional soldiers").

    Such a figure counts one day or period, not the running total.
    """
    return bool(_INCREMENT_BEFORE.search(text, max(0, cand.start - 20), cand.start)
                or _INCREMENT_NOUN.match(cand.noun))


#: "since 18 March", "since March 2": a period that began after the war did (not "since October 7").
_SINCE_DATE = re.compile(r"\bsince\s+(?:(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(" + _MONTH_NAMES + r")|("
                         + _MONTH_NAMES + r")\.?(?:\s+(\d{1,2})\b)?)", re.I)
_FACTUAL = ("asserted", "estimate", "belief")


_SINCE_RECENT = re.compile(r"\bsince\s+(?:last\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|"
                           r"month|weekend)\b|\bsince\s+(?:yesterday|last\s+night|dawn|the\s+morning)\b", re.I)
_SINCE_RESUMED = re.compile(r"\bsince\s+(?:israel|the\s+(?:israeli\s+)?(?:army|military)|fighting|hostilities|"
                            r"the\s+war)\s+(?:resumed|restarted|broke\s+the\s+ceasefire|"
                            r"ended\s+the\s+(?:ceasefire|truce))", re.I)


def _clause(sentence: str, surface: str) -> str:
    """The clause of ``sentence`` that holds ``surface``: the text between breaks like ", bringing"."""
    at = sentence.find(surface)
    if at < 0:
        return sentence
    starts = [m.end() for m in _CLAUSE_SPLIT.finditer(sentence, 0, at)]
    end = _CLAUSE_SPLIT.search(sentence, at + len(surface))
    return sentence[starts[-1] if starts else 0:end.start() if end else len(sentence)]


_CLAUSE_SPLIT = re.compile(r";|,\s+(?:bringing|taking|raising|pushing|while|whereas|but)\b|\s[—–]\s", re.I)


#: A period that is not the war so far, read after the figure within its clause: "killed in 2024",
#: "last year". `_SINCE_PAUSE` holds the ones read anywhere in the clause ("since the ceasefire").
_PERIOD_AFTER = re.compile(r"\b(?:(?:so\s+far\s+)?in|during|throughout|for)\s+(?:the\s+year\s+)?"
                           r"20\d\d\b(?![-–/]\d)|"
                           r"\b(?:so\s+far\s+)?(?:last|this|the\s+past|the\s+previous)\s+(?:year|month)\b", re.I)
_SINCE_PAUSE = re.compile(r"\bsince\s+(?:the\s+)?(?:signing\s+(?:of\s+)?(?:the\s+|a\s+)?)?"
                          r"(?:ceasefire|cease-fire|truce)\b|"
                          r"\bduring\s+the\s+(?:\w+\s+)?(?:truce|ceasefire|cease-fire)\b|"
                          r"\b(?:following|after)\s+the\s+(?:[\w-]+\s+){0,2}(?:end|collapse|breakdown)\s+of\s+(?:a|the)\s+"
                          r"(?:ceasefire|cease-fire|truce)\b|"
                          r"\bbefore\s+the\s+(?:current\s+|present\s+)?war\b|\bsince\s+the\s+resumption\b|"
                          r"\b(?:resumed|restarted|renewed)\b[^.;]{0,80}\b(?:(?:has|have)\s+since|since\s+then)\b",
                          re.I)


_WOUNDED_AFTER = re.compile(r"\s+(?:(?:others?|more|people|persons|individuals)\s+)?(?:(?:were|have\s+been|had\s+been|"
                            r"was)\s+)?(?:\w+ly\s+)?(?:wounded|injured|hurt|injuries)\b", re.I)


def _bounded_period(clause: str, surface: str) -> bool:
    """Whether a clause counts a bounded period rather than the war so far."""
    if _SINCE_PAUSE.search(clause):
        return True
    at = clause.find(surface)
    return at >= 0 and any(not re.search(r"\bsince\b", clause[max(0, m.start() - 20):m.start()])
                           for m in _PERIOD_AFTER.finditer(clause, at + len(surface)))  # not "since October last year"


_SINCE_EVENT_ON = re.compile(r"\bsince\s+(?:the\s+)?[^.;,]{0,60}?\bon\s+(?:\d{1,2}\s+(" + _MONTH_NAMES + r")|("
                             + _MONTH_NAMES + r")\.?\s+\d{1,2}\b)", re.I)


def _since_later_date(sentence: str) -> bool:
    for m in _SINCE_DATE.finditer(sentence):
        month = (m.group(2) or m.group(3)).lower()
        if not month.startswith("oct"):  # "since October 27" (the ground operation) still counts the war
            return True
    for m in _SINCE_EVENT_ON.finditer(sentence):  # "since the foundation started distributions on May 27"
        if not (m.group(1) or m.group(2)).lower().startswith("oct"):
            return True
    return bool(_SINCE_RESUMED.search(sentence) or _SINCE_RECENT.search(sentence))


def _incidents_in_context(rows: list[dict[str, Any]], vocab: Vocabulary) -> set[int]:
    """Read a toll's figure as an incident when its context says it counts one period.

    Five signs, each within one document: the report gives the running toll (one number, perhaps
    repeated) and this figure of the same metric is ten times smaller; the figure is a tenth of
    the toll's usual smallest size;
    the sentence counts "since" a date after the war began ("since 18 March, 10,362 killed");
    another figure of the same sentence counts an incident and this one is of its size ("404
    killed, 562 injured" beside the day's toll); or the same number was read as an incident
    elsewhere in the report (the headline's "400 killed").

    Returns the positions of the figures read as incidents because their clause names a bounded
    period (the convention tests/gold/GUIDELINES.md settles), which the metric model must not undo.
    """
    pairs = {m.id: m.incident for m in vocab.metrics.values() if m.incident and m.incident in vocab.metrics}
    incidents = set(pairs.values())
    periods: set[int] = set()
    by_sentence: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_sentence.setdefault(row["sentence"], []).append(row)

    def convert(row: dict[str, Any]) -> None:
        row["metric"] = pairs[row["metric"]]
        row["confidence"] = min(row["confidence"], 0.6)

    largest: dict[str, float] = {}
    for row in rows:
        if row["metric"] in pairs and row["modality"] in _FACTUAL:
            largest[row["metric"]] = max(largest.get(row["metric"], 0.0), row["value"])
    for row in rows:  # "30,035 killed since October; 70 killed at the aid convoy"
        metric = row["metric"]
        if metric in largest and row["value"] * _TOLL_RATIO <= largest[metric] \
                and not _SINCE_START.search(row["sentence"]):
            convert(row)
    seen = [(r["metric"], r["value"] * 0.975, r["value"] * 1.025) for r in rows
            if r["metric"] in incidents and r["modality"] in _FACTUAL]
    for row in rows:
        metric = row["metric"]
        if metric in pairs and row["modality"] in _FACTUAL and not _SINCE_START.search(row["sentence"]) and any(
                m == pairs[metric] and low <= row["value"] <= high for m, low, high in seen):
            convert(row)
    for row in rows:
        metric = row["metric"]
        typical = vocab.metrics[metric].typical if metric in pairs and not vocab.metrics[metric].part_of else None
        if typical and row["value"] * _TOLL_RATIO < typical[0] and not _SINCE_START.search(row["sentence"]):
            convert(row)  # "killed at least 15 people": far too few for the war's running toll
    for sentence, members in by_sentence.items():
        peak = max((r["value"] for r in members if r["metric"] in incidents and r["modality"] in _FACTUAL),
                   default=0.0)
        for row in members:
            if row["metric"] not in pairs or row["modality"] not in _FACTUAL:
                continue
            clause = _clause(sentence, row["surface"])
            if _SINCE_START.search(clause) or _BRINGING.search(sentence[:max(0, sentence.find(row["surface"]))]):
                continue
            if _since_later_date(clause) or _bounded_period(clause, row["surface"]):
                convert(row)
                periods.add(id(row))
            elif not _SINCE_START.search(sentence) and peak and row["value"] <= _TOLL_RATIO * peak:
                convert(row)
    # "two soldiers were killed and seven others wounded": the wounded of the same incident
    injured = {pairs[m] for m in pairs if m.startswith("injured.")}
    killed = {pairs[m] for m in pairs if m.startswith("deaths.")}
    if len(injured) == 1:
        incident_injured = injured.pop()
        for sentence, members in by_sentence.items():
            if not any(r["metric"] in killed for r in members):
                continue
            for row in members:
                at = sentence.find(row["surface"])
                if row["metric"] is None and row["unit"] in ("person", "") and at >= 0 \
                        and _WOUNDED_AFTER.match(sentence, at + len(row["surface"])):
                    row["metric"], row["confidence"] = incident_injured, 0.6
    return {i for i, row in enumerate(rows) if id(row) in periods}


def extract_documents(docs: Iterable[Document], vocab: Vocabulary) -> Iterator[dict[str, Any]]:
    """Figures of many documents, document after document."""
    for doc in docs:
        yield from extract_document(doc, vocab)


# --------------------------------------------------------------------------------------------
# which numbers are figures


def _candidates(text: str, quantities: list[Quantity], vocab: Vocabulary) -> Iterator[_Candidate]:
    bases: set[int] = set()
    for i, q in enumerate(quantities):
        if _not_a_figure(text, q, vocab):
            continue
        if q.kind == "fraction" or (q.kind == "percent" and _PERCENT_OF.match(text, q.end)):
            cand = _fraction(text, q, quantities, i, vocab)
            if cand is not None:
                if cand.role == "fraction":
                    bases.add(i + 1)
                yield cand
            continue
        value, low, high = q.value, q.low, q.high
        if q.kind == "vague":
            key = " ".join(text[q.start:q.end].lower().split())
            value, high = vocab.qualifiers.vague.get(key, (0.0, 0.0))
            if not value:
                continue
            low = value
        qual = qualify(text, q.start, q.end, value, q.kind, q.rounding, vocab.qualifiers, low, high)
        qualifier, lo, hi = qual.qualifier, qual.low, qual.high
        if qualifier == "more_than" and _TIME_UNITS.match(q.unit or "") and re.match(
                r"over\b", text[qual.start:q.start], re.I):
            qualifier, lo, hi = "exact", value, value  # "over four days" is a period, not "more than"
        noun, head, np_end = _noun_after(text, qual.end, quantities, vocab)
        before_noun, before_head = _noun_before(text, qual.start, vocab)
        if before_head is not None and not noun:
            noun, head = before_noun, before_head  # "the number of troopers killed ... to 175"
        elif before_head in ("bodies", "body", "remains") and (not noun or (head is not None and re.match(
                r"(?:hostage|captive)", head))):
            noun, head = f"{before_noun} of {noun}".strip().removesuffix(" of"), before_head  # "bodies of six hostages"
        via = _through(text, qual.end, quantities)
        if via is not None:
            bases.add(quantities.index(via))
        yield _Candidate(q, qual.start, qual.end, value, lo, hi, qualifier, q.unit, noun, head, np_end,
                         "base" if i in bases else "", via.start if via is not None else -1)


def _not_a_figure(text: str, q: Quantity, vocab: Vocabulary) -> bool:
    """Dates, years, times, ages, names with numbers, scores and idioms are not figures."""
    before = text[max(0, q.start - 30):q.start]
    after = text[q.end:q.end + 30]
    prev_word = before.split()[-1].lstrip("([") if before.split() else ""
    surface = text[q.start:q.end]
    if q.kind in ("number", "range") and _MONTH_WORD.search(prev_word) and prev_word[0].isupper() \
            and (q.low or q.value) <= 31 and q.value == int(q.value):
        return True  # "October 7", "Feb. 7" (but not "in late November 105 hostages")
    if q.kind == "number" and _MONTH_AFTER.match(after) and q.value <= 31 and q.value == int(q.value):
        return True  # "7 October"
    if q.kind == "number" and q.value <= 31 and re.match(
            r"\s*(?:and|-|–|to)\s*\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH_NAMES, after, re.I):
        return True  # "between the afternoons of 24 and 26 April"
    if q.kind == "number" and q.unit == "" and re.fullmatch(r"\d{4}", surface) and 1900 <= q.value <= 2100:
        nxt = after.split()[0].lower().strip(".,;:") if after.split() else ""
        if not vocab.person_nouns.fullmatch(nxt):
            return True  # a year: "in 2024", "Feb. 7, 2024"
    if re.search(r"(?:GMT|UTC)\s*[+-−]?\s*$", before):
        return True  # a time zone: "GMT +3"
    if re.match(r"\s*(?:[ap]\.?m\.?\b|o'clock|GMT|UTC|local time)", after, re.I):
        return True  # a time
    if re.match(r"-(?:page|day|week|month|hour|minute|storey|story|floor|mile|metre|meter|km|kilomet(?:re|er)|point"
                r"|bed|acre|inch|foot|ton|tonne)s?\b", after, re.I):
        return True  # a compound modifier: "the 212-page document", "a five-storey home"
    if re.match(r"\s+(?:[\w'’-]+\s+){0,3}(?:for|per)\s+(?:every|each)\b", text[q.end:q.end + 60], re.I):
        return True  # a rate: "30 Palestinian detainees for every civilian hostage"
    if _RATE_AFTER.match(text, q.end) or _RATE_BEFORE.search(text, max(0, q.start - 60), q.start):
        return True  # a rate, not a count: "63 women are killed daily", "for every day ..., 100 children"
    if re.match(r"-\d", after) or re.search(r"\d-$", before):
        return True  # a score, a code or a date fragment: "3-1", "2023-10"
    if re.match(r"[\s-]*(?:year|month|week|day)s?[\s-]old\b", after, re.I) or re.match(
        r"[\s-]*(?:year|month|week|day)-old\b", after, re.I
    ):
        return True  # an age: "a 4-year-old", "85 years old"
    if re.search(r"\b(?:aged|age|ages of|age of)\s+(?:\d{1,3}\s*(?:and|to|-|–)\s*)?$", before, re.I):
        return True
    if prev_word.rstrip(".:#") in vocab.name_words or prev_word in vocab.name_words:
        return True  # "Channel 12", "Resolution 2728", "No. 10"
    if re.search(r"#\s*$", before) or re.search(r"\b(?:one|1)\s+(?:in|out\s+of)\s+(?:every\s+)?$", before, re.I):
        return True  # "No. 4", "one in six children": a ratio, not a count
    if q.kind in ("number", "spelled") and q.value < 120 and re.search(r"[A-Z][\w'’-]+,\s*$", before) \
            and re.match(r"\s*(?:[,.;)]|$)", after):
        return True  # an age after a name: "Nurit Cooper, 79, was freed"
    if q.kind == "spelled":
        word = surface.lower()
        nxt = after.split()[0].lower().strip(".,;:") if after.split() else ""
        if word in ("one", "an", "a") and not vocab.person_nouns.fullmatch(nxt):
            return True  # "one of the main", "no one"
        m = re.match(r"-([a-z]+)", after)
        if m and m.group(1) in _HYPHEN_IDIOMS:
            return True  # "two-state solution"
    return False


_PERCENT_OF = re.compile(r"\s+of\s+(?:(?:the|its|their|[A-Z][\w-]*['’]s|\w+['’]s)\s+){0,2}(?:\w+\s+of\s+)?[\d$]")


def _fraction(text: str, q: Quantity, quantities: list[Quantity], i: int, vocab: Vocabulary) -> _Candidate | None:
    """A share of another figure: "a fifth of the 132 remaining captives" -> 26.4 captives.

    "80% of Gaza's population of 2.3 million" -> 1,840,000.
    """
    share = q.value / 100 if q.kind == "percent" else q.value
    tail = text[q.end:q.end + 60]
    m = re.match(r"\s+of\s+(?:(?:the|its|their|his|her|all|an|those|these|[A-Z][\w-]*['’]s)\s+){0,2}", tail)
    if m and i + 1 < len(quantities):
        nxt = quantities[i + 1]
        gap = text[q.end + m.end():nxt.start]
        if nxt.start - (q.end + m.end()) <= 20 and len(gap.split()) <= 2 and not re.search(r"[.;,]", gap) \
                and nxt.kind in ("number", "spelled"):
            value = share * nxt.value
            qual = qualify(text, q.start, nxt.end, value, "number", 0.0, vocab.qualifiers)
            noun, head, np_end = _noun_after(text, _after_qualifier(text, nxt.end), quantities, vocab)
            return _Candidate(q, qual.start, nxt.end, value, qual.low, qual.high, qual.qualifier, nxt.unit,
                              noun, head, np_end, "fraction")
    whom = re.match(r"\s+of\s+(?:whom|them|those)\b", tail)
    if whom:
        prior = [p for p in quantities[:i] if p.kind in ("number", "spelled") and q.start - p.end < 200]
        if prior:
            base = prior[-1]
            value = share * base.value
            qual = qualify(text, q.start, q.end, value, "number", 0.0, vocab.qualifiers)
            return _Candidate(q, qual.start, q.end + whom.end(), value, qual.low, qual.high, qual.qualifier,
                              base.unit, "whom", None, q.end + whom.end(), "whom")
    # A fraction on its own ("half of the population") is a share: keep it as a percentage.
    value = q.value * 100
    qual = qualify(text, q.start, q.end, value, "number", 0.0, vocab.qualifiers)
    noun, head, np_end = _noun_after(text, q.end, quantities, vocab)
    return _Candidate(q, qual.start, qual.end, value, qual.low, qual.high, qual.qualifier, "percent", noun, head,
                      np_end)


def _through(text: str, pos: int, quantities: list[Quantity]) -> Quantity | None:
    """The number a figure's noun phrase runs through: "129 of the initial 240 or more people"."""
    m = re.match(r"\s+of\s+(?:(?:the|those|these|its|their|our|all|an?|[A-Z][\w-]*['’]s|\w+['’]s)\s+)*",
                 text[pos:pos + 60])
    if not m:
        return None
    rest = pos + m.end()
    return next((q for q in quantities if rest <= q.start <= rest + 25 and not re.search(r"[.;,]", text[rest:q.start])),
                None)


def _noun_after(text: str, pos: int, quantities: list[Quantity], vocab: Vocabulary) -> tuple[str, str | None, int]:
    """The counted noun phrase after a number, its head word, and the offset where it ends.

    The head is None when the noun is elided or generic ("people", "those").
    """
    window = text[pos:pos + 80].split("\n", 1)[0]
    copula = re.match(r"\s+(?:are|were|was|is)\s+([a-z][\w-]*)\b(?=\s*(?:[.,;)]|and\b|$))", window)
    if copula and _PART_LEAD.search(text[max(0, pos - 100):pos]) and vocab.person_nouns.fullmatch(copula.group(1)):
        return copula.group(1), copula.group(1).lower(), pos + copula.end()  # "of which 4,237 are children"
    of_dead = re.match(r"\s+of\s+(?:the|those)\s+(?:dead|killed|victims)\s+(?:are|were|was|is)\s+([a-z][\w-]*)\b",
                       window)
    if of_dead and vocab.person_nouns.fullmatch(of_dead.group(1)):
        return of_dead.group(1), of_dead.group(1).lower(), pos + of_dead.end()  # "4,707 of the dead were children"
    pronoun = re.match(r"\s+(?:of\s+)?(whom|them|those|which)\b", window)
    if pronoun:
        return pronoun.group(1), None, pos + pronoun.end()
    m = re.match(r"\s+of\s+(?:(?:the|those|these|them|whom|its|their|our|all|an?)\s+)*", window)
    if m and not re.match(r"\s+of\s+(?:the\s+)?(?:which)\b", window):
        rest_pos = pos + m.end()
        follow = next((q for q in quantities if rest_pos <= q.start <= rest_pos + 25), None)
        if follow is not None and not re.search(r"[.;,]", text[rest_pos:follow.start]):
            return _noun_after(text, _after_qualifier(text, follow.end), quantities, vocab)
        lead = text[pos + m.start():pos + m.end()].split()
        if lead and lead[-1].lower() in _GENERIC:
            return lead[-1], None, pos + m.end()
        pos = rest_pos
        window = text[pos:pos + 80].split("\n", 1)[0]
    words: list[str] = []
    ends: list[int] = []
    for tok in _WORD_RE.finditer(window):
        w = tok.group()
        if not w[0].isalpha():
            break
        lw = w.lower().rstrip(".")
        if not words and lw in _NP_MODIFIERS:
            words.append(w)
            ends.append(pos + tok.end())
            continue
        if lw == "and" and words and vocab.person_nouns.fullmatch(words[-1].lower()):
            rest = re.match(r"\s*and\s+((?:[a-z][\w-]*\s+)?[a-z][\w-]*s)\b", window[tok.start():])
            if rest and vocab.person_nouns.fullmatch(rest.group(1).split()[-1]):
                words.append("and " + rest.group(1))  # "journalists and media workers"
                ends.append(pos + tok.start() + rest.end())
                break
        if lw in _NP_STOP or len(words) >= 4:
            break
        if words and w.islower() and re.search(r"(?:ed|ing)$", lw) and lw not in ("wounded", "displaced"):
            nxt = re.match(r"\s+([a-z][\w-]*)", window[tok.end():])
            if not (nxt and vocab.person_nouns.fullmatch(nxt.group(1))):
                break  # "the two sides remained": a verb ends the noun phrase ("known deceased hostages" goes on)
        words.append(w.rstrip(".,"))
        ends.append(pos + tok.end())
    if words and re.search(r"['’]s?$", words[-1]):
        owner = re.match(r"\s+(remains|bodies|body)\b", window[ends[-1] - pos:])
        if owner:  # "24 hostages' remains have been returned": the remains are counted
            words.append(owner.group(1))
            ends.append(ends[-1] + owner.end())
            return " ".join(words), owner.group(1).lower(), ends[-1]
    person = [i for i, w in enumerate(words) if vocab.person_nouns.fullmatch(w.lower())]
    if person:
        words, ends = words[: person[-1] + 1], ends[: person[-1] + 1]  # "Hamas-led terrorists burst"
    if not words:
        return "", None, pos
    noun = " ".join(words)
    head = words[-1].lower()
    if head in _GENERIC or head in _NP_MODIFIERS:
        return noun, None, ends[-1]
    return noun, head, ends[-1]


_PART_LEAD = re.compile(r"\b(?:" + _PART_WORDS + r")\s+\S+$")
_TIME_UNITS = re.compile(r"(?:second|minute|hour|day|week|month|year)s?$")
_NOUN_OF = re.compile(r"\b(bodies|remains|body)\s+of\s+(?:the\s+)?$", re.I)


_NUMBER_OF = re.compile(r"\b(?:number|total|tally|count|toll)\s+of\s+(?:(?:the|all|confirmed|[a-z]+ed)\s+)?"
                        r"(?P<mod>[A-Z][\w-]*\s+)?(?P<noun>[a-z][\w-]*s|children|people|men|women|personnel|staff|"
                        r"wounded|injured|dead)\b", re.I)


def _noun_before(text: str, start: int, vocab: Vocabulary) -> tuple[str, str | None]:
    """A counted noun written before the number: "the bodies of 11".

    Also "the total number of troopers killed in the ground offensive to 175" and "the number of
    hostages being held is 126".
    """
    m = _NOUN_OF.search(text, max(0, start - 24), start)
    if m:
        return m.group(1), m.group(1).lower()
    window_start = max(text.rfind("\n", 0, start) + 1, start - 160)
    found = list(_NUMBER_OF.finditer(text, window_start, start))
    if found and vocab.person_nouns.fullmatch(found[-1].group("noun").lower()):
        noun = found[-1].group("noun")
        # "the number of media workers killed": the modifier narrows the head, as after a number
        return (found[-1].group("mod") or "") + noun, noun.lower()
    return "", None


def _after_qualifier(text: str, end: int) -> int:
    m = re.match(r"\s*(?:or\s+(?:so|more|fewer|less)|plus)\b", text[end:end + 20], re.I)
    return end + m.end() if m else end


def _is_person(cand: _Candidate, vocab: Vocabulary) -> bool:
    if cand.head is None:
        return False
    return vocab.person_nouns.fullmatch(cand.head) or vocab.person_nouns.fullmatch(cand.noun.lower())


# --------------------------------------------------------------------------------------------
# meaning


def _classify(
    cand: _Candidate,
    lowered: str,
    rel_start: int,
    rel_end: int,
    others: list[tuple[int, int, bool]],
    prev_lowered: str,
    vocab: Vocabulary,
    antecedent: str | None = None,
    np_rel: int = -1,
    is_item: bool = False,
) -> tuple[str | None, float]:
    """The metric a figure counts (or None), and a confidence in 0-1.

    ``antecedent`` is the metric of the previous figure in the sentence: "34 of them are dead"
    counts among what "them" counted.
    """
    if cand.unit and cand.unit != "person":
        return None, 0.9  # a duration, a sum of money, a percentage: no metric counts those

    noun = cand.noun.lower()
    head = cand.head
    family = None
    if head is None and noun.split()[-1:] in (["them"], ["those"], ["whom"], ["these"]) and antecedent:
        family = antecedent
    span = _Span(rel_start, rel_end, max(rel_end, np_rel), cand.role, cand.via >= 0 or cand.role == "fraction",
                 bool(_LINK_BEFORE.search(lowered, max(0, rel_start - 30), rel_start)))
    person_head = bool(head and vocab.person_nouns.fullmatch(head))
    own_event = is_item and any(m.event_cues.search(lowered) for m in vocab.metrics.values())
    if _SOURCE_COUNT.search(lowered, max(0, rel_start - 20), rel_start):
        return None, 0.8  # "according to two foreign diplomats": a count of sources
    # "Palestinian journalists" are journalists: a modifier names the subject only when no metric
    # counts the head noun itself.
    head_claimed = person_head and head is not None and head not in _GENERIC_HEADS and any(
        m.subject.fullmatch(head) for m in vocab.metrics.values())
    scores: list[tuple[float, int, str]] = []
    for order, metric in enumerate(vocab.metrics.values()):
        score = _score(metric, head, noun, lowered, span, others, prev_lowered, family, cand.value,
                       person_head and not head_claimed, is_item, own_event)
        if score > 0:
            scores.append((score, -order, metric.id))
    if not scores:
        if head is not None and noun.split()[0] not in ("more", "another", "additional", "other", "further") \
                and cand.value >= _FALLBACK_MIN:
            for metric in vocab.metrics.values():
                if metric.fallback.fullmatch(head):
                    return metric.id, _FALLBACK_CONFIDENCE  # "the 240 or so hostages": those still held
        return None, 0.8 if head is None else 0.7
    scores.sort(reverse=True)
    if scores[0][0] < _MIN_SCORE:
        return None, 0.6
    best = scores[0][0]
    runner = scores[1][0] if len(scores) > 1 else 0.0
    margin = best - runner
    confidence = 0.5 + 0.5 * (1 - math.exp(-margin)) * min(1.0, best / 4)
    return scores[0][2], confidence


@dataclass(frozen=True, slots=True)
class _Span:
    """Where a figure sits in its sentence, for measuring how far cues are from it.

    ``np_end`` is where its counted noun phrase ends. A fraction ("a fifth of the 132 remaining
    captives are dead") takes its verb after that phrase, so cues inside the phrase are not its
    own; the base of a fraction (the 132) leaves the verb after its phrase to the fraction.
    """

    start: int
    end: int
    np_end: int
    role: str
    outer: bool = False  # its noun phrase runs through another figure ("three of the seven ...")
    linked: bool = False  # it completes its subject: "the number of people killed ... has reached 68,865"

    def own(self, s: int, e: int, lowered: str = "") -> bool:
        """Whether a cue at [s, e) may speak for this figure."""
        if self.role == "fraction":
            return not (s < self.np_end and e > self.start)
        if self.role == "base":
            # The verb after "1.7 million of the 2.3 million people" is the 1.7 million's; a
            # relative clause on the base's own noun is the base's ("the 240 people it abducted"),
            # and so is a participle with its agent or date ("97 of the 251 hostages kidnapped by
            # Hamas on October 7 remain").
            return s < self.np_end or bool(_RELATIVE.match(lowered[self.np_end:s])) or (
                _modifier(lowered, self.np_end, s) and bool(_AGENT.match(lowered, e)))
        # "97 of the 251 hostages kidnapped by Hamas remain": "kidnapped" is the 251's
        return not (self.outer and s >= self.np_end and _modifier(lowered, self.np_end, s)
                    and _AGENT.match(lowered, e))

    def distance(self, lowered: str, s: int, e: int) -> int:
        """Words between the cue and the figure.

        A cue after the figure is measured from the end of its counted noun ("81,026 people have
        been wounded": "wounded" is two words away).
        """
        d = _word_distance(lowered, s, e, self.start, self.np_end)
        if self.linked and e <= self.start and not re.search(r"[,;:()–—]", lowered[e:self.start]):
            return min(d, 2)  # the subject of "has reached 68,865" is as near as the number's own noun
        if s > self.np_end and _PARTICIPLE_PHRASE.match(lowered, self.np_end + 1):
            # "47 hostages abducted by Hamas during the attack are still in Gaza": the participle
            # phrase describes the noun; the clause's verb is as near as if it followed the noun
            verb = _MAIN_VERB.search(lowered, self.np_end, s)
            if verb and not re.search(r"[,;:()–—]", lowered[self.np_end:verb.start()]):
                return min(d, 1 + len(lowered[verb.end():s].split()))
        return d


def _modifier(lowered: str, np_end: int, s: int) -> bool:
    """Whether a cue at ``s`` right after a noun phrase modifies it.

    "hostages still held in Gaza" (a modifier), not "hostages are still held" (the clause's verb).
    """
    gap = lowered[np_end:s]
    return len(gap.split()) <= 1 and not re.search(r"[,;:]", gap) and not _AUXILIARY.search(lowered, max(0, s - 14), s)


def _score(
    metric: Metric,
    head: str | None,
    noun: str,
    lowered: str,
    span: _Span,
    others: list[tuple[int, int, bool]],
    prev_lowered: str,
    family: str | None = None,
    value: float = 0.0,
    person_head: bool = False,
    is_item: bool = False,
    own_event: bool = True,
) -> float:
    """How well the words around a figure fit ``metric``; 0 when they rule it out."""
    score = metric.boost
    # Who is counted.
    if head is not None:
        last_two = " ".join(noun.split()[-2:])
        if metric.subject.fullmatch(head) or (last_two and metric.subject.fullmatch(last_two)):
            score += 2.0
        elif person_head and any(metric.subject.fullmatch(w) for w in noun.split()[:-1]):
            score += 0.5  # "Palestinian women": the modifier names the subject
        else:
            return 0.0
    else:
        if not metric.generic:
            return 0.0
        if family is not None:
            if metric.id.split(".")[0] != family.split(".")[0]:
                return 0.0  # "34 of them": them are what the figure before counted
            if noun in ("whom", "of whom") and metric.part_of != family and not family.endswith(".taken"):
                return 0.0  # "120 held, 116 of whom were kidnapped on October 7": a subset, not the taken
            score += 1.0
        elif metric.mention:
            if metric.mention.search(lowered):
                score += 1.0
            elif not noun and metric.mention.search(prev_lowered):
                score += 0.4  # "Four were freed on Friday." after a sentence about hostages
            else:
                return 0.0
    # Words that rule the metric out.
    if metric.veto:
        for s, e in metric.veto.finditer(lowered):
            if e <= span.start and _OTHER_CLAUSE.search(lowered, e, span.start):
                continue  # "1,200 were killed and over 200 taken hostage": "killed" is the other figure's
            if span.own(s, e, lowered) and span.distance(lowered, s, e) <= metric.veto_window:
                return 0.0
    # What happened to them.
    if metric.event_cues:
        best = 0.0
        for s, e in metric.event_cues.finditer(lowered):
            if not span.own(s, e, lowered):
                continue
            d = span.distance(lowered, s, e)
            weight = 4.0 / (1.0 + d / 3.0) * _ownership(lowered, s, e, d, others, span.start)
            if s >= span.end:
                if _AUXILIARY.search(lowered, max(0, s - 14), s):
                    weight *= 1.3  # the figure's own verb: "81,026 people have been wounded"
                elif d <= 1 and not _RELATIVE.match(lowered[span.np_end:s]):
                    # a modifier of its noun: "41 hostages still in captivity"; when the noun is
                    # another figure's ("three of the seven Americans still held"), not ours at all;
                    # a participle with its own phrase ("17 hostages held in Gaza ... were released")
                    # describes the noun, and the clause's verb comes later
                    weight *= 0.3 if span.outer else 0.4 if _PARTICIPLE_PHRASE.match(lowered, s) else 0.8
            elif e <= span.start and _GOVERNS.fullmatch(lowered, e, span.start):
                weight *= 1.3  # "the deaths of 41 hostages", "killed 45 Palestinians"
            best = max(best, weight)
        if best == 0.0 and is_item and not own_event and metric.event_cues.search(prev_lowered):
            best = 1.5  # a list item under "Killed:" or "Including:"
        if best == 0.0:
            return 0.0
        score += best
    # Where, or whose.
    framed_by_sentence = False
    if metric.scope:
        total = 0.0
        for s, e, w in metric.scope.weighted(lowered):
            d = span.distance(lowered, s, e)
            total += w * 1.5 / (1.0 + d / 8.0) * _ownership(lowered, s, e, d, others) * _reach(lowered, s, e, span)
        framed_by_sentence = total > 0.0
        if total == 0.0:
            framed = max((w for _s, _e, w in metric.scope.weighted(prev_lowered)), default=0.0)
            if metric.scope_required and not is_item and noun and head not in _EVENT_NOUNS:
                framed = 0.0  # a required place or period is in the sentence, unless the noun is elided
            total = framed * (1.0 if is_item else 0.4)
        if total == 0.0 and metric.scope_required:
            return 0.0
        score += min(total, 3.0)
    if metric.against:
        penalty = 0.0
        for s, e, w in metric.against.weighted(lowered):
            if not span.own(s, e, lowered):
                continue
            if not lowered.startswith("since", s) and _IN_SINCE.search(lowered, max(0, s - 40), s):
                continue  # "since Hamas' attack on Israel": when the count began, not what it counts
            d = span.distance(lowered, s, e)
            penalty += w * 2.0 / (1.0 + d / 4.0) * _ownership(lowered, s, e, d, others) * _reach(lowered, s, e, span)
        if is_item and not framed_by_sentence:
            penalty += sum(1.5 * w for _s, _e, w in metric.against.weighted(prev_lowered))  # "West Bank" above
        score -= min(penalty, 4.0)
    if metric.typical is not None and value > 0:
        low, high = metric.typical
        if value < low:
            score -= min(3.0, 1.5 * math.log10(low / value))
        elif value > high:
            score -= min(3.0, 1.5 * math.log10(value / high))
        else:
            score += 0.5
    return max(score, 0.0)


_IN_SINCE = re.compile(r"\bsince\s+(?:[\w'’.-]+\s+){0,4}$")
_COORDINATED = re.compile(r"\s*,?\s*(?:and|or)\s+")
_OTHER_CLAUSE = re.compile(r"[,;]|\b(?:and|while|but|whereas)\b")
_MAIN_VERB = re.compile(r"\b(?:are|were|is|was|remain|remains|remained|have|has|had)\b")
_PARTICIPLE_PHRASE = re.compile(r"(?:held|abducted|kidnapped|seized|captured)\s+(?:by|in|on|during|from|at)\b")
_AGENT = re.compile(r"\s+(?:by|on|during|in\s+(?:the|its|their|hamas)|from)\b")
_RELATIVE = re.compile(r"\s*(?:it|they|who|that|which|whom|hamas)\b[\w\s'’-]{0,16}$")
_STRONG_BREAK = re.compile(r";|\bwhile\b|\bwhereas\b|,\s+but\b|\s(?:[—–]|--?)\s")


def _reach(lowered: str, s: int, e: int, span: _Span) -> float:
    """How far a where-or-whose cue reaches: little across "while", "but" or a semicolon."""
    gap = lowered[e:span.start] if e <= span.start else lowered[span.end:s] if s >= span.end else ""
    return 0.3 if _STRONG_BREAK.search(gap) else 1.0


def _ownership(lowered: str, s: int, e: int, d: int, others: list[tuple[int, int, bool]], at: int = -1) -> float:
    """How much a cue at distance ``d`` belongs to this figure rather than another one.

    A cue right next to another number ("troops have rescued three") is that number's; one that
    is merely nearer another number counts for less.
    """
    best: tuple[int, int, int] | None = None
    for o_s, o_e, related in others:
        if related and o_e <= s:
            continue  # the verb after a shared noun phrase
        if e <= o_s and o_e <= at and _COORDINATED.fullmatch(lowered, o_e, at):
            continue  # "freeing 21 hostages and over 730 prisoners": the verb governs both objects
        dist = _word_distance(lowered, s, e, o_s, o_e)
        if best is None or dist < best[0]:
            best = (dist, o_s, o_e)
    if best is None:
        return 1.0
    nearest, o_s, o_e = best
    if nearest > d:
        return 1.0
    if nearest == d:
        # A tie between a figure before the cue and one after it: in English the verb follows its
        # subject ("36,050 were killed and 81,026 wounded"), so the cue is the earlier figure's.
        return 0.5 if o_e <= s else 1.0
    if nearest <= 1:
        return 0.25
    return 0.6


_LIST_LEAD = re.compile(r"(?::|\b(?:were|are|include[sd]?|including|list\s+of|comprising|comprised|among\s+them))\s*$",
                        re.I)
_SUBSET_LEAD = re.compile(r"\b(?:including|among\s+them|among\s+whom|of\s+whom)\s+$", re.I)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)$")


def _in_breakdown(text: str, candidates: list[_Candidate], i: int, s_start: int) -> bool:
    """Whether candidate ``i`` is one item of a list that breaks a total into parts.

    "Those released were 81 Israelis and dual nationals, 23 Thai farm workers and one Filipino":
    a list of counts with different nouns, joined by commas and "and", after a colon, "were" or
    "including".
    """
    def joined(a: _Candidate, b: _Candidate) -> bool:
        gap = text[max(a.end, a.np_end):b.start]
        words = [w for w in re.findall(r"[\w'’-]+", gap.lower()) if w not in ("and", "or")]
        return bool(_LIST_GAP.search(gap)) and len(words) <= 4 and not any(w in _NP_STOP for w in words) \
            and "." not in gap
    first = i
    while first > 0 and candidates[first - 1].start >= s_start and joined(candidates[first - 1], candidates[first]):
        first -= 1
    last = i
    while last + 1 < len(candidates) and joined(candidates[last], candidates[last + 1]):
        last += 1
    if last == first:
        return False
    heads = {c.head for c in candidates[first:last + 1]}
    lead = text[max(s_start, candidates[first].start - 30):candidates[first].start]
    return len(heads) > 1 and bool(_LIST_LEAD.search(lead))


_OPEN_ASIDE = re.compile(r"(?:\s(?:--?|[—–])\s|\()[^—–()]*$")


def _part_of_named_whole(text: str, candidates: list[_Candidate], i: int, s_start: int) -> bool:
    """Whether candidate ``i`` is one of the parts a total is broken into.

    Either the parts share one noun with adjectives of their own ("86 Israeli and 24 foreign
    hostages were released": neither is the number released), or they stand in an aside right
    after the total ("58 hostages -- 40 Israelis and 18 foreign citizens -- were released").
    """
    def adjective_pair(a: _Candidate, b: _Candidate) -> bool:
        return bool(re.fullmatch(r"\s+and\s+", text[max(a.end, a.np_end):b.start])) \
            and len(a.noun.split()) == 1 and not a.noun.lower().endswith("s") and len(b.noun.split()) >= 2
    cand = candidates[i]
    if i > 0 and candidates[i - 1].start >= s_start and adjective_pair(candidates[i - 1], cand):
        return True
    if i + 1 < len(candidates) and adjective_pair(cand, candidates[i + 1]):
        return True
    opening = _OPEN_ASIDE.search(text, max(s_start, cand.start - 100), cand.start)
    if opening is None:
        return False
    closing = r"\)" if opening.group().lstrip().startswith("(") else r"\s(?:--?|[—–])\s"
    if not re.match(r"[^.;()—–]{0,100}?" + closing, text[cand.end:cand.end + 120]):
        return False  # not an aside: "took 240 hostages - 105 were freed in November"
    before = text[s_start:opening.start()].rstrip()
    return any(max(c.end, c.np_end) >= s_start + len(before) - 1 and c.start < opening.start()
               for c in candidates[:i] if c.start >= s_start)


def _previous_head(candidates: list[_Candidate], i: int, s_start: int) -> str | None:
    """The head noun of the figure before candidate ``i`` in its sentence."""
    return candidates[i - 1].head if i > 0 and candidates[i - 1].start >= s_start else None


def _elliptic(lowered: str, rel_start: int, rel_end: int, prev_end: int, vocab: Vocabulary, metric: str) -> bool:
    """Whether a figure with no metric of its own continues the previous one by ellipsis.

    "105 were freed during the truce and four in the weeks before it": the second number has no
    verb of its own and follows "and" or a comma.
    """
    between = lowered[prev_end:rel_start]
    if re.fullmatch(r"\s*to\s*[\"“']?\s*", between):
        return True  # "revised the toll from 1,405 to around 1,200"
    if not re.search(r"(?:,|\band)\s*(?:another\s+|a\s+further\s+)?$", between) or len(between.split()) > 14:
        return False
    if metric not in vocab.metrics:
        return False
    tail = lowered[rel_end:rel_end + 30]
    if re.match(r"\s+(?:are|were|is|was|have|has|had|remain|remained)\b", tail):
        return False  # "15,694 children have been killed and 17,000 are without parents"
    # The figure has a verb of its own ("and three were mistakenly killed"): no ellipsis.
    return not any(m.event_cues.search(tail) for m in vocab.metrics.values())


def _word_distance(lowered: str, s: int, e: int, fs: int, fe: int) -> int:
    """Words between a cue at [s, e) and a figure at [fs, fe) (0 when they touch or overlap)."""
    if e <= fs:
        gap = lowered[e:fs]
    elif s >= fe:
        gap = lowered[fe:s]
    else:
        return 0
    gap = _APPOSITIVE.sub(" ", gap)  # "16,248 people, most of them children, have been killed"
    gap = _ASIDE.sub(" ", gap)  # "58 hostages -- 40 Israelis and 18 foreign citizens -- have been released"
    n = len(gap.split())
    if _CLAUSE_BREAK.search(gap):
        n += 4  # a cue across a dash, colon or bracket belongs less to this figure
    n += 2 * len(_CONJUNCTION.findall(gap))  # "... were killed, and 261 were injured": another clause
    return n


def _modality(lowered: str, sentence: str, rel_start: int, rel_end: int, vocab: Vocabulary) -> str:
    """asserted, or the modality of the nearest cue that governs the figure."""
    found: list[tuple[int, int, str]] = []
    for name, (before, after) in vocab.modality.items():
        limit_before = {"negated": 2, "proposal": 30, "demand": 30, "hypothetical": 10}.get(name, 14)
        for s, e in before.finditer(lowered):
            if e <= rel_start:
                d = _word_distance(lowered, s, e, rel_start, rel_end)
                if d <= limit_before and not _NEW_CLAUSE.search(lowered, e, rel_start) and not (
                        name == "hypothetical" and "," in lowered[e:rel_start]):  # "If ..., the hostages join 15,000"
                    found.append((d, _MODALITY_PRIORITY.index(name), name))
        for s, _e in after.finditer(lowered):
            if s >= rel_end:
                d = _word_distance(lowered, s, _e, rel_start, rel_end)
                if d <= (10 if name == "proposal" else 6):
                    found.append((d, _MODALITY_PRIORITY.index(name), name))
    if not found:
        return "asserted"
    found.sort()
    modality = found[0][2]
    if modality in ("proposal", "demand") and (_DONE.match(lowered, rel_end) or _DONE_BEFORE.search(
            lowered, max(0, rel_start - 160), rel_start) or _did(lowered, rel_start)):
        # "Under the first phase, 19 hostages have been released so far": what a deal did is a fact.
        return "asserted"
    if modality in ("belief", "estimate", "hypothetical") and re.search(
        r"\bthe\s+(?:\w+\s+)?$", lowered[max(0, rel_start - 24):rel_start]
    ):
        # "Israel believes a fifth of the 132 remaining captives are dead": the 132 is presupposed.
        return "asserted"
    return modality


#: A verb after a figure that says the thing happened: "... hostages have been released so far".
_DONE = re.compile(r"(?:\s+[\w'’-]+){0,3}?\s+(?:(?:have|has|had)\s+(?:already\s+)?been|were|was)\s+"
                   r"(?:released|freed|returned|"
                   r"handed\s+over|exchanged|set\s+free)\b(?!\s+(?:if|under|when|once))", re.I)


#: A past verb right before the figure: "Hamas recently released 105 hostages as part of a deal".
_DID = re.compile(r"(?<!\bto\s)(?<!\bbe\s)(?<!\bbeen\s)\b(?:has\s+|have\s+|had\s+)?"
                  r"(?:already\s+|recently\s+|so\s+far\s+)?"
                  r"(?:released|freed|returned|handed\s+over)\s+(?:the\s+|another\s+|all\s+)?$")


def _did(lowered: str, rel_start: int) -> bool:
    """A past verb right before the figure, not a counterfactual ("would have freed up to 800")."""
    m = _DID.search(lowered, max(0, rel_start - 40), rel_start)
    return m is not None and not re.search(r"\b(?:would|could|should|might|will|to)\s+$",
                                     lowered[max(0, m.start() - 12):m.start()])


#: ... and what it was exchanged for: "19 hostages have been released so far in exchange for more than 1,100".
_DONE_BEFORE = re.compile(r"\b(?:have|has|had|were|was)\s+(?:already\s+)?(?:been\s+)?(?:released|freed|returned|"
                          r"handed\s+over|exchanged)\b[^.;]{0,60}\bin\s+exchange\s+for\s+(?:[a-z]+\s+){0,2}$")


@lru_cache(maxsize=8)
def _claimant_rx(claimants: tuple[Any, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    names: dict[str, str] = {}
    for c in claimants:
        for alias in c.aliases:
            names.setdefault(alias, c.name)
    rx = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in sorted(names, key=len, reverse=True))
                    + r")(?![\w-])")
    return rx, names


def _claimant(sentence: str, rel_start: int, rel_end: int, vocab: Vocabulary) -> str | None:
    """Who the sentence says asserts the figure, when it says so."""
    rx, names = _claimant_rx(vocab.claimants)
    best: tuple[int, str] | None = None
    for m in rx.finditer(sentence):
        alias = m.group()
        attributed = bool(re.search(r"\b(?:says|said|believes|estimates|claims|has said|according)\b", alias))
        if not attributed:
            attributed = bool(_ATTRIBUTION_AFTER.match(sentence[m.end():m.end() + 40])) or bool(
                _ATTRIBUTION_BEFORE.search(sentence[max(0, m.start() - 30):m.start()])
            ) or bool(re.match(r"['’]s?\s+(?:figures|data|count|tally|toll|numbers|statistics)", sentence[m.end():]))
        if not attributed:
            continue
        lowered = sentence.lower()
        d = _word_distance(lowered, m.start(), m.end(), rel_start, rel_end)
        if m.start() > rel_end and not re.match(r"\s*,", sentence[rel_end:]) and d > 2:
            d += 2  # an attribution after the figure usually follows a comma: "129, the IDF said"
        if best is None or d < best[0]:
            best = (d, names[alias])
    return best[1] if best else None


# --------------------------------------------------------------------------------------------
# helpers


def _lower(text: str) -> str:
    """Lower-case ``text`` keeping every offset, with typographic apostrophes made plain."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return lowered.replace("’", "'").replace("‘", "'")


def _previous_sentence(index: TextIndex, text: str, s_start: int) -> str:
    if s_start == 0:
        return ""
    p_start, p_end = index.sentence_span(max(0, s_start - 1))
    return text[p_start:p_end] if p_end <= s_start else ""


_BULLET = re.compile(r"[ \t]*(?:[•·▪◦‣●○*-]|\d{1,2}[.)])[ \t]+")


def _context(index: TextIndex, text: str, s_start: int) -> tuple[str, bool]:
    """The words that frame a sentence, and whether it is an item of a list.

    For prose that is the sentence before. For a list item ("• 6,150 children") it is also the
    items it hangs under and the heading or paragraph that introduces the list ("• Killed: At
    least 15,000" / "• Including at least:"), which say what its numbers count.
    """
    prev = _previous_sentence(index, text, s_start)
    line_start = text.rfind("\n", 0, s_start) + 1
    line_end = text.find("\n", s_start)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    bullet = _BULLET.match(line)
    if not bullet and len(line.split()) > 6:
        return prev, False
    indent = len(line) - len(line.lstrip()) if bullet else 10**6
    parents: list[str] = []
    pos = line_start - 1
    for _ in range(40):
        if pos <= 0:
            break
        start = text.rfind("\n", 0, pos) + 1
        above = text[start:pos]
        pos = start - 1
        if not above.strip():
            continue
        above_bullet = _BULLET.match(above)
        above_indent = len(above) - len(above.lstrip())
        if above_bullet and above_indent < indent:
            parents.append(above)
            indent = above_indent
        elif not above_bullet:
            parents.append(above)  # the heading or paragraph that introduces the list
            break
    return " ".join([*reversed(parents), prev]), True


__all__ = ["EXTRACTOR_VERSION", "MONTH_DAY_RE", "cue_figures_with_features", "extract_document",
           "extract_documents", "figures_frame"]
