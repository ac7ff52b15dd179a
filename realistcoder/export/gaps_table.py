"""The knowledge-gap register as a report table: each gap or uncertainty with its theory,
status, and the CMOCs, coded fragments (quoted and cited) and documents that show it."""

from __future__ import annotations

from realistcoder.export.citations import citation_labels
from realistcoder.export.rows import page_span, theory_labels
from realistcoder.export.table import Column, Section, Table
from realistcoder.store import export as q
from realistcoder.store import gaps as gq
from realistcoder.store.db import Store

COLUMNS = [
    Column("gap_id", "Gap", 4, numeric=True),
    Column("kind", "Kind", 11),
    Column("theory_label", "Theory", 14),
    Column("title", "Gap or uncertainty", 28, wrap=True),
    Column("description", "Detail", 30, wrap=True),
    Column("status", "Status", 9),
    Column("evidence", "Evidence", 40, wrap=True),
    Column("reviewer", "Raised by", 9),
    Column("created", "Date", 10, detail=True),
    Column("note", "Note", 20, wrap=True, detail=True),
]


def gaps_table(store: Store, *, theories: set[str] | None = None,
               status: str | None = None) -> Table:
    labels = theory_labels(store)
    citations = citation_labels(q.documents(store))
    cmocs = {r["id"]: r for r in store.query("SELECT id, title FROM cmocs")}
    gaps = [g for g in gq.list_gaps(store, status=status)
            if not theories or g["theory"] in theories]
    coding_ids = [x["coding_id"] for g in gaps for x in g["links"] if x["coding_id"]]
    codings = {c["coding_id"]: c for c in q.codings_by_id(store, coding_ids)}
    rows = []
    for g in gaps:
        evidence = []
        for link in g["links"]:
            if link["cmoc_id"]:
                title = cmocs.get(link["cmoc_id"], {}).get("title") or "untitled"
                evidence.append(f"CMOC {link['cmoc_id']}: {title}")
            elif link["coding_id"] in codings:
                c = codings[link["coding_id"]]
                cite = citations.get(c["document_id"], c["document"])
                evidence.append(f"\u201c{c['text']}\u201d ({cite}, p. "
                                f"{page_span(c['page'], c['end_page'])})")
            elif link["document_id"]:
                evidence.append(citations.get(link["document_id"], link["document"] or ""))
        rows.append({"gap_id": g["id"], "kind": g["kind"], "title": g["title"],
                     "theory_label": labels.get(g["theory"], g["theory"]) or "(all)",
                     "description": g["description"] or "", "status": g["status"],
                     "evidence": evidence, "reviewer": g["reviewer"],
                     "created": g["created_at"][:10], "note": g["note"] or ""})
    open_ = sum(1 for r in rows if r["status"] == "open")
    notes = [f"{len(rows)} knowledge gaps and uncertainties ({open_} open)."]
    return Table("gaps", "Knowledge gaps and uncertainties", list(COLUMNS),
                 [Section("Register", rows)], notes)
