"""The evidence table, and what every report table shares: fragments, codes, theories, blinding.

One evidence row is one coded fragment: the same sentences coded with the same code (or, for
role-only codings, the same role and no code), with every reviewer who coded it. Its status is
``resolved`` (settled by the team), ``agreed`` (two or more reviewers coded it independently),
``confirmed by one`` or ``proposed`` (suggested, undecided).
Reviews are blinded: a table that would show several reviewers' codings needs ``unblind``.
Each row also carries its source's settled appraisal and characteristics, the code's level and
the coding's polarity (enabling / blocking); documents are chosen by a ``DocumentFilter``.
The CMOC, map and documents tables live in ``cmoc_table``, ``map_table``, ``documents_table``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from realistcoder.errors import NotFoundError
from realistcoder.export.citations import citation_labels, reference_list
from realistcoder.export.filters import DocumentFilter, filter_note, kept_documents
from realistcoder.export.table import Column, Section, Table
from realistcoder.review.appraisal import settled_appraisals
from realistcoder.store import export as q
from realistcoder.store import review
from realistcoder.store.attributes import code_levels, current_polarity
from realistcoder.store.db import Store

STATUSES = ("proposed", "confirmed by one", "agreed", "resolved")
CODED_STATUSES = ("confirmed by one", "agreed", "resolved")
ROLE_ORDER = {"context": 0, "mechanism": 1, "outcome": 2, "other": 3}
GROUPS = ("theory", "code", "document", "role", "none")  # --group-by choices
NO_THEORY = "(no theory)"


def code_key(coding: dict) -> str:
    """What groups codings into one fragment: the code id, or ``role:ROLE`` for role-only."""
    return coding["code"] or f"role:{coding['role']}"


def code_label(coding: dict) -> str:
    """The code's label, or "Context (role only)" for a role-only coding."""
    if coding.get("code"):
        return coding.get("code_label") or coding["code"]
    return f"{(coding.get('role') or 'other').capitalize()} (role only)"


@dataclass
class EvidenceFilter:
    """Which fragments to show; an empty set means all."""

    theories: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    documents: set[int] = field(default_factory=set)
    statuses: set[str] = field(default_factory=lambda: set(CODED_STATUSES))
    document_filter: DocumentFilter | None = None

    def keeps(self, row: dict) -> bool:
        checks = (
            (self.theories, row["theory"]),
            (self.roles, row["role"]),
            (self.codes, row["code"]),
            (self.documents, row["document_id"]),
            (self.statuses, row["status"]),
        )
        return all(not wanted or value in wanted for wanted, value in checks)


def page_span(first: int | None, last: int | None) -> int | str:
    """``12``, or ``12–13`` for a fragment that crosses a page break."""
    if first is None:
        return ""
    return first if last in (None, first) else f"{first}\u2013{last}"


def theory_labels(store: Store) -> dict[str, str]:
    """Theory id → its label in the loaded codebooks (newest wins), in codebook order."""
    labels: dict[str, str] = {}
    for book in q.codebooks(store):
        try:
            data = json.loads(book["content"])
        except (TypeError, ValueError):
            continue
        for theory in data.get("theories", []) if isinstance(data, dict) else []:
            if isinstance(theory, dict) and theory.get("id"):
                labels[theory["id"]] = theory.get("label") or theory["id"]
    return labels


def visible_codings(store: Store, *, unblind: bool, reviewer: str | None) -> list[dict]:
    """Current codings the caller may see, under the review's blinding rules: one reviewer's
    (``reviewer``), everyone's once ``unblind``, else only while a single reviewer has coded.
    Rows carry offsets, pages, exact text, code and codebook (see ``store.export.codings``)."""
    if reviewer:
        known = review.reviewers(store)
        if known and reviewer not in known:  # a typo would silently export nothing
            raise NotFoundError(f"no decisions or codings by {reviewer!r}", subject="--reviewer",
                                fix=f"use one of: {', '.join(known)}")
    seen = review.current_codings(store, viewer=reviewer or None, unblinded=unblind)
    detail = {c["coding_id"]: c for c in q.codings_by_id(store, [r["coding_id"] for r in seen])}
    return [detail[r["coding_id"]] for r in seen if r["coding_id"] in detail]


DAMAGE_NOTES = {
    "replacement": "characters the PDF could not decode (shown as \ufffd)",
    "undecodable": "text in a font without a Unicode map (gibberish)",
}


def damage(row: dict) -> list[str]:
    """The integrity marks of a fragment's sentences (see ``ingest.integrity``), in order."""
    text = row.get("text_flags") or ""
    return [kind for kind in DAMAGE_NOTES if f'"{kind}"' in text]


def damage_note(row: dict) -> str | None:
    """A warning for a quote whose text is damaged, pointing at the page to check."""
    kinds = damage(row)
    if not kinds:
        return None
    page = page_span(row.get("page"), row.get("end_page"))
    return (f"\u26a0 the quote holds {' and '.join(DAMAGE_NOTES[k] for k in kinds)}: check it "
            f"against the PDF, p. {page}")


def role_text(role: str | None, mechanism_type: str | None) -> str:
    return f"{role} ({mechanism_type})" if role == "mechanism" and mechanism_type else role or ""


def _who(coding: dict) -> str:
    """The reviewer as shown: a consensus coding names who resolved it."""
    if coding.get("source") == "consensus" and coding.get("resolved_by"):
        return f"{coding['reviewer']} ({coding['resolved_by']})"
    return coding["reviewer"]


def fragments(codings: list[dict]) -> list[dict]:
    """Merge codings of the same sentences with the same code into fragments with a status."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for coding in codings:
        groups[(coding["sentence_id"], coding["end_sentence_id"], code_key(coding))].append(coding)
    out = []
    for items in groups.values():
        first = items[0]
        reviewers = sorted({_who(c) for c in items if c.get("reviewer")})
        if first.get("coding_id") is None:
            status = "proposed"
        elif any(c.get("source") == "consensus" or c.get("resolved_by") for c in items):
            status = "resolved"
        elif len(reviewers) >= 2:
            status = "agreed"
        else:
            status = "confirmed by one"
        notes = [
            f"{_who(c)}: {c['note']}" if len(reviewers) > 1 else c["note"]
            for c in items
            if c.get("note")
        ]
        out.append({**first, "reviewers": reviewers, "status": status, "notes": notes,
                    "coding_ids": sorted(c["coding_id"] for c in items if c.get("coding_id")),
                    "uuids": [(c["uuid"], _who(c)) for c in items if c.get("uuid")]})
    return out


def polarity_text(marks: list[tuple[str, str]]) -> str:
    """``enabling``, or ``enabling (alice); blocking (bob)`` when the coders differ."""
    if len({m for m, _ in marks}) == 1:
        return marks[0][0]
    return "; ".join(f"{m} ({who})" for m, who in marks)


EVIDENCE_COLUMNS = [
    Column("theory_label", "Theory", 16),
    Column("role_text", "Role", 12),
    Column("code_label", "Code", 18),
    Column("citation", "Source", 14),
    Column("pages", "Page", 5, numeric=True),
    Column("quote", "Quote", 60, wrap=True),
    Column("reviewer_text", "Reviewers", 10),
    Column("status", "Status", 10),
    Column("note_text", "Notes", 22, wrap=True),
    Column("polarity", "Polarity", 10, optional=True),
    Column("level", "Level", 10, optional=True),
    Column("evidence_type", "Evidence type", 11, optional=True),
    Column("relevance", "Relevance", 10, optional=True),
    Column("rigour", "Rigour", 10, optional=True),
    Column("code", "Code id", 14, detail=True),
    Column("document", "File", 18, detail=True),
    Column("sentence_ids", "Sentences", 10, detail=True),
    Column("coding_ids_text", "Codings", 10, detail=True),
]


def evidence_rows(
    store: Store,
    *,
    filters: EvidenceFilter | None = None,
    unblind: bool = False,
    reviewer: str | None = None,
) -> list[dict]:
    """Evidence rows (one per fragment), sorted by theory, role, code, source and page."""
    return select_evidence(store, filters=filters, unblind=unblind, reviewer=reviewer)[0]


def select_evidence(store: Store, *, filters: EvidenceFilter | None = None,
                    unblind: bool = False, reviewer: str | None = None
                    ) -> tuple[list[dict], list[dict]]:
    """(evidence rows, the documents with evidence that the document filter left out)."""
    filters = filters or EvidenceFilter()
    codings = visible_codings(store, unblind=unblind, reviewer=reviewer)
    rows = fragments(codings)
    if "proposed" in filters.statuses:
        coded = {(r["sentence_id"], r["end_sentence_id"], code_key(r)) for r in rows}
        rows += [
            f for f in fragments(q.undecided_proposals(store))
            if (f["sentence_id"], f["end_sentence_id"], code_key(f)) not in coded
        ]
    docs = q.documents(store)
    by_id = {d["id"]: d for d in docs}
    appraisals = settled_appraisals(store, viewer=reviewer or None, unblinded=unblind)
    kept, dropped = kept_documents(docs, appraisals, filters.document_filter)
    dropped_ids = {d["id"] for d in dropped}
    with_rows = {r["document_id"] for r in rows}
    dropped = [d for d in dropped if d["id"] in with_rows]
    citations = citation_labels(docs)
    theories = theory_labels(store)
    levels = code_levels(store)
    polarity = current_polarity(store)
    out = []
    for row in rows:
        if row["document_id"] in dropped_ids or not filters.keeps(row):
            continue
        ids = (row["sentence_id"], row["end_sentence_id"])
        appraisal = appraisals.get(row["document_id"])
        marks = [(polarity[u]["polarity"], who) for u, who in row.get("uuids", [])
                 if u in polarity]
        out.append({
            **row,
            "code_key": code_key(row),
            "code_label": code_label(row),
            "theory_label": theories.get(row["theory"], row["theory"]) or NO_THEORY,
            "role_text": role_text(row["role"], row["mechanism_type"]),
            "citation": citations.get(row["document_id"], row["document"]),
            "pages": page_span(row["page"], row["end_page"]),
            "quote": row["text"],
            "reviewer_text": ", ".join(row["reviewers"]),
            "note_text": [n for n in [damage_note(row)] if n] + row["notes"],
            "sentence_ids": str(ids[0]) if ids[0] == ids[1] else f"{ids[0]}-{ids[1]}",
            "coding_ids_text": ", ".join(map(str, row["coding_ids"])),
            "polarity": polarity_text(marks) if marks else "",
            "level": levels.get((row.get("codebook"), row["code"]), ""),
            "evidence_type": (by_id.get(row["document_id"]) or {}).get("evidence_type") or "",
            "relevance": appraisal.text("relevance") if appraisal else "",
            "rigour": appraisal.text("rigour") if appraisal else "",
        })
    order = {label: i for i, label in enumerate(theories.values())}
    out.sort(key=lambda r: (
        order.get(r["theory_label"], len(order)), r["theory_label"] == NO_THEORY,
        r["theory_label"], ROLE_ORDER.get(r["role"], 9), r["code_label"], r["citation"],
        r["start"]))
    return out, dropped


def group(rows: list[dict], by: str, key_of: dict[str, str | None]) -> list[Section]:
    """Rows split into sections by the ``by`` field, in first-seen order."""
    if by == "none":
        return [Section("Evidence table", rows)]
    sections: dict[str, Section] = {}
    for row in rows:
        title = str(row.get(key_of[by]) or "(none)")
        sections.setdefault(title, Section(title)).rows.append(row)
    if by == "document":
        return sorted(sections.values(), key=lambda s: s.title.lower())
    return list(sections.values())


def blinding_note(unblind: bool, reviewer: str | None) -> str:
    if reviewer:
        return f"Codings by {reviewer} only (blinded review)."
    return "Unblinded: codings of every reviewer." if unblind else ""


def evidence_table(
    store: Store,
    *,
    filters: EvidenceFilter | None = None,
    group_by: str = "theory",
    unblind: bool = False,
    reviewer: str | None = None,
) -> Table:
    rows, dropped = select_evidence(store, filters=filters, unblind=unblind, reviewer=reviewer)
    keys = {"theory": "theory_label", "code": "code_label", "document": "citation",
            "role": "role_text", "none": None}
    sections = group(rows, group_by, keys)
    counts = Counter(r["status"] for r in rows)
    summary = f"{len(rows)} coded fragments" + (
        " (" + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ")." if rows else ".")
    notes = [summary] + [n for n in [blinding_note(unblind, reviewer), filter_note(
        filters.document_filter if filters else None, dropped, "fragments")] if n]
    damaged = sum(1 for r in rows if damage(r))
    if damaged:
        notes.append(f"{damaged} quotes hold text the PDF did not let us read (marked \u26a0 in "
                     "Notes): check them against the PDF before quoting them.")
    return Table("evidence", "Evidence table", list(EVIDENCE_COLUMNS),
                 sections or [Section("Evidence")], notes, extra={"group_column": keys[group_by]},
                 references=cited_references(store, {r["document_id"] for r in rows}))


def cited_references(store: Store, document_ids: set[int]) -> list[tuple[str, str]]:
    """The reference list of a table citing ``document_ids``."""
    docs = q.documents(store)
    return reference_list(docs, citation_labels(docs), document_ids)
