"""Rule files (rules/<ID>.yaml) -> validated `Rule` records; errors name the file, the key and the fix."""

from __future__ import annotations

import datetime as dt
import os
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from figcheck.errors import RuleError
from figcheck.models import SEVERITIES
from figcheck.vocab import VOCAB_FILES, Vocabulary, default_rules_dir, load_vocabulary, parse_yaml

#: Keys every rule file has (``examples`` may be left out only by rules written for tests).
RULE_KEYS = ("id", "name", "kind", "severity", "description", "rationale", "message", "examples")
RULE_ID_RE = re.compile(r"^[A-Z]{1,8}[0-9]{2,6}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class Example:
    """One example document of a rule: text, with the outlet and date it is read with."""

    text: str
    published: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Rule:
    """One rule: a kind from `figcheck.checks.KINDS` with its typed parameters.

    Attributes:
        id: stable forever (``FC101``); the file is ``<id>.yaml``.
        name: dotted lower-case name (``hostages.balance``).
        kind: ``balance``, ``monotonic``, ``bound``, ``agreement`` or ``revision``.
        severity: ``error``, ``warning`` or ``info``.
        description: what the rule checks, in one or two sentences.
        rationale: why a failure matters.
        message: the finding's message, with ``{placeholders}`` filled from a fixed set.
        params: the kind's parameters, validated and with defaults filled in.
        examples: ``{"pass": [Example...], "fail": [Example...]}`` (each a set of documents).
        path: the file the rule came from.
    """

    id: str
    name: str
    kind: str
    severity: str
    description: str
    rationale: str
    message: str
    params: Mapping[str, Any]
    examples: Mapping[str, tuple[Example, ...]] = field(default_factory=dict)
    path: str = ""

    def metrics(self) -> list[str]:
        """Every metric the rule names, in parameter order."""
        from figcheck.checks import KINDS

        out: list[str] = []
        for key, spec in KINDS[self.kind].params.items():
            if spec.type not in ("metric", "metrics") or self.params.get(key) is None:
                continue
            value = self.params[key]
            out.extend(v for v in ([value] if isinstance(value, str) else value) if v not in out)
        return out


def rule_files(rules_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The rule files of a rules folder: every ``*.yaml`` / ``*.yml`` except the vocabulary files."""
    root = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    if not root.is_dir():
        raise RuleError(str(root), "", "is not a folder", "give --rules a folder holding metrics.yaml and rule files")
    files = [p for p in root.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml") and p.name not in VOCAB_FILES
             and not p.name.startswith(".")]
    return sorted(files, key=lambda p: p.name)


def load_rules(
    rules_dir: str | os.PathLike[str] | None = None,
    vocab: Vocabulary | None = None,
) -> list[Rule]:
    """Load and validate every rule file in a rules folder, sorted by id.

    Args:
        rules_dir: the folder (also holding metrics.yaml, qualifiers.yaml, lexicon.yaml); the shipped one if None.
        vocab: the vocabulary to check metric names against; loaded from ``rules_dir`` when None.

    Raises:
        RuleError: the first problem met, naming the file and the key.

    Example:
        >>> rules = load_rules()
        >>> sorted({r.kind for r in rules})
        ['agreement', 'balance', 'bound', 'monotonic', 'revision']
    """
    vocab = vocab if vocab is not None else load_vocabulary(rules_dir)
    rules = [load_rule(path, vocab) for path in rule_files(rules_dir if rules_dir is not None else vocab.root)]
    return sorted(rules, key=lambda r: r.id)


def load_rule(path: str | os.PathLike[str], vocab: Vocabulary, *, require_examples: bool = True) -> Rule:
    """Read and validate one rule file.

    Args:
        path: the ``<ID>.yaml`` file.
        vocab: metric names and behaviours to check against.
        require_examples: whether ``examples`` must be present (true for shipped rules).

    Raises:
        RuleError: naming the file and the key, and saying what to write instead.
    """
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RuleError(str(p), "", "is not UTF-8 text", "re-save it as UTF-8") from None
    except OSError as exc:
        raise RuleError(str(p), "", f"cannot be read: {exc.strerror or exc}") from None
    data = parse_yaml(p, raw, "start from a shipped rule such as rules/FC101.yaml")
    return rule_from_mapping(data, vocab, path=str(p), require_examples=require_examples, stem=p.stem)


def rule_from_mapping(
    data: Mapping[str, Any],
    vocab: Vocabulary,
    *,
    path: str = "<rule>",
    require_examples: bool = False,
    stem: str | None = None,
) -> Rule:
    """Validate a rule given as a mapping (a parsed rule file, or one written in a test or notebook).

    Raises:
        RuleError: naming ``path`` and the key at fault.
    """
    from figcheck.checks import KINDS
    from figcheck.checks._common import COMMON_PARAMS, COMMON_PLACEHOLDERS
    from figcheck.units import build_registry

    def err(key: str, message: str, hint: str = "") -> RuleError:
        return RuleError(path, key, message, hint)

    kind_name = data.get("kind")
    if kind_name not in KINDS:
        if "kind" not in data:
            raise err("kind", "is missing", f"add one of {', '.join(KINDS)}")
        raise err("kind", f"is {kind_name!r}", f"expected one of {', '.join(KINDS)}")
    kind = KINDS[kind_name]
    specs = {**COMMON_PARAMS, **kind.params}
    allowed = set(RULE_KEYS) | set(specs)
    for key in data:
        if key not in allowed:
            raise err(str(key), f"is not a key of a {kind_name} rule",
                      f"use {', '.join(RULE_KEYS[:-1])}, examples, or the kind's parameters: "
                      f"{', '.join(specs)}")
    for key in RULE_KEYS:
        if key == "examples" and not require_examples:
            continue
        if key not in data:
            raise err(key, "is missing", _KEY_HINTS[key])
    rid = data["id"]
    if not isinstance(rid, str) or not RULE_ID_RE.match(rid):
        raise err("id", f"{rid!r} is not a rule id", "write letters then digits, such as FC101")
    if stem is not None and stem != rid:
        raise err("id", f"is {rid!r} but the file is named {stem!r}", f"rename the file to {rid}.yaml or fix the id")
    name = data["name"]
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise err("name", f"{name!r} is not a rule name", "write dotted lower-case words, such as hostages.balance")
    severity = data["severity"]
    if severity not in SEVERITIES:
        raise err("severity", f"is {severity!r}", f"expected one of {', '.join(SEVERITIES)}")
    for key in ("description", "rationale", "message"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise err(key, "must be non-empty text", _KEY_HINTS[key])
    message = " ".join(str(data["message"]).split())
    _check_template(message, (*COMMON_PLACEHOLDERS, *kind.placeholders), err)
    params: dict[str, Any] = {}
    for key, spec in specs.items():
        if key not in data:
            if spec.required:
                raise err(key, "is missing", f"a {kind_name} rule needs it: {spec.help}")
            params[key] = spec.default
            continue
        params[key] = _typed(key, data[key], spec, vocab, err)
    examples = _examples(data.get("examples"), err) if "examples" in data else {}
    rule = Rule(
        id=rid,
        name=name,
        kind=kind_name,
        severity=severity,
        description=" ".join(str(data["description"]).split()),
        rationale=" ".join(str(data["rationale"]).split()),
        message=message,
        params=params,
        examples=examples,
        path=path,
    )
    for metric in rule.metrics():
        behaviour = vocab.metrics[metric].behaviour
        if behaviour == "incident":
            key = next(k for k, v in params.items() if v == metric or (isinstance(v, list) and metric in v))
            raise err(key, f"names {metric!r}, an incident metric (one strike, day or period)",
                      "incident tolls never feed cumulative rules; name a running total instead")
    kind.validate(rule, vocab, build_registry())
    return rule


_KEY_HINTS = {
    "id": "add id: FC<number>, the same as the file name; it never changes",
    "name": "add a dotted lower-case name such as hostages.balance",
    "kind": "add one of balance, monotonic, bound, agreement, revision",
    "severity": "add severity: error, warning or info",
    "description": "say in a sentence what the rule checks",
    "rationale": "say in a sentence why a failure matters",
    "message": "write the finding's message, with {placeholders} such as {observed} and {expected}",
    "examples": "add examples: {pass: <text that passes>, fail: <text that fails>}",
}


def _check_template(message: str, allowed: Sequence[str], err: Any) -> None:
    try:
        fields = list(string.Formatter().parse(message))
    except ValueError as exc:
        raise err("message", f"is not a valid template: {exc}",
                  "write placeholders as {name}; double a brace ({{ or }}) to print it") from None
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in allowed:
            raise err("message", f"uses the placeholder {{{name}}}, which a rule of this kind does not fill",
                      f"use {', '.join('{' + a + '}' for a in allowed)}")
        if spec or conversion:
            raise err("message", f"formats the placeholder {{{name}}}", "write plain {name} placeholders")


def _typed(key: str, value: Any, spec: Any, vocab: Vocabulary, err: Any) -> Any:
    t = spec.type
    if t == "metric":
        return _metric(key, value, vocab, err)
    if t == "metrics":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise err(key, "must be a non-empty list of metric ids", "write [deaths.gaza, deaths.children]")
        out = [_metric(f"{key}[{i}]", v, vocab, err) for i, v in enumerate(value)]
        if len(set(out)) != len(out):
            raise err(key, "names a metric twice", "list each metric once")
        return out
    if t == "fraction":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            raise err(key, f"is {value!r}", "give a fraction between 0 and 1, such as 0.02")
        return float(value)
    if t == "days":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise err(key, f"is {value!r}", "give a whole number of days, 0 or more")
        return value
    if t == "choice":
        if value not in spec.choices:
            raise err(key, f"is {value!r}", f"expected one of {', '.join(spec.choices)}")
        return value
    if t == "bool":
        if not isinstance(value, bool):
            raise err(key, f"is {value!r}", "write true or false")
        return value
    if t == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise err(key, f"{value!r} is not a date", "write it as YYYY-MM-DD") from None
    raise AssertionError(f"unknown parameter type {t!r}")  # pragma: no cover - a bug in a kind


def _metric(key: str, value: Any, vocab: Vocabulary, err: Any) -> str:
    if not isinstance(value, str) or value not in vocab.metrics:
        known = ", ".join(vocab.metrics)
        raise err(key, f"names {value!r}, which metrics.yaml does not define", f"use one of {known}")
    return value


def _examples(value: Any, err: Any) -> dict[str, tuple[Example, ...]]:
    if not isinstance(value, dict) or set(value) - {"pass", "fail"} or not value:
        raise err("examples", "must be a mapping with pass and fail",
                  "write examples: {pass: <text>, fail: <text>}; each may also be a list of "
                  "{published, source, text} documents")
    out: dict[str, tuple[Example, ...]] = {}
    for which in ("pass", "fail"):
        if which not in value:
            raise err(f"examples.{which}", "is missing", f"give a text that should {which}")
        item = value[which]
        docs = item if isinstance(item, list) else [item]
        parsed = []
        for i, doc in enumerate(docs):
            where = f"examples.{which}[{i}]" if isinstance(item, list) else f"examples.{which}"
            if isinstance(doc, str):
                parsed.append(Example(text=doc))
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("text"), str) or set(doc) - {
                "text", "published", "source"
            }:
                raise err(where, "must be text, or a mapping with text (and published, source)",
                          "write {published: 2023-12-21, source: Example Wire, text: ...}")
            published = doc.get("published")
            if published is not None:
                try:
                    published = dt.date.fromisoformat(str(published)).isoformat()
                except ValueError:
                    raise err(f"{where}.published", f"{published!r} is not a date", "write YYYY-MM-DD") from None
            parsed.append(Example(text=doc["text"], published=published,
                                  source=None if doc.get("source") is None else str(doc["source"])))
        if not parsed:
            raise err(f"examples.{which}", "is empty", f"give a text that should {which}")
        out[which] = tuple(parsed)
    return out
