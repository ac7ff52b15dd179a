"""Start-up time of everyday commands, as ratios to a bare ``python -c "import click, sqlite3"``.

Each command runs as its own process, as a reviewer runs it; the script measures the CPU time
(user + system) of each run and takes the median of ``--runs`` runs, with the bare baseline
measured in the same run, interleaved with the commands so that a busy machine slows both
alike. Wall-clock medians are printed too. The store is the bundled corpus, ingested and
proposed once in a temporary folder (not timed).

The target is 4x the baseline for ``--help``, ``--version``, ``documents``, ``status`` and
``decide``; the script exits 1 when a command misses it.

Usage: python bench/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 4.0


def _cli() -> list[str]:
    """The installed ``realistcoder`` script beside this interpreter (what a reviewer runs)."""
    script = Path(sys.executable).with_name("realistcoder")
    return [str(script)] if script.exists() else [sys.executable, "-m", "realistcoder"]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _prepare(folder: Path, env: dict[str, str]) -> int:
    """Ingest and propose the bundled corpus; return a proposal id for ``decide``."""
    cli = _cli()
    subprocess.run([*cli, "ingest", str(ROOT / "corpus")], env=env, check=True,
                   capture_output=True)
    subprocess.run([*cli, "propose"], env=env, check=True, capture_output=True)
    out = subprocess.run([*cli, "proposals", "--limit", "1", "--format", "jsonl"], env=env,
                         check=True, capture_output=True, text=True).stdout
    import json

    return int(json.loads(out.splitlines()[0])["proposal_id"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (median)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rc-startup-"))
    env = {**os.environ, "REALISTCODER_DB": str(folder / "review.db")}
    env.pop("REALISTCODER_REVIEWER", None)
    try:
        proposal = _prepare(folder, env)
        cli = _cli()
        commands = {
            "--help": [*cli, "--help"],
            "--version": [*cli, "--version"],
            "documents": [*cli, "documents"],
            "status": [*cli, "status"],
            "decide": [*cli, "decide", str(proposal), "--accept", "--reviewer", "bench"],
        }
        baseline = [sys.executable, "-c", "import click, sqlite3"]
        cpu: dict[str, list[float]] = {name: [] for name in ["baseline", *commands]}
        wall: dict[str, list[float]] = {name: [] for name in cpu}
        for _ in range(2):  # warm the file cache and the .pyc files
            for argv in [baseline, *commands.values()]:
                _run(argv, env)
        for _ in range(args.runs):
            for name, argv in [("baseline", baseline), *commands.items()]:
                c, w = _run(argv, env)
                cpu[name].append(c)
                wall[name].append(w)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base_cpu = statistics.median(cpu["baseline"])
    base_wall = statistics.median(wall["baseline"])
    print(f"baseline `python -c \"import click, sqlite3\"`: {base_cpu * 1000:.0f} ms CPU, "
          f"{base_wall * 1000:.0f} ms wall (median of {args.runs})")
    print(f"{'command':<12} {'CPU ms':>7} {'ratio':>6} {'wall ms':>8} {'ratio':>6}")
    worst = 0.0
    for name in commands:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        worst = max(worst, c / base_cpu)
        print(f"{name:<12} {c * 1000:>7.0f} {c / base_cpu:>5.1f}x {w * 1000:>8.0f} "
              f"{w / base_wall:>5.1f}x")
    verdict = "within" if worst <= TARGET else "over"
    print(f"worst CPU ratio {worst:.1f}x: {verdict} the {TARGET:g}x target")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
