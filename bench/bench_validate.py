"""Benchmark: the figures contract (figcheck.validate) on a large figures table.

Builds N rows by repeating the figures of the example corpus under distinct document ids (so
figure ids stay unique), breaks a handful of rows, and times `validate_figures` with and without
the document texts. Prints rows/s and the peak memory of the process.

    .venv/bin/python bench/bench_validate.py            # 1,000,000 rows
    .venv/bin/python bench/bench_validate.py 200000     # another size
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main(n: int) -> None:
    t0 = time.perf_counter()
    import great_expectations  # noqa: F401 - timed on its own: the fixed cost of the contract

    import_s = time.perf_counter() - t0
    import figcheck
    from figcheck.validate import validate_figures
    from figcheck.vocab import load_vocabulary

    vocab = load_vocabulary()
    docs = figcheck.load(ROOT / "examples")
    base = figcheck.extract(docs, validate=False)
    copies = n // len(base) + 1
    frame = pd.concat([base] * copies, ignore_index=True).iloc[:n].copy()
    copy_no = (frame.index // len(base)).astype(str)
    frame["doc_id"] = (frame["doc_id"] + "#" + copy_no).astype(object)
    frame["figure_id"] = (frame["doc_id"] + ":" + frame["start"].astype(str)).astype(object)
    documents = pd.concat([docs.assign(doc_id=docs["doc_id"] + f"#{i}") for i in range(copies)], ignore_index=True)
    broken = frame.sample(10, random_state=0).index
    frame.loc[broken, "low"] = frame.loc[broken, "value"] + 1
    print(f"great_expectations import: {import_s:.1f}s; {len(frame):,} rows, {len(documents):,} documents")
    for label, docs_arg in (("without documents", None), ("with documents", documents)):
        t = time.perf_counter()
        good, problems = validate_figures(frame, docs_arg, vocab)
        dt = time.perf_counter() - t
        assert len(problems) == 10, problems[:3]
        print(f"{label}: {dt:.1f}s, {len(frame) / dt:,.0f} rows/s, {len(good):,} rows kept, {len(problems)} problems")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
