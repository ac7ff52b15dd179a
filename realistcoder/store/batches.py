"""Batches: the decisions one import (or one ``undo --batch``) made, to review or undo as one.

Wrap the writes of an import in :func:`recording`::

    with recording(store, "import decisions", source="bob.xlsx") as rec:
        import_decisions(store, path, "bob")
    rec.batches  # {reviewer: batch row}

Every decision recorded inside carries the uuid of its reviewer's batch in
``decisions.batch`` (a batch row is made on a reviewer's first decision, so an import that
changes nothing leaves no batch). With ``dry_run=True`` everything inside is rolled back at the
end: the caller sees exactly what the import would do, and the store is unchanged.
:func:`undo_batch` reverses a batch by appending one ``undo`` decision per decision of it.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.db import Store, insert_row, utcnow

KINDS = ("import decisions", "import codings", "import qdpx", "undo")


@dataclass
class Recording:
    """The batches of one import, one per reviewer whose decisions it made."""

    store: Store
    kind: str
    source: str | None = None
    sha256: str | None = None
    undoes: str | None = None
    dry_run: bool = False
    batches: dict[str, dict] = field(default_factory=dict)

    def uuid_for(self, reviewer: str) -> str:
        """The uuid of ``reviewer``'s batch in this recording (made on first use)."""
        row = self.batches.get(reviewer)
        if row is None:
            row = {"uuid": str(uuidlib.uuid4()), "reviewer": reviewer, "kind": self.kind,
                   "source": self.source, "sha256": self.sha256, "undoes": self.undoes,
                   "created_at": utcnow()}
            row["id"] = insert_row(self.store.conn, "batches", row)
            self.batches[reviewer] = row
        return row["uuid"]


class _RollBack(Exception):
    """Raised at the end of a dry run so that the transaction undoes everything."""


@contextmanager
def recording(store: Store, kind: str, *, source: str | None = None, sha256: str | None = None,
              undoes: str | None = None, dry_run: bool = False) -> Iterator[Recording]:
    """Record the decisions made inside as one batch per reviewer, in one transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown batch kind {kind!r}")
    if store.batch is not None:
        raise RuntimeError("batches do not nest")
    rec = Recording(store, kind, source, sha256, undoes, dry_run)
    try:
        with store.transaction():
            store.batch = rec
            try:
                yield rec
            finally:
                store.batch = None
            for row in rec.batches.values():
                row["decisions"] = store.query(
                    "SELECT count(*) AS n FROM decisions WHERE batch = ?", (row["uuid"],))[0]["n"]
            if dry_run:
                raise _RollBack
    except _RollBack:
        for row in rec.batches.values():
            row["id"] = None  # nothing was stored


def get_batch(store: Store, batch_id: int | str) -> dict:
    rows = store.query("SELECT * FROM batches WHERE id = ? OR uuid = ?",
                       (int(batch_id) if str(batch_id).isdigit() else -1, str(batch_id)))
    if not rows:
        raise NotFoundError(f"no batch {batch_id}", subject="--batch",
                            fix="list them with `realistcoder log --batches`")
    return rows[0]


def list_batches(store: Store, viewer: str | None = None, unblinded: bool = False) -> list[dict]:
    """Batches, oldest first, with their decision counts and whether they are undone (a viewer
    sees only their own unless unblinded)."""
    where, params = "", ()
    if viewer is not None and not unblinded:
        where, params = "WHERE b.reviewer = ?", (viewer,)
    return store.query(
        "SELECT b.id, b.reviewer, b.kind, b.source, b.created_at, "
        "(SELECT count(*) FROM decisions d WHERE d.batch = b.uuid) AS decisions, "
        "(SELECT u.id FROM batches u WHERE u.undoes = b.uuid) AS undone_by, "
        "(SELECT o.id FROM batches o WHERE o.uuid = b.undoes) AS undoes, b.uuid "
        f"FROM batches b {where} ORDER BY b.id", params)


@dataclass
class UndoReport:
    batch: dict
    undone: int = 0
    superseded: list[int] = field(default_factory=list)  # proposals decided again since
    undo_batch: int | None = None


def undo_batch(store: Store, batch_id: int | str, reviewer: str) -> UndoReport:
    """Undo every decision of a batch that still stands, in one transaction, as a batch of
    ``undo`` decisions. Only the batch's reviewer may undo it (for a batch of consensus
    decisions, any reviewer, who is recorded as having resolved the undo)."""
    from realistcoder.store import review as rv

    reviewer = rv.check_reviewer(reviewer)
    target = get_batch(store, batch_id)
    owner = target["reviewer"]
    if owner not in (reviewer, rv.CONSENSUS):
        raise InputError(f"batch {target['id']} holds {owner}'s decisions",
                         subject=f"batch {target['id']}",
                         fix="a reviewer can only undo their own batches")
    if target["kind"] == "undo":
        raise InputError("an undo cannot be undone", subject=f"batch {target['id']}",
                         fix="import the file again instead")
    report = UndoReport(target)
    with recording(store, "undo", source=f"batch {target['id']}", undoes=target["uuid"]) as rec:
        standing = store.query(
            "SELECT * FROM decisions d WHERE d.batch = ? AND d.action != 'undo' AND NOT EXISTS "
            "(SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.target_uuid = d.uuid) "
            "ORDER BY d.id DESC", (target["uuid"],))
        if not standing:
            raise InputError(f"every decision of batch {target['id']} is already undone",
                             subject=f"batch {target['id']}", fix="nothing to do")
        for d in standing:
            later = d["proposal_id"] is not None and store.query(
                "SELECT 1 FROM decisions WHERE reviewer = ? AND proposal_id = ? AND id > ? AND "
                "action IN ('accept', 'reject', 'recode') AND coalesce(batch, '') != ?",
                (owner, d["proposal_id"], d["id"], target["uuid"]))
            if later:
                report.superseded.append(d["proposal_id"])
            rv.record_decision(store, reviewer=owner, action="undo", target_uuid=d["uuid"],
                               resolved_by=reviewer if owner == rv.CONSENSUS else None)
            report.undone += 1
    report.undo_batch = rec.batches[owner]["id"]
    return report
