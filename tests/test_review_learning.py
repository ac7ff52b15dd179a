"""Review retrains the reviewer's model in the background every N decisions: decisions return
while it trains, and the rest of the queue then holds the learned proposals."""

from __future__ import annotations

import csv

from test_learn import truth, write_documents

from realistcoder.review.retrain import BackgroundLearner
from realistcoder.review.session import Filters, ReviewSession
from realistcoder.store import open_store
from realistcoder.store import review as rv


def test_background_retraining_refreshes_the_queue(rc, tmp_path, db_path):
    docs = write_documents(tmp_path)
    rc("ingest", *docs)
    rc("propose")
    sentences = rc.jsonl("export", "sentences", "--format", "jsonl")
    labels = tmp_path / "labels.csv"
    with labels.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["sentence_id", "role"])
        for s in sentences:
            if s["section"] == "body" and s["document"] != docs[3].name:
                for role in sorted(truth(s["text"])) or ["none"]:
                    out.writerow([s["sentence_id"], role])
    rc("import", "codings", labels, "--reviewer", "alice")
    last = {s["sentence_id"] for s in sentences if s["document"] == docs[3].name}
    with open_store(db_path) as store:
        learner = BackgroundLearner(db_path, "alice", every=2)
        session = ReviewSession(store, "alice", Filters(), learner=learner)
        before = list(session.items)
        session.reject()
        assert not learner.running
        session.reject()  # the second decision starts a run ...
        assert learner.running  # ... and returned without waiting for it
        learner.wait(timeout=300)
        result = session.retrained()
        assert result is not None and result.model_id is not None, result
        learned = [i for i in session.items if i not in before]
        assert learned, "the learned proposals joined the queue"
        props = {i: rv.get_proposal(store, i) for i in learned}
        assert all(p["method"] == "learned" and p["reviewer"] == "alice"
                   for p in props.values())
        assert {p["sentence_id"] for p in props.values()} <= last | {
            s["sentence_id"] for s in sentences}
        learner.close()


def test_x_marks_the_sentence_as_carrying_no_role(rc, tmp_path, db_path):
    rc("ingest", *write_documents(tmp_path)[:1])
    rc("propose")
    out = rc("review", "--reviewer", "alice", "--learn-every", "0", input="x\nq\n").stdout
    assert "no role:" in out and "sentence marked" in out
    with open_store(db_path) as store:
        marks = rv.current_codings(store, viewer="alice", role="none")
    assert len(marks) == 1
