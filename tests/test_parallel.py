"""--jobs: process-parallel extraction gives byte-identical figures, in the same order, with bounded memory."""

from __future__ import annotations

import json
import os
import random

import pandas as pd
import pytest
from typer.testing import CliRunner

import figcheck
from conftest import ARTICLES, EXAMPLES
from figcheck import corpus, parallel
from figcheck.api import iter_figures as plain_iter_figures
from figcheck.cache import FigureCache
from figcheck.cli import app
from figcheck.corpus import Document
from figcheck.output import write_figures
from figcheck.parallel import Batching, iter_figures
from figcheck.vocab import load_vocabulary

runner = CliRunner()

# Sentences written for these tests, in the style of wire copy; the numbers vary per article.
_SENTENCES = (
    "The Hamas-run health ministry in Gaza said on {weekday} that {killed:,} Palestinians had been killed "
    "since 7 October.",
    "Israel says about {held} hostages are still held in Gaza, {dead} of them believed to be dead.",
    "A total of {released} hostages were released during the week-long truce, the army said.",
    "More than {displaced:,} people have fled their homes, the UN relief agency estimated.",
    "Officials said {trucks} aid trucks crossed at Rafah on {weekday}, fewer than the {needed} a day needed.",
    "Some {wounded:,} people have been wounded, according to the ministry.",
    "Between {low} and {high} people were sheltering in the school when it was hit, witnesses said.",
    "The deal would free {proposed} prisoners in exchange for {swap} hostages, two officials said.",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def article(rng: random.Random, paragraphs: int) -> str:
    """A short article of ``paragraphs`` paragraphs with figures drawn from ``rng``."""
    out = []
    for _ in range(paragraphs):
        values = {
            "weekday": rng.choice(_WEEKDAYS), "killed": rng.randint(9_000, 32_000), "held": rng.randint(100, 140),
            "dead": rng.randint(20, 40), "released": rng.choice((105, 110, 112)),
            "displaced": rng.randint(1_000_000, 1_900_000), "trucks": rng.randint(40, 200),
            "needed": rng.choice((300, 500)), "wounded": rng.randint(20_000, 70_000), "low": rng.randint(20, 60),
            "high": rng.randint(61, 120), "proposed": rng.randint(300, 900), "swap": rng.randint(30, 45),
        }
        picked = rng.sample(_SENTENCES, k=rng.randint(1, 3))
        out.append(" ".join(s.format(**values) for s in picked))
    return "\n\n".join(out) + "\n"


def write_corpus(root, n: int, seed: int = 7) -> None:
    """``n`` articles under ``root``: front-matter .md, .txt with a manifest, and a .jsonl live blog."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    manifest = ["path,source,published"]
    blog = []
    for i in range(n):
        day = f"2024-0{1 + i % 3}-{10 + i % 18:02d}"
        text = article(rng, rng.randint(1, 12))
        kind = i % 4
        if kind == 0:
            name = f"txt-{i:04d}.txt"
            (root / name).write_text(text, encoding="utf-8")
            manifest.append(f"{name},Harbor Post,{day}")
        elif kind == 1:
            blog.append(json.dumps({"id": f"blog-{i:04d}", "source": "Example Wire", "published": day, "text": text}))
        else:
            (root / f"md-{i:04d}.md").write_text(
                f"---\ntitle: Report {i}\nsource: The Daily Ledger\npublished: {day}\n---\n{text}", encoding="utf-8")
    (root / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    (root / "live.jsonl").write_text("\n".join(blog) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    root = tmp_path_factory.mktemp("many") / "corpus"
    write_corpus(root, 80)
    return root


def plain_bytes(paths, tmp_path, fmt="jsonl", name="plain"):
    """The figures file a plain single-process run writes (the reference every path must equal)."""
    vocab = load_vocabulary()
    out = tmp_path / f"{name}.{fmt}"
    write_figures(plain_iter_figures(corpus.iter_documents([str(p) for p in paths]), vocab), fmt, out)
    return out.read_bytes()


def cli(*args):
    return runner.invoke(app, ["extract", *map(str, args)])


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_jobs_output_is_byte_identical_to_a_plain_run(tmp_path, many, fmt):
    paths = [EXAMPLES, ARTICLES, many]
    expected = plain_bytes(paths, tmp_path, fmt)
    out = tmp_path / f"jobs.{fmt}"
    result = cli(*paths, "--format", fmt, "--jobs", "2", "--no-cache", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == expected
    assert len(expected.splitlines()) > 500


def test_jobs_on_the_seeds_is_byte_identical(tmp_path, seeds):
    out = tmp_path / "seeds.jsonl"
    assert cli(seeds, "-j", "0", "--no-cache", "-o", out).exit_code == 0
    assert out.read_bytes() == plain_bytes([seeds], tmp_path)


def test_order_holds_with_tiny_batches_and_many_workers(tmp_path, many, monkeypatch):
    # Batches of one or two documents and a one-batch window: results come back out of order
    # from three workers and must be put back in document order.
    monkeypatch.setattr(parallel, "POOL_BATCHING", Batching(docs=2, chars=500, window=1))
    vocab = load_vocabulary()
    docs = list(corpus.iter_documents([str(many)]))
    expected = [row["figure_id"] for row in plain_iter_figures(docs, vocab)]
    got = [row["figure_id"] for row in iter_figures(docs, vocab, jobs=3)]
    assert got == expected
    assert len({fid.split(":")[0] for fid in got}) == 80


def test_api_extract_with_jobs_equals_plain_frame(many):
    plain = figcheck.extract(many)
    pd.testing.assert_frame_equal(figcheck.extract(many, jobs=2), plain)


def test_spawned_workers_pin_the_hash_seed_and_match_fork(tmp_path, many, monkeypatch):
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    vocab = load_vocabulary()
    docs = [d for d in corpus.iter_documents([str(many)]) if isinstance(d, Document)][:12]
    with parallel._PoolExecutor(2, vocab, start_method="spawn") as pool:
        rows = [r for batch in pool.submit(docs).result() for r in batch]
        seeds = {pool._pool.submit(parallel._worker_info).result()["hashseed"] for _ in range(6)}
    assert seeds == {parallel.HASH_SEED}
    assert "PYTHONHASHSEED" not in os.environ  # the pin is for the workers only, and is undone
    assert rows == [r for d in docs for r in plain_iter_figures([d], vocab)]


def test_reading_stays_bounded_ahead_of_writing(many):
    # The pipeline may read only a window of batches ahead of what it has handed on: a corpus
    # of any size then needs the memory of a few batches, not of all results.
    vocab = load_vocabulary()
    docs = [d for d in corpus.iter_documents([str(many)]) if isinstance(d, Document)] * 20  # 1600 documents
    pulled = 0

    def source():
        nonlocal pulled
        for d in docs:
            pulled += 1
            yield d

    stream = iter_figures(source(), vocab, jobs=2)
    next(stream)
    bound = parallel.POOL_BATCHING.window * 2 * parallel.POOL_BATCHING.docs + parallel.POOL_BATCHING.docs
    assert pulled <= bound < len(docs)
    stream.close()


def test_fully_cached_run_starts_no_worker(tmp_path, many, monkeypatch):
    vocab = load_vocabulary()
    cache = FigureCache(tmp_path / "cache", vocab)
    expected = list(plain_iter_figures(corpus.iter_documents([str(many)]), vocab))
    assert list(iter_figures(corpus.iter_documents([str(many)]), vocab, jobs=2, cache=cache)) == expected

    def no_pool(*_a, **_k):
        raise AssertionError("a worker pool was started although every document was cached")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    again = FigureCache(tmp_path / "cache", vocab)
    assert list(iter_figures(corpus.iter_documents([str(many)]), vocab, jobs=2, cache=again)) == expected
    assert again.hits == 80
    assert again.misses == 0


def test_jobs_reports_bad_inputs_and_extracts_the_rest(tmp_path, many):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "ok.txt").write_text("Israel says 129 hostages are still held in Gaza.\n", encoding="utf-8")
    (bad / "broken.jsonl").write_text('{"id": "a", "text": "About 24,000 people were killed."}\nnot json\n',
                                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli(bad, many, "--jobs", "2", "--no-cache", "-o", out)
    assert result.exit_code == 2
    assert "broken.jsonl:2" in result.stderr
    assert out.read_bytes() == plain_bytes([bad, many], tmp_path)


def test_negative_jobs_is_a_usage_error():
    result = cli(EXAMPLES, "--jobs", "-3")
    assert result.exit_code == 2
    assert "--jobs -3 is negative" in result.stderr
    assert "Traceback" not in result.output


def test_jobs_extract_in_worker_processes(tmp_path, many, monkeypatch):
    # Forked workers inherit this patch: each extraction notes which process ran it.
    log = tmp_path / "pids.txt"
    real = parallel.extract_document

    def noting(doc, vocab):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {doc.doc_id}\n")
        return real(doc, vocab)

    monkeypatch.setattr(parallel, "extract_document", noting)
    monkeypatch.setattr(parallel, "POOL_BATCHING", Batching(docs=2, chars=100_000, window=2))
    vocab = load_vocabulary()
    docs = [d for d in corpus.iter_documents([str(many)]) if isinstance(d, Document)]
    assert list(iter_figures(docs, vocab, jobs=2)) == list(plain_iter_figures(docs, vocab))
    calls = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
    workers = {pid for pid, doc_id in calls if doc_id != "text"}  # "text" is the warm-up before the fork
    assert str(os.getpid()) not in workers
    assert len(workers) == 2
    assert sorted(doc_id for _pid, doc_id in calls if doc_id != "text") == sorted(d.doc_id for d in docs)
