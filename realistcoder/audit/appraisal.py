"""Agreement between reviewers on document appraisal (relevance, rigour), and the documents
on which they differ.

The unit is a document; each reviewer's value is their latest appraisal of it. Documents
appraised by fewer than two of the compared reviewers are counted but not compared. Per
dimension: percent agreement, Cohen's kappa (levels as categories), linearly weighted kappa
(two reviewers) and Krippendorff's alpha with the ordinal distance (any number of reviewers,
missing values allowed), since low < moderate < high.
"""

from __future__ import annotations

from realistcoder.audit import agreement as ag
from realistcoder.audit.ordinal import ordinal_alpha, weighted_kappa
from realistcoder.store.appraisals import current_appraisals
from realistcoder.store.db import Store
from realistcoder.store.review_lookup import CONSENSUS

DIMENSIONS = ("relevance", "rigour")
SCALE = ("low", "moderate", "high")


def _number(value: ag.Value) -> float | str:
    return round(value, 3) if isinstance(value, float) else str(value)


def appraisal_agreement(store: Store, reviewers: list[str] | None = None,
                        document_ids: set[int] | None = None) -> dict:
    """Figures per dimension, and one row per document the reviewers appraised differently
    (with the consensus, where the team recorded one)."""
    rows = [r for r in current_appraisals(store, unblinded=True)
            if document_ids is None or r["document_id"] in document_ids]
    by_doc: dict[int, dict[str, dict]] = {}
    for r in rows:
        by_doc.setdefault(r["document_id"], {})[r["reviewer"]] = r
    names = reviewers or sorted({r["reviewer"] for r in rows} - {CONSENSUS})
    compared = {d: v for d, v in by_doc.items() if sum(n in v for n in names) >= 2}
    result: dict = {"reviewers": names, "n_documents": len(by_doc),
                    "n_compared": len(compared), "dimensions": {}, "disagreements": []}
    for dim in DIMENSIONS:
        units = [[v[n][dim] if n in v else None for n in names] for v in compared.values()]
        figures = {
            "percent": ag.percent_agreement(units) if units else ag.Undefined(ag.NO_OVERLAP),
            "kappa": ag.cohen_kappa(ag.tabulate(units, SCALE)) if units else ag.Undefined(
                ag.NO_OVERLAP),
            "weighted_kappa": weighted_kappa(units, SCALE),
            "alpha_ordinal": ordinal_alpha(units, SCALE),
        }
        result["dimensions"][dim] = {k: _number(v) for k, v in figures.items()}
    for doc_id, given in compared.items():
        differ = [dim for dim in DIMENSIONS
                  if len({given[n][dim] for n in names if n in given}) > 1]
        if not differ:
            continue
        any_row = next(iter(given.values()))
        consensus = given.get(CONSENSUS)
        result["disagreements"].append({
            "document_id": doc_id, "document": any_row["document"], "differ": differ,
            **{n: (f"{given[n]['relevance']}/{given[n]['rigour']}" if n in given else "")
               for n in names},
            "consensus": (f"{consensus['relevance']}/{consensus['rigour']} "
                          f"({consensus['resolved_by']})" if consensus else ""),
        })
    return result


def appraisal_text(result: dict) -> str:
    """The appraisal agreement as text for the terminal."""
    names = result["reviewers"]
    lines = [f"Appraisal agreement between {', '.join(names) or 'nobody'} (unit: document; "
             f"{result['n_compared']} of {result['n_documents']} appraised documents rated by "
             "two or more)"]
    head = f"{'':<10} {'%agree':>7} {'kappa':>7} {'w.kappa':>8} {'alpha(ord)':>11}"
    lines.append(head)
    for dim, f in result["dimensions"].items():
        cells = [f"{f[k]:.3f}" if isinstance(f[k], float) else "-" for k in
                 ("percent", "kappa", "weighted_kappa", "alpha_ordinal")]
        if isinstance(f["percent"], float):
            cells[0] = f"{f['percent'] * 100:.1f}"
        lines.append(f"{dim:<10} {cells[0]:>7} {cells[1]:>7} {cells[2]:>8} {cells[3]:>11}")
    reasons = {v for f in result["dimensions"].values() for v in f.values()
               if isinstance(v, str)}
    lines += [f"  - {r}" for r in sorted(reasons)]
    if result["disagreements"]:
        lines.append("")
        lines.append("Documents appraised differently (relevance/rigour):")
        for d in result["disagreements"]:
            who = ", ".join(f"{n} {d[n]}" for n in names if d.get(n))
            settled = f"; consensus {d['consensus']}" if d["consensus"] else \
                "; no consensus yet (realistcoder appraise DOC --consensus ...)"
            lines.append(f"  {d['document']}: {who}{settled}")
    return "\n".join(lines)
