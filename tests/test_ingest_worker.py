"""The extraction workers (realistcoder.ingest.worker): results and one-line errors come back,
a memory cap, a time limit, and a crash told apart from running out of memory."""

from __future__ import annotations

import os
import time

from realistcoder.errors import InputError
from realistcoder.ingest import worker


def _echo(argument):
    if argument == "bad":
        raise InputError("cannot read it", subject="bad.pdf", fix="re-export it")
    if argument == "bug":
        raise RuntimeError("a bug")
    return argument * 3


def _abort(_):
    os.abort()


def _hog(_):
    return bytearray(4 * 2**30)  # 4 GB at once


def _sleep(_):
    time.sleep(60)


def _run(function, arguments, **kw) -> dict:
    return dict(worker.run(function, [(str(a), a) for a in arguments], **kw))


def test_values_and_one_line_errors_come_back():
    big = "x" * 5_000_000
    out = _run(_echo, ["ab", big, "bad", "bug"], jobs=2)
    assert out["ab"].value == "ababab" and out[big].value == big * 3
    assert out["bad"].error == "bad.pdf: cannot read it (re-export it)" and not out["bad"].trace
    assert out["bug"].error == "a bug" and "RuntimeError" in out["bug"].trace


def test_an_allocation_over_the_cap_is_the_memory_limit():
    out = _run(_hog, ["x"], limits=worker.Limits(memory_mb=128))
    assert out["x"].limit == "memory"
    assert "memory limit of 128 MB" in out["x"].error and "--max-memory 256" in out["x"].error


def test_a_crash_far_below_the_cap_is_a_damaged_file_not_memory():
    out = _run(_abort, ["x"], limits=worker.Limits(memory_mb=1024))
    assert out["x"].limit is None
    assert "crashed (signal SIGABRT)" in out["x"].error


def test_the_time_limit_stops_a_worker_and_the_next_one_runs():
    out = _run(_sleep, ["slow"], limits=worker.Limits(timeout_s=1))
    assert out["slow"].limit == "time" and "--timeout 2" in out["slow"].error
    after = _run(_echo, ["ok"], limits=worker.Limits(timeout_s=1))
    assert after["ok"].value == "okokok"
