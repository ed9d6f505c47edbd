"""Corpus loading: formats, metadata precedence, doc ids, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ARTICLES
from figcheck import corpus
from figcheck.corpus import decode, infer_published, parse_date
from figcheck.errors import UsageError


def _docs(*paths, **kw):
    frame, problems = corpus.load([str(p) for p in paths], **kw)
    return {row["doc_id"]: row for row in frame.to_dict("records")}, problems


def test_folder_is_read_recursively_with_posix_doc_ids():
    docs, problems = _docs(ARTICLES / "mixed")
    assert problems == []
    assert sorted(docs) == ["front.md", "plain.txt", "sub/nested.txt"]


def test_manifest_gives_metadata_and_front_matter_wins_over_it():
    docs, _ = _docs(ARTICLES / "mixed")
    plain = docs["plain.txt"]
    assert (plain["source"], plain["published"], plain["published_basis"]) == (
        "Manifest Daily", "2023-11-20", "manifest")
    assert plain["title"] == "Plain article"
    front = docs["front.md"]
    # front matter wins over the manifest row for the same file
    assert (front["source"], front["published"], front["title"]) == ("Example Wire", "2023-11-27",
                                                                     "Truce holds for a fourth day")
    assert front["published_basis"] == "front_matter"
    # a manifest row may name a file in a sub-folder
    assert docs["sub/nested.txt"]["source"] == "Nested News"


def test_command_line_metadata_wins_over_everything():
    docs, _ = _docs(ARTICLES / "mixed", source="CLI Times", published="2024-02-02")
    assert {d["source"] for d in docs.values()} == {"CLI Times"}
    assert {d["published_basis"] for d in docs.values()} == {"cli"}


def test_front_matter_offsets_map_back_to_the_file():
    docs, _ = _docs(ARTICLES / "mixed" / "front.md")
    doc = docs["front.md"]
    raw = (ARTICLES / "mixed" / "front.md").read_text(encoding="utf-8")
    assert raw[doc["text_offset"]:] == doc["text"]
    assert doc["line_offset"] == 6
    assert doc["text"].startswith("\nTEL AVIV")


def test_html_main_text_title_outlet_and_date():
    docs, problems = _docs(ARTICLES / "page.html")
    assert problems == []
    doc = docs["page.html"]
    assert doc["source"] == "Test Gazette"
    assert doc["published"] == "2024-01-14"
    assert doc["published_basis"] == "html"
    assert "Hostage families rally" in doc["title"]
    assert "136 hostages still held" in doc["text"]
    assert "analytics" not in doc["text"] and "All rights reserved" not in doc["text"]


def test_jsonl_one_article_per_line():
    docs, problems = _docs(ARTICLES / "liveblog.jsonl")
    assert problems == []
    assert sorted(docs) == ["live-1", "live-2"]
    assert docs["live-1"]["title"] == "Truce extended"
    assert docs["live-2"]["published"] == "2023-11-29"
    assert docs["live-2"]["line_offset"] == 1


def test_jsonl_bad_line_is_reported_and_the_rest_read(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text('{"id": "a", "text": "Five hostages were freed."}\n{not json}\n'
                 + json.dumps({"id": "c", "text": "Seven more were freed."}) + "\n", encoding="utf-8")
    docs, problems = _docs(f)
    assert sorted(docs) == ["a", "c"]
    assert len(problems) == 1
    assert problems[0].line == 2 and "not JSON" in problems[0].message


def test_unreadable_files_are_named_and_the_rest_still_loads(tmp_path):
    (tmp_path / "good.txt").write_text("Some 130 hostages remain in Gaza.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 owners said 12 people were hurt.".encode("latin-1"))
    docs, problems = _docs(tmp_path)
    assert sorted(docs) == ["good.txt", "latin1.txt"]
    assert "Café" in docs["latin1.txt"]["text"]
    by_file = {Path(p.path).name: p for p in problems}
    assert by_file["binary.txt"].severity == "error"
    assert by_file["latin1.txt"].severity == "warning" and by_file["latin1.txt"].line == 1


def test_utf16_with_bom_is_read(tmp_path):
    (tmp_path / "u16.txt").write_bytes("\ufeff105 hostages were released.".encode("utf-16-le").join([b"\xff\xfe", b""])
                                       if False else "105 hostages were released.".encode("utf-16"))
    docs, problems = _docs(tmp_path)
    assert problems == []
    assert docs["u16.txt"]["text"] == "105 hostages were released."


def test_malformed_front_matter_is_reported_with_its_line_and_the_body_kept(tmp_path):
    f = tmp_path / "bad.md"
    f.write_text("---\ntitle: ok\nsource: [unclosed\n---\nAbout 129 hostages remain.\n", encoding="utf-8")
    docs, problems = _docs(f)
    assert docs["bad.md"]["text"].strip() == "About 129 hostages remain."
    assert len(problems) == 1 and problems[0].line >= 3 and problems[0].severity == "warning"


def test_impossible_date_in_front_matter_is_reported(tmp_path):
    f = tmp_path / "feb.md"
    f.write_text("---\npublished: 2024-02-31\n---\nAbout 129 hostages remain.\n", encoding="utf-8")
    docs, problems = _docs(f)
    assert docs["feb.md"]["published"] is None
    assert problems[0].line == 2 and "not a calendar date" in problems[0].message


def test_missing_path_is_a_usage_error():
    with pytest.raises(UsageError, match="no such file"):
        corpus.load(["/nonexistent/figcheck-test"])


def test_bad_published_option_is_a_usage_error():
    with pytest.raises(UsageError, match="not a date"):
        corpus.load([str(ARTICLES / "mixed")], published="31 February")


def test_parse_date_rejects_impossible_dates():
    assert parse_date("2024-02-29") == "2024-02-29"
    assert parse_date("March 26, 2024") == "2024-03-26"
    assert parse_date("26 March 2024") == "2024-03-26"
    assert parse_date("2023-02-29") is None
    assert parse_date("31 February 2024") is None


def test_published_is_inferred_only_from_the_text():
    assert infer_published("JERUSALEM, Nov. 9, 2023 — Israel's president said...") == ("2023-11-09", "dateline")
    text = "A rally on March 26, 2024.\nPhoto taken Feb. 7, 2024."
    assert infer_published(text) == ("2024-03-26", "latest_mention")
    assert infer_published("On Thursday Herzog said 240 hostages are held.") == (None, None)


def test_decode_reports_binary():
    text, _bom, problem = decode(b"\x00\x01\x02 binary")
    assert text is None and problem is not None and "binary" in problem.message
