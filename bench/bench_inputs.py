"""Benchmark: enormous inputs through `figcheck extract` (a 50 MB article, a 50 MB JSONL file, 10,000 files).

Each case is built in a temporary folder and run in a fresh process, so the times include start-up
(and, unless --no-validate is given, importing great-expectations). Prints wall time, peak memory
(maximum resident set size of the child) and the exit code.

    .venv/bin/python bench/bench_inputs.py
    .venv/bin/python bench/bench_inputs.py --no-validate
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE = "Rescue teams searched the rubble of the market district through the night, residents said.\n"


def build(root: Path) -> dict[str, list[str]]:
    huge = root / "huge"
    huge.mkdir()
    with open(huge / "dump.txt", "w", encoding="utf-8") as fh:
        for _ in range(50 * 2**20 // len(LINE) + 1):
            fh.write(LINE)
    (huge / "good.txt").write_text("Israel says about 136 hostages are still held in Gaza.\n", encoding="utf-8")
    feed = root / "feed"
    feed.mkdir()
    body = LINE * 110
    with open(feed / "feed.jsonl", "w", encoding="utf-8") as fh:
        for i in range(50 * 2**20 // len(body) + 1):
            fh.write(json.dumps({"id": f"a{i}", "text": f"About {i} people were hurt. " + body}) + "\n")
    tenk = root / "tenk"
    for i in range(10_000):
        sub = tenk / f"part{i // 1000}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"a{i:05}.txt").write_text(f"Officials said {i + 1} people were displaced on Tuesday.\n",
                                          encoding="utf-8")
    return {"50 MB article (skipped by the limit)": [str(huge)],
            "50 MB JSON Lines file (10 KB articles)": [str(feed)],
            "10,000 files": [str(tenk)]}


def run(args: list[str], out: Path, extra: list[str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "figcheck", "extract", *args, "-o", str(out), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONHASHSEED="0"))
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    extra = [a for a in sys.argv[1:] if a == "--no-validate"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cases = build(root)
        for label, args in cases.items():
            wall, peak, code = run(args, root / "out.jsonl", extra)
            out = root / "out.jsonl"
            rows = len(out.read_text(encoding="utf-8").splitlines()) if out.exists() else 0
            print(f"{label}: {wall:.1f}s, peak {peak:,.0f} MB, exit {code}, {rows:,} rows")


if __name__ == "__main__":
    main()
