"""Learning from a reviewer's decisions: on a toy store a learned model beats the cold detector
on a document it has not seen, its proposals explain themselves, and blinding holds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from realistcoder.propose.roles.fit import f1

# The reviewer's own concept: in this review, sentences about the "buddy scheme" are mechanism
# evidence (staff's response to being paired); the cold detector has no cue for it.
BUDDY = [
    "The buddy scheme paired each new starter with a senior colleague on ward {n}.",
    "New starters on ward {n} asked their buddy before calling the registrar.",
    "Ward {n} kept its buddy pairs for the whole rotation.",
    "On ward {n} the buddy pairs swapped notes at the end of each shift.",
]
OUTCOME = [
    "Emergency admissions from ward {n} fell by {p}% in the second year.",
    "Missed doses on ward {n} dropped from {p} to {q} a month.",
]
NONE = [
    "Ward {n} has {p} beds and a day room.",
    "The ward {n} notice board lists the visiting hours.",
    "Ward {n} is on the third floor of the east block.",
    "The ward {n} kitchen was repainted in the spring.",
    "Ward {n} shares a corridor with the pharmacy store.",
]


def write_documents(folder: Path) -> list[Path]:
    paths = []
    for d in range(4):
        lines = []
        for k in range(6):
            n, p = 10 * d + k, 5 + k
            lines += [t.format(n=n, p=p, q=p - 2) for t in (BUDDY[k % 4], NONE[k % 5],
                                                             OUTCOME[k % 2], NONE[(k + 2) % 5])]
        path = folder / f"ward-report-{d}.txt"
        path.write_text("Ward report\n\n" + " ".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def truth(text: str) -> set[str]:
    if "buddy" in text.lower():
        return {"mechanism"}
    if "fell" in text or "dropped" in text:
        return {"outcome"}
    return set()


@pytest.fixture
def coded(rc, tmp_path):
    """Four ingested reports; alice's role labels of the first three imported."""
    docs = write_documents(tmp_path)
    rc("ingest", *docs)
    rc("propose")
    sentences = rc.jsonl("export", "sentences", "--format", "jsonl")
    held_out = {s["sentence_id"] for s in sentences if s["document"] == docs[3].name
                and s["section"] == "body"}
    labels = tmp_path / "alice.csv"
    with labels.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["sentence_id", "role"])
        for s in sentences:
            if s["sentence_id"] not in held_out and s["section"] == "body":
                for role in sorted(truth(s["text"])) or ["none"]:
                    out.writerow([s["sentence_id"], role])
    rc("import", "codings", labels, "--reviewer", "alice")
    texts = {s["sentence_id"]: s["text"] for s in sentences}
    return held_out, texts


def role_f1(rows: list[dict], held_out: set[int], texts: dict[int, str]) -> float:
    got = {(r["sentence_id"], r["role"]) for r in rows if r["sentence_id"] in held_out}
    gold = {(s, role) for s in held_out for role in truth(texts[s])}
    tp = len(got & gold)
    return 2 * tp / (len(got) + len(gold)) if got or gold else 1.0


def test_a_learned_model_beats_the_cold_detector_on_an_unseen_document(rc, coded):
    held_out, texts = coded
    cold = role_f1(rc.jsonl("export", "proposals", "--format", "jsonl"), held_out, texts)
    out = rc("propose", "--learn", "--reviewer", "alice").stdout
    assert "Model #1 for alice" in out
    learned_rows = rc.jsonl("export", "proposals", "--reviewer", "alice", "--format", "jsonl")
    learned = role_f1(learned_rows, held_out, texts)
    assert learned > cold + 0.2, (cold, learned)
    new = [r for r in learned_rows if r["method"] == "learned"]
    assert new and all(r["code"] is None and r["role"] in ("context", "mechanism", "outcome")
                       for r in new)
    buddy = [r for r in new if "buddy" in r["text"].lower() and r["role"] == "mechanism"]
    assert buddy, "the reviewer's own concept is proposed where it appears"
    words = {m["term"] for r in buddy for m in r["matched"]}
    assert "buddy" in words  # the strongest features explain the proposal
    assert all(m.get("rule") for r in buddy for m in r["matched"])


def test_the_ledger_records_the_models_provenance(rc, coded):
    rc("propose", "--learn", "--reviewer", "alice")
    (model,) = rc.jsonl("models", "--reviewer", "alice", "--format", "jsonl")
    assert model["reviewer"] == "alice" and model["method"] == "learned"
    assert model["n_decisions"] > 50 and model["last_decision_id"] and model["created_at"]
    assert "realistcoder" in model["version"]
    assert model["examples"]["mechanism"]["positive"] >= 10
    assert all("cold_f1" in m for m in model["metrics"].values())
    rows = rc.jsonl("export", "proposals", "--reviewer", "alice", "--format", "jsonl")
    assert {r["model_id"] for r in rows if r["method"] == "learned"} == {model["id"]}


def test_blinding_holds_for_learned_proposals_and_scores(rc, coded):
    before = rc.jsonl("export", "proposals", "--reviewer", "bob", "--format", "jsonl")
    rc("propose", "--learn", "--reviewer", "alice")
    bob = rc.jsonl("export", "proposals", "--reviewer", "bob", "--format", "jsonl")
    assert bob == before  # nothing of alice's model reaches bob: no proposals, no scores
    assert not rc.jsonl("export", "proposals", "--format", "jsonl", "--status", "withdrawn",
                        "--reviewer", "bob")
    shared = rc.jsonl("export", "proposals", "--format", "jsonl")
    assert all(r["method"] != "learned" for r in shared)  # blinded, no reviewer: shared only
    learned = next(r for r in rc.jsonl("export", "proposals", "--reviewer", "alice",
                                       "--format", "jsonl") if r["method"] == "learned")
    refused = rc("decide", learned["proposal_id"], "--accept", "--reviewer", "bob", ok=False)
    assert refused.exit_code == 1 and "another reviewer" in refused.output
    assert rc("models", "--reviewer", "bob", "--format", "jsonl").stdout == ""


def test_the_consensus_learns_from_consensus_codings_only(rc, coded):
    result = rc("propose", "--learn", "--consensus", ok=False)
    assert result.exit_code == 1 and "labelled sentences" in result.output  # none resolved yet


def test_learning_needs_a_reviewer_and_enough_decisions(rc, tmp_path):
    rc("ingest", *write_documents(tmp_path)[:1])
    rc("propose")
    assert "pass --reviewer NAME" in rc("propose", "--learn", ok=False).output
    result = rc("propose", "--learn", "--reviewer", "carol", ok=False)
    assert result.exit_code == 1 and "need 10" in result.output
    assert "Traceback" not in result.output


def test_withdrawn_proposals_leave_the_queue_and_can_be_listed(rc, coded):
    held_out, texts = coded
    rc("propose", "--learn", "--reviewer", "alice")
    pending = rc.jsonl("export", "proposals", "--reviewer", "alice", "--status", "pending",
                       "--format", "jsonl")
    withdrawn = rc.jsonl("export", "proposals", "--reviewer", "alice", "--status", "withdrawn",
                         "--format", "jsonl")
    assert not {r["proposal_id"] for r in pending} & {r["proposal_id"] for r in withdrawn}
    assert all(r["status"] == "withdrawn" for r in withdrawn)
    got = {(r["sentence_id"], r["role"]) for r in pending if r["sentence_id"] in held_out}
    gold = {(s, role) for s in held_out for role in truth(texts[s])}
    precision, recall, _ = f1_sets(got, gold)
    assert precision >= 0.8 and recall >= 0.8


def f1_sets(got: set, gold: set) -> tuple[float, float, float]:
    import numpy as np

    items = sorted(got | gold)
    pred = np.array([i in got for i in items])
    true = np.array([i in gold for i in items])
    return f1(pred, true)


def test_model_parameters_are_plain_json_not_pickles(rc, coded, db_path):
    rc("propose", "--learn", "--reviewer", "alice")
    from realistcoder.store import open_store

    with open_store(db_path) as store:
        (row,) = store.query("SELECT parameters FROM role_models")
    params = json.loads(row["parameters"])
    assert params["format"].startswith("learned-roles/") and "words" in params


def test_a_change_must_help_on_more_documents_than_it_harms():
    """One large document where the learned model shines must not carry the choice when it
    does worse on the reviewer's other documents."""
    import numpy as np

    from realistcoder.propose.learn import document_wins

    groups = np.array(["big"] * 20 + ["a"] * 2 + ["b"] * 2)
    y = np.array([True] * 10 + [False] * 10 + [True, False] * 2)
    baseline = np.array([True] * 2 + [False] * 18 + [True, False] * 2)  # misses in "big"
    candidate = np.array([True] * 10 + [False] * 10 + [False, True] * 2)  # wrong on a and b
    assert f1(candidate, y)[2] > f1(baseline, y)[2]  # pooled, the candidate looks better
    assert document_wins(candidate, baseline, y, groups) == -1  # 1 document better, 2 worse
    assert document_wins(baseline, baseline, y, groups) == 0
    assert document_wins(y, baseline, y, groups) == 1  # better on big, level on a and b
