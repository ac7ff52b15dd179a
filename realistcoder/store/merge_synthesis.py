"""Merge the synthesis tables of schema 6 (called by ``store.merge.merge_store``, inside its
transaction, after documents, codings and CMOCs are merged).

Matching is by uuid, as for decisions: flow counts, CMOC versions, theory versions, chains,
polarity marks, knowledge gaps. CMOC versions are brought in for a CMOC whose state is the same
in both stores (one merged now, or never edited apart). Document characteristics and screening
fill fields that are empty here; differing values are kept as they are here and reported.
Code mappings are added unless this store maps the code to another level.
"""

from __future__ import annotations

from realistcoder.store.characteristics import CARRIED
from realistcoder.store.db import Store


def _copy(store: Store, table: str, row: dict, **overrides) -> int:
    columns = set(store.db[table].columns_dict)
    data = {k: v for k, v in {**row, **overrides}.items() if k in columns and k != "id"}
    return store.db[table].insert(data).last_pk


def _uuids(store: Store, table: str) -> set[str]:
    return {r["uuid"] for r in store.query(f"SELECT uuid FROM {table}")}


def merge_synthesis(store: Store, other: Store, docs: dict[int, int], report) -> None:
    cmocs = {r["uuid"]: r for r in store.query("SELECT id, uuid, updated_at FROM cmocs")}
    theirs = {r["id"]: r for r in other.query("SELECT id, uuid, updated_at FROM cmocs")}
    codings = {r["uuid"]: r["id"] for r in store.query("SELECT id, uuid FROM codings")}
    coding_uuid = {r["id"]: r["uuid"] for r in other.query("SELECT id, uuid FROM codings")}
    _characteristics(store, other, docs, report)
    _simple(store, other, "flow_counts", "flow counts", report)
    _simple(store, other, "theory_versions", "theory versions", report)
    _simple(store, other, "coding_polarity", "polarity marks", report)
    known = _uuids(store, "cmoc_versions")
    for v in other.query("SELECT * FROM cmoc_versions ORDER BY id"):
        mine = cmocs.get(theirs[v["cmoc_id"]]["uuid"])
        if v["uuid"] in known or mine is None or \
                mine["updated_at"] != theirs[v["cmoc_id"]]["updated_at"]:
            continue
        _copy(store, "cmoc_versions", v, cmoc_id=mine["id"])
        report.add("CMOC versions")
    _chains(store, other, cmocs, theirs, report)
    _mappings(store, other, report)
    _gaps(store, other, docs, cmocs, theirs, codings, coding_uuid, report)


def _simple(store: Store, other: Store, table: str, what: str, report) -> None:
    known = _uuids(store, table)
    for row in other.query(f"SELECT * FROM {table} ORDER BY id"):
        if row["uuid"] not in known:
            _copy(store, table, row)
            report.add(what)


def _characteristics(store: Store, other: Store, docs: dict[int, int], report) -> None:
    cols = ", ".join(("id", "file_name") + CARRIED)
    here = {r["id"]: r for r in store.query(f"SELECT {cols} FROM documents")}
    for row in other.query(f"SELECT {cols} FROM documents"):
        mine = here.get(docs.get(row["id"]))
        if mine is None:
            continue
        fill = {k: row[k] for k in CARRIED if row[k] is not None and mine[k] is None}
        differ = [k for k in CARRIED if row[k] is not None and mine[k] not in (None, row[k])
                  and k not in ("screened_by", "screened_at")]
        if fill:
            sets = ", ".join(f"{k} = ?" for k in fill)
            store.conn.execute(f"UPDATE documents SET {sets} WHERE id = ?",
                               (*fill.values(), mine["id"]))
            report.add("document characteristics")
        if differ:
            report.conflicts.append(
                f"{mine['file_name']}: {', '.join(k.replace('_', ' ') for k in differ)} "
                "differ in the other store; kept this one")


def _chains(store: Store, other: Store, cmocs: dict, theirs: dict, report) -> None:
    here = {r["uuid"]: r for r in store.query("SELECT id, uuid, removed_at FROM cmoc_chains")}
    for ch in other.query("SELECT * FROM cmoc_chains ORDER BY id"):
        if ch["uuid"] in here:
            if ch["removed_at"] and not here[ch["uuid"]]["removed_at"]:
                store.conn.execute("UPDATE cmoc_chains SET removed_at = ?, removed_by = ? "
                                   "WHERE uuid = ?", (ch["removed_at"], ch["removed_by"],
                                                      ch["uuid"]))
                report.add("chains ended")
            continue
        a = cmocs.get(theirs[ch["from_cmoc"]]["uuid"])
        b = cmocs.get(theirs[ch["to_cmoc"]]["uuid"])
        if a is None or b is None:
            report.conflicts.append("a chain links CMOCs that were not merged; skipped")
            continue
        _copy(store, "cmoc_chains", ch, from_cmoc=a["id"], to_cmoc=b["id"])
        report.add("chains")


def _mappings(store: Store, other: Store, report) -> None:
    levels = {(r["codebook"], r["code"]): r["value"] for r in store.query(
        "SELECT codebook, code, value FROM code_mappings WHERE scheme = 'level'")}
    for m in other.query("SELECT * FROM code_mappings ORDER BY id"):
        key = (m["codebook"], m["code"])
        if m["scheme"] == "level" and levels.get(key, m["value"]) != m["value"]:
            report.conflicts.append(f"{m['codebook']}:{m['code']} has level {levels[key]} "
                                    f"here, {m['value']} in the other store; kept this one")
            continue
        cursor = store.conn.execute(
            "INSERT OR IGNORE INTO code_mappings (codebook, code, scheme, value, reviewer, "
            "source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (m["codebook"], m["code"], m["scheme"], m["value"], m["reviewer"], m["source"],
             m["created_at"]))
        if cursor.rowcount:
            report.add("code mappings")


def _gaps(store, other, docs, cmocs, theirs, codings, coding_uuid, report) -> None:
    here = {r["uuid"]: r["id"] for r in store.query("SELECT id, uuid FROM knowledge_gaps")}
    for gap in other.query("SELECT * FROM knowledge_gaps ORDER BY id"):
        if gap["uuid"] not in here:
            here[gap["uuid"]] = _copy(store, "knowledge_gaps", gap)
            report.add("knowledge gaps")
        gap_id = here[gap["uuid"]]
        have = {(r["cmoc_id"], r["coding_id"], r["document_id"]) for r in store.query(
            "SELECT cmoc_id, coding_id, document_id FROM gap_links WHERE gap_id = ?",
            (gap_id,))}
        for link in other.query("SELECT * FROM gap_links WHERE gap_id = ?", (gap["id"],)):
            key = ((cmocs.get(theirs[link["cmoc_id"]]["uuid"]) or {}).get("id")
                   if link["cmoc_id"] else None,
                   codings.get(coding_uuid.get(link["coding_id"])) if link["coding_id"]
                   else None,
                   docs.get(link["document_id"]) if link["document_id"] else None)
            if key == (None, None, None) or key in have:
                continue
            have.add(key)
            _copy(store, "gap_links", link, gap_id=gap_id, cmoc_id=key[0], coding_id=key[1],
                  document_id=key[2])
