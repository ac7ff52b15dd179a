"""`propose`, `proposals` and `export proposals` over a store: sections, idempotency, resume,
codebook versions, the export contract and the filters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from realistcoder.codebook import write_codebook
from realistcoder.codebook.model import Code, Codebook, Theory
from realistcoder.propose.run import propose
from realistcoder.store import open_store
from realistcoder.store.codebooks import save_codebook
from realistcoder.store.db import utcnow
from realistcoder.store.review import accept

CONTRACT = {"proposal_id", "document", "page", "sentence_id", "text", "code", "role", "theory",
            "score", "matched"}

SENTENCES = [
    ("body", "Where there was protected time, nurses felt more confident in the new roles."),
    ("body", "The new roles led to a reduction in A&E attendances."),
    ("body", "There was no reduction in A&E attendances in the second year."),
    ("list", "With shared data in place, co-ordination between practices improved."),
    ("heading", "Shared data and protected time"),
    ("references", "Smith J. Shared data in primary care. BMJ 2017."),
    ("body", "The weather was mild."),
]


def codebook(version: str = "1", extra_terms: tuple[str, ...] = ()) -> Codebook:
    return Codebook(
        name="propose-test",
        version=version,
        theories=[Theory("workforce", "New roles"), Theory("technology", "Shared data")],
        codes=[
            Code("protected_time", "Protected time", "context", theory="workforce",
                 terms=["protected time"]),
            Code("confidence", "Staff confidence", "mechanism", theory="workforce",
                 mechanism_type="reasoning", terms=["feel more confident", *extra_terms]),
            Code("fewer_ae", "Fewer A&E attendances", "outcome", theory="workforce",
                 terms=["reduction in A&E attendances"]),
            Code("shared_data", "Shared data", "context", theory="technology",
                 terms=["shared data"]),
        ],
    )


def add_document(db_path: Path, name: str, sentences=SENTENCES) -> int:
    """A document with sentences, written straight into the store (as ingest would)."""
    store = open_store(db_path)
    with store.transaction() as db:
        doc_id = db["documents"].insert({
            "path": f"/corpus/{name}", "file_name": name, "sha256": name.ljust(64, "0"),
            "kind": "pdf", "status": "ok", "n_pages": 2, "ingested_at": utcnow(),
        }).last_pk
        for seq, (section, text) in enumerate(sentences):
            db["sentences"].insert({
                "document_id": doc_id, "page_no": 1 + seq // 4, "seq": seq, "start": 0,
                "end": len(text), "text": text, "section": section,
            })
    store.close()
    return doc_id


@pytest.fixture
def cb_file(tmp_path: Path) -> Path:
    return write_codebook(codebook(), tmp_path / "cb.yaml")


@pytest.fixture
def loaded(rc, db_path, cb_file):
    add_document(db_path, "site-a.pdf")
    rc("propose", "--codebook", cb_file)
    return rc


def texts(rows) -> set[str]:
    return {r["text"] for r in rows}


def test_export_has_the_contract_fields_and_explanations(loaded):
    rows = loaded.jsonl("export", "proposals", "--format", "jsonl")
    assert rows and all(CONTRACT <= set(r) for r in rows)
    ae = next(r for r in rows if r["code"] == "fewer_ae" and "led to" in r["text"])
    assert ae["role"] == "outcome" and ae["theory"] == "workforce" and ae["page"] == 1
    assert ae["document"] == "site-a.pdf" and ae["codebook"] == "propose-test"
    assert ae["codebook_version"] == "1" and ae["method"] == "lemma" and 0 < ae["score"] <= 1
    kinds = {m["kind"] for m in ae["matched"]}
    assert {"term", "cue"} <= kinds
    for m in ae["matched"]:
        assert ae["text"][m["start"] : m["end"]] == m["text"]
    negated = next(r for r in rows if r["text"].startswith("There was no"))
    assert "negated" in negated["flags"] and negated["score"] < ae["score"]


def test_csv_export_to_file(loaded, tmp_path):
    out = tmp_path / "p.csv"
    result = loaded("export", "proposals", "--format", "csv", "-o", out)
    assert "wrote" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows and CONTRACT <= set(rows[0])
    assert isinstance(json.loads(rows[0]["matched"]), list)


def test_non_body_sections_are_skipped_unless_asked(rc, db_path, cb_file):
    add_document(db_path, "site-a.pdf")
    rc("propose", "--codebook", cb_file, "--no-roles")
    sections = {r["section"] for r in rc.jsonl("export", "proposals")}
    assert sections == {"body", "list"}
    rc("propose", "--codebook", cb_file, "--section", "heading", "--no-roles")
    sections = {r["section"] for r in rc.jsonl("export", "proposals")}
    assert sections == {"body", "list", "heading"}
    rc("propose", "--codebook", cb_file, "--all-sections", "--no-roles")
    sections = {r["section"] for r in rc.jsonl("export", "proposals")}
    assert sections == {"body", "list", "heading", "references"}


def test_rerunning_adds_nothing(loaded, cb_file):
    before = loaded.jsonl("export", "proposals")
    again = loaded("propose", "--codebook", cb_file)
    assert "0 new proposals" in again.stdout and "already done" in again.stdout
    assert loaded.jsonl("export", "proposals") == before


def test_lower_threshold_adds_only_the_missing(rc, db_path, cb_file):
    add_document(db_path, "site-a.pdf")
    rc("propose", "--codebook", cb_file, "--min-score", "0.6", "--no-roles")
    high = rc.jsonl("export", "proposals")
    assert all(r["score"] >= 0.6 for r in high)
    rc("propose", "--codebook", cb_file, "--min-score", "0.1", "--no-roles")
    low = rc.jsonl("export", "proposals")
    assert len(low) > len(high)
    assert {r["proposal_id"] for r in high} <= {r["proposal_id"] for r in low}


def test_interrupted_run_resumes(db_path, tmp_path):
    cb = codebook()
    reference = open_store(tmp_path / "reference.db")
    for path in (db_path, tmp_path / "reference.db"):
        add_document(path, "a.pdf")
        add_document(path, "b.pdf")
    propose(reference, [(save_codebook(reference, cb), cb)], roles=False)
    expected = reference.query("SELECT sentence_id, code, score FROM proposals ORDER BY id")
    reference.close()

    store = open_store(db_path)
    targets = [(save_codebook(store, cb), cb)]
    calls = []

    def interrupt_after_two_batches(n):
        calls.append(n)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        propose(store, targets, batch_size=2, progress=interrupt_after_two_batches,
                roles=False)
    partial = store.query("SELECT COUNT(*) AS n FROM proposals")[0]["n"]
    assert 0 < partial < len(expected)
    summary = propose(store, targets, batch_size=2, roles=False)
    assert summary.new == len(expected) - partial
    got = store.query("SELECT sentence_id, code, score FROM proposals ORDER BY sentence_id, code")
    assert got == sorted(expected, key=lambda r: (r["sentence_id"], r["code"]))
    again = propose(store, targets, roles=False)
    assert again.new == 0 and again.skipped_documents == 2
    store.close()


def test_new_codebook_version_keeps_decisions_and_supersedes_the_rest(rc, db_path, tmp_path):
    add_document(db_path, "site-a.pdf")
    v1 = write_codebook(codebook("1"), tmp_path / "v1.yaml")
    v2 = write_codebook(codebook("2", extra_terms=("more willing",)), tmp_path / "v2.yaml")
    rc("propose", "--codebook", v1, "--no-roles")
    first = rc.jsonl("export", "proposals")
    decided = next(r for r in first if r["code"] == "fewer_ae" and "led to" in r["text"])
    store = open_store(db_path)
    accept(store, decided["proposal_id"], "alice")
    store.close()

    result = rc("propose", "--codebook", v2, "--no-roles")
    assert "Superseded" in result.stdout
    rows = {r["proposal_id"]: r for r in rc.jsonl("export", "proposals", "--unblind")}
    assert rows[decided["proposal_id"]]["status"] == "decided"  # untouched, still visible
    assert rows[decided["proposal_id"]]["codebook_version"] == "1"
    # the decided sentence+code is not proposed again under v2
    assert not [r for r in rows.values() if r["code"] == "fewer_ae"
                and r["sentence_id"] == decided["sentence_id"] and r["codebook_version"] == "2"]
    pending = rc.jsonl("export", "proposals", "--status", "pending", "--reviewer", "alice")
    assert pending and {r["codebook_version"] for r in pending} == {"2"}
    superseded = rc.jsonl("export", "proposals", "--status", "superseded")
    assert len(superseded) == len(first) - 1
    assert {r["codebook_version"] for r in superseded} == {"1"}
    # old rows are never changed: same scores and spans as before
    old = {r["proposal_id"]: r for r in first}
    for r in superseded:
        assert (r["score"], r["matched"]) == (old[r["proposal_id"]]["score"],
                                              old[r["proposal_id"]]["matched"])


def test_default_codebook_is_the_stored_one(rc, db_path, cb_file):
    add_document(db_path, "site-a.pdf")
    store = open_store(db_path)
    save_codebook(store, codebook())
    store.close()
    result = rc("propose")
    assert "propose-test 1" in result.stdout
    assert rc.jsonl("export", "proposals")


def test_default_codebook_falls_back_to_the_shipped_one(rc, db_path):
    from realistcoder.codebook import default_codebook_path

    if not default_codebook_path().is_file():
        pytest.skip("the shipped codebook is not there yet")
    add_document(db_path, "site-a.pdf")
    result = rc("propose")
    assert "Codebooks: " in result.stdout
    again = rc("propose")
    assert "0 new proposals" in again.stdout


def test_filters(loaded, db_path):
    add_document(db_path, "site-b.pdf", [("body", "Staff felt more confident.")])
    loaded("propose", "--document", "site-b.pdf")
    everything = loaded.jsonl("proposals", "--format", "jsonl")
    assert {r["document"] for r in everything} == {"site-a.pdf", "site-b.pdf"}
    by_code = loaded.jsonl("proposals", "--format", "jsonl", "--code", "shared_data")
    assert by_code and {r["code"] for r in by_code} == {"shared_data"}
    by_role = loaded.jsonl("proposals", "--format", "jsonl", "--role", "outcome")
    assert by_role and {r["role"] for r in by_role} == {"outcome"}
    by_theory = loaded.jsonl("proposals", "--format", "jsonl", "--theory", "technology")
    assert by_theory and {r["theory"] for r in by_theory} == {"technology"}
    by_doc = loaded.jsonl("proposals", "--format", "jsonl", "--document", "site-b.pdf")
    assert texts(by_doc) == {"Staff felt more confident."}
    high = loaded.jsonl("proposals", "--format", "jsonl", "--min-score", "0.7")
    assert high and all(r["score"] >= 0.7 for r in high) and len(high) < len(everything)
    assert loaded.jsonl("proposals", "--format", "jsonl", "--status", "decided", "--unblind") == []
    assert len(loaded.jsonl("proposals", "--format", "jsonl", "--status", "pending",
                            "--reviewer", "alice")) == len(everything)


def test_table_highlights_why(loaded):
    out = loaded("proposals", "--role", "outcome").stdout
    assert "The new roles {led to} a [reduction in A&E attendances]." in out
    assert "negated" in out


def test_propose_without_documents_is_one_line_error(rc, cb_file):
    result = rc("propose", "--codebook", cb_file, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and "ingest" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_min_score_and_unknown_document(rc, db_path, cb_file):
    add_document(db_path, "site-a.pdf")
    assert rc("propose", "--min-score", "1.5", ok=False).exit_code == 2
    result = rc("propose", "--codebook", cb_file, "--document", "nope.pdf", ok=False)
    assert result.exit_code == 1 and "nope.pdf" in result.stderr
