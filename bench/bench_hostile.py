"""Hostile input at ingest: peak memory and time, against good files in the same run.

Builds the issue's acceptance folder in a temporary directory (a PDF flate bomb inflating to
4 GB, a page of 80,000 scattered letters, a file whose name is not UTF-8, a 10 MB text with no
sentence end) next to three good files, and runs the real program (``python -m realistcoder
ingest``) on it with the default limits, sampling the resident memory of the whole process
tree (the command and its extraction workers) every 10 ms. Baseline: the same command on the
good files alone. Also prints how extraction time grows with the letters scattered on one page
(it was quadratic), and, with ``--uncapped``, the peak of extracting a smaller bomb with the
memory cap off (what the cap prevents: about 2 GB for each 1 GB the stream inflates to).

Usage: python bench/bench_hostile.py [--jobs N] [--uncapped]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.hostile import (  # noqa: E402  (test helpers build the hostile files)
    flate_bomb_pdf,
    invalid_utf8_name,
    long_sentence_text,
    scattered_text_pdf,
)
from tests.pdfgen import make_pdf  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return out


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def run_measured(args: list[str]) -> dict:
    """Run ``python -m realistcoder ARGS``; peak summed RSS of its process tree, the largest
    single process, wall time, exit status and stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "realistcoder", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_sum = peak_one = 0
    while proc.poll() is None:
        sizes = [_rss(p) for p in _tree(proc.pid)]
        peak_sum = max(peak_sum, sum(sizes))
        peak_one = max([peak_one, *sizes])
        time.sleep(0.01)
    out, err = proc.communicate()
    return {"wall": time.perf_counter() - start, "peak_sum": peak_sum, "peak_one": peak_one,
            "code": proc.returncode, "stdout": out, "stderr": err}


def good_files(folder: Path) -> None:
    make_pdf(folder / "good-one.pdf", [("para", "Teams built trust over time. Referrals fell.")])
    make_pdf(folder / "good-two.pdf", [("para", "Shared records helped staff. Waits fell.")])
    note = ROOT / "corpus" / "mdt-huddles-practice-note.md"
    (folder / "note.md").write_text(note.read_text(encoding="utf-8"), encoding="utf-8")


def hostile_files(folder: Path) -> None:
    flate_bomb_pdf(folder / "bomb.pdf", inflated_mb=4096)
    scattered_text_pdf(folder / "scattered.pdf", n_chars=80_000)
    invalid_utf8_name(folder, b"# An odd name\n\nStaff trusted the hub. Waits fell.\n",
                      suffix=b".md")
    long_sentence_text(folder / "dump.txt", n_chars=10_000_000)


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def scattered_growth() -> None:
    from realistcoder.ingest.pipeline import extract

    print("\nscattered letters on one page (extraction CPU time; linear: x2 per doubling)")
    previous = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in (20_000, 40_000, 80_000, 160_000):
            path = scattered_text_pdf(Path(tmp) / f"s{n}.pdf", n_chars=n)
            start = time.process_time()
            extract(path)
            took = time.process_time() - start
            ratio = f"  x{took / previous:.2f}" if previous else ""
            size = path.stat().st_size / 1024
            print(f"  {n:>7,} letters  {size:>6,.0f} KB  {took:6.2f} s{ratio}")
            previous = took


def uncapped_bomb() -> None:
    from realistcoder.ingest import worker
    from realistcoder.ingest.pipeline import _work

    with tempfile.TemporaryDirectory() as tmp:
        bomb = flate_bomb_pdf(Path(tmp) / "bomb512.pdf", inflated_mb=512)
        print("\na bomb inflating to 512 MB, one worker each (peak resident memory of the worker)")
        for label, limits in (("capped (256 MB)", worker.Limits(256, 300)),
                              ("uncapped", worker.Limits(None, 300))):
            ((_, outcome),) = list(worker.run(_work, [(str(bomb), (str(bomb), None))],
                                              limits=limits))
            result = "stopped at the limit" if outcome.limit else (outcome.error or "read")
            print(f"  {label:<16} peak {outcome.peak_mb:>7,.0f} MB  ({result[:60]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--uncapped", action="store_true",
                        help="also extract a 512 MB bomb without the memory cap (about 1 GB)")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base, hostile = Path(tmp) / "good", Path(tmp) / "hostile"
        base.mkdir()
        hostile.mkdir()
        good_files(base)
        good_files(hostile)
        hostile_files(hostile)
        jobs = ["--jobs", str(opts.jobs)]
        good = run_measured(["--db", str(Path(tmp) / "good.db"), "ingest", str(base), *jobs])
        bad = run_measured(["--db", str(Path(tmp) / "bad.db"), "ingest", str(hostile), *jobs])
    print(f"ingest, default limits, --jobs {opts.jobs} (peak resident memory of the command "
          "and its workers, summed; the largest single process)")
    for label, r in (("good files only (baseline)", good), ("acceptance folder", bad)):
        print(f"  {label:<28} peak {mb(r['peak_sum']):>9} (largest process "
              f"{mb(r['peak_one']):>9})  {r['wall']:5.1f} s  exit {r['code']}")
    print(f"  ratio: {bad['peak_sum'] / max(good['peak_sum'], 1):.1f}x the baseline's peak; "
          f"under 1.5 GB: {'yes' if bad['peak_sum'] < 1.5 * 2**30 else 'NO'}")
    print("  " + bad["stdout"].strip())
    for line in bad["stderr"].splitlines():
        print(f"  {line[:150]}")
    scattered_growth()
    if opts.uncapped:
        uncapped_bomb()


if __name__ == "__main__":
    main()
