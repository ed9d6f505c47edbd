"""Files, folders, front matter, manifest.csv, HTML and JSONL -> documents."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import fnmatch
import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from figcheck.errors import UsageError
from figcheck.models import DOCUMENT_COLUMNS, Problem

#: File extensions read as articles, and the reader for each.
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

#: Names skipped when walking a folder: documentation, not articles. Files named explicitly are
#: always read.
DEFAULT_EXCLUDE = ("README*", "CHANGELOG*", "LICENSE*", "CONTRIBUTING*")

MANIFEST_NAME = "manifest.csv"
MANIFEST_KEYS = ("source", "published", "url", "title")

#: The largest article read, in bytes (a text, Markdown or HTML file; one JSONL line). News
#: articles are tens of kilobytes; a file this big is a dump or a mistake, and extracting it
#: would take minutes. Larger ones are reported and skipped; pass ``max_article_bytes=None``
#: (``--max-article-mb 0``) to read them anyway.
DEFAULT_MAX_ARTICLE_BYTES = 10 * 2**20

#: Per file, how many bad lines are reported one by one before the rest are only counted.
MAX_PROBLEMS_PER_FILE = 20

#: Signatures of common binary formats that a corpus folder may hold by mistake.
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
    (b"\x7fELF", "a program"),
)
_SURROGATES = re.compile("[\ud800-\udfff]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
#: Full dates a text may mention: "March 26, 2024", "26 March 2024", "2024-03-26".
_FULL_DATE_RES = (
    re.compile(_MONTH_RE + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>\d\d)-(?P<day>\d\d)\b"),
)
#: A dateline at the very start of the body: "JERUSALEM, Nov. 9, 2023 —" or "Nov 9, 2023 (Reuters) -".
_DATELINE_RE = re.compile(r"\A\s*(?:[A-Z][A-Z .'-]{1,40},\s*)?(?P<date>[^\n—–()-]{6,30}?)\s*(?:\(|—|–|-)")


class _StringDateLoader(yaml.SafeLoader):
    """A safe YAML loader that leaves dates as strings, so "2024-02-31" is reported, not raised."""


_StringDateLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Document:
    """One article: its text and what is known about where and when it appeared.

    ``text_offset`` and ``line_offset`` locate ``text`` inside the file (front matter and a
    byte-order mark come before it), so a figure's offsets map back to the article file.
    For HTML they are ``-1``: the text is extracted, not a slice of the file.
    """

    doc_id: str
    path: str
    source: str | None
    published: str | None
    published_basis: str | None
    url: str | None
    title: str | None
    text: str
    sha256: str
    text_offset: int = 0
    line_offset: int = 0
    format: str = "text"

    def as_row(self) -> dict[str, Any]:
        """Return the document as a dict keyed by `DOCUMENT_COLUMNS`."""
        return asdict(self)


@dataclass(frozen=True)
class _Meta:
    source: str | None = None
    published: str | None = None
    published_basis: str | None = None
    url: str | None = None
    title: str | None = None

    def over(self, other: _Meta) -> _Meta:
        """Fields of ``self`` where set, else those of ``other``."""
        return _Meta(
            source=self.source or other.source,
            published=self.published or other.published,
            published_basis=self.published_basis if self.published else other.published_basis,
            url=self.url or other.url,
            title=self.title or other.title,
        )


# --------------------------------------------------------------------------------------------
# public API


def iter_documents(
    paths: Sequence[str | os.PathLike[str]],
    *,
    source: str | None = None,
    published: str | None = None,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    max_article_bytes: int | None = DEFAULT_MAX_ARTICLE_BYTES,
) -> Iterator[Document | Problem]:
    """Yield every document under ``paths`` in a stable order, and a `Problem` for each bad input.

    Files are read one at a time and JSON Lines files line by line, so memory stays flat
    however large the corpus.

    Args:
        paths: files and folders; folders are walked recursively, in sorted order.
        source: outlet for every document, winning over front matter and manifest.
        published: publication date (YYYY-MM-DD) for every document, winning over all else.
        exclude: glob patterns of file names skipped while walking folders.
        max_article_bytes: articles larger than this (a file; a JSONL line) are reported and
            skipped; None reads everything.

    Yields:
        `Document` for each article read, `Problem` for each file, line or row that could not be.

    Raises:
        UsageError: a path does not exist or ``published`` is not a date.
    """
    cli_published = None
    if published is not None:
        cli_published = parse_date(published)
        if cli_published is None:
            raise UsageError(f"--published {published!r} is not a date; give it as YYYY-MM-DD")
    cli = _Meta(source=source, published=cli_published, published_basis="cli" if cli_published else None)

    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")

    seen_ids: set[str] = set()
    for arg in paths:
        root = Path(arg)
        if root.is_dir():
            files = _walk(root, exclude)
            base = root
        else:
            files = [root]
            base = root.parent
        manifests: dict[Path, dict[str, _Meta] | None] = {}
        for file in files:
            rel = file.relative_to(base).as_posix()
            manifest_problems: list[Problem] = []
            manifest_meta = _manifest_for(file, base, manifests, manifest_problems)
            yield from manifest_problems
            for item in _read_file(file, rel, manifest_meta, cli, max_article_bytes):
                if isinstance(item, Document):
                    doc_id = item.doc_id
                    if doc_id in seen_ids:
                        doc_id = f"{root.name}/{doc_id}"
                        item = replace(item, doc_id=doc_id)
                    if doc_id in seen_ids:
                        yield Problem(_shown(item.path), 0, f"duplicate document id {_shown(doc_id)!r}; skipped",
                                      "give each article a unique path or JSONL id")
                        continue
                    seen_ids.add(doc_id)
                yield item


def load(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    source: str | None = None,
    published: str | None = None,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    max_article_bytes: int | None = DEFAULT_MAX_ARTICLE_BYTES,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Load articles into a documents DataFrame (columns `DOCUMENT_COLUMNS`).

    Args:
        paths: a file or folder, or a list of them.
        source: outlet for every document (wins over front matter and manifest).
        published: publication date for every document (wins over everything).
        exclude: glob patterns of file names skipped while walking folders.
        max_article_bytes: articles larger than this are reported and skipped; None reads all.

    Returns:
        The documents table and the problems met on the way (unreadable files, bad rows).

    Example:
        >>> docs, problems = load("examples")  # doctest: +SKIP
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    docs: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for item in iter_documents(paths, source=source, published=published, exclude=exclude,
                               max_article_bytes=max_article_bytes):
        if isinstance(item, Document):
            docs.append(item.as_row())
        else:
            problems.append(item)
    frame = pd.DataFrame(docs, columns=DOCUMENT_COLUMNS)
    return frame, problems


def documents_from_frame(frame: pd.DataFrame) -> Iterator[Document]:
    """Turn a documents DataFrame (as `load` returns it) back into `Document` records."""
    for row in frame.to_dict("records"):
        yield Document(**{k: (None if _isna(row.get(k)) else row.get(k)) for k in DOCUMENT_COLUMNS
                          if k in row} | {"text": row.get("text") or ""})


def document_from_text(text: str, doc_id: str = "text", **meta: Any) -> Document:
    """Make a `Document` from a string (for the API, tests and notebooks).

    Args:
        text: the article text.
        doc_id: its id.
        **meta: ``source``, ``published`` (YYYY-MM-DD), ``url``, ``title``.
    """
    published = parse_date(meta["published"]) if meta.get("published") else None
    return Document(
        doc_id=doc_id,
        path=doc_id,
        source=meta.get("source"),
        published=published,
        published_basis="cli" if published else None,
        url=meta.get("url"),
        title=meta.get("title"),
        text=text,
        sha256=_sha(text),
    )


# --------------------------------------------------------------------------------------------
# dates


def parse_date(value: Any) -> str | None:
    """Return ``value`` as an ISO date string, or None when it is not a real calendar date.

    Accepts `datetime.date`, ``YYYY-MM-DD`` (optionally with a time), and full dates written
    out ("March 26, 2024", "26 March 2024"). "February 31" is not a date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?", text)
    if m:
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    for rx in _FULL_DATE_RES:
        m = rx.fullmatch(text.rstrip("."))
        if m:
            return _iso_from_match(m)
    return None


def find_full_dates(text: str) -> list[tuple[int, str]]:
    """Every full calendar date written in ``text``, as (offset, ISO date), in text order."""
    out = []
    for rx in _FULL_DATE_RES:
        for m in rx.finditer(text):
            iso = _iso_from_match(m)
            if iso:
                out.append((m.start(), iso))
    return sorted(out)


def infer_published(text: str) -> tuple[str | None, str | None]:
    """Infer a publication date from the text alone: a dateline, else the latest full date.

    Returns:
        (date, basis): basis ``dateline``, or ``latest_mention`` — a lower bound, since an
        article appears on or after the latest date it names — or (None, None).
    """
    head = text[:200]
    m = _DATELINE_RE.match(head)
    if m:
        iso = parse_date(m["date"].strip().rstrip(","))
        if iso:
            return iso, "dateline"
    dates = [d for _, d in find_full_dates(text)]
    if dates:
        return max(dates), "latest_mention"
    return None, None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _iso_from_match(m: re.Match[str]) -> str | None:
    groups = m.groupdict()
    month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS.get(groups["month"].lower().rstrip("."))
    if month is None:
        return None
    return _iso(int(groups["year"]), month, int(groups["day"]))


# --------------------------------------------------------------------------------------------
# reading files


def decode(data: bytes) -> tuple[str | None, int, Problem | None]:
    """Decode file bytes to text.

    Returns:
        (text, bom_chars, problem). ``text`` is None when the bytes are not text (binary).
        UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; other bytes that are
        not UTF-8 are read as Windows-1252 with a warning naming the first bad line.
        The ``problem`` has path "" and is completed by the caller.
    """
    if data.startswith(codecs.BOM_UTF8):
        data, bom = data[len(codecs.BOM_UTF8) :], 1
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), 1, None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n\x00") + 1
            return None, 0, Problem("", line, "has a UTF-16 byte-order mark but is not valid UTF-16",
                                    "re-save the file as UTF-8")
    else:
        bom = 0
    kind = binary_kind(data)
    if kind is not None:
        return None, 0, Problem("", 0, f"is {kind}, not text", "remove it from the corpus or convert it to UTF-8 text")
    try:
        return data.decode("utf-8"), bom, None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
        if controls > max(8, len(text[:65536]) // 100):
            return None, 0, Problem("", line, "is binary, not text", "remove it from the corpus")
        return text, bom, Problem(
            "", line, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x}); read as Windows-1252",
            "re-save the file as UTF-8 to silence this", severity="warning")


def binary_kind(data: bytes) -> str | None:
    """Say what binary format ``data`` is in ("a PDF document", "binary"), or None for text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:65536]:
        return "binary (it contains NUL bytes)"
    return None


def _shown(path: str) -> str:
    """Render a path for messages: control characters (a newline in a file name) escaped."""
    if path.isprintable():
        return path
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in path)


def _text_name(name: str) -> str:
    """Turn a file name into text that can be written as UTF-8.

    Bytes of the name that are not UTF-8 (Python keeps them as lone surrogates) are read as
    Windows-1252.
    """
    if not _SURROGATES.search(name):
        return name
    return re.sub("[\udc80-\udcff]", lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", errors="replace"),
                  _SURROGATES.sub(lambda m: m.group() if "\udc80" <= m.group() <= "\udcff" else "\ufffd", name))


def _read_file(
    file: Path, rel: str, manifest: dict[str, _Meta], cli: _Meta, max_bytes: int | None
) -> Iterator[Document | Problem]:
    path = _text_name(str(file))
    shown = _shown(path)
    if path != str(file):
        rel = _text_name(rel)
        yield Problem(shown, 0, f"file name is not UTF-8; its id is {_shown(rel)!r}", "rename the file",
                      severity="warning")
    try:
        info = file.stat()
    except OSError as exc:
        yield Problem(shown, 0, f"cannot be read: {exc.strerror or exc}", "check that it exists and its permissions")
        return
    if not stat.S_ISREG(info.st_mode):
        yield Problem(shown, 0, "is not a regular file (a pipe, socket or device); skipped",
                      "give articles as ordinary files")
        return
    suffix = file.suffix.lower()
    meta = manifest.get(_norm(file)) or _Meta()
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(file, path, shown, meta, cli, max_bytes)
        return
    if max_bytes is not None and info.st_size > max_bytes:
        yield Problem(shown, 0, f"is {_mb(info.st_size)}, more than the {_mb(max_bytes)} an article may be; skipped",
                      "split it into articles (one file each, or one JSONL line each), or raise the limit "
                      "with --max-article-mb")
        return
    try:
        data = file.read_bytes()
    except OSError as exc:
        yield Problem(shown, 0, f"cannot be read: {exc.strerror or exc}", "check its permissions")
        return
    if suffix in HTML_SUFFIXES:
        text, bom, problem = _decode_html(data)
    else:
        text, bom, problem = decode(data)
    if problem is not None:
        yield problem._replace(path=shown)
    if text is None:
        return
    if not text.strip():
        yield Problem(shown, 0, "is empty; skipped", "add the article text or remove the file",
                      severity="warning")
        return
    if suffix in HTML_SUFFIXES:
        yield from _read_html(text, path, shown, rel, meta, cli)
        return
    body, offset, lines, front, problems = _split_front_matter(text, shown)
    yield from problems
    merged = cli.over(front).over(meta)
    yield _document(rel, path, merged, body, offset + bom, lines, "markdown" if suffix != ".txt" else "text")


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def _document(doc_id: str, path: str, meta: _Meta, text: str, offset: int, lines: int, fmt: str) -> Document:
    published, basis = meta.published, meta.published_basis
    if not published:
        published, basis = infer_published(text)
    return Document(
        doc_id=doc_id,
        path=path,
        source=meta.source,
        published=published,
        published_basis=basis,
        url=meta.url,
        title=meta.title,
        text=text,
        sha256=_sha(text),
        text_offset=offset,
        line_offset=lines,
        format=fmt,
    )


def _split_front_matter(text: str, shown: str) -> tuple[str, int, int, _Meta, list[Problem]]:
    """Split YAML front matter off ``text``: (body, char offset, line offset, meta, problems)."""
    if not re.match(r"---[ \t]*\r?\n", text):
        return text, 0, 0, _Meta(), []
    end = re.search(r"^(?:---|\.\.\.)[ \t]*\r?$\n?", text[3:], re.M)
    if end is None:
        return text, 0, 0, _Meta(), [Problem(shown, 1, "front matter starts with '---' but never ends",
                                             "close it with a line '---'; the whole file was read as text",
                                             severity="warning")]
    head = text[3 : 3 + end.start()]
    offset = 3 + end.end()
    body = text[offset:]
    lines = text[:offset].count("\n")
    try:
        data = yaml.load(head, Loader=_StringDateLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1) if mark is not None else 1
        reason = getattr(exc, "problem", None) or "not valid YAML"
        return body, offset, lines, _Meta(), [Problem(shown, line, f"front matter is not valid YAML: {reason}",
                                                      "fix the YAML; the article text was read without it",
                                                      severity="warning")]
    except RecursionError:
        return body, offset, lines, _Meta(), [Problem(shown, 2, "front matter is nested too deeply to read",
                                                      "write it as 'key: value' lines; the article text was "
                                                      "read without it", severity="warning")]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return body, offset, lines, _Meta(), [Problem(shown, 2, "front matter is not a mapping of keys to values",
                                                      "write it as 'key: value' lines", severity="warning")]
    meta, problems = _meta_from_mapping(data, shown, lambda key: _key_line(head, key), "front_matter")
    return body, offset, lines, meta, problems


_TEXT_KEYS = {"source": ("source", "outlet", "sitename"), "url": ("url", "link"), "title": ("title", "headline")}


def _meta_from_mapping(data: dict[Any, Any], shown: str, line_of: Any, basis: str) -> tuple[_Meta, list[Problem]]:
    problems: list[Problem] = []
    date_key = "published" if "published" in data else "date"
    raw_date = data.get(date_key)
    published = None
    if raw_date not in (None, ""):
        if isinstance(raw_date, str | dt.date | int | float) and not isinstance(raw_date, bool):
            published = parse_date(raw_date)
        if published is None:
            problems.append(Problem(shown, line_of(date_key),
                                    f"'{date_key}: {_short(raw_date)}' is not a calendar date; ignored",
                                    "write it as YYYY-MM-DD", severity="warning"))

    def text_field(field: str) -> str | None:
        for key in _TEXT_KEYS[field]:
            value = data.get(key)
            if value in (None, ""):
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
                problems.append(Problem(shown, line_of(key), f"'{key}' must be text, not a {_kind(value)}; ignored",
                                        f"write '{key}: some text'", severity="warning"))
                continue
            text = _clean(str(value)).strip()
            if text:
                return text
        return None

    meta = _Meta(
        source=text_field("source"),
        published=published,
        published_basis=basis if published else None,
        url=text_field("url"),
        title=text_field("title"),
    )
    return meta, problems


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    return "list" if isinstance(value, list) else type(value).__name__


def _short(value: Any, limit: int = 60) -> str:
    """Render a value for a message: one line, at most ``limit`` characters, never a structure."""
    if not isinstance(value, str | int | float | dt.date):
        return f"<{_kind(value)}>"
    text = _shown(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(text: str) -> str:
    """Replace lone surrogates (from JSON escapes of half a pair) with U+FFFD, keeping offsets."""
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text


def _key_line(head: str, key: str) -> int:
    """1-based file line of ``key:``; ``head`` starts right after the opening ``---`` on line 1."""
    m = re.search(rf"^{re.escape(key)}\s*:", head, re.M)
    return head[: m.start()].count("\n") + 1 if m else 0


def _decode_html(data: bytes) -> tuple[str | None, int, Problem | None]:
    """Decode an HTML page, honouring a ``<meta charset>`` when the bytes are not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        m = _META_CHARSET.search(data[:4096])
        if m and binary_kind(data) is None:
            try:
                return data.decode(m.group(1).decode("ascii"), errors="replace"), 0, None
            except LookupError:
                pass
    return decode(data)


def _read_html(text: str, path: str, shown: str, rel: str, manifest: _Meta, cli: _Meta) -> Iterator[Document | Problem]:
    import trafilatura  # heavy; imported only when a corpus has HTML

    try:
        doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False,
                                          favor_precision=False, output_format="python")
    except (Exception, RecursionError) as exc:  # trafilatura raises many kinds on broken markup
        yield Problem(shown, 0, f"HTML could not be parsed: {_short(str(exc), 120)}",
                      "check that the file is an HTML page")
        return
    body = _clean((getattr(doc, "text", None) or "") if doc is not None else "")
    if not body.strip():
        yield Problem(shown, 0, "HTML page has no article text that could be extracted",
                      "check that the article is in the page's body, not loaded by script")
        return
    published = parse_date(getattr(doc, "date", None))
    page = _Meta(
        source=_clean(getattr(doc, "sitename", None) or "") or None,
        published=published,
        published_basis="html" if published else None,
        url=getattr(doc, "url", None) or None,
        title=_clean(getattr(doc, "title", None) or "") or None,
    )
    yield _document(rel, path, cli.over(page).over(manifest), body, -1, -1, "html")


def _read_jsonl(
    file: Path, path: str, shown: str, manifest: _Meta, cli: _Meta, max_bytes: int | None
) -> Iterator[Document | Problem]:
    """Read a JSON Lines file line by line (never whole), one article per line."""
    try:
        fh = file.open("rb")
    except OSError as exc:
        yield Problem(shown, 0, f"cannot be read: {exc.strerror or exc}", "check its permissions")
        return
    with fh:
        head = fh.read(65536)
        fh.seek(0)
        lines: Iterator[tuple[int, str | None, Problem | None, int]]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            lines = _utf16_lines(fh)
        else:
            kind = binary_kind(head[3:] if head.startswith(codecs.BOM_UTF8) else head)
            if kind is not None:
                yield Problem(shown, 0, f"is {kind}, not JSON Lines text", "remove it from the corpus")
                return
            lines = _utf8_lines(fh)
        reported = 0
        silenced = 0
        articles = 0

        def report(problem: Problem) -> Iterator[Problem]:
            nonlocal reported, silenced
            if problem.severity == "error":
                reported += 1
                if reported > MAX_PROBLEMS_PER_FILE:
                    silenced += 1
                    return
            yield problem

        for lineno, line, problem, size in lines:
            if problem is not None:
                yield from report(problem._replace(path=shown, line=lineno))
            if line is None or not line.strip():
                continue
            if max_bytes is not None and size > max_bytes:
                yield from report(Problem(shown, lineno, f"is {_mb(size)}, more than the {_mb(max_bytes)} an article "
                                          "may be; line skipped", "split it, or raise the limit with --max-article-mb"))
                continue
            for item in _jsonl_record(line, lineno, shown, path, manifest, cli):
                if isinstance(item, Problem):
                    yield from report(item)
                else:
                    articles += 1
                    yield item
        if silenced:
            yield Problem(shown, 0, f"{silenced} more bad lines were skipped without being listed",
                          "fix the lines listed above first")
        if articles == 0 and reported == 0:
            yield Problem(shown, 0, "has no articles; skipped", "write one JSON object per line",
                          severity="warning")


def _utf8_lines(fh: Any) -> Iterator[tuple[int, str | None, Problem | None, int]]:
    for lineno, raw in enumerate(fh, start=1):
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield lineno, raw.decode("utf-8"), None, len(raw)
        except UnicodeDecodeError as exc:
            text = raw.decode("cp1252", errors="replace")
            problem = Problem("", lineno, f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); read as Windows-1252",
                              "re-save the file as UTF-8", severity="warning")
            yield lineno, text, problem, len(raw)


def _utf16_lines(fh: Any) -> Iterator[tuple[int, str | None, Problem | None, int]]:
    reader = io.TextIOWrapper(fh, encoding="utf-16", errors="strict", newline="")
    lineno = 0
    try:
        for lineno, line in enumerate(reader, start=1):  # noqa: B007 - lineno is used after the loop
            yield lineno, line, None, len(line.encode("utf-8", errors="surrogatepass"))
    except UnicodeDecodeError:
        yield lineno + 1, None, Problem("", lineno + 1, "is not valid UTF-16; the rest of the file was skipped",
                                        "re-save the file as UTF-8"), 0


def _jsonl_record(
    line: str, lineno: int, shown: str, path: str, manifest: _Meta, cli: _Meta
) -> Iterator[Document | Problem]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        yield Problem(shown, lineno, f"is not JSON ({exc.msg} at column {exc.colno}); line skipped",
                      "write one JSON object per line")
        return
    except RecursionError:
        yield Problem(shown, lineno, "is JSON nested too deeply to read; line skipped",
                      'write {"id": ..., "text": ...} on each line')
        return
    if not isinstance(record, dict):
        yield Problem(shown, lineno, "is not a JSON object; line skipped",
                      'write {"id": ..., "text": ...} on each line')
        return
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        yield Problem(shown, lineno, "has no 'text' string; line skipped", "add the article text as 'text'")
        return
    if _SURROGATES.search(body):
        body = _clean(body)
        yield Problem(shown, lineno, "'text' has invalid characters (unpaired UTF-16 surrogates); replaced with U+FFFD",
                      "fix the escapes in the file", severity="warning")
    raw_id = record.get("id")
    if raw_id in (None, ""):
        doc_id = f"{Path(path).name}:{lineno}"
    elif isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
        doc_id = _clean(str(raw_id))
    else:
        yield Problem(shown, lineno, f"'id' must be text or a number, not a {_kind(raw_id)}; line skipped",
                      'write "id": "some-id"')
        return
    meta, problems = _meta_from_mapping(record, shown, lambda _key, n=lineno: n, "jsonl")
    yield from problems
    yield _document(doc_id, path, cli.over(meta).over(manifest), body, -1, lineno - 1, "jsonl")


# --------------------------------------------------------------------------------------------
# folders and manifests


def _walk(root: Path, exclude: Sequence[str]) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            if any(fnmatch.fnmatch(name, pat) for pat in exclude):
                continue
            found.append(Path(dirpath) / name)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _norm(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _manifest_for(
    file: Path, base: Path, cache: dict[Path, dict[str, _Meta] | None], problems: list[Problem]
) -> dict[str, _Meta]:
    """Metadata for ``file`` from every manifest.csv between ``base`` and its folder (nearest wins).

    Returns a mapping holding at most the file's own entry (keyed by its normalised path). Each
    manifest is read once per call of `iter_documents`; its problems go to ``problems`` the
    first time it is read.
    """
    folder = file.parent
    chain = []
    while True:
        chain.append(folder)
        if folder == base or folder.parent == folder or base not in folder.parents:
            break
        folder = folder.parent
    key = _norm(file)
    found: _Meta | None = None
    for folder in reversed(chain):
        if folder not in cache:
            cache[folder] = _read_manifest(folder / MANIFEST_NAME, problems)
        entries = cache[folder]
        if entries and key in entries:
            found = entries[key].over(found) if found is not None else entries[key]
    return {key: found} if found is not None else {}


def _read_manifest(path: Path, problems: list[Problem]) -> dict[str, _Meta] | None:
    if not path.is_file():
        return None
    shown = _shown(str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(shown, 0, f"cannot be read: {exc.strerror or exc}", "check its permissions"))
        return None
    text, _bom, problem = decode(data)
    if problem is not None:
        problems.append(problem._replace(path=shown))
    if text is None:
        return None
    entries: dict[str, _Meta] = {}
    first_line: dict[str, int] = {}
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    except csv.Error as exc:
        problems.append(Problem(shown, 1, f"header is not CSV ({exc}); ignored", "write a header such as "
                                "'path,source,published'"))
        return None
    if "path" not in fields:
        problems.append(Problem(shown, 1, "has no 'path' column; ignored",
                                "start it with a header such as 'path,source,published'"))
        return None
    reader.fieldnames = fields
    rows = iter(reader)
    lineno = reader.line_num
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(shown, lineno + 1, f"is not CSV ({exc}); the rest of the manifest was skipped",
                                    "close quoted values and keep each row on its line"))
            break
        lineno = reader.line_num
        rel = (row.get("path") or "").strip()
        if not rel:
            problems.append(Problem(shown, lineno, "row has no path; skipped", "give the article's file name"))
            continue
        if None in row:
            problems.append(Problem(shown, lineno, "row has more fields than the header; extra fields ignored",
                                    "quote values that contain commas", severity="warning"))
        target = path.parent / rel
        if not target.is_file():
            problems.append(Problem(shown, lineno, f"row names {_short(rel)!r}, which is not a file beside the "
                                    "manifest; ignored", "correct the path or remove the row", severity="warning"))
            continue
        key = _norm(target)
        if key in first_line:
            problems.append(Problem(shown, lineno, f"row repeats {_short(rel)!r} from line {first_line[key]}; "
                                    "this row wins", "keep one row per article", severity="warning"))
        first_line.setdefault(key, lineno)
        clean = {k: (v or "").strip() for k, v in row.items() if k in MANIFEST_KEYS}
        meta, row_problems = _meta_from_mapping(clean, shown, lambda _key, n=lineno: n, "manifest")
        problems.extend(row_problems)
        entries[key] = meta
    return entries


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
