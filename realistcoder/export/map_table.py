"""Evidence maps: counts of coded fragments, rows by document (or by a document
characteristic: evidence type, study design, setting, country, how it was found), columns by
code, theory / area, level (individual / organisational / system) or the components of a
framework such as COM-B that the codes are mapped onto.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from realistcoder.export.citations import citation_labels
from realistcoder.export.filters import filter_note
from realistcoder.export.rows import EvidenceFilter, blinding_note, select_evidence
from realistcoder.export.table import Column, Section, Table
from realistcoder.store import attributes
from realistcoder.store import export as q
from realistcoder.store.db import Store

ROW_CHOICES = {"document": None, "evidence-type": "evidence_type", "design": "study_design",
               "setting": "setting", "country": "country", "found-via": "found_via"}
COLUMN_CHOICES = ("code", "theory", "level", "framework")
NOT_RECORDED = "(not recorded)"
NOT_MAPPED = "(not mapped)"


def _framework_columns(store: Store, framework: str) -> tuple[dict, dict[str, str]]:
    """((codebook, code) -> [component ids], component id -> label, in framework order)."""
    components: dict[tuple[str, str], list[str]] = defaultdict(list)
    for m in attributes.mappings(store, framework):
        components[(m["codebook"], m["code"])].append(m["value"])
    labels: dict[str, str] = {}
    for c in q.codes(store):  # newest version first, codes in codebook order
        if c["codebook"] == framework:
            labels.setdefault(c["code"], c["label"])
    return components, labels


def _column_keys(store: Store, rows: list[dict], by: str, framework: str
                 ) -> tuple[list[list[tuple[str, str]]], str]:
    """Per evidence row, the (key, header) of each column it counts in; and a note."""
    if by == "code":
        return [[(r["code_key"], r["code_label"])] for r in rows], ""
    if by == "theory":
        return [[(str(r["theory"]), r["theory_label"])] for r in rows], ""
    if by == "level":
        return [[(r["level"] or NOT_RECORDED, r["level"] or NOT_RECORDED)] for r in rows], ""
    components, labels = _framework_columns(store, framework)
    out = []
    for r in rows:
        mapped = components.get((r.get("codebook"), r["code"]), [])
        out.append([(c, labels.get(c, c)) for c in mapped] or [(NOT_MAPPED, NOT_MAPPED)])
    return out, (f"Columns are {framework} components the codes are mapped onto (`realistcoder "
                 "codebook map`); a fragment whose code maps onto several counts in each.")


def map_table(
    store: Store,
    *,
    by: str = "code",
    rows_by: str = "document",
    framework: str = "com-b",
    filters: EvidenceFilter | None = None,
    unblind: bool = False,
    reviewer: str | None = None,
) -> Table:
    """Fragment counts: documents (or a characteristic, ``rows_by``) × codes, theories, levels
    or framework components (``by``)."""
    rows, dropped = select_evidence(store, filters=filters, unblind=unblind, reviewer=reviewer)
    docs = q.documents(store)
    citations = citation_labels(docs)
    per_row, column_note = _column_keys(store, rows, by, framework)
    if by == "level":  # individual, organisational, system, then unrecorded
        order = {v: i for i, v in enumerate(attributes.LEVELS)}
        pairs = sorted({k for keys in per_row for k in keys}, key=lambda k: order.get(k[0], 9))
        per_row_order = dict(pairs)
    elif by == "framework":
        labels = _framework_columns(store, framework)[1]
        seen = {k for keys in per_row for k in keys}
        per_row_order = {k: h for k, h in labels.items() if (k, h) in seen}
        per_row_order.update({k: h for k, h in sorted(seen) if k not in per_row_order})
    else:
        per_row_order = {}
        for keys in per_row:  # in codebook order: theory, role, code
            for k, h in keys:
                per_row_order.setdefault(str(k), str(h))
    column = ROW_CHOICES[rows_by]
    by_doc = {d["id"]: d for d in docs}

    def row_of(document_id: int) -> int | str:
        """The row a document counts in: itself, or its value of the characteristic."""
        if column is None:
            return document_id
        return str((by_doc.get(document_id) or {}).get(column) or NOT_RECORDED)

    def label_of(key: int | str) -> str:
        return citations.get(key, str(key)) if column is None else str(key)

    counts: dict[int | str, Counter] = defaultdict(Counter)
    members: dict[int | str, set[int]] = defaultdict(set)
    groups: dict[str, str] = {}  # value column -> its theory, to draw one panel per theory
    for r, keys in zip(rows, per_row, strict=True):
        for k, _ in keys:
            counts[row_of(r["document_id"])][str(k)] += 1
            if by == "code":
                groups.setdefault(f"n:{k}", r.get("theory_label") or "")
    left_out = {d["id"] for d in dropped}
    for d in docs:
        if d["id"] in left_out or d.get("screening") == "excluded" or (
                filters and filters.documents and d["id"] not in filters.documents):
            continue
        members[row_of(d["id"])].add(d["id"])
    value_keys = [f"n:{k}" for k in per_row_order]
    head = "Source" if column is None else rows_by.replace("-", " ").capitalize()
    columns = [Column("citation", head, 22)]
    if column is not None:
        columns.append(Column("n_documents", "Documents", 9, numeric=True))
    columns += [Column(f"n:{k}", h, max(6, min(len(h), 14)), numeric=True)
                for k, h in per_row_order.items()]
    columns += [Column("total", "Total", 6, numeric=True)]
    if column is None:
        columns.append(Column("file_name", "File", 18, detail=True))
    table_rows = []
    for key in sorted(members, key=lambda k: (label_of(k) == NOT_RECORDED,
                                               label_of(k).lower())):
        line = {"citation": label_of(key), "n_documents": len(members[key])}
        if column is None:
            line.update({"file_name": by_doc[key]["file_name"], "document_id": key})
        line.update({f"n:{k}": counts[key][k] for k in per_row_order})
        line["total"] = sum(counts[key].values())
        table_rows.append(line)
    across = {"code": "code", "theory": "area", "level": "level", "framework": framework}[by]
    down = "documents" if column is None else rows_by.replace("-", " ")
    title = f"Evidence map: {down} by {across}"
    notes = [f"Counts of coded fragments; {len(rows)} in all."]
    notes += [n for n in [column_note, blinding_note(unblind, reviewer), filter_note(
        filters.document_filter if filters else None, dropped, "fragments")] if n]
    return Table("map", title, columns, [Section(title, table_rows)], notes,
                 extra={"row_key": "citation", "value_keys": value_keys, "groups": groups})
