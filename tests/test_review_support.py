"""A small seeded store for the review tests: two documents, a codebook, proposals.

Rows are written directly (as ingest and propose would) so that the review tests do not depend
on PDF parsing or the matcher. Imported by the other test_review*/test_cmoc/test_merge modules.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from realistcoder.store import open_store
from realistcoder.store.db import utcnow

DOCS = {
    "alpha.pdf": [
        # (page, paragraph, text)
        (1, 0, "The vanguard site introduced advanced nurse practitioners in every practice."),
        (1, 0, "Where trust between professionals was already strong, the new roles settled fast."),
        (1, 1, "Training gave staff the confidence to take on extended duties."),
        (2, 2, "As a result, waiting times for same-day appointments fell by a third."),
        (2, 2, "Referrals to hospital outpatient clinics also declined."),
        (2, 3, "The authors thank the practice managers for their help."),
    ],
    "beta.pdf": [
        (1, 0, "Shared records let community teams see the same care plan."),
        (1, 0, "Staff felt a shared sense of ownership of the plan."),
        (1, 1, "This led to fewer duplicated visits for frail patients."),
        (2, 2, "Funding cuts threatened the voluntary sector partners."),
    ],
}

CODES = [
    # code, label, role, mechanism_type, theory
    ("wf_trust", "Trust between professionals", "context", None, "workforce"),
    ("wf_training", "Appropriate training", "mechanism", "resource", "workforce"),
    ("wf_willingness", "Willingness to adopt new ways of working", "mechanism", "reasoning",
     "workforce"),
    ("wf_access", "Improved accessibility of care", "outcome", None, "workforce"),
    ("wf_referrals", "Fewer referrals to secondary care", "outcome", None, "workforce"),
    ("tech_shared_data", "Shared data", "context", None, "technology"),
    ("pc_ownership", "Shared sense of ownership", "mechanism", "reasoning", "people_communities"),
    ("pc_behaviour", "Better health behaviours", "outcome", None, "people_communities"),
]

# (document, sentence index, code, score, matched word)
PROPOSALS = [
    ("alpha.pdf", 1, "wf_trust", 0.9, "trust"),
    ("alpha.pdf", 2, "wf_training", 0.8, "Training"),
    ("alpha.pdf", 2, "wf_willingness", 0.5, "confidence"),
    ("alpha.pdf", 3, "wf_access", 0.7, "waiting times"),
    ("alpha.pdf", 4, "wf_referrals", 0.85, "Referrals"),
    ("beta.pdf", 0, "tech_shared_data", 0.75, "Shared records"),
    ("beta.pdf", 1, "pc_ownership", 0.95, "sense of ownership"),
    ("beta.pdf", 2, "pc_behaviour", 0.3, "fewer"),
]


def seed(db_path: Path, *, codebook_version: str = "1.0") -> dict:
    """Fill a store with DOCS, CODES and PROPOSALS; return ids:
    ``{"sentences": {(doc, i): id}, "proposals": [id, ...], "documents": {name: id}}``."""
    store = open_store(db_path)
    ids: dict = {"sentences": {}, "proposals": [], "documents": {}}
    now = utcnow()
    with store.transaction() as db:
        for name, rows in DOCS.items():
            text, spans = "", []
            for _, _, sentence in rows:
                start = len(text)
                text += sentence
                spans.append((start, len(text)))
                text += " "
            doc_id = db["documents"].insert({
                "path": f"/corpus/{name}", "file_name": name,
                "sha256": hashlib.sha256(text.encode()).hexdigest(), "kind": "pdf",
                "title": name.split(".")[0].title(), "n_pages": 2, "text": text,
                "status": "ok", "ingested_at": now}).last_pk
            ids["documents"][name] = doc_id
            for i, ((page, para, sentence), (start, end)) in enumerate(
                    zip(rows, spans, strict=True)):
                ids["sentences"][(name, i)] = db["sentences"].insert({
                    "document_id": doc_id, "page_no": page, "seq": i, "start": start,
                    "end": end, "text": sentence, "section": "body",
                    "paragraph": para}).last_pk
        content = json.dumps({"name": "test", "version": codebook_version, "codes": []})
        book = db["codebooks"].insert({
            "name": "test", "version": codebook_version,
            "sha256": hashlib.sha256((content + codebook_version).encode()).hexdigest(),
            "content": content, "loaded_at": now}).last_pk
        code_ids = {}
        for code, label, role, mtype, theory in CODES:
            code_ids[code] = db["codes"].insert({
                "codebook_id": book, "code": code, "label": label, "role": role,
                "mechanism_type": mtype, "theory": theory,
                "description": f"Evidence of {label.lower()}."}).last_pk
        for name, i, code, score, word in PROPOSALS:
            sentence = DOCS[name][i][2]
            start = sentence.index(word)
            role, theory = next((c[2], c[4]) for c in CODES if c[0] == code)
            ids["proposals"].append(db["proposals"].insert({
                "sentence_id": ids["sentences"][(name, i)], "code_id": code_ids[code],
                "codebook_id": book, "code": code, "role": role, "theory": theory,
                "score": score, "method": "lemma",
                "matched": json.dumps([{"start": start, "end": start + len(word),
                                        "text": word, "term": word.lower()}]),
                "created_at": now}).last_pk)
    store.close()
    ids["codebook_id"] = book
    ids["code_ids"] = code_ids
    return ids
