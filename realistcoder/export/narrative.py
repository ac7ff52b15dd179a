"""The narrative evidence map: codes (or theories / areas) down, documents across, and in each
cell the evidence itself: the quotes that document gives for that code, with their pages.

This is the matrix a realist synthesis prints for the areas it maps but does not test in
depth. It is grouped by theory (a sheet, heading or table each); a document column that is
empty for a whole theory is left out of that theory's table, and the paged formats (DOCX,
LaTeX) split a matrix wider than a few documents into several tables
(:func:`realistcoder.export.table.column_chunks`).
"""

from __future__ import annotations

from collections import defaultdict

from realistcoder.export.rows import (
    EvidenceFilter,
    blinding_note,
    cited_references,
    damage,
    evidence_rows,
)
from realistcoder.export.table import Column, Section, Table
from realistcoder.store.db import Store

DOC_PREFIX = "doc:"


def cell_text(row: dict) -> str:
    """One quote in a cell: “…” (p. 12), marked when the PDF's text was damaged."""
    page = row["pages"]
    mark = " \u26a0" if damage(row) else ""
    return f"\u201c{row['quote']}\u201d (p. {page}){mark}"


def narrative_map(store: Store, *, by: str = "code", filters: EvidenceFilter | None = None,
                  unblind: bool = False, reviewer: str | None = None) -> Table:
    """Codes (``by="code"``) or theories / areas (``by="theory"``) × documents, quotes in the
    cells (with the code's label when rows are theories)."""
    rows = evidence_rows(store, filters=filters, unblind=unblind, reviewer=reviewer)
    if filters and filters.documents:
        rows = [r for r in rows if r["document_id"] in filters.documents]
    cited = {}
    for row in sorted(rows, key=lambda r: r["citation"].lower()):
        cited.setdefault(row["document_id"], row["citation"])
    by_code = by == "code"
    key = "code_key" if by_code else "theory_label"
    lines: dict[str, dict] = {}
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    for row in rows:  # evidence rows come in codebook order: theory, role, code
        line = lines.setdefault(row[key], {
            "row_label": row["code_label"] if by_code else row["theory_label"],
            "role_text": row["role_text"], "theory_label": row["theory_label"],
            "code": row["code"] or "", "total": 0})
        text = cell_text(row)
        cells[(row[key], row["document_id"])].append(
            text if by_code else f"{row['code_label']}: {text}")
        line["total"] += 1
    for (line_key, doc_id), texts in cells.items():
        lines[line_key][f"{DOC_PREFIX}{doc_id}"] = texts
    columns = [Column("theory_label", "Theory", 16),
               Column("row_label", "Code" if by_code else "Theory or area", 20)]
    if by_code:
        columns.append(Column("role_text", "Role", 11))
    columns += [Column(f"{DOC_PREFIX}{doc_id}", citation, 40, wrap=True)
                for doc_id, citation in cited.items()]
    columns += [Column("total", "Fragments", 6, numeric=True),
                Column("code", "Code id", 14, detail=True)]
    sections: dict[str, Section] = {}
    for line in lines.values():
        title = line["theory_label"] if by_code else "Evidence map"
        sections.setdefault(title, Section(title)).rows.append(line)
    title = "Narrative evidence map: " + ("codes" if by_code else "theories and areas") + \
        " by document"
    notes = [f"The quotes of {len(rows)} coded fragments from {len(cited)} documents, with "
             "their pages (\u26a0: text the PDF did not let us read; check the PDF)."]
    notes += [n for n in [blinding_note(unblind, reviewer)] if n]
    return Table("map", title, columns, list(sections.values()) or [Section(title)], notes,
                 extra={"group_column": "theory_label" if by_code else None,
                        "chunk_prefix": DOC_PREFIX, "narrative": True},
                 references=cited_references(store, set(cited)))
