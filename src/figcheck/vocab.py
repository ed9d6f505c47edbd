"""The data files that teach figcheck to read: metrics.yaml, qualifiers.yaml and lexicon.yaml.

Each file is validated when loaded; a problem stops the run with a `RuleError` that names the
file and the key, and says what to write instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from figcheck.errors import RuleError
from figcheck.extract.model import MODEL_FILE, MetricModel, load_model

BEHAVIOURS = ("stock", "cumulative", "event_total", "incident")
METRIC_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
VOCAB_FILES = ("metrics.yaml", "qualifiers.yaml", "lexicon.yaml")


def default_rules_dir() -> Path:
    """The shipped rules folder: ``$FIGCHECK_RULES``, else ``rules/`` beside the package source.

    In a source checkout or an editable install this is the repository's top-level ``rules/``;
    a wheel carries a copy as ``figcheck/_rules``.
    """
    env = os.environ.get("FIGCHECK_RULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "rules", here / "_rules"):
        if (candidate / "metrics.yaml").is_file():
            return candidate
    return here.parent.parent / "rules"


# --------------------------------------------------------------------------------------------
# cue phrases


class Cues:
    """A list of cue phrases compiled into one expression over lower-cased text.

    A phrase matches at word boundaries; a trailing ``*`` on a word matches any ending
    ("abduct*" matches "abducted", "abduction"). A phrase may end in ``^N`` to weigh N times
    as much as the others ("in israel^2").
    """

    def __init__(self, phrases: Sequence[str]) -> None:
        weights: dict[str, float] = {}
        plain = []
        for raw in phrases:
            phrase = str(raw).lower().strip()
            m = re.fullmatch(r"(.+?)\^(\d+(?:\.\d+)?)", phrase)
            if m:
                phrase = m.group(1).strip()
                weights[phrase] = float(m.group(2))
            plain.append(phrase)
        self.phrases = tuple(plain)
        self._memo: dict[str, tuple[tuple[int, int, float], ...]] = {}
        self._weighted = [(re.compile(_phrase_re(p)), w) for p, w in weights.items()]
        if self.phrases:
            # A cue is a whole word ("strike" does not match "strikes"); a phrase does not match a
            # possessive ("in israel" is not "in Israel's war on Gaza").
            parts = sorted((_phrase_re(p) + (r"(?!['’]s\b)" if " " in p else "") for p in self.phrases),
                           key=len, reverse=True)
            self.rx: re.Pattern[str] | None = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])")
        else:
            self.rx = None

    def weighted(self, lowered: str) -> tuple[tuple[int, int, float], ...]:
        """(start, end, weight) of every match in an already lower-cased text.

        Memoised per text: extraction asks the same sentence about every figure in it.
        """
        if self.rx is None:
            return ()
        cached = self._memo.get(lowered)
        if cached is None:
            cached = tuple(
                (m.start(), m.end(), next((w for rx, w in self._weighted if rx.fullmatch(m.group())), 1.0))
                for m in self.rx.finditer(lowered)
            )
            if len(self._memo) > 512:
                self._memo.clear()
            self._memo[lowered] = cached
        return cached

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def finditer(self, lowered: str) -> list[tuple[int, int]]:
        """(start, end) of every match in an already lower-cased text."""
        return [(s, e) for s, e, _w in self.weighted(lowered)]

    def search(self, lowered: str) -> bool:
        """Whether any cue occurs in the lower-cased text."""
        return bool(self.weighted(lowered))

    def fullmatch(self, lowered: str) -> bool:
        """Whether the lower-cased text is exactly one of the cues."""
        return bool(self.rx and self.rx.fullmatch(lowered))


def _phrase_re(phrase: str) -> str:
    words = phrase.split()
    out = []
    for w in words:
        if w.endswith("*"):
            out.append(re.escape(w[:-1]) + r"[\w'’-]*")
        else:
            out.append(re.escape(w))
    return r"\s+".join(out)


# --------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True, eq=False)
class Metric:
    """One metric from metrics.yaml (see the comment at the top of that file)."""

    id: str
    description: str
    unit: str
    behaviour: str
    event: str | None
    subject: Cues
    generic: bool
    mention: Cues
    event_cues: Cues
    scope: Cues
    scope_required: bool
    veto: Cues
    veto_window: int
    against: Cues
    boost: float
    fallback: Cues
    typical: tuple[float, float] | None
    part_of: str | None
    incident: str | None = None


@dataclass(frozen=True)
class Event:
    """A dated event that fixes a figure's as-of date ("during the truce")."""

    id: str
    date: str
    end: str | None
    cues: Cues


@dataclass(frozen=True)
class Claimant:
    """Who asserts a figure; claimants in one `series` form one series for the rules."""

    name: str
    series: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Qualifiers:
    """Qualifier words and the tolerances that turn them into intervals (qualifiers.yaml)."""

    approx: float
    almost: float
    rounding_min_place: float
    rounding_max_fraction: float
    before: dict[str, tuple[str, ...]]
    after: dict[str, tuple[str, ...]]
    vague: dict[str, tuple[float, float]]
    particle_verbs: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Everything figcheck reads from a rules folder besides the rules themselves."""

    root: Path
    metrics: dict[str, Metric]
    qualifiers: Qualifiers
    person_nouns: Cues
    name_words: frozenset[str]
    age_after: tuple[str, ...]
    age_before: tuple[str, ...]
    time_after: tuple[str, ...]
    claimants: tuple[Claimant, ...]
    modality: dict[str, tuple[Cues, Cues]]
    events: dict[str, Event]
    digest: str
    series_of: dict[str, str] = field(default_factory=dict)
    model: MetricModel | None = None  # from metric_model.json, when the folder has one

    def metric_ids(self) -> list[str]:
        """Metric ids in file order."""
        return list(self.metrics)


# --------------------------------------------------------------------------------------------
# loading


def load_vocabulary(rules_dir: str | os.PathLike[str] | None = None) -> Vocabulary:
    """Load and validate metrics.yaml, qualifiers.yaml and lexicon.yaml from ``rules_dir``.

    Args:
        rules_dir: the rules folder; the shipped one when None.

    Raises:
        RuleError: a file is missing, is not valid YAML, or has a key of the wrong kind.
    """
    root = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    stamps = tuple(_stamp(root / name) for name in (*VOCAB_FILES, MODEL_FILE))
    return _load_cached(str(root.resolve()), stamps)


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _load_cached(root_str: str, _stamps: tuple[tuple[str, int, int], ...]) -> Vocabulary:
    root = Path(root_str)
    digest = hashlib.sha256()
    docs = {}
    for name in VOCAB_FILES:
        path = root / name
        raw = _read(path)
        digest.update(name.encode() + b"\0" + raw + b"\0")
        docs[name] = parse_yaml(path, raw)
    metrics = _metrics(root / "metrics.yaml", docs["metrics.yaml"])
    qualifiers = _qualifiers(root / "qualifiers.yaml", docs["qualifiers.yaml"])
    lex_path = root / "lexicon.yaml"
    lex = docs["lexicon.yaml"]
    events = _events(lex_path, lex.get("events", []))
    for metric in metrics.values():
        if metric.incident and (metric.incident not in metrics or metrics[metric.incident].behaviour != "incident"):
            raise RuleError(str(root / "metrics.yaml"), f"{metric.id}.incident",
                            f"names {metric.incident!r}, which is not a metric with behaviour incident",
                            "name an incident metric from this file")
        if metric.part_of and metric.part_of not in metrics:
            raise RuleError(str(root / "metrics.yaml"), f"{metric.id}.part_of",
                            f"names metric {metric.part_of!r}, which is not defined", "use a metric id from this file")
        if metric.event and metric.event not in events:
            raise RuleError(str(root / "metrics.yaml"), f"{metric.id}.event",
                            f"names event {metric.event!r}, which lexicon.yaml does not define",
                            f"use one of {', '.join(events) or '(none defined)'}")
    claimants = _claimants(lex_path, lex.get("claimants", []))
    model = None
    model_path = root / MODEL_FILE
    if model_path.is_file():
        raw = _read(model_path)
        digest.update(MODEL_FILE.encode() + b"\0" + raw + b"\0")
        model = load_model(model_path, raw)
    return Vocabulary(
        root=root,
        metrics=metrics,
        qualifiers=qualifiers,
        person_nouns=Cues(_str_list(lex_path, "person_nouns", lex.get("person_nouns", []))),
        name_words=frozenset(_str_list(lex_path, "name_words", lex.get("name_words", []))),
        age_after=tuple(_str_list(lex_path, "age_words", lex.get("age_words", []))),
        age_before=tuple(_str_list(lex_path, "age_before", lex.get("age_before", []))),
        time_after=tuple(_str_list(lex_path, "time_after", lex.get("time_after", []))),
        claimants=claimants,
        modality=_modality(lex_path, lex.get("modality", {})),
        events=events,
        digest=digest.hexdigest(),
        series_of={c.name: c.series for c in claimants},
        model=model,
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RuleError(str(path), "", "is missing",
                        "every rules folder needs metrics.yaml, qualifiers.yaml and lexicon.yaml; "
                        "copy them from the shipped rules/ folder") from None
    except OSError as exc:
        raise RuleError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None


def parse_yaml(path: Path, raw: bytes | str, hint: str = "") -> dict[str, Any]:
    """Parse a rules-folder YAML file safely into a mapping, or raise `RuleError` naming the file.

    Only plain YAML is read (``yaml.safe_load``): tags such as ``!!python/object`` are refused, and
    nothing in a file is ever executed. Nesting too deep for the parser is an error, not a crash.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise RuleError(str(path), "", "is not UTF-8 text", "re-save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RuleError(str(path), "", f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
                        "fix the YAML syntax") from None
    except RecursionError:
        raise RuleError(str(path), "", "is nested too deeply to read", "write it as flat keys and lists") from None
    if not isinstance(data, dict):
        raise RuleError(str(path), "", "must be a mapping of keys to values at the top level", hint)
    return data


def _str_list(path: Path, key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise RuleError(str(path), key, f"must be a list of words or phrases, not {type(value).__name__}")
    return [str(v) for v in value]


def _metrics(path: Path, doc: dict[str, Any]) -> dict[str, Metric]:
    items = doc.get("metrics")
    if not isinstance(items, list) or not items:
        raise RuleError(str(path), "metrics", "must be a non-empty list of metrics")
    out: dict[str, Metric] = {}
    allowed = {"id", "description", "unit", "behaviour", "event", "cues", "typical", "part_of", "incident"}
    cue_keys = {"subject", "generic", "mention", "event", "scope", "scope_required", "veto", "veto_window", "against",
                "boost", "fallback"}
    for i, item in enumerate(items):
        where = f"metrics[{i}]"
        if not isinstance(item, dict):
            raise RuleError(str(path), where, "must be a mapping with id, description, unit, behaviour, cues")
        mid = item.get("id")
        if not isinstance(mid, str) or not METRIC_ID_RE.match(mid):
            raise RuleError(str(path), f"{where}.id", f"{mid!r} is not a metric id",
                            "write ids as dotted lower-case words, such as 'hostages.held'")
        where = mid
        if mid in out:
            raise RuleError(str(path), f"{where}.id", "is defined twice", "give each metric a unique id")
        unknown = set(item) - allowed
        if unknown:
            raise RuleError(str(path), f"{where}.{sorted(unknown)[0]}", "is not a metric key",
                            f"use {', '.join(sorted(allowed))}")
        behaviour = item.get("behaviour")
        if behaviour not in BEHAVIOURS:
            raise RuleError(str(path), f"{where}.behaviour", f"is {behaviour!r}",
                            f"expected one of {', '.join(BEHAVIOURS)}")
        unit = item.get("unit", "")
        if not isinstance(unit, str):
            raise RuleError(str(path), f"{where}.unit", "must be a unit name such as 'person'")
        _check_unit(path, f"{where}.unit", unit)
        cues = item.get("cues") or {}
        if not isinstance(cues, dict):
            raise RuleError(str(path), f"{where}.cues", "must be a mapping (subject, event, scope, ...)")
        bad = set(cues) - cue_keys
        if bad:
            raise RuleError(str(path), f"{where}.cues.{sorted(bad)[0]}", "is not a cue key",
                            f"use {', '.join(sorted(cue_keys))}")
        for flag in ("generic", "scope_required"):
            if flag in cues and not isinstance(cues[flag], bool):
                raise RuleError(str(path), f"{where}.cues.{flag}", "must be true or false")
        for num in ("veto_window", "boost"):
            if num in cues and not isinstance(cues[num], int | float):
                raise RuleError(str(path), f"{where}.cues.{num}", "must be a number")
        typical = item.get("typical")
        if typical is not None and (not isinstance(typical, list) or len(typical) != 2
                                    or not all(isinstance(v, int | float) for v in typical) or typical[0] > typical[1]):
            raise RuleError(str(path), f"{where}.typical", f"is {typical!r}",
                            "give the usual range as [low, high], such as [1000, 100000]")
        event = item.get("event")
        if event is not None and not isinstance(event, str):
            raise RuleError(str(path), f"{where}.event", "must be an event id from lexicon.yaml")

        def cl(key: str, mid: str = mid, cues: dict[str, Any] = cues) -> Cues:
            return Cues(_str_list(path, f"{mid}.cues.{key}", cues.get(key)))

        out[mid] = Metric(
            id=mid,
            description=str(item.get("description", "")),
            unit=unit,
            behaviour=behaviour,
            event=event,
            subject=cl("subject"),
            generic=bool(cues.get("generic", True)),
            mention=cl("mention"),
            event_cues=cl("event"),
            scope=cl("scope"),
            scope_required=bool(cues.get("scope_required", False)),
            veto=cl("veto"),
            veto_window=int(cues.get("veto_window", 6)),
            against=cl("against"),
            boost=float(cues.get("boost", 0.0)),
            fallback=cl("fallback"),
            typical=(float(typical[0]), float(typical[1])) if typical else None,
            part_of=str(item["part_of"]) if item.get("part_of") else None,
            incident=str(item["incident"]) if item.get("incident") else None,
        )
    return out


def _check_unit(path: Path, key: str, unit: str) -> None:
    if not unit:
        return
    from figcheck.units import build_registry

    try:
        build_registry().parse_units(unit)
    except Exception:
        raise RuleError(str(path), key, f"{unit!r} is not a unit figcheck knows",
                        "use a pint unit name such as person, day, USD or percent") from None


def _qualifiers(path: Path, doc: dict[str, Any]) -> Qualifiers:
    tol = doc.get("tolerance") or {}
    if not isinstance(tol, dict):
        raise RuleError(str(path), "tolerance", "must be a mapping")

    def frac(key: str, value: Any) -> float:
        if not isinstance(value, int | float) or not 0 <= value < 1:
            raise RuleError(str(path), key, f"is {value!r}", "give a fraction between 0 and 1, such as 0.05")
        return float(value)

    rounding = tol.get("rounding") or {}
    if not isinstance(rounding, dict):
        raise RuleError(str(path), "tolerance.rounding", "must be a mapping with min_place and max_fraction")
    min_place = rounding.get("min_place", 100)
    if not isinstance(min_place, int | float) or min_place < 1:
        raise RuleError(str(path), "tolerance.rounding.min_place", f"is {min_place!r}", "give a number >= 1")
    before: dict[str, tuple[str, ...]] = {}
    after: dict[str, tuple[str, ...]] = {}
    for section, target, allowed in (
        ("before", before, ("approx", "almost", "at_least", "more_than", "at_most", "less_than")),
        ("after", after, ("approx", "at_least", "at_most")),
    ):
        block = doc.get(section) or {}
        if not isinstance(block, dict):
            raise RuleError(str(path), section, "must map qualifiers to lists of words")
        for key, words in block.items():
            if key not in allowed:
                raise RuleError(str(path), f"{section}.{key}", "is not a qualifier", f"use {', '.join(allowed)}")
            target[key] = tuple(w.lower() for w in _str_list(path, f"{section}.{key}", words))
    vague = {}
    for word, spec in (doc.get("vague") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("value"), int | float) or not isinstance(
            spec.get("high"), int | float
        ):
            raise RuleError(str(path), f"vague.{word}", "must be a mapping {value: N, high: M}")
        vague[str(word).lower()] = (float(spec["value"]), float(spec["high"]))
    return Qualifiers(
        approx=frac("tolerance.approx", tol.get("approx", 0.05)),
        almost=frac("tolerance.almost", tol.get("almost", 0.05)),
        rounding_min_place=float(min_place),
        rounding_max_fraction=frac("tolerance.rounding.max_fraction", rounding.get("max_fraction", 0.05)),
        before=before,
        after=after,
        vague=vague,
        particle_verbs=frozenset(w.lower() for w in _str_list(path, "particle_verbs", doc.get("particle_verbs"))),
    )


def _events(path: Path, items: Any) -> dict[str, Event]:
    if not isinstance(items, list):
        raise RuleError(str(path), "events", "must be a list of events")
    out = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise RuleError(str(path), f"events[{i}]", "must be a mapping with id, date and cues")
        eid = item["id"]
        dates: list[str | None] = []
        for key in ("date", "end"):
            value = item.get(key)
            if value is None and key == "end":
                dates.append(None)
                continue
            if isinstance(value, dt.date):
                dates.append(value.isoformat())
                continue
            try:
                dates.append(dt.date.fromisoformat(str(value)).isoformat())
            except ValueError:
                raise RuleError(str(path), f"events.{eid}.{key}", f"{value!r} is not a date",
                                "write it as YYYY-MM-DD") from None
        out[eid] = Event(eid, str(dates[0]), dates[1], Cues(_str_list(path, f"events.{eid}.cues", item.get("cues"))))
    return out


def _claimants(path: Path, items: Any) -> tuple[Claimant, ...]:
    if not isinstance(items, list):
        raise RuleError(str(path), "claimants", "must be a list of claimants")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise RuleError(str(path), f"claimants[{i}]", "must be a mapping with name, series and aliases")
        name = item["name"]
        aliases = _str_list(path, f"claimants.{name}.aliases", item.get("aliases")) or [name]
        out.append(Claimant(name, str(item.get("series") or name), tuple(aliases)))
    return tuple(out)


def _modality(path: Path, block: Any) -> dict[str, tuple[Cues, Cues]]:
    if not isinstance(block, dict):
        raise RuleError(str(path), "modality", "must map modalities to {before: [...], after: [...]}")
    allowed = ("proposal", "demand", "belief", "estimate", "hypothetical", "negated")
    out = {}
    for key, spec in block.items():
        if key not in allowed:
            raise RuleError(str(path), f"modality.{key}", "is not a modality", f"use {', '.join(allowed)}")
        if not isinstance(spec, dict):
            raise RuleError(str(path), f"modality.{key}", "must be {before: [...], after: [...]}")
        out[key] = (Cues(_str_list(path, f"modality.{key}.before", spec.get("before"))),
                    Cues(_str_list(path, f"modality.{key}.after", spec.get("after"))))
    return out
