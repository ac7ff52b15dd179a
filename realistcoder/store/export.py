"""Read queries for exports (evidence, CMOC, map, document tables, REFI-QDA), and the few
writes that citation metadata and REFI-QDA import need on the ``documents`` table.

Offsets are Python ``str`` indices into ``documents.text`` (Unicode code points), and SQLite's
``substr`` counts characters the same way, so quotes sliced here match the stored text exactly.
"""

from __future__ import annotations

from realistcoder.store.db import Store
from realistcoder.store.documents import OLDER_CODED

META_FIELDS = ("title", "authors", "year", "doi", "doc_type")

_DOC_COLUMNS = """d.id, d.path, d.file_name, d.sha256, d.kind, d.title, d.authors, d.year, d.doi,
    d.doc_type, d.n_pages, d.status, d.version, d.ingested_at, d.evidence_type, d.study_design,
    d.setting, d.country, d.found_via, d.screening, d.screening_stage, d.exclusion_reason"""


def documents(store: Store, *, with_text: bool = False, older_coded: bool = True) -> list[dict]:
    """Current documents (not failed, not superseded), in ingest order; with ``older_coded``
    also the superseded versions that still hold codings (not carried to the new version when
    the file changed: exports keep them, labelled), with ``current_id``, the file's current
    version (or None)."""
    text = ", d.text" if with_text else ""
    where = f"d.status = 'ok' OR ({OLDER_CODED})" if older_coded else "d.status = 'ok'"
    rows = store.query(f"SELECT {_DOC_COLUMNS}{text} FROM documents d WHERE {where} "
                       "ORDER BY d.id")
    current = {r["path"]: r["id"] for r in rows if r["status"] == "ok"}
    for r in rows:
        r["current_id"] = current.get(r["path"]) if r["status"] != "ok" else r["id"]
    return rows


def documents_with_head(store: Store, chars: int = 3000) -> list[dict]:
    """Current documents with ``head``: the first ``chars`` characters of their text."""
    return store.query(
        f"SELECT {_DOC_COLUMNS}, substr(d.text, 1, ?) AS head FROM documents d "
        "WHERE d.status = 'ok' ORDER BY d.id", (chars,))


def document_text(store: Store, document_id: int) -> str:
    rows = store.query("SELECT text FROM documents WHERE id = ?", (document_id,))
    return rows[0]["text"] if rows else ""


def sentences(store: Store, document_id: int) -> list[dict]:
    """Sentences of one document in reading order (id, page_no, start, end, text)."""
    return store.query(
        'SELECT id, page_no, seq, start, "end", text FROM sentences WHERE document_id = ? '
        "ORDER BY seq",
        (document_id,),
    )


def set_document_metadata(store: Store, document_id: int, fields: dict) -> None:
    """Overwrite citation fields (title, authors, year, doi, doc_type) of one document."""
    fields = {k: v for k, v in fields.items() if k in META_FIELDS}
    if not fields:
        return
    with store.transaction() as db:
        db["documents"].update(document_id, fields)


_CODING_SELECT = """
SELECT c.id AS coding_id, c.uuid, c.reviewer, c.source, c.proposal_id, c.document_id,
       c.sentence_id, c.end_sentence_id, c.code, c.code_id, c.codebook_id, c.note,
       c.resolved_by, c.created_at,
       k.label AS code_label, c.role, k.mechanism_type, k.theory, k.description AS code_description,
       s.page_no AS page, e.page_no AS end_page, s.start, e."end" AS "end",
       CASE WHEN c.sentence_id = c.end_sentence_id THEN s.text
            ELSE substr(d.text, s.start + 1, e."end" - s.start) END AS text,
       d.file_name AS document, b.name AS codebook, b.version AS codebook_version,
       (SELECT group_concat(x.flags) FROM sentences x WHERE x.document_id = c.document_id
        AND x.seq BETWEEN s.seq AND e.seq AND x.flags IS NOT NULL) AS text_flags
FROM codings c
LEFT JOIN codes k ON k.id = c.code_id
LEFT JOIN codebooks b ON b.id = c.codebook_id
JOIN sentences s ON s.id = c.sentence_id
JOIN sentences e ON e.id = c.end_sentence_id
JOIN documents d ON d.id = c.document_id
WHERE c.active = 1
"""
# role-only codings have no code: code, code_id, code_label, theory and codebook are null;
# text_flags: the integrity marks of the fragment's sentences (JSON lists joined by commas)


def undecided_proposals(store: Store) -> list[dict]:
    """Proposals no reviewer has decided yet (not learned ones: those are one reviewer's),
    shaped like :func:`codings` rows."""
    return store.query(
        """
        SELECT NULL AS coding_id, NULL AS reviewer, 'proposed' AS source, p.id AS proposal_id,
               s.document_id, p.sentence_id, p.sentence_id AS end_sentence_id, p.code,
               p.code_id, p.codebook_id, NULL AS note, NULL AS resolved_by, p.created_at,
               k.label AS code_label, p.role, k.mechanism_type, k.theory, p.score,
               s.page_no AS page, s.page_no AS end_page, s.start, s."end" AS "end", s.text,
               d.file_name AS document, s.flags AS text_flags
        FROM proposals p
        LEFT JOIN codes k ON k.id = p.code_id
        JOIN sentences s ON s.id = p.sentence_id
        JOIN documents d ON d.id = s.document_id
        WHERE d.status = 'ok' AND p.reviewer IS NULL AND NOT EXISTS (
            SELECT 1 FROM proposal_reviews r
            WHERE r.proposal_id = p.id AND r.status != 'pending')
        ORDER BY s.document_id, s.seq, p.code
        """
    )


def active_cmocs(store: Store) -> list[dict]:
    return store.query(
        "SELECT id, uuid, theory, title, if_text, then_text, because_text, reviewer, note, "
        "created_at, updated_at FROM cmocs WHERE status = 'active' ORDER BY theory, id"
    )


def cmoc_links(store: Store) -> list[dict]:
    """Current links of CMOCs to codings (cmoc_id, coding_id, part, judgement, note)."""
    return store.query(
        "SELECT cmoc_id, coding_id, part, judgement, judgement_note FROM cmoc_links "
        "WHERE removed_at IS NULL ORDER BY cmoc_id, id"
    )


def codings_by_id(store: Store, ids: list[int]) -> list[dict]:
    """Codings (active or not) by id, shaped like :func:`codings` rows."""
    if not ids:
        return []
    rows = []
    for i in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        sql = _CODING_SELECT.replace("WHERE c.active = 1", f"WHERE c.id IN ({marks})")
        rows += store.query(sql, tuple(chunk))
    return rows


def codes(store: Store) -> list[dict]:
    """Every code of every loaded codebook, newest codebook first."""
    return store.query(
        "SELECT k.id, k.codebook_id, k.code, k.label, k.role, k.mechanism_type, k.theory, "
        "k.parent, k.description, b.name AS codebook, b.version, b.content "
        "FROM codes k JOIN codebooks b ON b.id = k.codebook_id ORDER BY b.id DESC, k.id"
    )


def codebooks(store: Store) -> list[dict]:
    return store.query(
        "SELECT id, name, version, sha256, content, loaded_at FROM codebooks ORDER BY id"
    )


def sentence_positions(store: Store, ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Sentence id -> (document id, seq, paragraph)."""
    wanted = sorted(set(ids))
    out: dict[int, tuple[int, int, int]] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        for r in store.query("SELECT id, document_id, seq, paragraph FROM sentences WHERE id IN "
                             f"({','.join('?' * len(chunk))})", tuple(chunk)):
            out[r["id"]] = (r["document_id"], r["seq"], r["paragraph"])
    return out


def unit_texts(store: Store, unit: str, units: list[tuple[int, int]]
               ) -> dict[tuple[int, int], tuple[str, int]]:
    """(document id, seq or paragraph) -> (its text, its first page), for quoting where codes
    meet: one sentence, or a paragraph's sentences joined."""
    column = "seq" if unit == "sentence" else "paragraph"
    out: dict[tuple[int, int], tuple[str, int]] = {}
    for doc, index in dict.fromkeys(units):
        rows = store.query(f"SELECT text, page_no FROM sentences WHERE document_id = ? AND "
                           f"{column} = ? ORDER BY seq", (doc, index))
        if rows:
            out[(doc, index)] = (" ".join(r["text"] for r in rows), rows[0]["page_no"])
    return out
