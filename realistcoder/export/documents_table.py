"""The characteristics of included documents: citation, what kind of evidence it is, study
design, setting and country, appraisal (settled: consensus, agreed, or each reviewer's while
they differ), and coded fragments per role. Documents excluded at screening are left out.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from realistcoder.export.citations import citation_labels, display_authors
from realistcoder.export.filters import kept_documents
from realistcoder.export.rows import ROLE_ORDER, EvidenceFilter, blinding_note, select_evidence
from realistcoder.export.table import Column, Section, Table
from realistcoder.review.appraisal import settled_appraisals
from realistcoder.store import export as q
from realistcoder.store.db import Store

DOCUMENT_COLUMNS = [
    Column("citation", "Source", 16),
    Column("title", "Title", 34, wrap=True),
    Column("authors", "Authors", 22, wrap=True),
    Column("year", "Year", 6, numeric=True),
    Column("doc_type", "Type", 12),
    Column("evidence_type", "Evidence type", 11, optional=True),
    Column("study_design", "Study design", 16, wrap=True, optional=True),
    Column("setting", "Setting", 14, wrap=True, optional=True),
    Column("country", "Country", 10, optional=True),
    Column("n_pages", "Pages", 6, numeric=True),
    Column("relevance", "Relevance", 11),
    Column("rigour", "Rigour", 11),
    Column("appraisal_note", "Appraisal notes", 24, wrap=True),
    Column("n_context", "C", 4, numeric=True),
    Column("n_mechanism", "M", 4, numeric=True),
    Column("n_outcome", "O", 4, numeric=True),
    Column("n_other", "Other", 5, numeric=True),
    Column("n_total", "Coded", 6, numeric=True),
    Column("found_via", "Found via", 14, detail=True),
    Column("screening", "Screening", 10, detail=True),
    Column("file_name", "File", 18, detail=True),
    Column("doi", "DOI", 18, detail=True),
]


def documents_table(store: Store, *, unblind: bool = False, reviewer: str | None = None,
                    filters: EvidenceFilter | None = None) -> Table:
    """One row per source: citation details, characteristics, appraisal, and coded fragments
    per role."""
    doc_filter = filters.document_filter if filters else None
    rows, _ = select_evidence(store, filters=filters, unblind=unblind, reviewer=reviewer)
    per_doc: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        per_doc[row["document_id"]][row["role"] or "other"] += 1
    appraisals = settled_appraisals(store, viewer=reviewer or None, unblinded=unblind)
    docs = q.documents(store)
    citations = citation_labels(docs)
    kept, dropped = kept_documents(docs, appraisals, doc_filter)
    out = []
    for doc in docs:
        if doc["id"] not in kept:
            continue
        counts = per_doc[doc["id"]]
        appraisal = appraisals.get(doc["id"])
        out.append({
            **doc,
            "citation": citations[doc["id"]],
            "authors": display_authors(doc.get("authors")),
            "relevance": appraisal.text("relevance") if appraisal else "",
            "rigour": appraisal.text("rigour") if appraisal else "",
            "appraisal_note": appraisal.notes() if appraisal else [],
            **{f"n_{role}": counts[role] for role in ROLE_ORDER},
            "n_total": sum(counts.values()),
        })
    out.sort(key=lambda r: r["citation"].lower())
    notes = [f"{len(out)} documents."] + [n for n in [blinding_note(unblind, reviewer)] if n]
    excluded = sum(1 for d in dropped if d.get("screening") == "excluded")
    if excluded:
        notes.append(f"{excluded} document(s) excluded at screening are not listed "
                     "(`realistcoder flow` counts them).")
    if len(dropped) > excluded:
        notes.append(f"{len(dropped) - excluded} document(s) not matching "
                     f"{doc_filter.describe()} are not listed.")
    return Table("documents", "Characteristics of included documents",
                 list(DOCUMENT_COLUMNS), [Section("Documents", out)], notes)
