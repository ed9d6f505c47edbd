"""figcheck's benchmark: full extraction beside plain quantulum3 on the same texts, in one run.

    python bench/run.py                      # the default run: a couple of minutes
    python bench/run.py --articles 5000 --memory-sizes 1000,5000,20000 --json bench/last.json

What it measures, in this order (see bench/README.md for the figures and the machine):

1. start-up, each in a fresh interpreter: figcheck (imports, vocabulary, quantulum3's unit
   lexicon) and quantulum3 (import and first parse);
2. on one core, in this process, on the same texts: figcheck's full extraction (reading the
   files and extracting every figure) and plain ``quantulum3.parser.parse``; the ratio of their
   throughputs, and the ratio with each side's start-up cost added;
3. ``figcheck extract -o FILE`` end to end as a user runs it (a fresh process, start-up
   included): one process, ``--jobs N``, a cold cache and a warm one;
4. peak memory (max RSS) of ``figcheck extract -o FILE`` for growing corpora;
5. the rules over 1,000,000 figures, when the rule engine is present.

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
from quantulum3 import parser
t_import = time.perf_counter() - t
parser.parse("About 5 km away, 12 people were hurt.")
print(t_import, time.perf_counter() - t)
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=500, help="synthetic articles in the main corpus (default 500)")
    ap.add_argument("--quantulum-articles", type=int, default=200,
                    help="how many of them plain quantulum3 parses too (default 200; it is ~10x slower)")
    ap.add_argument("--memory-sizes", default="500,1500,4500",
                    help="corpus sizes for the peak-memory runs, comma-separated (default 500,1500,4500)")
    ap.add_argument("--jobs", type=int, default=0, help="processes for the --jobs run (default 0: every core)")
    ap.add_argument("--rules-figures", type=int, default=1_000_000, help="figures for the rules timing")
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
        results["one_core"] = one_core(corpus_dir, args.quantulum_articles, "quantulum" in skip,
                                       results["startup"])  # type: ignore[arg-type]
        if "cli" not in skip:
            results["cli"] = cli_runs(corpus_dir, work, info, args.jobs)
        if "memory" not in skip:
            results["memory"] = memory_runs(work, [int(s) for s in args.memory_sizes.split(",") if s.strip()])
        if "rules" not in skip:
            results["rules"] = rules_run(args.rules_figures)
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
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem, "os": platform.platform(terse=True),
            "python": platform.python_version(), "versions": versions}


def print_machine(m: dict[str, object]) -> None:
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB RAM, {m['os']}, Python {m['python']}")
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


def one_core(corpus_dir: Path, q3_articles: int, skip_q3: bool, start: dict[str, float]) -> dict[str, object]:
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
                from quantulum3 import parser

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
            figures = len(extract_document(item, vocab))
            w, c = time.perf_counter() - w, time.thread_time() - c
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


def rules_run(n_figures: int) -> dict[str, object]:
    print(f"\n5. rules over {n_figures:,} figures")
    if importlib.util.find_spec("figcheck.engine") is None:
        print("   skipped: the rule engine (figcheck.engine) is not on this branch yet")
        return {"skipped": "no rule engine"}
    raise SystemExit("the rule engine is present but bench/run.py does not time it yet")


# --------------------------------------------------------------------------------------------
# the targets


def print_targets(r: dict[str, object]) -> None:
    print("\ntargets")
    one = r.get("one_core", {})
    if isinstance(one, dict) and "ratio" in one:
        print(f"   full extraction >= 5x plain quantulum3 (one core, same texts): {one['ratio']:.1f}x "
              f"({'met' if one['ratio'] >= 5 else 'NOT MET'}); with start-up: {one['ratio_with_startup']:.1f}x")
    rules = r.get("rules", {})
    if isinstance(rules, dict) and "seconds" in rules:
        print(f"   rules over {rules['figures']:,} figures < 30 s: {rules['seconds']:.1f} s "
              f"({'met' if rules['seconds'] < 30 else 'NOT MET'})")
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
