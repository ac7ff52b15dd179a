"""Build report tables (evidence, CMOC, evidence map, document characteristics) from the store.

One evidence row is one coded fragment: the same sentences coded with the same code (or, for
role-only codings, the same role and no code), with every reviewer who coded it. Its status is
``resolved`` (settled by the team), ``agreed`` (two or more reviewers coded it independently),
``confirmed by one`` or ``proposed`` (suggested, undecided).
Reviews are blinded: a table that would show several reviewers' codings needs ``unblind``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from realistcoder.errors import NotFoundError
from realistcoder.export.citations import citation_labels, display_authors, reference_list
from realistcoder.export.table import Column, Section, Table
from realistcoder.store import cmoc as cmoc_store
from realistcoder.store import export as q
from realistcoder.store import review
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
                    "coding_ids": sorted(c["coding_id"] for c in items if c.get("coding_id"))})
    return out


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
    citations = citation_labels(docs)
    theories = theory_labels(store)
    out = []
    for row in rows:
        if not filters.keeps(row):
            continue
        ids = (row["sentence_id"], row["end_sentence_id"])
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
        })
    order = {label: i for i, label in enumerate(theories.values())}
    out.sort(key=lambda r: (
        order.get(r["theory_label"], len(order)), r["theory_label"] == NO_THEORY,
        r["theory_label"], ROLE_ORDER.get(r["role"], 9), r["code_label"], r["citation"],
        r["start"]))
    return out


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
    rows = evidence_rows(store, filters=filters, unblind=unblind, reviewer=reviewer)
    keys = {"theory": "theory_label", "code": "code_label", "document": "citation",
            "role": "role_text", "none": None}
    sections = group(rows, group_by, keys)
    counts = Counter(r["status"] for r in rows)
    summary = f"{len(rows)} coded fragments" + (
        " (" + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ")." if rows else ".")
    notes = [summary] + [n for n in [blinding_note(unblind, reviewer)] if n]
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


# ---------------------------------------------------------------- CMO configurations

CMOC_PARTS = ("context", "resource", "reasoning", "outcome")
CMOC_COLUMNS = [
    Column("cmoc_id", "CMOC", 5, numeric=True),
    Column("theory_label", "Theory", 14),
    Column("statement", "Configuration (if … then … because …)", 30, wrap=True),
    Column("context", "Context", 30, wrap=True),
    Column("resource", "Mechanism: resource", 30, wrap=True),
    Column("reasoning", "Mechanism: reasoning", 30, wrap=True),
    Column("outcome", "Outcome", 30, wrap=True),
    Column("sources", "Sources", 18, wrap=True),
    Column("reviewer", "Built by", 9, detail=True),
    Column("uuid", "CMOC uuid", 12, detail=True),
]


def statement(cmoc: dict) -> str:
    """The if-then-because sentence (the title alone when the parts are empty)."""
    parts = [(word, (cmoc.get(key) or "").strip().rstrip("."))
             for word, key in (("If", "if_text"), ("then", "then_text"),
                               ("because", "because_text"))]
    text = ", ".join(f"{word} {value}" for word, value in parts if value)
    title = (cmoc.get("title") or "").strip()
    if text:
        text = text[0].upper() + text[1:] + "."
        return f"{title}: {text}" if title else text
    return title


def cmoc_part(link_part: str, coding: dict) -> str:
    if link_part == "mechanism":
        return coding.get("mechanism_type") or "reasoning"
    return link_part


def _sources(items: list[tuple[str, int | str]]) -> list[str]:
    pages: dict[str, list[str]] = {}
    for citation, page in items:
        listed = pages.setdefault(citation, [])
        if str(page) not in listed:
            listed.append(str(page))
    def first_page(page: str) -> int:  # "12" or a span such as "12–13"
        digits = "".join(ch for ch in page.split("–")[0] if ch.isdigit())
        return int(digits) if digits else 0

    return [f"{c} (p{'p' if len(p) > 1 else ''}. {', '.join(sorted(p, key=first_page))})"
            for c, p in pages.items()]


def cmoc_table(store: Store, *, theories: set[str] | None = None) -> Table:
    """One row per active CMO configuration with its linked evidence, quoted and cited."""
    cmocs = [c for c in q.active_cmocs(store) if not theories or c["theory"] in theories]
    links = [link for link in q.cmoc_links(store) if link["cmoc_id"] in {c["id"] for c in cmocs}]
    codings = {c["coding_id"]: c for c in q.codings_by_id(store, [x["coding_id"] for x in links])}
    citations = citation_labels(q.documents(store))
    labels = theory_labels(store)
    by_cmoc: dict[int, list[dict]] = defaultdict(list)
    for link in links:
        if link["coding_id"] in codings:
            by_cmoc[link["cmoc_id"]].append({**link, "coding": codings[link["coding_id"]]})
    sections: dict[str, Section] = {}
    for cmoc in cmocs:
        row = {"cmoc_id": cmoc["id"], "uuid": cmoc["uuid"], "reviewer": cmoc["reviewer"],
               "theory_label": labels.get(cmoc["theory"], cmoc["theory"]),
               "statement": statement(cmoc), **{part: [] for part in CMOC_PARTS}}
        cited, listed = [], set()
        for link in by_cmoc[cmoc["id"]]:
            coding = link["coding"]
            key = (link["part"], coding["sentence_id"], coding["end_sentence_id"],
                   code_key(coding))
            if key in listed:  # the same fragment coded by two reviewers: quote it once
                continue
            listed.add(key)
            citation = citations.get(coding["document_id"], coding["document"])
            page = page_span(coding["page"], coding["end_page"])
            part = cmoc_part(link["part"], coding)
            warn = " \u26a0 damaged text: check the PDF" if damage(coding) else ""
            row.setdefault(part, []).append(
                f"\u201c{coding['text']}\u201d ({citation}, p. {page}; {code_label(coding)})"
                + warn)
            cited.append((citation, page))
        row["sources"] = _sources(cited)
        sections.setdefault(row["theory_label"], Section(row["theory_label"])).rows.append(row)
    notes = [f"{len(cmocs)} CMO configurations."]
    cited = {codings[link["coding_id"]]["document_id"] for link in links
             if link["coding_id"] in codings}
    return Table("cmoc", "CMO configurations", list(CMOC_COLUMNS),
                 list(sections.values()) or [Section("CMO configurations")], notes,
                 extra={"group_column": "theory_label"},
                 references=cited_references(store, cited))


# ---------------------------------------------------------------- evidence map


def map_table(
    store: Store,
    *,
    by: str = "code",
    filters: EvidenceFilter | None = None,
    unblind: bool = False,
    reviewer: str | None = None,
) -> Table:
    """Documents × codes (``by="code"``) or × theories/areas (``by="theory"``), fragment counts."""
    rows = evidence_rows(store, filters=filters, unblind=unblind, reviewer=reviewer)
    docs = q.documents(store)
    citations = citation_labels(docs)
    key, label = ("code_key", "code_label") if by == "code" else ("theory", "theory_label")
    headers: dict[str, str] = {}
    groups: dict[str, str] = {}  # value column -> its theory, to draw one panel per theory
    counts: dict[int, Counter] = defaultdict(Counter)
    for row in rows:  # in codebook order: theory, role, code
        headers.setdefault(str(row[key]), str(row[label]))
        groups.setdefault(f"n:{row[key]}", row["theory_label"])
        counts[row["document_id"]][str(row[key])] += 1
    value_keys = [f"n:{k}" for k in headers]
    columns = [Column("citation", "Source", 22)]
    columns += [Column(f"n:{k}", h, max(6, min(len(h), 14)), numeric=True)
                for k, h in headers.items()]
    columns += [Column("total", "Total", 6, numeric=True),
                Column("file_name", "File", 18, detail=True)]
    table_rows = []
    for doc in sorted(docs, key=lambda d: citations[d["id"]].lower()):
        if filters and filters.documents and doc["id"] not in filters.documents:
            continue
        line = {"citation": citations[doc["id"]], "file_name": doc["file_name"],
                "document_id": doc["id"]}
        line.update({f"n:{k}": counts[doc["id"]][k] for k in headers})
        line["total"] = sum(counts[doc["id"]].values())
        table_rows.append(line)
    title = "Evidence map: documents by " + ("code" if by == "code" else "area")
    notes = [f"Counts of coded fragments; {len(rows)} in all."]
    notes += [n for n in [blinding_note(unblind, reviewer)] if n]
    return Table("map", title, columns, [Section(title, table_rows)], notes,
                 extra={"row_key": "citation", "value_keys": value_keys,
                        "groups": groups if by == "code" else {}})


# ---------------------------------------------------------------- document characteristics

DOCUMENT_COLUMNS = [
    Column("citation", "Source", 16),
    Column("title", "Title", 34, wrap=True),
    Column("authors", "Authors", 22, wrap=True),
    Column("year", "Year", 6, numeric=True),
    Column("doc_type", "Type", 12),
    Column("n_pages", "Pages", 6, numeric=True),
    Column("relevance", "Relevance", 11),
    Column("rigour", "Rigour", 11),
    Column("appraisal_note", "Appraisal notes", 24, wrap=True),
    Column("n_context", "C", 4, numeric=True),
    Column("n_mechanism", "M", 4, numeric=True),
    Column("n_outcome", "O", 4, numeric=True),
    Column("n_other", "Other", 5, numeric=True),
    Column("n_total", "Coded", 6, numeric=True),
    Column("file_name", "File", 18, detail=True),
    Column("doi", "DOI", 18, detail=True),
]


def _appraisal(values: list[tuple[str, str]]) -> str:
    """``high``, or ``high (ann); moderate (bob)`` when reviewers differ."""
    distinct = {v for _, v in values}
    if len(distinct) == 1:
        return values[0][1]
    return "; ".join(f"{v} ({who})" for who, v in values)


def documents_table(store: Store, *, unblind: bool = False, reviewer: str | None = None) -> Table:
    """One row per source: citation details, appraisal, and coded fragments per role."""
    rows = evidence_rows(store, unblind=unblind, reviewer=reviewer)
    per_doc: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        per_doc[row["document_id"]][row["role"] or "other"] += 1
    appraisals: dict[int, list[dict]] = defaultdict(list)
    for a in cmoc_store.current_appraisals(store, viewer=reviewer or None, unblinded=unblind):
        appraisals[a["document_id"]].append(a)
    docs = q.documents(store)
    citations = citation_labels(docs)
    out = []
    for doc in docs:
        counts = per_doc[doc["id"]]
        mine = appraisals.get(doc["id"], [])
        out.append({
            **doc,
            "citation": citations[doc["id"]],
            "authors": display_authors(doc.get("authors")),
            "relevance": _appraisal([(a["reviewer"], a["relevance"]) for a in mine]),
            "rigour": _appraisal([(a["reviewer"], a["rigour"]) for a in mine]),
            "appraisal_note": [f"{a['reviewer']}: {a['note']}" for a in mine if a.get("note")],
            **{f"n_{role}": counts[role] for role in ROLE_ORDER},
            "n_total": sum(counts.values()),
        })
    out.sort(key=lambda r: r["citation"].lower())
    notes = [f"{len(out)} documents."] + [n for n in [blinding_note(unblind, reviewer)] if n]
    return Table("documents", "Characteristics of included documents",
                 list(DOCUMENT_COLUMNS), [Section("Documents", out)], notes)
