"""The documents store API others build on: lookups, context, search, failures."""

from __future__ import annotations

import pytest
from pdfgen import make_pdf

from realistcoder.errors import InputError, NotFoundError
from realistcoder.ingest.pipeline import ingest
from realistcoder.store import documents as docs
from realistcoder.store import open_store


@pytest.fixture
def store(tmp_path):
    text = " ".join(f"Finding {w} shows trust grew in team {w}." for w in
                    ("alpha", "beta", "gamma", "delta", "epsilon"))
    make_pdf(tmp_path / "paper.pdf", [("para", text)])
    (tmp_path / "bad.pdf").write_bytes(b"not a pdf at all")
    s = open_store(tmp_path / "review.db")
    report = ingest(s, [str(tmp_path)])
    assert report.count("new") == 1 and len(report.failed) == 1
    yield s
    s.close()


def test_lookup_by_id_and_name(store):
    by_name = docs.get_document(store, "paper.pdf")
    assert docs.get_document(store, by_name["id"])["file_name"] == "paper.pdf"
    assert docs.get_document(store, "bad.pdf")["status"] == "failed"
    with pytest.raises(NotFoundError):
        docs.get_document(store, "nothing.pdf")


def test_context_search_and_offsets(store):
    doc = docs.get_document(store, "paper.pdf", with_text=True)
    rows = docs.document_sentences(store, doc["id"])
    assert len(rows) == 5
    ctx = docs.sentence_with_context(store, rows[2]["id"], n=1)
    assert [r["id"] for r in ctx["before"]] == [rows[1]["id"]]
    assert [r["id"] for r in ctx["after"]] == [rows[3]["id"]]
    hits = docs.search_sentences(store, "gamma")
    assert [h["id"] for h in hits] == [rows[2]["id"]] and "[gamma]" in hits[0]["snippet"]
    with pytest.raises(InputError, match="not a valid search"):  # not "no matches"
        docs.search_sentences(store, "NEAR( (")
    for r in rows:
        assert doc["text"][r["start"]:r["end"]] == r["text"]
        assert docs.page_of_offset(store, doc["id"], r["start"]) == r["page"]
    exported = list(docs.export_sentences(store))
    assert [e["sentence_id"] for e in exported] == [r["id"] for r in rows]
    listing = docs.list_documents(store)
    assert {d["file_name"]: d["n_sentences"] for d in listing} == {"paper.pdf": 5, "bad.pdf": 0}
