"""Bad and hostile input: each row of the README's "Bad input" table, built here and checked against it.

Every case writes its inputs into a temporary folder beside one good article, runs `figcheck`,
and checks the exit code the README gives, the words the README quotes on stderr, the file and
line named, and that the good article was still extracted. Rows whose inputs are large or need a
killed process are checked in `test_robust_scale.py` and `test_fault.py`; `test_every_row_is_tested`
keeps the table and the tests in step.
"""

from __future__ import annotations

import codecs
import importlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import EXAMPLES, ROOT
from figcheck.cli import app

runner = CliRunner()

GOOD = "Israel says about 136 hostages are still held in Gaza.\n"
GOOD_SURFACE = "about 136"


# --------------------------------------------------------------------------------------------
# the README table


def readme_rows() -> dict[str, tuple[str, int]]:
    """The "Bad input" table: {input: (what happens, exit code)}."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Bad input\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith(("| input ", "|---")):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        assert len(cells) == 3, line
        rows[cells[0]] = (cells[1], int(cells[2]))
    return rows


def readme_row(key: str) -> tuple[str, int]:
    rows = readme_rows()
    assert key in rows, f"README 'Bad input' has no row {key!r}"
    return rows[key]


# --------------------------------------------------------------------------------------------
# cases


@dataclass
class Case:
    """Inputs for one README row and what to check beyond its exit code and quoted words."""

    build: Callable[..., list[str]]  # (tmp_path, corpus, monkeypatch) -> command-line arguments
    says: list[str]  # words stderr must contain; each is quoted in the README row
    where: list[str] = field(default_factory=list)  # "file:line" stderr must name (relative to the corpus)
    good: bool = True  # the good article is still extracted
    check: Callable[..., None] | None = None  # (tmp_path, corpus, result) -> None


def _w(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _rules_copy(tmp_path: Path, rule_files: bool = False) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for src in sorted((ROOT / "rules").glob("*.yaml")):
        if rule_files or not src.name.startswith("FC"):
            (folder / src.name).write_bytes(src.read_bytes())
    return folder


def _extract(corpus: Path, *more: str) -> list[str]:
    return ["extract", str(corpus), *more]


def build_binary(tmp_path, corpus, mp):
    _w(corpus, "nul.txt", b"Some 40 people\x00\x01\x02 were \x00 hurt")
    _w(corpus, "nul.jsonl", b'{"id": "x", "text": "\x00\x00"}\n\x00\x00\x00')
    return _extract(corpus)


def build_formats(tmp_path, corpus, mp):
    _w(corpus, "report.txt", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
    _w(corpus, "photo.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    _w(corpus, "letter.txt", b"PK\x03\x04" + b"word/document.xml" * 10)
    return _extract(corpus)


def build_latin1(tmp_path, corpus, mp):
    _w(corpus, "latin1.txt", "Gaza City\nThe café owner said\n12 people were hurt near the café.\n"
       .encode("latin-1"))
    return _extract(corpus)


def check_latin1(tmp_path, corpus, result):
    rows = _rows(result)
    assert any(r["doc_id"] == "latin1.txt" and r["surface"] == "12" for r in rows)


def build_utf16(tmp_path, corpus, mp):
    _w(corpus, "wide.txt", codecs.BOM_UTF16_LE + "Officials said 240 hostages were taken.\n".encode("utf-16-le"))
    _w(corpus, "wide-be.md", codecs.BOM_UTF16_BE + "About 1,200 people were killed.\n".encode("utf-16-be"))
    return _extract(corpus)


def check_utf16(tmp_path, corpus, result):
    rows = {r["doc_id"]: r for r in _rows(result)}
    texts = {"wide.txt": "Officials said 240 hostages were taken.\n", "wide-be.md": "About 1,200 people were killed.\n"}
    for doc_id, text in texts.items():
        row = rows[doc_id]
        assert text[row["start"]:row["end"]] == row["surface"]
    assert result.stderr == ""


def build_html_charset(tmp_path, corpus, mp):
    page = ('<html><head><meta charset="iso-8859-1"><title>Caf\xe9 blast</title></head><body><article>'
            "<p>At the caf\xe9 in the old town, about 40 people were hurt in the blast on Tuesday, officials "
            "said, and the market was closed for the day.</p><p>Residents said the damage was extensive "
            "and that repairs would take weeks.</p></article></body></html>")
    _w(corpus, "latin.html", page.encode("latin-1"))
    return _extract(corpus)


def check_html_charset(tmp_path, corpus, result):
    row = next(r for r in _rows(result) if r["doc_id"] == "latin.html")
    assert "At the café in the old town" in row["sentence"]
    assert result.stderr == ""


def build_crlf(tmp_path, corpus, mp):
    _w(corpus, "crlf.md", b"---\r\ntitle: Windows\r\n---\r\nGaza City\r\n\r\nAbout 40 people were hurt.\r\n"
                         b"Some 12 were killed.\r\n")
    return _extract(corpus)


def check_crlf(tmp_path, corpus, result):
    from figcheck import corpus as corpus_mod

    doc = next(d for d in corpus_mod.iter_documents([corpus / "crlf.md"]) if isinstance(d, corpus_mod.Document))
    raw = (corpus / "crlf.md").read_bytes().decode("utf-8")
    lines = raw.split("\n")
    rows = [r for r in _rows(result) if r["doc_id"] == "crlf.md"]
    assert [r["surface"] for r in rows] == ["About 40", "Some 12"]
    for row in rows:
        assert doc.text[row["start"]:row["end"]] == row["surface"]
        assert raw[doc.text_offset + row["start"]:doc.text_offset + row["end"]] == row["surface"]
        assert row["surface"] in lines[row["line"] - 1]
    assert doc.title == "Windows"


def build_non_utf8_name(tmp_path, corpus, mp):
    name = os.fsencode(str(corpus)) + b"/caf\xe9.txt"
    with open(name, "w", encoding="utf-8") as fh:
        fh.write("About 40 people were hurt.\n")
    return _extract(corpus)


def check_non_utf8_name(tmp_path, corpus, result):
    assert "café.txt" in {r["doc_id"] for r in _rows(result)}


def build_utf16_nobom(tmp_path, corpus, mp):
    _w(corpus, "wide.txt", "Officials said 240 hostages were taken.\n".encode("utf-16-le"))
    return _extract(corpus)


def build_empty(tmp_path, corpus, mp):
    _w(corpus, "empty.txt", b"")
    _w(corpus, "blank.md", "  \n\n\t\n")
    return _extract(corpus)


def build_huge(tmp_path, corpus, mp):
    with open(corpus / "dump.txt", "wb") as fh:  # 50 MB
        fh.write(b"Rescue teams searched the rubble of the market district through the night.\n" * 700_000)
    return _extract(corpus)


def build_front_matter(tmp_path, corpus, mp):
    _w(corpus, "unclosed-list.md", "---\ntitle: [unclosed\n---\nAbout 30 people were hurt.\n")
    _w(corpus, "not-mapping.md", "---\n- a\n- list\n---\nAbout 30 people were hurt.\n")
    _w(corpus, "never-closed.md", "---\ntitle: Truce\nAbout 30 people were hurt.\n")
    return _extract(corpus)


def check_front_matter(tmp_path, corpus, result):
    rows = {r["doc_id"] for r in _rows(result)}
    assert {"unclosed-list.md", "not-mapping.md", "never-closed.md"} <= rows


def build_front_matter_tag(tmp_path, corpus, mp):
    marker = tmp_path / "EXECUTED"
    _w(corpus, "tag.md", f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
                         "About 30 people were hurt.\n")
    return _extract(corpus)


def check_front_matter_tag(tmp_path, corpus, result):
    assert not (tmp_path / "EXECUTED").exists()
    assert "tag.md" in {r["doc_id"] for r in _rows(result)}


def build_impossible_dates(tmp_path, corpus, mp):
    _w(corpus, "front.md", "---\ntitle: Toll\npublished: 2024-02-31\n---\nAbout 30 people were hurt.\n")
    _w(corpus, "feed.jsonl", json.dumps({"id": "live-1", "text": "Ten were hurt.", "published": "2023-11-31"}) + "\n")
    _w(corpus, "sub/plain.txt", "About 30 people were hurt.\n")
    _w(corpus, "sub/manifest.csv", "path,source,published\nplain.txt,Wire,2024-04-31\n")
    return _extract(corpus)


def check_impossible_dates(tmp_path, corpus, result):
    rows = {r["doc_id"]: r for r in _rows(result)}
    assert rows["front.md"]["published"] is None
    assert rows["live-1"]["published"] is None
    assert rows["sub/plain.txt"]["published"] is None
    assert rows["sub/plain.txt"]["source"] == "Wire"  # the rest of the row is still used


def build_impossible_text_date(tmp_path, corpus, mp):
    _w(corpus, "dated.txt", "GAZA, Feb. 31, 2024 — About 30 people were hurt on 31 February 2024.\n")
    return _extract(corpus)


def check_impossible_text_date(tmp_path, corpus, result):
    rows = [r for r in _rows(result) if r["doc_id"] == "dated.txt"]
    assert rows
    assert all(r["published"] is None for r in rows)
    assert result.stderr == ""


def build_bad_published(tmp_path, corpus, mp):
    return _extract(corpus, "--published", "2024-02-31")


def build_manifest_errors(tmp_path, corpus, mp):
    _w(corpus, "a/one.txt", "About 30 people were hurt.\n")
    _w(corpus, "a/manifest.csv", "file,source\none.txt,Wire\n")
    _w(corpus, "b/two.txt", "About 30 people were hurt.\n")
    _w(corpus, "b/manifest.csv", 'path,source\n,Wire\ntwo.txt,"Daily\n')
    return _extract(corpus)


def check_manifest_errors(tmp_path, corpus, result):
    assert {"a/one.txt", "b/two.txt"} <= {r["doc_id"] for r in _rows(result)}


def build_manifest_warnings(tmp_path, corpus, mp):
    _w(corpus, "one.txt", "About 30 people were hurt.\n")
    _w(corpus, "manifest.csv", "path,source\ngone.txt,Wire\none.txt,Wire\none.txt,Daily\n")
    return _extract(corpus)


def check_manifest_warnings(tmp_path, corpus, result):
    rows = {r["doc_id"]: r for r in _rows(result)}
    assert rows["one.txt"]["source"] == "Daily"


def build_jsonl_errors(tmp_path, corpus, mp):
    lines = [json.dumps({"id": "ok-1", "text": "Five hostages were freed."}), "{not json}", "[1, 2]",
             json.dumps({"id": "no-text"}), "[" * 100_000 + "]" * 100_000,
             json.dumps({"id": "ok-2", "text": "Seven hostages were freed."})]
    _w(corpus, "feed.jsonl", "\n".join(lines) + "\n")
    return _extract(corpus)


def check_jsonl_errors(tmp_path, corpus, result):
    assert {"ok-1", "ok-2"} <= {r["doc_id"] for r in _rows(result)}


def build_many_bad_lines(tmp_path, corpus, mp):
    lines = ["{broken"] * 30 + [json.dumps({"id": "last", "text": "Nine hostages were freed."})]
    _w(corpus, "feed.jsonl", "\n".join(lines) + "\n")
    return _extract(corpus)


def check_many_bad_lines(tmp_path, corpus, result):
    listed = [line for line in result.stderr.splitlines() if "is not JSON" in line]
    assert len(listed) == 20
    assert "feed.jsonl: error: 10 more bad lines were skipped without being listed" in result.stderr
    assert "last" in {r["doc_id"] for r in _rows(result)}


def build_surrogates(tmp_path, corpus, mp):
    _w(corpus, "feed.jsonl", '{"id": "s", "text": "\\ud800 About 12 people were hurt \\udfff."}\n')
    return _extract(corpus)


def check_surrogates(tmp_path, corpus, result):
    row = next(r for r in _rows(result) if r["doc_id"] == "s")
    assert "\ufffd" in row["sentence"]
    assert row["surface"] == "About 12"


def build_html_empty(tmp_path, corpus, mp):
    _w(corpus, "page.html", "<html><head><title>x</title><script>var a = 1;</script></head><body></body></html>")
    return _extract(corpus)


def build_pipe(tmp_path, corpus, mp):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    os.mkfifo(corpus / "pipe.txt")
    return _extract(corpus)


def build_unreadable(tmp_path, corpus, mp):
    (corpus / "gone.txt").symlink_to(tmp_path / "no-such-file.txt")
    return _extract(corpus)


def build_broken_rules(tmp_path, corpus, mp):
    rules = _rules_copy(tmp_path)
    path = rules / "metrics.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("unit: person", "unit: bananas", 1), encoding="utf-8")
    return _extract(corpus, "--rules", str(rules))


def build_tagged_rule(tmp_path, corpus, mp):
    rules = _rules_copy(tmp_path, rule_files=True)
    marker = tmp_path / "EXECUTED"
    text = (ROOT / "rules" / "FC101.yaml").read_text(encoding="utf-8").replace("FC101", "FC900")
    _w(rules, "FC900.yaml", text + f'\nextra: !!python/object/apply:os.system ["touch {marker}"]\n')
    return ["check", str(corpus), "--rules", str(rules)]


def check_tagged_rule(tmp_path, corpus, result):
    assert not (tmp_path / "EXECUTED").exists()
    assert str(tmp_path / "rules" / "FC900.yaml") in result.stderr


def build_contract(tmp_path, corpus, mp):
    import figcheck.api
    import figcheck.parallel

    real = figcheck.api.extract_document

    def buggy(doc, vocab):  # an extractor bug: the interval misses the value
        return [dict(r, high=r["value"] - 1) if r["doc_id"] == "bug.txt" else r for r in real(doc, vocab)]

    mp.setattr(figcheck.api, "extract_document", buggy)
    mp.setattr(figcheck.parallel, "extract_document", buggy)
    _w(corpus, "bug.txt", "Officials said 240 hostages were taken.\n")
    return _extract(corpus)


def check_contract(tmp_path, corpus, result):
    assert "bug.txt" not in {r["doc_id"] for r in _rows(result)}
    assert "value <= high (value=240.0, high=239.0)" in result.stderr


def build_output_folder(tmp_path, corpus, mp):
    (tmp_path / "out").mkdir()
    return _extract(corpus, "-o", str(tmp_path / "out"))


def check_output_folder(tmp_path, corpus, result):
    assert list((tmp_path / "out").iterdir()) == []
    assert result.stderr.count("\n") == 1


CASES: dict[str, Case] = {
    "a binary file (NUL bytes) named `.txt`, `.md` or `.jsonl`":
        Case(build_binary, ["is binary"], ["nul.txt", "nul.jsonl"]),
    "a PDF, ZIP, image or Office file named as an article":
        Case(build_formats, ["is a PDF document, not text"], ["report.txt", "photo.md", "letter.txt"]),
    "invalid UTF-8 (a Latin-1 or Windows-1252 file)":
        Case(build_latin1, ["is not valid UTF-8"], ["latin1.txt:2"], check=check_latin1),
    "UTF-16 with a byte-order mark": Case(build_utf16, [], check=check_utf16),
    'an HTML page in another encoding that says so (`<meta charset="iso-8859-1">`)':
        Case(build_html_charset, [], check=check_html_charset),
    "Windows line endings (CRLF)": Case(build_crlf, [], check=check_crlf),
    "a file name that is not UTF-8": Case(build_non_utf8_name, ["file name is not UTF-8"], ["café.txt"],
                                          check=check_non_utf8_name),
    "UTF-16 without a byte-order mark": Case(build_utf16_nobom, ["is binary"], ["wide.txt"]),
    "an empty file, or one with only whitespace": Case(build_empty, ["is empty; skipped"], ["empty.txt", "blank.md"]),
    "an article over 10 MB (say a 50 MB dump)":
        Case(build_huge, ["more than the 10.0 MB an article may be; skipped"], ["dump.txt"]),
    "front matter that is not YAML, not a mapping, or never closed":
        Case(build_front_matter, ["front matter"], ["unclosed-list.md:3", "not-mapping.md:2", "never-closed.md:1"],
             check=check_front_matter),
    "front matter with a YAML tag such as `!!python/object/apply`":
        Case(build_front_matter_tag, ["is not valid YAML"], ["tag.md:2"], check=check_front_matter_tag),
    "an impossible date (`2024-02-31`) in front matter, a JSONL line or manifest.csv":
        Case(build_impossible_dates, ["is not a calendar date; ignored"],
             ["front.md:3", "feed.jsonl:1", "sub/manifest.csv:2"], check=check_impossible_dates),
    'an impossible date written in the text ("31 February 2024")':
        Case(build_impossible_text_date, [], check=check_impossible_text_date),
    "`--published 2024-02-31`": Case(build_bad_published, ["figcheck: error: --published '2024-02-31' is not a date"],
                                     good=False),
    "manifest.csv without a `path` column, a row without a path, broken quoting":
        Case(build_manifest_errors, ["has no 'path' column", "row has no path", "is not CSV"],
             ["a/manifest.csv:1", "b/manifest.csv:2", "b/manifest.csv:3"], check=check_manifest_errors),
    "a manifest.csv row for a file that is not there, or a repeated row":
        Case(build_manifest_warnings, ["which is not a file beside the manifest", "row repeats"],
             ["manifest.csv:2", "manifest.csv:4"], check=check_manifest_warnings),
    "a JSONL line that is not JSON, not an object, has no `text`, or is nested too deeply":
        Case(build_jsonl_errors, ["is not JSON", "is not a JSON object", "has no 'text' string", "nested too deeply"],
             ["feed.jsonl:2", "feed.jsonl:3", "feed.jsonl:4", "feed.jsonl:5"], check=check_jsonl_errors),
    "more than 20 bad lines in one JSONL file":
        Case(build_many_bad_lines, ["more bad lines were skipped without being listed"], ["feed.jsonl:20"],
             check=check_many_bad_lines),
    'a JSONL `text` with unpaired surrogates (`"\\ud800"`)':
        Case(build_surrogates, ["unpaired UTF-16 surrogates"], ["feed.jsonl:1"], check=check_surrogates),
    "an HTML page with no article text": Case(build_html_empty, ["no article text"], ["page.html"]),
    "a pipe or device named as an article": Case(build_pipe, ["is not a regular file"], ["pipe.txt"]),
    "a file that cannot be read (a broken link, no permission)":
        Case(build_unreadable, ["cannot be read"], ["gone.txt"]),
    "a broken rules folder: malformed YAML, an unknown kind or metric, a wrong type, a unit mismatch":
        Case(build_broken_rules, ["figcheck: error: ", "key '"], good=False),
    "a rules file with a YAML tag such as `!!python/object/apply`":
        Case(build_tagged_rule, ["is not valid YAML"], good=False, check=check_tagged_rule),
    "a figure that breaks the figures contract (`figcheck.validate`)":
        Case(build_contract, ["breaks the figures contract"], ["bug.txt:1"], check=check_contract),
    "`-o` names a folder, or a place that cannot be written":
        Case(build_output_folder, ["figcheck: error: cannot write"], good=False, check=check_output_folder),
}

#: Rows checked by tests elsewhere (they need big inputs or a separate process).
ELSEWHERE = {
    "a folder of 10,000 files": "test_robust_scale::test_a_folder_of_10000_files",
    "standard output closed early (`figcheck extract ... | head`)":
        "test_robust_inputs::test_closed_standard_output_stops_quietly",
    "SIGTERM during `figcheck extract -o FILE`": "test_fault::test_sigterm_during_extract_keeps_the_previous_file",
}


def _rows(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


@pytest.mark.parametrize("key", list(CASES), ids=[re.sub(r"\W+", "_", k)[:50] for k in CASES])
def test_bad_input_row(key, tmp_path, corpus, monkeypatch):
    what, code = readme_row(key)
    case = CASES[key]
    args = case.build(tmp_path, corpus, monkeypatch)
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, (result.exit_code, result.stderr)
    for words in case.says:
        assert f"`{words}" in what or words in what, f"README row does not quote {words!r}"
        assert words in result.stderr, result.stderr
    for where in case.where:
        assert f"{corpus / where}:" in result.stderr or f"{corpus / where} " in result.stderr \
            or re.search(rf"{re.escape(str(corpus / where))}(:\d+)?: ", result.stderr), (where, result.stderr)
    for line in result.stderr.splitlines():  # one line per problem, in the form compilers use
        assert re.match(r"^(figcheck: error: |.+?(:\d+)?: (error|warning): )", line), line
    if case.good:
        assert any(r["doc_id"] == "good.txt" and r["surface"] == GOOD_SURFACE for r in _rows(result))
    if case.check is not None:
        case.check(tmp_path, corpus, result)


def test_every_row_is_tested():
    rows = set(readme_rows())
    tested = set(CASES) | set(ELSEWHERE)
    assert rows - tested == set(), "README rows without a test"
    assert tested - rows == set(), "tests for rows the README does not have"
    for target in ELSEWHERE.values():
        module, name = target.split("::")
        assert callable(getattr(importlib.import_module(module), name, None)), target


def test_warnings_alone_leave_exit_code_0_and_errors_make_it_2(tmp_path, corpus):
    _w(corpus, "latin1.txt", "Caf\xe9 owners said 12 people were hurt.\n".encode("latin-1"))
    assert runner.invoke(app, _extract(corpus)).exit_code == 0
    _w(corpus, "nul.txt", b"\x00")
    assert runner.invoke(app, _extract(corpus)).exit_code == 2


def test_problems_name_paths_with_control_characters_on_one_line(tmp_path, corpus):
    _w(corpus, "evil\nname\x1b[31m.txt", b"\x00\x00")
    result = runner.invoke(app, _extract(corpus))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "evil\\nname\\x1b[31m.txt: error: is binary" in lines[0]


def test_a_manifest_that_is_binary_is_reported_and_the_articles_read(tmp_path, corpus):
    _w(corpus, "manifest.csv", b"\x00\x01\x02")
    result = runner.invoke(app, _extract(corpus))
    assert result.exit_code == 2
    assert f"{corpus / 'manifest.csv'}: error: is binary" in result.stderr
    assert _rows(result)


def test_leftover_temporary_output_files_are_never_read_as_articles(tmp_path, corpus):
    _w(corpus, ".figures.jsonl.abc123.tmp", "About 99 people were hurt.\n")
    _w(corpus, ".hidden.txt", "About 99 people were hurt.\n")
    result = runner.invoke(app, _extract(corpus))
    assert {r["doc_id"] for r in _rows(result)} == {"good.txt"}


def test_jsonl_with_a_bom_and_in_utf16_is_read(tmp_path, corpus):
    record = json.dumps({"id": "bom", "text": "Officials said 240 hostages were taken."}) + "\n"
    _w(corpus, "bom.jsonl", codecs.BOM_UTF8 + record.encode("utf-8"))
    _w(corpus, "wide.jsonl", codecs.BOM_UTF16_LE + record.replace("bom", "wide").encode("utf-16-le"))
    result = runner.invoke(app, _extract(corpus))
    assert result.exit_code == 0, result.stderr
    assert {"bom", "wide", "good.txt"} <= {r["doc_id"] for r in _rows(result)}


def test_yaml_front_matter_values_must_be_text(tmp_path, corpus):
    pairs = zip("abcdefgh", "bcdefghi", strict=True)
    laughs = "\n".join(['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
                       + [f"{n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in pairs])
    _w(corpus, "laughs.md", f"---\n{laughs}\ntitle: *i\nsource: {{outlet: Wire}}\n---\nAbout 30 people were hurt.\n")
    result = runner.invoke(app, _extract(corpus))
    assert result.exit_code == 0
    assert "laughs.md:11: warning: 'title' must be text, not a list; ignored" in result.stderr
    assert "laughs.md:12: warning: 'source' must be text, not a mapping; ignored" in result.stderr
    row = next(r for r in _rows(result) if r["doc_id"] == "laughs.md")
    assert row["source"] is None


def test_the_rest_is_processed_in_order_after_every_bad_input(tmp_path, corpus):
    """Many bad inputs at once: the good articles before, between and after them all come out, in order."""
    for i in range(3):
        _w(corpus, f"{i}-bad.txt", b"\x00")
        _w(corpus, f"{i}-good.txt", f"About {30 + i} people were hurt.\n")
    result = runner.invoke(app, _extract(corpus))
    docs = [r["doc_id"] for r in _rows(result)]
    assert docs == ["0-good.txt", "1-good.txt", "2-good.txt", "good.txt"]


# --------------------------------------------------------------------------------------------
# standard output closed early: needs a real pipe, so a real process


def test_closed_standard_output_stops_quietly(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(300):
        (folder / f"a{i:03}.txt").write_text(f"About {i + 10} people were hurt. Some {i + 5} were killed.\n",
                                             encoding="utf-8")
    _what, code = readme_row("standard output closed early (`figcheck extract ... | head`)")
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.Popen([sys.executable, "-m", "figcheck", "extract", str(folder), "--no-validate"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `head -1`
    _, err = proc.communicate(timeout=120)
    assert json.loads(first)["doc_id"] == "a000.txt"
    assert b"Traceback" not in err
    assert err == b""
    assert proc.returncode == code
    assert proc.returncode != -signal.SIGPIPE


def test_the_examples_still_extract_cleanly():
    result = runner.invoke(app, _extract(EXAMPLES))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert len(_rows(result)) > 50


def test_yaml_is_loaded_safely_everywhere():
    """No module reads YAML with a loader that can build Python objects."""
    offenders = []
    for path in sorted((ROOT / "src" / "figcheck").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"yaml\.(?:load|load_all|unsafe_load|full_load)\((?P<args>[^)]*)\)", text):
            if "unsafe" in m.group(0) or "full_load" in m.group(0) or "Loader=" not in m.group("args") \
                    or not re.search(r"Loader=(?:yaml\.SafeLoader|yaml\.CSafeLoader|_StringDateLoader)", m.group(0)):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert offenders == []
    assert issubclass(importlib.import_module("figcheck.corpus")._StringDateLoader, yaml.SafeLoader)
