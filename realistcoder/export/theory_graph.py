"""The programme theory as a diagram: each CMO configuration as context -> mechanism ->
outcome, framed and titled; chains from one configuration's outcome to the next one's context
or mechanism; and on each configuration's mechanism -> outcome arrow, the weight of evidence
for and against it (sources that support, refute, refine), drawn thicker the more sources
support it and coloured by the balance.

Layout: one lane per CMOC, read left to right. A chained CMOC is shifted right so that its
context (or mechanism) sits under the outcome that feeds it; a chain that loops back is drawn
as a curved arrow.
"""

from __future__ import annotations

from realistcoder.export.citations import citation_labels
from realistcoder.export.cmoc_table import cmoc_evidence
from realistcoder.export.diagram import Cluster, Diagram, Edge, Node
from realistcoder.export.filters import DocumentFilter, kept_documents
from realistcoder.export.rows import theory_labels
from realistcoder.review.appraisal import settled_appraisals
from realistcoder.review.evidence import Weight, weigh
from realistcoder.store import export as q
from realistcoder.store import theory as th
from realistcoder.store.db import Store

PART_COLUMN = {"context": 0, "mechanism": 1, "outcome": 2}
LEGEND = [
    "Each frame is a CMO configuration: context -> mechanism -> outcome. On the mechanism -> "
    "outcome arrow: the sources whose evidence supports (for), refutes (against) or refines "
    "it; the arrow is thicker the more sources support it; dark: supported, orange: "
    "contested, red: refuted, grey dashed: no evidence linked yet.",
    "Blue dashed arrows: the outcome of one configuration works as the context or mechanism "
    "of the next (a CMO chain).",
]


def weight_label(weight: Weight) -> str:
    parts = [f"for {weight.n_sources('supports')}"]
    if weight.n_sources("refutes"):
        parts.append(f"against {weight.n_sources('refutes')}")
    if weight.n_sources("refines"):
        parts.append(f"refines {weight.n_sources('refines')}")
    return " · ".join(parts)


def _offsets(cmocs: list[dict], chains: list[dict]) -> dict[int, int]:
    """Column offset of each CMOC: a chained one starts under the outcome that feeds it (longest
    path over the chains, ignoring chains that close a loop)."""
    ids = sorted(c["id"] for c in cmocs)  # a loop is opened before the lowest-numbered CMOC
    incoming: dict[int, list[dict]] = {i: [] for i in ids}
    for ch in chains:
        incoming[ch["to_cmoc"]].append(ch)
    offset: dict[int, int] = {}
    visiting: set[int] = set()

    def place(cid: int) -> int:
        if cid in offset:
            return offset[cid]
        visiting.add(cid)
        best = 0
        for ch in incoming[cid]:
            if ch["from_cmoc"] in visiting:  # a loop: drawn as a back edge
                continue
            shift = PART_COLUMN["outcome"] - PART_COLUMN[ch["part"]]
            best = max(best, place(ch["from_cmoc"]) + shift)
        visiting.discard(cid)
        offset[cid] = best
        return best

    for cid in ids:
        place(cid)
    return offset


def _lanes(cmocs: list[dict], chains: list[dict], offsets: dict[int, int]) -> list[dict]:
    """CMOCs in lane order: chained ones together (so chain arrows cross no other lane), each
    group ordered by its first theory and CMOC, inside a group left to right."""
    group = {c["id"]: c["id"] for c in cmocs}

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for ch in chains:
        group[root(ch["from_cmoc"])] = root(ch["to_cmoc"])
    members: dict[int, list[dict]] = {}
    for c in cmocs:
        members.setdefault(root(c["id"]), []).append(c)
    groups = sorted(members.values(), key=lambda g: min((c["theory"], c["id"]) for c in g))
    return [c for g in groups for c in sorted(g, key=lambda c: (offsets[c["id"]], c["id"]))]


def _text(value: str, fallback: str) -> str:
    value = (value or "").strip().rstrip(".")
    return value[0].upper() + value[1:] if value else fallback


def theory_diagram(store: Store, *, theories: set[str] | None = None,
                   doc_filter: DocumentFilter | None = None) -> Diagram:
    """The programme theory (active CMOCs of ``theories``, or all) as a :class:`Diagram`."""
    cmocs = [c for c in q.active_cmocs(store) if not theories or c["theory"] in theories]
    ids = {c["id"] for c in cmocs}
    chains = [ch for ch in th.active_chains(store) if ch["from_cmoc"] in ids
              and ch["to_cmoc"] in ids]
    evidence = cmoc_evidence(store, cmocs)
    appraisals = settled_appraisals(store, unblinded=True)
    docs = q.documents(store)
    kept, _ = kept_documents(docs, appraisals, doc_filter)
    labels = theory_labels(store)
    offsets = _offsets(cmocs, chains)
    order = _lanes(cmocs, chains, offsets)
    title = "Programme theory" + (f": {', '.join(labels.get(t, t) for t in sorted(theories))}"
                                  if theories else "")
    diagram = Diagram("theory", title, notes=list(LEGEND))
    for lane, cmoc in enumerate(order):
        cid, x = cmoc["id"], offsets[cmoc["id"]]
        names = {p: f"cmoc{cid}_{p[0]}" for p in PART_COLUMN}
        texts = {"context": _text(cmoc["if_text"], "(context not written yet)"),
                 "mechanism": _text(cmoc["because_text"], "(mechanism not written yet)"),
                 "outcome": _text(cmoc["then_text"], "(outcome not written yet)")}
        for part, column in PART_COLUMN.items():
            diagram.nodes.append(Node(names[part], f"{part[0].upper()}: {texts[part]}",
                                      x + column, lane, part))
        links = [x for x in evidence[cid] if x["document_id"] in kept]
        weight = weigh(links, appraisals)
        balance = weight.balance()
        diagram.edges.append(Edge(names["context"], names["mechanism"]))
        diagram.edges.append(Edge(names["mechanism"], names["outcome"], weight_label(weight),
                                  ink=balance, dashed=balance == "untested",
                                  width=1.0 + min(weight.n_sources("supports"), 6) * 0.6))
        diagram.clusters.append(Cluster(f"cmoc{cid}", f"CMOC {cid}"
                                        + (f": {cmoc['title']}" if cmoc["title"] else "")
                                        + f" ({cmoc['theory']})", list(names.values())))
    for ch in chains:
        target = f"cmoc{ch['to_cmoc']}_{ch['part'][0]}"
        diagram.edges.append(Edge(f"cmoc{ch['from_cmoc']}_o", target,
                                  f"outcome as {ch['part']}", ink="chain", dashed=True))
    if not cmocs:
        diagram.notes.insert(0, "No CMO configurations yet: build them with `realistcoder cmoc "
                                "add` or `realistcoder cmoc suggest`.")
    left_out = {x["document_id"] for c in cmocs for x in evidence[c["id"]]} - kept
    if left_out:
        names = citation_labels(docs)
        why = (doc_filter.describe() if doc_filter else "") or "excluded at screening"
        diagram.notes.append(f"Evidence from {len(left_out)} source(s) left out ({why}): "
                             + ", ".join(sorted(names.get(d, str(d)) for d in left_out)) + ".")
    return diagram
