"""Ingest speed: pages per second of the whole ingest vs pdfplumber's bare ``extract_text()``.

Both run over the same PDFs (default ``../shared/pdfs/health``) in the same process run. The
whole ingest is extraction, cleaning, layout, segmentation and writing a fresh store; it runs
with ``--jobs 1`` and ``--jobs 2``. Prints one line per measurement and the ratios.

Usage: python bench/bench_ingest.py [FOLDER] [--repeat N]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
import time
import warnings
from pathlib import Path

import pdfplumber

from realistcoder.ingest.pipeline import ingest
from realistcoder.store import open_store

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "pdfs" / "health"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baseline(files: list[Path]) -> tuple[int, float]:
    start, cpu = time.perf_counter(), cpu_seconds()
    pages = 0
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    baseline.cpu = cpu_seconds() - cpu  # type: ignore[attr-defined]
    return pages, time.perf_counter() - start


def whole_ingest(files: list[Path], jobs: int) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        start, cpu = time.perf_counter(), cpu_seconds()
        report = ingest(store, [str(f) for f in files], jobs=jobs)
        elapsed = time.perf_counter() - start
        whole_ingest.cpu = cpu_seconds() - cpu  # type: ignore[attr-defined]
        store.close()
    if report.failed:
        raise SystemExit(f"ingest failed: {[r.error for r in report.failed]}")
    return sum(r.n_pages for r in report.results), elapsed


def _spin(n: int) -> int:
    return sum(i * i for i in range(n))


def parallel_capacity() -> float:
    """How much faster two processes finish two CPU-bound tasks than one process does.

    About 2.0 on an idle machine with two free cores; less when other work competes. The
    ``--jobs 2`` speed-up cannot exceed it.
    """
    from concurrent.futures import ProcessPoolExecutor

    n = 3_000_000
    start = time.perf_counter()
    _spin(n), _spin(n)
    serial = time.perf_counter() - start
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [10, 10]))  # start the workers before timing
        start = time.perf_counter()
        list(pool.map(_spin, [n, n]))
        parallel = time.perf_counter() - start
    return serial / parallel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=1, help="take the best of N runs")
    args = parser.parse_args()
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    files = sorted(args.folder.glob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs in {args.folder}")

    def best(fn, *a):
        runs = [fn(*a) for _ in range(args.repeat)]
        return min(runs, key=lambda r: r[1])

    pages, t_base = best(baseline, files)
    load = os.getloadavg()[0]
    print(f"files: {len(files)}, pages: {pages}, CPUs: {os.cpu_count()}, load average: {load:.1f}"
          + ("  (busy machine: wall-clock ratios are noisy)" if load > 1 else ""))
    print(f"pdfplumber extract_text():  {pages / t_base:7.1f} pages/s  ({t_base:.2f} s, "
          f"{baseline.cpu:.2f} CPU s)")
    results = {}
    for jobs in (1, 2):
        n, t = best(whole_ingest, files, jobs)
        results[jobs] = t
        print(f"realistcoder ingest -j {jobs}:  {n / t:7.1f} pages/s  ({t:.2f} s, "
              f"{whole_ingest.cpu:.2f} CPU s)  = {t_base / t:.2f}x pdfplumber wall-clock, "
              f"{baseline.cpu / whole_ingest.cpu:.1f}x in CPU time")
    capacity = parallel_capacity()
    print(f"speed-up from --jobs 2: {results[1] / results[2]:.2f}x wall-clock; this machine's "
          f"parallel capacity right now (two CPU-bound processes vs one): {capacity:.2f}x "
          f"(2x when two cores are free; the ingest's CPU time does not grow with --jobs)")


if __name__ == "__main__":
    main()
