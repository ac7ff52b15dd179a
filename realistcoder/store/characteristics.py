"""Document characteristics a synthesis reports, and screening decisions (SQL only).

Characteristics (``evidence_type``, ``study_design``, ``setting``, ``country``, ``found_via``)
and the screening state (``screening``, ``screening_stage``, ``exclusion_reason``,
``screened_by``, ``screened_at``) are columns of ``documents``; a new version of a file takes
them over from the version it supersedes (:func:`carry_forward`).
"""

from __future__ import annotations

from realistcoder.errors import InputError
from realistcoder.store.db import Store, utcnow

EVIDENCE_TYPES = ("theoretical", "empirical", "practice")
CHARACTERISTICS = ("evidence_type", "study_design", "setting", "country", "found_via")
SCREENING = ("included", "excluded")
STAGES = ("title_abstract", "full_text")
SCREENING_COLUMNS = ("screening", "screening_stage", "exclusion_reason", "screened_by",
                     "screened_at")
CARRIED = CHARACTERISTICS + SCREENING_COLUMNS


def check_evidence_type(value: str | None, subject: str = "--evidence-type") -> str | None:
    """A known evidence type (lower-cased), None for empty; else a one-line error."""
    value = (value or "").strip().lower() or None
    if value is not None and value not in EVIDENCE_TYPES:
        raise InputError(f"unknown evidence type '{value}'", subject=subject,
                         fix=f"use one of {', '.join(EVIDENCE_TYPES)}")
    return value


def set_characteristics(store: Store, document_id: int, fields: dict) -> dict:
    """Set (or, with an empty value, clear) characteristics of one document; returns what
    changed. Unknown keys are an error."""
    unknown = set(fields) - set(CHARACTERISTICS)
    if unknown:
        raise InputError(f"unknown characteristic(s) {', '.join(sorted(unknown))}",
                         subject="documents", fix=f"use {', '.join(CHARACTERISTICS)}")
    clean = {k: (str(v).strip() or None) if v is not None else None for k, v in fields.items()}
    if "evidence_type" in clean:
        clean["evidence_type"] = check_evidence_type(clean["evidence_type"])
    with store.transaction():
        before = store.query(f"SELECT {', '.join(CHARACTERISTICS)} FROM documents WHERE id = ?",
                             (int(document_id),))[0]
        changed = {k: v for k, v in clean.items() if before[k] != v}
        if changed:
            sets = ", ".join(f"{k} = ?" for k in changed)
            store.conn.execute(f"UPDATE documents SET {sets} WHERE id = ?",
                               (*changed.values(), int(document_id)))
    return changed


def check_screening(decision: str | None, stage: str | None, reason: str | None
                    ) -> tuple[str | None, str | None, str | None]:
    """(decision, stage, reason) checked: an exclusion needs a stage (default full text) and,
    at full text, a reason; an inclusion is a full-text decision and has no reason."""
    decision = (decision or "").strip().lower() or None
    stage = (stage or "").strip().lower().replace("-", "_") or None
    reason = (reason or "").strip() or None
    if decision is None:
        return None, None, None
    if decision not in SCREENING:
        raise InputError(f"unknown screening decision '{decision}'", subject="screening",
                         fix="use included or excluded")
    if stage is not None and stage not in STAGES:
        raise InputError(f"unknown screening stage '{stage}'", subject="--stage",
                         fix="use title-abstract or full-text")
    if decision == "included":
        if reason:
            raise InputError("an included document has no exclusion reason", subject="--reason",
                             fix="drop --reason, or exclude the document")
        return decision, "full_text", None
    stage = stage or "full_text"
    if stage == "full_text" and not reason:
        raise InputError("a full-text exclusion needs a reason (the flow diagram lists them)",
                         subject="--reason", fix="pass --reason, e.g. 'no data on staff roles'")
    return decision, stage, reason


def screen_document(store: Store, document_id: int, reviewer: str, decision: str | None,
                    *, stage: str | None = None, reason: str | None = None,
                    at: str | None = None) -> dict:
    """Record the screening decision on a document (``None`` clears it); returns the state."""
    from realistcoder.store.review_lookup import check_reviewer  # it imports documents, as ingest

    reviewer = check_reviewer(reviewer)
    decision, stage, reason = check_screening(decision, stage, reason)
    state = {"screening": decision, "screening_stage": stage, "exclusion_reason": reason,
             "screened_by": reviewer if decision else None,
             "screened_at": (at or utcnow()) if decision else None}
    with store.transaction():
        sets = ", ".join(f"{k} = ?" for k in state)
        store.conn.execute(f"UPDATE documents SET {sets} WHERE id = ?",
                           (*state.values(), int(document_id)))
    return state


def carry_forward(store: Store, previous_id: int, new_id: int) -> None:
    """A new version of a file keeps the characteristics and screening of the one before
    (called inside ingest's transaction)."""
    cols = ", ".join(CARRIED)
    store.conn.execute(
        f"UPDATE documents SET ({cols}) = (SELECT {cols} FROM documents WHERE id = ?) "
        "WHERE id = ?", (int(previous_id), int(new_id)))
