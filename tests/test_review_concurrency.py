"""Teams share one store file: two processes deciding at once lose nothing, and a review killed
mid-way (SIGKILL) keeps every decision it reported and resumes where it stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from test_review_support import seed

from realistcoder.store import open_store
from realistcoder.store import review as rv

WORKER = textwrap.dedent("""
    import os, sys, time
    from realistcoder.store import open_store
    from realistcoder.store import review as rv
    db, reviewer, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(db)
    open(db + "." + reviewer + ".ready", "w").close()
    while not os.path.exists(db + ".go"):  # start together, to write at the same time
        time.sleep(0.005)
    proposals = [r["id"] for r in store.query("SELECT id FROM proposals ORDER BY id")]
    sentences = [r["id"] for r in store.query("SELECT id FROM sentences ORDER BY id")]
    codes = [r["code"] for r in store.query("SELECT code FROM codes ORDER BY id")]
    for i in range(n):
        if i % 3 == 2:
            try:
                rv.code_by_hand(store, sentences[i % len(sentences)], codes[i % len(codes)],
                                reviewer, note=str(i))
            except rv.InputError:
                rv.undo(store, reviewer)
        elif i % 2:
            rv.reject(store, proposals[i % len(proposals)], reviewer, note=str(i))
        else:
            rv.accept(store, proposals[i % len(proposals)], reviewer, note=str(i))
    print("done", flush=True)
""")

DRIVER = textwrap.dedent("""
    import sys
    from realistcoder.cli.review_tui import run
    from realistcoder.review.session import ReviewSession
    from realistcoder.store import open_store
    run(ReviewSession(open_store(sys.argv[1]), sys.argv[2]))
""")


def test_two_processes_deciding_at_once_lose_nothing(db_path):
    seed(db_path)
    n = 120
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(db_path), name, str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("alice", "bob")]
    deadline = time.monotonic() + 60
    while not all(os.path.exists(f"{db_path}.{name}.ready") for name in ("alice", "bob")):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    open(f"{db_path}.go", "w").close()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "done" in out
    with open_store(db_path) as store:
        for name in ("alice", "bob"):
            log = rv.decision_log(store, viewer=name)
            assert len(log) == n  # every decision (or its undo) is there
            notes = {d["note"] for d in log if d["note"]}
            assert notes >= {str(i) for i in range(n) if i % 3 != 2}
            active_before = {c["coding_id"] for c in rv.current_codings(store, viewer=name)}
            with store.transaction():
                rv.rebuild_reviewer(store, name)
            assert {c["coding_id"] for c in rv.current_codings(store, viewer=name)} == (
                active_before)
        assert store.query("PRAGMA integrity_check")[0]["integrity_check"] == "ok"


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_killing_the_review_midway_loses_nothing_and_resumes(db_path):
    ids = seed(db_path)
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(db_path), "alice"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    reported = 0
    try:
        for key in ("a", "r", "a"):
            proc.stdin.write(key + "\n")
            proc.stdin.flush()
            while True:  # wait until the loop reports the decision as saved
                line = proc.stdout.readline()
                assert line, "the review loop ended early"
                if line.strip() in ("rejected",) or line.strip().startswith("accepted"):
                    reported += 1
                    break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL and reported == 3
    with open_store(db_path) as store:
        status = rv.proposal_status(store, "alice")
        p = ids["proposals"]
        assert [status[x] for x in p[:4]] == ["accepted", "rejected", "accepted", "pending"]
        assert store.query("PRAGMA integrity_check")[0]["integrity_check"] == "ok"
    # the next session starts at the first proposal still pending
    out = subprocess.run([sys.executable, "-c", DRIVER, str(db_path), "alice"], input="q\n",
                         capture_output=True, text=True, timeout=60).stdout
    assert "5 proposals in this queue" in out and f"proposal {ids['proposals'][3]} " in out
