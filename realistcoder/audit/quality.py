"""How far to trust the proposals: the proposer judged against what reviewers confirmed.

For each reviewer, on the documents they reviewed, an item is a (sentence, code) pair:

- *proposed*: a proposal of that code for that sentence;
- *confirmed*: the reviewer has a current coding of that code covering that sentence.

Precision = decided proposals that are confirmed / decided proposals (proposals still pending
for that reviewer are left out); recall = confirmed items that were proposed / confirmed items.
Both pool every reviewer's items. Acceptance rate = accepted / decided proposals (a recode counts
as a rejection of the proposed code). The threshold table repeats precision and recall keeping
only proposals scoring at least the threshold.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from realistcoder.audit import agreement as ag
from realistcoder.audit.units import Selection, unit_code
from realistcoder.store import audit as q
from realistcoder.store import review as rv
from realistcoder.store.db import Store

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def quality(store: Store, sel: Selection, *, top: int = 10) -> dict:
    reviewers = sel.reviewers
    by_doc = defaultdict(set)
    for a in q.activity(store):
        if a["reviewer"] in reviewers and a["document_id"] in sel.scope:
            by_doc[a["reviewer"]].add(a["document_id"])
    docs = set().union(*by_doc.values()) if by_doc else set()
    only = set(sel.codes) if sel.code_filter else None
    props = [p for p in q.proposals(store, docs) if only is None or p["code"] in only]
    status = {(r["proposal_id"], r["reviewer"]): r for r in q.proposal_reviews(store, reviewers)}
    confirmed: dict[str, set[tuple[int, str]]] = defaultdict(set)
    confirmed_roles: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for c in rv.current_codings(store, reviewers, unblinded=True):
        if c["document_id"] not in by_doc[c["reviewer"]]:
            continue
        if only is not None and unit_code(c) not in only:
            continue
        for s in rv.sentence_range(store, c["sentence_id"], c["end_sentence_id"]):
            confirmed[c["reviewer"]].add((s["id"], unit_code(c)))
            confirmed_roles[c["reviewer"]].add((s["id"], c["role"]))
    per_code: dict[str, Counter] = defaultdict(Counter)
    per_role: dict[str, Counter] = defaultdict(Counter)
    scored = []  # (score, decided, hit) per reviewer x proposal
    proposed_items: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for r in reviewers:
        for p in props:
            if p["document_id"] not in by_doc[r]:
                continue
            item = (p["sentence_id"], unit_code(p))
            proposed_items[r].add(item)
            st = status.get((p["id"], r))
            decided = st is not None
            # a role proposal is right when the reviewer coded that role there, by any code
            hit = (item in confirmed[r] if p["code"] else
                   (p["sentence_id"], p["role"]) in confirmed_roles[r])
            scored.append((p["score"], decided, hit))
            for bucket in (per_code[unit_code(p)], per_role[p["role"]]):
                bucket["proposals"] += 1
                if decided:
                    bucket["decided"] += 1
                    bucket[st["status"]] += 1
                    bucket["tp"] += hit
                else:
                    bucket["pending"] += 1
    for r in reviewers:
        for sid, code in confirmed[r]:
            per_code[code]["confirmed"] += 1
            per_code[code]["found"] += (sid, code) in proposed_items[r]
            role = sel.code_info.get(code, {}).get("role") or "other"
            per_role[role]["confirmed"] += 1
            per_role[role]["found"] += (sid, code) in proposed_items[r]
    codes = {code: _row(c) for code, c in sorted(per_code.items())}
    roles = {role: _row(c) for role, c in sorted(per_role.items())}
    total = Counter()
    for c in per_code.values():
        total.update(c)
    thresholds = []
    n_confirmed = sum(len(v) for v in confirmed.values())
    for t in THRESHOLDS:
        keep = [(d, h) for s, d, h in scored if s >= t]
        decided = [h for d, h in keep if d]
        found = sum(h for _, h in keep)
        thresholds.append({"threshold": t, "proposals": len(keep),
                           "precision": _ratio(sum(decided), len(decided)),
                           "recall": _ratio(found, n_confirmed)})
    rejections = sorted(
        ({"code": code, "rejected": c["rejected"] + c["recoded"], "decided": c["decided"],
          "rejection_rate": _ratio(c["rejected"] + c["recoded"], c["decided"])}
         for code, c in per_code.items() if c["rejected"] + c["recoded"] > 0),
        key=lambda r: (-r["rejected"], -(r["rejection_rate"] or 0), r["code"]))[:top]
    return {
        "reviewers": reviewers,
        "overall": _row(total),
        "codes": codes,
        "roles": roles,
        "thresholds": thresholds,
        "most_rejected": rejections,
        "proposer_as_coder": _as_coder(sel, props),
        "definitions": {"precision": "confirmed / decided proposals",
                        "recall": "confirmed (sentence, code) items that were proposed",
                        "acceptance_rate": "accepted / decided proposals (recode = rejection "
                                           "of the proposed code)"},
    }


def _row(c: Counter) -> dict:
    return {
        "proposals": c["proposals"], "decided": c["decided"], "pending": c["pending"],
        "accepted": c["accepted"], "rejected": c["rejected"], "recoded": c["recoded"],
        "acceptance_rate": _ratio(c["accepted"], c["decided"]),
        "precision": _ratio(c["tp"], c["decided"]),
        "recall": _ratio(c["found"], c["confirmed"]),
        "confirmed": c["confirmed"],
    }


def _as_coder(sel: Selection, props: list[dict]) -> list[dict]:
    """The proposer as one more coder: agreement with each reviewer on the audited units, over
    the audited codes and every code proposed there."""
    proposed = defaultdict(set)
    for p in props:
        proposed[p["sentence_id"]].add(unit_code(p))
    codes = sorted(set(sel.codes) | {c for sid in sel.unit_index for c in proposed.get(sid, ())})
    col = {c: k for k, c in enumerate(codes)}
    machine = np.zeros((len(sel.units), len(codes)), dtype=np.int64)
    for sid, got in proposed.items():
        i = sel.unit_index.get(sid)
        if i is not None:
            for c in got:
                machine[i, col[c]] = 1
    present = sel.presence(codes).astype(np.int64)
    out = []
    for j, r in enumerate(sel.reviewers):
        rows = sel.reviewed_mask[:, j]
        pairs = np.stack([machine[rows].ravel(), present[rows, j, :].ravel()], axis=1)
        table = ag.Table(pairs, (0, 1))
        entry = {"reviewer": r, "n_items": len(pairs)}
        for key, fn in (("percent_agreement", ag.percent_agreement),
                        ("positive_agreement", ag.positive_agreement),
                        ("cohen_kappa", ag.cohen_kappa),
                        ("krippendorff_alpha", ag.krippendorff_alpha)):
            v = fn(table)
            entry[key] = None if isinstance(v, ag.Undefined) else v
        out.append(entry)
    return out
