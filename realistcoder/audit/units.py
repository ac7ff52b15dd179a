"""Which reviewers, documents and sentences an audit compares, and the unit x reviewer matrices.

The unit is the sentence. A coding that spans several sentences counts for each sentence it
covers. A reviewer *reviewed* a document when they decided at least one proposal in it or have a
coding in it (undone decisions do not count); with ``complete=True`` they must also have decided
every proposal in it. A sentence of a compared document is a unit when it is running text or a
list item (the sections proposals are made for) or when any compared reviewer coded it, so that
references and front matter do not pad the "neither coded" cell.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from realistcoder.audit.agreement import Table
from realistcoder.errors import InputError, NotFoundError
from realistcoder.ingest.sections import PROPOSE_BY_DEFAULT
from realistcoder.store import audit as q
from realistcoder.store.db import Store
from realistcoder.store.review import CONSENSUS, current_codings


@dataclass
class Selection:
    """What an audit compares, and what it left out and why."""

    reviewers: list[str]
    documents: list[dict]
    units: list[dict]  # sentence rows, in reading order
    coded: dict[int, dict[str, set[str]]]  # sentence id -> reviewer -> codes
    reviewed: dict[int, set[str]]  # document id -> compared reviewers who reviewed it
    codes: list[str]
    code_info: dict[str, dict]
    excluded_reviewers: list[dict] = field(default_factory=list)
    excluded_documents: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    allow_missing: bool = False
    code_filter: bool = False  # --code / --theory narrowed the codes
    scope: set[int] = field(default_factory=set)  # documents within --document (if given)

    def __post_init__(self) -> None:
        self.unit_doc = {u["id"]: u["document_id"] for u in self.units}
        self.unit_index = {u["id"]: i for i, u in enumerate(self.units)}
        # reviewed[u, r]: reviewer r reviewed unit u's document
        self.reviewed_mask = np.array(
            [[r in self.reviewed.get(u["document_id"], ()) for r in self.reviewers]
             for u in self.units], dtype=bool).reshape(len(self.units), len(self.reviewers))
        self.present = self.presence(self.codes)

    def presence(self, codes: list[str]) -> np.ndarray:
        """``present[u, r, k]``: reviewer r applied ``codes[k]`` to unit u."""
        present = np.zeros((len(self.units), len(self.reviewers), len(codes)), dtype=bool)
        col = {c: k for k, c in enumerate(codes)}
        rev = {r: j for j, r in enumerate(self.reviewers)}
        for sid, per in self.coded.items():
            i = self.unit_index.get(sid)
            if i is None:
                continue
            for r, got in per.items():
                if r in rev:
                    for c in got:
                        if c in col:
                            present[i, rev[r], col[c]] = True
        return present

    def has(self, sentence_id: int, reviewer: str) -> bool:
        """Whether ``reviewer`` reviewed the unit's document."""
        return reviewer in self.reviewed.get(self.unit_doc[sentence_id], set())

    def roles(self) -> list[str]:
        """The evidence roles (context, mechanism, outcome) of the compared codes, in order."""
        used = {self.code_info.get(c, {}).get("role") for c in self.codes}
        return [r for r in ("context", "mechanism", "outcome") if r in used]

    def role_matrix(self, role: str) -> Table:
        """Units x reviewers for one role: 1 when the reviewer applied any code of that role
        (or the role alone), 0 not, missing where not reviewed."""
        ks = [k for k, c in enumerate(self.codes) if self.code_info.get(c, {}).get("role") == role]
        applied = self.present[:, :, ks].any(axis=2)
        return Table(np.where(self.reviewed_mask, applied, -1), (0, 1))

    def matrix(self, code: str) -> Table:
        """Units x reviewers for one code: 1 applied, 0 not, missing where not reviewed."""
        k = self.codes.index(code)
        return Table(np.where(self.reviewed_mask, self.present[:, :, k], -1), (0, 1))

    def pooled(self) -> tuple[Table, np.ndarray]:
        """Every (code, sentence) item x reviewers, and each item's sentence (its cluster)."""
        n_units, n_rev, n_codes = self.present.shape
        values = np.where(self.reviewed_mask[None], self.present.transpose(2, 0, 1), -1)
        return (Table(values.reshape(n_codes * n_units, n_rev), (0, 1)),
                np.tile(np.arange(n_units), n_codes))

    @property
    def n_pairable_units(self) -> int:
        """Sentences reviewed by two or more of the compared reviewers."""
        return int((self.reviewed_mask.sum(axis=1) >= 2).sum())


def default_reviewers(store: Store) -> list[str]:
    """Everyone who decided or coded anything, except the consensus."""
    names = {r["reviewer"] for r in q.activity(store)}
    names.discard(CONSENSUS)
    return sorted(names)


def select(
    store: Store,
    reviewers: list[str] | None = None,
    *,
    documents: list[str] | None = None,
    codes: list[str] | None = None,
    theory: str | None = None,
    complete: bool = False,
    allow_missing: bool = False,
    all_sentences: bool = False,
) -> Selection:
    """Choose reviewers, documents, units and codes; record every exclusion with its reason.

    Documents are compared when every named reviewer reviewed them (with ``allow_missing``, when
    at least two did: the others count as missing, which only Krippendorff's alpha and Gwet's
    AC1 use)."""
    activity = q.activity(store)
    everyone = sorted({r["reviewer"] for r in activity})
    if reviewers:
        reviewers = list(dict.fromkeys(r.strip() for r in reviewers if r.strip()))
        unknown = [r for r in reviewers if r not in everyone]
        if unknown:
            raise NotFoundError(
                f"no decisions or codings by {', '.join(unknown)}", subject="--reviewers",
                fix=f"reviewers in this store: {', '.join(everyone) or 'none yet'}")
    else:
        reviewers = default_reviewers(store)
    notes: list[str] = []
    excluded_reviewers = []
    if CONSENSUS in everyone and CONSENSUS not in reviewers:
        excluded_reviewers.append({"reviewer": CONSENSUS, "reason": "agreed codings are not an "
                                   "independent reviewer (name it in --reviewers to compare)"})
    docs = {d["id"]: d for d in q.documents(store)}
    wanted_docs = _match_documents(docs, documents) if documents else set(docs)
    by_doc: dict[int, dict[str, dict]] = defaultdict(dict)
    for r in activity:
        by_doc[r["document_id"]][r["reviewer"]] = r
    n_props = q.proposal_counts(store)
    reviewed: dict[int, set[str]] = {}
    included, excluded = [], []
    for doc_id in sorted(wanted_docs):
        doc = docs[doc_id]
        who = {}
        for r in reviewers:
            a = by_doc[doc_id].get(r)
            if a is None:
                continue
            # an older version's proposals are out of the queue: nobody can decide them now
            pending = 0 if doc["older"] else n_props.get(doc_id, 0) - a["n_decided"]
            if complete and pending > 0:
                continue
            who[r] = pending
        missing = [r for r in reviewers if r not in who]
        need = 2 if allow_missing else len(reviewers)
        if len(who) >= max(need, 1) and who:
            included.append(doc)
            reviewed[doc_id] = set(who)
            for r, pending in who.items():
                if pending > 0:
                    notes.append(
                        f"{r} has {pending} undecided proposal(s) in {doc['document']}: they "
                        "count as not coded (use --complete to compare finished documents only)")
        elif who:
            verb = "finished" if complete else "reviewed"
            excluded.append({"document_id": doc_id, "document": doc["document"],
                             "reason": f"not {verb} by {', '.join(missing)}"})
    older = [d["document"] for d in included if d["older"]]
    if older:
        notes.append(f"{len(older)} older version(s) of changed documents still hold codings "
                     "that could not be carried to the new version; they are compared as "
                     f"documents of their own ({', '.join(older[:3])}"
                     f"{', ...' if len(older) > 3 else ''})")
    for r in reviewers:
        if not any(r in s for s in reviewed.values()):
            notes.append(f"{r} reviewed none of the compared documents")
    if CONSENSUS in reviewers:
        notes.append("the consensus has codes only where the team resolved a sentence; "
                     "elsewhere in its documents it counts as 'no code'")
    if len(reviewers) < 2:
        notes.append("agreement needs two or more reviewers; "
                     f"{'only ' + reviewers[0] if reviewers else 'nobody'} has coded")
    inc_ids = [d["id"] for d in included]
    all_units = q.sentences(store, inc_ids)
    codings = current_codings(store, reviewers, unblinded=True) if inc_ids and reviewers else []
    code_info = q.codes(store)
    for c in codings:
        key = unit_code(c)
        label = c.get("label") or (c["code"] or f"{c['role'].capitalize()} (role only)")
        code_info.setdefault(key, {"code": key, "label": label, "role": c.get("role"),
                                   "theory": c.get("theory")})
    wanted_codes = _wanted_codes(code_info, codes, theory)
    seq = {(u["document_id"], u["seq"]): u["id"] for u in all_units}
    coded: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    inc = set(inc_ids)
    used: set[str] = set()
    for c in codings:
        if c["document_id"] not in inc or c["reviewer"] not in reviewed[c["document_id"]]:
            continue
        key = unit_code(c)
        if wanted_codes is not None and key not in wanted_codes:
            continue
        used.add(key)
        for s in range(c["seq"], c["end_seq"] + 1):
            sid = seq.get((c["document_id"], s))
            if sid is not None:
                coded[sid][c["reviewer"]].add(key)
    units = [u for u in all_units
             if all_sentences or u["section"] in PROPOSE_BY_DEFAULT or u["id"] in coded]
    if wanted_codes is not None and codes:
        code_list = [c for c in codes if c in wanted_codes]
    else:
        code_list = sorted(used, key=lambda c: (code_info[c].get("theory") or "",
                                                _role_order(code_info[c].get("role")), c))
        unused = sorted((wanted_codes or set()) - used)
        if unused and theory:
            notes.append(f"{len(unused)} code(s) of theory {theory} were used by no compared "
                         "reviewer and are left out")
    return Selection(reviewers, included, units, {k: dict(v) for k, v in coded.items()},
                     reviewed, code_list, code_info, excluded_reviewers, excluded, notes,
                     allow_missing, wanted_codes is not None, set(wanted_docs))


def unit_code(coding: dict) -> str:
    """The "code" a coding applies in the agreement matrices: its code id, or ``role:ROLE``
    for a role-only coding."""
    return coding["code"] or f"role:{coding['role']}"


def _role_order(role: str | None) -> int:
    order = ("context", "mechanism", "outcome", "other")
    return order.index(role) if role in order else len(order)


def _match_documents(docs: dict[int, dict], wanted: list[str]) -> set[int]:
    def nfc(text: str) -> str:  # macOS file names are decomposed; typed names composed
        return unicodedata.normalize("NFC", text)

    out = set()
    for w in wanted:
        w = nfc(w.strip())
        hits = [i for i, d in docs.items()
                if w == str(i) or w == nfc(d["document"]) or nfc(d["title"] or "") == w
                or nfc(d["document"]).rsplit(".", 1)[0] == w]
        if not hits:
            raise NotFoundError(f"no document '{w}'", subject="--document",
                                fix="give a document id or file name from `realistcoder documents`")
        out.update(hits)
    return out


def _wanted_codes(info: dict[str, dict], codes: list[str] | None,
                  theory: str | None) -> set[str] | None:
    if not codes and not theory:
        return None
    wanted = set(info)
    if codes:
        unknown = [c for c in codes if c not in info]
        if unknown:
            raise NotFoundError(f"no code {', '.join(unknown)}", subject="--code",
                                fix="see `realistcoder codebook show` for the code ids")
        wanted &= set(codes)
    if theory:
        in_theory = {c for c, i in info.items() if i.get("theory") == theory}
        if not in_theory:
            raise InputError(f"no code belongs to theory '{theory}'", subject="--theory",
                             fix="see `realistcoder codebook show` for the theory ids")
        wanted &= in_theory
    return wanted
