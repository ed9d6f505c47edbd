"""Baselines: findings a repository has accepted, by fingerprint, each with the reason why.

A baseline lets a repository adopt figcheck and fail only on *new* findings. The file is YAML
(or JSON, by its suffix)::

    version: 1
    findings:
      - finding_id: 3f2a9c1b0d4e
        rule_id: FC201
        reason: Israel revised the toll; both figures were right when published.
        message: deaths.israel on 2023-10-07 went from 1,400 to 1,200   # for people; not read

``finding_id`` is the fingerprint `figcheck check` gives each finding (stable across runs);
``reason`` is required. Other keys are kept for readers and ignored when comparing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from figcheck.errors import FigcheckError
from figcheck.output import atomic_write

BASELINE_VERSION = 1
DEFAULT_REASON = "present when the baseline was written; review and replace this reason"
_KEPT_KEYS = ("finding_id", "rule_id", "severity", "verdict", "reason", "message", "figure_ids")


class BaselineError(FigcheckError):
    """A baseline file that cannot be used; the message names the file and the entry."""


@dataclass
class Baseline:
    """Accepted findings.

    Args:
        entries: one dict per accepted finding, each with ``finding_id`` and ``reason``.
        path: the file it was read from, if any.
    """

    entries: list[dict[str, Any]] = field(default_factory=list)
    path: str | None = None

    @property
    def ids(self) -> set[str]:
        """The accepted fingerprints."""
        return {str(e["finding_id"]) for e in self.entries}

    def reason(self, finding_id: str) -> str | None:
        """Why a finding is accepted, or None when it is not."""
        for e in self.entries:
            if str(e["finding_id"]) == finding_id:
                return str(e.get("reason") or "")
        return None


@dataclass(frozen=True)
class Comparison:
    """Findings split by a baseline.

    Attributes:
        new: findings the baseline does not accept (these gate a CI run).
        accepted: findings the baseline accepts.
        absent: baseline entries that no longer occur (candidates for removal).
    """

    new: pd.DataFrame
    accepted: pd.DataFrame
    absent: list[dict[str, Any]]


def read_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline file.

    Raises:
        BaselineError: the file is missing or unreadable, not YAML/JSON, or an entry has no
            ``finding_id`` or no ``reason`` (the message names the file and the entry).
    """
    p = Path(path)
    shown = str(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BaselineError(f"{shown}: baseline file not found; create it with "
                            f"'figcheck baseline write {shown} PATH...'") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{shown}: cannot be read ({exc}); check the file") from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark is not None else (f" line {exc.lineno}:" if hasattr(exc, "lineno")
                                                                    else "")
        raise BaselineError(f"{shown}:{line} not valid {'JSON' if p.suffix.lower() == '.json' else 'YAML'}; "
                            "fix the syntax or write the file again with 'figcheck baseline write'") from None
    if data is None:
        return Baseline([], shown)
    if isinstance(data, list):
        raw_entries = data
    elif isinstance(data, dict):
        version = data.get("version", BASELINE_VERSION)
        if version != BASELINE_VERSION:
            raise BaselineError(f"{shown}: key 'version' is {version!r}; this figcheck reads version "
                                f"{BASELINE_VERSION}")
        raw_entries = data.get("findings") or []
        if not isinstance(raw_entries, list):
            raise BaselineError(f"{shown}: key 'findings' must be a list of entries")
    else:
        raise BaselineError(f"{shown}: expected a mapping with 'version' and 'findings'")
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, e in enumerate(raw_entries, start=1):
        where = f"{shown}: findings entry {i}"
        if not isinstance(e, dict):
            raise BaselineError(f"{where} is not a mapping; write 'finding_id: ...' and 'reason: ...'")
        fid = e.get("finding_id")
        if fid in (None, ""):
            raise BaselineError(f"{where}: key 'finding_id' is missing; copy it from 'figcheck check' output")
        fid = str(fid)
        if not str(e.get("reason") or "").strip():
            raise BaselineError(f"{where} ({fid}): key 'reason' is missing; say why this finding is accepted")
        if fid in seen:
            raise BaselineError(f"{where}: finding_id {fid} is listed twice; keep one entry")
        seen.add(fid)
        entries.append({**e, "finding_id": fid, "reason": str(e["reason"]).strip()})
    return Baseline(entries, shown)


def baseline_entries(findings: pd.DataFrame, reason: str = DEFAULT_REASON,
                     previous: Baseline | None = None) -> list[dict[str, Any]]:
    """Baseline entries for the current findings, keeping the reasons of a previous baseline.

    Entries are sorted by rule and fingerprint, so the file changes only when findings do.
    """
    entries = []
    for rec in findings.to_dict("records"):
        fid = str(rec["finding_id"])
        old = previous.reason(fid) if previous is not None else None
        entry = {k: _plain(rec.get(k)) for k in _KEPT_KEYS if k in rec and k != "reason"}
        entry["finding_id"] = fid
        entry["reason"] = old or reason
        entries.append({k: entry[k] for k in _KEPT_KEYS if k in entry})
    entries.sort(key=lambda e: (str(e.get("rule_id", "")), e["finding_id"]))
    unique: dict[str, dict[str, Any]] = {}
    for e in entries:
        unique.setdefault(e["finding_id"], e)
    return list(unique.values())


def write_baseline(path: str | os.PathLike[str], findings: pd.DataFrame, reason: str = DEFAULT_REASON,
                   *, keep_reasons: bool = True) -> Baseline:
    """Write (atomically) a baseline accepting every current finding.

    Args:
        path: the file; ``.json`` writes JSON, anything else YAML.
        findings: the findings to accept.
        reason: the reason recorded for findings the file did not already accept.
        keep_reasons: keep the reasons of entries already in the file at ``path``.

    Returns:
        The baseline written.
    """
    previous = None
    if keep_reasons and Path(path).is_file():
        previous = read_baseline(path)
    entries = baseline_entries(findings, reason, previous)
    doc = {"version": BASELINE_VERSION, "findings": entries}
    if Path(path).suffix.lower() == ".json":
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        text = (
            "# figcheck baseline: findings accepted as known, each with the reason why.\n"
            "# 'figcheck check --baseline FILE' fails only on findings not listed here.\n"
            + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
        )
    with atomic_write(path) as fh:
        fh.write(text)
    umask = os.umask(0)
    os.umask(umask)
    Path(path).chmod(0o666 & ~umask)  # a file people share and edit, not a private one
    return Baseline(entries, str(path))


def compare(findings: pd.DataFrame, baseline: Baseline | None) -> Comparison:
    """Split findings into new and accepted, and list baseline entries that no longer occur."""
    if baseline is None:
        return Comparison(findings, findings.iloc[0:0], [])
    ids = baseline.ids
    mask = findings["finding_id"].astype(str).isin(ids) if len(findings) else pd.Series([], dtype=bool)
    present = set(findings["finding_id"].astype(str)) if len(findings) else set()
    absent = [e for e in baseline.entries if e["finding_id"] not in present]
    return Comparison(
        new=findings[~mask.to_numpy()].reset_index(drop=True),
        accepted=findings[mask.to_numpy()].reset_index(drop=True),
        absent=absent,
    )


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist") and not isinstance(value, str):
        return value.tolist()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    if isinstance(value, tuple | set):
        return list(value)
    if isinstance(value, Iterable) and not isinstance(value, str | dict):
        return list(value)
    return value
