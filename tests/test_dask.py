"""--dask: extraction on a distributed.LocalCluster gives byte-identical figures and a partitioned Parquet dataset."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ARTICLES, EXAMPLES
from figcheck import corpus, parallel
from figcheck.cache import FigureCache
from figcheck.cli import app
from figcheck.corpus import Document
from figcheck.errors import UsageError
from figcheck.vocab import load_vocabulary
from test_parallel import plain_bytes, write_corpus

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed (pip install -e '.[dask]')")

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc:
        yield lc


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask") / "corpus"
    write_corpus(root, 60, seed=11)
    return root


def cli(*args):
    return runner.invoke(app, ["extract", *map(str, args)])


def test_dask_jsonl_is_byte_identical_to_a_plain_run(tmp_path, cluster, big, monkeypatch):
    # Small partitions so that the 60+ documents go out as many tasks over both workers.
    monkeypatch.setattr(parallel, "DASK_BATCHING", parallel.Batching(docs=5, chars=20_000, window=2))
    paths = [EXAMPLES, ARTICLES, big]
    out = tmp_path / "dask.jsonl"
    result = cli(*paths, "--dask", cluster.scheduler_address, "--no-cache", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == plain_bytes(paths, tmp_path)


def test_dask_seeds_are_byte_identical(tmp_path, cluster, seeds):
    out = tmp_path / "seeds.csv"
    assert cli(seeds, "--dask", cluster.scheduler_address, "--no-cache", "-f", "csv", "-o", out).exit_code == 0
    assert out.read_bytes() == plain_bytes([seeds], tmp_path, "csv")


def test_dask_work_runs_on_the_workers(client, big):
    vocab = load_vocabulary()
    docs = [d for d in corpus.iter_documents([str(big)]) if isinstance(d, Document)]
    with distributed.get_task_stream(client) as stream:
        rows = list(parallel.iter_figures(docs, vocab, dask=client))
    assert rows == list(parallel.iter_figures(docs, vocab))
    extracted_on = {t["worker"] for t in stream.data if str(t["key"]).startswith("_extract_batch_with")}
    assert extracted_on  # the figures were computed on the cluster, not here


def test_partitioned_parquet_reads_back_as_the_plain_table(tmp_path, client, big):
    vocab = load_vocabulary()
    plain = tmp_path / "plain.parquet"
    assert cli(big, "--no-cache", "-f", "parquet", "-o", plain).exit_code == 0
    dataset = tmp_path / "figures"
    results = parallel.iter_document_figures(corpus.iter_documents([str(big)]), vocab, dask=client)
    n = parallel.write_parquet_dataset(results, dataset, docs_per_part=7)
    parts = sorted(p.name for p in dataset.iterdir())
    assert parts == [f"part-{i:05d}.parquet" for i in range(9)]  # 60 documents, 7 per part
    expected = pd.read_parquet(plain)
    got = pd.concat([pd.read_parquet(dataset / p) for p in parts], ignore_index=True)
    assert n == len(expected)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(pd.read_parquet(dataset), expected)


def test_cli_dask_parquet_writes_a_folder_and_replaces_it_whole(tmp_path, cluster, big):
    dataset = tmp_path / "out"
    args = (big, "--dask", cluster.scheduler_address, "--no-cache", "-f", "parquet", "-o", dataset)
    assert cli(*args).exit_code == 0
    first = {p.name: p.read_bytes() for p in dataset.iterdir()}
    assert first
    assert all(name.startswith("part-") for name in first)
    assert cli(*args).exit_code == 0
    assert {p.name: p.read_bytes() for p in dataset.iterdir()} == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left behind

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli(big, "--dask", cluster.scheduler_address, "-f", "parquet", "-o", tmp_path)
    assert result.exit_code == 2
    assert "not figcheck parts" in result.stderr


def test_dask_with_cache_fills_and_reuses_it(tmp_path, client, big):
    vocab = load_vocabulary()
    store = FigureCache(tmp_path / "cache", vocab)
    expected = list(parallel.iter_figures(corpus.iter_documents([str(big)]), vocab))
    assert list(parallel.iter_figures(corpus.iter_documents([str(big)]), vocab, dask=client, cache=store)) == expected
    again = FigureCache(tmp_path / "cache", vocab)
    assert list(parallel.iter_figures(corpus.iter_documents([str(big)]), vocab, dask=client, cache=again)) == expected
    assert again.hits == 60


def test_workers_with_another_extractor_are_refused(client, monkeypatch):
    monkeypatch.setattr(parallel, "extractor_fingerprint", lambda: "another-version")
    with pytest.raises(UsageError, match="different figcheck extractor"):
        parallel.check_workers(client)


def test_dask_local_runs_its_own_cluster(tmp_path):
    out = tmp_path / "local.jsonl"
    result = cli(EXAMPLES, "--dask", "local", "--jobs", "1", "--no-cache", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == plain_bytes([EXAMPLES], tmp_path)


def test_unreachable_scheduler_is_a_one_line_error(monkeypatch):
    monkeypatch.setattr(parallel, "DASK_CONNECT_TIMEOUT", "1s")
    result = cli(EXAMPLES, "--dask", "tcp://127.0.0.1:9", "--no-cache")
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.stderr
    assert "Traceback" not in result.output


def test_api_extract_on_dask_equals_plain_frame(client, big):
    import figcheck

    pd.testing.assert_frame_equal(figcheck.extract(big, dask=client), figcheck.extract(big))
