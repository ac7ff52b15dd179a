"""SQL for documents, pages and sentences: writing an ingested document, and reading it back.

A document is written in one transaction with its pages and sentences. Rows are never updated
in place when a file changes: the new content becomes a new row that ``supersedes`` the old one,
and the old row (status ``superseded``) keeps its sentences so codings made against it survive.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.characteristics import carry_forward
from realistcoder.store.db import Store, database_error, utcnow


@dataclass
class SentenceRow:
    seq: int
    page_no: int
    start: int
    end: int
    text: str
    section: str
    paragraph: int
    bbox: list[list[float]] = field(default_factory=list)
    cut_at_length: bool = False  # a piece of a run with no sentence end (see ingest/long_runs)
    flags: list[str] = field(default_factory=list)  # text integrity marks (ingest.integrity)


@dataclass
class PageRow:
    page_no: int
    start: int
    end: int
    width: float | None = None
    height: float | None = None
    n_chars: int = 0
    has_text: bool = True
    issues: dict[str, int] | None = None  # characters that could not be read, by kind
    printed: str | None = None  # the page as printed, when it differs from its text range


@dataclass
class DocumentRecord:
    """Everything ingest extracted from one file, ready to store."""

    path: str
    file_name: str
    sha256: str
    kind: str
    text: str
    pages: list[PageRow]
    sentences: list[SentenceRow]
    title: str | None = None
    authors: str | None = None
    year: int | None = None
    doi: str | None = None
    warnings: list[str] = field(default_factory=list)


# --- writing ----------------------------------------------------------------------------------


def find_by_sha256(store: Store, sha256: str) -> dict | None:
    rows = store.query("SELECT * FROM documents WHERE sha256 = ?", (sha256,))
    return rows[0] if rows else None


def current_at_path(store: Store, path: str) -> dict | None:
    """The newest ``ok`` version of the file at ``path``."""
    rows = store.query(
        "SELECT * FROM documents WHERE path = ? AND status = 'ok' ORDER BY version DESC, id DESC "
        "LIMIT 1",
        (path,),
    )
    return rows[0] if rows else None


def write_document(store: Store, doc: DocumentRecord) -> tuple[int, str]:
    """Store ``doc`` in one transaction; returns (document id, what happened).

    What happened is ``new``, ``unchanged`` (same content already stored: nothing written),
    ``version`` (a changed file at a known path: the old row is now ``superseded``),
    ``retried`` (a file that failed before now ingests) or ``restored``.
    """
    with store.transaction() as db:
        same = find_by_sha256(store, doc.sha256)
        if same is not None and same["status"] == "ok":
            return same["id"], "unchanged"
        if same is not None and same["status"] == "superseded":
            # the file went back to an older content: make that version current again
            current = current_at_path(store, same["path"])
            if current is not None:
                _set_status(store, current["id"], "superseded")
            _set_status(store, same["id"], "ok")
            return same["id"], "restored"
        outcome = "new"
        if same is not None:  # a failed attempt at the same bytes
            store.conn.execute("DELETE FROM documents WHERE id = ?", (same["id"],))
            outcome = "retried"
        previous = current_at_path(store, doc.path)
        version = 1
        if previous is not None:
            _set_status(store, previous["id"], "superseded")
            version = previous["version"] + 1
            outcome = "version"
        doc_id = db["documents"].insert(
            {
                "path": doc.path,
                "file_name": doc.file_name,
                "sha256": doc.sha256,
                "kind": doc.kind,
                "title": doc.title,
                "authors": doc.authors,
                "year": doc.year,
                "doi": doc.doi,
                "n_pages": len(doc.pages),
                "text": doc.text,
                "status": "ok",
                "error": None,
                "warnings": json.dumps(doc.warnings) if doc.warnings else None,
                "version": version,
                "supersedes": previous["id"] if previous else None,
                "ingested_at": utcnow(),
            }
        ).last_pk
        store.conn.executemany(
            'INSERT INTO pages (document_id, page_no, start, "end", width, height, n_chars, '
            "has_text, text, issues) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (doc_id, p.page_no, p.start, p.end, p.width, p.height, p.n_chars,
                 int(p.has_text),
                 p.printed if p.printed is not None else doc.text[p.start:p.end],
                 json.dumps(p.issues) if p.issues else None)
                for p in doc.pages
            ],
        )
        store.conn.executemany(
            'INSERT INTO sentences (document_id, page_no, seq, start, "end", text, section, '
            "paragraph, bbox, cut_at_length, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (doc_id, s.page_no, s.seq, s.start, s.end, s.text, s.section, s.paragraph,
                 json.dumps(s.bbox) if s.bbox else None, int(s.cut_at_length),
                 json.dumps(s.flags) if s.flags else None)
                for s in doc.sentences
            ],
        )
        if previous is not None:
            carry_forward(store, previous["id"], doc_id)
        return doc_id, outcome


def write_failure(store: Store, *, path: str, file_name: str, sha256: str, kind: str,
                  error: str, failed_limit: str | None = None) -> int | None:
    """Record a file that could not be ingested (status ``failed``, the one-line error, and
    ``failed_limit`` such as ``memory 1024`` when a resource limit stopped it).

    Skipped when the same bytes are already stored fine; a previous failure is replaced.
    """
    with store.transaction() as db:
        same = find_by_sha256(store, sha256)
        if same is not None and same["status"] != "failed":
            return None
        if same is not None:
            store.conn.execute("DELETE FROM documents WHERE id = ?", (same["id"],))
        return db["documents"].insert(
            {
                "path": path, "file_name": file_name, "sha256": sha256, "kind": kind,
                "status": "failed", "error": error, "failed_limit": failed_limit,
                "ingested_at": utcnow(),
            }
        ).last_pk


def _set_status(store: Store, doc_id: int, status: str) -> None:
    store.conn.execute("UPDATE documents SET status = ? WHERE id = ?", (status, doc_id))


# --- reading ----------------------------------------------------------------------------------

_DOC_COLUMNS = (
    "d.id, d.path, d.file_name, d.sha256, d.kind, d.title, d.authors, d.year, d.doi, "
    "d.doc_type, d.n_pages, d.status, d.error, d.warnings, d.version, d.supersedes, d.ingested_at, "
    "d.evidence_type, d.study_design, d.setting, d.country, d.found_via, d.screening, "
    "d.screening_stage, d.exclusion_reason"
)


def name_forms(name: str) -> tuple[str, str]:
    """A file name as typed, composed (NFC) and decomposed (NFD): macOS stores "é" as e + ´,
    most keyboards type it as one character; both must find the document."""
    return unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)


def get_document(store: Store, ref: int | str, *, with_text: bool = False) -> dict:
    """A document by id, file name, path or sha256 prefix (8+ characters).

    A name matches the current version of its file; older versions are found only when no
    current one matches. Raises NotFoundError when nothing matches, or when several different
    files share the name (then the id tells them apart).
    """
    cols = _DOC_COLUMNS + (", d.text" if with_text else "")
    ref_text = str(ref).strip()
    if ref_text.isdigit():
        rows = store.query(f"SELECT {cols} FROM documents d WHERE d.id = ?", (int(ref_text),))
        if rows:
            return rows[0]
    forms = name_forms(ref_text)
    rows = store.query(
        f"SELECT {cols} FROM documents d WHERE d.file_name IN (?, ?) OR d.path IN (?, ?) "
        "OR (length(?) >= 8 AND d.sha256 LIKE ? || '%') "
        "ORDER BY d.status = 'ok' DESC, d.version DESC, d.id DESC",
        (*forms, *forms, ref_text, ref_text.lower()),
    )
    current = [r for r in rows if r["status"] == "ok"]
    if len({r["path"] for r in current}) > 1:
        raise NotFoundError("several documents match", subject=ref_text,
                            fix="name it by id; `realistcoder documents` lists them")
    if not rows:
        raise NotFoundError("no such document in the store", subject=ref_text,
                            fix="see `realistcoder documents` for ids and file names")
    return rows[0]


# (on ``documents d``) an older version of a changed file that still holds active codings:
# codings that could not be carried to the new version when the file changed
OLDER_CODED = ("d.status = 'superseded' AND EXISTS (SELECT 1 FROM codings c "
               "WHERE c.document_id = d.id AND c.active = 1)")


def older_version_ids(store: Store) -> list[int]:
    """Older versions of changed files that still hold codings (see OLDER_CODED)."""
    return [r["id"] for r in store.query(
        f"SELECT d.id FROM documents d WHERE {OLDER_CODED} ORDER BY d.id")]


def older_version_codings(store: Store) -> dict[str, int]:
    """Per reviewer, active codings left on older versions of changed documents."""
    return {r["reviewer"]: r["n"] for r in store.query(
        "SELECT c.reviewer, count(*) AS n FROM codings c JOIN documents d ON d.id = "
        "c.document_id WHERE c.active = 1 AND d.status = 'superseded' GROUP BY c.reviewer")}


def list_documents(store: Store, *, all_versions: bool = False) -> list[dict]:
    """Documents with their sentence counts, oldest first (superseded versions on request)."""
    where = "" if all_versions else "WHERE d.status != 'superseded'"
    return store.query(
        f"SELECT {_DOC_COLUMNS}, (SELECT count(*) FROM sentences s WHERE s.document_id = d.id) "
        f"AS n_sentences FROM documents d {where} ORDER BY d.id"
    )


_SENT_COLUMNS = (
    's.id, s.document_id, d.file_name AS document, s.page_no AS page, s.seq, s.start, s."end", '
    "s.text, s.section, s.paragraph, s.bbox, s.cut_at_length, s.flags"
)


def document_sentences(store: Store, document_id: int,
                       sections: Iterable[str] | None = None) -> list[dict]:
    """Sentences of a document in reading order, optionally only some section kinds."""
    sql = (f"SELECT {_SENT_COLUMNS} FROM sentences s JOIN documents d ON d.id = s.document_id "
           "WHERE s.document_id = ?")
    params: list = [document_id]
    if sections:
        kinds = list(sections)
        sql += f" AND s.section IN ({', '.join('?' * len(kinds))})"
        params += kinds
    return store.query(sql + " ORDER BY s.seq", tuple(params))


def get_sentence(store: Store, sentence_id: int) -> dict:
    rows = store.query(
        f"SELECT {_SENT_COLUMNS} FROM sentences s JOIN documents d ON d.id = s.document_id "
        "WHERE s.id = ?",
        (int(sentence_id),),
    )
    if not rows:
        raise NotFoundError(f"no sentence with id {sentence_id}", subject=f"sentence {sentence_id}",
                            fix="sentence ids are listed by `realistcoder sentences DOC`")
    return rows[0]


def sentence_with_context(store: Store, sentence_id: int, n: int = 2) -> dict:
    """``{"sentence": row, "before": [rows], "after": [rows]}`` within the same document."""
    row = get_sentence(store, sentence_id)
    base = (f"SELECT {_SENT_COLUMNS} FROM sentences s JOIN documents d ON d.id = s.document_id "
            "WHERE s.document_id = ? AND s.seq ")
    before = store.query(base + "< ? ORDER BY s.seq DESC LIMIT ?",
                         (row["document_id"], row["seq"], n))
    after = store.query(base + "> ? ORDER BY s.seq LIMIT ?", (row["document_id"], row["seq"], n))
    return {"sentence": row, "before": before[::-1], "after": after}


# characters and words that make a query FTS5 syntax rather than plain words
FTS_SYNTAX = re.compile(r'["()*^:]|\b(?:AND|OR|NOT|NEAR)\b')


def search_sentences(store: Store, query: str, *, limit: int = 20,
                     document_id: int | None = None) -> list[dict]:
    """Full-text search (FTS5, best match first) over sentences of current documents.

    Plain words ("patient-centred care") are searched as words, whatever punctuation they
    hold. A query using FTS5 syntax ("exact phrase", OR, AND, NOT, NEAR(...), prefix*) runs as
    written; when that syntax is wrong (``trust OR``, an unclosed quote) it is an InputError
    saying so, never an empty result that reads as "no matches".
    """
    sql = (
        f"SELECT {_SENT_COLUMNS}, snippet(sentences_fts, 0, '[', ']', '…', 12) AS snippet "
        "FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid "
        "JOIN documents d ON d.id = s.document_id "
        "WHERE sentences_fts MATCH ? AND d.status = 'ok'"
        + (" AND s.document_id = ?" if document_id is not None else "")
        + " ORDER BY rank LIMIT ?"
    )
    if FTS_SYNTAX.search(query):
        match = query
    else:
        match = " ".join(f'"{w}"' for w in query.replace('"', " ").split())
        if not match:
            return []
    params = (match, document_id, limit) if document_id is not None else (match, limit)
    try:
        return store.query(sql, params)
    except sqlite3.OperationalError as err:
        if database_error(store.path, err) is not None:  # locked, damaged: not the query
            raise database_error(store.path, err) from err
        raise InputError(
            f"not a valid search ({' '.join(str(err).split())})", subject=f"search {query!r}",
            fix='OR, AND and NOT need a word on each side, every " needs its closing ", '
            "NEAR takes (words); or leave out quotes, brackets and capitalised OR / AND / NOT "
            "to search for plain words") from None


def export_sentences(store: Store, document_ids: Iterable[int] | None = None) -> Iterator[dict]:
    """Sentences of current documents with the export contract's fields, in document order."""
    sql = (
        "SELECT s.id AS sentence_id, d.file_name AS document, d.id AS document_id, "
        's.page_no AS page, s.start, s."end", s.text, s.section, s.paragraph, s.bbox '
        "FROM sentences s JOIN documents d ON d.id = s.document_id WHERE d.status = 'ok'"
    )
    params: tuple = ()
    if document_ids is not None:
        ids = list(document_ids)
        sql += f" AND d.id IN ({', '.join('?' * len(ids))})"
        params = tuple(ids)
    cursor = store.conn.execute(sql + " ORDER BY d.id, s.seq", params)
    names = [c[0] for c in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def page_of_offset(store: Store, document_id: int, offset: int) -> int:
    """The page holding character ``offset`` of a document's text."""
    rows = store.query(
        'SELECT page_no FROM pages WHERE document_id = ? AND start <= ? AND ? < "end" '
        "ORDER BY page_no LIMIT 1",
        (document_id, offset, offset),
    )
    if not rows:
        raise NotFoundError("offset outside the document", subject=f"document {document_id}")
    return rows[0]["page_no"]
