"""Codebook versions and their codes in the store.

A codebook is stored once per distinct content: saving the same content again (same name and
content hash) returns the existing row, whatever file it came from; changed content becomes a new
version row, so proposals and codings keep pointing at the exact codes they were made with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from realistcoder.codebook.model import Codebook
from realistcoder.codebook.validate import validate
from realistcoder.errors import CodebookError, NotFoundError
from realistcoder.store.db import Store, utcnow


@dataclass(frozen=True)
class StoredCodebook:
    """One stored version: ``ordinal`` counts the versions of this name (1, 2, ...)."""

    id: int
    name: str
    version: str
    sha256: str
    source: str | None
    loaded_at: str
    n_codes: int
    ordinal: int
    latest: bool


def find_codebook_id(store: Store, name: str, sha256: str) -> int | None:
    rows = store.query("SELECT id FROM codebooks WHERE name = ? AND sha256 = ?", (name, sha256))
    return rows[0]["id"] if rows else None


def store_codebook(store: Store, codebook: Codebook, source: str | None = None
                   ) -> tuple[int, bool]:
    """``(codebook_id, created)``: created is False when this content was already stored.

    A codebook built in code (not read by ``load_codebook``) is validated first, so that a
    broken one is refused with its problems instead of half-stored.
    """
    errors = [p for p in validate(codebook) if not p.warning]
    if errors:
        name = codebook.source or codebook.name
        raise CodebookError(f"the codebook has {len(errors)} problem(s); first: "
                            f"{errors[0].message}", subject=name,
                            fix="fix the codebook, then store it again",
                            problems=[p.format(name) for p in errors])
    digest = codebook.sha256()
    with store.transaction() as db:
        existing = find_codebook_id(store, codebook.name, digest)
        if existing is not None:
            return existing, False
        codebook_id = db["codebooks"].insert({
            "name": codebook.name,
            "version": codebook.version,
            "sha256": digest,
            "source": source if source is not None else codebook.source,
            "description": codebook.description,
            "content": json.dumps(codebook.to_dict(), ensure_ascii=False),
            "loaded_at": utcnow(),
        }).last_pk
        db["codes"].insert_all(
            {
                "codebook_id": codebook_id,
                "code": code.id,
                "label": code.label,
                "role": code.role,
                "mechanism_type": code.mechanism_type,
                "theory": code.theory,
                "parent": code.parent,
                "level": code.level,
                "description": code.description,
            }
            for code in codebook.codes
        )
    return int(codebook_id), True


def save_codebook(store: Store, codebook: Codebook, source: str | None = None) -> int:
    """Store ``codebook`` as a version (idempotent on name + content) and return its id."""
    return store_codebook(store, codebook, source)[0]


def _from_row(row: dict) -> Codebook:
    return Codebook.from_dict(json.loads(row["content"]), source=row["source"])


def stored_codebooks(store: Store, latest_only: bool = True) -> list[tuple[int, Codebook]]:
    """Stored codebooks as ``(codebook_id, Codebook)``, oldest first; by default the latest
    version of each name only."""
    where = ("WHERE id IN (SELECT MAX(id) FROM codebooks GROUP BY name)" if latest_only else "")
    rows = store.query(f"SELECT id, source, content FROM codebooks {where} ORDER BY id")
    return [(row["id"], _from_row(row)) for row in rows]


def get_codebook(store: Store, codebook_id: int) -> Codebook:
    rows = store.query("SELECT id, source, content FROM codebooks WHERE id = ?", (codebook_id,))
    if not rows:
        raise NotFoundError(f"no codebook #{codebook_id} in the store", subject="codebook",
                            fix="list them with `realistcoder codebook list`")
    return _from_row(rows[0])


def codebook_by_name(store: Store, name: str, version: str | None = None
                     ) -> tuple[int, Codebook]:
    """The latest stored version of ``name`` (or the latest with that declared version);
    ``name`` may also be a codebook id such as ``3`` or ``#3``."""
    if name.lstrip("#").isdigit():
        codebook_id = int(name.lstrip("#"))
        return codebook_id, get_codebook(store, codebook_id)
    sql = "SELECT id, source, content FROM codebooks WHERE name = ?"
    params: tuple = (name,)
    if version is not None:
        sql += " AND version = ?"
        params += (version,)
    rows = store.query(sql + " ORDER BY id DESC LIMIT 1", params)
    if not rows:
        names = [r["name"] for r in store.query("SELECT DISTINCT name FROM codebooks")]
        raise NotFoundError(
            f"no stored codebook named {name!r}" + (f" version {version!r}" if version else ""),
            subject="codebook",
            fix=f"stored: {', '.join(names)}" if names else
            "load one first with `realistcoder codebook load FILE`")
    return rows[0]["id"], _from_row(rows[0])


def list_codebooks(store: Store) -> list[StoredCodebook]:
    """Every stored version, oldest first."""
    rows = store.query(
        """SELECT c.id, c.name, c.version, c.sha256, c.source, c.loaded_at,
                  (SELECT COUNT(*) FROM codes WHERE codebook_id = c.id) AS n_codes,
                  (SELECT COUNT(*) FROM codebooks o WHERE o.name = c.name AND o.id <= c.id)
                      AS ordinal,
                  c.id = (SELECT MAX(id) FROM codebooks o WHERE o.name = c.name) AS latest
           FROM codebooks c ORDER BY c.id""")
    return [StoredCodebook(**{**r, "latest": bool(r["latest"])}) for r in rows]


def code_row_ids(store: Store, codebook_id: int) -> dict[str, int]:
    """Code id (``t1_trust``) -> ``codes.id`` for one stored codebook version."""
    rows = store.query("SELECT id, code FROM codes WHERE codebook_id = ?", (codebook_id,))
    return {r["code"]: r["id"] for r in rows}


def find_code(store: Store, code: str, codebook: str | None = None, *,
              prefer_codebook_id: int | None = None) -> dict:
    """The ``codes`` row for code id ``code``, with ``codebook`` (= ``codebook_name``) and
    ``codebook_version``: from ``prefer_codebook_id`` when that version has it, else from the
    latest stored version that does (optionally only codebooks named ``codebook``).
    Unknown codes raise NotFoundError with the closest code ids."""
    code = (code or "").strip()
    sql = """SELECT k.*, c.name AS codebook, c.name AS codebook_name,
                    c.version AS codebook_version
             FROM codes k JOIN codebooks c ON c.id = k.codebook_id
             WHERE k.code = ?"""
    params: tuple = (code,)
    if codebook is not None:
        sql += " AND c.name = ?"
        params += (codebook,)
    sql += " ORDER BY (k.codebook_id = ?) DESC, k.codebook_id DESC LIMIT 1"
    rows = store.query(sql, params + (prefer_codebook_id if prefer_codebook_id is not None
                                      else -1,))
    if rows:
        return rows[0]
    known = [r["code"] for r in store.query("SELECT DISTINCT code FROM codes")]
    if not known:
        raise NotFoundError(f"no code '{code}': no codebook is loaded", subject=code,
                            fix="load one with `realistcoder codebook load FILE`")
    from rapidfuzz import process  # only for the hint on a mistyped code

    close = [m[0] for m in process.extract(code, known, limit=3, score_cutoff=50)]
    hint = f"did you mean {', '.join(close)}? " if close else ""
    where = f"codebook {codebook!r}" if codebook else "the loaded codebooks"
    raise NotFoundError(f"no code '{code}' in {where}", subject=code,
                        fix=f"{hint}see `realistcoder codebook show --stored` for the code ids")
