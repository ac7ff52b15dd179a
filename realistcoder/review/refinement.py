"""Theory refinement, traceable: how each CMOC and each programme theory changed, who changed
it, when, why, and on what evidence.

A CMOC's versions (``store.cmoc.cmoc_versions``) are compared one with the next: which parts of
the statement changed (old and new text), which evidence was linked, unlinked or judged anew.
A programme theory starts as its codebook description (the initial theory); ``refine_theory``
records that as version 1 the first time the team refines it, then the refined statement.
"""

from __future__ import annotations

import json

from realistcoder.errors import InputError
from realistcoder.store import cmoc as cm
from realistcoder.store import theory as th
from realistcoder.store.db import Store
from realistcoder.store.review import fragment_text

STATEMENT_FIELDS = ("title", "if_text", "then_text", "because_text", "theory", "status")
INITIAL_REASON = "initial programme theory, from codebook {name} {version}"


def _evidence(store: Store, uuids: list[str]) -> list[dict]:
    """Codings (by uuid) with their document, page and quote; unknown uuids are kept as such
    (a coding from a store that was not merged)."""
    if not uuids:
        return []
    ids = th.codings_by_uuid(store, uuids)
    rows = {r["uuid"]: r for r in store.query(
        "SELECT c.id, c.uuid, c.code, c.role, c.reviewer, c.document_id, c.sentence_id, "
        "c.end_sentence_id, d.file_name AS document, s.page_no AS page FROM codings c JOIN "
        "documents d ON d.id = c.document_id JOIN sentences s ON s.id = c.sentence_id "
        f"WHERE c.id IN ({','.join('?' * len(ids))})", tuple(ids.values()))} if ids else {}
    out = []
    for u in uuids:
        row = rows.get(u)
        if row is None:
            out.append({"uuid": u, "coding_id": None, "text": "(coding not in this store)"})
            continue
        out.append({**row, "coding_id": row["id"],
                    "text": fragment_text(store, row["sentence_id"], row["end_sentence_id"])})
    return out


def cmoc_history(store: Store, cmoc_id: int) -> dict:
    """The CMOC (current) and its versions, each with ``changed`` (field -> (old, new)),
    ``added`` / ``removed`` (coding id, part), ``rejudged`` (coding id, old, new) and
    ``evidence`` (the codings that prompted it, quoted)."""
    cmoc = cm.get_cmoc(store, cmoc_id)
    versions = cm.cmoc_versions(store, cmoc_id)
    uuids = sorted({link[0] for v in versions for link in v["links"]})
    coding_ids = th.codings_by_uuid(store, uuids)
    previous: dict | None = None
    for v in versions:
        links = {(link[0], link[1]): link[2] for link in v["links"]}
        before = {} if previous is None else {(x[0], x[1]): x[2] for x in previous["links"]}
        v["changed"] = {} if previous is None else {
            f: (previous[f], v[f]) for f in STATEMENT_FIELDS if previous[f] != v[f]}
        v["added"] = [(coding_ids.get(u), p, j) for (u, p), j in links.items()
                      if (u, p) not in before]
        v["removed"] = [(coding_ids.get(u), p) for (u, p) in before if (u, p) not in links]
        v["rejudged"] = [(coding_ids.get(u), before[(u, p)], j) for (u, p), j in links.items()
                         if (u, p) in before and before[(u, p)] != j]
        v["evidence"] = _evidence(store, v["evidence"])
        previous = v
    return {"cmoc": cmoc, "versions": versions}


def initial_theory(store: Store, theory: str) -> tuple[str, str] | None:
    """(description, codebook name and version) of ``theory`` in the newest codebook that
    describes it."""
    for book in reversed(store.query("SELECT name, version, content FROM codebooks ORDER BY id")):
        data = json.loads(book["content"])
        for t in data.get("theories", []):
            if t.get("id") == theory:
                text = (t.get("description") or t.get("label") or "").strip()
                if text:
                    return text, f"{book['name']} {book['version']}"
    return None


def known_theories(store: Store) -> dict[str, str]:
    """Theory id -> label, from the loaded codebooks, CMOCs and refinements."""
    out: dict[str, str] = {}
    for book in store.query("SELECT content FROM codebooks ORDER BY id"):
        for t in json.loads(book["content"]).get("theories", []):
            out[t["id"]] = t.get("label") or t["id"]
    for r in store.query("SELECT DISTINCT theory FROM cmocs UNION SELECT DISTINCT theory FROM "
                         "theory_versions"):
        out.setdefault(r["theory"], r["theory"])
    return out


def refine_theory(store: Store, theory: str, statement: str, reviewer: str, *,
                  reason: str | None = None, evidence: list[int] = (),
                  cmocs: list[int] = ()) -> list[dict]:
    """Record a refined statement of ``theory``. The first time, the initial theory (the
    codebook's description) is recorded first as version 1. Returns the versions added."""
    if theory not in known_theories(store):
        raise InputError(f"no theory '{theory}' in the loaded codebooks or CMOCs",
                         subject="THEORY", fix="list them with `realistcoder theory list`")
    added = []
    with store.transaction():
        if not th.theory_versions(store, theory):
            initial = initial_theory(store, theory)
            if initial is not None:
                text, book = initial
                name, _, version = book.rpartition(" ")
                added.append(th.add_theory_version(
                    store, theory, text, reviewer,
                    reason=INITIAL_REASON.format(name=name, version=version)))
        added.append(th.add_theory_version(store, theory, statement, reviewer, reason=reason,
                                           evidence=evidence, cmocs=cmocs))
    return added


def theory_history(store: Store, theory: str) -> list[dict]:
    """The theory's versions with their evidence quoted and CMOCs named (by id and title)."""
    by_uuid = {r["uuid"]: r for r in store.query("SELECT id, uuid, title FROM cmocs")}
    versions = th.theory_versions(store, theory)
    for v in versions:
        v["evidence"] = _evidence(store, v["evidence"])
        v["cmocs"] = [by_uuid.get(u, {"id": None, "uuid": u, "title": "(not in this store)"})
                      for u in v["cmocs"]]
    return versions
