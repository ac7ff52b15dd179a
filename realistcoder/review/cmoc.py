"""CMO configurations: building them from codings, and suggesting candidates.

A suggestion groups one document's codings for one theory that sit close together (the same
paragraph, or within ``window`` sentences of each other) and that hold an outcome plus a context
or a mechanism. Each coding comes with a proposed judgement (supports, refutes, refines) read
from negation and contrast cues (``judgement_cues``). The reviewer accepts it (it becomes a CMOC
with a drafted if-then-because statement to edit, and the judgements shown) or discards it (it
is not suggested again).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from realistcoder.errors import InputError
from realistcoder.review.appraisal import settled_appraisals
from realistcoder.review.evidence import weigh
from realistcoder.review.judgement_cues import Proposal, propose_judgement
from realistcoder.store import cmoc as cm
from realistcoder.store import review as rv
from realistcoder.store import theory as th
from realistcoder.store.db import Store

NEGATED_FLAGS = {"negated", "no_change"}

ROLE_PART = {"context": "context", "outcome": "outcome"}


def part_of(coding: dict) -> str | None:
    """The CMOC part a coding fills: context, resource, reasoning, mechanism or outcome."""
    if coding["role"] == "mechanism":
        return coding.get("mechanism_type") or "mechanism"
    return ROLE_PART.get(coding["role"])


@dataclass
class Suggestion:
    theory: str
    document: str
    codings: list[dict]
    key: str
    judgements: dict[int, Proposal] = field(default_factory=dict)

    @property
    def links(self) -> list[tuple[int, str]]:
        return [(c["coding_id"], part_of(c)) for c in self.codings]

    def parts(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for c in self.codings:
            out.setdefault(part_of(c), []).append(c)
        return out

    @property
    def complete(self) -> bool:
        p = self.parts()
        return "context" in p and "outcome" in p and bool(
            {"resource", "reasoning", "mechanism"} & set(p))

    def draft(self) -> dict[str, str]:
        """A first if-then-because statement from the code labels, for the reviewer to edit."""
        p = self.parts()

        def labels(*names: str) -> str:
            seen = dict.fromkeys((c["label"] or f"{c['role']} evidence").lower()
                                 for n in names for c in p.get(n, []))
            return " and ".join(seen)

        return {"if_text": labels("context", "resource"),
                "then_text": labels("outcome"),
                "because_text": labels("reasoning", "mechanism")}


def judge_codings(store: Store, codings: list[dict]) -> dict[int, Proposal]:
    """Coding id -> the judgement its wording (and its proposal's negation flag) suggests."""
    flags = cm.proposal_flags(store, [c["proposal_id"] for c in codings if c.get("proposal_id")])
    return {c["coding_id"]: propose_judgement(
        c["text"], negated=bool(NEGATED_FLAGS & set(flags.get(c.get("proposal_id"), []))))
        for c in codings}


def suggestion_key(theory: str, codings: list[dict]) -> str:
    uuids = sorted(c["uuid"] for c in codings)
    return hashlib.sha1("\x1f".join([theory, *uuids]).encode()).hexdigest()[:16]


def suggest(store: Store, reviewer: str | None = None, *, unblinded: bool = False,
            theory: str | None = None, window: int = 3) -> list[Suggestion]:
    """Candidate CMOCs from co-occurring codings (the reviewer's own unless ``unblinded``),
    complete ones (C, M and O) first; discarded and already built ones are left out."""
    if window < 0:
        raise InputError("the window cannot be negative", subject="--window",
                         fix="pass a number of sentences such as 3")
    codings = [c for c in rv.current_codings(store, viewer=None if unblinded else reviewer,
                                             unblinded=unblinded, theory=theory)
               if c["theory"] and part_of(c)]
    discarded = cm.discarded_keys(store, reviewer) if reviewer else set()
    built = cm.linked_keys(store)
    groups: dict[tuple[int, str], list[dict]] = {}
    for c in codings:
        groups.setdefault((c["document_id"], c["theory"]), []).append(c)
    out = []
    for (_, theory_id), items in sorted(groups.items()):
        for cluster in _clusters(sorted(items, key=lambda c: (c["seq"], c["end_seq"])), window):
            roles = {c["role"] for c in cluster}
            if "outcome" not in roles or not roles & {"context", "mechanism"}:
                continue
            key = suggestion_key(theory_id, cluster)
            if key in discarded or frozenset(c["coding_id"] for c in cluster) in built:
                continue
            out.append(Suggestion(theory_id, cluster[0]["document"], cluster, key,
                                  judge_codings(store, cluster)))
    out.sort(key=lambda s: (not s.complete, -len(s.codings), s.theory, s.document))
    return out


def _clusters(items: list[dict], window: int) -> list[list[dict]]:
    """Chain codings that share a paragraph or lie within ``window`` sentences of the last."""
    clusters: list[list[dict]] = []
    for c in items:
        if clusters:
            last = clusters[-1]
            near = any(c["seq"] - o["end_seq"] <= window or c["paragraph"] == o["paragraph"]
                       for o in last)
            if near:
                last.append(c)
                continue
        clusters.append([c])
    return clusters


def accept_suggestion(store: Store, s: Suggestion, reviewer: str, **texts) -> int:
    """Build the CMOC a suggestion describes (with the drafted statement unless given)."""
    fields = {**s.draft(), **{k: v for k, v in texts.items() if v}}
    judged = {cid: p.judgement for cid, p in s.judgements.items() if p.judgement != "supports"}
    return cm.add_cmoc(store, theory=s.theory, reviewer=reviewer, links=s.links,
                       title=fields.pop("title", "") or f"{s.theory}: {s.document}",
                       judgements=judged, **fields)


def discard_suggestion(store: Store, s: Suggestion, reviewer: str) -> None:
    cm.discard_suggestion(store, reviewer, s.theory, s.key)


def statement(cmoc: dict) -> str:
    """The if-then-because sentence of a CMOC (parts left empty are shown as '...')."""
    return (f"If {cmoc['if_text'] or '...'}, then {cmoc['then_text'] or '...'}, "
            f"because {cmoc['because_text'] or '...'}.")


def cmoc_detail(store: Store, cmoc_id: int) -> dict:
    """A CMOC with its statement, each linked coding's quote, document and page, its evidence
    for and against by source with each source's appraisal (``sources``), its chains and its
    number of versions."""
    cmoc = cm.get_cmoc(store, cmoc_id)
    for link in cmoc["links"]:
        link["text"] = rv.fragment_text(store, link["sentence_id"], link["end_sentence_id"])
    cmoc["statement"] = statement(cmoc)
    weight = weigh(cmoc["links"], settled_appraisals(store, unblinded=True))
    cmoc["weight"] = {"summary": weight.summary(), "balance": weight.balance()}
    cmoc["sources"] = [{"document_id": s.document_id, "document": s.links[0]["document"],
                        "appraisal": s.appraisal.short() if s.appraisal else "not appraised",
                        "judgements": s.judgements, "links": s.links} for s in weight.sources]
    cmoc["chains"] = th.active_chains(store, cmoc=cmoc["id"])
    cmoc["versions"] = len(cm.cmoc_versions(store, cmoc["id"]))
    return cmoc


def judgement_suggestions(store: Store, cmoc_id: int) -> list[tuple[dict, Proposal]]:
    """Links whose wording suggests another judgement than the one they have."""
    links = cmoc_detail(store, cmoc_id)["links"]
    proposals = judge_codings(store, links)
    return [(x, proposals[x["coding_id"]]) for x in links
            if proposals[x["coding_id"]].judgement != x["judgement"]]
