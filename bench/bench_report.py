"""Benchmark: every report format over the findings of a synthetic corpus.

    PYTHONHASHSEED=0 .venv/bin/python bench/bench_report.py [--figures 20000] [--repeat 1]

The figures table is `bench_rules.synthetic` (every metric, eight claimants, planted errors); the
shipped rules find the contradictions, then each format is rendered from the one findings table.
It prints, per format, the time to render and the size of the output, and the time of the
timelines alone (one matplotlib plot per metric). No document files exist, so locations fall
back to the figures' lines, as they do for a figures table loaded from Parquet.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_rules import synthetic  # noqa: E402

from figcheck.engine import run  # noqa: E402
from figcheck.report import RENDERERS  # noqa: E402
from figcheck.report import plots as plots_module  # noqa: E402
from figcheck.ruleset import load_rules  # noqa: E402
from figcheck.vocab import load_vocabulary  # noqa: E402


def main() -> None:
    """Run the benchmark and print one line per format."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--figures", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    vocab = load_vocabulary()
    figures = synthetic(args.figures)
    findings = run(figures, load_rules(None, vocab), vocab)
    print(f"{len(figures):,} figures, {len(findings):,} findings")
    for fmt, render in RENDERERS.items():
        best, size = float("inf"), 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = render(findings, figures, documents=int(figures["doc_id"].nunique()))
            best = min(best, time.perf_counter() - t0)
            size = len(out.encode("utf-8"))
        print(f"{fmt:9s} {best:8.2f} s  {size / 1e6:8.2f} MB")
    t0 = time.perf_counter()
    metrics = plots_module.plot_metrics(figures)
    for m in metrics:
        plots_module.timeline(figures, m, set())
    print(f"timelines {time.perf_counter() - t0:8.2f} s  ({len(metrics)} metrics)")


if __name__ == "__main__":
    main()
