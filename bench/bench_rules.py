"""Benchmark: the shipped rules over a synthetic figures table (default 100,000 figures).

    PYTHONHASHSEED=0 .venv/bin/python bench/bench_rules.py [--figures 100000] [--repeat 3]

The table mixes every metric, eight claimants (and unattributed figures), 10,000 documents and
two years of as-of dates. Values follow a consistent curve per metric (running totals grow, stocks
drain, event totals stay put), and one figure in a hundred is planted wrong by 20-40%, so every
rule kind has contradictions to find. It prints the time per run and findings per rule kind. No rule compares
every pair of figures: run time should grow about linearly with --figures.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from figcheck.engine import make_figures, run
from figcheck.ruleset import load_rules
from figcheck.vocab import load_vocabulary

CLAIMANTS = [None, "Hamas-run health ministry", "Gaza government media office", "IDF", "Israel", "Hamas", "UN OCHA",
             "senior Israeli official"]


def synthetic(n: int, seed: int = 0, planted_share: float = 0.01) -> pd.DataFrame:
    """A figures table of ``n`` rows (see the module docstring)."""
    vocab = load_vocabulary()
    metrics = [m.id for m in vocab.metrics.values()]
    behaviour = {m.id: m.behaviour for m in vocab.metrics.values()}
    rng = np.random.default_rng(seed)
    metric = rng.choice(metrics, n)
    day = rng.integers(0, 730, n)
    base = np.where([behaviour[m] == "stock" for m in metric], 500 - day * 0.5, 100 + day * 40.0)
    base = np.where([behaviour[m] == "event_total" for m in metric], 1200.0, base)
    planted = rng.random(n) < planted_share  # by default one figure in a hundred is wrong by 20-40%
    value = np.round(base * np.where(planted, rng.choice([0.6, 0.8, 1.2, 1.4], n), 1.0)).clip(1)
    qual = rng.choice(["exact", "approx", "at_least"], n, p=[0.7, 0.2, 0.1])
    low = np.where(qual == "approx", value * 0.95, value)
    high = np.where(qual == "approx", value * 1.05, np.where(qual == "at_least", np.inf, value))
    dates = (np.datetime64("2023-10-07") + day.astype("timedelta64[D]")).astype(str)
    docs = rng.integers(0, 10_000, n)
    modality = rng.choice(["asserted", "estimate", "belief", "proposal"], n, p=[0.85, 0.05, 0.05, 0.05])
    rows = [{"doc_id": f"doc{d:05d}.md", "metric": m, "value": v, "low": lo, "high": hi, "qualifier": q,
             "as_of": "2023-10-07" if behaviour[m] == "event_total" else a, "published": a,
             "claimant": CLAIMANTS[c], "modality": mo, "start": i}
            for i, (d, m, v, lo, hi, q, a, c, mo) in enumerate(zip(
                docs, metric, value, low, high, qual, dates, rng.integers(0, len(CLAIMANTS), n), modality,
                strict=True))]
    return make_figures(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--planted", type=float, default=0.01, help="share of figures planted wrong")
    args = parser.parse_args()
    vocab = load_vocabulary()
    rules = load_rules(None, vocab)
    figures = synthetic(args.figures, planted_share=args.planted)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        found = run(figures, rules, vocab)
        times.append(time.perf_counter() - t0)
    print(f"{len(figures):,} figures, {len(rules)} rules: best {min(times):.2f} s, "
          f"median {sorted(times)[len(times) // 2]:.2f} s over {args.repeat} runs; {len(found):,} findings")
    print(found.groupby("kind").size().to_string())


if __name__ == "__main__":
    main()
