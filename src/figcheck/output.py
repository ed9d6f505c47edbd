"""Writing tables to files: atomically, streaming, in JSON Lines, CSV or Parquet."""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import math
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from figcheck.errors import UsageError
from figcheck.models import FIGURE_COLUMNS

FIGURE_FORMATS = ("jsonl", "csv", "parquet")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` and rename it over ``path`` only when the block succeeds.

    An interrupted run (an exception, SIGTERM, a crash) leaves any previous file at ``path``
    untouched, and never a half-written one.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
        >>> with atomic_write(p) as fh:
        ...     _ = fh.write("done")
        >>> p.read_text()
        'done'
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would, or the
        # mode of the file it replaces.
        os.chmod(tmp, _mode_for(target))
        kwargs: dict[str, Any] = {"encoding": encoding} if "b" not in mode else {}
        if "b" not in mode:
            kwargs["newline"] = ""
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); harmless where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def json_value(value: Any) -> Any:
    """Return a value as JSON can hold it: infinities and NaN become null (an open or unknown end)."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return value  # keep 129.0 a float: the column is float
        return value
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return json_value(value.item())
    return value


def figure_line(row: dict[str, Any]) -> str:
    """One figures row as a JSON Lines line (columns in contract order; open ends as null)."""
    return json.dumps({c: json_value(row.get(c)) for c in FIGURE_COLUMNS}, ensure_ascii=False) + "\n"


def write_figures(rows: Iterable[dict[str, Any]], fmt: str, path: str | os.PathLike[str] | None = None) -> int:
    """Write figures rows (dicts keyed by `FIGURE_COLUMNS`) as they come; return how many.

    Args:
        rows: the rows, possibly a generator: they are written one by one, so memory stays flat.
        fmt: ``jsonl``, ``csv`` or ``parquet``.
        path: the file to write atomically, or None for standard output (not for parquet).

    Raises:
        UsageError: unknown format, or parquet without a file.
    """
    if fmt not in FIGURE_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FIGURE_FORMATS)}")
    if fmt == "parquet":
        if path is None:
            raise UsageError("parquet is binary: give a file with -o FILE")
        return _write_parquet(rows, path)
    if path is None:
        return _write_text(rows, fmt, sys.stdout)
    with atomic_write(path) as fh:
        return _write_text(rows, fmt, fh)


def _write_text(rows: Iterable[dict[str, Any]], fmt: str, fh: IO[str]) -> int:
    n = 0
    if fmt == "jsonl":
        for row in rows:
            fh.write(figure_line(row))
            n += 1
        return n
    writer = csv.DictWriter(fh, fieldnames=FIGURE_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _csv_value(row.get(c)) for c in FIGURE_COLUMNS})
        n += 1
    return n


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return ""
        return repr(value)
    return value


def _write_parquet(rows: Iterable[dict[str, Any]], path: str | os.PathLike[str], batch: int = 50_000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = figure_arrow_schema()
    n = 0
    with atomic_write(path, "wb") as fh:
        writer = pq.ParquetWriter(fh, schema)
        buffer: list[dict[str, Any]] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= batch:
                writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
                n += len(buffer)
                buffer = []
        if buffer or n == 0:
            writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
            n += len(buffer)
        writer.close()
    return n


def figure_arrow_schema() -> Any:
    """Return the Arrow schema of the figures table (for Parquet)."""
    import pyarrow as pa

    types = {"value": pa.float64(), "low": pa.float64(), "high": pa.float64(), "confidence": pa.float64(),
             "start": pa.int64(), "end": pa.int64(), "line": pa.int64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in FIGURE_COLUMNS])
