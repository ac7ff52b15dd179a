"""Document characteristics and screening decisions from a spreadsheet (CSV or XLSX).

One row per document: a ``document`` column (file name or id) and any of ``evidence_type``,
``study_design``, ``setting``, ``country``, ``found_via``, ``screening`` (included / excluded),
``screening_stage`` (title-abstract / full-text) and ``exclusion_reason``. Headers are matched
loosely ("Evidence type", "design", "stage", "reason" work). An empty cell leaves the field as
it is. Every row is checked first; nothing is written if any row is wrong, and the problems
name their rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.characteristics import (
    CHARACTERISTICS,
    check_evidence_type,
    check_screening,
    screen_document,
    set_characteristics,
)
from realistcoder.store.db import Store
from realistcoder.store.documents import get_document

ALIASES = {
    "document": "document", "file": "document", "file_name": "document", "id": "document",
    "document_id": "document", "evidence_type": "evidence_type", "evidence": "evidence_type",
    "study_design": "study_design", "design": "study_design", "setting": "setting",
    "country": "country", "found_via": "found_via", "source": "found_via",
    "screening": "screening", "decision": "screening", "screening_stage": "screening_stage",
    "stage": "screening_stage", "exclusion_reason": "exclusion_reason",
    "reason": "exclusion_reason",
}
SCREENING_FIELDS = ("screening", "screening_stage", "exclusion_reason")


@dataclass
class Plan:
    """What an import would change: per document id, characteristics and a screening decision."""

    traits: dict[int, dict] = field(default_factory=dict)
    screening: dict[int, tuple[str, str | None, str | None]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)


def _header(cell: object) -> str:
    text = str(cell or "").strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(text, text)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {field: text}) for each non-empty row under the header."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        raw = [[("" if v is None else str(v)) for v in row]
               for row in sheet.iter_rows(values_only=True)]
    elif path.suffix.lower() in (".csv", ".tsv", ".txt"):
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        first = text.split("\n", 1)[0]
        delimiter = max((",", "\t", ";"), key=first.count)
        raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    else:
        raise InputError("not a CSV or XLSX file", subject=path,
                         fix="save the sheet as .csv or .xlsx")
    if not raw:
        raise InputError("the file is empty", subject=path,
                         fix="add a header row with 'document' and the fields to set")
    header = [_header(c) for c in raw[0]]
    known = set(CHARACTERISTICS) | set(SCREENING_FIELDS) | {"document"}
    unknown = [h for h in header if h and h not in known]
    if unknown or "document" not in header:
        raise InputError(
            f"row 1: unknown column(s) {', '.join(unknown)}" if unknown else
            "row 1: no 'document' column", subject=path,
            fix=f"use the columns document, {', '.join(CHARACTERISTICS + SCREENING_FIELDS)}")
    out = []
    for number, cells in enumerate(raw[1:], 2):
        row = {h: str(v).strip() for h, v in zip(header, cells, strict=False) if h}
        if any(row.values()):
            out.append((number, row))
    return out


def plan_import(store: Store, path: Path) -> Plan:
    """Check every row of ``path``; raise one error naming every bad row, else the plan."""
    plan, problems = Plan(), []
    for number, row in read_rows(path):
        try:
            doc = get_document(store, row.get("document", ""))
        except NotFoundError:
            problems.append(f"row {number}: no document '{row.get('document', '')}'")
            continue
        if doc["status"] != "ok":
            problems.append(f"row {number}: {doc['file_name']} is not a current document")
            continue
        if doc["id"] in plan.names:
            problems.append(f"row {number}: {doc['file_name']} is listed twice")
            continue
        plan.names[doc["id"]] = doc["file_name"]
        try:
            traits = {k: row[k] for k in CHARACTERISTICS if row.get(k)}
            if "evidence_type" in traits:
                traits["evidence_type"] = check_evidence_type(traits["evidence_type"])
            if traits:
                plan.traits[doc["id"]] = traits
            if any(row.get(k) for k in SCREENING_FIELDS):
                plan.screening[doc["id"]] = check_screening(
                    row.get("screening"), row.get("screening_stage"), row.get("exclusion_reason"))
                if plan.screening[doc["id"]][0] is None:
                    raise InputError("a stage or reason without a screening decision",
                                     fix="fill the screening column (included or excluded)")
        except InputError as err:
            problems.append(f"row {number}: {err.message}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputError("; ".join(problems[:5]) + more, subject=path,
                         fix="correct these rows and import again (nothing was changed)")
    return plan


def apply_import(store: Store, plan: Plan, reviewer: str | None) -> dict[str, int]:
    """Write a checked plan in one transaction; returns counts of changed documents."""
    if plan.screening and not reviewer:
        raise InputError("the sheet holds screening decisions", subject="--reviewer",
                         fix="pass --reviewer NAME: screening decisions are attributed")
    changed = screened = 0
    with store.transaction():
        for doc_id, traits in plan.traits.items():
            changed += bool(set_characteristics(store, doc_id, traits))
        for doc_id, (decision, stage, reason) in plan.screening.items():
            screen_document(store, doc_id, reviewer, decision, stage=stage, reason=reason)
            screened += 1
    return {"documents": len(plan.names), "changed": changed, "screened": screened}
