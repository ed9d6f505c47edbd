"""Extraction at scale: the figure cache, process-parallel extraction (--jobs) and a Dask cluster (--dask).

Every path here yields exactly what a plain single-process run yields, in the same order:
documents are read in order by the calling process, sent out in batches, and their figures are
put back in document order through a bounded window, so memory stays flat however large the
corpus is.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from figcheck.cache import FigureCache, extractor_fingerprint
from figcheck.corpus import Document, document_from_text
from figcheck.errors import UsageError
from figcheck.extract.figures import extract_document
from figcheck.models import Problem
from figcheck.vocab import Vocabulary

log = logging.getLogger("figcheck")

Rows = list[dict[str, Any]]
#: Where a document's rows came from: extracted now, a cache entry, or a cache entry whose rows
#: all passed the figures contract as it is now.
Origin = Literal["extracted", "cached", "validated"]

#: The hash seed pinned in worker processes that start a fresh interpreter.
HASH_SEED = "0"
#: How long to wait for a Dask scheduler to answer.
DASK_CONNECT_TIMEOUT = "30s"


@dataclass(frozen=True)
class Batching:
    """How documents are grouped before they are sent to a worker.

    Attributes:
        docs: at most this many documents per batch.
        chars: a batch is closed once its texts reach this many characters.
        window: at most this many batches are out at once per worker (bounds memory).
    """

    docs: int
    chars: int
    window: int


#: Batches for a local process pool: small, since a worker costs little to feed.
POOL_BATCHING = Batching(docs=16, chars=200_000, window=4)
#: Batches for a Dask cluster: larger, since each task has scheduler and network overhead.
DASK_BATCHING = Batching(docs=200, chars=2_000_000, window=2)


class _Pending(Protocol):
    def result(self) -> list[Rows]: ...


class _Done:
    """A batch that is already extracted (inline, or found in the cache)."""

    def __init__(self, results: list[Rows]) -> None:
        self._results = results

    def result(self) -> list[Rows]:
        return self._results


class _Executor(Protocol):
    slots: int

    def submit(self, docs: list[Document]) -> _Pending: ...


# --------------------------------------------------------------------------------------------
# the ordered pipeline


def iter_document_figures(
    items: Iterable[Document | Problem],
    vocab: Vocabulary,
    *,
    jobs: int | None = None,
    cache: FigureCache | None = None,
    dask: Any = None,
    problems: list[Problem] | None = None,
) -> Iterator[tuple[Document, Rows]]:
    """Each document with its figures, in input order, however they are computed.

    Args:
        items: documents and problems, as `figcheck.corpus.iter_documents` yields them.
        vocab: the vocabulary to extract with.
        jobs: worker processes; None or 1 extracts in this process, 0 uses every core. With
            ``dask="local"`` it is the number of local Dask workers (default: one per core).
        cache: a `FigureCache` to read before extracting and to fill after; None for no cache.
        dask: a scheduler address (``tcp://host:8786``), ``"local"`` for a cluster on this
            machine, or a ``distributed.Client``; None to run without Dask.
        problems: problems met in ``items`` are appended here as they pass.

    Yields:
        ``(document, figures rows)`` for every document, in the order of ``items``.
    """
    for doc, rows, origin in _stream(items, vocab, jobs, cache, dask, problems):
        if origin == "extracted" and cache is not None:
            cache.put(doc, rows)
        yield doc, rows


def iter_validated_document_figures(
    items: Iterable[Document | Problem],
    vocab: Vocabulary,
    on_problem: Callable[[Problem], None],
    *,
    jobs: int | None = None,
    cache: FigureCache | None = None,
    dask: Any = None,
    problems: list[Problem] | None = None,
    batch_rows: int | None = None,
) -> Iterator[tuple[Document, Rows]]:
    """`iter_document_figures` with only the rows that pass the figures contract (`figcheck.validate`).

    A document from a cache entry marked validated under the current contract
    (`figcheck.cache.contract_fingerprint`) is passed on as it is; every other document goes
    through `figcheck.validate.FigureValidator`, exactly as `figcheck.validate.validated_pairs`
    would take it. So a run whose documents are all validated hits never imports
    great-expectations, and the rows are those of an uncached run, in the same order.

    An extracted document is written to the cache after its check, marked validated when every
    row passed; one with a broken row is written unmarked, so the next run checks (and reports)
    it again. An unmarked hit whose rows all pass now is marked.

    Args:
        items: documents and problems, as `figcheck.corpus.iter_documents` yields them.
        vocab: the vocabulary to extract and validate with.
        on_problem: called with each broken row's `Problem` as batches are validated.
        jobs: worker processes, as for `iter_document_figures`.
        cache: a `FigureCache` to read before extracting and to fill (and mark) after checking.
        dask: a Dask scheduler address, ``"local"`` or a client, as for `iter_document_figures`.
        problems: problems met in ``items`` are appended here as they pass.
        batch_rows: rows per great-expectations run (see `figcheck.validate.FigureValidator`).

    Yields:
        ``(document, rows that pass)`` for every document, in the order of ``items``.
    """
    from figcheck.validate import FigureValidator  # it imports great-expectations only to check rows

    validator = FigureValidator(vocab, on_problem, batch_rows)
    held: deque[tuple[Rows, Origin]] = deque()  # what each document in the validator came with

    def settle(out: Iterable[tuple[Document, Rows]]) -> Iterator[tuple[Document, Rows]]:
        for doc, kept in out:
            rows, origin = held.popleft()
            if cache is not None and origin != "validated":
                passed = len(kept) == len(rows)  # kept is rows, filtered: every row passed
                if passed or origin == "extracted":
                    cache.put(doc, rows, validated=passed)
            yield doc, kept

    for doc, rows, origin in _stream(items, vocab, jobs, cache, dask, problems):
        held.append((rows, origin))
        yield from settle(validator.add(doc, rows, trusted=origin == "validated"))
    yield from settle(validator.flush())


def iter_figures(
    items: Iterable[Document | Problem],
    vocab: Vocabulary,
    *,
    jobs: int | None = None,
    cache: FigureCache | None = None,
    dask: Any = None,
    problems: list[Problem] | None = None,
) -> Iterator[dict[str, Any]]:
    """Figures rows, document after document: `figcheck.api.iter_figures` with a cache, jobs or Dask.

    Takes the arguments of `iter_document_figures`; the rows are byte for byte those of a plain run.
    """
    for _doc, rows in iter_document_figures(items, vocab, jobs=jobs, cache=cache, dask=dask, problems=problems):
        yield from rows


def _stream(
    items: Iterable[Document | Problem],
    vocab: Vocabulary,
    jobs: int | None,
    cache: FigureCache | None,
    dask: Any,
    problems: list[Problem] | None,
) -> Iterator[tuple[Document, Rows, Origin]]:
    """Each document with its figures and their origin, in input order; writes nothing to the cache."""
    if dask is not None:
        if isinstance(dask, str):
            with dask_client(dask, resolve_jobs(jobs or 0)) as client, _DaskExecutor(client, vocab) as executor:
                yield from _ordered(items, executor, DASK_BATCHING, cache, problems)
        else:
            with _DaskExecutor(dask, vocab) as executor:
                yield from _ordered(items, executor, DASK_BATCHING, cache, problems)
        return
    n = resolve_jobs(1 if jobs is None else jobs)
    if n > 1:
        with _PoolExecutor(n, vocab) as pool:
            yield from _ordered(items, pool, POOL_BATCHING, cache, problems)
    else:
        yield from _ordered(items, _InlineExecutor(vocab), Batching(1, 1, 1), cache, problems)


def resolve_jobs(jobs: int) -> int:
    """``jobs`` as a number of processes: 0 means every core; negative numbers are an error."""
    if jobs < 0:
        raise UsageError(f"--jobs {jobs} is negative; give a number of processes, or 0 for every core")
    if jobs == 0:
        return _cores()
    return jobs


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _ordered(
    items: Iterable[Document | Problem],
    executor: _Executor,
    batching: Batching,
    cache: FigureCache | None,
    problems: list[Problem] | None,
) -> Iterator[tuple[Document, Rows, Origin]]:
    """Send misses out in batches, keep at most ``window`` batches in flight, emit in input order."""
    window = max(1, batching.window * executor.slots)
    pending: deque[tuple[list[Document], _Pending, Origin]] = deque()
    batch: list[Document] = []
    size = 0

    def flush() -> None:
        nonlocal batch, size
        if batch:
            pending.append((batch, executor.submit(batch), "extracted"))
            batch, size = [], 0

    def emit(limit: int) -> Iterator[tuple[Document, Rows, Origin]]:
        while len(pending) > limit:
            docs, handle, origin = pending.popleft()
            results = handle.result()
            for doc, rows in zip(docs, results, strict=True):
                yield doc, rows, origin

    for item in items:
        if isinstance(item, Problem):
            if problems is not None:
                problems.append(item)
            continue
        hit = cache.fetch(item) if cache is not None else None
        if hit is not None:
            flush()
            pending.append(([item], _Done([hit.rows]), "validated" if hit.validated else "cached"))
        else:
            batch.append(item)
            size += len(item.text)
            if len(batch) >= batching.docs or size >= batching.chars:
                flush()
        yield from emit(window)
    flush()
    yield from emit(0)


# --------------------------------------------------------------------------------------------
# in this process


class _InlineExecutor:
    slots = 1

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def submit(self, docs: list[Document]) -> _Pending:
        return _Done([extract_document(doc, self.vocab) for doc in docs])


# --------------------------------------------------------------------------------------------
# a local process pool (--jobs)

_worker_vocab: Vocabulary | None = None


def _warm(vocab: Vocabulary) -> None:
    """Pay the one-off costs (quantulum3's unit lexicon, compiled patterns) in this process."""
    extract_document(document_from_text("About 5 km away, 12 people were hurt.", published="2024-01-01"), vocab)


def _init_worker(vocab: Vocabulary) -> None:
    global _worker_vocab
    _worker_vocab = vocab
    _warm(vocab)  # a no-op after fork: the parent warmed up before the pool started


def _extract_batch(docs: list[Document]) -> list[Rows]:
    assert _worker_vocab is not None, "worker was not initialised"
    return [extract_document(doc, _worker_vocab) for doc in docs]


def pool_start_method() -> str:
    """How worker processes start: ``fork`` on Linux (workers inherit the warmed-up lexicon), else ``spawn``."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


class _PoolExecutor:
    """A pool of ``jobs`` processes that starts once, on the first document to extract, and lives for the run.

    With ``fork`` (Linux) this process pays the one-off start-up cost (quantulum3's unit lexicon)
    once and every worker inherits it. With ``spawn`` each worker starts a fresh interpreter with
    ``PYTHONHASHSEED`` pinned (this process's value, else `HASH_SEED`) and loads it itself.
    """

    def __init__(self, jobs: int, vocab: Vocabulary, start_method: str | None = None) -> None:
        self.slots = jobs
        self.vocab = vocab
        self.start_method = start_method or pool_start_method()
        self._pool: ProcessPoolExecutor | None = None
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> _PoolExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._stack:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    def _start(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context(self.start_method)
        if self.start_method == "fork":
            _warm(self.vocab)  # once, here: every forked worker inherits it
        else:
            # spawned workers may start at any time during the run: keep the seed set until it ends
            self._stack.enter_context(_environ(PYTHONHASHSEED=os.environ.get("PYTHONHASHSEED", HASH_SEED)))
        return ProcessPoolExecutor(self.slots, mp_context=ctx, initializer=_init_worker, initargs=(self.vocab,))

    def submit(self, docs: list[Document]) -> _Pending:
        if self._pool is None:  # started on the first miss: a fully cached run starts no process
            self._pool = self._start()
        future: Future[list[Rows]] = self._pool.submit(_extract_batch, docs)
        return future


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --------------------------------------------------------------------------------------------
# a Dask cluster (--dask)


def _extract_batch_with(docs: list[Document], vocab: Vocabulary) -> list[Rows]:
    return [extract_document(doc, vocab) for doc in docs]


def _worker_info() -> dict[str, Any]:
    return {"fingerprint": extractor_fingerprint(), "hashseed": os.environ.get("PYTHONHASHSEED"),
            "python": sys.version.split()[0]}


class _DaskExecutor:
    """Batches of documents as tasks on a Dask cluster; the vocabulary is sent to every worker once."""

    def __init__(self, client: Any, vocab: Vocabulary) -> None:
        self.client = client
        self.vocab = vocab
        self._vocab_future: Any = None
        self.slots = max(1, sum(client.nthreads().values()))

    def __enter__(self) -> _DaskExecutor:
        check_workers(self.client)
        self._vocab_future = self.client.scatter(self.vocab, broadcast=True, hash=False)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._vocab_future is not None:
            self._vocab_future.release()
            self._vocab_future = None

    def submit(self, docs: list[Document]) -> _Pending:
        future: _Pending = self.client.submit(_extract_batch_with, docs, self._vocab_future, pure=False)
        return future


def check_workers(client: Any) -> None:
    """Make sure every Dask worker runs the same figcheck extractor as this process.

    Raises:
        UsageError: there are no workers, or a worker's extractor differs (another figcheck
            version, other source files, another quantulum3).
    """
    if not client.nthreads():
        raise UsageError("the Dask cluster has no workers; start some with `dask worker ADDRESS`")
    mine = extractor_fingerprint()
    for worker, info in sorted(client.run(_worker_info).items()):
        if info["fingerprint"] != mine:
            raise UsageError(f"Dask worker {worker} runs a different figcheck extractor than this machine; "
                             "install the same figcheck (and quantulum3) version on every worker")
        if info["hashseed"] in (None, "random"):
            log.warning("figcheck: Dask worker %s does not pin PYTHONHASHSEED; start workers with a nanny "
                        "(the default) or with PYTHONHASHSEED=0", worker)


@contextlib.contextmanager
def dask_client(address: str, workers: int = 0) -> Iterator[Any]:
    """Open a ``distributed.Client`` for ``--dask ADDRESS``; close it (and a local cluster) on exit.

    Args:
        address: a scheduler address (``tcp://host:8786``), or ``local`` for a
            ``distributed.LocalCluster`` on this machine.
        workers: worker processes of a local cluster; 0 for one per core.

    Raises:
        UsageError: dask is not installed, or the scheduler cannot be reached.
    """
    try:
        import distributed
    except ImportError:
        raise UsageError("--dask needs dask's distributed scheduler; install it with pip install 'figcheck[dask]'"
                         ) from None
    dist: Any = distributed  # untyped library
    if address == "local":
        n = workers or _cores()
        with dist.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
                dist.Client(cluster) as client:
            yield client
        return
    try:
        client = dist.Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address!r} ({exc}); start one with "
                         "`dask scheduler`, or use --dask local") from None
    try:
        yield client
    finally:
        client.close()


# --------------------------------------------------------------------------------------------
# partitioned Parquet


def write_parquet_dataset(
    results: Iterable[tuple[Document, Rows]],
    directory: str | os.PathLike[str],
    docs_per_part: int = 1000,
) -> int:
    """Write figures as a partitioned Parquet dataset: ``part-00000.parquet``, ... in document order.

    The parts are cut every ``docs_per_part`` documents, so the same corpus always gives the same
    parts; reading the folder back (``pandas.read_parquet(directory)``) gives the rows of a plain
    run in the same order. The folder is written beside its final place and swapped in only when
    complete: an interrupted run leaves any previous dataset untouched.

    Returns:
        The number of rows written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from figcheck.output import figure_arrow_schema

    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file; with --dask, parquet output is a folder of parts: give a folder name")
    if target.is_dir() and any(p for p in target.iterdir() if not p.name.startswith("part-")):
        raise UsageError(f"{target} holds files that are not figcheck parts; give a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    schema = figure_arrow_schema()
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    n = 0
    try:
        part: Rows = []
        docs = 0
        index = 0

        def write(rows: Rows) -> None:
            nonlocal index
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp / f"part-{index:05d}.parquet")
            index += 1

        for _doc, rows in results:
            part.extend(rows)
            docs += 1
            n += len(rows)
            if docs >= docs_per_part:
                write(part)
                part, docs = [], 0
        if part or index == 0:
            write(part)
        _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return n


def _swap_in(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


__all__ = [
    "DASK_BATCHING",
    "HASH_SEED",
    "POOL_BATCHING",
    "Batching",
    "check_workers",
    "dask_client",
    "iter_document_figures",
    "iter_figures",
    "iter_validated_document_figures",
    "pool_start_method",
    "resolve_jobs",
    "write_parquet_dataset",
]
