"""The refinement trail, for the appendix of a realist report: per programme theory, from the
initial theory to the refined one, every step in order — the theory's own versions, each CMOC
created or changed (old and new statement, links, judgements), chains made or ended — with who,
when, why, and the evidence behind each change, quoted and cited.
"""

from __future__ import annotations

from realistcoder.export.citations import citation_labels
from realistcoder.export.cmoc_table import statement
from realistcoder.export.rows import theory_labels
from realistcoder.export.table import Column, Section, Table
from realistcoder.review.refinement import cmoc_history, known_theories, theory_history
from realistcoder.store import export as q
from realistcoder.store import theory as th
from realistcoder.store.db import Store

COLUMNS = [
    Column("when", "Date", 10),
    Column("element", "Element", 16, wrap=True),
    Column("version", "Version", 7, numeric=True),
    Column("change", "Change", 22, wrap=True),
    Column("before", "Before", 30, wrap=True, optional=True),
    Column("after", "Now", 30, wrap=True),
    Column("reason", "Why", 24, wrap=True),
    Column("evidence", "Evidence", 40, wrap=True),
    Column("reviewer", "By", 8),
    Column("theory", "Theory id", 10, detail=True),
]


def _quotes(evidence: list[dict], citations: dict[int, str]) -> list[str]:
    out = []
    for e in evidence:
        if e.get("coding_id") is None:
            out.append(e["text"])
            continue
        cite = citations.get(e["document_id"], e["document"])
        out.append(f"\u201c{e['text']}\u201d ({cite}, p. {e['page']})")
    return out


def _links(added: list, removed: list, rejudged: list) -> str:
    parts = [f"{p} {c} linked" + ("" if j == "supports" else f" ({j})") for c, p, j in added]
    parts += [f"{p} {c} unlinked" for c, p in removed]
    parts += [f"coding {c}: {old} -> {new}" for c, old, new in rejudged]
    return "; ".join(parts)


def refinement_rows(store: Store, theory: str, citations: dict[int, str]) -> list[dict]:
    rows = []
    for v in theory_history(store, theory):
        named = ", ".join(f"CMOC {c['id']}" for c in v["cmocs"] if c.get("id"))
        rows.append({"at": v["created_at"], "element": "Programme theory",
                     "version": v["version"],
                     "change": "initial theory" if v["version"] == 1 else "refined",
                     "after": v["statement"], "reason": v["reason"] or "",
                     "evidence": _quotes(v["evidence"], citations)
                     + ([f"prompted by {named}"] if named else []),
                     "reviewer": v["reviewer"]})
    for cmoc in store.query("SELECT id FROM cmocs WHERE id IN (SELECT cmoc_id FROM "
                            "cmoc_versions WHERE theory = ?) ORDER BY id", (theory,)):
        history = cmoc_history(store, cmoc["id"])
        previous = None
        for v in history["versions"]:
            if v["theory"] != theory:
                previous = v
                continue
            changed = v["changed"]
            wording = any(f in changed for f in ("title", "if_text", "then_text", "because_text"))
            links = _links(v["added"], v["removed"], v["rejudged"])
            rows.append({
                "at": v["created_at"], "element": f"CMOC {cmoc['id']}"
                + (f": {v['title']}" if v["title"] else ""), "version": v["version"],
                "change": v["change"] if v["version"] > 1 else "; ".join(
                    x for x in ("created", links) if x),
                "before": statement(previous) if previous is not None and wording else "",
                "after": statement(v), "reason": v["reason"] or "",
                "evidence": _quotes(v["evidence"], citations), "reviewer": v["reviewer"]})
            previous = v
    cmocs = {r["id"]: r for r in store.query("SELECT id, theory, title FROM cmocs")}
    for ch in th.all_chains(store):
        if cmocs[ch["to_cmoc"]]["theory"] != theory and cmocs[ch["from_cmoc"]]["theory"] != theory:
            continue
        link = f"CMOC {ch['from_cmoc']} -> CMOC {ch['to_cmoc']}"
        rows.append({"at": ch["created_at"], "element": f"Chain {link}", "version": None,
                     "change": f"outcome of CMOC {ch['from_cmoc']} made the {ch['part']} of "
                     f"CMOC {ch['to_cmoc']}", "after": "", "reason": ch["note"] or "",
                     "evidence": [], "reviewer": ch["reviewer"]})
        if ch["removed_at"]:
            rows.append({"at": ch["removed_at"], "element": f"Chain {link}", "version": None,
                         "change": "chain ended", "after": "", "reason": "", "evidence": [],
                         "reviewer": ch["removed_by"]})
    rows.sort(key=lambda r: r["at"])
    for r in rows:
        r["when"], r["theory"] = r["at"][:10], theory
    return rows


def refinement_table(store: Store, *, theories: set[str] | None = None) -> Table:
    """One section per theory with a refinement history (theory versions, CMOCs, chains)."""
    labels = {**known_theories(store), **theory_labels(store)}
    citations = citation_labels(q.documents(store))
    sections = []
    for theory in labels:
        if theories and theory not in theories:
            continue
        rows = refinement_rows(store, theory, citations)
        if rows:
            sections.append(Section(labels[theory], rows))
    steps = sum(len(s.rows) for s in sections)
    notes = [f"{steps} refinement steps across {len(sections)} theories, oldest first: the "
             "programme theory's versions (version 1 is the initial theory), each CMO "
             "configuration as created and changed (Before / Now), and chains between them, "
             "with the evidence that prompted each change."]
    return Table("refinement", "Theory refinement trail", list(COLUMNS),
                 sections or [Section("Theory refinement trail")], notes)
