"""The CMO configuration table: one row per active CMOC with its statement, the C, M and O
evidence quoted and cited, and the evidence for and against it source by source with each
source's appraisal (see ``review.evidence``).

Quotes that refute or refine the configuration are marked ``[refutes]`` / ``[refines]``; the
same fragment coded by two reviewers is quoted once.
"""

from __future__ import annotations

from collections import defaultdict

from realistcoder.export.citations import citation_labels
from realistcoder.export.filters import DocumentFilter, filter_note, kept_documents
from realistcoder.export.rows import (
    cited_references,
    code_key,
    code_label,
    damage,
    page_span,
    theory_labels,
)
from realistcoder.export.table import Column, Section, Table
from realistcoder.review.appraisal import Appraisal, settled_appraisals
from realistcoder.review.evidence import HEADINGS, JUDGEMENTS, Weight, weigh
from realistcoder.store import cmoc as cmoc_store
from realistcoder.store import export as q
from realistcoder.store.db import Store

CMOC_PARTS = ("context", "resource", "reasoning", "outcome")
CMOC_COLUMNS = [
    Column("cmoc_id", "CMOC", 5, numeric=True),
    Column("theory_label", "Theory", 14),
    Column("statement", "Configuration (if … then … because …)", 30, wrap=True),
    Column("context", "Context", 30, wrap=True),
    Column("resource", "Mechanism: resource", 30, wrap=True),
    Column("reasoning", "Mechanism: reasoning", 30, wrap=True),
    Column("outcome", "Outcome", 30, wrap=True),
    Column("weight", "Evidence", 16, wrap=True),
    Column("for", "For (sources, appraisal)", 22, wrap=True),
    Column("against", "Against", 22, wrap=True, optional=True),
    Column("refines", "Refines", 22, wrap=True, optional=True),
    Column("sources", "Sources", 18, wrap=True),
    Column("version", "Version", 7, numeric=True, detail=True),
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


def source_line(citation: str, appraisal: Appraisal | None, fragments: int) -> str:
    """``Marsh et al. 2018 (relevance high, rigour moderate): 2 fragments``."""
    appraised = appraisal.short() if appraisal else "not appraised"
    return f"{citation} ({appraised}): {fragments} fragment{'s' * (fragments != 1)}"


def judged_sources(weight: Weight, citations: dict[int, str], judgement: str) -> list[str]:
    return [source_line(citations.get(s.document_id, str(s.document_id)), s.appraisal,
                        s.fragments(judgement))
            for s in sorted(weight.sources, key=lambda s: citations.get(s.document_id, ""))
            if s.fragments(judgement)]


def cmoc_evidence(store: Store, cmocs: list[dict]) -> dict[int, list[dict]]:
    """CMOC id -> its current links, each with its ``coding`` (export row shape)."""
    ids = {c["id"] for c in cmocs}
    links = [x for x in q.cmoc_links(store) if x["cmoc_id"] in ids]
    codings = {c["coding_id"]: c for c in q.codings_by_id(store, [x["coding_id"] for x in links])}
    out: dict[int, list[dict]] = defaultdict(list)
    for link in links:
        coding = codings.get(link["coding_id"])
        if coding is not None:
            out[link["cmoc_id"]].append({**link, "coding": coding,
                                         "document_id": coding["document_id"],
                                         "sentence_id": coding["sentence_id"],
                                         "end_sentence_id": coding["end_sentence_id"]})
    return out


def cmoc_table(store: Store, *, theories: set[str] | None = None,
               doc_filter: DocumentFilter | None = None) -> Table:
    """One row per active CMO configuration with its evidence, quoted, cited and weighed.
    Evidence from documents the filter leaves out (excluded at screening, below a minimum
    appraisal, other characteristics) is left out and counted in the notes."""
    labels = theory_labels(store)
    order = {t: i for i, t in enumerate(labels)}  # codebook order, as the evidence table
    cmocs = sorted((c for c in q.active_cmocs(store) if not theories or c["theory"] in theories),
                   key=lambda c: (order.get(c["theory"], len(order)), c["theory"], c["id"]))
    evidence = cmoc_evidence(store, cmocs)
    docs = q.documents(store)
    citations = citation_labels(docs)
    appraisals = settled_appraisals(store, unblinded=True)
    kept, dropped = kept_documents(docs, appraisals, doc_filter)
    sections: dict[str, Section] = {}
    left_out: set[int] = set()
    cited_ids: set[int] = set()
    for cmoc in cmocs:
        links = [x for x in evidence[cmoc["id"]] if x["document_id"] in kept]
        left_out |= {x["document_id"] for x in evidence[cmoc["id"]]} - kept
        weight = weigh(links, appraisals)
        row = {"cmoc_id": cmoc["id"], "uuid": cmoc["uuid"], "reviewer": cmoc["reviewer"],
               "theory_label": labels.get(cmoc["theory"], cmoc["theory"]),
               "statement": statement(cmoc), "weight": weight.summary(),
               "version": len(cmoc_store.cmoc_versions(store, cmoc["id"])),
               **{part: [] for part in CMOC_PARTS}}
        for j in JUDGEMENTS:
            row[HEADINGS[j]] = judged_sources(weight, citations, j)
        cited, listed = [], set()
        for source in weight.sources:
            for link in source.links:
                coding = link["coding"]
                key = (link["part"], coding["sentence_id"], coding["end_sentence_id"],
                       code_key(coding), link["judgement"])
                if key in listed:  # the same fragment coded by two reviewers: quote it once
                    continue
                listed.add(key)
                citation = citations.get(coding["document_id"], coding["document"])
                page = page_span(coding["page"], coding["end_page"])
                mark = "" if link["judgement"] == "supports" else f"[{link['judgement']}] "
                warn = " \u26a0 damaged text: check the PDF" if damage(coding) else ""
                row.setdefault(cmoc_part(link["part"], coding), []).append(
                    f"{mark}\u201c{coding['text']}\u201d ({citation}, p. {page}; "
                    f"{code_label(coding)}){warn}")
                cited.append((citation, page))
                cited_ids.add(coding["document_id"])
        row["sources"] = _sources(cited)
        sections.setdefault(row["theory_label"], Section(row["theory_label"])).rows.append(row)
    notes = [f"{len(cmocs)} CMO configurations. Evidence: sources (fragments) that support, "
             "refute or refine each configuration; appraisal is the team's consensus, else "
             "the reviewers' agreed judgement (differing judgements are listed)."]
    note = filter_note(doc_filter, [d for d in dropped if d["id"] in left_out],
                       "linked evidence")
    if note:
        notes.append(note)
    return Table("cmoc", "CMO configurations", list(CMOC_COLUMNS),
                 list(sections.values()) or [Section("CMO configurations")], notes,
                 extra={"group_column": "theory_label"},
                 references=cited_references(store, cited_ids))
