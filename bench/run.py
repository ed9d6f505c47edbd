"""figcheck's benchmark: full extraction beside plain quantulum3 on the same texts, in one run.

    PYTHONHASHSEED=0 python bench/run.py           # the default run: a few minutes
    PYTHONHASHSEED=0 python bench/run.py --articles 2000 --quantulum-articles 500 \
        --memory-sizes 1000,5000,20000 --rules-stress --json bench/results.json

What it measures, in this order (see bench/README.md for the figures and the machine):

1. start-up, each in a fresh interpreter: figcheck (imports, vocabulary, quantulum3's unit
   lexicon) and quantulum3 (import and first parse);
2. on one core, in this process, on the same texts, document by document and interleaved:
   figcheck's full extraction (reading the file and extracting every figure) and plain
   ``quantulum3.parser.parse``; the ratio of their throughputs (wall and CPU time), and the
   ratio with each side's start-up cost added;
3. ``figcheck extract -o FILE`` end to end as a user runs it (a fresh process, start-up
   included): one process, ``--jobs N``, a cold cache and a warm one;
4. peak memory (max RSS) of ``figcheck extract -o FILE`` for growing corpora;
5. the rules (``figcheck.engine.run``) over the figures extracted in 2, and over a table of
   1,000,000 figures that mostly agree (``--rules-stress`` adds bench/bench_rules.py's noisy
   table, in which most figures contradict another).

The corpus is synthetic (bench/templates.py), plus the seed articles when ../shared/corpus exists.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from templates import write_corpus  # noqa: E402

SEEDS = Path(os.environ.get("FIGCHECK_SHARED_CORPUS", ROOT.parent / "shared" / "corpus")) / "seeds"
ENV = {**os.environ, "PYTHONHASHSEED": "0"}

FIGCHECK_STARTUP = """
import time, warnings
t = time.perf_counter()
from figcheck import corpus
from figcheck.vocab import load_vocabulary
from figcheck.extract.figures import extract_document
vocab = load_vocabulary()
t_import = time.perf_counter() - t
extract_document(corpus.document_from_text("About 5 km away, 12 people were hurt.", published="2024-01-01"), vocab)
print(t_import, time.perf_counter() - t)
"""
QUANTULUM_STARTUP = """
import time, warnings
warnings.simplefilter("ignore")
t = time.perf_counter()
from quantulum3 import classifier, parser
classifier.USE_CLF = False  # its optional pickled classifier does not load under today's scikit-learn
t_import = time.perf_counter() - t
parser.parse("About 5 km away, 12 people were hurt.")
print(t_import, time.perf_counter() - t)
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=400, help="synthetic articles in the main corpus (default 400)")
    ap.add_argument("--quantulum-articles", type=int, default=150,
                    help="how many of them plain quantulum3 parses too (default 150; it is ~10x slower)")
    ap.add_argument("--memory-sizes", default="500,1000,2000",
                    help="corpus sizes for the peak-memory runs, comma-separated (default 500,1000,2000)")
    ap.add_argument("--jobs", type=int, default=0, help="processes for the --jobs run (default 0: every core)")
    ap.add_argument("--rules-figures", type=int, default=1_000_000, help="figures for the rules timing")
    ap.add_argument("--rules-stress", action="store_true",
                    help="also time bench/bench_rules.py's noisy table (most figures contradict; minutes)")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: quantulum,cli,memory,rules")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    ap.add_argument("--keep", type=Path, help="build the corpora in this folder and keep them")
    args = ap.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    work = args.keep or Path(tempfile.mkdtemp(prefix="figcheck-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"date": dt.date.today().isoformat(), "machine": machine()}
    try:
        print_machine(results["machine"])  # type: ignore[arg-type]
        corpus_dir = work / "corpus"
        if corpus_dir.exists():
            shutil.rmtree(corpus_dir)
        info = write_corpus(corpus_dir, args.articles, seeds_dir=SEEDS)
        results["corpus"] = info | {"seeds": (corpus_dir / "seeds").is_dir()}
        print(f"\ncorpus: {info['articles']:,} articles ({args.articles:,} synthetic"
              f"{' + the seeds' if (corpus_dir / 'seeds').is_dir() else ''}), {info['bytes'] / 1e6:.2f} MB of text")

        results["startup"] = startup()
        extracted: list[dict[str, object]] = []
        results["one_core"] = one_core(corpus_dir, args.quantulum_articles, "quantulum" in skip,
                                       results["startup"], extracted)  # type: ignore[arg-type]
        if "cli" not in skip:
            results["cli"] = cli_runs(corpus_dir, work, info, args.jobs)
        if "memory" not in skip:
            results["memory"] = memory_runs(work, [int(s) for s in args.memory_sizes.split(",") if s.strip()])
        if "rules" not in skip:
            results["rules"] = rules_run(args.rules_figures, extracted, args.rules_stress)
        print_targets(results)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nresults written to {args.json}")
    return 0


# --------------------------------------------------------------------------------------------
# the machine


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {}
    for pkg in ("figcheck", "quantulum3", "pandas", "pyarrow", "dask", "distributed"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[pkg] = metadata.version(pkg)
    mem = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1]) // 1024
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem, "os": platform.platform(terse=True),
            "python": platform.python_version(), "versions": versions,
            "load_average_1min": round(load[0], 1) if load else None}


def print_machine(m: dict[str, object]) -> None:
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB RAM, {m['os']}, Python {m['python']}; "
          f"load average {m['load_average_1min']} at start (other work slows every wall-clock figure)")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()))  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# 1. start-up


def startup() -> dict[str, float]:
    def run(code: str) -> tuple[float, float]:
        out = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=True)
        a, b = out.stdout.split()
        return float(a), float(b)

    fc_import, fc_total = run(FIGCHECK_STARTUP)
    q3_import, q3_total = run(QUANTULUM_STARTUP)
    print("\n1. start-up, fresh interpreter")
    print(f"   figcheck:   {fc_total:6.2f} s  (imports and vocabulary {fc_import:.2f} s, "
          f"quantulum3's unit lexicon and first extraction {fc_total - fc_import:.2f} s)")
    print(f"   quantulum3: {q3_total:6.2f} s  (import {q3_import:.2f} s, first parse {q3_total - q3_import:.2f} s)")
    return {"figcheck_s": fc_total, "figcheck_import_s": fc_import, "quantulum3_s": q3_total,
            "quantulum3_import_s": q3_import}


# --------------------------------------------------------------------------------------------
# 2. one core, same texts


def pin_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def one_core(corpus_dir: Path, q3_articles: int, skip_q3: bool, start: dict[str, float],
             keep: list[dict[str, object]]) -> dict[str, object]:
    """Time figcheck and plain quantulum3 on one core, document by document, interleaved.

    For each document figcheck reads it from disk and extracts every figure; right after,
    quantulum3 parses the same text (already in memory). Interleaving puts both under the same
    machine load, so their ratio holds even on a busy machine.
    """
    import warnings

    from figcheck import corpus
    from figcheck.extract.figures import extract_document
    from figcheck.text import split_sentences
    from figcheck.vocab import load_vocabulary

    saved = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    pinned = pin_one_core()
    try:
        vocab = load_vocabulary()
        t = time.perf_counter()
        extract_document(corpus.document_from_text("About 5 km away, 12 people were hurt.", published="2024-01-01"),
                         vocab)
        warm = time.perf_counter() - t
        parse = None
        if not skip_q3:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from quantulum3 import classifier, parser

                # quantulum3 as a plain install runs it: without its optional scikit-learn classifier,
                # whose pickle does not load under the scikit-learn that figcheck's train extra brings
                classifier.USE_CLF = False
                parser.parse("About 5 km away, 12 people were hurt.")  # its start-up is measured in part 1
                parse = parser.parse

        fc = {"all": [0.0, 0.0], "same": [0.0, 0.0]}  # wall, cpu
        q3 = [0.0, 0.0]
        n = {"all": 0, "same": 0}
        size = {"all": [0, 0, 0], "same": [0, 0, 0]}  # bytes, sentences, figures
        q3_quantities = 0
        items = corpus.iter_documents([str(corpus_dir)])
        while True:
            w, c = time.perf_counter(), time.thread_time()
            try:
                item = next(items)
            except StopIteration:
                break
            if not isinstance(item, corpus.Document):
                continue
            rows = extract_document(item, vocab)
            w, c = time.perf_counter() - w, time.thread_time() - c
            keep.extend(rows)
            figures = len(rows)
            same = parse is not None and n["same"] < q3_articles
            counts = (len(item.text.encode("utf-8")), len(split_sentences(item.text)), figures)
            for key in ("all", "same") if same else ("all",):
                fc[key][0] += w
                fc[key][1] += c
                n[key] += 1
                size[key] = [a + b for a, b in zip(size[key], counts, strict=True)]
            if same:
                assert parse is not None
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    w, c = time.perf_counter(), time.thread_time()
                    q3_quantities += len(parse(item.text))
                    q3[0] += time.perf_counter() - w
                    q3[1] += time.thread_time() - c

        (wall, cpu), (n_bytes, n_sent, n_fig), docs = fc["all"], size["all"], n["all"]
        res: dict[str, object] = {
            "pinned": pinned, "articles": docs, "bytes": n_bytes, "sentences": n_sent, "figures": n_fig,
            "figcheck_s": wall, "figcheck_cpu_s": cpu, "figcheck_warm_s": warm,
            "figcheck_articles_per_s": docs / wall, "figcheck_mb_per_s": n_bytes / 1e6 / wall,
            "figcheck_sentences_per_s": n_sent / wall,
        }
        print(f"\n2. one core ({pinned}), in one process; start-up excluded (part 1)")
        print(f"   figcheck full extraction (read the files + extract): {docs:,} articles, {n_sent:,} sentences, "
              f"{n_fig:,} figures in {wall:.2f} s (CPU {cpu:.2f} s)")
        print(f"      {docs / wall:8.1f} articles/s   {n_bytes / 1e6 / wall:6.2f} MB/s   "
              f"{n_sent / wall:8.0f} sentences/s")
        if parse is None:
            return res

        (s_wall, s_cpu), (s_bytes, s_sent, _), s_docs = fc["same"], size["same"], n["same"]
        ratio, ratio_cpu = q3[0] / s_wall, q3[1] / s_cpu
        ratio_start = (q3[0] + start["quantulum3_s"]) / (s_wall + start["figcheck_s"])
        res |= {
            "quantulum3_articles": s_docs, "quantulum3_s": q3[0], "quantulum3_cpu_s": q3[1],
            "quantulum3_quantities": q3_quantities, "quantulum3_articles_per_s": s_docs / q3[0],
            "quantulum3_mb_per_s": s_bytes / 1e6 / q3[0], "quantulum3_sentences_per_s": s_sent / q3[0],
            "figcheck_same_texts_s": s_wall, "figcheck_same_texts_cpu_s": s_cpu,
            "ratio": ratio, "ratio_cpu": ratio_cpu, "ratio_with_startup": ratio_start,
        }
        print(f"   plain quantulum3.parser.parse on the first {s_docs:,} of them (interleaved, document by document): "
              f"{s_sent:,} sentences, {q3_quantities:,} quantities in {q3[0]:.2f} s (CPU {q3[1]:.2f} s)")
        print(f"      {s_docs / q3[0]:8.1f} articles/s   {s_bytes / 1e6 / q3[0]:6.2f} MB/s   "
              f"{s_sent / q3[0]:8.0f} sentences/s")
        print(f"   figcheck on the same {s_docs:,} texts: {s_wall:.2f} s (CPU {s_cpu:.2f} s)")
        print(f"   ratio: figcheck has {ratio:.1f}x the throughput of plain quantulum3 (CPU time: {ratio_cpu:.1f}x)")
        print(f"   with each side's start-up added (figcheck {start['figcheck_s']:.2f} s, quantulum3 "
              f"{start['quantulum3_s']:.2f} s) on these {s_docs:,} texts: {ratio_start:.1f}x")
        fc_per, q3_per = s_wall / s_docs, q3[0] / s_docs
        if q3_per > 5 * fc_per:
            even = max(0.0, (5 * start["figcheck_s"] - start["quantulum3_s"]) / (q3_per - 5 * fc_per))
            res["articles_for_5x_with_startup"] = even
            print(f"   (from these rates: start-up included, figcheck is 5x faster on any corpus above "
                  f"{even:,.0f} articles)")
        return res
    finally:
        if saved is not None:
            os.sched_setaffinity(0, saved)


# --------------------------------------------------------------------------------------------
# 3. the command line, end to end


def run_cli(args: list[str], *, one_core: bool = False, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``python -m figcheck ARGS``; return wall time and the process's peak RSS (MB)."""
    cmd = [sys.executable, "-m", "figcheck", *args]
    cpu = min(os.sched_getaffinity(0)) if one_core and hasattr(os, "sched_getaffinity") else None
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=(lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return {"wall_s": wall, "max_rss_mb": usage.ru_maxrss / 1024}


def cli_runs(corpus_dir: Path, work: Path, info: dict[str, int], jobs: int) -> dict[str, object]:
    out = work / "figures.jsonl"
    env = {**ENV, "FIGCHECK_CACHE_DIR": str(work / "cache")}
    shutil.rmtree(work / "cache", ignore_errors=True)
    n, mb = info["articles"], info["bytes"] / 1e6
    runs = {
        "one process, --no-cache": run_cli(["extract", str(corpus_dir), "--no-cache", "-o", str(out)],
                                           one_core=True, env=env),
        f"--jobs {jobs}, --no-cache": run_cli(["extract", str(corpus_dir), "--no-cache", "--jobs", str(jobs),
                                               "-o", str(out)], env=env),
        "one process, cache cold (fills it)": run_cli(["extract", str(corpus_dir), "-o", str(out)], one_core=True,
                                                      env=env),
        "one process, cache warm": run_cli(["extract", str(corpus_dir), "-o", str(out)], one_core=True, env=env),
    }
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\n3. figcheck extract -o FILE, end to end in a fresh process (start-up included); {n:,} articles; "
          f"--jobs {jobs} = {jobs or cores} processes")
    for name, r in runs.items():
        r |= {"articles_per_s": n / r["wall_s"], "mb_per_s": mb / r["wall_s"]}
        print(f"   {name:38s} {r['wall_s']:7.2f} s  {r['articles_per_s']:8.1f} articles/s  "
              f"{r['mb_per_s']:6.2f} MB/s  peak RSS {r['max_rss_mb']:6.0f} MB")
    return runs


# --------------------------------------------------------------------------------------------
# 4. peak memory as the corpus grows


def memory_runs(work: Path, sizes: list[int]) -> dict[str, object]:
    print("\n4. peak memory (max RSS) of `figcheck extract --no-cache -o FILE`, one process, growing corpus")
    rows = {}
    for n in sizes:
        d = work / f"mem-{n}"
        if d.exists():
            shutil.rmtree(d)
        info = write_corpus(d, n)
        r = run_cli(["extract", str(d), "--no-cache", "-o", str(work / f"mem-{n}.jsonl")])
        out_mb = (work / f"mem-{n}.jsonl").stat().st_size / 1e6
        rows[str(n)] = r | {"text_mb": info["bytes"] / 1e6, "output_mb": out_mb}
        print(f"   {n:>7,} articles  {info['bytes'] / 1e6:7.1f} MB text  {out_mb:7.1f} MB output  "
              f"{r['wall_s']:7.1f} s  peak RSS {r['max_rss_mb']:6.0f} MB")
        shutil.rmtree(d, ignore_errors=True)
        (work / f"mem-{n}.jsonl").unlink()
    return rows


# --------------------------------------------------------------------------------------------
# 5. rules over many figures


#: A consistent war, day by day (day 0 = 2023-10-07): every metric as a function of the day, such
#: that sums balance, parts stay below wholes, running totals rise and draining stocks fall.
def _trajectories(d: object) -> dict[str, object]:
    import numpy as np

    d = np.asarray(d)
    released = np.where(d >= 50, 105.0, 0.0) + np.where(d >= 400, 30.0, 0.0)
    rescued = np.minimum(7.0, d // 100)
    bodies = np.minimum(40.0, d // 18)
    held = 253.0 - released - rescued - bodies
    gaza = 1_000.0 + 45.0 * d
    return {
        "hostages.taken": np.full(d.shape, 253.0), "hostages.held": held, "hostages.released": released,
        "hostages.rescued": rescued, "hostages.bodies_recovered": bodies,
        "hostages.dead": np.minimum(held, 30.0 + d // 30),
        "prisoners.released": np.where(d >= 50, 240.0, 0.0) + np.where(d >= 400, 300.0, 0.0),
        "prisoners.held": 7_000.0 + (d % 90) * 10.0,
        "deaths.gaza": gaza, "deaths.israel": np.full(d.shape, 1_200.0), "deaths.soldiers": 300.0 + d // 2,
        "deaths.militants": 1_000.0 + 10.0 * d, "deaths.children": np.round(gaza * 0.4),
        "deaths.women": np.round(gaza * 0.3), "deaths.journalists": 1.0 + d // 7, "deaths.aid_workers": 1.0 + d // 4,
        "deaths.westbank": 100.0 + d, "injured.gaza": np.round(gaza * 2.3), "injured.israel": 5_000.0 + 10.0 * d,
        "displaced.gaza": np.minimum(1_900_000.0, 400_000.0 + 5_000.0 * d), "population.gaza": np.full(d.shape, 2.2e6),
    }


def quiet_figures(n: int, outliers: float = 0.001, seed: int = 0) -> tuple[object, int]:
    """A figures table of ``n`` rows that agree, but for a few planted stale counts.

    Shaped like bench/bench_rules.py's table (the metrics the rules use, eight claimant series,
    two years of as-of dates, 70% exact, 20% approximate and 10% "at least" figures, 5%
    proposals), but every figure follows one consistent course of events (`_trajectories`), there
    are 20 figures per article as in the benchmark corpus, and ``outliers`` of the running totals
    are stale (60% of the count of their day). Findings are then rare, as in real news, and the
    time measured is the engine's own rather than the formatting of hundreds of thousands of
    messages.

    Returns:
        (figures DataFrame, number of planted stale counts)
    """
    import numpy as np
    import pandas as pd
    from bench_rules import CLAIMANTS

    from figcheck.models import FIGURE_COLUMNS
    from figcheck.vocab import load_vocabulary

    vocab = load_vocabulary()
    behaviour = {m.id: m.behaviour for m in vocab.metrics.values()}
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 730, n)
    courses = _trajectories(day)
    names = np.array([m for m in courses if m in behaviour], dtype=object)
    pick = rng.integers(0, len(names), n)
    metric = names[pick]
    value = np.choose(pick, [courses[m] for m in names]).astype(float).clip(1)
    kind = pd.Series(metric).map(behaviour).to_numpy(dtype=object)
    planted = (kind == "cumulative") & (rng.random(n) < outliers)
    value = np.where(planted, np.round(value * 0.6), value)
    qual = rng.choice(np.array(["exact", "approx", "at_least"], dtype=object), n, p=[0.7, 0.2, 0.1])
    low = np.where(qual == "approx", value * 0.95, value)
    high = np.where(qual == "approx", value * 1.05, np.where(qual == "at_least", np.inf, value))
    dates = (np.datetime64("2023-10-07") + day.astype("timedelta64[D]")).astype(str).astype(object)
    doc = pd.Series(rng.integers(0, max(1, n // 20), n)).map("doc{:06d}.md".format)
    start = np.arange(n, dtype=np.int64)
    surface = pd.Series(value).map("{:,.0f}".format)
    claimants = np.array(CLAIMANTS, dtype=object)
    frame = pd.DataFrame({
        "figure_id": doc + ":" + pd.Series(start).astype(str), "doc_id": doc, "source": None,
        "published": dates, "metric": metric, "value": value, "low": low, "high": high, "qualifier": qual,
        "unit": "person", "noun": None, "as_of": np.where(kind == "event_total", "2023-10-07", dates),
        "as_of_basis": "published", "claimant": claimants[rng.integers(0, len(claimants), n)],
        "modality": rng.choice(np.array(["asserted", "estimate", "belief", "proposal"], dtype=object), n,
                               p=[0.85, 0.05, 0.05, 0.05]),
        "surface": surface, "start": start, "end": start + surface.str.len().to_numpy(), "line": np.int64(1),
        "sentence": surface, "confidence": 1.0,
    }, columns=FIGURE_COLUMNS)
    for col in ("source", "noun", "claimant"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame, int(planted.sum())


def rules_run(n_figures: int, extracted_rows: list[dict[str, object]], stress: bool) -> dict[str, object]:
    print("\n5. rules (figcheck.engine.run with the shipped rules), one process pinned to one core")
    if importlib.util.find_spec("figcheck.engine") is None:
        print("   skipped: the rule engine (figcheck.engine) is not on this branch")
        return {"skipped": "no rule engine"}
    from figcheck.engine import run
    from figcheck.ruleset import load_rules
    from figcheck.vocab import load_vocabulary

    vocab = load_vocabulary()
    rules = load_rules(None, vocab)
    out: dict[str, object] = {"rules": len(rules)}

    def timed(name: str, figures: object, note: str) -> None:
        saved = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        pin_one_core()
        try:
            t, c = time.perf_counter(), time.process_time()
            found = run(figures, rules, vocab)  # type: ignore[arg-type]
            wall, cpu = time.perf_counter() - t, time.process_time() - c
        finally:
            if saved is not None:
                os.sched_setaffinity(0, saved)
        kinds = found.groupby("kind").size().to_dict() if len(found) else {}
        out[name] = {"figures": len(figures), "seconds": wall, "cpu_seconds": cpu,  # type: ignore[arg-type]
                     "findings": len(found), "findings_by_kind": kinds}
        print(f"   {name:9s} {len(figures):>9,} figures ({note}): {wall:6.1f} s (CPU {cpu:.1f} s), "  # type: ignore[arg-type]
              f"{len(found):,} findings " + ", ".join(f"{k} {v:,}" for k, v in kinds.items()))

    if extracted_rows:
        from figcheck.extract.figures import figures_frame

        timed("extracted", figures_frame(extracted_rows), "the figures extracted in part 2")
    t = time.perf_counter()
    figures, planted = quiet_figures(n_figures)
    print(f"   (built a quiet table of {n_figures:,} figures with {planted:,} planted stale counts in "
          f"{time.perf_counter() - t:.1f} s; not timed)")
    timed("quiet", figures, "mostly agreeing, 20 per article")
    del figures
    if stress:
        from bench_rules import synthetic

        t = time.perf_counter()
        figures = synthetic(n_figures)
        print(f"   (built bench_rules.py's noisy table in {time.perf_counter() - t:.1f} s; not timed)")
        timed("noisy", figures, "bench_rules.py: 1% of figures 20-40% off, 10,000 articles")
    return out


# --------------------------------------------------------------------------------------------
# the targets


def print_targets(r: dict[str, object]) -> None:
    print("\ntargets")
    one = r.get("one_core", {})
    if isinstance(one, dict) and "ratio" in one:
        print(f"   full extraction >= 5x plain quantulum3 (one core, same texts): {one['ratio']:.1f}x "
              f"({'met' if one['ratio'] >= 5 else 'NOT MET'}); with start-up: {one['ratio_with_startup']:.1f}x")
    rules = r.get("rules", {})
    for name in ("quiet", "noisy"):
        got = rules.get(name) if isinstance(rules, dict) else None
        if got:
            print(f"   rules over {got['figures']:,} figures ({name}) < 30 s of CPU on one core: "
                  f"{got['cpu_seconds']:.1f} s CPU, {got['seconds']:.1f} s wall "
                  f"({'met' if got['cpu_seconds'] < 30 else 'NOT MET'}); {got['findings']:,} findings")
    mem = r.get("memory", {})
    if isinstance(mem, dict) and len(mem) >= 2:
        sizes = sorted(mem, key=int)
        lo, hi = mem[sizes[0]], mem[sizes[-1]]
        growth = hi["max_rss_mb"] / lo["max_rss_mb"]
        print(f"   flat peak memory: {sizes[0]} -> {sizes[-1]} articles ({int(sizes[-1]) / int(sizes[0]):.0f}x the "
              f"corpus) moves peak RSS {lo['max_rss_mb']:.0f} -> {hi['max_rss_mb']:.0f} MB ({growth:.2f}x; "
              f"{'flat' if growth < 1.15 else 'GROWS'})")


if __name__ == "__main__":
    raise SystemExit(main())
