"""A content-addressed cache of extracted figures, so re-running an unchanged corpus costs almost nothing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from figcheck.corpus import Document
from figcheck.extract.figures import EXTRACTOR_VERSION
from figcheck.vocab import Vocabulary

log = logging.getLogger("figcheck")

#: Version of the cache's own file format; part of every key.
CACHE_FORMAT = "1"

#: Package files that cannot change the figures of a document. Every other file of the package
#: (the extractor, and anything it imports now or later) is part of every key, so an edited
#: extractor never meets results of the old one, even when `EXTRACTOR_VERSION` was not bumped.
#: Leaving a file out wrongly would serve stale figures; keeping one in only costs a rebuild.
_NOT_EXTRACTION = ("cli/", "report/", "checks/", "schemas/", "templates/", "cache.py", "parallel.py", "api.py",
                   "engine.py", "ruleset.py", "validate.py", "evaluate.py", "output.py", "__main__.py")
_CODE_SUFFIXES = (".py", ".txt", ".json", ".yaml", ".csv")

#: Package files that are the figures contract (`figcheck.validate`, with the column names and
#: allowed values of `figcheck.models`). An entry's "validated" mark names a digest of them and
#: of great-expectations' version, so an edited contract never trusts rows checked by the old one.
_CONTRACT_FILES = ("validate.py", "models.py")

#: Document fields left out of the key: ``text`` is keyed by its sha256, and ``path`` says where
#: the file lies, which no figure column depends on (moving a corpus keeps its cache).
_UNKEYED_FIELDS = frozenset({"text", "path"})


def default_cache_dir() -> Path:
    """Return the cache folder: ``$FIGCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/figcheck`` or ``~/.cache/figcheck``."""
    explicit = os.environ.get("FIGCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "figcheck"


@lru_cache(maxsize=1)
def extractor_fingerprint() -> str:
    """Return a digest of everything in the code that decides figures.

    It covers `EXTRACTOR_VERSION`, the cache format, the installed quantulum3 version (whose unit
    lexicon figcheck reads), and the bytes of every source and data file of the package except
    those that cannot reach extraction (`_NOT_EXTRACTION`: the command line, reports, rule
    checks, this cache).
    """
    return code_digest(Path(__file__).resolve().parent)


def code_digest(package: Path) -> str:
    """Return `extractor_fingerprint` of the figcheck package in folder ``package``."""
    digest = hashlib.sha256()
    digest.update(f"format={CACHE_FORMAT}\0extractor={EXTRACTOR_VERSION}\0".encode())
    try:
        q3 = metadata.version("quantulum3")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency
        q3 = "?"
    digest.update(f"quantulum3={q3}\0".encode())
    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in _CODE_SUFFIXES
                   and "__pycache__" not in p.parts)
    for path in files:
        rel = path.relative_to(package).as_posix()
        if rel.startswith(_NOT_EXTRACTION):
            continue
        try:
            data = path.read_bytes()
        except OSError:
            data = b"<unreadable>"
        digest.update(rel.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def contract_fingerprint() -> str:
    """Return a digest of the figures contract that cache entries are marked as validated under.

    It covers `figcheck.validate.CONTRACT_VERSION`, the installed great-expectations version and
    the bytes of `_CONTRACT_FILES` (the clauses, and the columns and values they allow). The
    vocabulary's metric ids, which the contract also checks, are already part of every key.
    Computing it does not import great-expectations.
    """
    return contract_digest(Path(__file__).resolve().parent)


def contract_digest(package: Path) -> str:
    """Return `contract_fingerprint` of the figcheck package in folder ``package``."""
    from figcheck.validate import CONTRACT_VERSION

    digest = hashlib.sha256()
    try:
        gx = metadata.version("great_expectations")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency
        gx = "?"
    digest.update(f"contract={CONTRACT_VERSION}\0great_expectations={gx}\0".encode())
    for rel in _CONTRACT_FILES:
        try:
            data = (package / rel).read_bytes()
        except OSError:
            data = b"<unreadable>"
        digest.update(rel.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


class CacheHit(NamedTuple):
    """A sound cache entry: the figures rows, and the contract digest they passed (None if unchecked)."""

    rows: list[dict[str, Any]]
    contract: str | None

    @property
    def validated(self) -> bool:
        """Whether every row passed the figures contract as it is now (`contract_fingerprint`)."""
        return self.contract is not None and self.contract == contract_fingerprint()


def document_key(doc: Document, vocab: Vocabulary) -> str:
    """Return the cache key of one document read with ``vocab``.

    It hashes the text, every document field that reaches a figure (doc_id, source, published,
    format, line offsets, ...), the extractor's fingerprint and the vocabulary's digest
    (metrics.yaml, qualifiers.yaml, lexicon.yaml). Change any of them and the key changes.
    """
    fields = {k: v for k, v in asdict(doc).items() if k not in _UNKEYED_FIELDS}
    fields["sha256"] = hashlib.sha256(doc.text.encode("utf-8", errors="surrogatepass")).hexdigest()
    blob = json.dumps([extractor_fingerprint(), vocab.digest, fields], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class FigureCache:
    """Figures of documents, stored on disk by content.

    Each entry is one file, ``<root>/v<format>/<key[:2]>/<key>.json``: a header line with the key,
    the row count and the sha256 of the payload, then the rows as one JSON line. An entry whose
    rows all passed the figures contract carries, in its header, the `contract_fingerprint` they
    passed under (``put(..., validated=True)``); a run finds such rows with `fetch` and need not
    check them again. An entry whose
    header, key, digest or rows do not check out (a truncated write, a stray edit, a file from
    another version) is ignored and rebuilt, never trusted. Entries are written atomically (a
    temporary file renamed into place), so concurrent runs over the same cache are safe.

    Args:
        root: the cache folder; `default_cache_dir()` when None.
        vocab: the vocabulary the figures are extracted with (its digest is part of every key).

    Example:
        >>> import tempfile
        >>> from figcheck.corpus import document_from_text
        >>> from figcheck.extract.figures import extract_document
        >>> from figcheck.vocab import load_vocabulary
        >>> vocab = load_vocabulary()
        >>> cache = FigureCache(tempfile.mkdtemp(), vocab)
        >>> doc = document_from_text("About 129 hostages are still held.", published="2023-12-19")
        >>> cache.get(doc) is None
        True
        >>> cache.put(doc, extract_document(doc, vocab))
        >>> cache.get(doc) == extract_document(doc, vocab)
        True
    """

    def __init__(self, root: str | os.PathLike[str] | None, vocab: Vocabulary) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.vocab = vocab
        self.hits = 0
        self.misses = 0
        self.rejected = 0
        self._write_failed = False

    def path_for(self, key: str) -> Path:
        """Return the file that holds (or would hold) the entry for ``key``."""
        return self.root / f"v{CACHE_FORMAT}" / key[:2] / f"{key}.json"

    def get(self, doc: Document) -> list[dict[str, Any]] | None:
        """Return the cached figures of ``doc``, or None when there is no sound entry for it."""
        hit = self.fetch(doc)
        return None if hit is None else hit.rows

    def fetch(self, doc: Document) -> CacheHit | None:
        """Return the cached figures of ``doc`` with their validation mark, or None when there is no sound entry."""
        key = document_key(doc, self.vocab)
        path = self.path_for(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        hit = _decode(data, key)
        if hit is None:
            self.rejected += 1
            self.misses += 1
            log.debug("cache entry %s is damaged; rebuilding it", path)
            return None
        self.hits += 1
        return hit

    def put(self, doc: Document, rows: list[dict[str, Any]], *, validated: bool = False) -> None:
        """Store the figures of ``doc`` (replacing any entry it has).

        Rows that JSON cannot carry back unchanged (a NaN, a tuple) are not cached, so a hit
        always equals a fresh extraction. A cache that cannot be written (read-only, disk full)
        is reported once as a warning and the run goes on without it.

        Args:
            doc: the document the rows were extracted from.
            rows: all its figures rows, as extracted.
            validated: True only when every one of ``rows`` has just passed the figures contract:
                the entry is then marked with `contract_fingerprint`, and runs under the same
                contract serve it without checking it again.
        """
        if self._write_failed:
            return
        key = document_key(doc, self.vocab)
        try:
            payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError):
            return
        if json.loads(payload) != rows:
            return
        fields: dict[str, Any] = {"figcheck_cache": CACHE_FORMAT, "key": key, "rows": len(rows),
                                  "sha256": hashlib.sha256(payload).hexdigest()}
        if validated:
            fields["contract"] = contract_fingerprint()
        header = json.dumps(fields).encode()
        try:
            _write_entry(self.path_for(key), header + b"\n" + payload + b"\n")
        except OSError as exc:
            self._write_failed = True
            log.warning("figcheck: cache folder %s cannot be written (%s); going on without the cache; "
                        "use --cache-dir DIR or --no-cache", self.root, exc.strerror or exc)


def _write_entry(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    Like `figcheck.output.atomic_write`, a reader never sees a half-written entry; unlike it,
    the file is not fsynced (which costs milliseconds per entry, a minute on a large corpus):
    an entry torn by a power cut fails its checksum and is rebuilt, so durability adds nothing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _decode(data: bytes, key: str) -> CacheHit | None:
    """Return the rows in a cache file with its contract mark, or None when anything about it is off."""
    head, sep, rest = data.partition(b"\n")
    if not sep or not rest.endswith(b"\n"):
        return None
    payload = rest[:-1]
    try:
        header = json.loads(head)
    except ValueError:
        return None
    if (not isinstance(header, dict) or header.get("figcheck_cache") != CACHE_FORMAT or header.get("key") != key
            or header.get("sha256") != hashlib.sha256(payload).hexdigest()):
        return None
    try:
        rows = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(rows, list) or len(rows) != header.get("rows") or not all(isinstance(r, dict) for r in rows):
        return None
    contract = header.get("contract")
    return CacheHit(rows, contract if isinstance(contract, str) else None)


__all__ = ["CACHE_FORMAT", "CacheHit", "FigureCache", "code_digest", "contract_digest", "contract_fingerprint",
           "default_cache_dir", "document_key", "extractor_fingerprint"]
