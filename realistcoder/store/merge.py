"""Merge another reviewer's store into this one (``realistcoder merge OTHER.db``).

Matching: documents by content hash (sentences by position in the document, checked by text),
codebook versions by (name, content hash), codes by (version, code id), code proposals by
(sentence, code version), role proposals by (sentence, role, reviewer), learned models, import
batches, decisions, appraisals and CMOCs by their uuid; the synthesis
tables (versions, chains, flow counts, polarity, gaps, characteristics) in
``merge_synthesis``. Anything already here is left alone, so merging the same store twice adds
nothing. The reviewers' current state is then replayed from the merged decision log.
Everything runs in one transaction. The other store is only ever read: see :func:`open_other`.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from realistcoder.errors import InputError, StoreError
from realistcoder.store import review as rv
from realistcoder.store.db import Store, open_store
from realistcoder.store.merge_checks import (
    MAX_LISTED,
    MergeRefused,
    check_integrity,
    damaged,
    inconsistencies,
)
from realistcoder.store.merge_synthesis import merge_synthesis
from realistcoder.store.migrations import SCHEMA_VERSION

OTHER_TIMEOUT_S = 5.0  # how long to wait for a store another process is writing


@dataclass
class MergeReport:
    added: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        self.added[what] = self.added.get(what, 0) + n

    def summary(self) -> str:
        parts = [f"{n} {what}" for what, n in self.added.items() if n]
        return ("merged: " + ", ".join(parts)) if parts else "merged: nothing new"


def _copy_row(store: Store, table: str, row: dict, **overrides) -> int:
    """Insert ``row`` (minus its id, plus overrides) keeping only columns this store has."""
    columns = set(store.db[table].columns_dict)
    data = {k: v for k, v in {**row, **overrides}.items() if k in columns and k != "id"}
    return store.db[table].insert(data).last_pk


def merge_store(store: Store, other: Store) -> MergeReport:
    """Bring ``other``'s work into ``store``; see the module docstring."""
    report = MergeReport()
    with store.transaction():
        docs = _documents(store, other, report)
        sentences = _sentences(store, other, docs, report)
        codebooks, codes = _codebooks(store, other, report)
        models = _role_models(store, other, report)
        proposals = _proposals(store, other, sentences, codes, codebooks, models, report)
        _proposal_scores(store, other, proposals, models)
        before = {r: rv.proposal_status(store, r) for r in rv.reviewers(store)}
        _batches(store, other)
        touched = _decisions(store, other, sentences, codes, codebooks, proposals, report)
        _model_decisions(store, other, models)
        for reviewer in sorted(touched):
            rv.rebuild_reviewer(store, reviewer)
        _report_conflicts(store, other, before, touched, proposals, report)
        _appraisals(store, other, docs, report)
        _cmocs(store, other, report)
        merge_synthesis(store, other, docs, report)
    return report


def merge_stores(store: Store, other_path: str | Path) -> MergeReport:
    """Merge the store file at ``other_path`` into ``store``; the other file is never written
    (see :func:`open_other`)."""
    other_path = Path(other_path)
    if other_path.resolve() == Path(store.path).resolve():
        raise InputError("cannot merge a store into itself", subject=other_path,
                         fix="name the other reviewer's store file")
    with open_other(other_path) as other:
        try:
            problems = inconsistencies(other)
            if problems:
                raise MergeRefused(
                    f"{len(problems)} rows of the other store contradict each other or break "
                    "the review's rules; nothing merged", subject=other_path,
                    fix="the file was edited outside realistcoder: ask its owner for a copy "
                    "made by realistcoder", problems=problems[:MAX_LISTED])
            return merge_store(store, other)
        except sqlite3.DatabaseError as err:  # a damaged page that quick_check did not reach
            if isinstance(err, sqlite3.OperationalError) and "locked" in str(err).lower():
                raise _other_error(other_path, err) from err
            raise damaged(other_path, str(err)) from err


def _connect_readonly(path: Path) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri().replace('file://', 'file:', 1)}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=OTHER_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(OTHER_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA query_only = ON")
    return conn


def _other_error(path: Path, err: sqlite3.Error) -> StoreError:
    text = str(err).lower()
    if "locked" in text or "busy" in text:
        return StoreError("the store is locked by another process", subject=path,
                          fix="let the other realistcoder command finish, then merge again")
    if "not a database" in text or "malformed" in text:
        return StoreError("not a realistcoder store (not an SQLite database, or damaged)",
                          subject=path, fix="name a store file made by realistcoder")
    return StoreError(f"cannot read the store: {err}", subject=path,
                      fix="check the file and that you may read it")


@contextmanager
def open_other(path: Path) -> Iterator[Store]:
    """Open another reviewer's store for reading only.

    At the current schema version the file itself is opened read-only (``mode=ro``, and
    ``query_only``). An older store is copied (SQLite backup, so a pending WAL is included) to
    a temporary file and the copy is migrated. A file that is not a realistcoder store, is
    locked, or is newer than this realistcoder is refused with a :class:`StoreError`."""
    if not path.is_file():
        raise StoreError("no store file here", subject=path, fix="check the path")
    try:
        conn = _connect_readonly(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as err:
        raise _other_error(path, err) from err
    try:
        check_integrity(conn, path)
    except StoreError:
        conn.close()
        raise
    try:
        if version == 0 or not {"documents", "sentences", "proposals"} <= tables:
            raise StoreError("not a realistcoder store (no review tables)", subject=path,
                             fix="name a store file made by `realistcoder ingest`")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the store has schema version {version}, newer than this realistcoder "
                f"understands ({SCHEMA_VERSION})", subject=path,
                fix="upgrade realistcoder (pip install -U realistcoder) to merge it")
        if version == SCHEMA_VERSION:
            conn.execute("BEGIN")  # one read snapshot: a colleague still writing is not half-read
            try:
                yield Store(path, conn)
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            return
        with tempfile.TemporaryDirectory(prefix="realistcoder-merge-") as folder:
            copy = Path(folder) / path.name
            target = sqlite3.connect(copy)
            try:
                conn.backup(target)
            except sqlite3.Error as err:
                raise _other_error(path, err) from err
            finally:
                target.close()
            migrated = open_store(copy, create=False)
            try:
                yield migrated
            finally:
                migrated.close()
    finally:
        conn.close()


def _documents(store: Store, other: Store, report: MergeReport) -> dict[int, int]:
    local = {r["sha256"]: r["id"] for r in store.query("SELECT id, sha256 FROM documents")}
    names = {r["file_name"]: r["sha256"] for r in store.query(
        "SELECT file_name, sha256 FROM documents WHERE status = 'ok'")}
    mapping: dict[int, int] = {}
    for d in other.query("SELECT * FROM documents ORDER BY id"):
        if d["sha256"] in local:
            mapping[d["id"]] = local[d["sha256"]]
            continue
        if d["file_name"] in names and d["status"] == "ok":
            report.conflicts.append(
                f"{d['file_name']}: the other store's copy has different content; both kept")
        new = _copy_row(store, "documents", d, supersedes=mapping.get(d["supersedes"]))
        mapping[d["id"]] = local[d["sha256"]] = new
        for page in other.query("SELECT * FROM pages WHERE document_id = ?", (d["id"],)):
            _copy_row(store, "pages", page, document_id=new)
        for s in other.query("SELECT * FROM sentences WHERE document_id = ? ORDER BY seq",
                             (d["id"],)):
            _copy_row(store, "sentences", s, document_id=new)
        report.add("documents")
    return mapping


def _sentences(store: Store, other: Store, docs: dict[int, int],
               report: MergeReport) -> dict[int, int]:
    """Other sentence id -> local id, for sentences of the same text at the same position."""
    mapping: dict[int, int] = {}
    for other_doc, local_doc in docs.items():
        here = {r["seq"]: r for r in store.query(
            "SELECT id, seq, text FROM sentences WHERE document_id = ?", (local_doc,))}
        mismatched = 0
        for s in other.query("SELECT id, seq, text FROM sentences WHERE document_id = ?",
                             (other_doc,)):
            mine = here.get(s["seq"])
            if mine and mine["text"] == s["text"]:
                mapping[s["id"]] = mine["id"]
            else:
                mismatched += 1
        if mismatched:
            report.conflicts.append(
                f"document {local_doc}: {mismatched} sentences were split differently in the "
                "other store; decisions on them were not merged (re-ingest with the same "
                "realistcoder version)")
    return mapping


def _codebooks(store: Store, other: Store, report: MergeReport):
    local = {(r["name"], r["sha256"]): r["id"] for r in store.query(
        "SELECT id, name, sha256 FROM codebooks")}
    books: dict[int, int] = {}
    for b in other.query("SELECT * FROM codebooks ORDER BY id"):
        key = (b["name"], b["sha256"])
        if key not in local:
            local[key] = _copy_row(store, "codebooks", b)
            for c in other.query("SELECT * FROM codes WHERE codebook_id = ?", (b["id"],)):
                _copy_row(store, "codes", c, codebook_id=local[key])
            report.add("codebook versions")
        books[b["id"]] = local[key]
    here = {(r["codebook_id"], r["code"]): r["id"] for r in store.query(
        "SELECT id, codebook_id, code FROM codes")}
    codes = {c["id"]: here.get((books[c["codebook_id"]], c["code"]))
             for c in other.query("SELECT id, codebook_id, code FROM codes")}
    return books, codes


def _role_models(store, other, report) -> dict[int, int]:
    """Learned models by uuid (their ``last_decision_id`` is mapped after the decisions)."""
    here = {r["uuid"]: r["id"] for r in store.query("SELECT id, uuid FROM role_models")}
    mapping: dict[int, int] = {}
    for m in other.query("SELECT * FROM role_models ORDER BY id"):
        if m["uuid"] not in here:
            here[m["uuid"]] = _copy_row(store, "role_models", m, last_decision_id=None)
            report.add("learned models")
        mapping[m["id"]] = here[m["uuid"]]
    return mapping


def _proposal_key(p: dict, sid: int, cid: int | None) -> tuple:
    """A code proposal is one per (sentence, code version); a role proposal one per (sentence,
    role, reviewer: null for everyone's, the reviewer's name for a learned one)."""
    return ("code", sid, cid) if cid is not None else ("role", sid, p["role"], p["reviewer"] or "")


def _proposals(store, other, sentences, codes, books, models, report) -> dict[int, int]:
    here = {_proposal_key(r, r["sentence_id"], r["code_id"]): r["id"] for r in store.query(
        "SELECT id, sentence_id, code_id, role, reviewer FROM proposals")}
    mapping: dict[int, int] = {}
    for p in other.query("SELECT * FROM proposals ORDER BY id"):
        sid, cid = sentences.get(p["sentence_id"]), codes.get(p["code_id"])
        if sid is None or (p["code_id"] is not None and cid is None):
            continue
        key = _proposal_key(p, sid, cid)
        if key not in here:
            here[key] = _copy_row(store, "proposals", p, sentence_id=sid, code_id=cid,
                                  codebook_id=books.get(p["codebook_id"]),
                                  model_id=models.get(p["model_id"]))
            report.add("proposals")
        mapping[p["id"]] = here[key]
    for z in other.query("SELECT * FROM proposal_supersessions"):
        if z["proposal_id"] in mapping and (z["codebook_id"] is None or z["codebook_id"] in books):
            store.conn.execute(
                "INSERT OR IGNORE INTO proposal_supersessions (proposal_id, codebook_id, "
                "superseded_at) VALUES (?, ?, ?)",
                (mapping[z["proposal_id"]], books.get(z["codebook_id"]), z["superseded_at"]))
    return mapping


def _proposal_scores(store, other, proposals, models) -> None:
    """A reviewer's learned scores: the later of the two stores' for each proposal."""
    for r in other.query("SELECT * FROM proposal_scores"):
        pid, mid = proposals.get(r["proposal_id"]), models.get(r["model_id"])
        if pid is None or mid is None:
            continue
        store.conn.execute(
            "INSERT INTO proposal_scores (proposal_id, reviewer, score, model_id, shown, "
            "explanation, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (proposal_id, reviewer) DO UPDATE SET score = excluded.score, "
            "model_id = excluded.model_id, shown = excluded.shown, "
            "explanation = excluded.explanation, updated_at = excluded.updated_at "
            "WHERE excluded.updated_at > proposal_scores.updated_at",
            (pid, r["reviewer"], r["score"], mid, r["shown"], r["explanation"],
             r["updated_at"]))


def _model_decisions(store, other, models) -> None:
    """Each merged model's last decision, by the decision's uuid."""
    ids = {r["uuid"]: r["id"] for r in store.query("SELECT id, uuid FROM decisions")}
    for m in other.query(
            "SELECT m.id, d.uuid FROM role_models m JOIN decisions d ON d.id = "
            "m.last_decision_id"):
        if m["uuid"] in ids and m["id"] in models:
            store.conn.execute("UPDATE role_models SET last_decision_id = ? WHERE id = ? AND "
                               "last_decision_id IS NULL", (ids[m["uuid"]], models[m["id"]]))


def _batches(store, other) -> None:
    """Import batches by uuid (before the decisions that name them), oldest first."""
    known = {r["uuid"] for r in store.query("SELECT uuid FROM batches")}
    for b in other.query("SELECT * FROM batches ORDER BY id"):
        if b["uuid"] not in known:
            _copy_row(store, "batches", b)


def _decisions(store, other, sentences, codes, books, proposals, report) -> set[str]:
    known = {r["uuid"] for r in store.query("SELECT uuid FROM decisions")}
    touched: set[str] = set()
    skipped = 0
    for d in other.query("SELECT * FROM decisions ORDER BY id"):
        if d["uuid"] in known:
            continue
        mapped = {
            "proposal_id": proposals.get(d["proposal_id"]),
            "sentence_id": sentences.get(d["sentence_id"]),
            "end_sentence_id": sentences.get(d["end_sentence_id"]),
            "code_id": codes.get(d["code_id"]),
            "codebook_id": books.get(d["codebook_id"]),
        }
        if any(d[k] is not None and v is None for k, v in mapped.items()):
            skipped += 1
            continue
        _copy_row(store, "decisions", d, **mapped)
        known.add(d["uuid"])
        touched.add(d["reviewer"])
        report.add("decisions")
    if skipped:
        report.conflicts.append(f"{skipped} decisions refer to sentences or codes that could not "
                                "be matched here; they were not merged")
    return touched


def _report_conflicts(store, other, before, touched, proposals, report) -> None:
    """Same reviewer, same proposal, different decisions in the two stores."""
    theirs = {(proposals.get(r["proposal_id"]), r["reviewer"]): r["status"] for r in other.query(
        "SELECT proposal_id, reviewer, status FROM proposal_reviews WHERE status != 'pending'")}
    for reviewer in sorted(touched & set(before)):
        after = rv.proposal_status(store, reviewer)
        for pid, mine in sorted(before[reviewer].items()):
            other_status = theirs.get((pid, reviewer))
            if mine != "pending" and other_status and other_status != mine:
                report.conflicts.append(
                    f"{reviewer}, proposal {pid}: {mine} here, {other_status} in the other "
                    f"store; the later decision stands ({after.get(pid)})")


def _appraisals(store, other, docs, report) -> None:
    known = {r["uuid"] for r in store.query("SELECT uuid FROM appraisals")}
    for a in other.query("SELECT * FROM appraisals ORDER BY id"):
        if a["uuid"] not in known and a["document_id"] in docs:
            _copy_row(store, "appraisals", a, document_id=docs[a["document_id"]])
            report.add("appraisals")


def _cmocs(store, other, report) -> None:
    here = {r["uuid"]: r for r in store.query("SELECT id, uuid, updated_at FROM cmocs")}
    codings = {r["uuid"]: r["id"] for r in store.query("SELECT id, uuid FROM codings")}
    for m in other.query("SELECT * FROM cmocs ORDER BY id"):
        if m["uuid"] in here:
            if here[m["uuid"]]["updated_at"] != m["updated_at"]:
                report.conflicts.append(
                    f"CMOC {here[m['uuid']]['id']} was edited in both stores; kept this one")
            continue
        links = other.query(
            "SELECT l.*, c.uuid AS coding_uuid FROM cmoc_links l JOIN codings c ON "
            "c.id = l.coding_id WHERE l.cmoc_id = ?", (m["id"],))
        if any(link["coding_uuid"] not in codings for link in links):
            report.conflicts.append(f"CMOC '{m['title'] or m['uuid']}' links codings that were "
                                    "not merged; skipped")
            continue
        new = _copy_row(store, "cmocs", m)
        for link in links:
            _copy_row(store, "cmoc_links", link, cmoc_id=new,
                      coding_id=codings[link["coding_uuid"]])
        for h in other.query("SELECT * FROM cmoc_history WHERE cmoc_id = ?", (m["id"],)):
            _copy_row(store, "cmoc_history", h, cmoc_id=new)
        report.add("CMOCs")
    for k in other.query("SELECT * FROM cmoc_discards"):
        store.conn.execute("INSERT OR IGNORE INTO cmoc_discards (reviewer, theory, key, "
                           "created_at) VALUES (?, ?, ?, ?)",
                           (k["reviewer"], k["theory"], k["key"], k["created_at"]))
