"""Coverage and drift: how much of each document each reviewer has reviewed, and each reviewer's
acceptance rate over time (by day or ISO week of the decision)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from realistcoder.store import audit as q
from realistcoder.store.db import Store


def period_of(timestamp: str, by: str) -> str:
    """``2026-11-22`` (day) or ``2026-W47`` (ISO week) of an ISO timestamp."""
    day = date.fromisoformat(timestamp[:10])
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def coverage(store: Store, reviewers: list[str], *, by: str = "week",
             document_ids: set[int] | None = None) -> dict:
    docs = [d for d in q.documents(store) if document_ids is None or d["id"] in document_ids]
    n_props = q.proposal_counts(store)
    act = {(a["document_id"], a["reviewer"]): a for a in q.activity(store)}
    documents = []
    for d in docs:
        entry = {"document_id": d["id"], "document": d["document"],
                 "proposals": n_props.get(d["id"], 0), "reviewers": {}}
        for r in reviewers:
            a = act.get((d["id"], r))
            decided = a["n_decided"] if a else 0
            total = n_props.get(d["id"], 0)
            entry["reviewers"][r] = {
                "reviewed": a is not None,
                "decided": decided,
                "pending": total - decided,
                "share_decided": decided / total if total else None,
                "codings": a["n_codings"] if a else 0,
                "hand_codings": a["n_hand"] if a else 0,
            }
        documents.append(entry)
    drift: dict[str, list[dict]] = {}
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for d in q.proposal_decisions(store, reviewers):
        if document_ids is not None and d["document_id"] not in document_ids:
            continue
        counts[d["reviewer"]][period_of(d["created_at"], by)][d["action"]] += 1
    for r in reviewers:
        rows = []
        for period in sorted(counts[r]):
            c = counts[r][period]
            n = sum(c.values())
            rows.append({"period": period, "decided": n, "accepted": c["accept"],
                         "rejected": c["reject"], "recoded": c["recode"],
                         "acceptance_rate": c["accept"] / n if n else None})
        drift[r] = rows
    return {"by": by, "documents": documents, "acceptance_over_time": drift}
