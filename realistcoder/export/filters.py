"""Which documents a report draws on: characteristics, appraisal minimums, screening.

Every report table (evidence, CMOCs, evidence map, documents, the theory diagram) takes the same
:class:`DocumentFilter`. Documents excluded at screening are always left out of the reports,
unless ``include_excluded``; minimum appraisals use the settled appraisal (see
``review.appraisal``: consensus, else agreed, else the lower judgement).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from realistcoder.review.appraisal import Appraisal, meets

CHARACTERISTIC_FILTERS = {"evidence_types": "evidence_type", "designs": "study_design",
                          "settings": "setting", "countries": "country"}


def _fold(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


@dataclass
class DocumentFilter:
    """Empty sets mean any value; matching is case-insensitive."""

    evidence_types: set[str] = field(default_factory=set)
    designs: set[str] = field(default_factory=set)
    settings: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    min_rigour: str | None = None
    min_relevance: str | None = None
    include_excluded: bool = False

    def keeps(self, doc: dict, appraisal: Appraisal | None) -> bool:
        if doc.get("screening") == "excluded" and not self.include_excluded:
            return False
        for name, column in CHARACTERISTIC_FILTERS.items():
            wanted = {_fold(v) for v in getattr(self, name)}
            if wanted and _fold(doc.get(column)) not in wanted:
                return False
        return (meets(appraisal, "rigour", self.min_rigour)
                and meets(appraisal, "relevance", self.min_relevance))

    def describe(self) -> str:
        """What the filter asks for, in words (empty when it asks for nothing)."""
        parts = [f"{column.replace('_', ' ')} {' or '.join(sorted(getattr(self, name)))}"
                 for name, column in CHARACTERISTIC_FILTERS.items() if getattr(self, name)]
        parts += [f"{dim} at least {v}" for dim, v in (("rigour", self.min_rigour),
                                                        ("relevance", self.min_relevance)) if v]
        return ", ".join(parts)


def kept_documents(docs: list[dict], appraisals: dict[int, Appraisal],
                   doc_filter: DocumentFilter | None) -> tuple[set[int], list[dict]]:
    """(ids of the documents kept, the documents left out)."""
    doc_filter = doc_filter or DocumentFilter()
    kept, dropped = set(), []
    for doc in docs:
        if doc_filter.keeps(doc, appraisals.get(doc["id"])):
            kept.add(doc["id"])
        else:
            dropped.append(doc)
    return kept, dropped


def filter_note(doc_filter: DocumentFilter | None, dropped: list[dict], what: str) -> str:
    """A table note on what the filter left out ('' when nothing was)."""
    if not dropped:
        return ""
    wanted = doc_filter.describe() if doc_filter else ""
    excluded = sum(1 for d in dropped if d.get("screening") == "excluded")
    reasons = []
    if excluded and not (doc_filter and doc_filter.include_excluded):
        reasons.append(f"{excluded} excluded at screening")
    if len(dropped) > excluded:
        reasons.append(f"{len(dropped) - excluded} not matching {wanted or 'the filter'}"
                       + (" (where reviewers differ on appraisal, the lower judgement counts;"
                          " documents not yet appraised are left out)"
                          if doc_filter and (doc_filter.min_rigour or doc_filter.min_relevance)
                          else ""))
    return f"Left out {what} from {len(dropped)} document(s): {'; '.join(reasons)}."
