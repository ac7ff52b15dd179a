"""CMO configurations: building them from codings, and suggesting candidates.

A suggestion groups one document's codings for one theory that sit close together (the same
paragraph, or within ``window`` sentences of each other) and that hold an outcome plus a context
or a mechanism. The reviewer accepts it (it becomes a CMOC with a drafted if-then-because
statement to edit) or discards it (it is not suggested again).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from realistcoder.errors import InputError
from realistcoder.store import cmoc as cm
from realistcoder.store import review as rv
from realistcoder.store.db import Store

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
    for (_, th), items in sorted(groups.items()):
        for cluster in _clusters(sorted(items, key=lambda c: (c["seq"], c["end_seq"])), window):
            roles = {c["role"] for c in cluster}
            if "outcome" not in roles or not roles & {"context", "mechanism"}:
                continue
            key = suggestion_key(th, cluster)
            if key in discarded or frozenset(c["coding_id"] for c in cluster) in built:
                continue
            out.append(Suggestion(th, cluster[0]["document"], cluster, key))
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
    return cm.add_cmoc(store, theory=s.theory, reviewer=reviewer, links=s.links,
                       title=fields.pop("title", "") or f"{s.theory}: {s.document}", **fields)


def discard_suggestion(store: Store, s: Suggestion, reviewer: str) -> None:
    cm.discard_suggestion(store, reviewer, s.theory, s.key)


def statement(cmoc: dict) -> str:
    """The if-then-because sentence of a CMOC (parts left empty are shown as '...')."""
    return (f"If {cmoc['if_text'] or '...'}, then {cmoc['then_text'] or '...'}, "
            f"because {cmoc['because_text'] or '...'}.")


def cmoc_detail(store: Store, cmoc_id: int) -> dict:
    """A CMOC with its statement and each linked coding's quote, document and page."""
    cmoc = cm.get_cmoc(store, cmoc_id)
    for link in cmoc["links"]:
        link["text"] = rv.fragment_text(store, link["sentence_id"], link["end_sentence_id"])
    cmoc["statement"] = statement(cmoc)
    return cmoc
